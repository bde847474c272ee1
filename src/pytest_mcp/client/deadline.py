"""A deadline on a block of async code, and whether it fired: the one timeout of every request.

Under asyncio the deadline is kept by the watchdog thread (``watchdog``: a dict insert and pop,
no timer armed per request), which cancels the task natively when it passes; under trio it is an
``anyio`` cancel scope. The caller asks ``fired`` after the block, whatever ended it: the
cancellation, an error the code inside made of it, or an answer that came after the cancellation
was swallowed.
"""

from __future__ import annotations

import math
from asyncio import CancelledError, Task, current_task
from types import TracebackType
from typing import Any

import anyio

from .watchdog import watchdog


class Deadline:
    """``async with Deadline(seconds) as deadline: ...``, then ``deadline.fired``."""

    __slots__ = ("_cancelling", "_fired", "_key", "_scope", "_seconds", "_task")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._task: Task[Any] | None = None
        self._key: object | None = None
        self._cancelling = 0
        self._fired = False
        self._scope: anyio.CancelScope | None = None

    async def __aenter__(self) -> Deadline:
        try:
            task = current_task()
        except RuntimeError:  # not asyncio: trio
            task = None
        if task is not None:
            self._task = task
            self._cancelling = task.cancelling()
            self._key = watchdog.arm(task, self._seconds)
        else:
            self._scope = anyio.CancelScope(deadline=anyio.current_time() + self._seconds)
            self._scope.__enter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool | None:
        if self._scope is not None:
            return self._scope.__exit__(exc_type, exc, traceback)
        if self._stop_watching() and exc_type is CancelledError:
            raise TimeoutError from exc  # the cancellation was ours (as ``asyncio.timeout`` does)
        return None

    def _stop_watching(self) -> bool:
        """Disarm (again is a no-op); True if the deadline cancelled the task and no other
        cancellation of it is pending (then the cancellation is ours to turn into a timeout)."""
        key, self._key = self._key, None
        if key is None or not watchdog.disarm(key):
            return False
        self._fired = True
        assert self._task is not None
        return self._task.uncancel() <= self._cancelling

    @property
    def fired(self) -> bool:
        """Whether the deadline passed and cancelled the block."""
        if self._scope is not None:
            return self._scope.cancel_called
        return self._fired or (self._key is not None and self._key not in watchdog.pending)

    def lift(self) -> None:
        """No deadline from now on (unless it already fired): the block may go on as long as it likes."""
        if self._scope is not None:
            self._scope.deadline = math.inf
        else:
            self._stop_watching()
