"""The load runner: N concurrent clients calling a weighted mix of tools, bounded in time and calls.

Each virtual user is its own connection to the server under test. Two engines make the calls:

* ``sdk``: a ``pytest_mcp.client.mcp_client.connect(...)`` client per user (any target: stdio, HTTP,
  in-process, ASGI), exactly what a test's ``mcp_client`` does; scenarios need it;
* ``http``: for plain tool calls against a Streamable HTTP server, a lean hand-built JSON-RPC
  client per user (``http_engine.py``), a fraction of the client CPU per call.

``engine="auto"`` (the default) takes ``http`` whenever it can. Users connect first; the clock
starts when all of them are connected. Every call's latency is kept, so the percentiles in
``LoadStats`` are exact.
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from .._docs import docs_url
from ..client.transcript import Transcript
from ..errors import McpConnectionError, McpTimeoutError, McpUsageError
from ..protocol import classify
from .options import LoadOptions
from .stats import TOTAL, LoadStats, ToolStats

if TYPE_CHECKING:
    from ..client.mcp_client import McpClient
    from ..server.running import RunningServer

__all__ = ["ENGINES", "LoadRun", "McpLoad", "Task", "call", "check_loopback", "choose_engine", "run_load", "scenario"]

DOCS: Final = docs_url("load.md")
TRANSCRIPT_KEEP: Final = 100
"""Messages each virtual user's transcript keeps (the most recent ones), so long runs stay small."""
DEADLINE_GRACE: Final = 5.0
"""Seconds a duration-bound run may overrun (for calls in flight at the end) before it is cut off."""
LOOPBACK_NAMES: Final = ("localhost", "ip6-localhost", "ip6-loopback")
ENGINES: Final = ("auto", "http", "sdk")
HTTP_ENGINE_CLIENT_OPTIONS: Final = ("headers", "token")
"""The ``client=`` options the HTTP engine honours; any other one (sampling, ...) needs the SDK engine."""

ArgumentsFactory = Callable[[int], Mapping[str, Any]]
"""Builds a call's arguments from the run-wide call number (0, 1, 2, ...)."""
Scenario = Callable[["McpClient"], Awaitable[Any]]
"""An async function of a connected client: one "task" that may make several requests."""
RunTask = Callable[["Task", int], Awaitable[tuple[str | None, str]]]
"""Runs one task as call number N; returns (error kind or None, error message)."""


@dataclass(frozen=True)
class Task:
    """One entry of the weighted mix: a tool call or a scenario, and its weight."""

    name: str
    """The row of the statistics table this task's calls are counted in."""
    weight: int = 1
    tool: str | None = None
    arguments: Mapping[str, Any] | ArgumentsFactory | None = None
    scenario: Scenario | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.weight, int) or self.weight < 1:
            raise McpUsageError(f"load task {self.name!r}: weight must be a whole number >= 1, got {self.weight!r}")
        if self.name == TOTAL:
            raise McpUsageError(f"load task name {TOTAL!r} is reserved for the total row")


def call(
    tool: str,
    arguments: Mapping[str, Any] | ArgumentsFactory | None = None,
    *,
    weight: int = 1,
    name: str | None = None,
) -> Task:
    """A tool call for the mix: ``call("add", {"a": 1, "b": 2}, weight=3)``.

    ``arguments`` may be a function of the call number, for varied inputs:
    ``call("echo", lambda n: {"text": f"message {n}"})``.
    """
    return Task(name=name or tool, weight=weight, tool=tool, arguments=arguments)


def scenario(fn: Scenario, *, weight: int = 1, name: str | None = None) -> Task:
    """An async function of a connected ``McpClient``, timed as one unit (like a Locust task).

    It fails when it raises, or when it returns a tool result with ``is_error`` set.
    """
    return Task(name=name or str(getattr(fn, "__name__", "scenario")), weight=weight, scenario=fn)


