"""Servers under test for the mock tests: one that calls HTTP APIs and a backend, one gateway.

* ``make_weather_server()``: tools that call ``https://weather.example`` / ``https://geo.example``
  with plain ``httpx`` (what ``mcp_http_mock`` mocks) and a ``Billing`` backend plus a module-level
  ``fetch_quota`` function (what ``mcp_mock_backend`` replaces).
* ``make_gateway(upstream)``: an MCP server that relays tool calls to another MCP server (an
  in-process server object, a Streamable HTTP URL, or a stdio command line), the kind of server a
  ``FakeUpstream`` is for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from mcp import Client, StdioServerParameters
from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPError

WEATHER_API = "https://weather.example/v1"


class Billing:
    """A backend the tools call; tests replace ``Billing.charge`` with a mock."""

    async def charge(self, user: str, cents: int) -> str:
        raise RuntimeError("the real billing backend is not reachable from tests")


async def fetch_quota(user: str) -> int:
    """A backend function the tools look up at call time (``servers.fetch_quota``)."""
    raise RuntimeError("the real quota service is not reachable from tests")


def make_weather_server() -> MCPServer:
    mcp = MCPServer("weather", version="1.0.0")

    @mcp.tool()
    async def forecast(city: str) -> dict[str, Any]:
        """Today's forecast for a city, from the weather API."""
        async with httpx.AsyncClient(timeout=5) as client:
            reply = await client.get(f"{WEATHER_API}/forecast", params={"city": city})
            reply.raise_for_status()
            return dict(reply.json())

    @mcp.tool()
    async def geocode(place: str) -> dict[str, Any]:
        """Coordinates of a place, from the geocoding API."""
        async with httpx.AsyncClient(timeout=5) as client:
            reply = await client.post("https://geo.example/lookup", json={"q": place})
            reply.raise_for_status()
            return dict(reply.json())

    @mcp.tool()
    async def buy(user: str, cents: int) -> str:
        """Charge the user, if their quota allows it."""
        if await fetch_quota(user) < cents:
            return "over quota"
        return await Billing().charge(user, cents)

    return mcp


def _client(upstream: Any) -> Client:
    if isinstance(upstream, list | tuple):
        return Client(StdioServerParameters(command=upstream[0], args=list(upstream[1:])), cache=None)
    return Client(upstream, cache=None)


def make_gateway(upstream: Any) -> MCPServer:
    """A gateway in front of ``upstream``: an SDK server object, an ``http://`` URL or a command list.

    Like a real gateway it keeps one upstream session for the life of its own (its lifespan).
    """

    @asynccontextmanager
    async def lifespan(_server: MCPServer) -> AsyncIterator[dict[str, Any]]:
        async with _client(upstream) as client:
            yield {"upstream": client}

    mcp = MCPServer("gateway", version="1.0.0", lifespan=lifespan)

    def upstream_of(ctx: Context) -> Client:
        return ctx.request_context.lifespan_context["upstream"]  # type: ignore[no-any-return]

    @mcp.tool()
    async def upstream_tools(ctx: Context) -> list[str]:
        """The names of the upstream's tools."""
        return [tool.name for tool in (await upstream_of(ctx).list_tools()).tools]

    @mcp.tool()
    async def relay(tool: str, ctx: Context, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call ``tool`` upstream; report its text, structured content and error state."""
        try:
            result = await upstream_of(ctx).call_tool(tool, arguments or {})
        except MCPError as exc:
            return {"rpc_error": exc.code, "message": exc.message}
        text = "\n".join(getattr(block, "text", "") for block in result.content)
        return {"text": text, "structured": result.structured_content, "is_error": result.is_error}

    @mcp.tool()
    async def read(uri: str, ctx: Context) -> str:
        """Read an upstream resource's text."""
        contents = (await upstream_of(ctx).read_resource(uri)).contents
        return "".join(getattr(item, "text", "") for item in contents)

    return mcp
