"""Mock backends: respx-based HTTP mocks, fake upstream MCP servers, autospec'd backend replacements.

Public names load lazily (``pytest_mcp.mocks.plugin`` imports this package at plugin load time,
which must not pull in respx, httpx or the MCP SDK). See docs/mocks.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from .backend import BackendMocks
    from .http import HttpMock
    from .options import BackendPatch, FakeUpstreamOptions, HttpMockOptions
    from .upstream import FakeUpstream, Reply, UpstreamCall
