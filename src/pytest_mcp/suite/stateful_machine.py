"""``McpStateMachine``: Hypothesis rule-based state machines that drive an MCP server through sequences of calls.

Subclass it, add ``@rule`` s and ``@invariant`` s (from ``hypothesis.stateful``) that call the
server with ``self.call(...)`` (judged: a JSON-RPC error, crash, hang or a result that breaks its
``outputSchema`` fails the step) or ``self.outcome(...)`` (not judged), and run it from an async
test with ``await MyMachine.run(mcp_client)``. A failure is shrunk by Hypothesis to the shortest
sequence of calls and raised as ``StatefulFailure``: the calls, the problem, the seed and a
ready-to-paste pytest test that replays it. The stateful suite (``suite/checks/stateful.py``) builds its
machine from the server's tools on top of this class.
"""

from __future__ import annotations

import time
import zlib
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Literal, NoReturn

from hypothesis.stateful import RuleBasedStateMachine

from ..errors import McpAssertionError
from .hypothesis_bridge import Bridge
from .slow_calls import liveness_window, patience, still_answers
from .stateful_replay import StatefulFailure
from .stateful_values import PooledValue, ValuePool, is_delete_like

__all__ = ["McpStateMachine", "StatefulConfig", "StatefulFailure", "StatefulReport", "Step", "StepFailed"]

RESTARTABLE: Final = ("stdio", "spawn_http", "in_process")
"""Server kinds a run can restart in place between sequences (``RunningServer.restart``)."""
DEFAULT_STEPS: Final = 12
DEFAULT_SEQUENCES: Final = 20

Restart = Literal["never", "each", "after-failure"]
"""When a run restarts the server it started before a sequence: ``never``; before ``each`` sequence; or before
the first and, once a sequence has failed, before each one (``after-failure``: exploring runs on the state
earlier sequences left, shrinking and the reported sequence on a fresh server). A server is never restarted
when no call since its last start could have changed it (none, or only tools in ``StatefulConfig.read_only``);
after a crash it always is."""


@dataclass(frozen=True)
class StatefulConfig:
    """How much to explore: sequences, steps per sequence, seed, per-call timeout and time budget."""

    sequences: int = DEFAULT_SEQUENCES
    steps: int = DEFAULT_STEPS
    seed: int = 0
    call_timeout: float | None = None
    stop_at: float = float("inf")
    """``time.monotonic()`` after which no new sequence starts (and no shrinking step runs)."""
    shrink_seconds: float = 30.0
    read_only: frozenset[str] = frozenset()
    """Tools whose calls leave the server as it was (``readOnlyHint``): no restart is needed after them."""
    tolerate_slow: bool = False
    """Wait ``slow_calls.SLOW_SECONDS`` for a reply, then call the tool slow (``StatefulReport.slow``) if the server
    still answers ``tools/list``, hung if it does not; False: every call gets the whole ``call_timeout``."""


@dataclass
class Step:
    """One tool call of a sequence: the arguments, which of them earlier results supplied, and how it ended."""

    tool: str
    arguments: dict[str, Any]
    sources: dict[str, PooledValue] = field(default_factory=dict)
    outcome: Any = None


class StepFailed(McpAssertionError):
    """A step broke a rule; the message says which and why, ``kind`` which rule (``stateful_replay.REPLAY_ASSERTIONS``)."""

    def __init__(self, message: str, kind: str = "judged") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class StatefulReport:
    """What a run did: sequences and calls, and the failure if any."""

    sequences: int = 0
    calls: int = 0
    seconds: float = 0.0
    failure: StatefulFailure | None = None
    out_of_time: bool = False
    slow: set[str] = field(default_factory=set)
    """Tools that left a call unanswered while the server kept answering (``StatefulConfig.tolerate_slow``)."""
    hung: dict[str, str] = field(default_factory=dict)
    """Per tool, why its last unanswered call counts as a hang (the server stopped answering too)."""


