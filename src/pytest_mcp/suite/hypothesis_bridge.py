"""Hands work from Hypothesis's thread to the event loop's task, and the answers back.

Hypothesis runs synchronously in a thread of its own (``Bridge.serve``); each server call it needs
is an async function handed over with ``Bridge.ask`` and run in the caller's task, so every
connection (and every reconnect after a crash) is opened and closed by one task, as anyio requires.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["Aborted", "Bridge"]

T = TypeVar("T")


class Aborted(Exception):
    """The event loop's side stopped serving calls (the test was cancelled or failed)."""


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

        thread = threading.Thread(target=worker, name=name, daemon=True)
        thread.start()
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
        thread.join()
        return outcome.result()
