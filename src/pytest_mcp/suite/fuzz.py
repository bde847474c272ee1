"""Schema-driven fuzzing of a server's tools with Hypothesis.

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
import queue
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, Final

from .leaks import Leak, LeakDetector

__all__ = [
    "DEFAULT_EXAMPLES",
    "FUZZ_MODES",
    "FuzzConfig",
    "FuzzFailure",
    "FuzzReport",
    "FuzzSession",
    "ToolSelection",
    "fuzz_tool",
    "judge",
    "render_arguments",
]

FUZZ_MODES: Final = ("valid", "invalid", "hostile")
DEFAULT_EXAMPLES: Final = 25
DOCS: Final = "docs/suite/fuzz.md"
INVALID_PARAMS: Final = -32602
_SHOWN_STRING: Final = 120
_SHOWN_REPLY: Final = 400
CRASH_STDERR_LINES: Final = 5
SLOW_LIMIT: Final = 2
"""Valid examples of one tool that may go unanswered (while the server keeps answering) before fuzzing it stops."""
LIVENESS_SECONDS: Final = 5.0
"""How long a server that left a call unanswered gets to answer ``tools/list`` before it counts as hung."""


# -- which tools may be fuzzed ----------------------------------------------------------------
@dataclass(frozen=True)
class ToolSelection:
    """The parsed ``--mcp-fuzz-tools`` value: which tools the fuzz and security suites may call.

    A comma list of: ``read-only`` (the default: tools annotated ``readOnlyHint: true``), ``all``
    (every tool), ``none``, a tool name or ``fnmatch`` pattern (opt it in) and ``-NAME`` (never call
    it, even if read-only). Example: ``all,-crash,-sleep``. Exclusions win; ``none`` wins over opt-ins.
    The same rules as the conformance checks' ``suite.checks._util.may_call``.
    """

    spec: str = "read-only"

    @classmethod
    def parse(cls, value: str | None) -> ToolSelection:
        """Parse an option value; ``ValueError`` (with the grammar) on an empty item."""
        spec = ",".join(item.strip() for item in (value or "read-only").split(","))
        if not spec.strip() or any(item in ("", "-") for item in spec.split(",")):
            raise ValueError(f"{value!r}: use a comma list of all, read-only, none, TOOL and -TOOL (e.g. all,-crash)")
        return cls(spec)

    @property
    def items(self) -> list[str]:
        return [item for item in self.spec.split(",") if item]

    @property
    def flag(self) -> str:
        return f"--mcp-fuzz-tools={self.spec}"

    def skip_reason(self, tool: Any) -> str | None:
        """Why ``tool`` (an SDK ``Tool`` or a wire dict) must not be called, with how to opt in; None if it may."""
        from fnmatch import fnmatchcase

        name, read_only = _name_and_read_only(tool)
        items = self.items
        excluded = next((item for item in items if item.startswith("-") and fnmatchcase(name, item[1:])), None)
        if excluded is not None:
            return f"tool {name!r} is excluded by {excluded!r} in {self.flag}"
        if "none" in items:
            return f"calling tools is off ({self.flag}); fuzz read-only tools with --mcp-fuzz-tools=read-only"
        if "all" in items:
            return None
        positive = [item for item in items if not item.startswith("-") and item != "read-only"]
        if any(fnmatchcase(name, item) for item in positive):
            return None
        wants_read_only = "read-only" in items or not positive
        if wants_read_only and read_only:
            return None
        why = "is not marked read-only (annotations.readOnlyHint is not true)" if not read_only else "was not selected"
        return (
            f"tool {name!r} {why}, and calling it with generated input could change or destroy data on the "
            f"server; opt in with --mcp-fuzz-tools={name} (this tool) or --mcp-fuzz-tools=all (every tool; "
            f"leave dangerous ones out with -NAME, e.g. all,-{name})"
        )

    def unknown_names(self, tools: Sequence[Any]) -> list[str]:
        """Names (not patterns) in the selection that the server does not offer: probably typos."""
        offered = {_name_and_read_only(tool)[0] for tool in tools}
        named = {item.lstrip("-") for item in self.items if item not in ("all", "none", "read-only")}
        return sorted(name for name in named if not any(ch in name for ch in "*?[") and name not in offered)


def _name_and_read_only(tool: Any) -> tuple[str, bool]:
    if isinstance(tool, dict):
        annotations = tool.get("annotations") if isinstance(tool.get("annotations"), dict) else {}
        return str(tool.get("name")), annotations.get("readOnlyHint") is True
    annotations = getattr(tool, "annotations", None)
    return tool.name, getattr(annotations, "read_only_hint", None) is True


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

    def message(self, server: str = "") -> str:
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
        lines.append(f"  reproduce: --mcp-seed={self.seed}; leave this tool out: --mcp-fuzz-tools=all,-{self.tool}")
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

    @property
    def ok(self) -> bool:
        return self.failure is None and self.skipped is None


def render_arguments(arguments: Any) -> str:
    """JSON of an argument object with long strings abbreviated (a 1 MB string stays readable)."""

    def shorten(value: Any) -> Any:
        if isinstance(value, str) and len(value) > _SHOWN_STRING:
            return f"{value[:40]}… ({len(value)} chars)"
        if isinstance(value, dict):
            return {key: shorten(item) for key, item in value.items()}
        if isinstance(value, list):
            return [shorten(item) for item in value]
        return value

    return json.dumps(shorten(arguments), ensure_ascii=True, default=str)


# -- judging one reply ------------------------------------------------------------------------
def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())


def _reply_text(outcome: Any) -> str:
    if outcome.kind in ("timeout", "crash"):
        return ""
    if outcome.result is not None:
        result = outcome.result
        text = result.text if hasattr(result, "text") else ""
        shown = text[:_SHOWN_REPLY] + ("…" if len(text) > _SHOWN_REPLY else "")
        flag = "isError result" if result.is_error else "result"
        structured = ""
        if result.structured_content is not None:
            structured = f", structuredContent {render_arguments(result.structured_content)[:_SHOWN_REPLY]}"
        return f"{flag}: {shown!r}{structured}"
    error = outcome.error
    code = getattr(error, "code", None)
    message = str(error).split("\n", 1)[0] if code is None else str(error)
    message = message[:_SHOWN_REPLY] + ("…" if len(message) > _SHOWN_REPLY else "")
    return f"JSON-RPC error {code}: {message!r}" if code is not None else f"{type(error).__name__}: {message}"


def _result_problems(result: Any, tool: Any) -> list[str]:
    """Defects of a successful result: invalid content blocks, structuredContent against outputSchema.

    The same rules as the conformance checks (``checks._util.content_problem``); remote ``$ref`` s in
    the outputSchema are never fetched.
    """
    from .checks._schemas import validation_errors
    from .checks._util import content_problem

    wire = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    problems = [
        problem
        for index, block in enumerate(wire.get("content") or [])
        if (problem := content_problem(block, f"content[{index}]")) is not None
    ]
    schema = getattr(tool, "output_schema", None)
    if schema and not result.is_error:
        if result.structured_content is None:
            problems.append("the tool declares an outputSchema but the result has no structuredContent")
        else:
            errors = validation_errors(schema, result.structured_content, limit=1)
            if errors:
                problems.append(f"structuredContent does not conform to the outputSchema {errors[0]}")
    return problems


def _sdk_rejection(error: BaseException) -> str | None:
    """A reply the SDK client refused to accept (schema-invalid result), described; None for other errors."""
    try:
        from pydantic import ValidationError
    except ImportError:  # pragma: no cover - pydantic ships with the SDK
        return None
    if isinstance(error, ValidationError):
        return f"the reply is not a valid CallToolResult: {error.errors()[0].get('msg', error)}"
    text = str(error).split("\n", 1)[0].strip()  # jsonschema appends the schema and instance on more lines
    if isinstance(error, RuntimeError) and ("structured content" in text or "output schema" in text):
        return f"the result violates the tool's outputSchema ({text})"
    return None


CONNECTION_CLOSED: Final = -32000
"""The SDK client's own code for a reply it could not read (never a server's answer)."""


def client_limit(outcome: Any) -> bool:
    """The SDK client refused a reply only for its size (an SSE event above its 1 MiB limit, e.g. a 1 MB
    string echoed back): the spec sets no message size limit, so that is not the server's fault."""
    return outcome.kind == "protocol_error" and outcome.code == CONNECTION_CLOSED and "byte limit" in str(outcome.error)


