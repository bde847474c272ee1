"""``FaultInjector``: seeded transport faults at the SDK dispatcher, server kills, backend faults.

The injector wraps the SDK ``Dispatcher`` under each client (the seam every transport shares:
stdio, Streamable HTTP and direct in-process dispatch), so one implementation breaks all of them
the same way. Every decision comes from one ``random.Random(seed)``: request number *n* of a
test gets the same faults on every run with the same seed and policy.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import random
import signal
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeVar

import anyio

from ..errors import McpUsageError
from ..run_seed import new_base_seed
from ._policy import FAULTS, BackendFaultOptions, ChaosOptions, method_matches, request_target, sample_ms
from .backend import BackendFault
from .events import ChaosEvent

if TYPE_CHECKING:
    from ..client.mcp_client import McpClient
    from ..server.running import RunningServer

__all__ = ["ChaosDispatcher", "ChaosEvent", "FaultInjector"]

T = TypeVar("T")

_SCALAR_JUNK: Final = ({"\ufffd": None}, [None, "\ufffd"])
_CONTAINER_JUNK: Final = ("\ufffd\x00", 0)
_KILL_WAIT_SECONDS: Final = 5.0


@dataclass(frozen=True)
class _Decision:
    index: int
    fault: str | None
    latency_s: float
    rng: random.Random
    """Private random stream of this request (corruption choices, disconnect timing)."""


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=True)
    return text if len(text) <= 60 else text[:60] + "…"


def damage(params: Mapping[str, Any] | None, rng: random.Random) -> tuple[dict[str, Any], str]:
    """A damaged copy of request params and what was changed: a wrong-typed argument, or a garbled name/URI.

    ``_meta`` is kept intact, so the damage reaches the server's own validation, not the protocol layer.
    """
    data = copy.deepcopy(dict(params or {}))
    meta = data.pop("_meta", None)
    arguments = data.get("arguments")
    if isinstance(arguments, dict) and arguments:
        key = rng.choice(sorted(arguments))
        old = arguments[key]
        new = copy.deepcopy(rng.choice(_CONTAINER_JUNK if isinstance(old, dict | list) else _SCALAR_JUNK))
        arguments[key] = new
        detail = f"arguments.{key}: {_short(old)} -> {_short(new)}"
    elif isinstance(data.get("name"), str) or isinstance(data.get("uri"), str):
        key = "name" if isinstance(data.get("name"), str) else "uri"
        old = data[key]
        data[key] = old[::-1] + "\ufffd"
        detail = f"{key}: {_short(old)} -> {_short(data[key])}"
    elif data:
        key = rng.choice(sorted(data))
        old = data[key]
        data[key] = copy.deepcopy(rng.choice(_CONTAINER_JUNK if isinstance(old, dict | list) else _SCALAR_JUNK))
        detail = f"{key}: {_short(old)} -> {_short(data[key])}"
    else:
        data = {"\ufffd": "\ufffd"}
        detail = "params: {} -> " + _short(data)
    if meta is not None:
        data["_meta"] = meta
    return data, detail


class FaultInjector:
    """Seeded faults for MCP clients, server processes and backend functions.

    Use it through the ``mcp_chaos`` fixture or marker, or on its own::

        with FaultInjector(seed=7, latency_ms=(5, 50), drop_rate=0.1) as chaos:
            async with chaos.connect(server) as client:
                ...

    Transport faults act on client-to-server requests (the connection handshake is spared unless
    ``handshake=True``); leaving the ``with`` block (or the test) restores patched backends and
    restarts servers the injector killed.
    """

    def __init__(
        self,
        options: ChaosOptions | None = None,
        *,
        server: RunningServer | Callable[[], RunningServer] | None = None,
        **keywords: Any,
    ) -> None:
        """``options``, or the same as keywords (``seed=7, drop_rate=0.1``: see ``ChaosOptions``);
        ``server`` is what ``kill_server``/``restart_server`` act on (a server or a function returning one)."""
        if options is None:
            options = ChaosOptions(**keywords)
        elif keywords:
            raise McpUsageError("pass FaultInjector either a ChaosOptions or keywords, not both")
        self.seed: int = new_base_seed() if options.seed is None else int(options.seed)
        self.policy = options.replace(seed=self.seed)
        """The faults applied from now on (``configure``/``faults`` change them; the seed stays)."""
        self.events: list[ChaosEvent] = []
        """Every fault applied so far, in order (see ``fault_sequence``)."""
        self.requests = 0
        """How many requests were subject to faults so far."""
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._paused = 0
        self._forced: list[list[Any]] = []
        self._parked: list[anyio.Event] = []
        self._backends: list[BackendFault] = []
        self._killed: list[RunningServer] = []
        self._server = server
        self._closed = False

    def __repr__(self) -> str:
        return f"<FaultInjector seed={self.seed} {self.policy.describe()}>"

    # -- configuration --------------------------------------------------------------------------
    def configure(self, **changes: Any) -> FaultInjector:
        """Change the fault policy from now on (same keywords as the marker, except ``seed``)."""
        if "seed" in changes:
            raise McpUsageError("the seed of a FaultInjector is fixed; create a new one for another seed")
        self.policy = self.policy.replace(**changes)
        return self

    @contextmanager
    def faults(self, **changes: Any) -> Iterator[FaultInjector]:
        """Apply other rates inside a ``with`` block only: ``with mcp_chaos.faults(drop_rate=1): ...``."""
        previous = self.policy
        self.configure(**changes)
        try:
            yield self
        finally:
            self.policy = previous

    @contextmanager
    def paused(self) -> Iterator[FaultInjector]:
        """No transport faults inside the block (requests there do not advance the fault sequence)."""
        self._paused += 1
        try:
            yield self
        finally:
            self._paused -= 1

    def inject(self, fault: str, *, times: int = 1, methods: Sequence[str] | None = None) -> FaultInjector:
        """Force ``fault`` on the next ``times`` matching requests, whatever the rates say.

        ``methods`` are globs like the marker's (default: the policy's). Injected faults that no
        request used are reported as an error when the injector closes.
        """
        if fault not in FAULTS:
            raise McpUsageError(f"unknown fault {fault!r}; choose one of: {', '.join(FAULTS)}")
        if times < 1:
            raise McpUsageError(f"inject({fault!r}, times={times}): times must be at least 1")
        patterns = tuple([methods] if isinstance(methods, str) else methods) if methods is not None else None
        with self._lock:
            self._forced.append([fault, patterns, times])
        return self

    # -- facts ----------------------------------------------------------------------------------
    @property
    def fault_sequence(self) -> list[tuple[int, str, str]]:
        """``(request number, method, fault)`` of every transport fault so far: equal seeds give equal lists."""
        return [(e.index, e.method, e.fault) for e in self.events if e.index]

    @property
    def parked(self) -> int:
        """How many reordered requests are waiting for a later request to overtake them."""
        return len(self._parked)

    def describe(self) -> str:
        return f"seed={self.seed}; {self.policy.describe()}"

    def report_lines(self) -> list[str]:
        lines = [f"seed {self.seed}: {self.policy.describe()}; {self.requests} request(s) subject to faults"]
        lines += [event.render() for event in self.events] or ["(no fault was applied)"]
        return lines

    # -- wiring ---------------------------------------------------------------------------------
    def wrap_dispatcher(self, dispatcher: Any) -> ChaosDispatcher:
        """Wrap an SDK dispatcher; pass this to ``connect(..., dispatcher_wrappers=[...])``."""
        return ChaosDispatcher(dispatcher, self)

    @asynccontextmanager
    async def connect(self, server: RunningServer, **options: Any) -> AsyncIterator[McpClient]:
        """``pytest_mcp.connect(server, **options)`` with this injector's faults on the connection."""
        from ..client.mcp_client import connect

        wrappers = [*options.pop("dispatcher_wrappers", ()), self.wrap_dispatcher]
        async with connect(server, dispatcher_wrappers=wrappers, **options) as client:
            yield client

    # -- decisions ------------------------------------------------------------------------------
    def _decide(self, method: str, params: Mapping[str, Any] | None) -> _Decision | None:
        if self._paused:
            return None
        policy = self.policy
        with self._lock:
            forced = None
            for entry in self._forced:
                patterns = entry[1] if entry[1] is not None else policy.methods
                if method_matches(method, params, patterns, handshake=policy.handshake):
                    forced = entry
                    break
            if forced is None and not policy.applies_to(method, params):
                return None
            self.requests += 1
            index = self.requests
            rng = self._rng
            latency_roll = rng.random()
            rolls = [rng.random() for _ in FAULTS]
            private = random.Random(rng.getrandbits(64))
            if forced is not None:
                fault: str | None = forced[0]
                forced[2] -= 1
                if forced[2] == 0:
                    self._forced.remove(forced)
            else:
                fault = next((f for f, roll in zip(FAULTS, rolls, strict=True) if roll < policy.rate(f)), None)
        latency = 0.0
        if policy.latency_ms is not None and latency_roll < policy.latency_rate:
            latency = sample_ms(policy.latency_ms, private, limit_ms=policy.max_hold_ms) / 1000
        return _Decision(index, fault, latency, private)

    def _record(self, decision: _Decision, method: str, params: Any, fault: str, detail: str = "") -> None:
        self.events.append(
            ChaosEvent(decision.index, method, request_target(params), fault, detail, decision.latency_s * 1000)
        )

    def _hold_seconds(self, opts: Mapping[str, Any] | None) -> float:
        limit = self.policy.max_hold_ms / 1000
        timeout = (opts or {}).get("timeout")
        return min(limit, float(timeout)) if timeout is not None else limit

    async def _park(self) -> None:
        event = anyio.Event()
        self._parked.append(event)
        try:
            with anyio.move_on_after(self.policy.reorder_window_ms / 1000):
                await event.wait()
        finally:
            with contextlib.suppress(ValueError):
                self._parked.remove(event)

    def _release(self) -> None:
        for event in list(self._parked):
            event.set()

    # -- server process faults ------------------------------------------------------------------
    @property
    def server(self) -> RunningServer | None:
        server = self._server
        if callable(server):
            server = self._server = server()
        return server

    def _server_or(self, server: RunningServer | None) -> RunningServer:
        chosen = server if server is not None else self.server
        if chosen is None:
            raise McpUsageError(
                "this FaultInjector knows no server: pass server=... (a RunningServer) or use the mcp_chaos "
                "fixture in a test that has an MCP server"
            )
        return chosen

    def kill_server(self, server: RunningServer | None = None) -> None:
        """SIGKILL the server process (its whole process group) now, like an OOM kill or a power cut.

        Clients connected to it see ``McpServerCrashed``; ``restart_server()`` brings it back. The
        injector restarts servers it killed when it closes, so later tests find them running.
        """
        server = self._server_or(server)
        process = server.process
        if process is None:
            raise McpUsageError(
                f"cannot kill the {server.describe()}: pytest_mcp did not start a process for it. Kill and "
                "restart need a stdio(...) or spawn_http(...) target (in-process and already-running HTTP "
                "servers live outside the plugin's control)."
            )
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            process.popen.wait(timeout=_KILL_WAIT_SECONDS)
        if server not in self._killed:
            self._killed.append(server)
        self.events.append(ChaosEvent(0, "server", None, "kill", f"SIGKILL pid {process.pid}"))

    def restart_server(self, server: RunningServer | None = None) -> RunningServer:
        """Start the same target again in place (a new process; spawned HTTP servers get a new port).

        Connect a new client afterwards (``mcp_client_factory()``): the old connection died with the process.
        """
        server = self._server_or(server)
        server.restart()
        with contextlib.suppress(ValueError):
            self._killed.remove(server)
        pid = server.process.pid if server.process is not None else None
        self.events.append(ChaosEvent(0, "server", None, "restart", f"new pid {pid}" if pid else ""))
        return server

    async def kill_during(
        self, awaitable: Awaitable[T], *, after_ms: float = 50.0, server: RunningServer | None = None
    ) -> T:
        """Await ``awaitable`` (say ``client.outcome("write", ...)``) and kill the server ``after_ms`` into it."""
        server = self._server_or(server)
        result: list[T] = []

        async def run() -> None:
            result.append(await awaitable)

        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            await anyio.sleep(after_ms / 1000)
            self.kill_server(server)
        return result[0]

    # -- backend faults -------------------------------------------------------------------------
    def backend(self, target: Any, options: BackendFaultOptions | None = None, /, **keywords: Any) -> BackendFault:
        """Make a function, method or respx route slow, failing or hanging, seeded; restored on close.

        ``target`` is ``"pkg.module:function"``, ``"pkg.module:Class.method"``, ``"pkg.module:obj.method"``,
        an ``(owner, "attribute")`` pair, or a ``respx`` route. Patch the name the server calls (like
        ``monkeypatch``). How it misbehaves: a ``BackendFaultOptions`` or its keywords (``fail_rate``,
        ``exception``, ``delay_ms``, ``delay_rate``, ``timeout_rate``, ``timeout_ms``, ``require_calls``).
        With ``require_calls`` (default) closing fails if the target was never called, which catches a
        patch in the wrong place.
        """
        if options is not None and keywords:
            raise McpUsageError("chaos.backend(...): pass either a BackendFaultOptions or its keywords, not both")
        try:
            chosen = options if options is not None else BackendFaultOptions(**keywords)
        except (TypeError, ValueError) as exc:
            raise McpUsageError(f"chaos.backend(...): {exc}") from None
        fault = BackendFault(target, chosen, seed=self.seed, events=self.events)
        fault.install()
        self._backends.append(fault)
        return fault

    # -- resilience -----------------------------------------------------------------------------
    async def assert_recovers(self, client: McpClient, probe: Any = None, **kwargs: Any) -> Any:
        """``assert_recovers`` with this injector's transport faults paused while probing."""
        from .resilience import assert_recovers

        with self.paused():
            return await assert_recovers(client, probe, **kwargs)

    # -- life cycle -----------------------------------------------------------------------------
    def close(self, *, verify: bool = True) -> None:
        """Restore backends, restart killed servers, then report faults that were injected but never used."""
        if self._closed:
            return
        self._closed = True
        errors: list[str] = []
        for fault in reversed(self._backends):
            fault.restore()
            if verify and fault.options.require_calls and fault.calls == 0:
                errors.append(
                    f"chaos.backend({fault.label!r}) was never called: the server did not reach the patched name "
                    "(patch the name the code actually calls, e.g. 'pkg.module_that_uses_it:func'), or pass "
                    "require_calls=False"
                )
        self._backends.clear()
        for server in list(self._killed):
            if not getattr(server, "_stopped", False):  # its owner has not stopped it meanwhile
                with contextlib.suppress(Exception):
                    server.restart()
        self._killed.clear()
        if verify:
            for fault, patterns, times in self._forced:
                where = f" matching {list(patterns)}" if patterns else ""
                errors.append(f"inject({fault!r}) was never used: {times} more request(s){where} were expected")
        self._forced.clear()
        self._release()
        if errors:
            raise McpUsageError(f"mcp_chaos (seed {self.seed}): " + "; ".join(errors))

    def __enter__(self) -> FaultInjector:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(verify=exc_type is None)

    async def __aenter__(self) -> FaultInjector:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close(verify=exc_type is None)


