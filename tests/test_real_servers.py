"""The core against real third-party servers from npm: @modelcontextprotocol/server-everything."""

from __future__ import annotations

import pytest

import pytest_mcp

from .conftest import ROOT, node_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def everything() -> str:
    return str(node_server("server-everything"))


async def test_server_everything_over_stdio_in_both_eras(
    mcp_client_factory: pytest_mcp.ClientFactory, everything: str
) -> None:
    target = pytest_mcp.stdio("node", everything, "stdio")
    async with mcp_client_factory(server=target, era="2025-11-25") as client:
        tools = await client.tools()
        assert "echo" in [tool.name for tool in tools]
        assert pytest_mcp.assert_text(await client.call("echo", message="hi"), contains="hi")
        for tool in tools:
            pytest_mcp.assert_valid_tool_schema(tool)
    # server-everything speaks only the handshake era: asking for 2026-07-28 skips with a reason.
    with pytest.raises(pytest.skip.Exception, match="does not speak 2026-07-28"):
        async with mcp_client_factory(server=target, era="2026-07-28"):
            pass


async def test_server_everything_over_streamable_http(
    mcp_client_factory: pytest_mcp.ClientFactory, everything: str
) -> None:
    target = pytest_mcp.spawn_http(
        "node",
        "--import",
        str(ROOT / "tests" / "servers" / "loopback.mjs"),
        everything,
        "streamableHttp",
        env={"PORT": "{port}"},
    )
    async with mcp_client_factory(server=target) as client:
        assert client.era == "2025-11-25"
        result = await client.call("get-sum", a=2, b=3)
        assert pytest_mcp.assert_text(result, contains="5")
        assert await client.prompts()
        assert await client.resources()
