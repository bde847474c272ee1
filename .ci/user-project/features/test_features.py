"""One test per feature extra (run with and without the extra installed; see .ci/as-a-user)."""

import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("my_server:mcp")]


@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"


async def test_snapshots(mcp_client, mcp_snapshot):
    assert await mcp_client.call("add", a=1, b=2) == mcp_snapshot


async def test_mocks(mcp_client, mcp_http_mock):
    mcp_http_mock.get("https://weather.example/v1/forecast").respond(json={"summary": "sunny"})
    assert (await mcp_client.call("forecast", city="Oslo")).text == "sunny"


async def test_factories(mcp_client, mcp_arguments_factory):
    arguments = (await mcp_arguments_factory("add")).build()
    assert set(arguments) == {"a", "b"}


async def test_benchmark(mcp_client, mcp_benchmark):
    result = await mcp_benchmark(mcp_client.call, "add", a=1, b=2)
    assert result.structured == {"result": 3}