class ChaosDispatcher:
    """An SDK ``Dispatcher`` that delays, loses, repeats, reorders, damages or cuts requests."""

    def __init__(self, inner: Any, injector: FaultInjector) -> None:
        self._inner = inner
        self._chaos = injector

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def on_stream_exception(self) -> Any:
        return getattr(self._inner, "on_stream_exception", None)

    @on_stream_exception.setter
    def on_stream_exception(self, value: Any) -> None:
        if hasattr(self._inner, "on_stream_exception"):
            self._inner.on_stream_exception = value

    async def notify(self, method: str, params: Mapping[str, Any] | None, opts: Any = None) -> None:
        await self._inner.notify(method, params, opts)

    async def run(self, *args: Any, **kwargs: Any) -> None:
        await self._inner.run(*args, **kwargs)

    async def _send(self, method: str, params: Mapping[str, Any] | None, opts: Any) -> dict[str, Any]:
        try:
            return await self._inner.send_raw_request(method, params, opts)  # type: ignore[no-any-return]
        finally:
            self._chaos._release()

    def _error(self, code: int, decision: _Decision, text: str) -> Exception:
        from mcp.shared.exceptions import MCPError

        return MCPError(code=code, message=f"chaos: {text} (fault #{decision.index}, seed {self._chaos.seed})")

    async def send_raw_request(self, method: str, params: Mapping[str, Any] | None, opts: Any = None) -> dict[str, Any]:
        from mcp_types import CONNECTION_CLOSED, INTERNAL_ERROR, REQUEST_TIMEOUT

        chaos = self._chaos
        decision = chaos._decide(method, dict(params) if params is not None else None)
        if decision is None:
            return await self._send(method, params, opts)
        fault = decision.fault
        if decision.latency_s:
            if fault is None:
                chaos._record(decision, method, params, "latency")
            await anyio.sleep(decision.latency_s)
        if fault is None:
            return await self._send(method, params, opts)
        if fault == "error":
            chaos._record(decision, method, params, fault, "answered by the proxy, never delivered")
            raise self._error(INTERNAL_ERROR, decision, f"injected transport error on {method}")
        if fault == "drop":
            chaos._record(decision, method, params, fault, "never delivered")
            await anyio.sleep(chaos._hold_seconds(opts))
            raise self._error(REQUEST_TIMEOUT, decision, f"request {method!r} was dropped")
        if fault == "corrupt":
            damaged, detail = damage(params, decision.rng)
            chaos._record(decision, method, params, fault, detail)
            return await self._send(method, damaged, opts)
        if fault == "duplicate":
            chaos._record(decision, method, params, fault, "delivered twice")
            return await self._duplicate(decision, method, params, opts)
        if fault == "reorder":
            chaos._record(decision, method, params, fault, "held back until a later request was answered")
            await chaos._park()
            return await self._send(method, params, opts)
        if fault == "disconnect":
            cut = sample_ms(chaos.policy.disconnect_after_ms, decision.rng, limit_ms=chaos.policy.max_hold_ms)
            chaos._record(decision, method, params, fault, f"connection cut {cut:.0f} ms into the call")
            with anyio.move_on_after(cut / 1000):
                with contextlib.suppress(Exception):
                    await self._send(method, params, opts)
            raise self._error(CONNECTION_CLOSED, decision, f"connection lost during {method}")
        # drop_reply: the server does the work, the answer never arrives.
        chaos._record(decision, method, params, fault, "delivered and executed, reply lost")
        with contextlib.suppress(Exception):
            await self._send(method, params, opts)
        await anyio.sleep(chaos._hold_seconds(opts))
        raise self._error(REQUEST_TIMEOUT, decision, f"the reply to {method!r} was lost")

    async def _duplicate(
        self, decision: _Decision, method: str, params: Mapping[str, Any] | None, opts: Any
    ) -> dict[str, Any]:
        copy_opts = {k: v for k, v in dict(opts or {}).items() if k not in ("request_id", "on_progress")}
        copy_opts["request_id"] = f"chaos-dup-{decision.index}"
        outcome: list[Any] = []

        async def original() -> None:
            try:
                outcome.append(await self._send(method, params, opts))
            except Exception as exc:
                outcome.append(exc)

        async def duplicate() -> None:
            with anyio.move_on_after(self._chaos._hold_seconds(opts)), contextlib.suppress(Exception):
                await self._inner.send_raw_request(method, params, copy_opts)

        async with anyio.create_task_group() as tg:
            tg.start_soon(original)
            tg.start_soon(duplicate)
        if isinstance(outcome[0], Exception):
            raise outcome[0]
        return outcome[0]  # type: ignore[no-any-return]
