"""Pagination checks (checklist L): cursors terminate, no repeats, invalid cursors."""

from __future__ import annotations

import json
from typing import Final

from ..context import CheckContext
from ..registry import check
from ._listing import list_all

LISTS: Final = (
    ("tools", "tools/list", "tools", "name"),
    ("resources", "resources/list", "resources", "uri"),
    ("resources", "resources/templates/list", "resourceTemplates", "uriTemplate"),
    ("prompts", "prompts/list", "prompts", "name"),
)


@check(
    "pagination.terminates",
    rule="Following nextCursor through a list ends (nextCursor absent on the last page) and lists no item twice.",
    items=[84],
    spec="server/utilities/pagination#pagination-model",
    level="MUST",
    timeout=60,
)
async def terminates(ctx: CheckContext) -> None:
    lists = [entry for entry in LISTS if ctx.declares(entry[0])]
    if not lists:
        ctx.skip("the server declares none of tools, resources and prompts")
    async with ctx.wire() as wire:
        for _capability, method, key, identity in lists:
            listing = await list_all(wire, method, key)
            failed = listing.problem and listing.failed_reply is not None and listing.failed_reply.is_error
            if failed and method == "resources/templates/list":
                continue  # templates are optional within the resources capability
            ctx.expect(
                listing.problem is None,
                listing.problem or "",
                sent=listing.failed_reply and listing.failed_reply.sent,
                received=listing.failed_reply and listing.failed_reply.describe(),
            )
            seen = [
                json.dumps(item.get(identity) if isinstance(item, dict) else item, sort_keys=True)
                for item in listing.items
            ]
            repeated = sorted({value for value in seen if seen.count(value) > 1})
            ctx.expect(
                not repeated,
                f"{method} lists {repeated[0]} more than once across {len(listing.replies)} page(s)"
                if repeated
                else "",
            )


@check(
    "pagination.invalid-cursor",
    bad_input=True,
    rule="A server that paginates answers an invalid cursor with error -32602.",
    items=[85],
    spec="server/utilities/pagination#error-handling",
    level="SHOULD",
)
async def invalid_cursor(ctx: CheckContext) -> None:
    lists = [entry for entry in LISTS if ctx.declares(entry[0])]
    async with ctx.wire() as wire:
        paginated = None
        for _capability, method, key, _identity in lists:
            first = await wire.request(method, {})
            if first.is_result and isinstance(first.result, dict) and first.result.get("nextCursor") is not None:
                paginated = (method, key)
                break
        if paginated is None:
            ctx.skip("the server does not paginate its lists (no nextCursor seen), so it issues no cursors to validate")
        method, _key = paginated
        reply = await wire.request(method, {"cursor": "pytest-mcp-invalid-cursor-%%%"})
        ctx.expect(
            reply.is_error and reply.code == -32602,
            f"{method} with an invalid cursor got {'a result' if reply.is_result else f'error {reply.code}'}, not "
            "error -32602",
            sent=reply.sent,
            received=reply.describe(),
        )
