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
from typing import Any

from ..protocol import (
    CLIENT_CAPABILITIES_META,
    CLIENT_INFO_META,
    HANDSHAKE_ERA,
    JSON_AND_SSE,
    MODERN_ERA,
    PROTOCOL_VERSION_META,
    Outcome,
    Reply,
    classify_reply,
    excerpt,
    label,
    routing_headers,
)

__all__ = [
    "HANDSHAKE_ERA",
    "MODERN_ERA",
    "McpWire",
    "excerpt",
    "label",
    "parse_body",
]


def parse_body(content_type: str, body: bytes) -> list[Any]:
    """The JSON-RPC messages in a response body (``ValueError`` when part of it is not JSON)."""
    return Reply(body, headers={"content-type": content_type}).read_messages()


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
        if era not in (MODERN_ERA, HANDSHAKE_ERA):
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
            headers.update(
                routing_headers(self.era, None, protocol_version=self.protocol_version, session_id=self.session_id)
            )
        return headers

    def request(self, method: str, params: Mapping[str, Any] | None = None) -> tuple[int, bytes, dict[str, str]]:
        """A JSON-RPC request: (its id, the body, the headers)."""
        request_id = next(self._ids)
        headers = self.base_headers()
        body_params = dict(params) if params else {}
        if self.era == MODERN_ERA:
            given = body_params.get("_meta")
            body_params["_meta"] = {**given, **self._meta} if given else self._meta
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if body_params:
            message["params"] = body_params
        if self.era == MODERN_ERA:
            headers.update(routing_headers(self.era, message, protocol_version=self.protocol_version))
            headers.update(self._param_headers(method, body_params))
        return request_id, json.dumps(message, separators=(",", ":")).encode(), headers

    def _param_headers(self, method: str, params: Mapping[str, Any]) -> dict[str, str]:
        """The ``Mcp-Param-*`` headers of a ``tools/call`` whose tool marks properties with ``x-mcp-header``."""
        header_map = self.param_headers.get(params.get("name", "")) if method == "tools/call" else None
        if not header_map:
            return {}
        from mcp.shared.inbound import mcp_param_headers

        return dict(mcp_param_headers(header_map, params.get("arguments") or {}))

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
    ) -> Outcome:
        """Judge the HTTP response to request ``request_id``; ``tool_errors=False`` lets ``isError`` results pass."""
        reply = Reply(body, status, {"content-type": content_type})
        return classify_reply(reply, request_id, method, tool_errors=tool_errors)

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
