"""Two ways to serve a ``handle(method, path, headers, body)`` function: on loopback, or as ASGI.

The loopback server is the standard library's threaded HTTP server on 127.0.0.1 and a free port,
run by a daemon thread and stopped (socket closed, thread joined) by ``stop()``. The ASGI app
serves the same function in-process, for targets that never open a socket.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

Handler = Callable[[str, str, Mapping[str, str], bytes], tuple[int, list[tuple[str, str]], bytes]]

MAX_BODY: Final = 64 * 1024
STOP_TIMEOUT: Final = 5.0


class LoopbackServer:
    """Serve ``handle`` on ``http://127.0.0.1:PORT`` from a background thread."""

    def __init__(self, handle: Handler) -> None:
        self._handle = handle
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        assert isinstance(host, str)  # start() binds the text address "127.0.0.1"
        return f"http://{host}:{port}"

    def start(self) -> LoopbackServer:
        handle = self._handle

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    self._reply(413, [("content-type", "text/plain")], b"request body too large")
                    return
                body = self.rfile.read(length) if length else b""
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, reply_headers, data = handle(self.command, self.path, headers, body)
                self._reply(status, reply_headers, data)

            def _reply(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _serve

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: requests are recorded on the issuer, not printed."""

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        httpd.daemon_threads = True
        thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="pytest-mcp-issuer", daemon=True
        )
        thread.start()
        self._httpd, self._thread = httpd, thread
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(STOP_TIMEOUT)
        self._thread = None


def asgi_app(handle: Handler) -> Callable[..., Any]:
    """An ASGI 3 application answering every HTTP request with ``handle``."""

    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            raise ValueError(f"the token issuer's ASGI app serves HTTP only, not {scope['type']!r}")
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                await _send(send, 413, [("content-type", "text/plain")], b"request body too large")
                return
            if not message.get("more_body", False):
                break
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        path = scope["path"] + ("?" + scope["query_string"].decode() if scope.get("query_string") else "")
        status, reply_headers, data = handle(scope["method"], path, headers, body)
        await _send(send, status, reply_headers, data)

    return app


async def _send(send: Callable[..., Any], status: int, headers: list[tuple[str, str]], data: bytes) -> None:
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    raw.append((b"content-length", str(len(data)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})
