"""Concurrency checks (checklist M 91): pipelined requests answered by id; a slow call blocks nothing."""

from __future__ import annotations

import time
from typing import Any, Final

import anyio

from ..context import CheckContext
from ..registry import check
from ..wire import Exchange, StdioWire
from ._requests import any_request
from .cancellation import SLOW_SECONDS, slow_tool

QUICK_AFTER: Final = SLOW_SECONDS / 5
"""When the quick request follows the slow one."""
MARGIN: Final = SLOW_SECONDS / 10
"""How much earlier than the slow reply the quick one must come: a server that works one request at a
time answers it only after the slow one, however loaded the machine; a concurrent one, at once."""


@check(
    "concurrency.pipelined",
    rule="Requests sent back to back without waiting are all answered, each response carrying its own request's "
    "id (in any order).",
    items=[2, 91],
    spec="basic#requests",
    level="D",
)
async def pipelined(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        method, params = any_request(ctx)
        requests = [(method, params)] * 3
        for capability, list_method in (
            ("tools", "tools/list"),
            ("prompts", "prompts/list"),
            ("resources", "resources/list"),
        ):
            if ctx.declares(capability):
                requests.append((list_method, {}))
        bodies = [wire.message(m, p) for m, p in requests]
        replies: dict[Any, Exchange] = {}
        if isinstance(wire, StdioWire):
            for body in bodies:
                await wire.send_raw(body)
            for body in bodies:
                line = await wire.wait_reply(body["id"])
                ctx.expect(
                    line is not None,
                    f"request {body['id']} ({body['method']}) of {len(bodies)} pipelined requests got no reply",
                    sent=body,
                )
        else:

            async def send(body: dict[str, Any]) -> None:
                replies[body["id"]] = await wire.send_request(body)

            async with anyio.create_task_group() as group:
                for body in bodies:
                    group.start_soon(send, body)
            for body in bodies:
                reply = replies[body["id"]]
                ctx.expect(
                    reply.answered,
                    f"request {body['id']} ({body['method']}) got no reply",
                    sent=body,
                    received=reply.describe(),
                )
                ctx.expect(
                    reply.message.get("id") == body["id"],
                    f"request {body['id']} got the reply of id {reply.message.get('id')!r}",
                    sent=body,
                    received=reply.describe(),
                )


@check(
    "concurrency.slow-call-does-not-block",
    rule="While a slow request is in progress, other requests are still answered promptly.",
    items=[91],
    spec="basic#requests",
    level="D",
    requires=["tools"],
    timeout=60,
    waits=SLOW_SECONDS,
)
async def slow_call_does_not_block(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        tool, arguments = await slow_tool(ctx)
        slow = wire.message("tools/call", {"name": tool["name"], "arguments": arguments})
        method, params = any_request(ctx)
        quick = wire.message(method, params)
        timings: dict[str, float] = {}
        started = time.monotonic()
        if isinstance(wire, StdioWire):
            await wire.send_raw(slow)
            await anyio.sleep(QUICK_AFTER)
            await wire.send_raw(quick)
            line = await wire.wait_reply(quick["id"], timeout=SLOW_SECONDS * 4)
            if line is None:
                ctx.fail("the quick request got no reply", sent=quick)
            slow_line = await wire.wait_reply(slow["id"], timeout=SLOW_SECONDS * 4)
            if slow_line is None:
                ctx.fail(f"the slow tools/call {tool['name']!r} got no reply", sent=slow)
            timings["quick"], timings["slow"] = line.at - started, slow_line.at - started
        else:

            async def run(name: str, body: dict[str, Any], delay: float) -> None:
                await anyio.sleep(delay)
                await wire.send_request(body, timeout=SLOW_SECONDS * 4)
                timings[name] = time.monotonic() - started

            async with anyio.create_task_group() as group:
                group.start_soon(run, "slow", slow, 0)
                group.start_soon(run, "quick", quick, QUICK_AFTER)
        if timings.get("slow", 0) < SLOW_SECONDS * 0.75:
            ctx.skip(f"tool {tool['name']!r} answered in {timings.get('slow', 0):.2f} s, too fast to tell")
        ctx.expect(
            timings["quick"] < timings["slow"] - MARGIN,
            f"{method} waited for the slow tools/call {tool['name']!r}: answered after {timings['quick']:.2f} s, "
            f"the slow call after {timings['slow']:.2f} s",
            sent=[slow, quick],
        )
