import pytest
from conftest import TARGETS
from pytest_mcp import assert_tool_ok

pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server(*TARGETS)]


@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"


@pytest.mark.mcp_era("both")
async def test_add(mcp_client):
    assert assert_tool_ok(await mcp_client.call("add", a=1, b=2)) == {"result": 3}
