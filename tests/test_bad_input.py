"""When things go wrong: bad marker and option values, a handshake that hangs, a tool that never returns.

Each message is checked line by line: what was given, what to give instead, and nothing of the
plugin's own frames.
"""

from __future__ import annotations

import sys
import textwrap
import time

import pytest

from .conftest import INI

INPROC = "tests.servers.demo:make_server"

REFUSES_DISCOVER = """\
import json, sys

# Answers server/discover with "method not found", then reads on and never answers initialize.
for line in sys.stdin:
    message = json.loads(line)
    if message.get("method") == "server/discover":
        error = {"code": -32601, "message": "Method not found"}
        sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message["id"], "error": error}) + "\\n")
        sys.stdout.flush()
"""
"""A raw stdio server of the handshake era that hangs in ``initialize``."""

SLEEPY = """\
import time

from mcp.server.mcpserver import MCPServer

server = MCPServer("sleepy")


@server.tool()
def sleepy() -> str:
    time.sleep(3600)  # a sync tool: the SDK runs it on a worker thread, which nothing can stop
    return "never"
"""


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("mcp_timeout(-5)", "@pytest.mark.mcp_timeout(-5): give seconds > 0 as a finite number, not -5"),
        ("mcp_timeout(0)", "@pytest.mark.mcp_timeout(0): give seconds > 0 as a finite number, not 0"),
        ("mcp_timeout('soon')", "@pytest.mark.mcp_timeout('soon'): give seconds > 0 as a finite number, not 'soon'"),
        ("mcp_timeout(float('inf'))", "@pytest.mark.mcp_timeout(inf): give seconds > 0 as a finite number, not inf"),
        ("mcp_timeout(float('nan'))", "@pytest.mark.mcp_timeout(nan): give seconds > 0 as a finite number, not nan"),
        ("mcp_timeout(True)", "@pytest.mark.mcp_timeout(True): give seconds > 0 as a finite number, not True"),
        (
            "mcp_server()",
            "@pytest.mark.mcp_server(): name at least one target: 'pkg.module:attr' (in-process), "
            "'http(s)://...' (a running server) or a command line (stdio)",
        ),
        (
            f"mcp_server({INPROC!r}, fresh='yes please')",
            f"@pytest.mark.mcp_server({INPROC!r}, fresh='yes please'): fresh: give True or False, not 'yes please'",
        ),
        (
            "mcp_client(log_level='loud')",
            "@pytest.mark.mcp_client(log_level='loud'): log_level: 'loud' is not one of: "
            "debug, info, notice, warning, error, critical, alert, emergency",
        ),
        (
            "mcp_client(raise_exceptions='yes')",
            "@pytest.mark.mcp_client(raise_exceptions='yes'): raise_exceptions: give True or False, not 'yes'",
        ),
        (
            "mcp_client(headers={'X-Id': 7})",
            "@pytest.mark.mcp_client(headers={'X-Id': 7}): headers: give a dict of header names to str values, "
            "not {'X-Id': 7}",
        ),
    ],
)
def test_a_bad_marker_value_errors_the_test_with_one_clean_line(
    mcp_pytester: pytest.Pytester, marker: str, message: str
) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.anyio
        @pytest.mark.mcp_server({INPROC!r})
        @pytest.mark.{marker}
        async def test_a(mcp_client): pass
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(["*_ ERROR at setup of test_a _*", message, "=*short test summary info*"])
    result.stdout.no_fnmatch_line("*pytest_mcp*.py:*")  # no traceback through the plugin
    result.assert_outcomes(errors=1)


def test_a_bad_marker_is_caught_even_when_the_test_uses_no_mcp_fixture(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mcp_timeout(-5)
        def test_a(): pass

        def test_b(): pass
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(["@pytest.mark.mcp_timeout(-5): give seconds > 0 as a finite number, not -5"])
    result.assert_outcomes(errors=1, passed=1)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("mcp_load(users='8')", "@pytest.mark.mcp_load(users='8'): users: give a whole number, not '8'"),
        (
            "mcp_load(duration=-1)",
            "@pytest.mark.mcp_load(duration=-1): duration: give seconds > 0 as a finite number, not -1",
        ),
        (
            "mcp_load(timeout=float('inf'))",
            "@pytest.mark.mcp_load(timeout=inf): timeout: give seconds > 0 as a finite number, not inf",
        ),
        (
            "mcp_http_mock(assert_all_called='no')",
            "@pytest.mark.mcp_http_mock(assert_all_called='no'): assert_all_called: give True or False, not 'no'",
        ),
        ("mcp_chaos(handshake=1)", "@pytest.mark.mcp_chaos(handshake=1): handshake: give True or False, not 1"),
        ("mcp_token(sub=42)", "@pytest.mark.mcp_token(sub=42): sub: give a string or None, not 42"),
        (
            "mcp_snapshot(uuids='off')",
            "@pytest.mark.mcp_snapshot(uuids='off'): uuids: give True or False, not 'off'",
        ),
    ],
)
def test_feature_markers_are_checked_against_their_signatures_types(
    mcp_pytester: pytest.Pytester, marker: str, message: str
) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_a(): pass
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(["*_ ERROR at setup of test_a _*", message])
    result.assert_outcomes(errors=1)


