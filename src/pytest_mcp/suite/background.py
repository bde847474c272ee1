"""The self-contained checks of a stdio server, run in a thread of their own while the other checks run.

Over stdio the conformance checks of an era share one server process and run one after another.
The fuzz suite's valid inputs and the stateful workflows reach the server only through clients of
their own (``raw=False``) and spend most of their time waiting: for a slow tool to be found slow,
for a restarted process. In an ``--mcp-suite=all`` run they are the longest items. So when the
first suite item of a stdio target runs, ``BackgroundRun`` starts those cases in a thread with its
own event loop, one after another, against server processes of their own (those of the
``background`` lane, ``lanes.py``), and each item reports the stored outcome when pytest
reaches it, as ``concurrent.py`` does for HTTP.

What keeps the verdicts those of a run one check at a time:

* A case that failed in the background runs again, alone, when its item is reached; the outcome of
  that run is the one reported.
* A check of the main thread that uses the fuzz engine or clients of its own (the other
  ``raw=False`` checks: invalid and hostile inputs, the security probes) waits until the background
  is done, so no two engines run at once and the tools found slow are known to it.
* A check of the main thread that fails while the background runs, where a busy machine may explain
  it (the check waits for a window of time by design, or it failed on a timeout), runs again once the
  background is done, and that outcome is reported; checks that send bad input are not run twice.

Not used with ``--mcp-suite-jobs=1``, on pytest-xdist workers (which run only some of the items), or
for HTTP and in-process targets (their clients share one server; over HTTP ``concurrent.py`` runs
the conformance checks side by side instead).
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any, Final

from .lanes import BACKGROUND_LANE, in_lane

if TYPE_CHECKING:
    from .concurrent import Outcome
    from .execution import Case
    from .runtime import SuiteRuntime

__all__ = ["BackgroundRun", "background_case", "uses_own_clients"]

BESIDE_NOTE: Final = "ran in the background beside the other checks, against a server process of its own"
STOP_SECONDS: Final = 10.0
"""How long the end of the session waits for a cancelled background run to finish."""


def uses_own_clients(case: Case) -> bool:
    """Whether ``case`` reaches the server only through clients of its own (not the raw shared process)."""
    return not case.check.raw


def background_case(case: Case, runtime: SuiteRuntime) -> bool:
    """Whether ``case`` runs in the background: a stdio check with clients of its own that sends no bad input."""
    return runtime.transport == "stdio" and uses_own_clients(case) and not case.check.bad_input


class BackgroundRun:
    """The background cases of one runtime: started once, run one after another in a thread."""

    def __init__(self, runtime: SuiteRuntime) -> None:
        self.runtime = runtime
        self.outcomes: dict[Case, Outcome] = {}
        self._done: dict[Case, threading.Event] = {}
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._loop: Any = None
        self._scope: Any = None
        self._stopping = False
        self._begun = False

    @property
    def begun(self) -> bool:
        """Whether ``start`` was called, even with nothing to run (the run starts once; a case is never started
        twice), so the items need not look for background cases again."""
        return self._begun

    @property
    def busy(self) -> bool:
        """Whether background cases are still running."""
        return not self._idle.is_set()

    def start(self, cases: list[Case]) -> None:
        """Run ``cases`` (in this order) in a background thread; a case started before is not run again."""
        self._begun = True
        pending = [case for case in dict.fromkeys(cases) if case not in self._done]
        if not pending or self._stopping:
            return
        for case in pending:
            self._done[case] = threading.Event()
        self._idle.clear()
        self._thread = threading.Thread(
            target=self._main, args=(pending,), name="pytest-mcp-suite-background", daemon=True
        )
        self._thread.start()

    def outcome(self, case: Case) -> Outcome | None:
        """Wait for ``case`` and take its outcome: None when it did not finish (stopped) or failed (so that
        its item runs it again, alone)."""
        done = self._done.get(case)
        if done is None:
            return None
        done.wait()
        outcome = self.outcomes.pop(case, None)
        if outcome is None or outcome.failed:
            return None
        return outcome

    def wait_idle(self) -> None:
        """Wait until no background case runs."""
        self._idle.wait()

    def stop(self) -> None:
        """Cancel what still runs (the session ends), and wait for the thread, ``STOP_SECONDS`` at most."""
        self._stopping = True
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        loop, scope = self._loop, self._scope
        if loop is not None and scope is not None:
            with contextlib.suppress(RuntimeError):  # the loop has just closed
                loop.call_soon_threadsafe(scope.cancel)
        thread.join(STOP_SECONDS)

    # -- the background thread ----------------------------------------------------------------
    def _main(self, cases: list[Case]) -> None:
        import anyio

        try:
            with in_lane(BACKGROUND_LANE):
                anyio.run(self._run_all, cases, backend="asyncio")
        finally:
            for case in cases:  # a case cancelled or never reached has no outcome: its item runs it
                self._done[case].set()
            self._idle.set()

    async def _run_all(self, cases: list[Case]) -> None:
        import asyncio

        import anyio

        from .concurrent import run_to_outcome

        self._loop = asyncio.get_running_loop()
        with anyio.CancelScope() as scope:
            self._scope = scope
            for case in cases:
                if self._stopping:
                    return
                outcome = await run_to_outcome(case, self.runtime)
                if outcome.contexts:
                    outcome.contexts[0].note(BESIDE_NOTE)
                self.outcomes[case] = outcome
                self._done[case].set()