class _Runner:
    """The run's shared state: the client (replaced after a crash restart), the bridge, counters, budget."""

    def __init__(self, client: Any, bridge: Bridge, config: StatefulConfig, restart: Restart) -> None:
        self.client, self.bridge, self.config, self.restart = client, bridge, config, restart
        self.pristine = False
        """Whether the server is as it started: restarted by this run, and no call since could have changed it."""
        self.connection: AsyncExitStack | None = None
        """The connection of a client this runner opened itself (after a restart); closed on the next or at the end."""
        self.current: McpStateMachine | None = None
        self.report = StatefulReport()
        self.dead = False
        self.first_failure_at: float | None = None
        self.shortest: tuple[list[Step], str, str] | None = None
        """The failing sequence to report: its steps, the problem and the rule's kind."""
        self.shortest_rank: tuple[bool, bool, int] = (True, True, 0)

    def failed(self, steps: list[Step], problem: str, kind: str, fresh: bool) -> None:
        """Remember a failing sequence: one run on a fresh server first, then one whose last call reuses an
        earlier result, then the shortest (a server keeps state between sequences, so replays may differ)."""
        if self.first_failure_at is None:
            self.first_failure_at = time.monotonic()
        if self.shortest is None or _rank(steps, fresh) < self.shortest_rank:
            self.shortest = (list(steps), problem, kind)
            self.shortest_rank = _rank(steps, fresh)

    @property
    def restartable(self) -> bool:
        """Whether sequences can start on a fresh server: one this run started (a process or a factory)."""
        return self.restart != "never" and self.client.server.kind in RESTARTABLE

    def fresh_start(self) -> bool:
        """Before a sequence: restart the server if the policy asks for it; whether the sequence starts fresh."""
        if not self.restartable:
            return False
        wanted = self.restart == "each" or self.report.sequences == 1 or self.first_failure_at is not None
        if wanted and not self.pristine:
            self.pristine = self.bridge.ask(self.renew)
        return self.pristine

    async def renew(self) -> bool:
        """Restart the server and connect a new client, so the next sequence starts from a fresh state."""
        import anyio

        from ..client.mcp_client import connect

        old, server = self.client, self.client.server
        options = {"era": old.era, "timeout": old.timeout, "headers": old.headers, "transcript": old.transcript}
        options["connect_timeout"] = server.settings.connect_timeout(old.timeout)
        if self.connection is not None:
            await self.connection.aclose()
        self.connection = AsyncExitStack()
        try:
            await anyio.to_thread.run_sync(server.restart)
            self.client = await self.connection.enter_async_context(connect(server, **options))
        except Exception:  # a server that will not come back: sequences go on against what is there
            return False
        self.dead = False
        return True

    def budget_left(self) -> bool:
        now = time.monotonic()
        if self.first_failure_at is not None:
            return now - self.first_failure_at < self.config.shrink_seconds and now < self.config.stop_at
        return now < self.config.stop_at

    async def call(self, name: str, arguments: dict[str, Any]) -> Any:
        from ..client.mcp_client import CallOutcome

        if self.dead and self.restartable:
            self.pristine = await self.renew()
        limit = self.config.call_timeout if self.config.call_timeout is not None else float(self.client.timeout)
        timeout = patience(limit) if self.config.tolerate_slow else limit
        try:
            outcome = await self.client.outcome(name, arguments, timeout=timeout)
        except Exception as exc:  # the SDK refusing a reply is a finding, not an error of ours
            outcome = CallOutcome(name, arguments, self.client.describe(), error=exc)
        self.report.calls += 1
        if outcome.kind == "timeout" and self.config.tolerate_slow:
            window = liveness_window(limit, timeout)
            if await still_answers(self.client, window):
                self.report.slow.add(name)
            else:
                self.report.hung[name] = f"afterwards the server did not answer tools/list within {window:g} s either"
                self.dead = True
        self.pristine = self.pristine and name in self.config.read_only and outcome.kind != "crash"
        self.dead = self.dead or outcome.kind == "crash"
        return outcome


def _rank(steps: list[Step], fresh: bool) -> tuple[bool, bool, int]:
    return (not fresh, not (steps and steps[-1].sources), len(steps))


