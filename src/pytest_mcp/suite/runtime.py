"""The suite's per-session state for one target: servers, shared raw links, detected eras.

One ``SuiteRuntime`` exists per (session, target). It starts what the target needs through the
core's ``ServerPool`` and ``RunningServer``, detects once per era whether the server speaks it
(raw ``initialize`` / ``server/discover``, so a malformed answer is seen rather than refused), and
opens ``Wire`` sessions for checks. Each check runs in its own event loop; nothing bound to a loop
(HTTP clients) is kept between checks, only processes and plain data.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..protocol import Reply
from ..server.targets import AsgiTarget, HttpTarget, InProcessTarget, SpawnHttpTarget, StdioTarget, Target
from ..settings import Settings
from .background import BackgroundRun
from .lanes import lane_key
from .options import SuiteOptions
from .wire import (
    HANDSHAKE_ERA,
    MODERN_ERA,
    Exchange,
    HttpWire,
    StdioLink,
    StdioWire,
    Wire,
    http_handshake,
    stdio_handshake,
)

if TYPE_CHECKING:
    from ..client.mcp_client import McpClient
    from ..server.running import RunningServer, ServerPool
    from .checks._listing import Listing
    from .concurrent import ConcurrentRun

__all__ = ["EraFacts", "SuiteOptions", "SuiteRuntime", "blocked_text", "transport_of"]

ERAS = (HANDSHAKE_ERA, MODERN_ERA)
EXCERPT = 200
"""Characters of a reply body quoted in a message about it."""
_CLIENT_SUITES = frozenset({"fuzz", "security", "stateful"})
"""The suites whose checks reach the server through SDK clients and Hypothesis (``SuiteRuntime._import_ahead``)."""
_SETUP_ERRORS = (OSError, RuntimeError, TimeoutError, ImportError, ValueError, AttributeError, TypeError)
"""What starting or reaching a target may raise (a bad command, import path, URL or server object)."""


def transport_of(target: Target) -> str:
    """The suite's transport name of a target: ``stdio``, ``http`` or ``inproc``."""
    if isinstance(target, StdioTarget):
        return "stdio"
    if isinstance(target, InProcessTarget):
        return "inproc"
    return "http"


@dataclass
class EraFacts:
    """What the server said about itself in one era (or why it does not speak it)."""

    era: str
    supported: bool
    reason: str = ""
    protocol_version: str | None = None
    capabilities: dict[str, Any] = field(default_factory=dict)
    server_info: dict[str, Any] = field(default_factory=dict)
    instructions: Any = None
    handshake: Exchange | None = None
    """The raw ``initialize`` (2025-11-25) or ``server/discover`` (2026-07-28) exchange."""
    auth_required: bool = False
    """The HTTP server answered 401 (authorization required, and no or a refused ``--mcp-auth-token``)."""
    reached: bool = True
    """False when the server could not be started or reached at all (``reason`` says why)."""
    hint: str = ""
    """What to do about ``reason`` (for a server that could not be started or reached)."""

    def declares(self, capability: str) -> bool:
        node: Any = self.capabilities
        for part in capability.split("."):
            if not isinstance(node, dict) or part not in node or node[part] is None or node[part] is False:
                return False
            node = node[part]
        return True


def _stray_response(wire: Wire, reply: Exchange) -> EraFacts | None:
    """When a stdio probe got no reply with its id but another response came: the server answered with
    a wrong id (JSON-RPC requires the exact id, same value and type). Facts saying so, with the evidence."""
    if reply.answered or not isinstance(wire, StdioWire) or not isinstance(reply.sent, dict):
        return None
    line = next((line for line in wire.lines if line.is_response), None)
    if line is None:
        return None
    sent, got = reply.sent.get("id"), line.data.get("id")
    method = reply.sent.get("method")
    return EraFacts(
        wire.era,
        False,
        reason=(
            f"it answered {method} with the id {got!r} ({type(got).__name__}) where the request had "
            f"{sent!r} ({type(sent).__name__}); a response must echo the request id exactly"
        ),
        handshake=Exchange(sent=reply.sent, message=line.data, reply=Reply(line.raw), messages=[line.data]),
    )


