"""The user's own server: a few lines with the MCP SDK, runnable over stdio or HTTP."""

import sys

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("adder", version="1.0")


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@mcp.tool()
def forecast(city: str) -> str:
    """Today's forecast, from an upstream HTTP API."""
    import httpx

    return httpx.get("https://weather.example/v1/forecast", params={"city": city}).json()["summary"]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--http"]:
        mcp.run(transport="streamable-http", port=int(sys.argv[2]))
    else:
        mcp.run()
