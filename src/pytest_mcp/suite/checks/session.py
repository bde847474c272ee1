"""What a server may send and rely on over a connection (checklist A 5/13, B 19/20, C 27/29/30, E 47, K 82).

Handshake era: only what the client negotiated (no sampling, elicitation or roots requests to a client
that declared none, no list_changed without listChanged, nothing but ping before
``notifications/initialized``). 2026-07-28: every request stands alone, the lists do not depend on
the connection, and nothing unsolicited arrives outside a ``subscriptions/listen`` stream.
"""

from __future__ import annotations

import re
from typing import Any, Final

from ..context import CheckContext, shorten
from ..registry import check
from ..wire import CLIENT_INFO, HANDSHAKE_ERA, MODERN_ERA, Exchange, HttpWire, StdioWire, Wire
from ._listing import listed
from ._requests import any_request, is_int

CLIENT_FEATURE_REQUESTS: Final = {
    "sampling/createMessage": "sampling",
    "elicitation/create": "elicitation",
    "roots/list": "roots",
}
LIST_CHANGED: Final = {
    "notifications/tools/list_changed": "tools",
    "notifications/prompts/list_changed": "prompts",
    "notifications/resources/list_changed": "resources",
}
FEATURE_LISTS: Final = (("tools", "tools/list", "tools"), ("prompts", "prompts/list", "prompts"))
SETTLE_SECONDS: Final = 0.3
_LABEL: Final = r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
META_KEY: Final = re.compile(rf"^(?:{_LABEL}(?:\.{_LABEL})*/)?(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?$")
"""A ``_meta`` key: an optional prefix (dot-separated labels and a slash) and a name."""


def _server_messages(wire: Wire, replies: list[Exchange]) -> list[Any]:
    """Every JSON value the server sent in this session: stdout lines, or the HTTP replies' messages."""
    if isinstance(wire, StdioWire):
        return [line.data for line in wire.lines if not line.invalid]
    return [message for reply in replies for message in reply.messages]


def _is_request(message: Any) -> bool:
    return isinstance(message, dict) and isinstance(message.get("method"), str) and "id" in message


def _is_notification(message: Any) -> bool:
    return isinstance(message, dict) and isinstance(message.get("method"), str) and "id" not in message


async def _get_stream(wire: HttpWire) -> list[Exchange]:
    """What the session's GET stream carries within a moment (empty when the server offers none)."""
    reply = await wire.http("GET", headers={"accept": "text/event-stream"}, timeout=SETTLE_SECONDS)
    if reply.status != 200 or reply.content_type != "text/event-stream":
        return []
    return [Exchange(sent="GET", reply=reply, messages=reply.messages)]


@check(
    "session.negotiated-only",
    rule="Before notifications/initialized the server sends no request but ping; afterwards it sends no sampling, "
    "elicitation or roots request to a client that declared none of them, no list_changed notification for a "
    "list it did not declare listChanged for, and its request ids are unique non-null strings or integers.",
    items=[5, 19, 20],
    spec="basic/lifecycle#operation",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    transports=["stdio", "http"],
    timeout=30,
    waits=SETTLE_SECONDS,
)
async def negotiated_only(ctx: CheckContext) -> None:
    replies: list[Exchange] = []
    async with ctx.wire(fresh=True, handshake=False) as wire:
        body = wire.message(
            "initialize",
            {"protocolVersion": HANDSHAKE_ERA, "capabilities": {}, "clientInfo": dict(CLIENT_INFO)},
            envelope=False,
        )
        init = await wire.send_request(body)
        ctx.expect(init.is_result, "initialize failed on a fresh connection", sent=init.sent, received=init.describe())
        replies.append(init)
        if isinstance(wire, HttpWire):
            wire.session_id = init.headers.get("mcp-session-id") or None
            version = init.result.get("protocolVersion")
            wire.protocol_version = version if isinstance(version, str) else HANDSHAKE_ERA
        else:
            assert isinstance(wire, StdioWire)
            await wire.collect(SETTLE_SECONDS)
        early = [m for m in _server_messages(wire, replies) if _is_request(m) and m.get("method") != "ping"]
        ctx.expect(
            not early,
            f"the server sent {shorten(early[0].get('method') if early else '', 60)} before notifications/initialized",
            received=early[0] if early else None,
        )
        await wire.notify("notifications/initialized", envelope=False)
        for capability, method, _key in (*FEATURE_LISTS, ("resources", "resources/list", "resources")):
            if ctx.declares(capability):
                replies.append(await wire.request(method, {}))
        if isinstance(wire, HttpWire):
            replies.extend(await _get_stream(wire))
        else:
            assert isinstance(wire, StdioWire)
            await wire.collect(SETTLE_SECONDS)
        _expect_negotiated(ctx, _server_messages(wire, replies))