class SuiteRuntime:
    """Servers, raw links and era facts of one target for one test session."""

    def __init__(self, target: Target, settings: Settings, options: SuiteOptions) -> None:
        self.target = target
        self.settings = settings
        self.options = options
        self.transport = transport_of(target)
        self._pool: ServerPool | None = None
        self._links: dict[str, StdioLink] = {}
        self._spare: StdioLink | None = None
        """A stdio process started ahead of time, so a check asking for a fresh one need not wait for start-up."""
        self._facts: dict[str, EraFacts] = {}
        self._listings: dict[tuple[str, str], Listing] = {}
        self._tls: Any = None
        self._concurrent: ConcurrentRun | None = None
        self._background: BackgroundRun | None = None
        self._blocked: tuple[str | None] | None = None
        self.blocked_at: str | None = None
        """The item that reports why the target cannot be used (the others skip, pointing at it)."""
        self._stopped: dict[str, str] = {}
        """Per era (stdio: a process each) or for all (``*``), the check after which the server stopped serving."""
        self.limited: dict[str, str] = {}
        """Cases (by name) that failed side by side but not alone, with what they got side by side."""
        self._imported_ahead = False
        self.start_seconds: dict[str, float] = {}
        """Per era over stdio: seconds from starting the server process to its first line (the answer at detection)."""
        self.slow_tools: dict[str, set[str]] = {}
        """Per era, tools that left valid calls unanswered while the server kept answering (``slow_calls``):
        checks that come later in the run do not wait for them again."""

    def concurrent_run(self, jobs: int) -> ConcurrentRun:
        """The stored outcomes of this target's checks run side by side (``--mcp-suite-jobs``)."""
        if self._concurrent is None:
            from .concurrent import ConcurrentRun

            self._concurrent = ConcurrentRun(self, jobs)
        return self._concurrent

    def describe(self) -> str:
        return self.target.describe()

    def stopped_after(self, era: str) -> str | None:
        """The check after which the server of ``era`` stopped serving (the liveness probe failed), or None.
        Over stdio each era has a process of its own; an HTTP or in-process server serves every era."""
        return self._stopped.get(era if self.transport == "stdio" else "*")

    def stopped_by(self, era: str, check_id: str) -> None:
        """Remember that the server of ``era`` stopped serving after ``check_id``: later checks do not run."""
        self._stopped.setdefault(era if self.transport == "stdio" else "*", check_id)

    def seed_for(self, *parts: str) -> int:
        digest = hashlib.sha256(":".join((str(self.options.seed), *parts)).encode()).digest()
        return int.from_bytes(digest[:8], "big")

    # -- servers ----------------------------------------------------------------------------
    @property
    def pool(self) -> ServerPool:
        if self._pool is None:
            from ..server.running import ServerPool

            self._pool = ServerPool(self.settings)
        return self._pool

    def server(self, era: str) -> RunningServer:
        """The started server of ``era`` from the core's pool: over stdio, a process per era and lane
        (``lanes.py``)."""
        return self.pool.get(self.target, lane_key(era))

    @property
    def background(self) -> BackgroundRun:
        """The checks of a stdio server that run in a thread of their own (``background.py``)."""
        if self._background is None:
            self._background = BackgroundRun(self)
        return self._background

    def close(self) -> None:
        if self._background is not None:
            self._background.stop()
        if self._spare is not None:
            self._links["spare"] = self._spare
            self._spare = None
        for link in self._links.values():
            link.closed = True
            link.channel.process.stop()
            link.channel.process.close_stderr()
        self._links.clear()
        if self._pool is not None:
            self._pool.stop_all()

    # -- era detection ----------------------------------------------------------------------
    async def facts(self, era: str) -> EraFacts:
        """Whether the server speaks ``era``, and what it declared; detected once per session."""
        if era not in self._facts:
            self._facts[era] = await self._detect(era)
        return self._facts[era]

    async def blocker(self) -> str | None:
        """Why no check can run against this target: it could not be started or reached in any era (each
        era's detection, once); None when a server answered. (A server that answers but opens no era fails
        each check instead, saying why: see ``execution.applicable``.)"""
        if self._blocked is None:
            facts = []
            for era in ERAS:  # one era that answers is enough: the other is detected when a check needs it
                facts.append(await self.facts(era))
                if facts[-1].supported or facts[-1].auth_required or facts[-1].reached:
                    self._blocked = (None,)
                    return None
            self._blocked = (blocked_text(self.describe(), facts),)
        return self._blocked[0]

    def blocked(self) -> str | None:
        """``blocker()`` from synchronous code (detects in an event loop of its own the first time)."""
        if self._blocked is None:
            import anyio

            anyio.run(self.blocker, backend="asyncio")
        assert self._blocked is not None
        return self._blocked[0]

    def known_facts(self) -> dict[str, EraFacts]:
        return dict(self._facts)

    # -- lists and subjects -----------------------------------------------------------------
    async def listing(self, era: str, method: str, key: str) -> Listing:
        """Every page of ``method`` in ``era``, read once per session (the checks of single tools,
        resources and prompts read it from here instead of listing again)."""
        if (era, method) not in self._listings:
            from .checks._listing import list_all

            async with self.wire(era) as wire:
                listing = await list_all(wire, method, key)
            self._listings[era, method] = listing
        return self._listings[era, method]

    async def subjects(self, era: str, kind_name: str) -> list[str] | None:
        """The subjects of a ``per=`` check in ``era`` (see ``subjects.py``), or None when they cannot
        be known: the era is not spoken, the capability not declared, or the list fails or is too long."""
        from .subjects import KINDS, subject_keys

        kind = KINDS[kind_name]
        facts = await self.facts(era)
        if not facts.supported or facts.auth_required or not facts.declares(kind.capability):
            return None
        try:
            listing = await self.listing(era, kind.method, kind.key)
        except (OSError, RuntimeError, TimeoutError, ValueError):
            return None
        if listing.problem:
            return None
        return subject_keys(kind, listing.items, self.options)

    async def _detect(self, era: str) -> EraFacts:
        import anyio
        import pytest

        url = None
        try:
            async with self.wire(era, handshake=False, detecting=True) as wire:
                importer = self._import_ahead() if isinstance(wire, StdioWire) else None
                try:
                    reply = await self._probe(wire, era)
                finally:
                    if importer is not None:
                        await anyio.to_thread.run_sync(importer.join)
                if isinstance(wire, StdioWire) and reply.answered:
                    channel = wire.link.channel
                    self.start_seconds[era] = (channel.first_line_at or time.monotonic()) - channel.started_at
                stray = _stray_response(wire, reply)
                if isinstance(wire, HttpWire):
                    url = wire.url
                elif isinstance(wire, StdioWire) and not reply.answered:
                    await _await_exit(wire.link)
        except (*_SETUP_ERRORS, pytest.UsageError) as exc:
            return EraFacts(era, False, reason=str(exc), reached=False, hint=self._start_hint(exc))
        if stray is not None:
            return stray
        return self._facts_from(era, reply, url)

    def _import_ahead(self) -> threading.Thread | None:
        """Once, when the checks with clients of their own are selected: a thread importing what they need (the
        SDK client, Hypothesis) while a stdio server process starts, so the imports and the start-up overlap
        instead of adding up. The caller joins it once the server answered."""
        if self._imported_ahead or not set(self.options.suites) & _CLIENT_SUITES:
            return None
        self._imported_ahead = True
        thread = threading.Thread(target=_import_client_modules, name="pytest-mcp-imports", daemon=True)
        thread.start()
        return thread

    def _start_hint(self, exc: BaseException) -> str:
        """The next step for a target that could not be started or reached (``exc`` says why)."""
        target = self.target
        if isinstance(target, InProcessTarget | AsgiTarget):
            return (
                "check the 'module:attr' spelling, and that the module imports from the directory pytest "
                "runs in (pythonpath = . in the ini file, or pip install -e .)"
            )
        if isinstance(target, StdioTarget):
            return "check the command: run it in a terminal; a program not on PATH needs its full path"
        if "TLS" in str(exc) or "connection refused" in str(exc):
            return ""  # the cause already says what to do
        return "check the URL, and that the server is running and reachable from here"

    async def _probe(self, wire: Wire, era: str) -> Exchange:
        timeout = max(self.settings.timeout, 5.0)
        if era == HANDSHAKE_ERA:
            if isinstance(wire, StdioWire):
                reply = await stdio_handshake(wire, timeout)
                wire.link.init_reply = reply
            else:
                assert isinstance(wire, HttpWire)
                reply = await http_handshake(wire, timeout)
            return reply
        reply = await wire.request("server/discover", {}, timeout=timeout)
        if isinstance(wire, StdioWire):
            wire.link.discover_reply = reply
        return reply

    def _facts_from(self, era: str, reply: Exchange, url: str | None = None) -> EraFacts:
        method = "initialize" if era == HANDSHAKE_ERA else "server/discover"
        if reply.status == 401:
            how = "the --mcp-auth-token was refused" if self.options.auth_token else "pass --mcp-auth-token TOKEN"
            return EraFacts(
                era,
                False,
                reason=f"the server requires authorization ({method} got HTTP 401 in {era}; {how})",
                handshake=reply,
                auth_required=True,
            )
        if not reply.answered and reply.status is not None:
            return _http_refusal(era, method, reply, url)
        if not reply.answered:
            crash = self._crash_text(era)
            if crash is not None:
                return EraFacts(
                    era,
                    False,
                    reason=crash,
                    handshake=reply,
                    reached=False,
                    hint="the command starts, but the server stops at once: run it in a terminal to see why",
                )
            link = self._links.get(era)
            if link is not None and link.eof:
                return EraFacts(
                    era,
                    False,
                    reason="it closed its stdout without answering (the process is still running)",
                    handshake=reply,
                    reached=False,
                    hint="a stdio server writes its JSON-RPC messages to stdout and keeps it open",
                )
            why = f"no reply to {method} within {max(self.settings.timeout, 5.0):g} s"
            return EraFacts(era, False, reason=why, handshake=reply)
        if reply.is_error:
            error = reply.error if isinstance(reply.error, dict) else {}
            return EraFacts(
                era,
                False,
                reason=f"it answered {method} with error {error.get('code')} {error.get('message', '')!r}".strip(),
                handshake=reply,
            )
        result = reply.result if isinstance(reply.result, dict) else {}
        if era == MODERN_ERA:
            versions = result.get("supportedVersions")
            if not isinstance(versions, list) or MODERN_ERA not in versions:
                return EraFacts(
                    era,
                    False,
                    reason=f"its server/discover result does not list {MODERN_ERA} in supportedVersions ({versions!r})",
                    handshake=reply,
                )
            meta = given if isinstance(given := result.get("_meta"), dict) else {}
            info = meta.get("io.modelcontextprotocol/serverInfo") or result.get("serverInfo") or {}
            version: Any = MODERN_ERA
        else:
            info = result.get("serverInfo") or {}
            version = result.get("protocolVersion")
            if version == MODERN_ERA:
                return EraFacts(
                    era, False, reason="it answered initialize with 2026-07-28, a stateless version", handshake=reply
                )
        capabilities = result.get("capabilities")
        return EraFacts(
            era,
            True,
            protocol_version=version if isinstance(version, str) else None,
            capabilities=capabilities if isinstance(capabilities, dict) else {},
            server_info=info if isinstance(info, dict) else {},
            instructions=result.get("instructions"),
            handshake=reply,
        )

    def _crash_text(self, era: str) -> str | None:
        link = self._links.get(era)
        if link is None or link.channel.process.returncode is None:
            return None
        process = link.channel.process
        tail = process.stderr_tail(5).strip()
        stderr = ("; its stderr ends:\n" + tail) if tail else "; its stderr is empty"
        return f"the server {process.describe_exit()} before answering{stderr}"

    # -- sessions ---------------------------------------------------------------------------
    @asynccontextmanager
    async def wire(
        self,
        era: str,
        *,
        fresh: bool = False,
        abuse: bool = False,
        handshake: bool = True,
        auth: bool = True,
        http: bool = False,
        detecting: bool = False,
    ) -> AsyncIterator[Wire]:
        """A raw session in ``era``; see ``CheckContext.wire``."""
        timeout = self.settings.timeout
        if http and self.transport != "http":
            raise RuntimeError(f"the {self.describe()} is not an HTTP server")
        if self.transport == "stdio":
            key = f"{lane_key(era)}/abuse" if abuse else lane_key(era)
            async with self._stdio_wire(era, key, fresh=fresh, handshake=handshake, detecting=detecting) as wire:
                yield wire
            return
        async with AsyncExitStack() as stack:
            headers = {}
            if auth and self.options.auth_token:
                headers["authorization"] = f"Bearer {self.options.auth_token}"
            raw = await self._http_channel(stack, timeout)
            wire = HttpWire(raw, era, timeout, headers=headers)
            stack.push_async_callback(wire.aclose)
            if handshake and era == HANDSHAKE_ERA and not detecting:
                wire.init_reply = await http_handshake(wire, max(timeout, 5.0))
            yield wire

    async def _http_channel(self, stack: AsyncExitStack, timeout: float) -> Any:
        from ..client.raw import RawHttp

        target = self.target
        if isinstance(target, InProcessTarget | AsgiTarget):
            from ..server.asgi_bridge import ASGI_BASE_URL

            server = self.server("*")
            client = await stack.enter_async_context(server.asgi_http_client())
            path = target.path if isinstance(target, AsgiTarget) else "/mcp"
            return RawHttp(client, ASGI_BASE_URL + path, timeout=timeout)
        import httpx2

        if isinstance(target, SpawnHttpTarget):
            url = self.server("*").url
        else:
            assert isinstance(target, HttpTarget)
            url = target.url
        assert url is not None
        headers = dict(target.headers)
        client = await stack.enter_async_context(
            httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(timeout), verify=self._tls_context())
        )
        return RawHttp(client, url, timeout=timeout)

    def _tls_context(self) -> Any:
        """One TLS context for every HTTP client of the run (building one per check costs ~30 ms)."""
        if self._tls is None:
            import ssl

            self._tls = ssl.create_default_context()
        return self._tls

    def _fresh_link(self) -> StdioLink:
        """A process nobody has talked to (the spare started ahead of time), and start the next spare."""
        link = self._spare if self._spare is not None and self._spare.alive else self._new_link()
        self._spare = self._new_link()
        return link

    def _new_link(self) -> StdioLink:
        from ..server.running import RunningServer

        command, env, cwd = RunningServer(self.target, self.settings).stdio_command()
        return StdioLink(command, env, cwd, timeout=self.settings.timeout)

    @asynccontextmanager
    async def _stdio_wire(
        self, era: str, key: str, *, fresh: bool, handshake: bool, detecting: bool
    ) -> AsyncIterator[Wire]:
        timeout = self.settings.timeout
        if fresh:
            wire = StdioWire(self._fresh_link(), era, timeout, owned=True)
            try:
                if handshake and era == HANDSHAKE_ERA:
                    wire.init_reply = await stdio_handshake(wire, max(timeout, 5.0))
                yield wire
            finally:
                await wire.aclose()
            return
        link = self._links.get(key)
        if link is None or not link.alive:
            if link is not None:
                await link.aclose()
            link = self._links[key] = self._new_link()
            if self._spare is None:
                self._spare = self._new_link()
            if not detecting:
                # a restarted shared process needs its era's opening again
                opener = StdioWire(link, era, timeout, owned=False)
                await self._probe(opener, era)
        await link.drain()
        wire = StdioWire(link, era, timeout, owned=False)
        wire.init_reply = link.init_reply
        yield wire

    @asynccontextmanager
    async def client(self, era: str, **options: Any) -> AsyncIterator[McpClient]:
        from ..client.mcp_client import connect

        if self.options.auth_token and "token" not in options:
            options["token"] = self.options.auth_token
        options.setdefault("timeout", self.settings.timeout)
        options.setdefault("connect_timeout", self.settings.connect_timeout(options["timeout"]))
        async with connect(self.server(era), era=era, **options) as client:
            yield client


