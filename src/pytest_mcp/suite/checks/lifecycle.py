"""Lifecycle checks (checklist B, C, D): the handshake, version negotiation, capabilities, discover, ping."""

from __future__ import annotations

from typing import Any, Final

from ..context import CheckContext, shorten
from ..registry import check
from ..wire import CLIENT_INFO, HANDSHAKE_ERA, MODERN_ERA, HttpWire, StdioWire
from ._eras import ERA_CHOICES, era_problem, missing_required
from ._listing import list_all
from ._requests import any_request, is_int
from ._strict import notification_problems, result_problems

HANDSHAKE_VERSIONS: Final = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
BOGUS_VERSION: Final = "1999-01-01"
FEATURE_PROBES: Final = (
    ("tools", "tools/list", "tools"),
    ("resources", "resources/list", "resources"),
    ("prompts", "prompts/list", "prompts"),
)


def _initialize(version: str) -> dict[str, Any]:
    return {"protocolVersion": version, "capabilities": {}, "clientInfo": dict(CLIENT_INFO)}


@check(
    "lifecycle.eras",
    rule="An era the server does not speak is refused cleanly: initialize answered with a refusing JSON-RPC error "
    "or another protocol version, server/discover refused, unanswered or listing other versions; never an internal "
    "error, no reply to initialize, or a malformed result. Every era --mcp-require-era names is spoken.",
    items=[15, 23, 92],
    spec="basic/versioning#protocol-version-negotiation",
    level="MUST",
)
async def eras(ctx: CheckContext) -> None:
    facts = {era: await ctx.runtime.facts(era) for era in ERA_CHOICES}
    for era, item in facts.items():
        problem = era_problem(item)
        if problem is not None:
            reply = item.handshake
            ctx.fail(
                f"the server's opening of {era} is broken, not a clean refusal, so every {era} check would be "
                f"skipped: {problem}. Fix the handler (or refuse the era with -32601 Method not found)",
                sent=reply and reply.sent,
                received=reply and reply.describe(),
            )
    missing = missing_required(ctx.options.require_eras, facts)
    ctx.expect(
        not missing,
        f"the server does not speak {'; '.join(missing)}, which --mcp-require-era="
        f"{','.join(ctx.options.require_eras)} requires",
    )


@check(
    "lifecycle.initialize-result",
    rule="initialize returns protocolVersion (a string), capabilities (an object) and serverInfo with string name "
    "and version; instructions, if present, is a string.",
    items=[15],
    spec="basic/lifecycle#initialization",
    level="MUST",
    eras=[HANDSHAKE_ERA],
)
async def initialize_result(ctx: CheckContext) -> None:
    reply = ctx.facts.handshake
    assert reply is not None
    result = reply.result
    ctx.expect(
        isinstance(result, dict),
        "initialize did not return a result object",
        sent=reply.sent,
        received=reply.describe(),
    )
    problems = []
    if not isinstance(result.get("protocolVersion"), str):
        problems.append("protocolVersion is not a string")
    if not isinstance(result.get("capabilities"), dict):
        problems.append("capabilities is not an object")
    info = result.get("serverInfo")
    if not isinstance(info, dict) or not isinstance(info.get("name"), str) or not isinstance(info.get("version"), str):
        problems.append(f"serverInfo is {shorten(info, 100)}, not an object with string name and version")
    if "instructions" in result and not isinstance(result["instructions"], str):
        problems.append("instructions is not a string")
    problems += result_problems("initialize", result) if not problems else []
    ctx.expect(not problems, "; ".join(problems), sent=reply.sent, received=reply.describe())


