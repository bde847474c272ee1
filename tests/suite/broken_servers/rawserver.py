"""A hand-written MCP server (no SDK) that follows the spec strictly, with switchable defects.

It speaks both eras on the same transport: ``initialize`` opens a handshake-era (2025-11-25)
session; a request carrying the ``_meta`` protocol fields is served as 2026-07-28. With no
``--defect`` it must pass the whole conformance suite (that proves the checks accept a correct
server that is not built on the reference SDK); each ``--defect NAME`` plants one departure that a
named check must catch (``tests/suite/test_broken_servers.py``). Four defects make it stop serving
after bad input or refuse concurrent requests, for the liveness sentinel and the adaptive backoff
of side-by-side runs (``test_liveness.py``, ``test_concurrent.py``); the defects of
``forgiven_faults.py`` are the faults a lenient suite would forgive (``test_verdicts.py``).

    python tests/suite/broken_servers/rawserver.py [--defect NAME ...]                    # stdio
    python tests/suite/broken_servers/rawserver.py --http --port N [--auth-token T] ...   # Streamable HTTP
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

HANDSHAKE = "2025-11-25"
MODERN = "2026-07-28"
KNOWN = ("2024-11-05", "2025-03-26", "2025-06-18", HANDSHAKE)
PV, CAPS, INFO, LOGLEVEL = (
    "io.modelcontextprotocol/protocolVersion",
    "io.modelcontextprotocol/clientCapabilities",
    "io.modelcontextprotocol/serverInfo",
    "io.modelcontextprotocol/logLevel",
)
LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
SERVER_INFO = {"name": "raw-server", "version": "1.0.0"}
HANDSHAKE_ONLY = ("ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe", "initialize")

DELETE_RACES = 5
DEFECTS = {
    "id-as-string": "numeric request ids are echoed as strings",
    "string-id-as-number": "numeric-looking string ids are echoed as numbers",
    "result-and-error": "responses to ping carry both result and error",
    "error-code-string": "error codes are strings",
    "unknown-method-32600": "unknown methods get -32600 instead of -32601",
    "answer-notifications": "notifications are answered",
    "banner": "a banner line is printed to stdout at start",
    "crash-on-garbage": "a line that is not JSON kills the server",
    "serve-invalid-request": "a request without a method is served",
    "echo-version": "initialize echoes any requested protocol version",
    "undeclared-tools": "tools are served but the tools capability is not declared",
    "ping-nonempty": "ping returns a non-empty result",
    "bad-input-schema": "a tool's inputSchema has no type object",
    "invalid-schema": "a tool's inputSchema is not a valid JSON Schema",
    "bad-structured": "add returns structuredContent that violates its outputSchema",
    "bad-image": "echo returns an image block without mimeType and with data that is not base64",
    "unknown-tool-ok": "an unknown tool name returns a successful result",
    "no-validation": "tool arguments are not validated",
    "pagination-loop": "tools/list always returns the same nextCursor",
    "pagination-repeat": "tools/list pages repeat items",
    "empty-contents": "an unknown resource is read as empty contents",
    "blob-and-text": "a resource content has both text and blob",
    "wrong-role": "prompt messages use the role system",
    "too-many-completions": "completion returns 150 values",
    "progress-decreasing": "progress values decrease",
    "progress-after-response": "a progress notification follows the response",
    "progress-wrong-token": "progress notifications carry the token as a string",
    "progress-without-token": "progress is sent without a progress token",
    "reply-after-cancel": "a cancelled request is answered anyway",
    "blocking": "requests are handled one at a time (a slow call blocks the others)",
    "no-eof-exit": "the server keeps running after stdin is closed",
    "log-ignores-level": "log messages ignore the requested level",
    "log-bad-level": "log messages use the level 'verbose'",
    "no-result-type": "2026-07-28 results lack resultType",
    "no-cache-fields": "2026-07-28 list results lack ttlMs and cacheScope",
    "ignore-meta": "2026-07-28 requests without _meta are served",
    "accept-any-version": "2026-07-28 requests with an unsupported version are served",
    "modern-requests": "the server sends a roots/list request on 2026-07-28 connections",
    "no-406": "HTTP: the Accept header is not checked",
    "session-400": "HTTP: an unknown session id gets 400",
    "sequential-sessions": "HTTP: session ids are a counter",
    "no-origin-check": "HTTP: the Origin header is not checked",
    "notification-200": "HTTP: notifications get 200 with a JSON body",
    "ignore-version-header": "HTTP: an invalid MCP-Protocol-Version header is accepted",
    "no-header-check": "HTTP: 2026-07-28 routing headers are not checked",
    "handshake-roots": "a roots/list request follows notifications/initialized (the client declared no roots)",
    "bad-meta-key": "results carry the malformed _meta key 'bad key!'",
    "needs-discover": "2026-07-28 requests are refused until the connection has sent server/discover",
    "lists-vary": "2026-07-28 tools/list grows by one tool on every call",
    "lists-shuffle": "2026-07-28 tools/list reverses its order on every other call",
    "modern-list-changed": "2026-07-28 tools/list is followed by notifications/tools/list_changed",
    "bad-x-mcp-header": "a number parameter is annotated with x-mcp-header",
    "template-read-malformed": "reading a templated resource returns contents without a uri",
    "require-version-header": "HTTP: a session request without MCP-Protocol-Version gets 400",
    "response-200": "HTTP: a POSTed JSON-RPC response gets 200 with a JSON body",
    "rotate-session-id": "HTTP: every response carries a new Mcp-Session-Id",
    "sse-repeat-ids": "HTTP: responses are SSE streams whose events all have the id 1",
    "last-event-id-400": "HTTP: a 2026-07-28 request with Last-Event-ID gets 400",
    "auth-no-metadata": "HTTP auth: the 401 has no WWW-Authenticate and no metadata is served",
    "auth-accept-any": "HTTP auth: any bearer token is accepted",
    "auth-query": "HTTP auth: a token in the query string is accepted",
    "auth-session-only": "HTTP auth: a known session id is enough, without the token",
    "auth-403": "HTTP auth: a request without a token gets 403 instead of 401",
    "auth-refuse-token": "HTTP auth: even the valid token is refused",
    "ping-object-id": "ping is answered with an object as its id",
    "exit-at-start": "the server writes an error to stderr and exits with code 3 before reading anything",
    "close-stdout": "stdio: the server closes its stdout at start and keeps running",
    "tools-call-413": "HTTP: tools/call gets 413 Payload Too Large with an HTML body",
    "get-405-jsonrpc": "HTTP: GET gets 405 with a JSON-RPC error body",
    "stops-after-unknown-method": "after answering an unknown method the server stops serving (stdio: it answers "
    "nothing more; HTTP: every request gets 500)",
    "exits-after-unknown-method": "stdio: after answering an unknown method the server closes its stdin and exits "
    "with code 3",
    "delete-race": f"HTTP: once {DELETE_RACES} sessions were deleted with no request since their initialize, every "
    "request gets 500 (a race that shows only when repeated)",
    "one-at-a-time": "HTTP: a request that arrives while another is being answered gets 429 (each answer takes 20 ms)",
}
BREAKS_AFTER_UNKNOWN = frozenset({"stops-after-unknown-method", "exits-after-unknown-method"})


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.data, self.status = code, message, data, status


def tool_list(defects: set[str]) -> list[dict[str, Any]]:
    read_only = {"readOnlyHint": True}
    number = {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    }
    if "invalid-schema" in defects:
        number = {"type": "object", "properties": {"a": {"type": "integr"}}, "required": 5}
    tools = [
        {
            "name": "add",
            "description": "Add two integers.",
            "inputSchema": number,
            "outputSchema": {"type": "object", "properties": {"sum": {"type": "integer"}}, "required": ["sum"]},
            "annotations": read_only,
        },
        {
            "name": "echo",
            "description": "Return the text.",
            "inputSchema": {
                "type": "object",
                "properties": {"text": {"type": "string"}},
                "required": ["text"],
                "additionalProperties": False,
            },
            "annotations": read_only,
        },
        {
            "name": "sleep",
            "description": "Sleep, then answer.",
            "inputSchema": {
                "type": "object",
                "properties": {"seconds": {"type": "number", "minimum": 0, "maximum": 30}},
                "required": ["seconds"],
            },
            "annotations": read_only,
        },
        {
            "name": "progress",
            "description": "Report progress steps.",
            "inputSchema": {
                "type": "object",
                "properties": {"steps": {"type": "integer", "minimum": 1, "maximum": 10}},
                "required": ["steps"],
            },
            "annotations": read_only,
        },
        {
            "name": "log",
            "description": "Send a log message.",
            "inputSchema": {"type": "object", "properties": {}},
            "annotations": read_only,
        },
    ]
    if "bad-input-schema" in defects:
        tools[1]["inputSchema"] = {"properties": {"text": {"type": "string"}}}
    if "bad-x-mcp-header" in defects:
        tools[2]["inputSchema"]["properties"]["seconds"]["x-mcp-header"] = "Seconds"
    return tools


def capabilities(defects: set[str]) -> dict[str, Any]:
    caps: dict[str, Any] = {
        "tools": {"listChanged": False},
        "resources": {"subscribe": True, "listChanged": False},
        "prompts": {"listChanged": False},
        "completions": {},
        "logging": {},
    }
    if "undeclared-tools" in defects:
        del caps["tools"]
    return caps


def validate(schema: dict[str, Any], arguments: Any) -> str | None:
    """A small validator for the tools' own schemas (objects of strings, integers and numbers)."""
    if not isinstance(arguments, dict):
        return "arguments must be an object"
    properties = schema.get("properties", {})
    for name in schema.get("required", []) if isinstance(schema.get("required"), list) else []:
        if name not in arguments:
            return f"missing required argument {name!r}"
    for name, value in arguments.items():
        if name not in properties:
            if schema.get("additionalProperties") is False:
                return f"unexpected argument {name!r}"
            continue
        kind = properties[name].get("type")
        ok = {
            "string": isinstance(value, str),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
        }.get(kind, True)
        if not ok:
            return f"argument {name!r} must be a {kind}"
        if "maximum" in properties[name] and value > properties[name]["maximum"]:
            return f"argument {name!r} is too large"
        if "minimum" in properties[name] and value < properties[name]["minimum"]:
            return f"argument {name!r} is too small"
    return None