def as_tasks(tasks: Any) -> list[Task]:
    """Accept a ``Task``, a list of them, or a ``{tool: arguments}`` dict (equal weights)."""
    __tracebackhide__ = True
    if isinstance(tasks, Task):
        found = [tasks]
    elif isinstance(tasks, Mapping):
        found = [call(str(tool), arguments) for tool, arguments in tasks.items()]
    elif isinstance(tasks, str):
        found = [call(tasks)]
    elif isinstance(tasks, Sequence):
        found = [task if isinstance(task, Task) else _not_a_task(task) for task in tasks]
    else:
        found = [_not_a_task(tasks)]
    if not found:
        raise McpUsageError(f"mcp_load needs at least one task: call('tool', {{...}}) or scenario(fn) (see {DOCS})")
    names = [task.name for task in found]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise McpUsageError(f"load tasks must have distinct names; repeated: {', '.join(duplicates)} (use name=...)")
    return found


def _not_a_task(value: Any) -> Task:
    __tracebackhide__ = True
    raise McpUsageError(
        f"mcp_load: {value!r} is not a load task; use pytest_mcp.load.call('tool', {{...}}), "
        "scenario(async_fn), or a {'tool': arguments} dict"
    )


def describe_server(server: RunningServer) -> str:
    """The server as messages name it, with the real URL of a spawned HTTP server."""
    if server.kind == "spawn_http" and server.url:
        return f"HTTP server {server.url}"
    return server.describe()


def check_loopback(server: RunningServer, *, allow_remote: bool = False) -> None:
    """Refuse to load an HTTP server that is not on this machine (unless ``allow_remote``)."""
    __tracebackhide__ = True
    if allow_remote or server.kind not in ("http", "spawn_http") or not server.url:
        return
    host = urlsplit(server.url).hostname or ""
    if host in LOOPBACK_NAMES:
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise McpUsageError(
        f"mcp_load only loads servers on this machine (loopback), and {server.url} is on {host!r}. "
        "Pass allow_remote=True if you own that server, or use the Locust user class for load beyond one "
        f"machine (see {DOCS}#locust)"
    )


def choose_engine(engine: str, server: RunningServer, tasks: Sequence[Task], client_options: Mapping[str, Any]) -> str:
    """``http`` or ``sdk`` for this run; ``engine="http"`` where it cannot work is a ``McpUsageError`` saying why."""
    __tracebackhide__ = True
    if engine not in ENGINES:
        raise McpUsageError(f"mcp_load(engine={engine!r}): choose one of {', '.join(ENGINES)} (see {DOCS}#engines)")
    if engine == "sdk":
        return "sdk"
    reasons = []
    if server.kind not in ("http", "spawn_http") or not server.url:
        reasons.append(f"the {describe_server(server)} is not a Streamable HTTP server")
    elif not server.url.startswith("http://"):
        reasons.append(f"{server.url} is not plain http://")
    scenarios = [task.name for task in tasks if task.scenario is not None]
    if scenarios:
        reasons.append(f"scenarios ({', '.join(scenarios)}) need a full client")
    others = sorted(
        k for k, v in client_options.items() if k not in HTTP_ENGINE_CLIENT_OPTIONS and v not in (None, False)
    )
    if others:
        reasons.append(f"the client options {', '.join(others)} need the SDK's client")
    if not reasons:
        return "http"
    if engine == "http":
        raise McpUsageError(f"mcp_load(engine='http') cannot load this run: {'; '.join(reasons)}. Use engine='sdk'")
    return "sdk"


class _BoundedTranscript(Transcript):
    """A transcript that keeps only the last ``TRANSCRIPT_KEEP`` messages."""

    def add(self, *args: Any, **kwargs: Any) -> None:
        super().add(*args, **kwargs)
        if len(self) > 2 * TRANSCRIPT_KEEP:
            del self.messages[:-TRANSCRIPT_KEEP]


@dataclass
class _Row:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)


