"""The fuzzing engine: Hypothesis over a tool's inputSchema, one server call per example.

For one tool, ``fuzz_tool(client, tool, mode)`` runs Hypothesis programmatically (``given`` on an
inner function, in a thread of its own; each example is handed to the caller's task, which calls
the server and hands back the verdict) and judges every reply:

``valid``
    arguments generated from the tool's ``inputSchema``: never a JSON-RPC error, crash or hang; a
    result's content blocks are valid and its ``structuredContent`` conforms to the ``outputSchema``.
``invalid``
    arguments with one deliberate defect (``strategies.invalid_arguments``): ``isError`` or ``-32602``,
    never success, crash or hang.
``hostile``
    a valid example with one string property set to a hostile string (``strategies.HOSTILE_STRINGS``):
    never a crash, hang or internal error.

Every reply is also scanned for leaks (``leaks.LeakDetector``). A failure is shrunk by Hypothesis
to a minimal example and reported with the seed that reproduces it (``--mcp-seed``). Which tools
may be fuzzed at all is a ``ToolSelection`` (``--mcp-fuzz-tools``): by default only tools marked
``readOnlyHint: true``.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, Final

from .._docs import docs_url
from .fuzz_judge import http_standin, judge, render_arguments, reply_text
from .hypothesis_bridge import Bridge, engine_settings
from .leaks import Leak, LeakDetector
from .slow_calls import liveness_window, patience, still_answers

__all__ = ["DEFAULT_EXAMPLES", "FUZZ_MODES", "FuzzConfig", "FuzzFailure", "FuzzReport", "FuzzSession", "fuzz_tool"]

FUZZ_MODES: Final = ("valid", "invalid", "hostile")
DEFAULT_EXAMPLES: Final = 25
DOCS: Final = docs_url("suite/fuzz.md")
SLOW_LIMIT: Final = 1
"""Valid examples of one tool that may go unanswered (while the server keeps answering) before fuzzing it stops."""


# -- configuration and results ----------------------------------------------------------------
@dataclass(frozen=True)
class FuzzConfig:
    """How much to fuzz: examples per tool and mode, per-call timeout, seed and shrink budget."""

    examples: int = DEFAULT_EXAMPLES
    call_timeout: float | None = None
    """Seconds per tools/call; None: the client's timeout (``--mcp-timeout``)."""
    seed: int = 0
    """Base of the Hypothesis seeds; each tool and mode derives its own from it."""
    run_seed: int | None = None
    """The ``--mcp-seed`` value that reproduces this run (shown in failures); None: ``seed``."""
    shrink_seconds: float = 20.0
    """After the first failure, how long shrinking may call the server before the best example so far is reported."""
    shrink_calls: int = 200
    stop_at: float = float("inf")
    """``time.monotonic()`` after which no new example is sent (the suite item's deadline)."""

    def seed_for(self, tool: str, mode: str) -> int:
        """A stable per-tool, per-mode seed: adding a tool does not change the examples of the others."""
        return (self.seed ^ zlib.crc32(f"{tool}\x00{mode}".encode())) & 0xFFFFFFFF

    @property
    def reproduce_seed(self) -> int:
        return self.seed if self.run_seed is None else self.run_seed


