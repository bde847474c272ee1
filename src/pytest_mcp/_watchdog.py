"""Request deadlines kept off the event loop: a thread cancels the waiting task when one passes.

A per-request asyncio timer (what ``anyio.fail_after`` and the SDK's read timeout arm) costs every
call a timer handle, a heap push and a cancel, and makes each turn of the loop do more work while
it is pending. For in-process calls, where that is a noticeable share of a call, ``McpClient``
registers its deadline here instead: a dict insert and a dict pop per call.

A daemon thread looks at the deadlines at least every ``POLL`` seconds, and exactly when the
nearest one is due. When one has passed, it asks the task's loop to cancel the task natively
(``Task.cancel``, as ``asyncio.timeout`` does). The caller, on the loop, learns whether its
deadline fired from ``disarm`` and turns the ``CancelledError`` into its own timeout error after
``Task.uncancel``. Whether a deadline fires is decided on the loop thread only (``_fire`` and
``disarm`` both pop the entry there), so a reply that arrives at the deadline either wins or is
cancelled, never both. Asyncio only: under trio callers keep a timer (``current_task`` is None).
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

from ._docs import docs_url

POLL = 0.25  # the longest the thread sleeps while it runs
IDLE_EXIT = 10.0  # the thread ends after this many seconds without a deadline to watch


def current_task() -> asyncio.Task[Any] | None:
    """The running asyncio task, or None outside asyncio (under trio)."""
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


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
        # Requests to in-process servers that timed out, whose handlers may still run on a thread
        # (the SDK runs sync tools on anyio worker threads, which cannot be cancelled)
        self.abandoned: list[str] = []

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
        self.abandoned = []  # a forked child has none of the parent's threads
        self.pending.clear()
        self.next_look = math.inf
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread = None


watchdog = Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=watchdog._after_fork)


class Deadline:
    """A deadline for the running task on the watchdog: what a cancel scope with a deadline does,
    without a scope that later checkpoints of the task must walk past."""

    __slots__ = ("_cancelling", "_key", "_task")

    def __init__(self, task: asyncio.Task[Any], seconds: float) -> None:
        self._task = task
        self._cancelling = task.cancelling()
        self._key: object | None = watchdog.arm(task, seconds)

    @property
    def fired(self) -> bool:
        """Whether the deadline has cancelled the task (and ``passed`` has not been asked yet)."""
        return self._key is not None and self._key not in watchdog.pending

    def passed(self) -> bool:
        """Stop watching (again is a no-op); True if the deadline cancelled the task, and no other
        cancellation of it is pending (then the caller raises its timeout error in place of it)."""
        key, self._key = self._key, None
        if key is None or not watchdog.disarm(key):
            return False
        return self._task.uncancel() <= self._cancelling


# -- threads left behind by timed-out requests ---------------------------------------------------

EXIT_GRACE = 1.0
"""Seconds the stuck threads get, all together, to finish after the session before the process ends."""
EXIT_DOCS = docs_url("targets.md", "a-sync-tool-that-never-returns")


def abandon(what: str) -> None:
    """Note that a request to an in-process server (``what``) got no reply in time: its handler may
    still be running on a worker thread, which then keeps Python from exiting (``end_if_stuck``)."""
    watchdog.abandoned.append(what)


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
    if not watchdog.abandoned:
        return
    stuck = stuck_threads()
    if not stuck:
        return
    threads = ", ".join(f"{thread.name!r}{where_running(thread)}" for thread in stuck)
    calls = ", ".join(dict.fromkeys(watchdog.abandoned))
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
