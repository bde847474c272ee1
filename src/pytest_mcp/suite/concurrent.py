"""Run the conformance checks side by side (``--mcp-suite-jobs N``).

Over HTTP every conformance check opens sessions of its own and keeps nothing between checks, so
they can share one event loop. Over stdio the checks of an era share a process, so each of the
side-by-side slots gets server processes of its own (a lane, ``lanes.py``; at most
``STDIO_LANES``), which its checks use one after another; a server slow to start
(``LANE_START_SECONDS``) keeps its checks one at a time. When the first such item of a run
starts, ``ConcurrentRun`` runs the cases of all the selected items with at most N in flight, and
keeps each case's outcome (a skip reason, or what the check raised); each item then reports its
own stored outcome, exactly as it would have run alone. Checks that wait by nature (a slow call
beside a quick one, progress windows) overlap instead of adding up.

Adaptive backoff: a case that fails side by side runs again alone (over stdio in the main lane, and
once more after the background checks when a busy machine may explain the failure), and the outcome
of that serial run is the one reported.
When the two differ (HTTP 429 or 503, timeouts, errors that do not happen alone), the server
limits concurrency: ``SuiteRuntime.limited`` keeps those cases and the terminal summary says so
(``LimitNotice``).

Checks registered with ``bad_input=True`` never run side by side: each runs alone, followed by the
liveness probe, so that a server that stops serving is blamed on the right check.

Not used for in-process or ASGI targets, for the fuzz and security suites, for the checks with
clients of their own over stdio (they run in the background: ``background.py``), or on
pytest-xdist workers (which run only some of the items).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import anyio
import pytest

from ..server.targets import HttpTarget, SpawnHttpTarget
from .execution import busy_machine_may_explain
from .lanes import in_lane

if TYPE_CHECKING:
    from .context import CheckContext
    from .execution import Case
    from .runtime import SuiteRuntime

__all__ = ["ConcurrentRun", "LimitNotice", "Outcome", "eligible", "run_to_outcome"]

_REPLAYED = (Exception, pytest.skip.Exception, pytest.fail.Exception, pytest.xfail.Exception)
"""What a check may raise that becomes its stored outcome (cancellation and interrupts are not)."""


STDIO_LANES: Final = 3
"""The most stdio lanes (an extra server process per era each) a side-by-side run starts."""
LANE_START_SECONDS: Final = 1.0
"""A stdio server that takes longer to start and answer (measured when its era is detected) keeps its checks one
at a time: every lane starts processes of its own, and their start-up then costs more than the waits it overlaps."""


def eligible(case: Case, runtime: SuiteRuntime) -> bool:
    """Whether ``case`` may run side by side with others: a conformance check that sends no bad input, of a
    networked HTTP server, or of a stdio server quick to start, through the raw links (those with clients of
    their own run in the background there)."""
    check = case.check
    if check.suite != "conformance" or check.bad_input:
        return False
    if runtime.transport == "stdio":
        return check.raw and all(seconds <= LANE_START_SECONDS for seconds in runtime.start_seconds.values())
    return isinstance(runtime.target, HttpTarget | SpawnHttpTarget)


@dataclass
class Outcome:
    """How one case ended: skipped (with why), raised something, or passed."""

    skip: str | None = None
    error: BaseException | None = None
    contexts: list[CheckContext] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether the case failed or raised (a skip, an xfail or a pass is not a failure)."""
        return self.error is not None and not isinstance(self.error, pytest.skip.Exception | pytest.xfail.Exception)

    @property
    def skipped_itself(self) -> bool:
        """Whether the check ran and then skipped (it found nothing to check, e.g. no session id)."""
        return isinstance(self.error, pytest.skip.Exception) and not isinstance(self.error, pytest.xfail.Exception)

    def summary(self) -> str:
        """The first line of how the case ended."""
        if self.skip is not None:
            return f"skipped ({self.skip.splitlines()[0]})"
        if self.error is None:
            return "passed"
        return (str(self.error).splitlines() or [type(self.error).__name__])[0][:200]

    def replay(self) -> None:
        """End the way the case ended when it ran."""
        __tracebackhide__ = True
        if self.skip is not None:
            pytest.skip(self.skip)
        if self.error is not None:
            raise self.error


