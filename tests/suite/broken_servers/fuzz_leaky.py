"""A server whose read-only tools leak: a Python traceback in an error, an environment secret in a result."""

from __future__ import annotations

import os
import traceback

from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations

READ_ONLY = ToolAnnotations(read_only_hint=True)
TABLE = {"alpha": "first", "beta": "second"}


def make_server() -> MCPServer:
    mcp = MCPServer("fuzz-leaky")

    @mcp.tool(annotations=READ_ONLY)
    def lookup(key: str) -> CallToolResult:
        """Look a key up; a missing key answers with the whole traceback (a leak)."""
        try:
            return CallToolResult(content=[TextContent(type="text", text=TABLE[key])])
        except KeyError:
            return CallToolResult(content=[TextContent(type="text", text=traceback.format_exc())], is_error=True)

    @mcp.tool(annotations=READ_ONLY)
    def status(verbose: bool) -> str:
        """Service status; verbose mode prints the configured API key (a leak)."""
        if verbose:
            return f"ok (upstream key {os.environ.get('FUZZ_LEAKY_API_KEY', 'unset')})"
        return "ok"

    return mcp


if __name__ == "__main__":
    make_server().run()