def test_a_bad_era_marker_errors_the_test_with_the_option_s_message(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.anyio
        @pytest.mark.mcp_server({INPROC!r})
        @pytest.mark.mcp_era("2024")
        async def test_a(mcp_client): pass

        def test_b(): pass
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(
        ["@pytest.mark.mcp_era('2024'): '2024' is not one of: auto, 2025-11-25, 2026-07-28, both"]
    )
    result.stdout.no_fnmatch_line("*pytest_mcp*.py:*")
    result.assert_outcomes(errors=1, passed=1)


def test_a_bad_target_among_several_is_a_collection_error_of_one_line(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.anyio
        @pytest.mark.mcp_server({INPROC!r}, "http://")
        async def test_a(mcp_client): pass
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(
        [
            f"@pytest.mark.mcp_server({INPROC!r}, 'http://'): 'http://' is not a valid URL: it has no host "
            "(e.g. http://127.0.0.1:8000/mcp)"
        ]
    )
    result.stdout.no_fnmatch_line("*pytest_mcp*.py:*")
    result.assert_outcomes(errors=1)


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (["--mcp-timeout=inf"], "", "ERROR: --mcp-timeout: give seconds > 0 as a finite number, not 'inf'"),
        (["--mcp-timeout=nan"], "", "ERROR: --mcp-timeout: give seconds > 0 as a finite number, not 'nan'"),
        (["--mcp-timeout=-5"], "", "ERROR: --mcp-timeout: give seconds > 0 as a finite number, not '-5'"),
        (["--mcp-timeout=soon"], "", "ERROR: --mcp-timeout: give seconds > 0 as a finite number, not 'soon'"),
        (
            ["--mcp-startup-timeout=Infinity"],
            "",
            "ERROR: --mcp-startup-timeout: give seconds > 0 as a finite number, not 'Infinity'",
        ),
        (
            [],
            "mcp_timeout = -1",
            "ERROR: ini option mcp_timeout: give seconds > 0 as a finite number, not '-1'",
        ),
    ],
)
def test_timeouts_must_be_finite_and_positive_on_the_command_line_and_in_the_ini_file(
    mcp_pytester: pytest.Pytester, args: list[str], ini: str, message: str
) -> None:
    mcp_pytester.makeini(f"{INI}{ini}\n")
    mcp_pytester.makepyfile("def test_nothing(): pass")
    result = mcp_pytester.runpytest(*args)
    result.stderr.fnmatch_lines([message])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_timeout_given_in_code_is_checked_on_the_test_s_own_line(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest
        from pytest_mcp import McpUsageError

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({INPROC!r})]

        async def test_factory(mcp_client_factory):
            mcp_client_factory(timeout=float("inf"))

        async def test_call(mcp_client):
            with pytest.raises(McpUsageError, match=r"call_tool\\(timeout=-1\\): give seconds > 0"):
                await mcp_client.call_tool("echo", {{"text": "x"}}, timeout=-1)

        async def test_era(mcp_client_factory):
            with pytest.raises(McpUsageError, match=r"mcp_client_factory\\(era='2024'\\): '2024' is not one of"):
                mcp_client_factory(era="2024")
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(
        [
            '>       mcp_client_factory(timeout=float("inf"))',
            "E       pytest_mcp.errors.McpUsageError: mcp_client_factory(timeout=inf): "
            "give seconds > 0 as a finite number, not inf",
        ]
    )
    result.stdout.no_fnmatch_line("*pytest_mcp*.py:*")
    result.assert_outcomes(failed=1, passed=2)


def test_a_handshake_that_hangs_after_discover_names_initialize(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(refuses_discover=REFUSES_DISCOVER)
    command = f"{sys.executable} refuses_discover.py"
    mcp_pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.anyio
        @pytest.mark.mcp_server({command!r})
        async def test_connects(mcp_client): pass
        """
    )
    result = mcp_pytester.runpytest("--mcp-timeout=0.5", "--mcp-startup-timeout=1")
    result.stdout.fnmatch_lines(
        [
            "*no reply to initialize (connecting: 2025-11-25 handshake, after server/discover "
            "was answered with error -32601) within 1 s from the stdio server `*refuses_discover.py` "
            "(connecting may take the larger of --mcp-timeout and --mcp-startup-timeout)",
        ]
    )
    result.stdout.no_fnmatch_line("*no reply to server/discover*")
    result.assert_outcomes(errors=1)


def test_a_sync_tool_that_never_returns_does_not_hang_pytest_at_exit(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(sleepy_server=SLEEPY)
    mcp_pytester.makepyfile(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.anyio
            @pytest.mark.mcp_server("sleepy_server:server")
            @pytest.mark.mcp_timeout(0.5)
            async def test_sleepy(mcp_client):
                await mcp_client.call("sleepy")
            """
        )
    )
    started = time.monotonic()
    result = mcp_pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=60)
    assert time.monotonic() - started < 20
    result.stdout.fnmatch_lines(
        [
            "*McpTimeoutError: no reply to tools/call 'sleepy' within 0.5 s from the in-process server "
            "sleepy_server:server*",
            "*= 1 failed in *",
            "pytest_mcp: ending the process with exit code 1: after timeouts of tools/call 'sleepy' of the "
            "in-process server sleepy_server:server, 1 thread(s) still run "
            "('AnyIO worker thread' in sleepy() at sleepy_server.py:*) and would keep Python from exiting. "
            "See *docs/targets.md#a-sync-tool-that-never-returns",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
