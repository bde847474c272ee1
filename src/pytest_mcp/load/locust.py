"""Locust users that speak MCP over Streamable HTTP, for load beyond one machine.

A locustfile is a few lines::

    from locust import task
    from pytest_mcp.load.locust import McpUser

    class Calculator(McpUser):
        era = "2026-07-28"          # or "2025-11-25" (initialize handshake + Mcp-Session-Id)

        @task(3)
        def add(self):
            self.call_tool("add", {"a": 1, "b": 2})

        @task
        def tools(self):
            self.list_tools()

Each request appears in Locust's statistics as ``<method> [name]``, e.g. ``tools/call add`` or
``tools/list``. A request fails (in Locust's terms) on a transport error, a non-2xx status, a
JSON-RPC error, or a tool result with ``isError`` set (``tool_errors_fail = False`` turns that
last one off). ``LoadStats.from_locust_csv`` turns a run's ``--csv`` output into the statistics
``mcp_load`` returns, so the same ``assert_slo(...)`` checks both.

This module imports Locust (and so gevent, which patches the standard library): import it
from a locustfile only, never from a test process. Locust is an optional dependency
(``pip install locust``).

What a 2026-07-28 request carries (as the MCP SDK's client sends it): ``_meta`` with
``io.modelcontextprotocol/protocolVersion``, ``.../clientInfo`` and ``.../clientCapabilities``,
and the headers ``MCP-Protocol-Version``, ``Mcp-Method``, ``Mcp-Name`` (tools/call,
prompts/get, resources/read) and the tool's ``Mcp-Param-*`` headers (from its ``inputSchema``
``x-mcp-header`` annotations, learned from ``tools/list`` at start).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import Any, ClassVar, Final
from urllib.parse import urlsplit

from locust import FastHttpUser, HttpUser
from locust.exception import StopUser

from .. import __version__

__all__ = ["FastMcpUser", "McpUser", "McpUserMixin", "parse_body"]

HANDSHAKE_ERA: Final = "2025-11-25"
MODERN_ERA: Final = "2026-07-28"
JSON_AND_SSE: Final = "application/json, text/event-stream"
PROTOCOL_VERSION_META: Final = "io.modelcontextprotocol/protocolVersion"
CLIENT_INFO_META: Final = "io.modelcontextprotocol/clientInfo"
CLIENT_CAPABILITIES_META: Final = "io.modelcontextprotocol/clientCapabilities"
NAME_BEARING: Final = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}


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


class McpUserMixin:
    """The MCP protocol on top of a Locust HTTP client (``McpUser`` and ``FastMcpUser`` use it)."""

    era: ClassVar[str] = MODERN_ERA
    """``"2026-07-28"`` (stateless) or ``"2025-11-25"`` (initialize handshake, Mcp-Session-Id)."""
    mcp_path: ClassVar[str] = "/mcp"
    """Endpoint path, appended to ``host`` unless ``host`` already has a path."""
    mcp_headers: ClassVar[Mapping[str, str]] = {}
    """Extra headers on every request, e.g. ``{"Authorization": "Bearer ..."}``."""
    client_info: ClassVar[Mapping[str, str]] = {"name": "pytest-mcp-locust", "version": __version__}
    capabilities: ClassVar[Mapping[str, Any]] = {}
    discover_on_start: ClassVar[bool] = True
    """2026: send ``server/discover`` when the user starts (as the SDK's client does)."""
    list_tools_on_start: ClassVar[bool] = True
    """2026: list the tools when the user starts, to send each tool's ``Mcp-Param-*`` headers."""
    tool_errors_fail: ClassVar[bool] = True
    """Count tool results with ``isError: true`` as failures."""

    client: Any
    host: str | None

    # -- life cycle ---------------------------------------------------------------------------
    def on_start(self) -> None:
        if self.era not in (MODERN_ERA, HANDSHAKE_ERA):
            raise ValueError(f"{type(self).__name__}.era must be {MODERN_ERA!r} or {HANDSHAKE_ERA!r}, not {self.era!r}")
        self.mcp_url = _endpoint(self.host, self.mcp_path)
        self.mcp_session_id: str | None = None
        self.mcp_protocol_version = self.era
        self._ids = itertools.count(1)
        self._param_headers: dict[str, Any] = {}
        if self.era == HANDSHAKE_ERA:
            self._initialize()
        else:
            if self.discover_on_start and self.mcp_request("server/discover") is None:
                raise StopUser()
            if self.list_tools_on_start:
                self._learn_param_headers()

    def on_stop(self) -> None:
        if self.era == HANDSHAKE_ERA and getattr(self, "mcp_session_id", None):
            self.client.delete(self.mcp_url, headers=self._headers(), name="DELETE session")
            self.mcp_session_id = None

    def _initialize(self) -> None:
        result = self.mcp_request(
            "initialize",
            {
                "protocolVersion": HANDSHAKE_ERA,
                "capabilities": dict(self.capabilities),
                "clientInfo": dict(self.client_info),
            },
        )
        if result is None:
            raise StopUser()
        self.mcp_protocol_version = str(result.get("protocolVersion", HANDSHAKE_ERA))
        self.notify("notifications/initialized")

    def _learn_param_headers(self) -> None:
        from mcp.shared.inbound import x_mcp_header_map

        result = self.mcp_request("tools/list")
        for tool in (result or {}).get("tools", []):
            header_map = x_mcp_header_map(tool.get("inputSchema") or {})
            if header_map:
                self._param_headers[tool["name"]] = header_map

    # -- requests -----------------------------------------------------------------------------
    def call_tool(self, tool: str, arguments: Mapping[str, Any] | None = None, *, name: str | None = None) -> Any:
        """``tools/call``; returns the result dict, or None when the call failed."""
        params: dict[str, Any] = {"name": tool}
        if arguments is not None:
            params["arguments"] = dict(arguments)
        return self.mcp_request("tools/call", params, name=name)

    def list_tools(self, cursor: str | None = None) -> Any:
        return self.mcp_request("tools/list", {"cursor": cursor} if cursor else None)

    def read_resource(self, uri: str, *, name: str | None = None) -> Any:
        return self.mcp_request("resources/read", {"uri": uri}, name=name)

    def get_prompt(self, prompt: str, arguments: Mapping[str, str] | None = None, *, name: str | None = None) -> Any:
        params: dict[str, Any] = {"name": prompt}
        if arguments is not None:
            params["arguments"] = dict(arguments)
        return self.mcp_request("prompts/get", params, name=name)

    def mcp_request(self, method: str, params: Mapping[str, Any] | None = None, *, name: str | None = None) -> Any:
        """Send one JSON-RPC request; return its ``result``, or None after reporting a failure to Locust.

        ``name`` is the row in Locust's statistics (default: the method, plus the tool, prompt
        or resource it names).
        """
        request_id = next(self._ids)
        body_params = dict(params or {})
        headers = self._headers()
        if self.era == MODERN_ERA:
            meta = dict(body_params.get("_meta") or {})
            meta[PROTOCOL_VERSION_META] = self.mcp_protocol_version
            meta[CLIENT_INFO_META] = dict(self.client_info)
            meta[CLIENT_CAPABILITIES_META] = dict(self.capabilities)
            body_params["_meta"] = meta
            headers.update(self._modern_headers(method, body_params))
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if body_params:
            message["params"] = body_params
        label = name or _label(method, body_params)
        body = json.dumps(message, separators=(",", ":")).encode()
        with self.client.post(self.mcp_url, data=body, headers=headers, name=label, catch_response=True) as response:
            return self._check(response, method, request_id)

    def notify(self, method: str, params: Mapping[str, Any] | None = None) -> bool:
        """Send a JSON-RPC notification (handshake era); True when the server accepted it (2xx)."""
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params:
            message["params"] = dict(params)
        body = json.dumps(message, separators=(",", ":")).encode()
        with self.client.post(
            self.mcp_url, data=body, headers=self._headers(), name=method, catch_response=True
        ) as response:
            if 200 <= (response.status_code or 0) < 300:
                response.success()
                return True
            response.failure(f"HTTP {response.status_code}: {_excerpt(response.content)}")
            return False

    # -- internals ----------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        headers = {"Accept": JSON_AND_SSE, "Content-Type": "application/json", **self.mcp_headers}
        if self.era == HANDSHAKE_ERA and self.mcp_session_id:
            headers["Mcp-Session-Id"] = self.mcp_session_id
            headers["MCP-Protocol-Version"] = self.mcp_protocol_version
        return headers

    def _modern_headers(self, method: str, params: Mapping[str, Any]) -> dict[str, str]:
        from mcp.shared.inbound import encode_header_value, mcp_param_headers

        headers = {"MCP-Protocol-Version": self.mcp_protocol_version, "Mcp-Method": method}
        key = NAME_BEARING.get(method)
        if key is not None and isinstance(params.get(key), str):
            headers["Mcp-Name"] = encode_header_value(params[key])
        if method == "tools/call":
            header_map = self._param_headers.get(params.get("name", ""))
            if header_map:
                headers.update(mcp_param_headers(header_map, params.get("arguments") or {}))
        return headers

    def _check(self, response: Any, method: str, request_id: int) -> Any:
        status = response.status_code or 0
        if not 200 <= status < 300:
            error = getattr(response, "error", None)
            response.failure(f"HTTP {status}: {error or _excerpt(response.content)}")
            return None
        if method == "initialize":
            self.mcp_session_id = _header(response, "mcp-session-id")
        try:
            messages = parse_body(_header(response, "content-type") or "", response.content or b"")
        except ValueError as exc:
            response.failure(f"unparseable body ({exc}): {_excerpt(response.content)}")
            return None
        reply = next((m for m in messages if isinstance(m, dict) and m.get("id") == request_id), None)
        if reply is None:
            response.failure(f"no JSON-RPC response with id {request_id} in: {_excerpt(response.content)}")
            return None
        if "error" in reply:
            error = reply["error"] or {}
            response.failure(f"JSON-RPC error {error.get('code')}: {error.get('message')}")
            return None
        result = reply.get("result")
        if method == "tools/call" and self.tool_errors_fail and isinstance(result, dict) and result.get("isError"):
            texts = [block.get("text", "") for block in result.get("content", []) if isinstance(block, dict)]
            response.failure(f"isError: {' '.join(texts)[:200]}")
            return None
        response.success()
        return result


class McpUser(McpUserMixin, HttpUser):
    """An MCP client on Locust's ``HttpUser`` (python-requests). Set ``era`` and write ``@task``s."""

    abstract = True


class FastMcpUser(McpUserMixin, FastHttpUser):
    """An MCP client on Locust's ``FastHttpUser`` (geventhttpclient): less CPU per request."""

    abstract = True


def _endpoint(host: str | None, path: str) -> str:
    if not host:
        raise ValueError("set the Locust host (--host http://127.0.0.1:8000 or host = ... on the user class)")
    parts = urlsplit(host)
    if parts.path not in ("", "/"):
        return host
    return host.rstrip("/") + path


def _label(method: str, params: Mapping[str, Any]) -> str:
    key = NAME_BEARING.get(method)
    value = params.get(key) if key else None
    return f"{method} {value}" if isinstance(value, str) else method


def _header(response: Any, name: str) -> str | None:
    headers = response.headers or {}
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value  # type: ignore[no-any-return]


def _excerpt(content: bytes | None) -> str:
    text = (content or b"").decode("utf-8", "replace")
    return text if len(text) <= 300 else text[:300] + "…"