def _import_client_modules() -> None:
    try:
        import hypothesis_jsonschema  # noqa: F401

        from ..client import mcp_client  # noqa: F401
        from . import fuzz_engine, stateful_machine  # noqa: F401
    except ImportError:  # the check that needs what is missing says so
        return


async def _await_exit(link: StdioLink, grace: float = 1.0) -> None:
    """Give a stdio process that closed its stdout ``grace`` seconds to exit (so its exit code is known)."""
    import anyio

    if not link.eof:
        return
    with anyio.move_on_after(grace):
        while link.channel.process.returncode is None:
            await anyio.sleep(0.01)


def _http_refusal(era: str, method: str, reply: Exchange, url: str | None) -> EraFacts:
    """Facts for an HTTP reply to the era's opening request that carries no JSON-RPC message."""
    kind = reply.headers.get("content-type", "").split(";")[0].strip() or "no content-type"
    text = reply.raw.decode("utf-8", "replace").strip()
    excerpt = " ".join(text.split())[:EXCERPT] + ("…" if len(text) > EXCERPT else "")
    body = f"{kind}: {excerpt!r}" if excerpt else f"{kind}, empty body"
    where = f"POST {url}" if url else f"POST {method}"
    reason = f"{where} got HTTP {reply.status} ({body}), not a JSON-RPC reply"
    if reply.status in (404, 405):
        return EraFacts(
            era,
            False,
            reason=reason,
            handshake=reply,
            reached=False,
            hint="nothing serves MCP at this URL: check its path (a Python SDK server serves /mcp)",
        )
    return EraFacts(era, False, reason=reason, handshake=reply)


def blocked_text(target: str, facts: list[EraFacts]) -> str:
    """The one report for a target that could not be started or reached: what, why (per era where the
    causes differ), and the next step."""
    head = f"the {target} could not be started or reached"
    reasons = list(dict.fromkeys(item.reason for item in facts))
    if len(reasons) == 1:
        why = reasons[0]
    else:
        why = "\n".join(f"{item.era}: {item.reason}" for item in facts)
    hints = list(dict.fromkeys(item.hint for item in facts if item.hint))
    lines = [f"{head}, so no check of the suite ran:", *("  " + line for line in why.splitlines())]
    lines.extend(f"Next: {hint}" for hint in hints)
    return "\n".join(lines)
