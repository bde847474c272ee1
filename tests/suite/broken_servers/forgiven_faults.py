"""Faults a lenient suite forgives, planted in the raw server (``rawserver.py --defect NAME``).

Each fault makes the server look like a smaller, correct one (an era it "does not speak", a prompt
that "needs other arguments", a business error) while it is broken; ``tests/suite/test_verdicts.py``
runs the suite against each and expects the named check to fail. ``rawserver.main`` serves a
``FaultyCore`` when one of these is among its defects.
"""

from __future__ import annotations

from typing import Any

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
}


class FaultyCore(rawserver.Core):
    """The raw server's JSON-RPC handling with the faults among its defects planted."""

    def __init__(self, defects: set[str]) -> None:
        super().__init__(defects)
        self.faults = defects & set(FAULTS)

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
        if "empty-log-method" in self.faults:
            emit = _renaming(emit, "notifications/message", "")
        if "null-progress-total" in self.faults:
            emit = _nulling(emit, "notifications/progress", "total")
        response = super().handle(message, conn, emit, headers)
        self.spoil(method, response, conn)
        return response

    def early_answer(self, method: Any, request_id: Any, params: dict[str, Any], conn: Any, emit: Any) -> Any:
        """The planted reply that replaces the raw server's, or False to let it answer."""
        error = rawserver.RpcError
        if "broken-initialize" in self.faults and method == "initialize":
            return self.respond(request_id, error=error(-32603, "Internal error: 'NoneType' has no attribute 'name'"))
        if "silent-initialize" in self.faults and method == "initialize":
            return None
        if "unknown-prompts" in self.faults and method == "prompts/get":
            return self.respond(request_id, error=error(-32602, f"Unknown prompt: {params.get('name')}"))
        if "unknown-tools" in self.faults and method == "tools/call":
            text = f"Unknown tool: {params.get('name')}"
            return self.respond(request_id, {"content": [{"type": "text", "text": text}], "isError": True})
        if (
            "template-read-fails" in self.faults
            and method == "resources/read"
            and str(params.get("uri")).startswith("raw://items/")
        ):
            return self.respond(request_id, error=error(-32002, "Resource not found"))
        modern_call = method == "tools/call" and rawserver.PV in params.get("_meta", {})
        if "logs-unasked" in self.faults and modern_call and params["_meta"].pop(rawserver.LOGLEVEL, None) is None:
            note = {"level": "info", "logger": "raw", "data": "nobody asked"}  # the level test, negated
            emit({"jsonrpc": "2.0", "method": "notifications/message", "params": note})
        return False

    def spoil(self, method: Any, response: Any, conn: Any) -> None:
        """Damage the raw server's correct ``response`` the planted way."""
        result = response.get("result") if isinstance(response, dict) else None
        if "broken-discover" in self.faults and method == "server/discover" and isinstance(result, dict):
            result.pop("supportedVersions", None)
        if "null-in-list" in self.faults and method == "prompts/list" and isinstance(result, dict):
            result["prompts"] = [{**prompt, "description": None} for prompt in result["prompts"]]
        if "null-server-info" in self.faults and method == "initialize" and isinstance(result, dict):
            result["serverInfo"] = {**result["serverInfo"], "title": None}
        if "dies-after-error" in self.faults and isinstance(response, dict) and "error" in response:
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
