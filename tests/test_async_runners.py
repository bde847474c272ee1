"""mcp_client under anyio's plugin and beside pytest-asyncio (strict and auto modes)."""

from __future__ import annotations

import pytest

BODY = """
import pytest

@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"

@pytest.mark.anyio
@pytest.mark.mcp_server("tests.servers.demo:make_server")
async def test_with_the_fixture(mcp_client):
    assert (await mcp_client.call("add", a=1, b=1)).structured == {"result": 2}

@pytest.mark.mcp_server("tests.servers.demo:make_server")
@pytest.mark.asyncio
async def test_asyncio_with_the_factory(mcp_client_factory):
    async with mcp_client_factory() as client:
        assert (await client.call("add", a=2, b=2)).structured == {"result": 4}
"""


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_both_runners_in_one_run(pytester: pytest.Pytester, mode: str) -> None:
    pytester.makeini(
        f"[pytest]\nasyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
    )
    pytester.makepyfile(BODY)
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(["*test_with_the_fixture PASSED*", "*test_asyncio_with_the_factory PASSED*"])
    result.assert_outcomes(passed=2)