def _expect_negotiated(ctx: CheckContext, messages: list[Any]) -> None:
    __tracebackhide__ = True
    ids: list[Any] = []
    for message in messages:
        method = message.get("method") if isinstance(message, dict) else None
        if _is_request(message):
            feature = CLIENT_FEATURE_REQUESTS.get(str(method))
            ctx.expect(
                feature is None,
                f"the server sent a {method} request although the client declared no {feature!r} capability",
                received=message,
            )
            request_id = message.get("id")
            ctx.expect(
                isinstance(request_id, str) or is_int(request_id),
                f"the server's {method} request has id {request_id!r}, not a string or an integer",
                received=message,
            )
            ctx.expect(
                (type(request_id).__name__, request_id) not in ids,
                f"the server reused the request id {request_id!r}",
                received=message,
            )
            ids.append((type(request_id).__name__, request_id))
        elif _is_notification(message) and method in LIST_CHANGED:
            capability = LIST_CHANGED[str(method)]
            ctx.expect(
                ctx.declares(f"{capability}.listChanged"),
                f"the server sent {method} without declaring {capability}.listChanged",
                received=message,
            )


def _meta_problems(value: Any, where: str) -> list[str]:
    """Malformed ``_meta`` keys anywhere in ``value`` (results nest them in tools, resources, ...)."""
    problems: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "_meta":
                if not isinstance(item, dict):
                    problems.append(f"{where}._meta is {shorten(item, 60)}, not an object")
                    continue
                problems.extend(f"{where}._meta key {name!r}" for name in item if not META_KEY.match(str(name)))
            else:
                problems.extend(_meta_problems(item, f"{where}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value[:200]):
            problems.extend(_meta_problems(item, f"{where}[{index}]"))
    return problems


@check(
    "session.meta-keys",
    rule="Every _meta key the server sends has the form [prefix/]name: a prefix of dot-separated labels (a letter "
    "first, a letter or digit last) and a name that begins and ends with a letter or digit.",
    items=[13],
    spec="basic#_meta",
    level="MUST",
)
async def meta_keys(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        replies = [reply for reply in (ctx.facts.handshake,) if reply is not None]
        method, params = any_request(ctx)
        replies.append(await wire.request(method, params))
        for capability, list_method, _key in (*FEATURE_LISTS, ("resources", "resources/list", "resources")):
            if ctx.declares(capability):
                replies.append(await wire.request(list_method, {}))
    for reply in replies:
        problems = _meta_problems(reply.result, "result")
        ctx.expect(
            not problems,
            f"malformed _meta key(s): {', '.join(problems[:4])}",
            sent=reply.sent,
            received=reply.describe(),
        )


def _first_list(ctx: CheckContext) -> tuple[str, str] | None:
    for capability, method, key in (*FEATURE_LISTS, ("resources", "resources/list", "resources")):
        if ctx.declares(capability):
            return method, key
    return None


@check(
    "session.stateless-first-request",
    rule="On 2026-07-28 every request stands alone: a list request as the very first message of a new connection "
    "(no server/discover before it) is served, and so is one that declares other client capabilities and client "
    "info than the requests before it.",
    items=[27],
    spec="basic#statelessness",
    level="MUST",
    eras=[MODERN_ERA],
)
async def stateless_first_request(ctx: CheckContext) -> None:
    first = _first_list(ctx)
    if first is None:
        ctx.skip("the server declares none of tools, prompts and resources")
    method, key = first
    async with ctx.wire(fresh=True) as wire:
        reply = await wire.request(method, {})
        ctx.expect(
            reply.is_result and isinstance(reply.result.get(key), list),
            f"{method} as the first request of a new connection got no {key} list",
            sent=reply.sent,
            received=reply.describe(),
        )
        other = {
            "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
            "io.modelcontextprotocol/clientInfo": {"name": "another-client", "version": "9.9.9"},
        }
        again = await wire.request(method, {}, meta=other)
        ctx.expect(
            again.is_result and isinstance(again.result.get(key), list),
            f"{method} from a client declaring other capabilities on the same connection got no {key} list",
            sent=again.sent,
            received=again.describe(),
        )


async def _names(ctx: CheckContext, wire: Wire, method: str, key: str) -> list[str]:
    return [str(item.get("name")) for item in await listed(ctx, wire, method, key) if isinstance(item, dict)]


async def _listings(ctx: CheckContext) -> list[tuple[str, list[list[str]]]]:
    """Tool and prompt names listed twice on the shared connection and once on another one (over stdio the
    second shared process, over HTTP a new client)."""
    __tracebackhide__ = True
    wanted = [(method, key) for capability, method, key in FEATURE_LISTS if ctx.declares(capability)]
    if not wanted:
        ctx.skip("the server declares neither tools nor prompts")
    found: dict[str, list[list[str]]] = {method: [] for method, _key in wanted}
    async with ctx.wire() as wire:
        for method, key in wanted:
            found[method] += [await _names(ctx, wire, method, key), await _names(ctx, wire, method, key)]
    async with ctx.wire(abuse=True) as wire:
        for method, key in wanted:
            found[method].append(await _names(ctx, wire, method, key))
    return list(found.items())


@check(
    "session.lists-stable",
    rule="On 2026-07-28 tools/list and prompts/list return the same items on every connection and every time "
    "(they may vary by authorization, not by connection or earlier requests).",
    items=[29],
    spec="server/tools#capabilities",
    level="MUST",
    eras=[MODERN_ERA],
)
async def lists_stable(ctx: CheckContext) -> None:
    for method, runs in await _listings(ctx):
        first = sorted(runs[0])
        for index, names in enumerate(runs[1:], start=1):
            where = "again on the same connection" if index == 1 else "on another connection"
            ctx.expect(
                sorted(names) == first,
                f"{method} listed {shorten(runs[0], 200)} first and {shorten(names, 200)} {where}",
            )


@check(
    "session.lists-deterministic-order",
    rule="On 2026-07-28 tools/list and prompts/list return their items in the same order every time.",
    items=[30],
    spec="server/tools#capabilities",
    level="SHOULD",
    eras=[MODERN_ERA],
)
async def lists_order(ctx: CheckContext) -> None:
    for method, runs in await _listings(ctx):
        if any(sorted(names) != sorted(runs[0]) for names in runs):
            ctx.skip(f"{method} does not list the same items every time (session.lists-stable reports that)")
        ctx.expect(
            all(names == runs[0] for names in runs),
            f"{method} lists the same items in different orders: {shorten(runs, 300)}",
        )


UNSOLICITED: Final = (*LIST_CHANGED, "notifications/resources/updated", "notifications/cancelled")


@check(
    "session.modern-no-unsolicited",
    rule="On 2026-07-28 the server sends list_changed, resources/updated and cancelled notifications only on a "
    "subscriptions/listen stream, never in answer to other requests.",
    items=[47, 59, 82],
    spec="basic/patterns/subscriptions",
    level="MUST",
    eras=[MODERN_ERA],
)
async def modern_no_unsolicited(ctx: CheckContext) -> None:
    replies: list[Exchange] = []
    async with ctx.wire() as wire:
        start = len(wire.lines) if isinstance(wire, StdioWire) else 0
        method, params = any_request(ctx)
        replies.append(await wire.request(method, params))
        for capability, list_method, _key in (*FEATURE_LISTS, ("resources", "resources/list", "resources")):
            if ctx.declares(capability):
                replies.append(await wire.request(list_method, {}))
        if isinstance(wire, StdioWire):
            await wire.collect(SETTLE_SECONDS)
            messages = [line.data for line in wire.lines[start:] if not line.invalid]
        else:
            messages = _server_messages(wire, replies)
    unsolicited = [m for m in messages if _is_notification(m) and m.get("method") in UNSOLICITED]
    ctx.expect(
        not unsolicited,
        f"the server sent {unsolicited[0].get('method') if unsolicited else ''} outside a subscriptions/listen stream",
        received=unsolicited[0] if unsolicited else None,
    )


def _error_probes(ctx: CheckContext) -> list[tuple[str, str, dict[str, Any]]]:
    """Requests that each get one kind of error reply from a correct server: (what, method, params)."""
    from ._requests import UNKNOWN_NAME, UNKNOWN_URI

    probes: list[tuple[str, str, dict[str, Any]]] = [("an unknown method", "pytest-mcp/no-such-method", {})]
    if ctx.declares("tools"):
        probes.append(("invalid params", "tools/call", {"arguments": {}}))
        probes.append(("an unknown tool", "tools/call", {"name": UNKNOWN_NAME, "arguments": {}}))
    if ctx.declares("resources"):
        probes.append(("an unknown resource", "resources/read", {"uri": UNKNOWN_URI}))
    if ctx.declares("prompts"):
        probes.append(("an unknown prompt", "prompts/get", {"name": UNKNOWN_NAME}))
    return probes


def _valid_request(ctx: CheckContext) -> tuple[str, dict[str, Any] | None]:
    """A request a correct server answers with a result on a working session."""
    if ctx.declares("tools"):
        return "tools/list", {}
    return any_request(ctx)


@check(
    "session.serves-after-errors",
    rule="An error reply ends nothing: after each kind of error (unknown method, invalid params, unknown tool, "
    "resource or prompt) the same session (2025-11-25 HTTP) or connection (stdio) answers the next valid request.",
    items=[5, 13],
    spec="basic/lifecycle#operation",
    level="MUST",
    transports=["stdio", "http"],
)
async def serves_after_errors(ctx: CheckContext) -> None:
    if ctx.era != HANDSHAKE_ERA and ctx.transport == "http":
        ctx.skip("a 2026-07-28 HTTP request stands alone: there is no session to keep serving")
    method, params = _valid_request(ctx)
    async with ctx.wire(fresh=True) as wire:
        for what, bad_method, bad_params in _error_probes(ctx):
            bad = await wire.request(bad_method, bad_params)
            if not bad.answered:
                ctx.note(f"{bad_method} ({what}) got no reply")
            after = await wire.request(method, params)
            where = "session" if isinstance(wire, HttpWire) else "connection"
            ctx.expect(
                after.is_result,
                f"after {bad_method} with {what} got {_outcome(bad)}, the same {where} no longer serves: {method} "
                f"got {_outcome(after)}. An error reply must leave the {where} usable",
                sent=after.sent,
                received=after.describe(),
            )


def _outcome(reply: Exchange) -> str:
    if reply.is_error:
        return f"error {reply.code}"
    if reply.is_result:
        return "a result"
    return f"HTTP {reply.status} and no JSON-RPC reply" if reply.status is not None else "no reply"
