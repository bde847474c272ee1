"""Over stdio, the checks with clients of their own run in a thread beside the others (``suite/background.py``):
the outcomes and failure reports are those of one check at a time."""

from __future__ import annotations

import threading
import time
from typing import Any
from xml.etree import ElementTree

import anyio
import pytest

from pytest_mcp.suite import background as background_module
from pytest_mcp.suite import concurrent
from pytest_mcp.suite.background import BackgroundRun, background_case
from pytest_mcp.suite.concurrent import Outcome
from pytest_mcp.suite.context import CheckFailed
from pytest_mcp.suite.execution import busy_machine_may_explain
from pytest_mcp.suite.items import Case
from pytest_mcp.suite.lanes import BACKGROUND_LANE, SERVER_LANE
from pytest_mcp.suite.registry import REGISTRY, load_checks

from .conftest import junit_outcomes, toolbed

SUITES = "--mcp-suite=conformance,fuzz,stateful"
VALID = "fuzz[fuzz.tools.valid-inputs][2025-11-25][stdio]"
WORKFLOWS = "stateful[stateful.tools.workflows][2025-11-25][stdio]"
BESIDE = "ran in the background beside the other checks, against a server process of its own"


def run(pytester: pytest.Pytester, target: str, *extra: str) -> tuple[pytest.RunResult, dict[str, str]]:
    result = pytester.runpytest_subprocess(
        f"--mcp-server={target}", SUITES, "--mcp-seed=1234", "-p", "no:cacheprovider", "-rP", "--junitxml=j.xml", *extra
    )
    return result, junit_outcomes(pytester.path / "j.xml")


def failure_text(pytester: pytest.Pytester, name: str) -> str:
    for case in ElementTree.parse(pytester.path / "j.xml").getroot().iter("testcase"):
        if case.get("name") == name:
            return "".join(child.text or "" for child in case if child.tag == "failure")
    raise AssertionError(f"no test case {name}")


def test_a_correct_server_passes_the_same_way_and_the_notes_say_what_ran_beside(
    mcp_pytester: pytest.Pytester,
) -> None:
    beside, together = run(mcp_pytester, toolbed())
    alone, one_by_one = run(mcp_pytester, toolbed(), "--mcp-suite-jobs=1")
    assert together == one_by_one
    assert together[VALID] == together[WORKFLOWS] == "passed"
    assert beside.stdout.str().count(BESIDE) == 4  # the valid inputs and the workflows, in both eras
    assert BESIDE not in alone.stdout.str()


def test_a_failure_found_in_the_background_is_reported_from_a_run_alone(mcp_pytester: pytest.Pytester) -> None:
    """The planted defect breaks add's outputSchema: both background checks fail, run again alone, and report
    what one check at a time reports (the same seed, the same shrunk example)."""
    beside, together = run(mcp_pytester, toolbed("bad-structured"))
    by_background = failure_text(mcp_pytester, VALID)
    _, one_by_one = run(mcp_pytester, toolbed("bad-structured"), "--mcp-suite-jobs=1")
    assert together == one_by_one
    assert together[VALID] == together[WORKFLOWS] == "failure"
    assert by_background == failure_text(mcp_pytester, VALID)
    assert "structuredContent" in by_background
    assert BESIDE not in beside.stdout.str()


@pytest.fixture
def cases() -> list[Case]:
    load_checks()
    return [
        Case(REGISTRY[check_id], "2025-11-25", "stdio") for check_id in ("fuzz.tools.valid-inputs", "lifecycle.ping")
    ]


class FakeRuntime:
    transport = "stdio"


def test_cases_run_one_after_another_in_their_lane_and_a_failure_is_not_kept(
    monkeypatch: pytest.MonkeyPatch, cases: list[Case]
) -> None:
    lanes: list[str] = []
    release = threading.Event()

    async def fake_run(case: Case, runtime: Any) -> Outcome:
        lanes.append(SERVER_LANE.get())
        await anyio.to_thread.run_sync(release.wait)
        return Outcome(error=CheckFailed("planted") if case is cases[1] else None)

    monkeypatch.setattr(concurrent, "run_to_outcome", fake_run)
    run = BackgroundRun(FakeRuntime())  # type: ignore[arg-type]
    run.start(cases)
    assert run.busy and run.begun
    release.set()
    assert run.outcome(cases[0]) is not None
    assert run.outcome(cases[1]) is None  # failed: its item runs it again, alone
    run.wait_idle()
    assert not run.busy
    assert lanes == [BACKGROUND_LANE, BACKGROUND_LANE]
    assert SERVER_LANE.get() == ""  # the main thread's checks keep the main lane
    run.start(cases)  # started before: not run again
    assert not run.busy and len(lanes) == 2


def test_stopping_cancels_what_still_runs(monkeypatch: pytest.MonkeyPatch, cases: list[Case]) -> None:
    entered = threading.Event()

    async def forever(case: Case, runtime: Any) -> Outcome:
        entered.set()
        await anyio.sleep_forever()
        raise AssertionError("not reached")

    monkeypatch.setattr(concurrent, "run_to_outcome", forever)
    run = BackgroundRun(FakeRuntime())  # type: ignore[arg-type]
    run.start(cases)
    assert entered.wait(5)
    started = time.monotonic()
    run.stop()
    assert time.monotonic() - started < background_module.STOP_SECONDS
    assert not run.busy
    assert run.outcome(cases[0]) is None and run.outcome(cases[1]) is None  # never finished: run by their items
    run.start(cases)  # a stopped run starts nothing
    assert not run.busy


def test_which_cases_run_in_the_background_and_which_failures_are_rerun() -> None:
    load_checks()
    stdio, http = FakeRuntime(), FakeRuntime()
    http.transport = "http"

    def case(check_id: str) -> Case:
        return Case(REGISTRY[check_id], "2025-11-25", "stdio")

    assert background_case(case("fuzz.tools.valid-inputs"), stdio)  # type: ignore[arg-type]
    assert background_case(case("stateful.tools.workflows"), stdio)  # type: ignore[arg-type]
    assert not background_case(case("fuzz.tools.valid-inputs"), http)  # type: ignore[arg-type]
    assert not background_case(case("fuzz.tools.invalid-inputs"), stdio)  # type: ignore[arg-type]  # bad input
    assert not background_case(case("lifecycle.ping"), stdio)  # type: ignore[arg-type]  # the raw shared process

    timeout = CheckFailed("the server did not answer in time: ping (10 s)")
    assert busy_machine_may_explain(case("progress.notifications"), CheckFailed("no progress"))  # waits by design
    assert busy_machine_may_explain(case("lifecycle.ping"), timeout)
    assert not busy_machine_may_explain(case("lifecycle.ping"), CheckFailed("the result is not empty"))
    assert not busy_machine_may_explain(case("jsonrpc.parse-error"), timeout)  # bad input: never run twice
