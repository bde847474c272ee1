"""The ``mcp_load`` fixture and ``assert_slo`` in real pytest sessions (pytester) against the demo server."""

from __future__ import annotations

import sys

import pytest

from pytest_mcp._docs import DOCS_URL

from .conftest import everything_server

pytestmark = pytest.mark.load

INPROC = "tests.servers.demo:make_server"
STDIO = f"{sys.executable} -m tests.servers.demo"


def test_passing_slo_and_the_summary(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import pytest
        from pytest_mcp.load import call

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({INPROC!r})]

        async def test_mix(mcp_load):
            stats = await mcp_load(
                [call("add", {{"a": 1, "b": 2}}, weight=3), call("echo", lambda n: {{"text": f"m{{n}}"}})],
                users=4,
                calls=120,
            )
            stats.assert_slo(p95_ms=5000, error_rate=0.0, min_rps=1, min_calls=120)
            assert stats.calls == 120 and stats.stopped_by == "calls"
            assert stats["add"].calls + stats["echo"].calls == 120
            assert stats["add"].calls > stats["echo"].calls
            assert stats.users == 4
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*- mcp load -*",
            "test_passing_slo_and_the_summary.py::test_mix: 120 calls, * calls/s, p50 * ms, p95 * ms, p99 * ms, "
            "max * ms, errors 0 (0.00%)",
        ],
        consecutive=True,
    )


def test_failing_slo_shows_the_table(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({INPROC!r})]

        async def test_slow_and_broken(mcp_load):
            stats = await mcp_load({{"add": {{"a": 1, "b": 2}}, "fail": {{"message": "boom"}}}}, users=2, calls=60, seed=7)
            stats.assert_slo(p95_ms=0.0001, error_rate=0.01)
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_mcp.errors.McpAssertionError: SLO not met by the load on the in-process server "
            f"{INPROC} (2 users, * s, era 2026-07-28, sdk engine, stopped by calls):",
            "E         p95 latency * ms > 0.0001 ms",
            "E         error rate *% > 1.00% (* of 60 calls failed: * is_error)",
            "E       ",
            "E         name   calls  errors   err %  calls/s  p50 ms  p95 ms  p99 ms  max ms",
            "E         add   * 0    0.00 *",
            "E         fail  * 100.00 *",
            "E         TOTAL * 60 *",
            "E         first errors:",
            "E           fail: is_error: Error executing tool fail",
            f"E         (see {DOCS_URL}load.md#slos)",
        ],
        consecutive=True,
    )
    # the statistics are also a section of the failure report
    result.stdout.fnmatch_lines(["*- MCP load -*", f"load on the in-process server {INPROC} (2 users, *"])


def test_calls_bound_is_exact_and_duration_bound_stops(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import time
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({INPROC!r})]

        async def test_calls(mcp_load):
            stats = await mcp_load({{"count": None}}, users=3, calls=37)
            assert (stats.calls, stats.stopped_by) == (37, "calls")

        async def test_duration(mcp_load):
            started = time.monotonic()
            stats = await mcp_load({{"add": {{"a": 1, "b": 1}}}}, users=2, duration=0.5, wait=(0.001, 0.002))
            elapsed = time.monotonic() - started
            assert stats.stopped_by == "duration"
            assert 0.5 <= stats.duration_s < 1.5 and elapsed < 5
            assert stats.calls > 10

        async def test_both_bounds_calls_first(mcp_load):
            stats = await mcp_load({{"add": {{"a": 1, "b": 1}}}}, users=2, calls=5, duration=10)
            assert (stats.calls, stats.stopped_by) == (5, "calls") and stats.duration_s < 5
        """
    )
    load_pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_timeouts_crash_free_scenarios_and_error_kinds(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import pytest
        from pytest_mcp.load import call, scenario

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({INPROC!r})]

        async def add_then_echo(client):
            total = await client.call("add", a=2, b=3)
            return await client.call("echo", text=str(total.structured["result"]))

        async def broken(client):
            raise RuntimeError("scenario went wrong")

        @pytest.mark.mcp_timeout(0.2)
        async def test_kinds(mcp_load):
            stats = await mcp_load(
                [call("sleep", {{"seconds": 1}}, name="slow"), scenario(add_then_echo), scenario(broken)],
                users=3,
                calls=9,
                seed=1,
            )
            assert stats["slow"].errors_by_kind == {{"timeout": stats["slow"].calls}}
            assert stats["slow"].error_samples[0].startswith("timeout: no reply to tools/call 'sleep' within 0.2 s")
            assert stats["add_then_echo"].errors == 0 and stats["add_then_echo"].calls > 0
            assert stats["broken"].errors_by_kind == {{"exception": stats["broken"].calls}}
            assert stats["broken"].error_samples == ("exception: RuntimeError: scenario went wrong",)
            assert stats.calls == 9
        """
    )
    load_pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.parametrize("era", ["2026-07-28", "2025-11-25"])