@dataclass
class LoadRun:
    """The live state of one run (what progress reports and the final statistics are built from)."""

    tasks: Sequence[Task]
    users: int
    target: str
    era: str
    duration: float | None = None
    """The planned duration (None when only ``calls`` bounds the run)."""
    calls: int | None = None
    """The planned number of calls (None when only ``duration`` bounds the run)."""
    engine: str = ""
    rows: dict[str, _Row] = field(default_factory=dict)
    started: float | None = None
    ended: float | None = None
    issued: int = 0
    stopped_by: str = ""

    def __post_init__(self) -> None:
        self.rows = {task.name: _Row() for task in self.tasks}

    def record(self, name: str, latency: float, kind: str | None, message: str) -> None:
        row = self.rows[name]
        row.latencies.append(latency)
        if kind is not None:
            row.errors[kind] = row.errors.get(kind, 0) + 1
            sample = f"{kind}: {message[:300]}"
            if len(row.samples) < 3 and sample not in row.samples:
                row.samples.append(sample)

    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return (self.ended if self.ended is not None else time.perf_counter()) - self.started

    def stats(self) -> LoadStats:
        duration = self.elapsed()
        tools = {
            name: ToolStats.from_samples(name, row.latencies, duration, row.errors, row.samples)
            for name, row in self.rows.items()
        }
        all_errors: dict[str, int] = {}
        for row in self.rows.values():
            for kind, count in row.errors.items():
                all_errors[kind] = all_errors.get(kind, 0) + count
        total = ToolStats.from_samples(
            TOTAL, (value for row in self.rows.values() for value in row.latencies), duration, all_errors
        )
        return LoadStats(
            tools=tools,
            total=total,
            duration_s=duration,
            users=self.users,
            target=self.target,
            era=self.era,
            stopped_by=self.stopped_by,
            engine=self.engine,
        )


def _classify(error: BaseException) -> tuple[str, str]:
    outcome = classify(error)
    return outcome.kind, outcome.message


async def _run_task(client: McpClient, task: Task, number: int) -> tuple[str | None, str]:
    """Run one task; return (error kind or None, error message)."""
    try:
        if task.scenario is not None:
            outcome = await task.scenario(client)
        else:
            assert task.tool is not None
            arguments = task.arguments(number) if callable(task.arguments) else task.arguments
            outcome = await client.call_tool(task.tool, arguments)
    except Exception as exc:
        return _classify(exc)
    if getattr(outcome, "is_error", False) is True:
        text = getattr(outcome, "text", "") or str(getattr(outcome, "content", ""))
        return "is_error", text
    return None, ""


@asynccontextmanager
async def _sdk_user(
    server: RunningServer, index: int, *, era: str, timeout: float, warmup: bool, options: Mapping[str, Any]
) -> AsyncIterator[tuple[RunTask, str]]:
    """A virtual user on the SDK engine: a connected ``McpClient`` (tools listed first when ``warmup``)."""
    from ..client.mcp_client import connect

    transcript = _BoundedTranscript(label=f"load user {index + 1} -> {describe_server(server)}")
    async with connect(server, era=era, timeout=timeout, transcript=transcript, **options) as client:
        if warmup:
            await client.list_tools()

        async def run_task(task: Task, number: int) -> tuple[str | None, str]:
            return await _run_task(client, task, number)

        yield run_task, client.era


@asynccontextmanager
async def _http_user(
    server: RunningServer, *, era: str, timeout: float, options: Mapping[str, Any]
) -> AsyncIterator[tuple[RunTask, str]]:
    """A virtual user on the HTTP engine: one keep-alive connection speaking hand-built JSON-RPC."""
    from .http_engine import HttpEngineUser

    headers = dict(options.get("headers") or {})
    if options.get("token"):
        headers["Authorization"] = f"Bearer {options['token']}"
    user = HttpEngineUser(server, era=era, timeout=timeout, headers=headers, describe=describe_server(server))
    try:
        await user.connect()

        async def run_task(task: Task, number: int) -> tuple[str | None, str]:
            assert task.tool is not None
            arguments = task.arguments(number) if callable(task.arguments) else task.arguments
            return await user.call_tool(task.tool, arguments)

        yield run_task, user.era
    finally:
        await user.aclose()


