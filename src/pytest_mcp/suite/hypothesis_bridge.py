"""Hands work from Hypothesis's thread to the event loop's task, and the answers back.

Hypothesis runs synchronously in a thread of its own (``Bridge.serve``); each server call it needs
is an async function handed over with ``Bridge.ask`` and run in the caller's task, so every
connection (and every reconnect after a crash) is opened and closed by one task, as anyio requires.

The threads are kept between jobs (``Workers``): the first time Hypothesis runs in a thread it
registers a PRNG for that thread, which runs a full ``gc.collect()``; in a test process that has
imported pytest, the SDK and pydantic, that is about 0.1 s, paid by every job that starts a thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from hypothesis import settings

__all__ = ["Aborted", "Bridge", "Workers", "engine_settings"]

T = TypeVar("T")
_IDLE_SECONDS = 5.0
"""The longest wait for a job's thread to become idle after its job said it was done (microseconds, normally)."""

_Job = tuple[Callable[[], None], str, threading.Event]
"""What a worker thread runs, the name it takes meanwhile, and the event it sets when idle again."""


def engine_settings(**specific: Any) -> settings:
    """Hypothesis ``settings`` of the suite's engines (fuzzing, stateful sequences) with ``specific`` added: no
    deadline (the server's time is judged by the engine), no example database (``--mcp-seed`` alone replays a
    run), no health checks, and nothing printed (the engine reports what it found)."""
    from hypothesis import HealthCheck, Phase, Verbosity
    from hypothesis import settings as chosen

    return chosen(
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        print_blob=False,
        **specific,
    )


class Aborted(Exception):
    """The event loop's side stopped serving calls (the test was cancelled or failed)."""


class Workers:
    """Daemon threads that run one job at a time and wait for the next: a thread per running job, kept
    when it ends. A job that never returns keeps its thread; the others get a new one."""

    def __init__(self) -> None:
        self._idle: queue.SimpleQueue[queue.SimpleQueue[_Job]] = queue.SimpleQueue()

    def start(self, job: Callable[[], None], name: str) -> threading.Event:
        """Run ``job`` in an idle thread (renamed ``name`` meanwhile), or in a new one; the event is set
        once the job has returned and its thread is idle again."""
        try:
            inbox = self._idle.get_nowait()
        except queue.Empty:
            inbox = queue.SimpleQueue()
            threading.Thread(target=self._wait_for_jobs, args=(inbox,), name=name, daemon=True).start()
        idle = threading.Event()
        inbox.put((job, name, idle))
        return idle

    def _wait_for_jobs(self, inbox: queue.SimpleQueue[_Job]) -> None:
        while True:
            job, name, idle = inbox.get()
            threading.current_thread().name = name
            try:
                job()
            finally:
                self._idle.put(inbox)
                idle.set()


WORKERS = Workers()
"""The process's threads for Hypothesis runs."""


class Bridge:
    """A queue of async calls from one worker thread, served by the task that runs ``serve``."""

    def __init__(self) -> None:
        self.requests: queue.SimpleQueue[tuple[Callable[[], Awaitable[Any]], Future[Any]] | None] = queue.SimpleQueue()
        self.aborted = False

    def ask(self, work: Callable[[], Awaitable[T]]) -> T:
        """From the worker thread: run ``work()`` in the serving task and wait for its result."""
        if self.aborted:
            raise Aborted
        answer: Future[T] = Future()
        self.requests.put((work, answer))
        return answer.result()

    async def serve(self, job: Callable[[], T], name: str) -> T:
        """Run ``job`` in a new thread, serving its ``ask`` calls here until it returns; its result or exception."""
        import anyio

        outcome: Future[T] = Future()

        def worker() -> None:
            try:
                outcome.set_result(job())
            except BaseException as exc:  # handed to the serving task, which re-raises it
                outcome.set_exception(exc)
            finally:
                self.requests.put(None)

        idle = WORKERS.start(worker, name)
        try:
            while (request := await anyio.to_thread.run_sync(self.requests.get)) is not None:
                work, answer = request
                try:
                    answer.set_result(await work())
                except Exception as exc:  # the asker's to handle
                    answer.set_exception(exc)
                except BaseException as exc:  # cancellation: the asker stops, and so does this task
                    answer.set_exception(exc)
                    raise
        finally:
            self.aborted = True
            while not self.requests.empty():
                pending = self.requests.get_nowait()
                if pending is not None:
                    pending[1].set_exception(Aborted())
        idle.wait(_IDLE_SECONDS)  # the worker said it was done: only its return to the idle threads is left
        return outcome.result()
