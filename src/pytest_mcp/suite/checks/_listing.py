"""Reading a ``*/list`` method through every page (``nextCursor``), failing the check when it cannot be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from ..evidence import shorten
from ..wire import Exchange, Wire

if TYPE_CHECKING:
    from ..context import CheckContext


MAX_PAGES: Final = 50


@dataclass
class Listing:
    """Every page of one ``*/list`` method, followed through ``nextCursor``."""

    method: str
    key: str
    items: list[Any] = field(default_factory=list)
    replies: list[Exchange] = field(default_factory=list)
    cursors: list[Any] = field(default_factory=list)
    problem: str | None = None
    """Why listing stopped early (an error reply, a repeated cursor, too many pages), if it did."""
    failed_reply: Exchange | None = None


async def list_all(wire: Wire, method: str, key: str, *, max_pages: int = MAX_PAGES) -> Listing:
    """Follow ``nextCursor`` through every page of ``method`` (at most ``max_pages``)."""
    listing = Listing(method, key)
    cursor: Any = None
    for _ in range(max_pages):
        reply = await wire.request(method, {"cursor": cursor} if cursor is not None else {})
        listing.replies.append(reply)
        if not reply.is_result or not isinstance(reply.result, dict):
            listing.problem = f"{method} did not return a result" + (f" (error {reply.code})" if reply.is_error else "")
            listing.failed_reply = reply
            return listing
        page = reply.result.get(key)
        if not isinstance(page, list):
            listing.problem = f"the {method} result has no {key!r} array"
            listing.failed_reply = reply
            return listing
        listing.items.extend(page)
        cursor = reply.result.get("nextCursor")
        if cursor is None:
            return listing
        if cursor in listing.cursors:
            listing.problem = f"{method} returned the cursor {shorten(cursor, 80)} twice: paging never ends"
            listing.failed_reply = reply
            return listing
        listing.cursors.append(cursor)
    listing.problem = f"{method} still returned a nextCursor after {max_pages} pages"
    listing.failed_reply = listing.replies[-1]
    return listing


def items_or_fail(ctx: CheckContext, listing: Listing) -> list[Any]:
    """The items of a list that was read; fails the check, showing the failing reply, when it could not be."""
    __tracebackhide__ = True
    if listing.problem:
        ctx.fail(
            listing.problem,
            sent=listing.failed_reply and listing.failed_reply.sent,
            received=listing.failed_reply and listing.failed_reply.describe(),
        )
    return listing.items


async def listed(ctx: CheckContext, wire: Wire, method: str, key: str) -> list[Any]:
    """All items of a list method; fails the check when the list cannot be read."""
    __tracebackhide__ = True
    return items_or_fail(ctx, await list_all(wire, method, key))
