"""A stdio server whose read-only tool kills the process for numbers above 1000 (run: python -m ...)."""

from __future__ import annotations

import os
import sys

from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations


def make_server() -> MCPServer:
    mcp = MCPServer("fuzz-crash")

    @mcp.tool(annotations=ToolAnnotations(read_only_hint=True))
    def square(n: int) -> int:
        """Square a number (but the process dies on numbers above 1000)."""
        if n > 1000:
            print(f"fuzz-crash: giving up on {n}", file=sys.stderr, flush=True)
            os._exit(7)
        return n * n

    return mcp


if __name__ == "__main__":
    make_server().run()
