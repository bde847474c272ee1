"""mcp_client under every async style a user may have: anyio's plugin (marked or auto mode) and
pytest-asyncio (strict and auto modes, function, module and session loop scopes), on every
transport (in-process, stdio, spawned HTTP, a URL, ASGI) and in both eras.

The test project is written the way a user writes one: its own small SDK server, ``pythonpath``
in its ini file, and no ``anyio_backend`` fixture unless the style needs one.
"""

from __future__ import annotations

import pytest

SERVER = """
import sys
from mcp.server.mcpserver import MCPServer

mcp = MCPServer("adder", version="1.0")


@mcp.tool()
def add(a: int, b: int) -> int:
    \"\"\"Add two integers.\"\"\"
    return a + b


if __name__ == "__main__":
    if sys.argv[1:2] == ["--http"]:
        mcp.run(transport="streamable-http", port=int(sys.argv[2]))
    else:
        mcp.run()
"""

CONFTEST = """
import socket
import subprocess
import sys
import time

import httpx2
import pytest
import pytest_mcp

PY = sys.executable
TARGETS = [
    "adder:mcp",
    f"{PY} adder.py",
    pytest_mcp.spawn_http(f"{PY} adder.py --http {{port}}", url="http://127.0.0.1:{port}/mcp"),
    pytest_mcp.asgi("adder:mcp"),
]


@pytest.fixture(scope="session")
def url_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([PY, "adder.py", "--http", str(port)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                httpx2.get(f"http://127.0.0.1:{port}/mcp", timeout=1)
                break
            except httpx2.TransportError:
                assert time.monotonic() < deadline, "the URL server did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.kill()
        process.wait()
"""

TESTS = """
import pytest
from conftest import TARGETS

pytestmark = [{marks}]


@pytest.mark.mcp_server(*TARGETS)
@pytest.mark.parametrize("era", ["2025-11-25", "2026-07-28"])
async def test_each_transport_and_era(mcp_client, mcp_client_factory, era):
    assert (await mcp_client.call("add", a=1, b=2)).structured == {{"result": 3}}
    async with mcp_client_factory(era=era) as client:
        assert client.era == era
        assert (await client.call("add", a=2, b=2)).structured == {{"result": 4}}


@pytest.fixture
def mcp_server_target(url_server):
    return url_server


async def test_a_url(mcp_client):
    assert (await mcp_client.call("add", a=3, b=4)).structured == {{"result": 7}}
"""

ANYIO_BACKEND = """

@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"
"""

STYLES = {
    "anyio-marked": ("", "pytest.mark.anyio", True),
    "anyio-auto": ("anyio_mode = auto\n", "", True),
    # An unmarked async test asking for mcp_client is run by anyio's plugin (as it always was).
    "anyio-unmarked": ("", "", True),
    "asyncio-strict": ("", "pytest.mark.asyncio", False),
    "asyncio-strict-module-loop": ("", "pytest.mark.asyncio(loop_scope='module')", False),
    "asyncio-auto": ("asyncio_mode = auto\n", "", False),
    "asyncio-auto-session-loop": ("asyncio_mode = auto\nasyncio_default_test_loop_scope = session\n", "", False),
    # pytest-asyncio's auto mode also runs the tests marked for anyio; the client must follow it.
    "anyio-marked-under-asyncio-auto": ("asyncio_mode = auto\n", "pytest.mark.anyio", True),
}


def write_project(pytester: pytest.Pytester, ini: str, marks: str, anyio_backend: bool) -> None:
    pytester.makeini(
        "[pytest]\npythonpath = .\nasyncio_default_fixture_loop_scope = function\n"
        + ini
        + "filterwarnings =\n    error\n    default::mcp.MCPDeprecationWarning\n"
    )
    pytester.makepyfile(adder=SERVER, conftest=CONFTEST + (ANYIO_BACKEND if anyio_backend else ""))
    pytester.makepyfile(test_adder=TESTS.format(marks=marks))


@pytest.mark.parametrize("style", list(STYLES))
def test_every_transport_and_era_under_each_style(pytester: pytest.Pytester, style: str) -> None:
    write_project(pytester, *STYLES[style])
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider", timeout=240)
    result.assert_outcomes(passed=9)
    result.stdout.fnmatch_lines(["*test_each_transport_and_era[[]stdio-2026-07-28[]] PASSED*", "*test_a_url PASSED*"])
    result.stdout.no_fnmatch_line("*trio*")


def test_a_synchronous_test_is_told_at_once(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\npythonpath = .\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(adder=SERVER)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mcp_server("adder:mcp")
        def test_sync(mcp_client):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "mcp_client is an async fixture, and no async plugin runs test_*.py::test_sync. "
            "Make the test an async def and mark it @pytest.mark.anyio *"
        ]
    )
    result.stdout.no_fnmatch_line("*Traceback*")


def test_the_client_lives_in_one_task_under_pytest_asyncio(pytester: pytest.Pytester) -> None:
    """Set-up and tear-down run as two tasks; the SDK's task groups must not see that."""
    pytester.makeini(
        "[pytest]\npythonpath = .\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
    )
    pytester.makepyfile(adder=SERVER)
    pytester.makepyfile(
        """
        import asyncio
        import sys
        import pytest

        @pytest.mark.asyncio
        @pytest.mark.mcp_server(f"{sys.executable} adder.py")
        async def test_many_calls(mcp_client):
            results = await asyncio.gather(*(mcp_client.call("add", a=i, b=1) for i in range(20)))
            assert [r.structured["result"] for r in results] == [i + 1 for i in range(20)]
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*cancel scope*")
