"""JSON-RPC base checks (checklist A): ids, response shape, error codes, notifications, batches."""

from __future__ import annotations

from ..context import CheckContext
from ..registry import check
from ._util import any_request


@check(
    "jsonrpc.id-echo-number",
    rule="A response echoes the request id exactly: a number id comes back as the same number.",
    items=[2],
    spec="basic/index#responses",
    level="MUST",
)
async def id_echo_number(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        for value in (0, 987654321):
            method, params = any_request(ctx)
            reply = await wire.request(method, params, id=value)
            ctx.expect(reply.answered, f"no reply to {method} with id {value}", sent=reply.sent)
            got = reply.message.get("id") if isinstance(reply.message, dict) else None
            ctx.expect(
                type(got) is int and got == value,
                f"the reply's id is {got!r} ({type(got).__name__}), not the number {value}",
                sent=reply.sent,
                received=reply.describe(),
            )
