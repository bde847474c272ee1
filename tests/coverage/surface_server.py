"""A small MCP server with a fixed surface, for exact coverage tables in the coverage tests.

In-process: ``tests.coverage.surface_server:make_server``; stdio: ``python -m tests.coverage.surface_server``.
Its surface: 3 tools (one with an enum argument), 1 resource, 1 resource template, 1 prompt.
"""

from __future__ import annotations

from typing import Literal

from mcp.server.mcpserver import MCPServer


def make_server() -> MCPServer:
    mcp = MCPServer("surface-server", version="1.0.0")

    @mcp.tool()
    def paint(color: Literal["red", "green", "blue"], shade: int = 0) -> str:
        """Paint something in a color."""
        if shade < 0:
            raise ValueError("shade must be >= 0")
        return f"{color}/{shade}"

    @mcp.tool()
    def divide(a: float, b: float) -> float:
        """Divide a by b (an isError result for b = 0)."""
        return a / b

    @mcp.tool()
    def ping_me() -> str:
        """Answer pong."""
        return "pong"

    @mcp.resource("surface://readme")
    def readme() -> str:
        """A fixed resource."""
        return "read me"

    @mcp.resource("surface://notes/{note_id}")
    def note(note_id: str) -> str:
        """A note by id."""
        return f"note {note_id}"

    @mcp.prompt()
    def greet(name: str, mood: str = "happy") -> str:
        """Greet someone."""
        return f"Hello {name}, you look {mood}"

    return mcp


server = make_server()

if __name__ == "__main__":
    server.run()
