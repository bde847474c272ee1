"""A small MCP server (2025-11-25, stdio or Streamable HTTP) that stops serving after bad input.

``--break-on unknown-method``: after a request for a method it does not know (it answers that one
with -32601), it stops serving: over stdio it answers nothing more (or, with ``--crash``, exits
with code 3); over HTTP every later request gets HTTP 500. ``--break-on delete``: the same once
``DELETE_RACES`` sessions were deleted with no request since their ``initialize`` (a race that shows
only when repeated). ``--break-on none``: it keeps
serving. ``--limit-concurrency``: over HTTP, a request that arrives while another is being
answered gets HTTP 429 (each answer takes 20 ms).

Run: ``python liveness_server.py [--http --port N] --break-on KIND [--crash] [--limit-concurrency]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DELETE_RACES = 5
TOOL = {
    "name": "echo",
    "description": "Returns its text.",
    "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    "annotations": {"readOnlyHint": True},
}


class State:
    """What the server knows: its defect, whether it stopped serving, and its sessions."""

    def __init__(self, break_on: str, crash: bool) -> None:
        self.break_on = break_on
        self.crash = crash
        self.broken = False
        self.fresh_sessions: set[str] = set()
        self.races = 0
        self.lock = threading.Lock()

    def answer(self, message: dict[str, Any]) -> dict[str, Any] | None:
        """The reply to one JSON-RPC message (None for a notification), breaking on an unknown method."""
        method, ident = message.get("method"), message.get("id")
        if "id" not in message:
            return None
        if method == "initialize":
            result: dict[str, Any] = {
                "protocolVersion": "2025-11-25",
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "liveness", "version": "1.0"},
            }
        elif method == "ping":
            result = {}
        elif method == "tools/list":
            result = {"tools": [TOOL]}
        elif method == "tools/call":
            params = message.get("params")
            arguments = params.get("arguments") if isinstance(params, dict) else None
            text = arguments.get("text") if isinstance(arguments, dict) else None
            if not isinstance(params, dict) or params.get("name") != "echo" or not isinstance(text, str):
                return error(ident, -32602, "call echo with a string text")
            result = {"content": [{"type": "text", "text": text}]}
        else:
            if self.break_on == "unknown-method" and method != "server/discover":
                self.broken = True
            return error(ident, -32601, f"Method not found: {method}")
        return {"jsonrpc": "2.0", "id": ident, "result": result}

    def end_session(self, session: str) -> None:
        """Forget a deleted session; with ``--break-on delete``, count it when no request used it yet."""
        with self.lock:
            if session in self.fresh_sessions and self.break_on == "delete":
                self.races += 1
                self.broken = self.races >= DELETE_RACES
            self.fresh_sessions.discard(session)

    def use_session(self, message: dict[str, Any], session: str) -> str:
        """The session ``message`` belongs to: a request marks its session used; ``initialize`` opens a fresh one."""
        with self.lock:
            if "id" in message:  # a request: the session is in use (a notification does not count)
                self.fresh_sessions.discard(session)
            if message.get("method") == "initialize":
                session = uuid.uuid4().hex
                self.fresh_sessions.add(session)
        return session


def error(ident: Any, code: int, text: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "error": {"code": code, "message": text}}


def serve_stdio(state: State) -> None:
    for line in sys.stdin:
        if state.broken:
            continue  # wedged: reads, answers nothing
        try:
            message = json.loads(line)
        except ValueError:
            reply: dict[str, Any] | None = error(None, -32700, "Parse error")
        else:
            reply = state.answer(message) if isinstance(message, dict) else error(None, -32600, "Invalid Request")
        if reply is not None:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()
        if state.broken and state.crash:
            sys.stderr.write("liveness server: giving up after an unknown method\n")
            sys.exit(3)


class JsonHandler(BaseHTTPRequestHandler):
    """An HTTP handler that logs nothing and sends JSON bodies."""

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def handler(state: State, limit: bool) -> type[BaseHTTPRequestHandler]:
    """The handler class serving ``state``; with ``limit``, a request that finds another in progress gets 429."""
    busy = threading.Semaphore(1)

    class Handler(JsonHandler):
        def do_GET(self) -> None:
            self.send(405)

        def do_DELETE(self) -> None:
            if state.broken:
                return self.send(500)
            state.end_session(self.headers.get("mcp-session-id", ""))
            self.send(200)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if limit and not busy.acquire(blocking=False):
                return self.send(429, {"error": "one request at a time"})
            try:
                if limit:
                    time.sleep(0.02)
                self.answer_post(body)
            finally:
                if limit:
                    busy.release()

        def answer_post(self, body: bytes) -> None:
            if state.broken:
                return self.send(500)
            try:
                message = json.loads(body)
            except ValueError:
                return self.send(400, error(None, -32700, "Parse error"))
            if not isinstance(message, dict):
                return self.send(400, error(None, -32600, "Invalid Request"))
            session = state.use_session(message, self.headers.get("mcp-session-id", ""))
            reply = state.answer(message)
            if reply is None:
                return self.send(202)
            self.send(200, reply, {"mcp-session-id": session} if message.get("method") == "initialize" else None)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--break-on", choices=("unknown-method", "delete", "none"), default="unknown-method")
    parser.add_argument("--crash", action="store_true")
    parser.add_argument("--limit-concurrency", action="store_true")
    args = parser.parse_args()
    state = State(args.break_on, args.crash)
    if not args.http:
        serve_stdio(state)
        return
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(state, args.limit_concurrency))
    server.serve_forever()


if __name__ == "__main__":
    main()