DEFAULT_TIMEOUT: Final = 10.0
"""Per-call timeout of a run whose options give none (``McpLoad`` passes its own instead)."""


async def run_load(
    server: RunningServer,
    tasks: Any,
    options: LoadOptions | None = None,
    *,
    era: str = "auto",
    max_duration: float = 60.0,
    progress: Callable[[LoadRun], None] | None = None,
    progress_interval: float = 5.0,
    **keywords: Any,
) -> LoadStats:
    """Run ``options.users`` concurrent clients against ``server`` until ``duration`` seconds have
    passed or ``calls`` calls were made (whichever comes first), and return the statistics.

    ``options`` is a ``LoadOptions``, or its keywords are given here (``users=8, duration=2``).
    ``wait`` is each user's pause between calls (seconds, or a ``(min, max)`` range); ``warmup``
    lists the tools once per user before the clock starts, so the SDK's first-call schema fetch is
    not measured. ``max_duration`` bounds every run, also those limited only by ``calls``.
    ``client`` holds ``mcp_client`` keywords (``headers``, ``token``, ...). ``engine`` is
    ``auto``, ``http`` or ``sdk`` (see the module's docstring).
    """
    __tracebackhide__ = True
    if options is None:
        options = load_options(keywords, "run_load(...)")
    elif keywords:
        raise McpUsageError("run_load: pass either a LoadOptions or its keywords, not both")
    runner = _LoadRunner(server, as_tasks(tasks), options, era=era, max_duration=max_duration)
    await runner.drive(progress, progress_interval)
    return runner.result()


def _wait_range(wait: float | tuple[float, float]) -> tuple[float, float]:
    __tracebackhide__ = True
    low, high = (float(wait), float(wait)) if isinstance(wait, int | float) else (float(wait[0]), float(wait[1]))
    if not 0 <= low <= high:
        raise McpUsageError(f"mcp_load(wait={wait!r}): give seconds >= 0, or a (min, max) range with min <= max")
    return low, high


