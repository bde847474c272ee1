"""Whether a server still serves after bad input: the liveness probe, and the DELETE-race check.

``still_serving`` is what the suite runs after every check registered with ``bad_input=True``
(see ``items.run_case``): over HTTP a fresh session must initialize (or discover, in 2026-07-28)
and list its tools; over stdio the processes the check talked to must still be running and answer
a list. ``http.session.delete-race`` opens sessions and deletes each at once, a bounded number of
times, then asks the same of a fresh session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import anyio

from ..registry import check
from ..wire import HANDSHAKE_ERA, Exchange, HttpWire, StdioLink, StdioWire, Wire, http_handshake

if TYPE_CHECKING:
    from ..context import CheckContext
    from ..runtime import SuiteRuntime

__all__ = ["DELETE_RACE_ROUNDS", "PROBE_TIMEOUT", "crash_text", "still_serving"]

DELETE_RACE_ROUNDS: Final = 20
"""Sessions opened and deleted at once by ``http.session.delete-race``."""
PROBE_TIMEOUT: Final = 10.0
"""Seconds at most the probe waits for each answer (``--mcp-timeout`` when shorter)."""
EXIT_GRACE: Final = 1.0
"""Seconds a stdio process that did not answer the probe is given to exit (so that a crash is named)."""


async def still_serving(runtime: SuiteRuntime, era: str, wires: list[Wire]) -> str | None:
    """None when the server still serves after a check that used ``wires``; else what the probe saw."""
    if runtime.transport == "stdio":
        links = list(dict.fromkeys(wire.link for wire in wires if isinstance(wire, StdioWire) and not wire.owned))
        for link in links:
            problem = await _stdio_alive(runtime, era, link)
            if problem is not None:
                return problem
        return None
    return await _http_alive(runtime, era)


def _list_method(runtime: SuiteRuntime, era: str) -> str:
    facts = runtime.known_facts().get(era)
    return "tools/list" if facts is None or facts.declares("tools") else "ping"


async def _stdio_alive(runtime: SuiteRuntime, era: str, link: StdioLink) -> str | None:
    if link.channel.process.returncode is not None:
        return crash_text(link)
    if link.eof:
        return "it closed its stdout (the process is still running)"
    await link.drain()
    wire = StdioWire(link, era, min(runtime.settings.timeout, PROBE_TIMEOUT), owned=False)
    method = _list_method(runtime, era)
    try:
        reply = await wire.request(method, {})
    except (BrokenPipeError, ConnectionError):  # the process is gone: its stdin is closed
        reply = None
    if reply is not None and reply.answered:
        return None
    with anyio.move_on_after(EXIT_GRACE):  # a process that is exiting: wait for its exit code
        while link.channel.process.returncode is None:
            await anyio.sleep(0.02)
    if link.channel.process.returncode is not None:
        return crash_text(link)
    return f"{method} got no answer within {wire.timeout:g} s on the same process"


def crash_text(link: StdioLink) -> str:
    """How a stdio server process ended: named as a crash, with its exit and the end of its stderr."""
    process = link.channel.process
    tail = process.stderr_tail(5).strip()
    return f"it crashed: the process {process.describe_exit()}" + (f"; its stderr ends:\n{tail}" if tail else "")


async def _http_alive(runtime: SuiteRuntime, era: str) -> str | None:
    timeout = min(max(runtime.settings.timeout, 5.0), PROBE_TIMEOUT)
    async with runtime.wire(era, handshake=False) as wire:
        assert isinstance(wire, HttpWire)
        wire.timeout = timeout
        if era == HANDSHAKE_ERA:
            opening = await http_handshake(wire, timeout)
        else:
            opening = await wire.request("server/discover", {}, timeout=timeout)
        if not opening.is_result:
            return f"a fresh session's {_name(era)} then got {_seen(opening)}"
        method = _list_method(runtime, era)
        listed = await wire.request(method, {}, timeout=timeout)
        if not listed.answered or (method == "tools/list" and not listed.is_result):
            return f"a fresh session initialized, but its {method} then got {_seen(listed)}"
    return None


def _describe(reply: Exchange | None) -> str:
    return "(no reply)" if reply is None else reply.describe()


def _name(era: str) -> str:
    return "initialize" if era == HANDSHAKE_ERA else "server/discover"


def _seen(reply: Exchange) -> str:
    if reply.status is not None and not reply.answered:
        return f"HTTP {reply.status} with no JSON-RPC reply"
    if not reply.answered:
        return "no answer in time"
    return reply.describe()[:200]


@check(
    "http.session.delete-race",
    bad_input=True,
    rule="A session deleted right after initialize ends cleanly: after many such sessions, a fresh session still "
    "initializes and lists its tools.",
    items=[101],
    spec="basic/transports#session-management",
    level="D",
    suite="security",
    eras=[HANDSHAKE_ERA],
    transports=["http"],
    timeout=60.0,
)
async def delete_race(ctx: CheckContext) -> None:
    deleted = 0
    for _ in range(DELETE_RACE_ROUNDS):
        async with ctx.http() as wire:
            opening = wire.init_reply
            if opening is None or not opening.is_result:
                ctx.fail(f"after {deleted} sessions deleted at once, initialize failed", received=_describe(opening))
            if wire.session_id is None:
                ctx.skip("the server gives no session ids, so there is no session to delete")
            reply = await wire.http("DELETE")
            wire.session_id = None  # ended (or refused: nothing more to end)
            if reply.status == 405:
                ctx.skip("the server does not let clients end sessions (DELETE got 405)")
            deleted += 1
    ctx.note(f"{deleted} sessions were opened and deleted at once; the suite then checks that a fresh one works")