@check(
    "lifecycle.version-negotiation",
    rule="initialize answers with a protocol version the server supports: a version it answers with is echoed when "
    "requested, and an unknown requested version is never echoed (it is answered with a supported version, or an "
    "error).",
    items=[16, 17],
    spec="basic/lifecycle#version-negotiation",
    level="MUST",
    eras=[HANDSHAKE_ERA],
)
async def version_negotiation(ctx: CheckContext) -> None:
    offered = ctx.facts.protocol_version
    ctx.expect(
        offered in HANDSHAKE_VERSIONS,
        f"asked for {HANDSHAKE_ERA}, the server answered protocolVersion {offered!r}, which is not a released "
        "handshake-era version",
        sent=ctx.facts.handshake and ctx.facts.handshake.sent,
        received=ctx.facts.handshake and ctx.facts.handshake.describe(),
    )
    if offered != HANDSHAKE_ERA:
        # it does not speak 2025-11-25; it must at least accept the version it offered
        async with ctx.wire(fresh=True, handshake=False) as wire:
            reply = await wire.request("initialize", _initialize(str(offered)), envelope=False)
            got = reply.result.get("protocolVersion") if isinstance(reply.result, dict) else None
            ctx.expect(
                got == offered,
                f"the server offered {offered} but does not echo it when asked for it (answered {got!r})",
                sent=reply.sent,
                received=reply.describe(),
            )
    async with ctx.wire(fresh=True, handshake=False) as wire:
        reply = await wire.request("initialize", _initialize(BOGUS_VERSION), envelope=False)
        ctx.expect(reply.answered, f"no reply to initialize with the unknown version {BOGUS_VERSION}", sent=reply.sent)
        if reply.is_error:
            return  # rejecting an unsupported version with an error is allowed
        got = reply.result.get("protocolVersion") if isinstance(reply.result, dict) else None
        ctx.expect(
            got != BOGUS_VERSION,
            f"the server echoed the unknown protocol version {BOGUS_VERSION} instead of answering with one it supports",
            sent=reply.sent,
            received=reply.describe(),
        )
        ctx.expect(
            isinstance(got, str) and got in (*HANDSHAKE_VERSIONS, "2024-10-07"),
            f"asked for an unknown version, the server answered {got!r}, not a version it could support",
            sent=reply.sent,
            received=reply.describe(),
        )


@check(
    "lifecycle.capabilities-declared",
    rule="The server declares a capability for every feature it serves (tools, resources, prompts, logging, "
    "completions), and the listChanged / subscribe sub-flags are booleans.",
    items=[18, 35, 50, 60],
    spec="basic/lifecycle#capability-negotiation",
    level="MUST",
)
async def capabilities_declared(ctx: CheckContext) -> None:
    caps = ctx.capabilities
    for name in ("tools", "resources", "prompts", "logging", "completions"):
        if name in caps and not isinstance(caps[name], dict):
            ctx.fail(f"capability {name!r} is {shorten(caps[name], 60)}, not an object")
        for flag in ("listChanged", "subscribe"):
            value = caps.get(name, {}).get(flag) if isinstance(caps.get(name), dict) else None
            if value is not None and not isinstance(value, bool):
                ctx.fail(f"capabilities.{name}.{flag} is {value!r}, not a boolean")
    async with ctx.wire() as wire:
        for capability, method, key in FEATURE_PROBES:
            if ctx.declares(capability):
                continue
            reply = await wire.request(method, {})
            items = reply.result.get(key) if isinstance(reply.result, dict) else None
            ctx.expect(
                not (isinstance(items, list) and items),
                f"the server serves {method} ({len(items or [])} items) but does not declare the {capability!r} "
                "capability",
                sent=reply.sent,
                received=reply.describe(),
            )
        if not ctx.declares("completions") and ctx.declares("prompts"):
            prompts = await wire.request("prompts/list", {})
            listed = prompts.result.get("prompts") if isinstance(prompts.result, dict) else None
            prompt = next((p for p in listed or [] if isinstance(p, dict) and p.get("arguments")), None)
            if prompt is not None:
                argument = prompt["arguments"][0].get("name", "x") if isinstance(prompt["arguments"][0], dict) else "x"
                reply = await wire.request(
                    "completion/complete",
                    {
                        "ref": {"type": "ref/prompt", "name": prompt.get("name")},
                        "argument": {"name": argument, "value": ""},
                    },
                )
                values = reply.result.get("completion", {}).get("values") if isinstance(reply.result, dict) else None
                ctx.expect(
                    not values,
                    "the server answers completion/complete with values but does not declare the 'completions' "
                    "capability",
                    sent=reply.sent,
                    received=reply.describe(),
                )
        if not ctx.declares("logging") and ctx.era == HANDSHAKE_ERA:
            reply = await wire.request("logging/setLevel", {"level": "debug"})
            ctx.expect(
                not reply.is_result,
                "the server accepts logging/setLevel but does not declare the 'logging' capability",
                sent=reply.sent,
                received=reply.describe(),
            )
            await wire.request("logging/setLevel", {"level": "warning"})


