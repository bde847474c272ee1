"""MCP surface coverage end to end: real pytest runs (pytester) against real servers.

The runs test ``tests.coverage.surface_server`` (a fixed surface: 3 tools, 1 resource, 1 template,
1 prompt, 18 coverage items), so the expected tables are exact.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pytest_mcp._docs import DOCS_URL

pytestmark = pytest.mark.integration

SERVER = "tests.coverage.surface_server:make_server"
LEAN = ("-p", "no:locust", "-p", "no:benchmark", "-p", "no:pytest_cov")
"""Plugins the subprocess runs do not need (each xdist worker would load them again)."""
STDIO = f"{sys.executable} -m tests.coverage.surface_server"

TESTS = """
import pytest

pytestmark = pytest.mark.anyio


async def test_paint_red(mcp_client):
    result = await mcp_client.call("paint", color="red")
    assert result.text == "red/0"


async def test_divide_by_zero(mcp_client):
    result = await mcp_client.call("divide", a=1, b=0)
    assert result.is_error


async def test_note_and_prompt(mcp_client):
    await mcp_client.read_resource("surface://notes/7")
    await mcp_client.get_prompt("greet", {"name": "Ada"})


async def test_unknown_tool(mcp_client):
    result = await mcp_client.call("nope")
    assert result.is_error
