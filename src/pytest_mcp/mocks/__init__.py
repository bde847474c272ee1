"""Mock backends: respx-based HTTP mocks, fake upstream MCP servers, autospec'd backend replacements.

Public names load lazily (``pytest_mcp.mocks.plugin`` imports this package at plugin load time,
which must not pull in respx, httpx or the MCP SDK). See docs/mocks.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "BackendMocks": "backend",
    "BackendPatch": "options",
    "FakeUpstreamOptions": "options",
    "HttpMockOptions": "options",
    "FakeUpstream": "upstream",
    "HttpMock": "http",
    "Reply": "upstream",
    "UpstreamCall": "upstream",
}

__all__ = [
    "BackendMocks",
    "BackendPatch",
    "FakeUpstream",
    "FakeUpstreamOptions",
    "HttpMock",
    "HttpMockOptions",
    "Reply",
    "UpstreamCall",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_mcp.mocks' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"pytest_mcp.mocks.{module}"), name)
    # Not cached in globals(): pytester drops modules first imported during a test when it ends, and a
    # cached class would outlive its module (isinstance against the re-imported one would fail).
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from .backend import BackendMocks
    from .http import HttpMock
    from .options import BackendPatch, FakeUpstreamOptions, HttpMockOptions
    from .upstream import FakeUpstream, Reply, UpstreamCall
