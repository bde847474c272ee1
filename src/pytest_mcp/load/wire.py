"""MCP requests as JSON-RPC over Streamable HTTP, built and read by hand, in both eras.

The load runner's HTTP engine (``http_engine.py``) and the Locust users (``locust.py``) both use
``McpWire``, so they send the same bytes. It carries one client's protocol state: the era, the
request ids, the handshake era's ``Mcp-Session-Id``, and the ``Mcp-Param-*`` headers of tools
whose ``inputSchema`` marks properties with ``x-mcp-header`` (learned from ``tools/list``).

What a 2026-07-28 request carries (as the MCP SDK's client sends it): ``_meta`` with
``io.modelcontextprotocol/protocolVersion``, ``.../clientInfo`` and ``.../clientCapabilities``,
and the headers ``MCP-Protocol-Version``, ``Mcp-Method`` and ``Mcp-Name`` (``tools/call``,
``prompts/get``, ``resources/read``). A 2025-11-25 client first sends ``initialize`` and
``notifications/initialized``, then ``Mcp-Session-Id`` and ``MCP-Protocol-Version`` on every request.

Pure Python and cheap to import; the SDK is imported only for tools with ``x-mcp-header``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "HANDSHAKE_ERA",
    "MODERN_ERA",
    "McpWire",
    "Reply",
    "excerpt",
    "label",
    "parse_body",
]

HANDSHAKE_ERA: Final = "2025-11-25"
MODERN_ERA: Final = "2026-07-28"
ERAS: Final = (MODERN_ERA, HANDSHAKE_ERA)
JSON_AND_SSE: Final = "application/json, text/event-stream"
PROTOCOL_VERSION_META: Final = "io.modelcontextprotocol/protocolVersion"
CLIENT_INFO_META: Final = "io.modelcontextprotocol/clientInfo"
CLIENT_CAPABILITIES_META: Final = "io.modelcontextprotocol/clientCapabilities"
NAME_BEARING: Final = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}
INPUT_REQUIRED: Final = (
    "the server asked the client for input (sampling, elicitation or roots), which a hand-built "
    "JSON-RPC client cannot answer"
)


def parse_body(content_type: str, body: bytes) -> list[Any]:
    """The JSON-RPC messages in a response body: one for JSON, one per ``data:`` event for SSE."""
    if not body:
        return []
    if content_type.split(";")[0].strip().lower() != "text/event-stream":
        return [json.loads(body)]
    messages = []
    for event in body.decode("utf-8", "replace").replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(line[5:].lstrip(" ") for line in event.split("\n") if line.startswith("data:"))
        if data.strip():
            messages.append(json.loads(data))
    return messages


def label(method: str, params: Mapping[str, Any] | None) -> str:
    """The statistics row of a request: the method, plus the tool, prompt or resource it names."""
    key = NAME_BEARING.get(method)
    value = params.get(key) if key and params else None
    return f"{method} {value}" if isinstance(value, str) else method


def excerpt(content: bytes | str | None, limit: int = 300) -> str:
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else (content or "")
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass(frozen=True)
class Reply:
    """How one request ended: its ``result``, or a failure ``kind`` and ``message``.

    Kinds: ``http_error`` (a non-2xx status), ``bad_reply`` (no parseable JSON-RPC response with
    the request's id), ``protocol_error`` (a JSON-RPC error), ``is_error`` (a tool result with
    ``isError``) and ``input_required`` (a 2026-07-28 result asking the client for input).
    """

    result: Any = None
    kind: str | None = None
    message: str = ""
    status: int = 200
    """The HTTP status of the response."""

    @property
    def ok(self) -> bool:
        return self.kind is None


class McpWire:
    """One MCP client's requests and replies over Streamable HTTP (no I/O: bring your own HTTP client)."""

    def __init__(
        self,
        era: str,
        *,
        client_info: Mapping[str, str],
        capabilities: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if era not in ERAS:
            raise ValueError(f"the era must be {MODERN_ERA!r} or {HANDSHAKE_ERA!r}, not {era!r}")
        self.era = era
        self.protocol_version = era
        """The negotiated version (the ``initialize`` result's, in the handshake era)."""
        self.session_id: str | None = None
        self.client_info = dict(client_info)
        self.capabilities = dict(capabilities or {})
        self.extra_headers = dict(headers or {})
        self.param_headers: dict[str, Any] = {}
        """Per tool, its ``x-mcp-header`` map (from ``tools/list``)."""
        self._ids = itertools.count(1)
        self._meta = {
            PROTOCOL_VERSION_META: era,
            CLIENT_INFO_META: self.client_info,
            CLIENT_CAPABILITIES_META: self.capabilities,
        }

    # -- building ----------------------------------------------------------------------------
    def base_headers(self) -> dict[str, str]:
        """The headers of every POST (and of the handshake era's closing DELETE)."""
        headers = {"Accept": JSON_AND_SSE, "Content-Type": "application/json", **self.extra_headers}
        if self.era == HANDSHAKE_ERA and self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
            headers["MCP-Protocol-Version"] = self.protocol_version
        return headers

    def request(self, method: str, params: Mapping[str, Any] | None = None) -> tuple[int, bytes, dict[str, str]]:
        """A JSON-RPC request: (its id, the body, the headers)."""
        request_id = next(self._ids)
        headers = self.base_headers()
        body_params = dict(params) if params else {}
        if self.era == MODERN_ERA:
            given = body_params.get("_meta")
            body_params["_meta"] = {**given, **self._meta} if given else self._meta
            headers["MCP-Protocol-Version"] = self.protocol_version
            headers["Mcp-Method"] = method
            key = NAME_BEARING.get(method)
            if key is not None and isinstance(body_params.get(key), str):
                headers["Mcp-Name"] = _header_value(body_params[key])
            if method == "tools/call" and self.param_headers:
                header_map = self.param_headers.get(body_params.get("name", ""))
                if header_map:
                    from mcp.shared.inbound import mcp_param_headers

                    headers.update(mcp_param_headers(header_map, body_params.get("arguments") or {}))
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if body_params:
            message["params"] = body_params
        return request_id, json.dumps(message, separators=(",", ":")).encode(), headers

    def notification(self, method: str, params: Mapping[str, Any] | None = None) -> tuple[bytes, dict[str, str]]:
        """A JSON-RPC notification (the handshake era's ``notifications/initialized``): (body, headers)."""
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params:
            message["params"] = dict(params)
        return json.dumps(message, separators=(",", ":")).encode(), self.base_headers()

    def initialize_params(self) -> dict[str, Any]:
        return {"protocolVersion": HANDSHAKE_ERA, "capabilities": self.capabilities, "clientInfo": self.client_info}

    # -- reading -----------------------------------------------------------------------------
    def reply(
        self,
        method: str,
        request_id: int,
        status: int,
        content_type: str,
        body: bytes,
        *,
        tool_errors: bool = True,
    ) -> Reply:
        """Judge the HTTP response to request ``request_id``; ``tool_errors=False`` lets ``isError`` results pass."""
        if not 200 <= status < 300:
            return Reply(kind="http_error", message=f"HTTP {status}: {excerpt(body)}", status=status)
        try:
            messages = parse_body(content_type, body)
        except ValueError as exc:
            return Reply(kind="bad_reply", message=f"unparseable body ({exc}): {excerpt(body)}")
        reply = next((m for m in messages if isinstance(m, dict) and m.get("id") == request_id), None)
        if reply is None:
            return Reply(kind="bad_reply", message=f"no JSON-RPC response with id {request_id} in: {excerpt(body)}")
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], dict) else {}
            return Reply(kind="protocol_error", message=f"{error.get('message')} (code {error.get('code')})")
        result = reply.get("result")
        if isinstance(result, dict):
            if result.get("resultType") == "input_required":
                return Reply(result, "input_required", INPUT_REQUIRED)
            if method == "tools/call" and tool_errors and result.get("isError") is True:
                texts = [block.get("text", "") for block in result.get("content") or () if isinstance(block, dict)]
                return Reply(result, "is_error", "\n".join(texts))
        return Reply(result)

    def adopt_initialize(self, result: Mapping[str, Any], session_id: str | None) -> None:
        """Take the negotiated version and the session id from an ``initialize`` exchange."""
        self.protocol_version = str(result.get("protocolVersion", HANDSHAKE_ERA))
        self.session_id = session_id

    def learn_tools(self, result: Mapping[str, Any] | None) -> None:
        """Remember each listed tool's ``x-mcp-header`` map, to send its ``Mcp-Param-*`` headers."""
        tools = (result or {}).get("tools") or []
        annotated = [tool for tool in tools if "x-mcp-header" in json.dumps(tool.get("inputSchema") or {})]
        if not annotated:
            return
        from mcp.shared.inbound import x_mcp_header_map

        for tool in annotated:
            header_map = x_mcp_header_map(tool.get("inputSchema") or {})
            if header_map:
                self.param_headers[tool["name"]] = header_map


def _header_value(value: str) -> str:
    """A header-safe value, encoded as the SDK's client does (printable ASCII as is, else base64)."""
    from mcp.shared.inbound import encode_header_value

    return str(encode_header_value(value))