class Connection:
    """Per-connection state (a stdio process, or an HTTP session)."""

    def __init__(self) -> None:
        self.initialized_version: str | None = None
        self.discovered = False
        self.log_level = "info"
        self.cancelled: dict[Any, threading.Event] = {}
        self.used = False
        """A request other than ``initialize`` came on it (``delete-race`` counts deleted sessions that had none)."""


@dataclass
class Call:
    """One request as its handler sees it: params, era, connection, notification sender and request id."""

    params: dict[str, Any]
    era: str
    conn: Connection
    emit: Any
    request_id: Any


class Core:
    """JSON-RPC handling shared by both transports. ``emit`` sends a notification/request to the client."""

    def __init__(self, defects: set[str]) -> None:
        self.defects = defects
        self.lock = threading.Lock()
        self.listings = 0
        self.broken = False
        """The server stopped serving (``stops-after-unknown-method``, ``delete-race``)."""
        self.races = 0
        self.method_handlers: dict[str, Callable[[Call], Any]] = {
            "initialize": self.initialize,
            "server/discover": self.discover,
            "ping": self.ping,
            "logging/setLevel": self.set_log_level,
            "tools/list": self.list_tools,
            "tools/call": self.call_tool,
            "resources/list": self.list_resources,
            "resources/templates/list": self.list_resource_templates,
            "resources/read": self.read,
            "resources/subscribe": self.subscribe,
            "resources/unsubscribe": self.subscribe,
            "prompts/list": self.list_prompts,
            "prompts/get": self.prompt,
            "completion/complete": self.complete,
        }
        self.tool_runners: dict[str, Callable[[dict[str, Any], Call], Any]] = {
            "add": self.run_add,
            "echo": self.run_echo,
            "sleep": self.run_sleep,
            "progress": self.run_progress,
            "log": self.run_log,
        }

    # -- envelope ---------------------------------------------------------------------------
    def respond(self, request_id: Any, result: Any = None, error: RpcError | None = None) -> dict[str, Any]:
        if "id-as-string" in self.defects and isinstance(request_id, int):
            request_id = str(request_id)
        if "string-id-as-number" in self.defects and isinstance(request_id, str) and request_id.isdigit():
            request_id = int(request_id)
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
        if error is not None:
            body: dict[str, Any] = {"code": error.code, "message": error.message}
            if "error-code-string" in self.defects:
                body["code"] = str(error.code)
            if error.data is not None:
                body["data"] = error.data
            message["error"] = body
        else:
            message["result"] = result
        return message

    def era_of(self, params: Any, conn: Connection, method: str) -> str:
        meta = params.get("_meta") if isinstance(params, dict) else None
        if isinstance(meta, dict) and PV in meta:
            return MODERN
        if method in ("initialize", "ping", "server/discover") or conn.initialized_version:
            return HANDSHAKE if method != "server/discover" else MODERN
        return MODERN

    # -- dispatch ---------------------------------------------------------------------------
    def handle(self, message: Any, conn: Connection, emit: Any, headers: dict[str, str] | None = None) -> Any:
        """The response to ``message`` (None for notifications or when nothing must be sent)."""
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            return self.respond(None, error=RpcError(-32600, "Invalid Request"))
        method, request_id, params = message.get("method"), message.get("id"), message.get("params")
        is_notification = "id" not in message
        if not isinstance(method, str):
            if "serve-invalid-request" in self.defects:
                return self.respond(request_id, {})
            return self.respond(None, error=RpcError(-32600, "Invalid Request: no method"))
        if isinstance(request_id, dict | list | bool) or (request_id is None and not is_notification):
            return self.respond(None, error=RpcError(-32600, "Invalid Request: bad id"))
        if is_notification:
            return self.notified(method, params, conn, emit)
        era = self.era_of(params, conn, method)
        try:
            result = self.dispatch(
                method, params if isinstance(params, dict) else {}, era, conn, emit, request_id, headers
            )
        except RpcError as error:
            return self.respond(request_id, error=error)
        if result is None:
            return None  # cancelled
        return self.result_response(method, request_id, result, era, emit)

    def breaks_after(self, message: Any, response: Any) -> bool:
        """Whether answering ``message`` with ``response`` broke the server (an unknown method, when planted)."""
        error = response.get("error") if isinstance(response, dict) else None
        if (
            self.defects & BREAKS_AFTER_UNKNOWN
            and isinstance(error, dict)
            and error.get("code") == -32601
            and isinstance(message, dict)
            and message.get("method") != "server/discover"
        ):
            self.broken = True
        return self.broken

    def deleted(self, conn: Connection) -> None:
        """A session ended; with ``delete-race``, count it when no request used it since its ``initialize``."""
        with self.lock:
            if "delete-race" in self.defects and not conn.used:
                self.races += 1
                self.broken = self.races >= DELETE_RACES

    def notified(self, method: str, params: Any, conn: Connection, emit: Any) -> Any:
        """Act on a notification: a cancellation wakes the request it names. Notifications get no response."""
        if method == "notifications/cancelled" and isinstance(params, dict):
            event = conn.cancelled.get(json.dumps(params.get("requestId")))
            if event is not None:
                event.set()
        if method == "notifications/initialized" and "handshake-roots" in self.defects:
            emit({"jsonrpc": "2.0", "id": "srv-roots-1", "method": "roots/list"})
        if "answer-notifications" in self.defects:
            return {"jsonrpc": "2.0", "id": None, "result": {}}
        return None

    def result_response(self, method: str, request_id: Any, result: Any, era: str, emit: Any) -> dict[str, Any]:
        """The response carrying ``result``, with the era's ``_meta`` fields."""
        if era == MODERN and isinstance(result, dict) and "no-result-type" not in self.defects:
            result.setdefault("resultType", "complete")
            result.setdefault("_meta", {})[INFO] = dict(SERVER_INFO)
        if "bad-meta-key" in self.defects and isinstance(result, dict):
            result.setdefault("_meta", {})["bad key!"] = True
        if era == MODERN and method == "tools/list" and "modern-list-changed" in self.defects:
            emit({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        response = self.respond(request_id, result)
        if method == "ping" and "ping-object-id" in self.defects:
            response["id"] = {"echo": request_id}
        if method == "ping" and "result-and-error" in self.defects:
            response["error"] = {"code": -32603, "message": "also an error"}
        return response

    def dispatch(
        self,
        method: str,
        params: dict[str, Any],
        era: str,
        conn: Connection,
        emit: Any,
        request_id: Any,
        headers: dict[str, str] | None,
    ) -> Any:
        """The result of one request (None when it was cancelled); raises RpcError to answer with an error."""
        if era == MODERN:
            self.admit_modern(method, params, conn, emit)
        handler = self.method_handlers.get(method)
        if handler is None:
            raise RpcError(
                -32600 if "unknown-method-32600" in self.defects else -32601,
                f"Method not found: {method}",
                data=method,
                status=404,
            )
        return handler(Call(params, era, conn, emit, request_id))

    def admit_modern(self, method: str, params: dict[str, Any], conn: Connection, emit: Any) -> None:
        """Check a 2026-07-28 request's envelope and method, and note a server/discover on the connection."""
        self.check_envelope(method, params)
        if method in HANDSHAKE_ONLY:
            raise RpcError(-32601, f"Method not found: {method}", status=404)
        if "modern-requests" in self.defects:
            emit({"jsonrpc": "2.0", "id": "srv-1", "method": "roots/list"})
        if method == "server/discover":
            conn.discovered = True
        elif "needs-discover" in self.defects and not conn.discovered:
            raise RpcError(-32600, "send server/discover first")

    def check_envelope(self, method: str, params: dict[str, Any]) -> None:
        meta = params.get("_meta")
        if "ignore-meta" in self.defects:
            return
        if not isinstance(meta, dict) or PV not in meta or CAPS not in meta:
            raise RpcError(-32602, "params._meta must carry protocolVersion and clientCapabilities")
        if meta[PV] != MODERN and "accept-any-version" not in self.defects:
            raise RpcError(-32022, "Unsupported protocol version", data={"supported": [MODERN], "requested": meta[PV]})

    def cacheable(self, result: dict[str, Any]) -> dict[str, Any]:
        if "no-cache-fields" not in self.defects:
            result.update({"ttlMs": 0, "cacheScope": "public"})
        return result

    # -- lifecycle and logging --------------------------------------------------------------
    def initialize(self, call: Call) -> dict[str, Any]:
        requested = call.params.get("protocolVersion")
        version = requested if requested in KNOWN or "echo-version" in self.defects else HANDSHAKE
        call.conn.initialized_version = version
        return {"protocolVersion": version, "capabilities": capabilities(self.defects), "serverInfo": SERVER_INFO}

    def discover(self, call: Call) -> dict[str, Any]:
        result: dict[str, Any] = {"supportedVersions": [MODERN], "capabilities": capabilities(self.defects)}
        return self.cacheable(result)

    def ping(self, call: Call) -> dict[str, Any]:
        return {"ok": True} if "ping-nonempty" in self.defects else {}

    def set_log_level(self, call: Call) -> dict[str, Any]:
        level = call.params.get("level")
        if level not in LEVELS:
            raise RpcError(-32602, f"invalid level {level!r}")
        call.conn.log_level = level
        return {}

    # -- tools ------------------------------------------------------------------------------
    def list_tools(self, call: Call) -> dict[str, Any]:
        page = self.tools_page(call.params.get("cursor"))
        if call.era == MODERN and call.params.get("cursor") is None:
            self.listings += 1
            if "lists-vary" in self.defects:
                page["tools"].append({"name": f"extra-{self.listings}", "inputSchema": {"type": "object"}})
            if "lists-shuffle" in self.defects and self.listings % 2:
                page["tools"].reverse()
        return self.cacheable(page)

    def tools_page(self, cursor: Any) -> dict[str, Any]:
        tools = tool_list(self.defects)
        pages = {None: 0, "page-2": 2, "page-4": 4}
        if cursor not in pages:
            raise RpcError(-32602, f"invalid cursor {cursor!r}")
        start = pages[cursor]
        if "pagination-repeat" in self.defects and start:
            start -= 1
        page: dict[str, Any] = {"tools": tools[start : start + 2]}
        following = start + 2 if "pagination-repeat" not in self.defects else pages[cursor] + 2
        if following < len(tools):
            page["nextCursor"] = f"page-{following}"
        if "pagination-loop" in self.defects:
            page["nextCursor"] = "page-2"
        return page

    def call_tool(self, call: Call) -> Any:
        """The result of a tools/call: checks the name and arguments, then runs the tool."""
        name, arguments = call.params.get("name"), call.params.get("arguments", {})
        if not isinstance(name, str) or not isinstance(arguments, dict):
            raise RpcError(-32602, "tools/call needs a string name and object arguments")
        tool = next((t for t in tool_list(self.defects) if t["name"] == name), None)
        if tool is None:
            if "unknown-tool-ok" in self.defects:
                return text_result("ok")
            raise RpcError(-32602, f"Unknown tool: {name}")
        problem = validate(tool["inputSchema"], arguments)
        if problem and "no-validation" not in self.defects:
            return {"content": [{"type": "text", "text": problem}], "isError": True}
        runner = self.tool_runners.get(name)
        if runner is None:
            raise RpcError(-32603, "unreachable")
        return runner(arguments, call)

    def run_add(self, arguments: dict[str, Any], call: Call) -> dict[str, Any]:
        total = int(arguments.get("a", 0)) + int(arguments.get("b", 0))
        structured = {"total": total} if "bad-structured" in self.defects else {"sum": total}
        return {"content": [{"type": "text", "text": json.dumps(structured)}], "structuredContent": structured}

    def run_echo(self, arguments: dict[str, Any], call: Call) -> dict[str, Any]:
        if "bad-image" in self.defects:
            return {"content": [{"type": "image", "data": "not base64 at all!"}]}
        return text_result(str(arguments.get("text")))

    def run_sleep(self, arguments: dict[str, Any], call: Call) -> dict[str, Any] | None:
        """Sleep for ``seconds`` or until the request is cancelled (then there is no result)."""
        key = json.dumps(call.request_id)
        event = call.conn.cancelled.setdefault(key, threading.Event())
        cancelled = event.wait(float(arguments.get("seconds", 0)))
        call.conn.cancelled.pop(key, None)
        if cancelled and "reply-after-cancel" not in self.defects:
            return None
        return text_result("awake")

    def run_progress(self, arguments: dict[str, Any], call: Call) -> dict[str, Any]:
        """Send one progress notification per step (when the request has a progress token)."""
        steps = int(arguments.get("steps", 1))
        token = request_meta(call.params).get("progressToken")
        if token is not None or "progress-without-token" in self.defects:
            values = list(range(steps, 0, -1)) if "progress-decreasing" in self.defects else list(range(1, steps + 1))
            sent_token = str(token) if "progress-wrong-token" in self.defects else token
            for value in values:
                call.emit(progress_notification({"progressToken": sent_token, "progress": value, "total": steps}))
                time.sleep(0.01)
        if "progress-after-response" in self.defects and token is not None:
            late = progress_notification({"progressToken": token, "progress": steps + 1})
            threading.Timer(0.05, call.emit, [late]).start()
        return text_result("done")

    def run_log(self, arguments: dict[str, Any], call: Call) -> dict[str, Any]:
        """Send a debug, an info and an emergency message, each when the requested level lets it through."""
        wanted = request_meta(call.params).get(LOGLEVEL) if call.era == MODERN else call.conn.log_level
        for level in ("debug", "info", "emergency"):
            if level_allowed(level, wanted) or ("log-ignores-level" in self.defects):
                shown = "verbose" if "log-bad-level" in self.defects else level
                call.emit(
                    {
                        "jsonrpc": "2.0",
                        "method": "notifications/message",
                        "params": {"level": shown, "logger": "raw", "data": f"a {level} message"},
                    }
                )
        return text_result("logged")

    # -- resources, prompts, completion -----------------------------------------------------
    def list_resources(self, call: Call) -> dict[str, Any]:
        return self.cacheable(
            {
                "resources": [
                    {"uri": "raw://greeting", "name": "greeting", "mimeType": "text/plain"},
                    {"uri": "raw://blob", "name": "blob", "mimeType": "application/octet-stream"},
                ]
            }
        )

    def list_resource_templates(self, call: Call) -> dict[str, Any]:
        return self.cacheable({"resourceTemplates": [{"uriTemplate": "raw://items/{id}", "name": "item"}]})

    def read(self, call: Call) -> dict[str, Any]:
        uri = call.params.get("uri")
        if not isinstance(uri, str):
            raise RpcError(-32602, "uri is required")
        if uri == "raw://greeting":
            content: dict[str, Any] = {"uri": uri, "mimeType": "text/plain", "text": "hello"}
            if "blob-and-text" in self.defects:
                content["blob"] = base64.b64encode(b"hello").decode()
            return self.cacheable({"contents": [content]})
        if uri == "raw://blob":
            return self.cacheable({"contents": [{"uri": uri, "blob": base64.b64encode(b"\x00\x01").decode()}]})
        if uri.startswith("raw://items/"):
            if "template-read-malformed" in self.defects:
                return self.cacheable({"contents": [{"text": f"item {uri[12:]}"}]})
            return self.cacheable({"contents": [{"uri": uri, "text": f"item {uri[12:]}"}]})
        if "empty-contents" in self.defects:
            return self.cacheable({"contents": []})
        raise RpcError(-32002 if call.era == HANDSHAKE else -32602, "Resource not found", data={"uri": uri})

    def subscribe(self, call: Call) -> dict[str, Any]:
        """Answer resources/subscribe and resources/unsubscribe (no update is ever sent)."""
        if not isinstance(call.params.get("uri"), str):
            raise RpcError(-32602, "uri is required")
        return {}

    def list_prompts(self, call: Call) -> dict[str, Any]:
        return self.cacheable(
            {
                "prompts": [
                    {
                        "name": "greet",
                        "description": "Greet someone.",
                        "arguments": [{"name": "name", "required": True}],
                    }
                ]
            }
        )

    def prompt(self, call: Call) -> dict[str, Any]:
        params = call.params
        if params.get("name") != "greet":
            raise RpcError(-32602, f"Unknown prompt: {params.get('name')}")
        arguments = params.get("arguments") or {}
        if "name" not in arguments:
            raise RpcError(-32602, "Missing required argument: name")
        role = "system" if "wrong-role" in self.defects else "user"
        return {"messages": [{"role": role, "content": {"type": "text", "text": f"Say hello to {arguments['name']}"}}]}

    def complete(self, call: Call) -> dict[str, Any]:
        ref = call.params.get("ref") or {}
        if ref.get("type") == "ref/prompt" and ref.get("name") != "greet":
            raise RpcError(-32602, f"Unknown prompt: {ref.get('name')}")
        if ref.get("type") == "ref/resource" and ref.get("uri") != "raw://items/{id}":
            raise RpcError(-32602, f"Unknown template: {ref.get('uri')}")
        values = [f"value-{i}" for i in range(150)] if "too-many-completions" in self.defects else ["alice", "bob"]
        return {"completion": {"values": values, "total": len(values), "hasMore": False}}


def text_result(text: str) -> dict[str, Any]:
    """A tool result with one text block."""
    return {"content": [{"type": "text", "text": text}]}


def progress_notification(params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "notifications/progress", "params": params}


def request_meta(params: dict[str, Any]) -> dict[str, Any]:
    """The request's ``_meta`` (empty when it has none)."""
    meta = params.get("_meta")
    return meta if isinstance(meta, dict) else {}


def level_allowed(level: str, wanted: Any) -> bool:
    """Whether a message at ``level`` passes the requested minimum level ``wanted`` (an unknown level lets none)."""
    return wanted is not None and LEVELS.index(level) >= LEVELS.index(wanted) if wanted in LEVELS else False


# -- stdio ------------------------------------------------------------------------------------------


def serve_stdio(core: Core) -> None:
    out = sys.stdout.buffer
    lock = threading.Lock()
    conn = Connection()

    def write(message: Any) -> None:
        with lock:
            out.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")
            out.flush()

    def work(message: Any) -> None:
        response = core.handle(message, conn, write)
        broke = core.breaks_after(message, response)  # before the reply: nothing sent after it is answered
        exits = broke and "exits-after-unknown-method" in core.defects
        if exits:
            os.close(0)  # whatever the client sends next meets a closed pipe, then the process exits
        if response is not None:
            write(response)
        if exits:
            sys.stderr.write("rawserver: giving up after an unknown method\n")
            sys.stderr.flush()
            time.sleep(0.2)
            os._exit(3)

    if "banner" in core.defects:
        out.write(b"raw server ready\n")
        out.flush()
    if "close-stdout" in core.defects:
        sys.stdout.close()
        os.close(1)
        while True:
            time.sleep(1)
    for raw in _stdin_lines():
        if not raw.strip() or core.broken:  # a broken server reads on and answers nothing
            continue
        try:
            message = json.loads(raw)
        except ValueError:
            if "crash-on-garbage" in core.defects:
                os._exit(3)
            write({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}})
            continue
        if isinstance(message, list):
            write({"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Batches are not supported"}})
            continue
        if "blocking" in core.defects:
            work(message)
        else:
            threading.Thread(target=work, args=(message,), daemon=True).start()
    if "no-eof-exit" in core.defects or (core.broken and "exits-after-unknown-method" in core.defects):
        while True:  # running on (or until the thread that closed stdin ends the process with its exit code)
            time.sleep(1)
    sys.stdout.flush()
    os._exit(0)


