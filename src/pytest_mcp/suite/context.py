"""``CheckContext``: everything a check gets, and the ways it ends (fail, skip, pass).

A check is ``async def my_check(ctx: CheckContext) -> None``. It talks to the server through
``ctx.wire()`` (raw JSON-RPC in the item's era, see ``wire.py``), ``ctx.client()`` (the SDK-level
``McpClient`` of the core) or ``ctx.http()`` (exact HTTP requests); it reads what the server
declared from ``ctx.facts``; it ends with ``ctx.fail(...)``, ``ctx.skip(...)`` or by returning.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from ..redact import redact_text
from .evidence import shorten
from .registry import Check

if TYPE_CHECKING:
    from ..client.mcp_client import McpClient
    from .runtime import EraFacts, SuiteRuntime
    from .wire import Exchange, HttpWire, Wire

__all__ = ["CheckContext", "CheckFailed", "shorten"]


class CheckFailed(AssertionError):
    """A check found the server departing from the spec."""

    def __init__(self, found: str, *, sent: Any = None, received: Any = None) -> None:
        super().__init__(found)
        self.found = found
        self.sent = sent
        self.received = received


@dataclass
class CheckContext:
    """What one check of one era and transport gets (see the module docstring)."""

    check: Check
    era: str
    transport: str
    runtime: SuiteRuntime
    facts: EraFacts
    subject: str | None = None
    """For a check registered with ``per=``: the name or URI of the one subject of this item, or None
    (the check covers every listed subject; see ``pick``)."""
    notes: list[str] = field(default_factory=list)
    wires: list[Wire] = field(default_factory=list)
    released: dict[int, int] = field(default_factory=dict)
    """Per wire (by ``id``): how many exchanges it had when the check let go of it (what follows, such as
    the DELETE ending an HTTP session, is the suite's cleanup, not the check's)."""

    # -- facts ------------------------------------------------------------------------------
    @property
    def timeout(self) -> float:
        """Seconds to wait for one reply (``--mcp-timeout``)."""
        return self.runtime.settings.timeout

    @property
    def token(self) -> str | None:
        """The ``--mcp-auth-token`` bearer token, if any."""
        return self.runtime.options.auth_token

    @property
    def seed(self) -> int:
        """The run's seed for anything random (``--mcp-seed``; derived per check and era)."""
        return self.runtime.seed_for(self.check.id, self.era, self.transport)

    @property
    def slow_tools(self) -> set[str]:
        """Tools found slow for valid input earlier in this run and era (fuzzing, stateful sequences)."""
        return self.runtime.slow_tools.setdefault(self.era, set())

    @property
    def options(self) -> Any:
        """The suite's options (``SuiteOptions``: suites, auth_token, baseline, fuzz_tools, ...)."""
        return self.runtime.options

    @property
    def capabilities(self) -> dict[str, Any]:
        """The capabilities the server declared in this era (wire names, e.g. ``{"tools": {...}}``)."""
        return self.facts.capabilities

    def declares(self, capability: str) -> bool:
        """True when the server declared ``capability`` (``tools``, ``resources.subscribe``, ...)."""
        return self.facts.declares(capability)

    @property
    def target(self) -> Any:
        return self.runtime.target

    def pick(self, items: list[Any]) -> list[Any]:
        """The listed ``items`` this check is about: all of them, or those named by ``subject``
        (skipping the check when the subject is no longer listed)."""
        __tracebackhide__ = True
        if self.subject is None or self.check.per is None:
            return items
        from .subjects import KINDS

        kind = KINDS[self.check.per]
        chosen = [item for item in items if kind.key_of(item) == self.subject]
        if not chosen:
            self.skip(f"the {kind.label} {self.subject!r} is no longer listed")
        return chosen

    async def listed(self, method: str, key: str) -> list[Any]:
        """Every item of a list method in this era, as read once per session (failing the check
        when the list cannot be read)."""
        __tracebackhide__ = True
        listing = await self.runtime.listing(self.era, method, key)
        if listing.problem:
            reply = listing.failed_reply
            self.fail(listing.problem, sent=reply and reply.sent, received=reply and reply.describe())
        return listing.items

    # -- connections ------------------------------------------------------------------------
    @asynccontextmanager
    async def wire(self, *, fresh: bool = False, abuse: bool = False, handshake: bool = True) -> AsyncIterator[Wire]:
        """A raw JSON-RPC session in this era.

        stdio: by default one server process per era is shared by the checks that leave it healthy;
        ``abuse=True`` shares a second one between checks that send garbage (and verify it survives);
        ``fresh=True`` starts a process of its own (start-up and exit checks). ``handshake=False``
        skips ``initialize`` in the handshake era (only with ``fresh=True`` on stdio).
        """
        async with self.runtime.wire(self.era, fresh=fresh, abuse=abuse, handshake=handshake) as wire:
            self.wires.append(wire)
            try:
                yield wire
            finally:
                self.released[id(wire)] = len(wire.exchanges)

    @asynccontextmanager
    async def http(self, *, handshake: bool = True, auth: bool = True) -> AsyncIterator[HttpWire]:
        """An ``HttpWire`` (HTTP targets only): exact HTTP requests with this era's headers.

        ``auth=False`` leaves out the ``--mcp-auth-token`` header (for authorization checks).
        """
        async with self.runtime.wire(self.era, fresh=True, handshake=handshake, auth=auth, http=True) as wire:
            self.wires.append(wire)
            try:
                yield wire  # type: ignore[misc]
            finally:
                self.released[id(wire)] = len(wire.exchanges)

    def last_sent(self) -> str:
        """The last message or HTTP request the check itself sent (the suite's cleanup left out), as
        logged; ``"(nothing)"`` when it sent none."""
        sent = [
            text
            for wire in self.wires
            for direction, text in wire.exchanges[: self.released.get(id(wire), len(wire.exchanges))]
            if direction == "->"
        ]
        return sent[-1] if sent else "(nothing)"

    @asynccontextmanager
    async def client(self, **options: Any) -> AsyncIterator[McpClient]:
        """An SDK-level ``McpClient`` connected in this era (keywords of ``pytest_mcp.client.mcp_client.connect``)."""
        async with self.runtime.client(self.era, **options) as client:
            yield client

    # -- outcomes ---------------------------------------------------------------------------
    def fail(self, found: str, *, sent: Any = None, received: Any = None) -> NoReturn:
        """End the check as failed: ``found`` says what the server did, in one or two sentences."""
        __tracebackhide__ = True
        raise CheckFailed(found, sent=sent, received=received)

    def expect(self, condition: object, found: str, *, sent: Any = None, received: Any = None) -> None:
        """``fail(found)`` unless ``condition`` holds."""
        __tracebackhide__ = True
        if not condition:
            raise CheckFailed(found, sent=sent, received=received)

    def fail_reply(self, found: str, reply: Exchange) -> NoReturn:
        """``fail`` with the request and reply of ``reply`` as evidence."""
        __tracebackhide__ = True
        raise CheckFailed(found, sent=reply.sent, received=reply.describe())

    def skip(self, reason: str) -> NoReturn:
        """End the check as skipped (not applicable to this server), with a reason."""
        __tracebackhide__ = True
        pytest.skip(f"{self.check.id} [{self.era}][{self.transport}]: {reason}")

    def note(self, text: str) -> None:
        """Add a line to the check's report: shown with a failure, and as the "mcp notes" section of a
        passed item (pytest shows it with ``-rP`` / ``-rA``)."""
        self.notes.append(text)

    def redact(self, text: str) -> str:
        return redact_text(text, (self.token,) if self.token else ())
