"""The bridge between Hypothesis's thread and the event loop: answers go back, threads are kept."""

from __future__ import annotations

import threading

import anyio
import pytest

from pytest_mcp.suite.hypothesis_bridge import Aborted, Bridge, Workers

pytestmark = pytest.mark.anyio


async def test_the_job_asks_the_serving_task_and_gets_its_answers() -> None:
    bridge = Bridge()
    serving = threading.get_ident()

    async def where() -> int:
        return threading.get_ident()

    def job() -> list[int]:
        return [bridge.ask(where) for _ in range(3)] + [threading.get_ident()]

    *answered, worker = await bridge.serve(job, name="ask")
    assert answered == [serving] * 3
    assert worker != serving


async def test_a_job_that_raises_raises_in_the_serving_task() -> None:
    def job() -> None:
        raise ValueError("from the worker")

    with pytest.raises(ValueError, match="from the worker"):
        await Bridge().serve(job, name="raises")


async def test_asking_after_the_serving_side_stopped_is_aborted() -> None:
    bridge = Bridge()
    await bridge.serve(lambda: None, name="done")

    async def never() -> None:
        raise AssertionError("not served")

    with pytest.raises(Aborted):
        bridge.ask(never)


async def test_jobs_one_after_another_reuse_one_thread_named_for_the_job() -> None:
    """Hypothesis pays a full ``gc.collect()`` in each new thread it runs in; kept threads pay it once."""

    def who() -> tuple[int, str]:
        return threading.get_ident(), threading.current_thread().name

    first = await Bridge().serve(who, name="first")
    second = await Bridge().serve(who, name="second")
    assert first[0] == second[0]
    assert (first[1], second[1]) == ("first", "second")


def test_a_job_that_never_returns_does_not_hold_up_the_next() -> None:
    workers = Workers()
    release, stuck_started, done = threading.Event(), threading.Event(), threading.Event()
    threads: list[int] = []

    def stuck() -> None:
        threads.append(threading.get_ident())
        stuck_started.set()
        release.wait(10)

    def quick() -> None:
        threads.append(threading.get_ident())
        done.set()

    workers.start(stuck, "stuck")
    assert stuck_started.wait(5)
    workers.start(quick, "quick")
    assert done.wait(5), "the second job waited for the stuck one"
    release.set()
    assert threads[0] != threads[1]


async def test_cancelling_the_serving_task_stops_serving() -> None:
    bridge = Bridge()
    proceed = threading.Event()

    async def slow() -> None:
        proceed.set()
        await anyio.sleep(30)

    def job() -> None:
        bridge.ask(slow)

    with anyio.move_on_after(0.5) as scope:
        await bridge.serve(job, name="cancelled")
    assert scope.cancelled_caught and proceed.is_set()
    assert bridge.aborted
