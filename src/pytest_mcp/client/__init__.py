"""The client side: ``McpClient`` and ``connect`` (``mcp_client``), request deadlines, traffic recording and
the transcript, the raw channel for exact bytes, and replies to the server's own requests (``callbacks``).

``from pytest_mcp.client import connect`` works without importing the MCP SDK until the name is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS = {
    "CallOutcome": "mcp_client",
    "McpClient": "mcp_client",
    "McpEraUnsupported": "mcp_client",
    "ToolResult": "mcp_client",
    "connect": "mcp_client",
}

__all__ = ["CallOutcome", "McpClient", "McpEraUnsupported", "ToolResult", "connect"]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from .mcp_client import CallOutcome, McpClient, McpEraUnsupported, ToolResult, connect
