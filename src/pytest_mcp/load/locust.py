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

The JSON-RPC is built by ``pytest_mcp.load.wire.McpWire``, as for ``mcp_load``'s HTTP engine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Final
from urllib.parse import urlsplit

from ..extras import require

require("locust", "pytest_mcp.load.locust")

import mcp.shared.inbound  # noqa: E402, F401 - imported now, not by the first user: an import would stall every greenlet
from locust import FastHttpUser, HttpUser, events  # noqa: E402
from locust.exception import StopUser  # noqa: E402
from locust.runners import WorkerRunner  # noqa: E402

from .. import __version__  # noqa: E402
from .wire import HANDSHAKE_ERA, MODERN_ERA, McpWire, excerpt, label, parse_body  # noqa: E402

__all__ = ["ERRORS_FILE_ENV", "FastMcpUser", "McpUser", "McpUserMixin", "parse_body"]

ERRORS_FILE_ENV: Final = "PYTEST_MCP_LOCUST_ERRORS"
"""When set (``run_locust`` sets it), the master writes the run's error messages there as JSON on quit."""


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
    wire: McpWire

    # -- life cycle ---------------------------------------------------------------------------
    def on_start(self) -> None:
        if self.era not in (MODERN_ERA, HANDSHAKE_ERA):
            raise ValueError(f"{type(self).__name__}.era must be {MODERN_ERA!r} or {HANDSHAKE_ERA!r}, not {self.era!r}")
        self.mcp_url = _endpoint(self.host, self.mcp_path)
        self.wire = McpWire(
            self.era, client_info=self.client_info, capabilities=self.capabilities, headers=self.mcp_headers
        )
        if self.era == HANDSHAKE_ERA:
            result = self.mcp_request("initialize", self.wire.initialize_params())
            if result is None:
                raise StopUser()
            self.notify("notifications/initialized")
        else:
            if self.discover_on_start and self.mcp_request("server/discover") is None:
                raise StopUser()
            if self.list_tools_on_start:
                self.wire.learn_tools(self.mcp_request("tools/list"))

    def on_stop(self) -> None:
        wire = getattr(self, "wire", None)
        if wire is not None and wire.era == HANDSHAKE_ERA and wire.session_id:
            self.client.delete(self.mcp_url, headers=wire.base_headers(), name="DELETE session")
            wire.session_id = None

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
        request_id, body, headers = self.wire.request(method, params)
        row = name or label(method, params)
        with self.client.post(self.mcp_url, data=body, headers=headers, name=row, catch_response=True) as response:
            status = response.status_code or 0
            reply = self.wire.reply(
                method,
                request_id,
                status,
                _header(response, "content-type") or "",
                response.content or b"",
                tool_errors=self.tool_errors_fail,
            )
            if reply.ok:
                if method == "initialize":
                    self.wire.adopt_initialize(reply.result or {}, _header(response, "mcp-session-id"))
                response.success()
                return reply.result
            error = getattr(response, "error", None) if reply.kind == "http_error" else None
            response.failure(f"HTTP {status}: {error}" if error else f"{reply.kind}: {reply.message[:300]}")
            return None

    def notify(self, method: str, params: Mapping[str, Any] | None = None) -> bool:
        """Send a JSON-RPC notification (handshake era); True when the server accepted it (2xx)."""
        body, headers = self.wire.notification(method, params)
        with self.client.post(self.mcp_url, data=body, headers=headers, name=method, catch_response=True) as response:
            if 200 <= (response.status_code or 0) < 300:
                response.success()
                return True
            response.failure(f"HTTP {response.status_code}: {excerpt(response.content)}")
            return False


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


def _header(response: Any, name: str) -> str | None:
    headers = response.headers or {}
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value  # type: ignore[no-any-return]


def _on_init(environment: Any, **_kwargs: Any) -> None:
    """Before the run starts: refresh gevent's clock, and keep the run's errors for ``run_locust``.

    gevent's loop caches "now" and nothing ran it while the locustfile was imported (this module
    loads the MCP SDK, a second or two on a busy machine); without the refresh, the ``--run-time``
    timer Locust sets next counts from before the import and ends the run that much too early.
    """
    import gevent  # type: ignore[import-untyped]

    gevent.get_hub().loop.update_now()
    _save_errors_on_quit(environment)


def _save_errors_on_quit(environment: Any) -> None:
    """Keep the error messages of the run for ``run_locust`` (its ``--json-file`` output has none)."""
    path = os.environ.get(ERRORS_FILE_ENV)
    if not path or isinstance(environment.runner, WorkerRunner):
        return

    def write(**_ignored: Any) -> None:
        errors = environment.runner.stats.errors.values() if environment.runner is not None else ()
        found = [{"name": e.name, "error": _message(e), "occurrences": e.occurrences} for e in errors]
        Path(path).write_text(json.dumps(found), encoding="utf-8")

    environment.events.quit.add_listener(write)


events.init.add_listener(_on_init)  # type: ignore[no-untyped-call]


def _message(error: Any) -> str:
    """A Locust error without its "METHOD name: " prefix (``to_name`` unwraps ``CatchResponseError``)."""
    text = str(error.to_name())
    prefix = f"{error.method} {error.name}: "
    return text[len(prefix) :] if text.startswith(prefix) else text
