"""A shared server that dies in one test is replaced for the next, which is told what happened."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import DEMO

DOCS = "https://github.com/pytest-mcp-testkit/pytest-mcp-testkit/blob/main/docs/targets.md#lifetimes"

ADVICE = (
    "Tests that share a server share its crashes: give the test that kills it a server of its own with "
    f"@pytest.mark.mcp_fresh_server, or isolate every test with --mcp-server-scope=function ({DOCS})."
)


def test_a_dead_shared_stdio_server_is_replaced_and_the_next_test_is_told(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        test_dead=f"""
        import pytest
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("{DEMO}")]
        PIDS = []

        async def test_before(mcp_client):
            PIDS.append((await mcp_client.call("pid")).structured["result"])

        async def test_crash(mcp_client):
            await mcp_client.call("crash", code=3)

        async def test_after(mcp_client):
            PIDS.append((await mcp_client.call("pid")).structured["result"])
            assert PIDS[0] != PIDS[1]

        async def test_later(mcp_client):
            assert (await mcp_client.call("pid")).structured["result"] == PIDS[1]
        """
    )
    result = mcp_pytester.runpytest("-rA")
    # The test in which it died fails as it always did.
    result.stdout.fnmatch_lines(
        [
            "E*McpServerCrashed: tools/call 'crash' failed because the stdio server `*` exited with code 3.",
            "E*demo server: crashing on purpose with code 3",
        ]
    )
    # The next one passes on a fresh server, and its report says why it got one...
    result.stdout.fnmatch_lines(
        [
            "*- Captured MCP server replaced setup -*",
            "the shared stdio server `* -m tests.servers.demo` (pid *) exited with code 3 during "
            "test_dead.py::test_crash; this test got a fresh one.",
            ADVICE,
            "--- last lines of its stderr ---",
            "demo server: crashing on purpose with code 3",
        ],
        consecutive=True,
    )
    # ... and so does a warning line at the test, although the ini turns warnings into errors.
    result.stdout.fnmatch_lines(
        [
            "*= warnings summary =*",
            "test_dead.py::test_after",
            "  test_dead.py:11: PytestMcpWarning: the shared stdio server `*` (pid *) exited with code 3 during "
            "test_dead.py::test_crash; this test got a fresh one.",
            f"  {ADVICE}",
            "  --- last lines of its stderr ---",
            "  demo server: crashing on purpose with code 3",
        ],
        consecutive=True,
    )
    result.assert_outcomes(passed=3, failed=1, warnings=1)


def test_a_dead_shared_http_server_is_replaced_for_a_client_factory(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        test_dead_http=f"""
        import pytest, pytest_mcp
        pytestmark = pytest.mark.anyio
        HTTP = pytest_mcp.spawn_http("{DEMO} --http --port {{port}}")

        async def test_crash(mcp_client_factory):
            async with mcp_client_factory(server=HTTP) as client:
                await client.call("crash", code=5)

        async def test_after(mcp_client_factory):
            async with mcp_client_factory(server=HTTP) as client:
                assert (await client.call("add", a=1, b=2)).structured == {{"result": 3}}
        """
    )
    result = mcp_pytester.runpytest("-rA")
    result.stdout.fnmatch_lines(
        [
            "*- Captured MCP server replaced call -*",
            "the shared HTTP server `* -m tests.servers.demo --http --port *` at http://127.0.0.1:*/mcp (pid *) "
            "exited with code 5 during test_dead_http.py::test_crash; this test got a fresh one.",
            ADVICE,
        ],
        consecutive=True,
    )
    result.assert_outcomes(passed=1, failed=1, warnings=1)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="waits for the kill through /proc")
def test_a_server_that_died_between_tests_is_described_so(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        test_between=f"""
        import os, signal, time
        import pytest
        pytestmark = pytest.mark.anyio
        PIDS = []

        @pytest.mark.mcp_server("{DEMO}")
        async def test_first(mcp_client):
            PIDS.append((await mcp_client.call("pid")).structured["result"])

        def dead(pid):
            try:
                with open(f"/proc/{{pid}}/stat") as stat:
                    return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
            except OSError:
                return True

        def test_no_server():
            os.kill(PIDS[0], signal.SIGKILL)
            deadline = time.monotonic() + 10
            while not dead(PIDS[0]) and time.monotonic() < deadline:
                time.sleep(0.01)

        @pytest.mark.mcp_server("{DEMO}")
        async def test_third(mcp_client):
            await mcp_client.call("pid")
        """
    )
    result = mcp_pytester.runpytest("-rA")
    result.stdout.fnmatch_lines(
        [
            "the shared stdio server `*` (pid *) was killed by signal SIGKILL after test_between.py::test_first "
            "ended (it was still running then); this test got a fresh one.",
        ]
    )
    result.assert_outcomes(passed=3, warnings=1)
