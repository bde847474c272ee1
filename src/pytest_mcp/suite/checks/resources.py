"""Resources checks (checklist F): listing, reading, templates, unknown URIs, subscriptions."""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote

from ..context import CheckContext
from ..registry import check
from ..wire import HANDSHAKE_ERA, Wire
from ._content import resource_contents_problem
from ._listing import listed
from ._requests import UNKNOWN_URI, completed_value, error_problem, is_int, reply_text

URI: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$")
"""RFC 3986: a scheme, a colon, and no whitespace."""
MAX_READS: Final = 10


@check(
    "resources.list.shape",
    rule="resources/list items have a uri (an RFC 3986 URI) and a string name; mimeType and title are strings and "
    "size an integer when present.",
    items=[51],
    spec="server/resources#resource",
    level="MUST",
    requires=["resources"],
    per="resource",
)
async def list_shape(ctx: CheckContext) -> None:
    for index, item in enumerate(ctx.pick(await ctx.listed("resources/list", "resources"))):
        where = f"resources[{index}]"
        ctx.expect(isinstance(item, dict), f"{where} is not an object", received=item)
        uri = item.get("uri")
        ctx.expect(
            isinstance(uri, str) and URI.match(uri) is not None, f"{where} has uri {uri!r}, not a URI", received=item
        )
        ctx.expect(isinstance(item.get("name"), str), f"{where} ({uri}) has no string name", received=item)
        for key in ("mimeType", "title", "description"):
            if key in item:
                ctx.expect(isinstance(item[key], str), f"{where} ({uri}): {key} is not a string", received=item)
        if "size" in item:
            ctx.expect(
                is_int(item["size"]) and item["size"] >= 0, f"{where} ({uri}): size is not an integer", received=item
            )


@check(
    "resources.read.contents",
    rule="resources/read of a listed resource returns contents[]; each item has a uri and exactly one of text or a "
    "base64 blob.",
    items=[52],
    spec="server/resources#resource-contents",
    level="MUST",
    requires=["resources"],
    timeout=60,
    per="resource",
)
async def read_contents(ctx: CheckContext) -> None:
    resources = [r for r in ctx.pick(await ctx.listed("resources/list", "resources")) if isinstance(r, dict)]
    async with ctx.wire() as wire:
        if not resources:
            ctx.skip("the server lists no resources")
        for item in resources[:MAX_READS]:
            reply = await wire.request("resources/read", {"uri": item.get("uri")})
            ctx.expect(reply.answered, f"no reply to resources/read {item.get('uri')!r}", sent=reply.sent)
            ctx.expect(
                reply.is_result,
                f"reading the listed resource {item.get('uri')!r} failed",
                sent=reply.sent,
                received=reply.describe(),
            )
            contents = reply.result.get("contents")
            ctx.expect(
                isinstance(contents, list),
                "the result has no contents array",
                sent=reply.sent,
                received=reply.describe(),
            )
            for index, content in enumerate(contents):
                problem = resource_contents_problem(content, f"contents[{index}]")
                ctx.expect(
                    problem is None,
                    f"resource {item.get('uri')!r}: {problem}",
                    sent=reply.sent,
                    received=reply.describe(),
                )


def _expand(template: str) -> str:
    """A concrete URI from an RFC 6570 template (every expression becomes a simple value)."""
    return re.sub(r"\{[^}]*\}", "pytestmcp1", template)


SIMPLE_EXPRESSION: Final = re.compile(r"\{(\+?)([A-Za-z0-9_.%]+)\}")
"""An RFC 6570 expression of one variable, simple (``{id}``) or reserved (``{+path}``) expansion."""


async def _suggested_uri(ctx: CheckContext, wire: Wire, template: str) -> str | None:
    """``template`` expanded with the first value completion/complete suggests for each variable; None
    when the server declares no completions, suggests nothing for a variable, or the template uses
    expressions other than simple and reserved ones."""
    if not ctx.declares("completions") or "{" not in template:
        return None
    if SIMPLE_EXPRESSION.sub("", template).count("{"):
        return None
    values = {}
    for _, name in SIMPLE_EXPRESSION.findall(template):
        value = await completed_value(wire, {"type": "ref/resource", "uri": template}, name)
        if value is None:
            return None
        values[name] = value

    def fill(match: re.Match[str]) -> str:
        value = values[match.group(2)]
        return value if match.group(1) else quote(value, safe="")

    return SIMPLE_EXPRESSION.sub(fill, template)


@check(
    "resources.templates.shape",
    rule="resources/templates/list returns resourceTemplates[] with a uriTemplate (RFC 6570) and a string name.",
    items=[53],
    spec="server/resources#resource-templates",
    level="MUST",
    requires=["resources"],
    per="template",
)
async def templates_shape(ctx: CheckContext) -> None:
    listing = await ctx.runtime.listing(ctx.era, "resources/templates/list", "resourceTemplates")
    if listing.failed_reply is not None and listing.failed_reply.code == -32601:
        ctx.skip("the server does not implement resources/templates/list")
    ctx.expect(
        listing.problem is None,
        listing.problem or "",
        sent=listing.failed_reply and listing.failed_reply.sent,
        received=listing.failed_reply and listing.failed_reply.describe(),
    )
    for index, item in enumerate(ctx.pick(listing.items)):
        where = f"resourceTemplates[{index}]"
        ctx.expect(isinstance(item, dict), f"{where} is not an object", received=item)
        template = item.get("uriTemplate")
        ctx.expect(
            isinstance(template, str) and template.count("{") == template.count("}") and ":" in template,
            f"{where} has uriTemplate {template!r}, not an RFC 6570 URI template",
            received=item,
        )
        ctx.expect(isinstance(item.get("name"), str), f"{where} has no string name", received=item)


