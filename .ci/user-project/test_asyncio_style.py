import pytest
from conftest import TARGETS
from pytest_mcp import assert_tool_ok

pytest.importorskip("pytest_asyncio")


@pytest.mark.asyncio
@pytest.mark.mcp_server(*TARGETS)
@pytest.mark.mcp_era("both")
async def test_add(mcp_client):
    assert assert_tool_ok(await mcp_client.call("add", a=2, b=2)) == {"result": 4}