@dataclass
class FuzzFailure:
    """The minimal failing example of one fuzz run and everything needed to reproduce it."""

    tool: str
    mode: str
    problem: str
    arguments: Any
    reply: str
    seed: int
    tool_seed: int
    examples: int
    failing_examples: int
    note: str = ""
    leaks: list[Leak] = field(default_factory=list)
    cut_short: bool = False
    """Shrinking hit its budget (``FuzzConfig.shrink_seconds`` / ``shrink_calls``): smaller failing inputs may exist."""

    def message(self, server: str = "", selection: str = "read-only") -> str:
        """The report; ``selection`` is the ``--mcp-fuzz-tools`` value (to show how to leave the tool out)."""
        where = f" on the {server}" if server else ""
        lines = [
            f"fuzz ({self.mode} inputs): tools/call {self.tool!r}{where} failed",
            f"  problem: {self.problem}",
            f"  minimal failing arguments: {render_arguments(self.arguments)}",
        ]
        if self.note:
            lines.append(f"  example: {self.note}")
        if self.reply:
            lines.append(f"  reply: {self.reply}")
        shrunk = (
            "shrinking stopped at its time budget, so a smaller failing input may exist" if self.cut_short else "shrunk"
        )
        lines.append(
            f"  {shrunk}: {self.failing_examples} failing example(s) in {self.examples} call(s); "
            f"seed {self.seed} (Hypothesis seed {self.tool_seed} for this tool)"
        )
        lines.append(
            f"  reproduce: --mcp-seed={self.seed}; leave this tool out: --mcp-fuzz-tools={selection},-{self.tool}"
        )
        lines.append(f"  (see {DOCS})")
        return "\n".join(lines)


@dataclass
class FuzzReport:
    """What one ``fuzz_tool`` run did: examples tried, the failure if any, or why it was skipped."""

    tool: str
    mode: str
    seed: int
    examples: int = 0
    failure: FuzzFailure | None = None
    skipped: str | None = None
    notes: list[str] = field(default_factory=list)
    """What the report should mention although nothing failed (slow examples, fuzzing stopped early)."""
    slow: bool = False
    """Fuzzing stopped because ``SLOW_LIMIT`` valid examples were left unanswered by a server that kept answering."""

    @property
    def ok(self) -> bool:
        return self.failure is None and self.skipped is None


# -- the engine ---------------------------------------------------------------------------------
class _Failed(Exception):
    """Raised inside the Hypothesis test for a bad reply; carries what the report needs."""

    def __init__(self, problem: str, arguments: Any, reply: str, note: str, leaks: list[Leak]) -> None:
        super().__init__(problem)
        self.problem, self.arguments, self.reply, self.note, self.leaks = problem, arguments, reply, note, leaks


@dataclass
class _Verdict:
    problem: str | None
    reply: str
    leaks: list[Leak]