@check(
    "lifecycle.ping",
    rule="ping is answered promptly with an empty result {}.",
    items=[34, 22],
    spec="basic/utilities/ping#behavior-requirements",
    level="MUST",
    eras=[HANDSHAKE_ERA],
)
async def ping(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        reply = await wire.request("ping", None, envelope=False)
        ctx.expect(reply.is_result, "ping did not get a result", sent=reply.sent, received=reply.describe())
        extra = {key for key in reply.result if key != "_meta"}
        ctx.expect(
            not extra,
            f"the ping result is not empty: it has {sorted(extra)}",
            sent=reply.sent,
            received=reply.describe(),
        )


@check(
    "lifecycle.ping-before-initialized",
    rule="ping works before the handshake has completed (before notifications/initialized).",
    items=[22],
    spec="basic/lifecycle#initialization",
    level="D",
    eras=[HANDSHAKE_ERA],
    transports=["stdio"],
)
async def ping_before_initialized(ctx: CheckContext) -> None:
    async with ctx.wire(fresh=True, handshake=False) as wire:
        init = await wire.request("initialize", _initialize(HANDSHAKE_ERA), envelope=False)
        ctx.expect(init.is_result, "initialize failed on a fresh connection", sent=init.sent, received=init.describe())
        reply = await wire.request("ping", None, envelope=False)
        ctx.expect(
            reply.is_result,
            "ping before notifications/initialized did not get a result",
            sent=reply.sent,
            received=reply.describe(),
        )


# -- 2026-07-28 -------------------------------------------------------------------------------------


@check(
    "lifecycle.discover-result",
    rule="server/discover returns supportedVersions (strings, including 2026-07-28), capabilities (an object) and "
    "optional string instructions.",
    items=[23],
    spec="server/discover",
    level="MUST",
    eras=[MODERN_ERA],
)
async def discover_result(ctx: CheckContext) -> None:
    reply = ctx.facts.handshake
    assert reply is not None
    result = reply.result
    problems = []
    versions = result.get("supportedVersions")
    if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
        problems.append(f"supportedVersions is {shorten(versions, 80)}, not an array of strings")
    if not isinstance(result.get("capabilities"), dict):
        problems.append("capabilities is not an object")
    if "instructions" in result and not isinstance(result["instructions"], str):
        problems.append("instructions is not a string")
    problems += result_problems("server/discover", result) if not problems else []
    ctx.expect(not problems, "; ".join(problems), sent=reply.sent, received=reply.describe())


@check(
    "lifecycle.strict-replies",
    rule="Every result and notification the server sends conforms to the protocol's type for it (required fields, "
    "types, enums; no null where the type has none): the list results, a resource read, a prompt, and every "
    "notification that arrives with them.",
    items=[61, 52, 68, 77],
    spec="basic#json-rpc-messages",
    level="MUST",
    timeout=60,
)
async def strict_replies(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        replies = [ctx.facts.handshake] if ctx.facts.handshake is not None else []
        for capability, method, key in (*FEATURE_PROBES, ("resources", "resources/templates/list", "x")):
            if ctx.declares(capability):
                listing = await list_all(wire, method, key)
                replies += listing.replies
                if method == "resources/list" and listing.items and isinstance(listing.items[0], dict):
                    replies.append(await wire.request("resources/read", {"uri": listing.items[0].get("uri")}))
                if method == "prompts/list":
                    bare = [p for p in listing.items if isinstance(p, dict) and not _required_arguments(p)]
                    if bare:
                        replies.append(await wire.request("prompts/get", {"name": bare[0].get("name")}))
        for reply in replies:
            method = str(reply.sent.get("method"))
            problems = result_problems(method, reply.result) if reply.is_result else []
            ctx.expect(
                not problems,
                f"the {method} result departs from the protocol's type: {'; '.join(problems)}",
                sent=reply.sent,
                received=reply.describe(),
            )
        for message in _notifications(wire, replies):
            problems = notification_problems(message)
            ctx.expect(not problems, "; ".join(problems), received=message)


def _required_arguments(prompt: dict[str, Any]) -> list[Any]:
    arguments = prompt.get("arguments")
    return [a for a in arguments if isinstance(a, dict) and a.get("required")] if isinstance(arguments, list) else []


def _notifications(wire: Any, replies: list[Any]) -> list[dict[str, Any]]:
    """Every notification the server sent on ``wire`` (stdio lines) or in the replies (HTTP streams)."""
    if isinstance(wire, StdioWire):
        return [line.data for line in wire.lines if line.is_notification and isinstance(line.data, dict)]
    return [message for reply in replies for message in reply.notifications]


@check(
    "lifecycle.result-type",
    rule='Every 2026-07-28 result carries resultType, "complete" or "input_required"; server/discover and the list '
    'methods always answer "complete" (input_required is only for tools/call, prompts/get and resources/read).',
    items=[11, 33],
    spec="basic#resulttype",
    level="MUST",
    eras=[MODERN_ERA],
)
async def result_type(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        probes: list[tuple[str, dict[str, Any]]] = [("server/discover", {})]
        probes += [(method, {}) for capability, method, _ in FEATURE_PROBES if ctx.declares(capability)]
        for method, params in probes:
            reply = await wire.request(method, params)
            if not reply.is_result:
                continue
            ctx.expect(
                reply.result.get("resultType") == "complete",
                f"the {method} result has resultType {reply.result.get('resultType')!r}"
                + (
                    " (input_required is only for tools/call, prompts/get and resources/read)"
                    if reply.result.get("resultType") == "input_required"
                    else ""
                ),
                sent=reply.sent,
                received=reply.describe(),
            )


@check(
    "lifecycle.cache-fields",
    rule="Cacheable results (server/discover, the */list methods and resources/read) carry ttlMs (an integer >= 0) "
    'and cacheScope ("public" or "private"), the same cacheScope on every page of a list.',
    items=[31],
    spec="server/utilities/caching",
    level="MUST",
    eras=[MODERN_ERA],
)
async def cache_fields(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        replies = [await wire.request("server/discover", {})]
        for capability, method, key in FEATURE_PROBES:
            if not ctx.declares(capability):
                continue
            listing = await list_all(wire, method, key)
            scopes = {r.result.get("cacheScope") for r in listing.replies if r.is_result}
            ctx.expect(
                len(scopes) <= 1,
                f"the pages of {method} have different cacheScope values: {sorted(map(str, scopes))}",
                received=[r.describe() for r in listing.replies[:3]],
            )
            replies += listing.replies
            if method == "resources/list":
                uri = next((i.get("uri") for i in listing.items if isinstance(i, dict)), None)
                if isinstance(uri, str):
                    replies.append(await wire.request("resources/read", {"uri": uri}))
        for reply in replies:
            if not reply.is_result:
                continue
            ttl, scope = reply.result.get("ttlMs"), reply.result.get("cacheScope")
            ctx.expect(
                is_int(ttl) and ttl >= 0 and scope in ("public", "private"),
                f"the {reply.sent.get('method')} result has ttlMs={ttl!r} and cacheScope={scope!r}",
                sent=reply.sent,
                received=reply.describe(),
            )


@check(
    "lifecycle.unsupported-version",
    bad_input=True,
    rule="A 2026-07-28 request whose _meta protocolVersion the server does not support gets error -32022 with "
    "data.supported (on HTTP, status 400).",
    items=[24, 107],
    spec="basic/versioning#protocol-version-negotiation",
    level="MUST",
    eras=[MODERN_ERA],
)
async def unsupported_version(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        meta = {"io.modelcontextprotocol/protocolVersion": "2099-01-01"}
        headers = {"mcp-protocol-version": "2099-01-01"} if isinstance(wire, HttpWire) else None
        reply = await wire.request("server/discover", {}, meta=meta, headers=headers)
        ctx.expect(reply.answered, "no reply to a request with an unsupported protocol version", sent=reply.sent)
        ctx.expect(
            reply.code == -32022,
            f"the reply is not error -32022 (code {reply.code})",
            sent=reply.sent,
            received=reply.describe(),
        )
        data = reply.error.get("data") if isinstance(reply.error, dict) else None
        supported = data.get("supported") if isinstance(data, dict) else None
        ctx.expect(
            isinstance(supported, list) and all(isinstance(v, str) for v in supported),
            "the -32022 error has no data.supported list of versions",
            sent=reply.sent,
            received=reply.describe(),
        )
        if isinstance(wire, HttpWire):
            ctx.expect(
                reply.status == 400,
                f"the HTTP status is {reply.status}, not 400",
                sent=reply.sent,
                received=reply.describe(),
            )


@check(
    "lifecycle.missing-meta",
    rule="A 2026-07-28 request without the _meta protocolVersion and clientCapabilities fields gets error -32602 "
    "(on HTTP, status 400).",
    items=[25],
    spec="basic#_meta",
    level="MUST",
    eras=[MODERN_ERA],
)
async def missing_meta(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        method = "tools/list" if ctx.declares("tools") else "server/discover"
        body = wire.message(method, {}, envelope=False)
        if isinstance(wire, StdioWire):
            reply = await wire.send_request(body)
        else:
            reply = await wire.send_request(body)
        ctx.expect(reply.answered, f"no reply to {method} without _meta", sent=reply.sent)
        ctx.expect(
            reply.is_error and reply.code == -32602,
            f"{method} without the _meta protocol fields got {'a result' if reply.is_result else f'error {reply.code}'}, "
            "not error -32602",
            sent=reply.sent,
            received=reply.describe(),
        )
        if isinstance(wire, HttpWire):
            ctx.expect(
                reply.status == 400,
                f"the HTTP status is {reply.status}, not 400",
                sent=reply.sent,
                received=reply.describe(),
            )


@check(
    "lifecycle.removed-methods",
    bad_input=True,
    rule="Methods removed in 2026-07-28 (ping, logging/setLevel, resources/subscribe) get -32601 on a 2026-07-28 "
    "request (on HTTP, status 404).",
    items=[32],
    spec="basic/versioning#backward-compatibility",
    level="D",
    eras=[MODERN_ERA],
)
async def removed_methods(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        for method, params in (
            ("ping", {}),
            ("logging/setLevel", {"level": "info"}),
            ("resources/subscribe", {"uri": "pytest-mcp://x"}),
        ):
            reply = await wire.request(method, params)
            ctx.expect(reply.answered, f"no reply to the removed method {method}", sent=reply.sent)
            ctx.expect(
                reply.code == -32601,
                f"the removed method {method} got {'a result' if reply.is_result else f'error {reply.code}'}, not "
                "-32601",
                sent=reply.sent,
                received=reply.describe(),
            )
            if isinstance(wire, HttpWire):
                ctx.expect(
                    reply.status == 404,
                    f"{method}: the HTTP status is {reply.status}, not 404",
                    sent=reply.sent,
                    received=reply.describe(),
                )


@check(
    "lifecycle.server-info-meta",
    rule="Every 2026-07-28 result's _meta carries io.modelcontextprotocol/serverInfo (name and version).",
    items=[23, 28],
    spec="basic#_meta",
    level="SHOULD",
    eras=[MODERN_ERA],
)
async def server_info_meta(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        method, params = any_request(ctx)
        reply = await wire.request(method, params)
        ctx.expect(reply.is_result, f"{method} did not return a result", sent=reply.sent, received=reply.describe())
        meta = reply.result.get("_meta")
        info = meta.get("io.modelcontextprotocol/serverInfo") if isinstance(meta, dict) else None
        ctx.expect(
            isinstance(info, dict) and isinstance(info.get("name"), str),
            "the result's _meta has no io.modelcontextprotocol/serverInfo",
            sent=reply.sent,
            received=reply.describe(),
        )