class _LoadRunner:
    """One run: every user connects, the clock starts once all are connected, they call until a bound."""

    def __init__(
        self, server: RunningServer, tasks: list[Task], options: LoadOptions, *, era: str, max_duration: float
    ) -> None:
        __tracebackhide__ = True
        import anyio

        self.server, self.tasks, self.era, self.max_duration = server, tasks, era, max_duration
        self.users, self.duration, self.calls = options.users, options.duration, options.calls
        self.timeout = options.timeout if options.timeout is not None else DEFAULT_TIMEOUT
        _check_bounds(self.users, self.duration, self.calls, max_duration, self.timeout)
        check_loopback(server, allow_remote=options.allow_remote)
        self.low, self.high = _wait_range(options.wait)
        self.weights = list(itertools.accumulate(task.weight for task in tasks))
        self.single = tasks[0] if len(tasks) == 1 else None
        self.base_seed = options.seed if options.seed is not None else random.randrange(2**32)
        self.client = dict(options.client or {})
        self.engine = choose_engine(options.engine, server, tasks, self.client)
        self.run = LoadRun(tasks, self.users, describe_server(server), era, self.duration, self.calls, self.engine)
        self.warmup = options.warmup and any(task.tool is not None for task in tasks)
        self.connect_limit = self.timeout * 2 + 5
        self.ready, self.go, self.done = anyio.Event(), anyio.Event(), anyio.Event()
        self.counters = {"connecting": self.users, "active": self.users}
        self.connect_errors: list[tuple[int, BaseException]] = []
        self.close_errors: list[BaseException] = []
        self.eras: set[str] = set()
        self.deadline = math.inf

    def _mark(self, counter: str, event: Any) -> None:
        self.counters[counter] -= 1
        if self.counters[counter] == 0:
            event.set()

    async def _calls_loop(self, run_task: RunTask, rng: random.Random) -> None:
        import anyio

        run = self.run
        while (self.calls is None or run.issued < self.calls) and time.perf_counter() < self.deadline:
            number = run.issued
            run.issued += 1
            task = self.single or rng.choices(self.tasks, cum_weights=self.weights)[0]
            started = time.perf_counter()
            kind, message = await run_task(task, number)
            run.record(task.name, time.perf_counter() - started, kind, message)
            if self.high > 0:
                await anyio.sleep(rng.uniform(self.low, self.high))

    def _open_user(self, index: int) -> Any:
        if self.engine == "http":
            return _http_user(self.server, era=self.era, timeout=self.timeout, options=self.client)
        return _sdk_user(
            self.server, index, era=self.era, timeout=self.timeout, warmup=self.warmup, options=self.client
        )

    async def _user(self, index: int) -> None:
        rng = random.Random(f"{self.base_seed}-{index}")
        connected = False
        try:
            async with self._open_user(index) as (run_task, negotiated):
                self.eras.add(negotiated)
                connected = True
                self._mark("connecting", self.ready)
                await self.go.wait()
                if not self.connect_errors:
                    try:
                        await self._calls_loop(run_task, rng)
                    finally:
                        self._mark("active", self.done)
        except Exception as exc:
            if connected:
                self.close_errors.append(exc)
            else:
                self.connect_errors.append((index, exc))
                self._mark("connecting", self.ready)

    async def drive(self, progress: Callable[[LoadRun], None] | None, progress_interval: float) -> None:
        """Start the users, wait until all are connected (bounded), then run the clock."""
        import anyio

        async with anyio.create_task_group() as group:
            for index in range(self.users):
                group.start_soon(self._user, index)
            with anyio.move_on_after(self.connect_limit):
                await self.ready.wait()
            if self.connect_errors or not self.ready.is_set():
                self.go.set()  # connected users see the failure and close normally
                if not self.ready.is_set():
                    group.cancel_scope.cancel()
            elif not await self._measure(progress, progress_interval):
                self.run.stopped_by = "deadline"
                group.cancel_scope.cancel()

    async def _measure(self, progress: Callable[[LoadRun], None] | None, progress_interval: float) -> bool:
        """Let the connected users call until a bound; False if they had to be cut off at the deadline."""
        import anyio

        async def report_progress() -> None:
            assert progress is not None
            while True:
                await anyio.sleep(progress_interval)
                progress(self.run)

        run = self.run
        run.started = time.perf_counter()
        self.deadline = run.started + (self.duration if self.duration is not None else self.max_duration)
        self.go.set()
        async with anyio.create_task_group() as side:
            if progress is not None and progress_interval > 0:
                side.start_soon(report_progress)
            with anyio.move_on_after(self.deadline - run.started + DEADLINE_GRACE + self.timeout) as cut:
                await self.done.wait()
            side.cancel_scope.cancel()
        run.ended = time.perf_counter()
        return not cut.cancelled_caught

    def result(self) -> LoadStats:
        """The run's statistics, or the error that kept it from running or from ending cleanly."""
        __tracebackhide__ = True
        server, run = self.server, self.run
        if self.connect_errors:
            index, error = self.connect_errors[0]
            raise _connect_failure(index, self.users, error, server)
        if not self.ready.is_set():
            raise McpTimeoutError(
                f"the {self.users} load users could not all connect to the {describe_server(server)} "
                f"within {self.connect_limit:g} s",
                method="connect",
                timeout=self.connect_limit,
            )
        if self.close_errors:
            raise McpConnectionError(
                f"a load user failed after its calls, while disconnecting from the {describe_server(server)}: "
                f"{_classify(self.close_errors[0])[1]}"
            ) from self.close_errors[0]
        if len(self.eras) == 1:
            run.era = self.eras.pop()  # what the users negotiated (``auto`` resolves to an era)
        if not run.stopped_by:
            if self.calls is not None and run.issued >= self.calls:
                run.stopped_by = "calls"
            else:
                run.stopped_by = "duration" if self.duration is not None else "deadline"
        return run.stats()


