"""``--mcp-suite-jobs N``: a server's conformance checks side by side end as they do one by one (over HTTP in one
event loop, over stdio in lanes of their own)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import pytest

from tests.suite.conftest import RAW_SERVER, junit_outcomes
from tests.suite.http_servers import serve

DEFECTS = ("id-as-string", "sequential-sessions")
"""Defects whose checks fail one by one over HTTP: request ids and session ids. The checks that wait
(a slow call beside a quick one, cancellation windows) pass, one by one and side by side."""


@pytest.fixture(scope="module")
def defective_url() -> Iterator[str]:
    command = [sys.executable, str(RAW_SERVER), "--http", "--port", "{port}"]
    for defect in DEFECTS:
        command += ["--defect", defect]
    with serve(command) as url:
        yield url


def run(pytester: pytest.Pytester, url: str, *extra: str) -> tuple[pytest.RunResult, dict[str, str]]:
    result = pytester.runpytest_subprocess(
        f"--mcp-server={url}", "--mcp-suite=conformance", "-p", "no:cacheprovider", "--junitxml=j.xml", *extra
    )
    return result, junit_outcomes(pytester.path / "j.xml")


def test_side_by_side_the_outcomes_and_reports_are_those_of_one_by_one(
    mcp_pytester: pytest.Pytester, defective_url: str
) -> None:
    alone, one_by_one = run(mcp_pytester, defective_url)
    together, side_by_side = run(mcp_pytester, defective_url, "--mcp-suite-jobs=8")
    assert side_by_side == one_by_one
    failed = sorted(name for name, outcome in side_by_side.items() if outcome == "failure")
    assert "conformance[jsonrpc.id-echo-number][2025-11-25][http]" in failed
    assert "conformance[concurrency.pipelined][2025-11-25][http]" in failed
    assert side_by_side["conformance[concurrency.slow-call-does-not-block][2025-11-25][http]"] == "passed"
    assert any(name.startswith("conformance[http.session.unguessable]") for name in failed)
    together.stdout.fnmatch_lines(["mcp suite: suites=conformance, seed=*, jobs=8*"])
    # a stored failure is reported in full: rule, evidence and the baseline line to copy
    together.stdout.fnmatch_lines(
        [
            "*[[]MUST[]] jsonrpc.id-echo-number (2025-11-25, http): *",
            "Rule: *",
            "Exchange (last * messages):",
            "To accept this as a known failure, add this line to your --mcp-baseline file:",
        ]
    )
    assert together.ret == alone.ret == pytest.ExitCode.TESTS_FAILED


def test_a_usage_error_names_the_valid_values(mcp_pytester: pytest.Pytester) -> None:
    result = mcp_pytester.runpytest(
        "--mcp-server=http://127.0.0.1:9/mcp", "--mcp-suite=conformance", "--mcp-suite-jobs=0"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mcp-suite-jobs*'0' must be a whole number >= 1*"])


def test_only_conformance_checks_of_networked_http_servers_and_raw_ones_over_stdio_run_side_by_side() -> None:
    from pytest_mcp.server.targets import parse_target, spawn_http
    from pytest_mcp.settings import Settings
    from pytest_mcp.suite.concurrent import eligible
    from pytest_mcp.suite.items import Case
    from pytest_mcp.suite.registry import REGISTRY, load_checks
    from pytest_mcp.suite.runtime import SuiteOptions, SuiteRuntime

    load_checks()
    conformance = next(check for check in REGISTRY.values() if check.suite == "conformance")
    fuzz = next(check for check in REGISTRY.values() if check.suite == "fuzz")

    def runtime(target: object) -> SuiteRuntime:
        return SuiteRuntime(parse_target(target), Settings(), SuiteOptions(jobs=8))

    url, spawned = runtime("http://127.0.0.1:9/mcp"), runtime(spawn_http("srv --port {port}"))
    stdio, inproc = runtime("python -m srv"), runtime("tests.servers.demo:make_server")
    assert eligible(Case(conformance, "2025-11-25", "http"), url)
    assert eligible(Case(conformance, "2025-11-25", "http"), spawned)
    assert not eligible(Case(fuzz, "2025-11-25", "http"), url)
    bad_input = REGISTRY["jsonrpc.unknown-method"]
    assert bad_input.bad_input and not eligible(Case(bad_input, "2025-11-25", "http"), url)  # alone, then probed
    assert conformance.raw and eligible(Case(conformance, "2025-11-25", "stdio"), stdio)  # in a lane of its own
    stdio.start_seconds["2025-11-25"] = 0.4
    assert eligible(Case(conformance, "2025-11-25", "stdio"), stdio)
    stdio.start_seconds["2026-07-28"] = 1.5  # a lane's processes would cost more than the waits they overlap
    assert not eligible(Case(conformance, "2025-11-25", "stdio"), stdio)
    assert not eligible(Case(bad_input, "2025-11-25", "stdio"), stdio)
    assert not eligible(Case(fuzz, "2025-11-25", "stdio"), stdio)
    assert not eligible(Case(conformance, "2025-11-25", "inproc"), inproc)


STDIO_DEFECTS = ("ping-nonempty", "progress-after-response", "blocking")
"""Failures of a reply, of a progress window, and of a timed check (a slow call blocks a quick one)."""


LANES_SEEN = """
from pytest_mcp.suite import concurrent
from pytest_mcp.suite.lanes import SERVER_LANE

SEEN = set()
_run = concurrent.run_to_outcome


async def recorded(case, runtime):
    SEEN.add(SERVER_LANE.get() or "main")
    return await _run(case, runtime)


