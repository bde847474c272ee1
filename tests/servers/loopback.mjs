// Node preload for the tests: servers that call listen(port) without a host bind to every
// interface; this makes them bind to 127.0.0.1 instead, and reports the bound port on stderr
// ("LISTENING 127.0.0.1:PORT") so a server started with PORT=0 can be found.
import net from "node:net";

const originalListen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  const portOnly = args.length > 0 && typeof first !== "object" && typeof first !== "function";
  if (portOnly && typeof args[1] !== "string") {
    args.splice(1, 0, "127.0.0.1");
  }
  this.once("listening", () => {
    const address = this.address();
    if (address && typeof address === "object") {
      process.stderr.write(`LISTENING ${address.address}:${address.port}\n`);
    }
  });
  return originalListen.apply(this, args);
};
