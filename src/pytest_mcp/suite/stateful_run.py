"""Running a state machine with Hypothesis (in the bridge's worker thread) and turning a failure into a report.

Hypothesis shrinks a failing sequence and replays the shortest one last; the machine instance of
that replay holds its steps, which become ``StatefulFailure``: the calls, the problem, the seed
and the replay test (``stateful_replay``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .._docs import docs_url
from .hypothesis_bridge import Aborted, engine_settings
from .stateful_replay import StatefulFailure, render_replay, render_steps

if TYPE_CHECKING:
    from .stateful_machine import McpStateMachine, _Runner

__all__ = ["explore"]

DOCS = docs_url("suite/stateful.md")


def explore(machine: type[McpStateMachine], runner: _Runner) -> None:
    """Run Hypothesis over ``machine`` until its budget is spent; a failure lands in ``runner.report``."""
    from hypothesis import seed
    from hypothesis.errors import Unsatisfiable
    from hypothesis.stateful import get_state_machine_test

    config = runner.config
    chosen = engine_settings(max_examples=config.sequences, stateful_step_count=config.steps)
    test = seed(config.seed)(get_state_machine_test(machine, settings=chosen))
    try:
        test()
    except Unsatisfiable:  # every sequence hit the time budget before its first call
        runner.report.out_of_time = True
    except BaseException as exc:
        found = _problem_of(exc)
        if runner.shortest is None and found is None:
            raise
        runner.report.failure = _failure(machine, runner, *(found or ("", "judged")))
    else:
        runner.report.out_of_time = time.monotonic() > config.stop_at


def _problem_of(exc: BaseException) -> tuple[str, str] | None:
    """The message and rule kind of the step failure inside ``exc`` (Hypothesis may wrap it in a group)."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _problem_of(inner)
            if found is not None:
                return found
        return None
    if isinstance(exc, AssertionError):
        return str(exc) or type(exc).__name__, getattr(exc, "kind", "judged")
    if (
        isinstance(exc, Exception)
        and not isinstance(exc, Aborted)
        and not type(exc).__module__.startswith("hypothesis")
    ):
        return f"{type(exc).__name__}: {exc}", "judged"
    return None


def _failure(machine: type[McpStateMachine], runner: _Runner, problem: str, kind: str) -> StatefulFailure:
    """The report of the shortest failing sequence (a rule of ours), else of Hypothesis's last (a user's assert)."""
    if runner.shortest is not None:
        steps, problem, kind = runner.shortest
    else:
        steps = list(runner.current.steps) if runner.current is not None else []
    seed = runner.config.seed
    replay = render_replay(steps, problem, machine.__name__, kind)
    lines = [
        f"stateful: a sequence of {len(steps)} call(s) on the {runner.client.describe()} broke a rule",
        f"  problem: {problem.splitlines()[0]}",
        *(f"  {line}" for line in problem.splitlines()[1:]),
        "  shortest failing sequence (shrunk by Hypothesis):",
        *render_steps(steps),
        f"  reproduce: --mcp-seed={seed}; replay it with this test (paste it into a test module):",
        *(f"    {line}" if line else "" for line in replay),
        f"  (see {DOCS})",
    ]
    return StatefulFailure("\n".join(lines), steps, problem, seed, "\n".join(replay) + "\n")