@check(
    "resources.read.unknown-uri",
    bad_input=True,
    rule="Reading a resource that does not exist is an error (2025-11-25: SHOULD be -32002; 2026-07-28: MUST, "
    "-32602 or -32002), never a result, and never an empty contents array.",
    items=[54, 55],
    spec="server/resources#error-handling",
    level="MUST",
    requires=["resources"],
)
async def read_unknown(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        reply = await wire.request("resources/read", {"uri": UNKNOWN_URI})
        ctx.expect(reply.answered, "no reply to resources/read of an unknown URI", sent=reply.sent)
        if reply.is_result:
            contents = reply.result.get("contents") if isinstance(reply.result, dict) else None
            what = "an empty contents array" if contents == [] else "a result"
            if ctx.era == HANDSHAKE_ERA and contents != []:
                ctx.note("2025-11-25 only says SHOULD for the error; a result with contents is still wrong here")
            ctx.fail(
                f"reading the unknown resource {UNKNOWN_URI} returned {what}, not an error",
                sent=reply.sent,
                received=reply.describe(),
            )


@check(
    "resources.read.unknown-uri-code",
    rule="The error for an unknown resource is -32002 with data.uri (2025-11-25), or -32602 / -32002 (2026-07-28).",
    items=[54, 55],
    spec="server/resources#error-handling",
    level="SHOULD",
    requires=["resources"],
)
async def read_unknown_code(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        reply = await wire.request("resources/read", {"uri": UNKNOWN_URI})
    if not reply.is_error:
        ctx.skip("the server did not answer with an error (resources.read.unknown-uri reports that)")
    wanted = (-32002,) if ctx.era == HANDSHAKE_ERA else (-32602, -32002)
    ctx.expect(
        reply.code in wanted,
        f"the error code is {reply.code}, not {' or '.join(map(str, wanted))}",
        sent=reply.sent,
        received=reply.describe(),
    )


@check(
    "resources.subscribe.roundtrip",
    rule="A server declaring resources.subscribe answers resources/subscribe and resources/unsubscribe with an "
    "empty result.",
    items=[57],
    spec="server/resources#subscriptions",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    requires=["resources.subscribe"],
)
async def subscribe_roundtrip(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        resources = [r for r in await listed(ctx, wire, "resources/list", "resources") if isinstance(r, dict)]
        if not resources:
            ctx.skip("the server lists no resources to subscribe to")
        uri = resources[0].get("uri")
        for method in ("resources/subscribe", "resources/unsubscribe"):
            reply = await wire.request(method, {"uri": uri})
            ctx.expect(
                reply.is_result, f"{method} {uri!r} did not get a result", sent=reply.sent, received=reply.describe()
            )


@check(
    "resources.subscribe.undeclared",
    rule="A server that does not declare resources.subscribe does not silently accept resources/subscribe.",
    items=[58],
    spec="server/resources#capabilities",
    level="D",
    eras=[HANDSHAKE_ERA],
    requires=["resources"],
)
async def subscribe_undeclared(ctx: CheckContext) -> None:
    if ctx.declares("resources.subscribe"):
        ctx.skip("the server declares resources.subscribe")
    async with ctx.wire() as wire:
        reply = await wire.request("resources/subscribe", {"uri": UNKNOWN_URI})
        ctx.expect(reply.answered, "no reply to resources/subscribe", sent=reply.sent)
        ctx.expect(
            reply.is_error,
            "resources/subscribe succeeded although the server does not declare resources.subscribe",
            sent=reply.sent,
            received=reply.describe(),
        )


@check(
    "resources.templates.read",
    rule="Reading a URI expanded from a resource template is answered with contents[] (each item a uri and exactly "
    "one of text or a base64 blob) or, for a made-up value the server does not know, a JSON-RPC error; never a "
    "malformed result, and never an error for a URI made from completion/complete's own suggestions.",
    items=[52, 53],
    spec="server/resources#resource-templates",
    level="MUST",
    requires=["resources"],
    per="template",
)
async def templates_read(ctx: CheckContext) -> None:
    listing = await ctx.runtime.listing(ctx.era, "resources/templates/list", "resourceTemplates")
    templates = [t for t in ctx.pick(listing.items) if isinstance(t, dict) and isinstance(t.get("uriTemplate"), str)]
    async with ctx.wire() as wire:
        if not templates:
            ctx.skip("the server lists no resource templates")
        for template in templates[:MAX_READS]:
            suggested = await _suggested_uri(ctx, wire, template["uriTemplate"])
            uri = suggested or _expand(template["uriTemplate"])
            reply = await wire.request("resources/read", {"uri": uri})
            ctx.expect(reply.answered, f"no reply to resources/read {uri!r}", sent=reply.sent)
            if reply.is_error and suggested is not None:
                ctx.fail(
                    f"completion/complete suggests {uri!r} for the template {template['uriTemplate']!r}, but "
                    f"reading it fails (error {reply.code}: {reply_text(reply)!r}): an instance of a listed "
                    "template made from the server's own suggestions must be readable",
                    sent=reply.sent,
                    received=reply.describe(),
                )
            if reply.is_error:
                problem = error_problem(reply)
                ctx.expect(problem is None, f"reading {uri!r}: {problem}", sent=reply.sent, received=reply.describe())
                continue
            contents = reply.result.get("contents") if isinstance(reply.result, dict) else None
            if not isinstance(contents, list):
                ctx.fail(
                    f"reading {uri!r} returned a result without a contents array",
                    sent=reply.sent,
                    received=reply.describe(),
                )
            for index, content in enumerate(contents):
                problem = resource_contents_problem(content, f"contents[{index}]")
                ctx.expect(problem is None, f"{uri!r}: {problem}", sent=reply.sent, received=reply.describe())