concurrent.run_to_outcome = recorded


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line("lanes seen: " + ",".join(sorted(SEEN)))
"""
"""A conftest that names the lanes the side-by-side cases ran in."""


def test_over_stdio_side_by_side_in_lanes_the_outcomes_are_those_of_one_by_one(mcp_pytester: pytest.Pytester) -> None:
    target = f"{sys.executable} {RAW_SERVER}" + "".join(f" --defect {defect}" for defect in STDIO_DEFECTS)
    mcp_pytester.makeconftest(LANES_SEEN)
    alone, one_by_one = run(mcp_pytester, target, "--mcp-suite-jobs=1")
    together, side_by_side = run(mcp_pytester, target)
    assert side_by_side == one_by_one
    alone.stdout.fnmatch_lines(["lanes seen: "])  # nothing side by side
    together.stdout.fnmatch_lines(["lanes seen: *side-1,side-2,side-3"])  # (a failure reruns in the main lane)
    for check in ("lifecycle.ping", "progress.notifications", "concurrency.slow-call-does-not-block"):
        assert side_by_side[f"conformance[{check}][2025-11-25][stdio]"] == "failure", check
    assert side_by_side["conformance[jsonrpc.id-echo-number][2025-11-25][stdio]"] == "passed"
    together.stdout.fnmatch_lines(["*[[]MUST[]] lifecycle.ping (2025-11-25, stdio): *"])


def test_over_stdio_each_case_holds_a_lane_of_its_own_and_failures_run_again_in_the_main_lane(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pytest_mcp.suite import concurrent
    from pytest_mcp.suite.items import Case
    from pytest_mcp.suite.lanes import SERVER_LANE
    from pytest_mcp.suite.registry import REGISTRY, load_checks

    load_checks()
    side_by_side = [check for check in REGISTRY.values() if check.suite == "conformance" and not check.bad_input]
    cases = [Case(check, "2025-11-25", "stdio") for check in side_by_side[:9]]
    held: dict[str, int] = {}
    runs: list[tuple[str, str]] = []

    async def fake_run(case: Case, runtime: Any) -> concurrent.Outcome:
        lane = SERVER_LANE.get()
        runs.append((case.check.id, lane))
        held[lane] = held.get(lane, 0) + 1
        assert held[lane] == 1 and len([n for n in held.values() if n]) <= concurrent.STDIO_LANES
        await anyio.sleep(0.01)
        held[lane] -= 1
        return concurrent.Outcome(error=AssertionError("planted") if case is cases[0] else None)

    class Runtime:
        transport = "stdio"
        limited: dict[str, str] = {}
        background = SimpleNamespace(busy=False)

        async def facts(self, era: str) -> None:
            return None

    monkeypatch.setattr(concurrent, "run_to_outcome", fake_run)
    run_ = concurrent.ConcurrentRun(Runtime(), 8)  # type: ignore[arg-type]
    run_.run(cases)
    side = [lane for _, lane in runs[: len(cases)]]
    assert set(side) == {f"side-{number}" for number in range(1, concurrent.STDIO_LANES + 1)}
    assert runs[len(cases) :] == [(cases[0].check.id, "")]  # the failure, again, alone, in the main lane
    assert run_.outcomes[cases[0]].failed and SERVER_LANE.get() == ""


LIMITED_CHECKS = (
    "lifecycle.initialize-result",
    "lifecycle.ping",
    "lifecycle.capabilities-declared",
    "jsonrpc.id-echo-number",
    "jsonrpc.id-echo-string",
    "jsonrpc.response-shape",
    "http.response-content-type",
    "http.session.id-visible-ascii",
)
"""Checks of single requests (no per-subject items, no requests of their own side by side)."""


@pytest.fixture(scope="module")
def one_at_a_time_url() -> Iterator[str]:
    raw = Path(__file__).resolve().parent / "broken_servers" / "rawserver.py"
    command = [sys.executable, str(raw), "--http", "--port", "{port}", "--defect", "one-at-a-time"]
    with serve(command) as url:
        yield url


def test_a_server_refusing_concurrent_requests_gets_the_verdicts_of_a_serial_run(
    mcp_pytester: pytest.Pytester, one_at_a_time_url: str
) -> None:
    ids = [f"mcp-suite::conformance[{name}][2025-11-25][http]" for name in LIMITED_CHECKS]
    alone, one_by_one = run(mcp_pytester, one_at_a_time_url, "--mcp-suite-jobs=1", *ids)
    together, side_by_side = run(mcp_pytester, one_at_a_time_url, *ids)
    assert side_by_side == one_by_one
    assert "passed" in side_by_side.values()
    assert together.ret == alone.ret
    together.stdout.fnmatch_lines(
        [
            "*= mcp suite: the server limits concurrency =*",
            "* check(s) failed side by side but not alone: their outcome one at a time is the one reported. "
            "Run with --mcp-suite-jobs=1 to test one check at a time from the start.",
            "  conformance[[]*[]][[]2025-11-25[]][[]http[]]: side by side: *",
        ]
    )
    assert "limits concurrency" not in alone.stdout.str()


def test_a_timed_check_slower_side_by_side_is_not_taken_for_a_concurrency_limit() -> None:
    from pytest_mcp.suite.concurrent import Outcome, _degraded
    from pytest_mcp.suite.context import CheckFailed

    slow = Outcome(error=CheckFailed("ping waited for the slow call: answered after 0.77 s"))
    refused = Outcome(error=CheckFailed("initialize got HTTP 429"))
    alone = Outcome()
    assert _degraded(slow, alone)
    assert not _degraded(slow, alone, timed=True)  # a busy machine slows answers too
    assert _degraded(refused, alone, timed=True)
    assert not _degraded(refused, Outcome(error=CheckFailed("initialize got HTTP 429")))