class _Engine:
    """Runs one Hypothesis search for one tool and mode, calling the server for each example."""

    def __init__(
        self,
        client: Any,
        tool: Any,
        mode: str,
        config: FuzzConfig,
        detector: LeakDetector,
        reconnect: Callable[[], Awaitable[Any]] | None,
    ) -> None:
        self.client, self.tool, self.mode, self.config = client, tool, mode, config
        self.detector, self.reconnect = detector, reconnect
        self.memo: dict[str, _Verdict] = {}
        self.calls = 0
        self.failures = 0
        self.first_failure_at: float | None = None
        self.shrink_calls = 0
        self.dead = False
        self.crashed = False
        self.budget_spent = False
        self.slow: list[dict[str, Any]] = []
        """Valid examples left unanswered while the server kept answering other requests."""
        self.bridge = Bridge()

    # runs in the event loop
    async def call(self, arguments: dict[str, Any]) -> _Verdict:
        if self.dead:
            if self.reconnect is None:
                return _Verdict(None, "", [])
            client = await self.reconnect()
            if client is None:
                self.reconnect = None
                return _Verdict(None, "", [])
            self.client, self.dead = client, False
        timeout = self.limit if self.mode != "valid" else patience(self.limit)
        try:
            outcome = await self.client.outcome(self.tool.name, arguments, timeout=timeout)
        except Exception as exc:  # the SDK refusing a reply is a finding, not an error of ours
            from ..client.mcp_client import CallOutcome

            outcome = CallOutcome(self.tool.name, arguments, self.client.describe(), error=exc)
        self.calls += 1
        problem = judge(self.mode, outcome, self.tool)
        http_reply = await self._http_reply(arguments) if problem is not None and http_standin(outcome) else None
        if http_reply is not None:
            problem = f"the server answered tools/call with {http_reply}, not a JSON-RPC message"
        if outcome.kind == "timeout":
            problem = await self._timed_out(arguments, problem, timeout)
        leaks: list[Leak] = []
        if outcome.kind in ("ok", "is_error", "protocol_error"):
            leaks = self.detector.scan(outcome.result if outcome.result is not None else outcome.error, arguments)
            if leaks and problem is None:
                problem = "the reply leaks " + "; ".join(leak.describe() for leak in leaks)
        if outcome.kind == "crash":
            self.dead = self.crashed = True
        return _Verdict(problem, self.detector.redact(http_reply or reply_text(outcome)), leaks)

    async def _http_reply(self, arguments: dict[str, Any]) -> str | None:
        """What the HTTP server really sent for a call the SDK reported only as a stand-in error: the
        call again, raw, described as HTTP status, content type and a short excerpt of the body."""
        from ..client.raw import RawHttp, jsonrpc_request

        try:
            raw = self.client.raw
            if not isinstance(raw, RawHttp):
                return None
            body = jsonrpc_request("tools/call", {"name": self.tool.name, "arguments": arguments}, id=1)
            headers = {"mcp-protocol-version": self.client.protocol_version}
            reply = await raw.request("POST", body, headers=headers, timeout=self.config.call_timeout or 10.0)
        except Exception:  # the stand-in error is reported then
            return None
        if reply.status is None or reply.messages:
            return None
        return reply.summary()

    async def _timed_out(self, arguments: dict[str, Any], problem: str | None, waited: float) -> str | None:
        """Judge an unanswered call by whether the server still answers anything (``slow_calls``).

        A server that does not answer ``tools/list`` before the call's time is up hung: always a
        failure (and it is restarted when the plugin started it). One that answers left only this
        call unanswered: a failure for invalid and hostile inputs (they must be refused or handled,
        and got the whole timeout), but tolerated for valid inputs, which may simply ask for a lot of
        work (``sleep(seconds=1e9)``); such a tool stops being fuzzed after ``SLOW_LIMIT`` of them.
        """
        window = liveness_window(self.limit, waited)
        if not await still_answers(self.client, window):
            self.dead = True
            return f"{problem}; afterwards the server did not answer tools/list within {window:g} s either"
        if self.mode == "valid":
            self.slow.append(arguments)
            return None
        return f"{problem}; the server still answers other requests, so it left this one hanging"

    @property
    def limit(self) -> float:
        """Seconds a call may take: the configured ``call_timeout``, else the client's timeout."""
        if self.config.call_timeout is not None:
            return self.config.call_timeout
        return float(getattr(self.client, "timeout", 10.0))

    # runs in the Hypothesis worker thread
    def budget_left(self) -> bool:
        if time.monotonic() > self.config.stop_at:
            self.budget_spent = True
            return False
        if self.first_failure_at is None:
            return len(self.slow) < SLOW_LIMIT
        elapsed = time.monotonic() - self.first_failure_at
        if elapsed < self.config.shrink_seconds and self.shrink_calls < self.config.shrink_calls:
            return True
        self.budget_spent = True
        return False

    def ask(self, arguments: dict[str, Any]) -> _Verdict:
        """From the Hypothesis thread: have the event loop's task call the server, and wait for the verdict."""
        return self.bridge.ask(lambda: self.call(arguments))

    async def serve(
        self, strategy: Any, unpack: Callable[[Any], tuple[dict[str, Any], str]], seed: int
    ) -> _Failed | None:
        """Run Hypothesis in a thread of its own and make its calls here, in the caller's task
        (``hypothesis_bridge``), so every connection is opened and closed by one task, as anyio requires."""
        return await self.bridge.serve(
            lambda: self.run(strategy, unpack, seed), name=f"pytest-mcp-fuzz-{self.tool.name}"
        )

    def check(self, arguments: dict[str, Any], note: str) -> None:
        key = _memo_key(arguments)
        verdict = self.memo.get(key)
        if verdict is None:
            if not self._can_call():
                return  # out of budget: unknown examples count as passing, so shrinking stops here
            if self.first_failure_at is not None:
                self.shrink_calls += 1
            verdict = self._remember(key, self.ask(arguments))
        if verdict.problem is not None:
            raise _Failed(verdict.problem, arguments, verdict.reply, note, verdict.leaks)

    def _can_call(self) -> bool:
        """Whether an example not seen before may still be sent: budget left, and a server to send it to."""
        return self.budget_left() and not (self.dead and self.reconnect is None)

    def _remember(self, key: str, verdict: _Verdict) -> _Verdict:
        """Keep a new example's verdict, counting a failure (and when the first one came)."""
        self.memo[key] = verdict
        if verdict.problem is not None:
            self.failures += 1
            if self.first_failure_at is None:
                self.first_failure_at = time.monotonic()
        return verdict

    # runs in the event loop, after Hypothesis
    async def simplify(self, failed: _Failed) -> _Failed:
        """Try pattern-drawn strings simpler than Hypothesis's shrunk ones (``strategies.simpler_arguments``), one
        property at a time, within the shrink budget; the simplest example that still fails."""
        from .strategies import simpler_arguments

        simpler = True
        while simpler:
            simpler = False
            for candidate in simpler_arguments(self.tool.input_schema, failed.arguments):
                key = _memo_key(candidate)
                verdict = self.memo.get(key)
                if verdict is None:
                    if not self._can_call():
                        return failed
                    self.shrink_calls += 1
                    verdict = self._remember(key, await self.call(candidate))
                if verdict.problem is not None:
                    failed = _Failed(verdict.problem, candidate, verdict.reply, failed.note, verdict.leaks)
                    simpler = True
                    break
        return failed

    def run(self, strategy: Any, unpack: Callable[[Any], tuple[dict[str, Any], str]], seed: int) -> _Failed | None:
        from hypothesis import given
        from hypothesis import seed as with_seed

        @with_seed(seed)
        @engine_settings(max_examples=self.config.examples, derandomize=False)
        @given(strategy)
        def probe(example: Any) -> None:
            arguments, note = unpack(example)
            self.check(arguments, note)

        try:
            probe()
        except _Failed as failed:
            return failed
        except BaseExceptionGroup as group:  # Hypothesis's FlakyFailure wraps ours when replay differs
            found = _first_failed(group)
            if found is None:
                raise
            return found
        return None