class McpStateMachine(RuleBasedStateMachine):
    """A rule-based state machine whose rules call an MCP server; see the module docstring."""

    _runner: ClassVar[_Runner | None] = None

    def __init__(self) -> None:
        super().__init__()
        runner = type(self)._runner
        if runner is None:
            raise TypeError(f"run {type(self).__name__} with `await {type(self).__name__}.run(mcp_client)`")
        self.runner = runner
        self.steps: list[Step] = []
        self.pool = ValuePool()
        """Values earlier steps returned (ids, URIs, fields), for rules that feed them into later calls."""
        runner.current = self
        runner.report.sequences += 1
        self.in_budget = runner.budget_left()
        """Whether this sequence may call the server: decided once, before its first call, so the clock never
        cuts a sequence short and a fixed seed explores the same sequences however loaded the machine is."""
        self.fresh = runner.fresh_start() if self.in_budget else False
        """Whether this sequence started on a server as it was started (``run_machine(restart=...)``)."""

    # -- calling the server (from rules and invariants) ----------------------------------------
    def outcome(self, name: str, arguments: dict[str, Any] | None = None, /, **keywords: Any) -> Any:
        """Call tool ``name`` and return how it ended (a ``CallOutcome``), whatever happened."""
        return self._send(name, {**(arguments or {}), **keywords}, {})

    def call(self, name: str, arguments: dict[str, Any] | None = None, /, **keywords: Any) -> Any:
        """Call tool ``name``; the ``ToolResult`` (``is_error`` may be true). A JSON-RPC error, a crash, a hang or
        a result that breaks the tool's ``outputSchema`` fails the step."""
        __tracebackhide__ = True
        outcome = self._send(name, {**(arguments or {}), **keywords}, {})
        self.judge(outcome)
        return outcome.result

    def judge(self, outcome: Any, tool: Any = None) -> None:
        """Fail the step when ``outcome`` is a JSON-RPC error, crash, hang or an invalid result."""
        __tracebackhide__ = True
        from .fuzz_judge import judge, reply_text

        problem = judge("valid", outcome, tool if tool is not None else _NoSchema(outcome.tool))
        if problem is not None and outcome.kind == "timeout" and outcome.tool in self.runner.report.hung:
            problem = f"{problem}; {self.runner.report.hung[outcome.tool]}"
        if problem is not None:
            self.fail(f"{problem}\n  reply: {reply_text(outcome)}")

    def fail(self, problem: str, kind: str = "judged") -> NoReturn:
        """Fail the step: ``problem`` says what the server did; ``kind`` names the rule for the replay test."""
        __tracebackhide__ = True
        self.runner.failed(self.steps, problem, kind, self.fresh)
        raise StepFailed(problem, kind)

    def _send(self, name: str, arguments: dict[str, Any], sources: dict[str, PooledValue]) -> Any:
        from hypothesis import assume

        assume(self.in_budget)  # out of time: the sequence counts as not run, shrinking stops
        step = Step(name, arguments, sources)
        self.steps.append(step)
        step.outcome = self.runner.bridge.ask(lambda: self.runner.call(name, arguments))
        result = step.outcome.result
        if result is not None and not result.is_error:
            self.pool.harvest(len(self.steps) - 1, result.structured_content, list(result.content or []))
        return step.outcome

    def deleted_since(self, step: int) -> bool:
        """Whether step ``step`` of this sequence, or a later one before the current, called a delete-like tool."""
        return any(is_delete_like(later.tool) for later in self.steps[step:-1])

    # -- running --------------------------------------------------------------------------------
    @classmethod
    async def run(
        cls,
        client: Any,
        *,
        sequences: int = DEFAULT_SEQUENCES,
        steps: int = DEFAULT_STEPS,
        seed: int | None = None,
        seconds: float = 120.0,
        fresh_server: bool = True,
    ) -> StatefulReport:
        """Explore up to ``sequences`` sequences of up to ``steps`` calls against ``client`` (an ``McpClient``),
        for at most ``seconds``; raises ``StatefulFailure`` with the shortest failing sequence.

        ``fresh_server``: start each sequence on a restarted server when the plugin started it (a stdio
        or spawned process, or an in-process factory), so no sequence depends on what an earlier one left.
        Afterwards, ``client`` belongs to a server that is no longer the current one.
        """
        __tracebackhide__ = True
        config = StatefulConfig(
            sequences=sequences,
            steps=steps,
            seed=zlib.crc32(cls.__qualname__.encode()) if seed is None else seed,
            call_timeout=None,
            stop_at=time.monotonic() + seconds,
        )
        report = await run_machine(cls, client, config, restart="each" if fresh_server else "never")
        if report.failure is not None:
            raise report.failure
        return report


@dataclass(frozen=True)
class _NoSchema:
    """A stand-in tool for ``judge`` when the caller did not pass one: no ``outputSchema`` to hold the result to."""

    name: str
    output_schema: Any = None


async def run_machine(
    machine: type[McpStateMachine], client: Any, config: StatefulConfig, *, restart: Restart = "never"
) -> StatefulReport:
    """Run ``machine`` against ``client``; the report (``failure`` holds the shrunk sequence, if any).

    ``restart``: when the run restarts the server in place (when it started it: a process or a
    factory) before a sequence (``Restart``); after a crash it restarts it whatever the policy.
    """
    from .stateful_run import explore

    runner = _Runner(client, Bridge(), config, restart)
    bound = type(machine.__name__, (machine,), {"_runner": runner, "__module__": machine.__module__})
    started = time.monotonic()
    try:
        await runner.bridge.serve(lambda: explore(bound, runner), name=f"pytest-mcp-stateful-{machine.__name__}")
    finally:
        runner.report.seconds = time.monotonic() - started
        if runner.connection is not None:
            await runner.connection.aclose()
    return runner.report
