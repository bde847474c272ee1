"""Run the conformance checks of a Streamable HTTP server side by side (``--mcp-suite-jobs N``).

Every conformance check over HTTP opens sessions of its own and keeps nothing between checks, so
they can share one event loop. When the first such item of a run starts, ``ConcurrentRun`` runs
the cases of all the selected items with at most N in flight, and keeps each case's outcome (a
skip reason, or what the check raised); each item then reports its own stored outcome, exactly
as it would have run alone. Checks that wait by nature (a slow call beside a quick one, progress
windows) overlap instead of adding up.

Not used for stdio servers (the checks of one era share a process), in-process or ASGI targets,
the fuzz and security suites, or on pytest-xdist workers (which run only some of the items).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import anyio
import pytest

from ..targets import HttpTarget, SpawnHttpTarget

if TYPE_CHECKING:
    from .context import CheckContext
    from .items import Case
    from .runtime import SuiteRuntime

__all__ = ["ConcurrentRun", "Outcome", "eligible"]

_REPLAYED = (Exception, pytest.skip.Exception, pytest.fail.Exception, pytest.xfail.Exception)
"""What a check may raise that becomes its stored outcome (cancellation and interrupts are not)."""


def eligible(case: Case, runtime: SuiteRuntime) -> bool:
    """Whether ``case`` may run side by side with others: a conformance check of a networked HTTP server."""
    return case.check.suite == "conformance" and isinstance(runtime.target, HttpTarget | SpawnHttpTarget)


@dataclass
class Outcome:
    """How one case ended: skipped (with why), raised something, or passed."""

    skip: str | None = None
    error: BaseException | None = None
    contexts: list[CheckContext] = field(default_factory=list)

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
        self.jobs = jobs
        self.outcomes: dict[Case, Outcome] = {}
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

    async def _run_one(self, case: Case, limiter: anyio.CapacityLimiter) -> None:
        from .items import applicable, run_check

        outcome = Outcome()
        async with limiter:
            try:
                reason = await applicable(case, self.runtime)
                if reason:
                    outcome.skip = reason
                else:
                    await run_check(case, self.runtime, outcome.contexts)
            except _REPLAYED as exc:
                outcome.error = exc
        self.outcomes[case] = outcome
