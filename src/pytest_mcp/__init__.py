"""pytest_mcp: a pytest plugin for testing any Model Context Protocol server.

The public API is re-exported here and listed in ``__all__``; everything else is private. Names
load lazily, so importing ``pytest_mcp`` (which pytest does for every run) does not import the
MCP SDK until a test uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from ._lazy import lazy_exports

pytest.register_assert_rewrite("pytest_mcp.assertions")


_EXPORTS: dict[str, str] = {
    # targets
    "AsgiTarget": "server.targets",
    "HttpTarget": "server.targets",
    "InProcessTarget": "server.targets",
    "SpawnHttpTarget": "server.targets",
    "StdioTarget": "server.targets",
    "Target": "server.targets",
    "asgi": "server.targets",
    "http": "server.targets",
    "in_process": "server.targets",
    "parse_target": "server.targets",
    "spawn_http": "server.targets",
    "stdio": "server.targets",
    # settings and errors
    "Settings": "settings",
    "McpAssertionError": "errors",
    "McpConnectionError": "errors",
    "McpServerCrashed": "errors",
    "McpTimeoutError": "errors",
    "McpUsageError": "errors",
    "PytestMcpWarning": "errors",
    # servers and clients
    "RunningServer": "server.running",
    "ServerPool": "server.running",
    "McpClient": "client.mcp_client",
    "McpEraUnsupported": "client.mcp_client",
    "ToolResult": "client.mcp_client",
    "CallOutcome": "client.mcp_client",
    "connect": "client.mcp_client",
    "ClientFactory": "fixtures",
    "Responder": "client.callbacks",
    "Transcript": "client.transcript",
    "TranscriptMessage": "client.transcript",
    "RawHttp": "client.raw",
    "RawReply": "client.raw",
    "RawStdio": "client.raw",
    "jsonrpc_request": "client.raw",
    "redact": "redact",
    "register_secret": "redact",
    # feature packages (each documented on its page under docs/)
    "FaultInjector": "chaos",
    "WriteLedger": "chaos",
    "assert_clean_error": "chaos",
    "assert_recovers": "chaos",
    "TokenIssuer": "auth",
    "OAuthClient": "auth",
    "HttpMock": "mocks",
    "FakeUpstream": "mocks",
    "BackendMocks": "mocks",
    "McpLoad": "load",
    "LoadStats": "load",
    "McpBenchmark": "load",
    "McpSnapshotExtension": "snapshots",
    "McpMasks": "snapshots",
    "ToolArgumentsFactory": "factories",
    "checks_for": "suite.api",
    "check": "suite.registry",
    "CheckContext": "suite.context",
    "McpStateMachine": "suite.stateful_machine",
    "StatefulFailure": "suite.stateful_machine",
    # assertions
    "assert_content_types": "assertions",
    "assert_matches_output_schema": "assertions",
    "assert_protocol_error": "assertions",
    "assert_structured": "assertions",
    "assert_text": "assertions",
    "assert_tool_error": "assertions",
    "assert_tool_ok": "assertions",
    "assert_valid_tool_schema": "assertions",
    # expected-surface contracts
    "ContractDrift": "contract",
    "assert_contract": "contract",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name == "__version__":  # read from the installed metadata on first use (it costs ~2 ms)
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("pytest-mcp-testkit")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
            return "0.0.0"
    return _exported(name)


_exported, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from .assertions import (
        assert_content_types,
        assert_matches_output_schema,
        assert_protocol_error,
        assert_structured,
        assert_text,
        assert_tool_error,
        assert_tool_ok,
        assert_valid_tool_schema,
    )
    from .auth import OAuthClient, TokenIssuer
    from .chaos import FaultInjector, WriteLedger, assert_clean_error, assert_recovers
    from .client.callbacks import Responder
    from .client.mcp_client import CallOutcome, McpClient, McpEraUnsupported, ToolResult, connect
    from .client.raw import RawHttp, RawReply, RawStdio, jsonrpc_request
    from .client.transcript import Transcript, TranscriptMessage
    from .contract import ContractDrift, assert_contract
    from .errors import (
        McpAssertionError,
        McpConnectionError,
        McpServerCrashed,
        McpTimeoutError,
        McpUsageError,
        PytestMcpWarning,
    )
    from .factories import ToolArgumentsFactory
    from .fixtures import ClientFactory
    from .load import LoadStats, McpBenchmark, McpLoad
    from .mocks import BackendMocks, FakeUpstream, HttpMock
    from .redact import redact, register_secret
    from .server.running import RunningServer, ServerPool
    from .server.targets import (
        AsgiTarget,
        HttpTarget,
        InProcessTarget,
        SpawnHttpTarget,
        StdioTarget,
        Target,
        asgi,
        http,
        in_process,
        parse_target,
        spawn_http,
        stdio,
    )
    from .settings import Settings
    from .snapshots import McpMasks, McpSnapshotExtension
    from .suite.api import checks_for
    from .suite.context import CheckContext
    from .suite.registry import check
    from .suite.stateful_machine import McpStateMachine, StatefulFailure