def _check_bounds(users: int, duration: float | None, calls: int | None, max_duration: float, timeout: float) -> None:
    __tracebackhide__ = True
    if not isinstance(users, int) or users < 1:
        raise McpUsageError(f"mcp_load(users={users!r}): give a whole number of users >= 1")
    if duration is None and calls is None:
        raise McpUsageError(
            f"mcp_load needs a bound: duration=SECONDS, calls=N or both (whichever comes first ends the run); see {DOCS}"
        )
    if duration is not None and not duration > 0:
        raise McpUsageError(f"mcp_load(duration={duration!r}): give seconds > 0")
    if calls is not None and (not isinstance(calls, int) or calls < 1):
        raise McpUsageError(f"mcp_load(calls={calls!r}): give a whole number of calls >= 1")
    if duration is not None and duration > max_duration:
        raise McpUsageError(
            f"mcp_load(duration={duration:g}) is longer than the {max_duration:g} s allowed; "
            "raise --mcp-load-max-duration (ini mcp_load_max_duration) for longer runs"
        )
    if not timeout > 0:
        raise McpUsageError(f"mcp_load: the per-call timeout must be > 0, got {timeout!r}")


def _connect_failure(index: int, users: int, error: BaseException, server: RunningServer) -> BaseException:
    from ..client.mcp_client import McpEraUnsupported

    if isinstance(error, McpEraUnsupported | McpUsageError):
        return error
    kind, message = _classify(error)
    failure = McpConnectionError(
        f"load user {index + 1} of {users} could not connect to the {describe_server(server)} ({kind}): {message}"
    )
    failure.__cause__ = error
    return failure


class McpLoad:
    """Load one started server: ``stats = await load([call("add", {...})], users=8, duration=3)``.

    This is what the ``mcp_load`` fixture returns; outside pytest, build it from a
    ``RunningServer``. Keywords given here (those of ``LoadOptions``, as for the ``mcp_load``
    marker) are defaults for every run; each call's keywords win. ``timeout`` is the per-call
    timeout of runs whose options give none.
    """

    def __init__(
        self,
        server: RunningServer,
        *,
        era: str = "auto",
        timeout: float = DEFAULT_TIMEOUT,
        max_duration: float = 60.0,
        progress: Callable[[LoadRun], None] | None = None,
        progress_interval: float = 5.0,
        on_stats: Callable[[LoadStats], None] | None = None,
        **defaults: Any,
    ) -> None:
        self.server = server
        self.era = era
        self.timeout = timeout
        self.max_duration = max_duration
        self.progress = progress
        self.progress_interval = progress_interval
        self.on_stats = on_stats
        load_options(defaults, "McpLoad(...)")
        self.defaults = dict(defaults)
        """The keywords given here (checked against ``LoadOptions``), the defaults of every run."""
        self.runs: list[LoadStats] = []
        """The statistics of every run so far, in order."""

    def __repr__(self) -> str:
        return f"<McpLoad {describe_server(self.server)} era={self.era} runs={len(self.runs)}>"

    async def __call__(self, tasks: Any, **options: Any) -> LoadStats:
        __tracebackhide__ = True
        chosen = load_options({**self.defaults, **options}, "mcp_load(...)")
        if chosen.timeout is None:
            chosen = replace(chosen, timeout=self.timeout)
        stats = await run_load(
            self.server,
            tasks,
            chosen,
            era=self.era,
            max_duration=self.max_duration,
            progress=self.progress,
            progress_interval=self.progress_interval,
        )
        self.runs.append(stats)
        if self.on_stats is not None:
            self.on_stats(stats)
        return stats


def load_options(keywords: Mapping[str, Any], where: str) -> LoadOptions:
    """``LoadOptions`` from ``keywords``; a wrong keyword is a ``McpUsageError`` naming the valid ones."""
    __tracebackhide__ = True
    try:
        return LoadOptions(**keywords)
    except TypeError as exc:
        valid = ", ".join(field.name for field in fields(LoadOptions))
        problem = str(exc).removeprefix("LoadOptions.__init__() ")
        raise McpUsageError(f"{where}: {problem}; the keywords are: {valid} (see {DOCS})") from None
