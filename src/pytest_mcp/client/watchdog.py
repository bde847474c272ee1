"""Request deadlines kept off the event loop: a thread cancels the waiting asyncio task when one passes.

A per-request asyncio timer (``asyncio.timeout``, ``anyio.fail_after``, the SDK's read timeout)
costs every call a timer handle, a heap push and a cancel, and makes each turn of the loop do more
work while it is pending: about 6% of an in-process ``call_tool`` (``benchmarks/core.py`` (1)).
Here a deadline is a dict insert and a dict pop (``_deadline.Deadline`` arms and disarms it).

A daemon thread looks at the deadlines at least every ``POLL`` seconds, and exactly when the
nearest one is due. When one has passed, it asks the task's loop to cancel the task natively
(``Task.cancel``, as ``asyncio.timeout`` does). Whether a deadline fires is decided on the loop
thread only (``_fire`` and ``disarm`` both pop the entry there), so a reply that arrives at the
deadline either wins or is cancelled, never both. Asyncio only: under trio ``Deadline`` is a
cancel scope.

Also here: the threads left behind by in-process requests that timed out. The SDK runs a sync
tool of an in-process server on a worker thread, which cannot be stopped from outside: a tool
that never returns outlives its request's timeout, and Python would wait for it at exit.
``abandon`` notes each such request; ``end_if_stuck``, the last thing a run does, ends the
process if their threads still run, and says which.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import sys
import threading
from collections.abc import Callable
from time import monotonic
from typing import Any

from .._docs import docs_url

POLL = 0.25  # the longest the thread sleeps while it runs
IDLE_EXIT = 10.0  # the thread ends after this many seconds without a deadline to watch


class Watchdog:
    """The deadlines of requests in flight, and the thread that enforces them."""

    def __init__(self) -> None:
        # key -> (deadline on the monotonic clock, task to cancel); written on the tasks' loops,
        # except that the thread drops the entries of a loop that has closed
        self.pending: dict[object, tuple[float, asyncio.Task[Any]]] = {}
        # When the thread looks next; inf while it is not running or is about to look again, so
        # that arming a deadline sooner than this wakes it (``arm``).
        self.next_look = math.inf
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def arm(self, task: asyncio.Task[Any], seconds: float) -> object:
        """Watch ``task`` for ``seconds``; returns the key for ``disarm``. Call on the task's loop."""
        key = object()
        deadline = monotonic() + seconds
        self.pending[key] = (deadline, task)
        if deadline < self.next_look:
            self._kick()
        return key

    def disarm(self, key: object) -> bool:
        """Stop watching; True if the deadline had passed and the task was cancelled for it."""
        return self.pending.pop(key, None) is None

    def _kick(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pytest-mcp-watchdog", daemon=True)
                self._thread.start()
            else:
                self._wake.set()

    def _fire(self, key: object, task: asyncio.Task[Any]) -> None:
        # On the task's loop: the call is still waiting exactly when its entry is still here.
        if self.pending.pop(key, None) is not None:
            task.cancel()

    def _run(self) -> None:
        idle_since: float | None = None
        while True:
            self.next_look = math.inf  # anything armed while we look wakes us again
            self._wake.clear()
            now = monotonic()
            look = now + POLL
            for key, (deadline, task) in list(self.pending.items()):
                if deadline <= now:
                    try:
                        task.get_loop().call_soon_threadsafe(self._fire, key, task)
                    except RuntimeError:  # the loop is closed: nothing is left to cancel
                        self.pending.pop(key, None)
                elif deadline < look:
                    look = deadline
            if self.pending:
                idle_since = None
            elif idle_since is None:
                idle_since = now
            elif now - idle_since > IDLE_EXIT:
                with self._lock:
                    if not self.pending:  # next_look is inf: whoever arms next starts a new thread
                        self._thread = None
                        return
            self.next_look = look
            self._wake.wait(look - now)

    def _after_fork(self) -> None:
        self.pending.clear()
        self.next_look = math.inf
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread = None


watchdog = Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=watchdog._after_fork)

ABANDONED: list[str] = []
"""The requests to in-process servers that timed out, whose handlers may still run on a thread."""


def _forget_abandoned() -> None:
    ABANDONED.clear()  # a forked child has none of the parent's threads


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_abandoned)

EXIT_GRACE = 1.0
"""Seconds the stuck threads get, all together, to finish after the session before the process ends."""
EXIT_DOCS = docs_url("targets.md", "a-sync-tool-that-never-returns")


def abandon(what: str) -> None:
    """Note that a request to an in-process server (``what``) got no reply in time: its handler may
    still be running on a worker thread, which then keeps Python from exiting (``end_if_stuck``)."""
    ABANDONED.append(what)


def stuck_threads(grace: float = EXIT_GRACE) -> list[threading.Thread]:
    """Non-daemon threads still alive after up to ``grace`` seconds: those Python would wait for at exit."""
    until = monotonic() + grace
    stuck = []
    for thread in threading.enumerate():
        if thread.daemon or thread is threading.main_thread() or thread is threading.current_thread():
            continue
        thread.join(max(0.0, until - monotonic()))
        if thread.is_alive():
            stuck.append(thread)
    return stuck


def where_running(thread: threading.Thread) -> str:
    """The innermost Python function ``thread`` is running, as ``name() at file:line`` (or "")."""
    frame = sys._current_frames().get(thread.ident or -1)
    if frame is None:
        return ""
    return f" in {frame.f_code.co_name}() at {os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"


def end_if_stuck(status: int, write: Callable[[str], None]) -> None:
    """End the process with ``status`` if a timed-out in-process request left threads that would hang
    interpreter shutdown; else return.

    The last thing pytest does (``pytest_unconfigure``, trylast): the run's reports are written and
    its summary shown. Python would otherwise wait for the threads forever (a thread cannot be
    stopped from outside), so output is flushed and the process ends with ``os._exit``.
    """
    if not ABANDONED:
        return
    stuck = stuck_threads()
    if not stuck:
        return
    threads = ", ".join(f"{thread.name!r}{where_running(thread)}" for thread in stuck)
    calls = ", ".join(dict.fromkeys(ABANDONED))
    write(
        f"pytest_mcp: ending the process with exit code {status}: after timeouts of {calls}, "
        f"{len(stuck)} thread(s) still run ({threads}) and would keep Python from exiting. See {EXIT_DOCS}"
    )
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