def _memo_key(arguments: dict[str, Any]) -> str:
    return json.dumps(arguments, sort_keys=True, default=repr)


def _first_failed(group: BaseExceptionGroup[Any]) -> _Failed | None:
    for item in group.exceptions:
        if isinstance(item, _Failed):
            return item
        if isinstance(item, BaseExceptionGroup):
            found = _first_failed(item)
            if found is not None:
                return found
    return None


def _strategy(mode: str, schema: Any) -> tuple[Any, Callable[[Any], tuple[dict[str, Any], str]]]:
    from . import strategies

    if mode == "valid":
        return strategies.valid_arguments(schema), lambda example: (example, "")
    if mode == "invalid":
        return strategies.invalid_arguments(schema), lambda example: (
            example.arguments,
            f"{example.defect}: {example.detail}",
        )
    if mode == "hostile":
        base, choices = strategies.hostile_choices(schema)
        return choices, lambda example: (
            strategies.with_hostile(base, *example),
            f"{example[0]} in {example[1]!r}",
        )
    raise ValueError(f"fuzz mode {mode!r} is not one of {', '.join(FUZZ_MODES)}")


class FuzzSession:
    """Fuzz several tools through one connection, surviving server crashes.

    ``client`` is an ``McpClient``. When a call crashes a server process that the plugin started
    (stdio or spawned HTTP), the session restarts it in place and connects a new client, so shrinking
    goes on and the next tool is fuzzed against a live server; ``client`` is then the new one. Use it
    as an async context manager (the replacement clients close on exit).
    """

    def __init__(
        self,
        client: Any,
        *,
        config: FuzzConfig | None = None,
        detector: LeakDetector | None = None,
        restart_crashed: bool = True,
    ) -> None:
        from .leaks import server_env

        self.client = client
        self.config = config or FuzzConfig()
        self.detector = detector or LeakDetector(server_env(client.server))
        self.restart_crashed = restart_crashed
        self.restarts = 0
        self.probes = 0
        """Requests sent through ``security`` probes on this session (for their reports)."""
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> FuzzSession:
        await self._stack.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._stack.__aexit__(*exc_info)

    async def reconnect(self) -> Any:
        """Restart a crashed server process and connect a new client; None when that is not possible."""
        import anyio

        from ..client.mcp_client import connect

        old = self.client
        server = old.server
        if not self.restart_crashed or server.kind not in ("stdio", "spawn_http"):
            return None
        try:
            await anyio.to_thread.run_sync(server.restart)
            self.client = await self._stack.enter_async_context(
                connect(
                    server,
                    era=old.era,
                    timeout=old.timeout,
                    connect_timeout=server.settings.connect_timeout(old.timeout),
                    headers=old.headers,
                    transcript=old.transcript,
                )
            )
        except Exception:  # a server that will not come back just ends shrinking
            return None
        self.restarts += 1
        return self.client

    async def fuzz(self, tool: Any, mode: str = "valid") -> FuzzReport:
        """Fuzz one tool (an SDK ``Tool``) in one mode; see ``fuzz_tool``."""

        from .strategies import UnsupportedSchema

        config = self.config
        tool_seed = config.seed_for(tool.name, mode)
        report = FuzzReport(tool.name, mode, config.reproduce_seed)
        try:
            strategy, unpack = _strategy(mode, tool.input_schema)
        except UnsupportedSchema as exc:
            report.skipped = f"tool {tool.name!r}: {exc}"
            return report
        engine = _Engine(self.client, tool, mode, config, self.detector, self.reconnect)
        failed = await engine.serve(strategy, unpack, tool_seed)
        if failed is not None and mode == "valid":
            failed = await engine.simplify(failed)
        if engine.dead:
            await self.reconnect()
        else:
            self.client = engine.client
        report.examples = engine.calls
        report.slow = len(engine.slow) >= SLOW_LIMIT
        if engine.slow:
            report.notes.append(_slow_note(engine, stopped=report.slow))
        if failed is not None:
            report.failure = FuzzFailure(
                tool=tool.name,
                mode=mode,
                problem=failed.problem,
                arguments=failed.arguments,
                reply=failed.reply,
                seed=config.reproduce_seed,
                tool_seed=tool_seed,
                examples=engine.calls,
                failing_examples=engine.failures,
                note=failed.note,
                leaks=failed.leaks,
                cut_short=engine.budget_spent,
            )
        return report


def _slow_note(engine: _Engine, *, stopped: bool) -> str:
    return (
        f"tool {engine.tool.name!r}: {len(engine.slow)} {engine.mode} example(s) got no reply within "
        f"{patience(engine.limit):g} s while the server kept answering (slow for such input, not a failure), e.g. "
        f"{render_arguments(engine.slow[0])}" + ("; fuzzing this tool stopped there" if stopped else "")
    )


async def fuzz_tool(
    client: Any,
    tool: Any,
    mode: str = "valid",
    *,
    config: FuzzConfig | None = None,
    detector: LeakDetector | None = None,
    restart_crashed: bool = True,
) -> FuzzReport:
    """Fuzz one tool (an SDK ``Tool``) of the server behind ``client`` (an ``McpClient``).

    ``mode`` is ``valid``, ``invalid`` or ``hostile``. Returns a ``FuzzReport``: ``failure`` holds
    the shrunk failing example and the seed, ``skipped`` the reason when the tool's schema cannot be
    fuzzed. A crashed server process is restarted (see ``FuzzSession``) unless ``restart_crashed`` is false.
    """
    async with FuzzSession(client, config=config, detector=detector, restart_crashed=restart_crashed) as session:
        return await session.fuzz(tool, mode)
