"""Targets: the four ways to name a server, nearest wins, and parsing."""

from __future__ import annotations

import pytest

from pytest_mcp import asgi, http, in_process, parse_target, spawn_http, stdio
from pytest_mcp.server.targets import HttpTarget, InProcessTarget, StdioTarget

from .conftest import INI

TEST_WHICH_SERVER = """
import pytest

pytestmark = pytest.mark.anyio

async def test_which(mcp_client):
    print("SERVER:", mcp_client.describe())
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pkg.mod:attr", InProcessTarget("pkg.mod:attr")),
        ("pkg.mod:factory.method", InProcessTarget("pkg.mod:factory.method")),
        ("http://127.0.0.1:8000/mcp", HttpTarget("http://127.0.0.1:8000/mcp")),
        ("python -m my_server --flag 'a b'", StdioTarget(("python", "-m", "my_server", "--flag", "a b"))),
        ("./bin/srv", StdioTarget(("./bin/srv",))),
    ],
)
def test_parse_target(text: str, expected: object) -> None:
    assert parse_target(text) == expected


def test_constructors() -> None:
    assert stdio("node", "dist/index.js", env={"A": "1"}).command == ("node", "dist/index.js")
    assert stdio("node", env={"B": "2", "A": "1"}).env == (("A", "1"), ("B", "2"))
    assert spawn_http("srv --port {port}").url == "http://127.0.0.1:{port}/mcp"
    assert http("https://example.test/mcp", headers={"X": "1"}).headers == (("X", "1"),)
    assert in_process("a.b:c").id == "inproc"
    assert asgi("a.b:app", path="/x").path == "/x"
    with pytest.raises(ValueError, match="needs an http:// or https:// URL"):
        http("127.0.0.1:8000")
    with pytest.raises(ValueError, match=r"'package\.module:attribute'"):
        in_process("not a path")
    with pytest.raises(ValueError, match="non-empty command"):
        stdio("")


def test_without_a_target_the_error_names_all_four_ways(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(TEST_WHICH_SERVER)
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(
        [
            "*No MCP server to test. Name one in any of these ways (nearest wins):",
            "*1. a marker on the test:      @pytest.mark.mcp_server(*",
            "*2. a fixture in conftest.py:*",
            "*3. the command line:          pytest --mcp-server=*",
            "*4. the ini file:              [[]pytest] mcp_server = *",
        ]
    )
    result.assert_outcomes(errors=1)


def test_ini_then_cli_then_fixture_then_marker(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makeini(INI + "mcp_server = tests.servers.demo:server\n")
    mcp_pytester.makepyfile(TEST_WHICH_SERVER)
    result = mcp_pytester.runpytest("-s")
    result.stdout.fnmatch_lines(["*SERVER: in-process server tests.servers.demo:server"])

    result = mcp_pytester.runpytest("-s", "--mcp-server=tests.servers.demo:make_server")
    result.stdout.fnmatch_lines(["*SERVER: in-process server tests.servers.demo:make_server"])

    mcp_pytester.makeconftest(
        """
        import pytest, pytest_mcp

        @pytest.fixture(scope="session")
        def anyio_backend():
            return "asyncio"

        @pytest.fixture
        def mcp_server_target():
            return pytest_mcp.in_process("tests.servers.demo:make_server", name="from-fixture")
        """
    )
    result = mcp_pytester.runpytest("-s", "--mcp-server=tests.servers.demo:server")
    result.stdout.fnmatch_lines(["*SERVER: in-process server tests.servers.demo:make_server"])

    mcp_pytester.makepyfile(
        """
        import pytest

        @pytest.mark.anyio
        @pytest.mark.mcp_server("tests.servers.demo:server")
        async def test_which(mcp_client):
            print("SERVER:", mcp_client.describe())
        """
    )
    result = mcp_pytester.runpytest("-s")
    result.stdout.fnmatch_lines(["*SERVER: in-process server tests.servers.demo:server"])
    result.assert_outcomes(passed=1)


def test_a_bad_import_path_says_what_is_missing(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(TEST_WHICH_SERVER)
    result = mcp_pytester.runpytest("--mcp-server=tests.servers.demo:nope")
    result.stdout.fnmatch_lines(["*'tests.servers.demo:nope': 'tests.servers.demo' has no attribute 'nope' (it has: *"])
    result = mcp_pytester.runpytest("--mcp-server=tests.servers.demo:Name")
    result.stdout.fnmatch_lines(["*resolved to Name, not an MCP server*"])