def test_http_and_stdio_targets_in_both_eras(load_pytester: pytest.Pytester, era: str) -> None:
    load_pytester.makepyfile(
        f"""
        import sys
        import pytest
        from pytest_mcp import spawn_http
        from pytest_mcp.load import call

        HTTP = spawn_http(sys.executable, "-m", "tests.servers.demo", "--http", "--port", "{{port}}")
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_era({era!r})]

        @pytest.mark.mcp_server(HTTP, {STDIO!r})
        async def test_load(mcp_load, mcp_server):
            stats = await mcp_load([call("add", {{"a": 1, "b": 2}}), call("echo", {{"text": "hé"}})], users=3, calls=30)
            stats.assert_slo(error_rate=0.0, min_calls=30)
            assert stats.era == {era!r}
            assert stats.target.startswith("HTTP server http://127.0.0.1:") or stats.target.startswith("stdio server")
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2)


def test_progress_lines_for_long_runs_only(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({INPROC!r})]

        @pytest.mark.mcp_load(users=2, wait=0.01)
        async def test_long(mcp_load):
            await mcp_load({{"add": {{"a": 1, "b": 2}}}}, duration=2.2)

        async def test_short(mcp_load):
            await mcp_load({{"add": {{"a": 1, "b": 2}}}}, calls=5)
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider", "--mcp-load-progress=0.5")
    result.assert_outcomes(passed=2)
    # one line per 0.5 s of the 2.2 s run (the elapsed times may lag a little on a busy machine)
    result.stdout.re_match_lines(
        [
            r"mcp_load test_progress_lines_for_long_runs_only.py::test_long: 0\.\d/2\.2 s, 2 users, \d+ calls, "
            r"[\d.]+ calls/s, p95 [\d.]+ ms, errors 0 \(0\.00%\)",
            r"mcp_load test_progress_lines_for_long_runs_only.py::test_long: 1\.\d/2\.2 s, 2 users, \d+ calls, .*",
        ]
    )
    result.stdout.no_fnmatch_line("mcp_load *::test_short:*")
    quiet = load_pytester.runpytest("-p", "no:cacheprovider")
    quiet.assert_outcomes(passed=2)
    quiet.stdout.no_fnmatch_line("mcp_load *::test_long:*")


def test_marker_defaults_nearest_wins_and_bad_keywords(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({INPROC!r}), pytest.mark.mcp_load(users=5, calls=10)]

        @pytest.mark.mcp_load(users=2)
        async def test_marker(mcp_load):
            stats = await mcp_load({{"count": None}})
            assert (stats.users, stats.calls) == (2, 10)
            stats = await mcp_load({{"count": None}}, calls=3)
            assert (stats.users, stats.calls) == (2, 3)
            assert len(mcp_load.runs) == 2

        @pytest.mark.mcp_load(user=3)
        async def test_typo_in_marker(mcp_load):
            pass

        async def test_typo_in_call(mcp_load):
            await mcp_load({{"count": None}}, duraton=1)
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.mcp_load: got an unexpected keyword argument 'user'. Signature: mcp_load(*, users: int = 1, "
            "duration: float | None = None, calls: int | None = None, *: default keywords of the test's mcp_load "
            f"runs. See {DOCS_URL}load.md.",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "E * pytest_mcp.errors.McpUsageError: mcp_load(...): got an unexpected keyword argument 'duraton'; "
            f"the keywords are: users, duration, calls, wait, seed, warmup, allow_remote, engine, timeout, client (see {DOCS_URL}load.md)"
        ]
    )


def test_bounds_are_required_and_capped(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({INPROC!r})]

        async def test_no_bound(mcp_load):
            await mcp_load({{"count": None}}, users=2)

        async def test_too_long(mcp_load):
            await mcp_load({{"count": None}}, duration=5)

        async def test_calls_only_runs_stop_at_the_cap(mcp_load):
            stats = await mcp_load({{"sleep": {{"seconds": 0.05}}}}, calls=10_000)
            assert stats.stopped_by == "deadline"
            assert 1.0 <= stats.duration_s < 2.0
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider", "--mcp-load-max-duration=1")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "E * pytest_mcp.errors.McpUsageError: mcp_load needs a bound: duration=SECONDS, calls=N or both "
            f"(whichever comes first ends the run); see {DOCS_URL}load.md",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "E * pytest_mcp.errors.McpUsageError: mcp_load(duration=5) is longer than the 1 s allowed; raise "
            "--mcp-load-max-duration (ini mcp_load_max_duration) for longer runs",
        ]
    )


def test_bad_option_value_is_a_usage_error(load_pytester: pytest.Pytester) -> None:
    result = load_pytester.runpytest("-p", "no:cacheprovider", "--mcp-load-progress=-1")
    result.stderr.fnmatch_lines(["ERROR: --mcp-load-progress: '-1' must be a number of seconds >= 0 (0 turns it off)"])


def test_remote_servers_are_refused(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        """
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("http://192.0.2.10:8000/mcp")]

        async def test_remote(mcp_load):
            await mcp_load({"add": {"a": 1, "b": 2}}, calls=1)
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * pytest_mcp.errors.McpUsageError: mcp_load only loads servers on this machine (loopback), and "
            "http://192.0.2.10:8000/mcp is on '192.0.2.10'. Pass allow_remote=True if you own that server, or use "
            f"the Locust user class for load beyond one machine (see {DOCS_URL}load.md#locust)",
        ]
    )