def judge(mode: str, outcome: Any, tool: Any) -> str | None:
    """What is wrong with this reply for this kind of input; None when it is acceptable."""
    kind = outcome.kind
    if client_limit(outcome):
        return None
    if kind == "timeout":
        limit = getattr(outcome.error, "timeout", None)
        return (
            f"no reply within {limit:g} s (a hang; raise the limit with --mcp-timeout)"
            if limit
            else "no reply (a hang)"
        )
    if kind == "crash":
        error = outcome.error
        headline = str(error).split("\n", 1)[0]
        tail = "\n".join((getattr(error, "stderr_tail", "") or "").splitlines()[-CRASH_STDERR_LINES:])
        return f"the server crashed: {headline}" + (
            f"\n    last lines of its stderr:\n{_indent(tail, 6)}" if tail else ""
        )
    if kind == "exception":
        rejected = _sdk_rejection(outcome.error)
        if rejected is not None and mode == "valid":
            return rejected
        return rejected or f"the reply could not be read: {type(outcome.error).__name__}: {outcome.error}"
    if mode == "valid":
        if kind == "protocol_error":
            return (
                f"valid arguments got JSON-RPC error {outcome.code} ({outcome.error}); a tool answers valid "
                "input with a result (isError true for business errors)"
            )
        if kind == "ok":
            problems = _result_problems(outcome.result, tool)
            if problems:
                return "invalid result: " + "; ".join(problems)
        return None
    if mode == "invalid":
        if kind == "ok":
            return "the server accepted arguments that violate the tool's inputSchema and returned success"
        if kind == "protocol_error" and outcome.code != INVALID_PARAMS:
            return (
                f"invalid arguments got JSON-RPC error {outcome.code} ({outcome.error}); expected an isError "
                f"result or {INVALID_PARAMS} (Invalid params)"
            )
        return None
    if kind == "protocol_error" and outcome.code != INVALID_PARAMS:
        return f"a hostile string caused JSON-RPC error {outcome.code} ({outcome.error}): an unhandled error"
    return None


