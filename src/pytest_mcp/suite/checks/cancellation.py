"""Cancellation checks (checklist K): unknown ids ignored, no reply after a cancel, the server survives."""

from __future__ import annotations

from typing import Any, Final

import anyio

from ..context import CheckContext
from ..registry import check
from ..wire import HANDSHAKE_ERA, MODERN_ERA, HttpWire, StdioWire
from ._requests import answers_after, still_serves
from ._tool_calls import callable_tools, duration_property, no_callable_tools_reason, tuned_arguments

SLOW_SECONDS: Final = 0.4
"""How long the slow request of the cancellation and concurrency checks takes."""
LATE_SECONDS: Final = 0.4
"""How long after a slow request would have ended a late reply to it is still looked for."""


async def slow_tool(ctx: CheckContext, seconds: float = SLOW_SECONDS) -> tuple[dict[str, Any], dict[str, Any]]:
    """A tool the suite may call that takes a duration argument, with arguments that make it take ``seconds``."""
    __tracebackhide__ = True
    tools = callable_tools(ctx, await ctx.listed("tools/list", "tools"))
    if not tools:
        ctx.skip(no_callable_tools_reason(ctx))
    for tool in tools:
        if duration_property(tool) is None:
            continue
        arguments = tuned_arguments(tool, seconds=seconds, steps=2)
        if arguments is not None and duration_property(tool) in arguments:
            return tool, arguments
    ctx.skip(
        "no tool the suite may call takes a duration argument (a number named like seconds, duration, delay or "
        "sleep), so there is no slow request to work with"
    )


@check(
    "cancellation.unknown-id-ignored",
    bad_input=True,
    rule="notifications/cancelled for an unknown or already completed request id is ignored: no response, no "
    "crash, the server keeps answering.",
    items=[78, 83],
    spec="basic/utilities/cancellation#error-handling",
    level="MUST",
    transports=["stdio", "http", "inproc"],
)
async def unknown_id_ignored(ctx: CheckContext) -> None:
    async with ctx.wire(abuse=True) as wire:
        if isinstance(wire, HttpWire) and ctx.era == MODERN_ERA:
            ctx.skip("2026-07-28 HTTP has no client notifications: cancelling is closing the request's stream")
        done = await wire.request(*("ping", None) if ctx.era == HANDSHAKE_ERA else ("server/discover", {}))
        for request_id in (987650001, "pytest-mcp-never-sent", done.sent["id"]):
            reply = await wire.notify(
                "notifications/cancelled", {"requestId": request_id, "reason": "pytest-mcp check"}
            )
            if isinstance(wire, HttpWire) and reply is not None:
                answers = [m for m in reply.messages if isinstance(m, dict) and ("result" in m or "error" in m)]
                ctx.expect(
                    not answers,
                    f"the server answered notifications/cancelled for {request_id!r}",
                    sent=reply.sent,
                    received=reply.describe(),
                )
        if isinstance(wire, StdioWire):
            extra = await answers_after(ctx, wire)
            ctx.expect(not extra, "the server answered notifications/cancelled", received=extra[0] if extra else None)
        else:
            await still_serves(ctx, wire, "the cancellations")


async def _cancel_and_watch(ctx: CheckContext) -> None:
    async with ctx.wire(abuse=True) as wire:
        assert isinstance(wire, StdioWire)
        tool, arguments = await slow_tool(ctx)
        body = wire.message("tools/call", {"name": tool["name"], "arguments": arguments})
        await wire.send_raw(body)
        await anyio.sleep(SLOW_SECONDS * 0.3)
        await wire.notify("notifications/cancelled", {"requestId": body["id"], "reason": "pytest-mcp check"})
        late = await wire.wait_reply(body["id"], timeout=SLOW_SECONDS + LATE_SECONDS)
        ctx.expect(
            late is None,
            f"the server answered request {body['id']} after it was cancelled",
            sent=body,
            received=late.text() if late else None,
        )
        await answers_after(ctx, wire)  # and it still answers


@check(
    "cancellation.no-reply-after-cancel",
    rule="After notifications/cancelled for a request in progress, the server sends no response for it (2026-07-28 "
    "stdio: MUST NOT send any further message for that id) and keeps serving.",
    items=[79, 83],
    spec="basic/patterns/cancellation#behavior-requirements",
    level="MUST",
    eras=[MODERN_ERA],
    transports=["stdio"],
    requires=["tools"],
    waits=SLOW_SECONDS + LATE_SECONDS,
)
async def no_reply_after_cancel(ctx: CheckContext) -> None:
    await _cancel_and_watch(ctx)


@check(
    "cancellation.no-reply-after-cancel-handshake",
    rule="After notifications/cancelled for a request in progress, the server stops the work and sends no "
    "response for it, and keeps serving.",
    items=[79, 83],
    spec="basic/utilities/cancellation#behavior-requirements",
    level="SHOULD",
    eras=[HANDSHAKE_ERA],
    transports=["stdio"],
    requires=["tools"],
    waits=SLOW_SECONDS + LATE_SECONDS,
)
async def no_reply_after_cancel_handshake(ctx: CheckContext) -> None:
    await _cancel_and_watch(ctx)