"""


def test_coverage_is_off_by_default_and_records_nothing(mcp_pytester: pytest.Pytester) -> None:
    off = mcp_pytester.parseconfigure(f"--mcp-server={SERVER}")
    assert off.pluginmanager.get_plugin("pytest_mcp.surface.session") is None
    for option in ("--mcp-cov", "--mcp-cov-term=off", "--mcp-cov-report=x.json", "--mcp-cov-fail-under=1"):
        on = mcp_pytester.parseconfigure(option)
        assert on.pluginmanager.get_plugin("pytest_mcp.surface.session") is not None, option
    mcp_pytester.makepyfile(test_surface=TESTS)
    output = mcp_pytester.runpytest(f"--mcp-server={SERVER}")
    output.assert_outcomes(passed=4)
    output.stdout.no_fnmatch_line("*MCP surface coverage*")


TABLE = [
    "*-- MCP surface coverage --*",
    "server: in-process server tests.coverage.surface_server:make_server (4 test(s))",
    "Name                                Items   Hit  Cover  Missing",
    "---------------------------------------------------------------",
    "tool divide                             4     3    75%  success",
    'tool paint                              7     3    43%  error, color="blue", color="green", arg shade',
    "tool ping_me                            2     0     0%  success, error",
    "resource surface://readme               1     0     0%  read",
    "template surface://notes/{note_id}      1     1   100%",
    "prompt greet                            3     2    67%  arg mood",
    "---------------------------------------------------------------",
    "TOTAL                                  18     9    50%",
    "not advertised but used: tools nope",
]


def check_json(path: Path) -> None:
    """The JSON report of a run of TESTS: totals, every item, unadvertised calls."""
    report = json.loads(path.read_text())
    assert report["format"] == "pytest-mcp-coverage/1"
    assert report["totals"] == {"items": 18, "covered": 9, "missing": 9, "percent": 50.0}
    (server,) = report["servers"]
    assert server["tests"] == 4
    assert server["surface_known"] is True
    assert server["unadvertised"] == {"tools": ["nope"]}
    entries = {(e["kind"], e["name"]): e for e in server["entries"]}
    assert list(entries) == [
        ("tool", "divide"),
        ("tool", "paint"),
        ("tool", "ping_me"),
        ("resource", "surface://readme"),
        ("template", "surface://notes/{note_id}"),
        ("prompt", "greet"),
    ]
    assert entries["tool", "paint"]["items"] == {
        "success": True,
        "error": False,
        "arg color": True,
        'color="blue"': False,
        'color="green"': False,
        'color="red"': True,
        "arg shade": False,
    }
    assert entries["tool", "divide"]["items"] == {"success": False, "error": True, "arg a": True, "arg b": True}
    assert entries["prompt", "greet"]["missing"] == ["arg mood"]
    assert entries["template", "surface://notes/{note_id}"]["totals"] == {
        "items": 1,
        "covered": 1,
        "missing": 0,
        "percent": 100.0,
    }


def test_table_json_file_and_fail_under_failing_the_run(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(test_surface=TESTS)
    result = mcp_pytester.runpytest(
        f"--mcp-server={SERVER}", "--mcp-cov-report=out/mcp-cov.json", "--mcp-cov-fail-under=90"
    )
    result.assert_outcomes(passed=4)
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # every test passed; the coverage is too low
    result.stdout.fnmatch_lines(TABLE, consecutive=True)
    result.stdout.fnmatch_lines(
        [
            "MCP surface coverage JSON written to out/mcp-cov.json",
            "FAIL Required MCP surface coverage of 90% not reached. Total coverage: 50.00% "
            f"(9/18 items; see {DOCS_URL}coverage.md)",
        ],
        consecutive=True,
    )
    check_json(mcp_pytester.path / "out" / "mcp-cov.json")
    path = json.loads((mcp_pytester.path / "out" / "mcp-cov.json").read_text())["servers"][0]["server"]
    assert path == "in-process server tests.coverage.surface_server:make_server"


def test_summary_mode_and_a_fail_under_from_the_ini_file_that_is_met(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(test_surface=TESTS)
    mcp_pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
        "    default::mcp.MCPDeprecationWarning\nmcp_cov_fail_under = 50\nmcp_cov_term = summary\n"
    )
    result = mcp_pytester.runpytest(f"--mcp-server={SERVER}")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        [
            "*-- MCP surface coverage --*",
            "server: in-process server tests.coverage.surface_server:make_server (4 test(s))",
            "Name   Items   Hit  Cover",
            "-------------------------",
            "TOTAL     18     9    50%",
            "not advertised but used: tools nope",
            "Required MCP surface coverage of 50% reached. Total coverage: 50.00%",
        ],
        consecutive=True,
    )
    result.stdout.no_fnmatch_line("tool paint*")


def test_a_bad_fail_under_value_is_a_usage_error(mcp_pytester: pytest.Pytester) -> None:
    result = mcp_pytester.runpytest("--mcp-cov-fail-under=120")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mcp-cov-fail-under: '120' must be a percentage between 0 and 100*"])


@pytest.mark.slow
def test_xdist_workers_merge_into_the_same_table_and_json_as_one_process(mcp_pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    mcp_pytester.makepyfile(test_surface=TESTS)
    result = mcp_pytester.runpytest_subprocess(
        f"--mcp-server={SERVER}", "--mcp-cov-report=xdist.json", "-n", "2", "--dist=load", *LEAN, timeout=120
    )
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["created: 2/2 workers"])
    result.stdout.fnmatch_lines(TABLE, consecutive=True)  # the very lines of the single-process run
    check_json(mcp_pytester.path / "xdist.json")


def test_calls_from_several_clients_and_eras_count_once_per_item(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        test_more="""
        import pytest

        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_era("both")
        async def test_paint_all(mcp_client, mcp_client_factory):
            for color in ("red", "green"):
                await mcp_client.call("paint", color=color, shade=1)
            async with mcp_client_factory() as other:
                await other.call("paint", color="blue")
                assert (await other.call("paint", color="blue", shade=-1)).is_error
        """
    )
    result = mcp_pytester.runpytest(f"--mcp-server={SERVER}", "--mcp-cov")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["server: in-process server tests.coverage.surface_server:make_server (2 test(s))", "*", "*", "tool divide*"]
    )
    result.stdout.fnmatch_lines(["tool paint                              7     7   100%"])


def test_a_dead_server_has_an_unknown_surface_unless_a_transcript_listed_it(mcp_pytester: pytest.Pytester) -> None:
    demo = f"{sys.executable} -m tests.servers.demo"
    listed = f"{demo} --slow-start 0"  # the same server under another name: its own coverage entry
    mcp_pytester.makepyfile(
        test_crash=f"""
        import pytest
        from pytest_mcp import McpServerCrashed

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_fresh_server]

        @pytest.mark.mcp_server({demo!r})
        async def test_crash(mcp_client):
            with pytest.raises(McpServerCrashed):
                await mcp_client.call("crash", code=3)

        @pytest.mark.mcp_server({listed!r})
        async def test_list_then_crash(mcp_client):
            assert "crash" in [tool.name for tool in await mcp_client.tools()]
            await mcp_client.call("echo", text="x")
            with pytest.raises(McpServerCrashed):
                await mcp_client.call("crash", code=3)
        """
    )
    result = mcp_pytester.runpytest("--mcp-cov-report=cov.json")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [f"server: stdio server `{demo}` (1 test(s))", "  surface unknown (the server could not be listed: *)"],
        consecutive=True,
    )
    known, unknown = json.loads((mcp_pytester.path / "cov.json").read_text())["servers"]
    assert unknown["server"] == f"stdio server `{demo}`"
    assert (unknown["surface_known"], unknown["entries"]) == (False, [])
    assert unknown["discovery_error"]
    assert known["server"] == f"stdio server `{listed}`"
    assert known["surface_known"] is True
    assert known["discovery_error"]  # the surface came from the transcript's tools/list, not from asking
    entries = {(e["kind"], e["name"]): e for e in known["entries"]}
    assert entries["tool", "echo"]["items"] == {"success": True, "error": False, "arg text": True}
    # a call that never got a reply (crash, timeout) counts for its arguments but for neither outcome
    assert entries["tool", "crash"]["items"] == {"success": False, "error": False, "arg code": True}
    assert ("resource", "demo://greeting") not in entries  # resources were never listed, so not known