# -- the engine ---------------------------------------------------------------------------------
class _Aborted(Exception):
    """The event loop's side stopped serving calls (the check was cancelled or failed)."""


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
        self.aborted = False
        self.requests: queue.SimpleQueue[tuple[dict[str, Any], Future[_Verdict]] | None] = queue.SimpleQueue()

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
        timeout = self.config.call_timeout
        try:
            outcome = await self.client.outcome(self.tool.name, arguments, timeout=timeout)
        except Exception as exc:  # the SDK refusing a reply is a finding, not an error of ours
            from ..client import CallOutcome

            outcome = CallOutcome(self.tool.name, arguments, self.client.describe(), error=exc)
        self.calls += 1
        problem = judge(self.mode, outcome, self.tool)
        if outcome.kind == "timeout":
            problem = await self._timed_out(arguments, problem)
        leaks: list[Leak] = []
        if outcome.kind in ("ok", "is_error", "protocol_error"):
            leaks = self.detector.scan(outcome.result if outcome.result is not None else outcome.error, arguments)
            if leaks and problem is None:
                problem = "the reply leaks " + "; ".join(leak.describe() for leak in leaks)
        if outcome.kind == "crash":
            self.dead = self.crashed = True
        return _Verdict(problem, self.detector.redact(_reply_text(outcome)), leaks)

    async def _timed_out(self, arguments: dict[str, Any], problem: str | None) -> str | None:
        """Judge an unanswered call by whether the server still answers anything.

        A server that no longer answers ``tools/list`` hung: always a failure (and it is restarted
        when the plugin started it). One that still answers left only this call hanging: a failure
        for invalid and hostile inputs (they must be refused or handled), but tolerated for valid
        inputs, which may simply ask for a lot of work (``sleep(seconds=1e9)``); such a tool stops
        being fuzzed after ``SLOW_LIMIT`` of them.
        """
        if not await self.alive():
            self.dead = True
            return f"{problem}; afterwards the server did not answer tools/list within {self.liveness:g} s either"
        if self.mode == "valid":
            self.slow.append(arguments)
            return None
        return f"{problem}; the server still answers other requests, so it left this one hanging"

    @property
    def liveness(self) -> float:
        """Seconds a server that left a call unanswered gets to answer ``tools/list``."""
        limit = self.config.call_timeout or LIVENESS_SECONDS
        return max(1.0, min(LIVENESS_SECONDS, limit))

    async def alive(self) -> bool:
        """Whether the server answers ``tools/list`` within ``liveness`` seconds (an error answer counts)."""
        import anyio
        from mcp.shared.exceptions import MCPError

        with anyio.move_on_after(self.liveness):
            try:
                await self.client.sdk.list_tools()
            except MCPError:
                return True
            except Exception:
                return False
            return True
        return False

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
        if self.aborted:
            raise _Aborted
        answer: Future[_Verdict] = Future()
        self.requests.put((arguments, answer))
        return answer.result()

    async def serve(
        self, strategy: Any, unpack: Callable[[Any], tuple[dict[str, Any], str]], seed: int
    ) -> _Failed | None:
        """Run Hypothesis in a thread of its own and make its calls here, in the caller's task.

        Every call (and every reconnect after a crash) happens in this task, so the connections the
        session opens are entered and closed by one task, as anyio requires.
        """
        import anyio

        outcome: Future[_Failed | None] = Future()

        def search() -> None:
            try:
                outcome.set_result(self.run(strategy, unpack, seed))
            except BaseException as exc:  # handed to the event loop's task, which re-raises it
                outcome.set_exception(exc)
            finally:
                self.requests.put(None)

        thread = threading.Thread(target=search, name=f"pytest-mcp-fuzz-{self.tool.name}", daemon=True)
        thread.start()
        try:
            while True:
                request = await anyio.to_thread.run_sync(self.requests.get)
                if request is None:
                    break
                arguments, answer = request
                try:
                    answer.set_result(await self.call(arguments))
                except BaseException as exc:
                    answer.set_exception(exc)
                    raise
        finally:
            self.aborted = True
            while not self.requests.empty():
                pending = self.requests.get_nowait()
                if pending is not None:
                    pending[1].set_exception(_Aborted())
        thread.join()
        return outcome.result()

    def check(self, arguments: dict[str, Any], note: str) -> None:
        key = json.dumps(arguments, sort_keys=True, default=repr)
        verdict = self.memo.get(key)
        if verdict is None:
            if not self.budget_left() or (self.dead and self.reconnect is None):
                return  # out of budget: unknown examples count as passing, so shrinking stops here
            if self.first_failure_at is not None:
                self.shrink_calls += 1
            verdict = self.ask(arguments)
            self.memo[key] = verdict
            if verdict.problem is not None:
                self.failures += 1
                if self.first_failure_at is None:
                    self.first_failure_at = time.monotonic()
        if verdict.problem is not None:
            raise _Failed(verdict.problem, arguments, verdict.reply, note, verdict.leaks)

    def run(self, strategy: Any, unpack: Callable[[Any], tuple[dict[str, Any], str]], seed: int) -> _Failed | None:
        from hypothesis import HealthCheck, Phase, Verbosity, given, settings
        from hypothesis import seed as with_seed

        @with_seed(seed)
        @settings(
            max_examples=self.config.examples,
            deadline=None,
            database=None,
            derandomize=False,
            phases=(Phase.explicit, Phase.generate, Phase.shrink),
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            verbosity=Verbosity.quiet,
            print_blob=False,
        )
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

        from ..client import connect

        old = self.client
        server = old.server
        if not self.restart_crashed or server.kind not in ("stdio", "spawn_http"):
            return None
        try:
            await anyio.to_thread.run_sync(server.restart)
            self.client = await self._stack.enter_async_context(
                connect(server, era=old.era, timeout=old.timeout, headers=old.headers, transcript=old.transcript)
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
        if engine.dead:
            await self.reconnect()
        else:
            self.client = engine.client
        report.examples = engine.calls
        if engine.slow:
            limit = config.call_timeout if config.call_timeout is not None else getattr(self.client, "timeout", 0)
            report.notes.append(
                f"tool {tool.name!r}: {len(engine.slow)} {mode} example(s) got no reply within {limit:g} s while "
                f"the server kept answering (slow for such input, not a failure), e.g. "
                f"{render_arguments(engine.slow[0])}"
                + ("; fuzzing this tool stopped there" if len(engine.slow) >= SLOW_LIMIT else "")
            )
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


# -- the fuzz suite's checks ----------------------------------------------------------------------
# Registered in the suite's registry (suite/registry.py, CHECK_MODULES); loaded only by --mcp-suite.
from .registry import check  # noqa: E402 - registration lives with the code it runs

CLIENT_REPLIES: Final = {"sampling": "pytest-mcp: a canned sampling reply", "elicitation": "decline", "roots": []}
"""How the suite's client answers a tool's sampling, elicitation and roots requests (so such tools can finish)."""

FUZZ_CHECK_TIMEOUT: Final = 600.0
"""Seconds one fuzz item may take; the fuzzing itself stops at 80 % of it (``FuzzConfig.stop_at``)."""


@dataclass
class SuiteTools:
    """The tools of the server in one item, split by ``--mcp-fuzz-tools``."""

    chosen: list[Any]
    skipped: dict[str, str]
    unknown: list[str]


def select_tools(tools: Sequence[Any], spec: str) -> SuiteTools:
    """Split ``tools`` into those the suite may call and the others (with each one's skip reason)."""
    selection = ToolSelection.parse(spec)
    chosen, skipped = [], {}
    for tool in tools:
        reason = selection.skip_reason(tool)
        if reason is None:
            chosen.append(tool)
        else:
            skipped[tool.name] = reason
    return SuiteTools(chosen, skipped, selection.unknown_names(tools))


def opt_in_reason(tools: SuiteTools, spec: str) -> str:
    """Why nothing can be called, naming the tools and the exact option values that would opt them in."""
    names = sorted(tools.skipped)
    if not names:
        return "the server offers no tools"
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    if len(names) == 1:
        return next(iter(tools.skipped.values()))
    return (
        f"--mcp-fuzz-tools={spec} selects none of the server's tools ({shown}); by default only tools annotated "
        f"readOnlyHint: true are called, because generated input could change or destroy data. Opt in with "
        f"--mcp-fuzz-tools={names[0]},{names[1]} (named tools) or --mcp-fuzz-tools=all (every tool; leave "
        f"dangerous ones out with -NAME, e.g. all,-{names[0]})"
    )


def suite_config(ctx: Any, started: float) -> FuzzConfig:
    """The fuzz settings of one suite item: examples, seeds, per-call timeout and the item's deadline."""
    return FuzzConfig(
        examples=int(getattr(ctx.options, "fuzz_examples", DEFAULT_EXAMPLES) or DEFAULT_EXAMPLES),
        call_timeout=ctx.timeout,
        seed=ctx.seed & 0xFFFFFFFF,
        run_seed=ctx.options.seed,
        stop_at=started + 0.8 * ctx.check.timeout,
    )


async def _fuzz_check(ctx: Any, mode: str) -> None:
    __tracebackhide__ = True
    import anyio

    from .leaks import server_env

    if getattr(ctx.options, "fuzz_examples", DEFAULT_EXAMPLES) == 0:
        ctx.skip("fuzzing is off (--mcp-fuzz-examples=0)")
    started = time.monotonic()
    spec = ctx.options.fuzz_tools
    async with ctx.client(**CLIENT_REPLIES) as client:
        tools = select_tools(await client.tools(), spec)
        if not tools.chosen:
            ctx.skip(opt_in_reason(tools, spec))
        config = suite_config(ctx, started)
        detector = LeakDetector(server_env(client.server), extra_secrets=(ctx.token,) if ctx.token else ())
        reports: list[FuzzReport] = []
        async with FuzzSession(client, config=config, detector=detector) as session:
            for tool in tools.chosen:
                if time.monotonic() > config.stop_at:
                    ctx.note(f"tool {tool.name!r} not fuzzed: the item's time budget ({ctx.check.timeout:g} s) ran out")
                    continue
                reports.append(await session.fuzz(tool, mode))
                await anyio.lowlevel.checkpoint()
    for name in tools.unknown:
        ctx.note(f"--mcp-fuzz-tools names {name!r}, which the server does not offer")
    for reason in tools.skipped.values():
        ctx.note(f"not fuzzed: {reason}")
    for report in reports:
        if report.skipped:
            ctx.note(f"not fuzzed: {report.skipped}")
        for note in report.notes:
            ctx.note(note)
    failures = [report.failure for report in reports if report.failure is not None]
    if failures:
        server = client.describe()
        head = f"{len(failures)} of {len(reports)} tool(s) failed fuzzing with {mode} inputs"
        ctx.fail(head + ":\n" + "\n".join(failure.message(server) for failure in failures))
    fuzzed = [report for report in reports if not report.skipped]
    if not fuzzed:
        ctx.skip("no tool could be fuzzed: " + "; ".join(report.skipped or "" for report in reports))
    calls = sum(report.examples for report in fuzzed)
    ctx.note(f"fuzzed {len(fuzzed)} tool(s) with {calls} {mode} call(s); seed {config.reproduce_seed}")


@check(
    "fuzz.tools.valid-inputs",
    rule="Arguments generated from a tool's inputSchema never cause a JSON-RPC error, a crash or a server that stops "
    "answering; each result has valid content blocks and, when the tool declares an outputSchema, structuredContent that conforms to it; "
    "no reply leaks a stack trace, a secret or system file contents.",
    items=[39, 41, 49],
    spec="server/tools#tool-result",
    level="MUST",
    suite="fuzz",
    requires=("tools",),
    timeout=FUZZ_CHECK_TIMEOUT,
    raw=False,
)
async def fuzz_valid_inputs(ctx: Any) -> None:
    await _fuzz_check(ctx, "valid")


@check(
    "fuzz.tools.invalid-inputs",
    rule="Arguments that violate a tool's inputSchema (a required property missing, a wrong type, a value out of "
    "range, an extra property when additionalProperties is false) get an isError result or JSON-RPC error -32602, "
    "never success, a crash or a hang.",
    items=[44],
    spec="server/tools#security-considerations",
    level="MUST",
    suite="fuzz",
    requires=("tools",),
    timeout=FUZZ_CHECK_TIMEOUT,
    raw=False,
)
async def fuzz_invalid_inputs(ctx: Any) -> None:
    await _fuzz_check(ctx, "invalid")


@check(
    "fuzz.tools.hostile-strings",
    rule="Hostile strings in string arguments (empty, unicode and emoji, control characters, ~1 MB, path traversal, "
    "SQL, script, template and JNDI injection) never cause a crash, a hang, an internal error or a leak.",
    items=[44, 49],
    spec="server/tools#security-considerations",
    level="D",
    suite="fuzz",
    requires=("tools",),
    timeout=FUZZ_CHECK_TIMEOUT,
    raw=False,
)
async def fuzz_hostile_strings(ctx: Any) -> None:
    await _fuzz_check(ctx, "hostile")