def test_connection_failure_names_the_user(load_pytester: pytest.Pytester) -> None:
    from pytest_mcp.server.process import free_port

    load_pytester.makepyfile(
        f"""
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("http://127.0.0.1:{free_port()}/mcp")]

        @pytest.mark.mcp_timeout(2)
        async def test_nobody_home(mcp_load):
            await mcp_load({{"add": {{"a": 1, "b": 2}}}}, users=2, calls=1)
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * pytest_mcp.errors.McpConnectionError: load user * of 2 could not connect to the HTTP server http://127.0.0.1:*"
        ]
    )


def test_handshake_only_server_is_skipped_in_2026(load_pytester: pytest.Pytester) -> None:
    everything = everything_server()
    load_pytester.makepyfile(
        f"""
        import pytest
        from pytest_mcp import stdio

        EVERYTHING = stdio("node", {str(everything)!r}, "stdio")
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server(EVERYTHING)]

        @pytest.mark.mcp_era("2025-11-25")
        async def test_legacy(mcp_load):
            stats = await mcp_load({{"echo": {{"message": "hi"}}}}, users=2, calls=20)
            stats.assert_slo(error_rate=0.0, min_calls=20)

        @pytest.mark.mcp_era("2026-07-28")
        async def test_modern(mcp_load):
            await mcp_load({{"echo": {{"message": "hi"}}}}, users=2, calls=20)
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED * does not speak 2026-07-28* (use --mcp-unsupported-era=fail to fail instead)"]
    )


@pytest.mark.anyio
async def test_run_load_takes_the_marker_s_options_type() -> None:
    from pytest_mcp.errors import McpUsageError
    from pytest_mcp.load import LoadOptions, call, run_load
    from pytest_mcp.server.running import RunningServer
    from pytest_mcp.server.targets import parse_target
    from pytest_mcp.settings import Settings

    server = RunningServer(parse_target(INPROC), Settings()).start()
    try:
        options = LoadOptions(users=2, calls=6, seed=1, timeout=5)
        by_options = await run_load(server, [call("add", {"a": 1, "b": 2})], options)
        by_keywords = await run_load(server, [call("add", {"a": 1, "b": 2})], users=2, calls=6, seed=1, timeout=5)
        assert (by_options.users, by_options.calls) == (by_keywords.users, by_keywords.calls) == (2, 6)
        with pytest.raises(McpUsageError, match="either a LoadOptions or its keywords, not both"):
            await run_load(server, [call("add", {"a": 1, "b": 2})], options, calls=3)
        with pytest.raises(McpUsageError, match=r"run_load\(\.\.\.\): got an unexpected keyword argument 'user'"):
            await run_load(server, [call("add", {"a": 1, "b": 2})], user=2, calls=3)
    finally:
        server.stop()