def _stdin_lines() -> Any:
    """The lines of stdin until it ends, or until it is closed under the reader (``exits-after-unknown-method``)."""
    try:
        yield from sys.stdin.buffer
    except (OSError, ValueError):
        return


# -- HTTP -------------------------------------------------------------------------------------------


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    from starlette.responses import JSONResponse

    return JSONResponse(body, status_code=status, headers=headers)


def plain_response(
    status: int, content: str | None = None, headers: dict[str, str] | None = None, media_type: str | None = None
) -> Response:
    from starlette import responses

    return responses.Response(content, status_code=status, headers=headers, media_type=media_type)


def error_response(status: int, code: int, message: str, request_id: Any = None) -> Response:
    """A JSON-RPC error sent with HTTP ``status``."""
    body = {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}
    return json_response(body, status)


class HttpTransport:
    """The Streamable HTTP endpoint: its sessions, its bearer-token check, and the requests it refuses."""

    def __init__(self, core: Core, port: int, token: str | None) -> None:
        self.core, self.token = core, token
        self.sessions: dict[str, Connection] = {}
        self.ended: set[str] = set()
        self.counter = 0
        self.busy = False
        """A request is being answered (``one-at-a-time``)."""
        self.base = f"http://127.0.0.1:{port}"
        self.metadata_url = f"{self.base}/.well-known/oauth-protected-resource/mcp"

    # -- auth -------------------------------------------------------------------------------
    def unauthorized(self, request: Request) -> Response:
        headers = {}
        if "auth-no-metadata" not in self.core.defects:
            headers["www-authenticate"] = f'Bearer error="invalid_token", resource_metadata="{self.metadata_url}"'
        status = 403 if "auth-403" in self.core.defects and not request.headers.get("authorization") else 401
        return json_response({"error": "invalid_token"}, status, headers)

    def authorized(self, request: Request, session: str | None) -> bool:
        if self.token is None:
            return True
        defects = self.core.defects
        given = request.headers.get("authorization", "")
        if "auth-query" in defects and request.query_params.get("access_token") == self.token:
            return True
        if "auth-session-only" in defects and session in self.sessions:
            return True
        if "auth-accept-any" in defects and given.startswith("Bearer "):
            return True
        return given == f"Bearer {self.token}" and "auth-refuse-token" not in defects

    async def metadata(self, request: Request) -> Response:
        """The protected-resource metadata (404 when the server needs no token)."""
        if self.token is None or "auth-no-metadata" in self.core.defects:
            return plain_response(404)
        return json_response({"resource": f"{self.base}/mcp", "authorization_servers": ["https://auth.example"]})

    # -- requests ---------------------------------------------------------------------------
    async def endpoint(self, request: Request) -> Response:
        """Answer a GET, POST or DELETE on /mcp."""
        import anyio

        refusal = self.refuse_caller(request)
        if refusal is not None:
            return refusal
        if self.core.broken:
            return plain_response(500)
        if request.method in ("GET", "DELETE"):
            return self.get_or_delete(request)
        if "one-at-a-time" not in self.core.defects:
            return await self.post(request)
        if self.busy:
            return json_response({"error": "one request at a time"}, 429)
        self.busy = True
        try:
            await anyio.sleep(0.02)
            return await self.post(request)
        finally:
            self.busy = False

    def refuse_caller(self, request: Request) -> Response | None:
        """The refusal of a request from a foreign host or origin, or without a valid token (None to serve it)."""
        host = request.headers.get("host", "")
        if host.split(":")[0] not in ("127.0.0.1", "localhost"):
            return plain_response(421, "Misdirected Request")
        origin = request.headers.get("origin")
        if (
            origin
            and "no-origin-check" not in self.core.defects
            and not origin.startswith(("http://127.0.0.1:", "http://localhost:"))
        ):
            return error_response(403, -32600, "Invalid Origin header")
        if not self.authorized(request, request.headers.get("mcp-session-id")):
            return self.unauthorized(request)
        return None

    def get_or_delete(self, request: Request) -> Response:
        """A DELETE ends its session; a GET opens no stream."""
        session = request.headers.get("mcp-session-id")
        if request.headers.get("mcp-protocol-version") == MODERN or session is None:
            return plain_response(405)
        if session not in self.sessions:
            return error_response(404, -32600, "Session not found")
        if request.method == "DELETE":
            self.ended.add(session)
            self.core.deleted(self.sessions.pop(session))
            return plain_response(200)
        if "get-405-jsonrpc" in self.core.defects:
            return error_response(405, -32600, "Method Not Allowed: this server opens no GET stream")
        return plain_response(405)

    async def post(self, request: Request) -> Response:
        """Answer a POSTed JSON-RPC message on its connection."""
        import anyio

        message = await self.read_message(request)
        if not isinstance(message, dict):
            return message
        method = message.get("method")
        if method == "tools/call" and "tools-call-413" in self.core.defects:
            page = "<html><head><title>413 Request Entity Too Large</title></head><body>nginx</body></html>"
            return plain_response(413, page, media_type="text/html")
        given_params = message.get("params")
        params: dict[str, Any] = given_params if isinstance(given_params, dict) else {}
        meta = params.get("_meta") if isinstance(params.get("_meta"), dict) else None
        version_header = request.headers.get("mcp-protocol-version")
        modern = (meta is not None and PV in meta) or method == "server/discover" or version_header == MODERN
        conn = self.connection_for(request, message, params, meta, modern)
        if not isinstance(conn, Connection):
            return conn
        if "method" not in message and "id" in message and ("result" in message or "error" in message):
            if "response-200" in self.core.defects:
                return json_response({"jsonrpc": "2.0", "id": None, "result": {}})
            return plain_response(202)  # a client's response (to a request this server never sends)
        if "id" in message and method != "initialize":
            conn.used = True
        notes: list[Any] = []
        response = await anyio.to_thread.run_sync(self.core.handle, message, conn, notes.append)
        self.core.breaks_after(message, response)
        return self.http_reply(request, message, response, conn, modern)

    async def read_message(self, request: Request) -> dict[str, Any] | Response:
        """The POSTed JSON-RPC message, or the refusal of a bad Accept header, bad JSON or a batch."""
        accept = request.headers.get("accept", "")
        if "no-406" not in self.core.defects and not ("application/json" in accept and "text/event-stream" in accept):
            return error_response(406, -32600, "Not Acceptable: accept application/json and text/event-stream")
        raw = await request.body()
        try:
            message = json.loads(raw)
        except ValueError:
            return error_response(400, -32700, "Parse error")
        if not isinstance(message, dict):
            return error_response(400, -32600, "Batches are not supported")
        return message

    def connection_for(
        self, request: Request, message: dict[str, Any], params: dict[str, Any], meta: Any, modern: bool
    ) -> Connection | Response:
        """The connection that serves ``message``: a new one (2026-07-28, initialize) or its session's."""
        if modern:
            refusal = self.refuse_modern(request, message, params, meta)
            return refusal if refusal is not None else Connection()
        if message.get("method") == "initialize":
            return Connection()
        return self.session_connection(request)

    def refuse_modern(
        self, request: Request, message: dict[str, Any], params: dict[str, Any], meta: Any
    ) -> Response | None:
        """The refusal of a 2026-07-28 request whose routing headers disagree with its body (None to serve it)."""
        method = message.get("method")
        defects = self.core.defects
        if "no-header-check" not in defects and "ignore-meta" not in defects and meta is not None:
            name_key = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}.get(str(method))
            mismatch = (
                request.headers.get("mcp-protocol-version") != meta.get(PV)
                or request.headers.get("mcp-method") != method
                or (
                    name_key is not None
                    and params.get(name_key) is not None
                    and request.headers.get("mcp-name") != params.get(name_key)
                )
            )
            if mismatch:
                return error_response(400, -32020, "Header mismatch", message.get("id"))
        if request.headers.get("last-event-id") and "last-event-id-400" in defects:
            return error_response(400, -32600, "Resumption is not supported", message.get("id"))
        return None

    def session_connection(self, request: Request) -> Connection | Response:
        """The connection of the request's session, or the refusal of a bad version header or session id."""
        version_header = request.headers.get("mcp-protocol-version")
        session = request.headers.get("mcp-session-id")
        if version_header is None and "require-version-header" in self.core.defects:
            return error_response(400, -32600, "Missing MCP-Protocol-Version")
        if (
            version_header is not None
            and version_header not in KNOWN
            and "ignore-version-header" not in self.core.defects
        ):
            return error_response(400, -32600, f"Unsupported MCP-Protocol-Version {version_header}")
        if session is None:
            return error_response(400, -32600, "Missing Mcp-Session-Id")
        if session not in self.sessions:
            return error_response(400 if "session-400" in self.core.defects else 404, -32600, "Session not found")
        return self.sessions[session]

    def http_reply(
        self, request: Request, message: dict[str, Any], response: Any, conn: Connection, modern: bool
    ) -> Response:
        """The HTTP form of the core's ``response``; a successful initialize opens a session."""
        defects = self.core.defects
        headers = {}
        if message.get("method") == "initialize" and response is not None and "result" in response:
            self.counter += 1
            new_id = str(self.counter) if "sequential-sessions" in defects else secrets.token_hex(16)
            self.sessions[new_id] = conn
            headers["mcp-session-id"] = new_id
        if response is None:
            if "id" in message:
                return plain_response(204)
            if "notification-200" in defects:
                return json_response({})
            return plain_response(202)
        status = 200
        if "error" in response and modern:
            code = response["error"].get("code")
            status = 404 if code == -32601 else 400 if code in (-32602, -32022, -32020) else 200
        if "rotate-session-id" in defects and request.headers.get("mcp-session-id") is not None:
            headers["mcp-session-id"] = secrets.token_hex(16)
        if "sse-repeat-ids" in defects:
            event = f"id: 1\ndata: {json.dumps(response)}\n\n"
            return plain_response(status, event, headers, "text/event-stream")
        return json_response(response, status, headers)


def serve_http(core: Core, port: int, token: str | None) -> None:
    """Serve ``core`` over Streamable HTTP on 127.0.0.1:``port``."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Route

    transport = HttpTransport(core, port, token)
    app = Starlette(
        routes=[
            Route("/mcp", transport.endpoint, methods=["GET", "POST", "DELETE"]),
            Route("/.well-known/oauth-protected-resource/mcp", transport.metadata, methods=["GET"]),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def main(argv: list[str] | None = None) -> None:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from forgiven_faults import FAULTS, FaultyCore

    parser = argparse.ArgumentParser(prog="rawserver")
    parser.add_argument("--defect", action="append", default=[], choices=sorted({*DEFECTS, *FAULTS}))
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--auth-token")
    args = parser.parse_args(argv)
    defects = set(args.defect)
    core = FaultyCore(defects) if defects & set(FAULTS) else Core(defects)
    if "exit-at-start" in core.defects:
        sys.stderr.write("rawserver: cannot open the database: /nonexistent/db.sqlite\n")
        sys.exit(3)
    if args.http:
        serve_http(core, args.port, args.auth_token)
    else:
        serve_stdio(core)


if __name__ == "__main__":
    main()