class ConcurrentRun:
    """The stored outcomes of one runtime's cases, run at most ``jobs`` at a time."""

    def __init__(self, runtime: SuiteRuntime, jobs: int) -> None:
        self.runtime = runtime
        self.jobs = min(jobs, STDIO_LANES) if runtime.transport == "stdio" else jobs
        self.outcomes: dict[Case, Outcome] = {}
        self._free_lanes = [f"side-{number}" for number in range(1, self.jobs + 1)]
        """Over stdio, the lanes no case holds now."""
        self.started: set[Case] = set()
        """Cases run once already (an item run again, e.g. by a rerun plugin, runs alone)."""

    def run(self, cases: Iterable[Case]) -> None:
        pending = [case for case in dict.fromkeys(cases) if case not in self.started]
        self.started.update(pending)
        if pending:
            anyio.run(self._run_all, pending, backend="asyncio")

    async def _run_all(self, cases: list[Case]) -> None:
        for era in dict.fromkeys(case.era for case in cases):
            await self.runtime.facts(era)  # once per era, before the checks that all need it start together
        limiter = anyio.CapacityLimiter(self.jobs)
        async with anyio.create_task_group() as group:
            # the checks that wait by design first: their waits overlap the quick checks' work
            for case in sorted(cases, key=lambda case: -case.check.waits):
                group.start_soon(self._run_one, case, limiter)
        await self._back_off([case for case in cases if self.outcomes[case].failed])
        if self.runtime.limited:  # the server limits concurrency: what a check skipped may differ alone too
            await self._back_off([case for case in cases if self.outcomes[case].skipped_itself])

    async def _back_off(self, cases: list[Case]) -> None:
        """Run each of ``cases`` again, alone; keep the serial outcome, and note in ``runtime.limited``
        the cases whose outcome differs alone (the server limits concurrency)."""
        for case in cases:
            together = self.outcomes[case]
            await self._run_alone(case)
            first = self.outcomes[case]
            if first.failed and not together.skipped_itself and first.summary() != together.summary():
                # a request of the side-by-side phase may still hold the server: a failure that differs from the
                # side-by-side one counts once seen twice (the same failure both ways is the server's own)
                await anyio.sleep(SETTLE_SECONDS)
                await self._run_alone(case)
            serial = self.outcomes[case]
            if _degraded(together, serial, timed=case.check.waits > 0):
                self.runtime.limited[case.name] = together.summary()

    async def _run_one(self, case: Case, limiter: anyio.CapacityLimiter) -> None:
        """Run ``case`` when ``limiter`` lets it (over stdio in a lane of its own), and store how it ended in
        ``outcomes``."""
        async with limiter:
            with self._lane():
                self.outcomes[case] = await run_to_outcome(case, self.runtime)

    async def _run_alone(self, case: Case) -> None:
        """Run ``case`` by itself in the main lane, and store how it ended in ``outcomes``. Over stdio the
        background checks (``background.py``) may still run: a failure they may explain (a busy machine) is
        run once more after them."""
        background = self.runtime.background
        beside = background.busy
        outcome = self.outcomes[case] = await run_to_outcome(case, self.runtime)
        if beside and outcome.error is not None and outcome.failed and busy_machine_may_explain(case, outcome.error):
            await anyio.to_thread.run_sync(background.wait_idle)
            self.outcomes[case] = await run_to_outcome(case, self.runtime)

    @contextmanager
    def _lane(self) -> Iterator[None]:
        """Over stdio: hold a free lane (``lanes.py``) while the case runs; else the main lane."""
        if self.runtime.transport != "stdio":
            yield
            return
        lane = self._free_lanes.pop()
        try:
            with in_lane(lane):
                yield
        finally:
            self._free_lanes.append(lane)


async def run_to_outcome(case: Case, runtime: SuiteRuntime) -> Outcome:
    """Run ``case`` (when it applies) and keep how it ended, to be replayed by its item later."""
    from .execution import applicable, run_check

    outcome = Outcome()
    try:
        reason = await applicable(case, runtime)
        if reason:
            outcome.skip = reason
        else:
            await run_check(case, runtime, outcome.contexts)
    except _REPLAYED as exc:
        outcome.error = exc
    return outcome


SETTLE_SECONDS: Final = 0.5
"""Pause before a failed check's second run alone (what the side-by-side phase left in flight settles)."""
_LIMIT_SIGNS = ("429", "503", "did not answer in time", "did not finish within", "connection")
"""Words of a failure that a server refusing or dropping concurrent requests causes."""


def _degraded(together: Outcome, serial: Outcome, *, timed: bool = False) -> bool:
    """Whether a case's outcome side by side is worse than alone: it failed together but not alone, or
    failed together with signs of refused concurrency (429, 503, timeouts, broken connections) that the
    serial run did not show. For a check that measures time (``timed``), a busy machine slows answers
    too: only those signs count."""
    if together.skipped_itself:
        return together.summary() != serial.summary()
    if not serial.failed and not timed:
        return True
    shown = together.summary()
    return any(sign in shown and sign not in serial.summary() for sign in _LIMIT_SIGNS)


class LimitNotice:
    """A pytest plugin (registered once a concurrent run found degraded answers) whose terminal summary
    says that the server limits concurrency, and which checks were rerun alone."""

    def __init__(self, runtime: SuiteRuntime) -> None:
        self.runtime = runtime

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        limited = self.runtime.limited
        if not limited:
            return
        terminalreporter.write_sep("=", "mcp suite: the server limits concurrency", yellow=True, bold=True)
        terminalreporter.write_line(
            f"{len(limited)} check(s) failed side by side but not alone: their outcome one at a time is the one "
            "reported. Run with --mcp-suite-jobs=1 to test one check at a time from the start."
        )
        for name, seen in limited.items():
            terminalreporter.write_line(f"  {name}: side by side: {seen}")
