"""pytest_mcp: a pytest plugin for testing any Model Context Protocol server.

The public API is re-exported here and listed in ``__all__``; everything else is private. Names
load lazily, so importing ``pytest_mcp`` (which pytest does for every run) does not import the
MCP SDK until a test uses it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import pytest

pytest.register_assert_rewrite("pytest_mcp.assertions")


_EXPORTS: dict[str, str] = {
    # targets
    "AsgiTarget": "targets",
    "HttpTarget": "targets",
    "InProcessTarget": "targets",
    "SpawnHttpTarget": "targets",
    "StdioTarget": "targets",
    "Target": "targets",
    "asgi": "targets",
    "http": "targets",
    "in_process": "targets",
    "parse_target": "targets",
    "spawn_http": "targets",
    "stdio": "targets",
    # settings and errors
    "Settings": "settings",
    "McpAssertionError": "errors",
    "McpConnectionError": "errors",
    "McpServerCrashed": "errors",
    "McpTimeoutError": "errors",
    "McpUsageError": "errors",
    "PytestMcpWarning": "errors",
    # servers and clients
    "RunningServer": "servers",
    "ServerPool": "servers",
    "McpClient": "client",
    "McpEraUnsupported": "client",
    "ToolResult": "client",
    "CallOutcome": "client",
    "connect": "client",
    "ClientFactory": "fixtures",
    "Responder": "responder",
    "Transcript": "transcript",
    "TranscriptMessage": "transcript",
    "RawHttp": "raw",
    "RawReply": "raw",
    "RawStdio": "raw",
    "jsonrpc_request": "raw",
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
    "McpSnapshotExtension": "coverage",
    "McpMasks": "coverage",
    "ToolArgumentsFactory": "coverage",
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
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_mcp' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"pytest_mcp.{module}"), name)
    # Not cached in globals(): pytester drops modules first imported during a test when it ends, and a
    # cached class would outlive its module (isinstance against the re-imported one would fail).
    return value


def __dir__() -> list[str]:
    return __all__


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
    from .client import CallOutcome, McpClient, McpEraUnsupported, ToolResult, connect
    from .contract import ContractDrift, assert_contract
    from .coverage import McpMasks, McpSnapshotExtension, ToolArgumentsFactory
    from .errors import (
        McpAssertionError,
        McpConnectionError,
        McpServerCrashed,
        McpTimeoutError,
        McpUsageError,
        PytestMcpWarning,
    )
    from .fixtures import ClientFactory
    from .load import LoadStats, McpBenchmark, McpLoad
    from .mocks import BackendMocks, FakeUpstream, HttpMock
    from .raw import RawHttp, RawReply, RawStdio, jsonrpc_request
    from .redact import redact, register_secret
    from .responder import Responder
    from .servers import RunningServer, ServerPool
    from .settings import Settings
    from .suite.api import checks_for
    from .suite.context import CheckContext
    from .suite.registry import check
    from .suite.stateful_machine import McpStateMachine, StatefulFailure
    from .targets import (
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
    from .transcript import Transcript, TranscriptMessage
