"""The strict raw server (``broken_servers/rawserver.py``) with one planted fault a lenient suite forgives.

Each fault makes the server look like a smaller, correct one (an era it "does not speak", a prompt
that "needs other arguments", a business error) while it is broken; ``tests/suite/test_verdicts.py``
runs the suite against each and expects the named check to fail.

    python tests/suite/planted/faulty_server.py --fault NAME                      # stdio
    python tests/suite/planted/faulty_server.py --fault NAME --http --port N      # Streamable HTTP
    MCP_FAULT=NAME python tests/suite/planted/faulty_server.py                    # the fault from the environment
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "broken_servers"))

import rawserver

FAULTS = {
    "broken-initialize": "initialize is answered with error -32603 (an internal error)",
    "silent-initialize": "initialize is never answered",
    "broken-discover": "server/discover returns a result without supportedVersions",
    "unknown-prompts": "prompts/get answers every listed prompt with 'Unknown prompt'",
    "unknown-tools": "tools/call answers every listed tool with an isError 'Unknown tool' result",
    "template-read-fails": "reading an instance of the resource template fails with 'Resource not found'",
    "null-server-info": "serverInfo carries title: null",
    "null-in-list": "prompts/list lists a prompt whose description is null",
    "empty-log-method": "log notifications are sent with an empty method",
    "null-progress-total": "progress notifications carry total: null",
    "dies-after-error": "after one error reply the connection (or HTTP session) stops serving",
    "logs-unasked": "2026-07-28 tool calls log only when the request asks for no level (the test negated)",
    "answers-cancelled": "a cancelled tools/call is answered anyway",
}


class FaultyCore(rawserver.Core):
    """The raw server's JSON-RPC handling with ``fault`` planted."""

    def __init__(self, fault: str) -> None:
        super().__init__({"reply-after-cancel"} if fault == "answers-cancelled" else set())
        self.fault = fault

    def handle(self, message: Any, conn: Any, emit: Any, headers: dict[str, str] | None = None) -> Any:
        if not isinstance(message, dict):
            return super().handle(message, conn, emit, headers)
        method, request_id = message.get("method"), message.get("id")
        params = message.get("params") if isinstance(message.get("params"), dict) else {}
        if getattr(conn, "dead", False) and "id" in message:
            return self.respond(request_id, error=rawserver.RpcError(-32600, "Session not found"))
        early = self.early_answer(method, request_id, params, conn, emit)
        if early is not False:
            return early
        if self.fault == "empty-log-method":
            emit = _renaming(emit, "notifications/message", "")
        if self.fault == "null-progress-total":
            emit = _nulling(emit, "notifications/progress", "total")
        response = super().handle(message, conn, emit, headers)
        self.spoil(method, response, conn)
        return response

    def early_answer(self, method: Any, request_id: Any, params: dict[str, Any], conn: Any, emit: Any) -> Any:
        """The planted reply that replaces the raw server's, or False to let it answer."""
        fault, error = self.fault, rawserver.RpcError
        if fault == "broken-initialize" and method == "initialize":
            return self.respond(request_id, error=error(-32603, "Internal error: 'NoneType' has no attribute 'name'"))
        if fault == "silent-initialize" and method == "initialize":
            return None
        if fault == "unknown-prompts" and method == "prompts/get":
            return self.respond(request_id, error=error(-32602, f"Unknown prompt: {params.get('name')}"))
        if fault == "unknown-tools" and method == "tools/call":
            text = f"Unknown tool: {params.get('name')}"
            return self.respond(request_id, {"content": [{"type": "text", "text": text}], "isError": True})
        if (
            fault == "template-read-fails"
            and method == "resources/read"
            and str(params.get("uri")).startswith("raw://items/")
        ):
            return self.respond(request_id, error=error(-32002, "Resource not found"))
        modern_call = method == "tools/call" and rawserver.PV in params.get("_meta", {})
        if fault == "logs-unasked" and modern_call and params["_meta"].pop(rawserver.LOGLEVEL, None) is None:
            note = {"level": "info", "logger": "raw", "data": "nobody asked"}  # the level test, negated
            emit({"jsonrpc": "2.0", "method": "notifications/message", "params": note})
        return False

    def spoil(self, method: Any, response: Any, conn: Any) -> None:
        """Damage the raw server's correct ``response`` the planted way."""
        result = response.get("result") if isinstance(response, dict) else None
        if self.fault == "broken-discover" and method == "server/discover" and isinstance(result, dict):
            result.pop("supportedVersions", None)
        if self.fault == "null-in-list" and method == "prompts/list" and isinstance(result, dict):
            result["prompts"] = [{**prompt, "description": None} for prompt in result["prompts"]]
        if self.fault == "null-server-info" and method == "initialize" and isinstance(result, dict):
            result["serverInfo"] = {**result["serverInfo"], "title": None}
        if self.fault == "dies-after-error" and isinstance(response, dict) and "error" in response:
            conn.dead = True


def _renaming(emit: Any, method: str, replacement: str) -> Any:
    def send(message: Any) -> None:
        if isinstance(message, dict) and message.get("method") == method:
            message = {**message, "method": replacement}
        emit(message)

    return send


def _nulling(emit: Any, method: str, field: str) -> Any:
    def send(message: Any) -> None:
        if isinstance(message, dict) and message.get("method") == method:
            message = {**message, "params": {**message["params"], field: None}}
        emit(message)

    return send


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="faulty_server")
    parser.add_argument("--fault", default=os.environ.get("MCP_FAULT", ""), choices=["", *sorted(FAULTS)])
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    core = FaultyCore(args.fault)
    if args.http:
        rawserver.serve_http(core, args.port, None)
    else:
        rawserver.serve_stdio(core)


if __name__ == "__main__":
    main()
