"""Progress checks (checklist J): tokens echoed, progress increasing, nothing after the response."""

from __future__ import annotations

import itertools
from typing import Any, Final

from ..context import CheckContext
from ..registry import check
from ..wire import Exchange, StdioWire, Wire
from ._strict import notification_problems
from ._tool_calls import callable_tools, find_tool, no_callable_tools_reason, tuned_arguments

PROGRESS_SECONDS: Final = 0.2
"""How long the progress tool is asked to run (its steps report progress within that time)."""


async def progress_tool(ctx: CheckContext) -> tuple[dict[str, Any], dict[str, Any]]:
    """A tool the suite may call that looks like it reports progress, with arguments for a short run."""
    __tracebackhide__ = True
    tools = callable_tools(ctx, await ctx.listed("tools/list", "tools"))
    if not tools:
        ctx.skip(no_callable_tools_reason(ctx))
    tool = find_tool(tools, r"\bprogress", r"\blong[- ]running\b", r"\bsteps\b")
    if tool is None:
        ctx.skip("no tool the suite may call mentions progress (name or description: progress, long-running, steps)")
    arguments = tuned_arguments(tool, seconds=PROGRESS_SECONDS, steps=3)
    if arguments is None:
        ctx.skip(f"cannot make up arguments for the progress tool {tool['name']!r}")
    return tool, arguments


async def call_with_progress(
    wire: Wire, tool: dict[str, Any], arguments: dict[str, Any], token: Any
) -> tuple[Exchange, list[dict[str, Any]], list[dict[str, Any]]]:
    """Call ``tool`` (with ``progressToken`` = ``token`` unless None); return the reply, the progress
    notifications before it, and those after it."""
    meta = {"progressToken": token} if token is not None else None
    params = {"name": tool["name"], "arguments": arguments}
    if isinstance(wire, StdioWire):
        start = len(wire.lines)
        reply = await wire.request("tools/call", params, meta=meta, timeout=max(wire.timeout, 15))
        before = [line.data for line in wire.lines[start:] if line.is_notification]
        after = [line.data for line in await wire.collect(0.4) if line.is_notification]
    else:
        reply = await wire.request("tools/call", params, meta=meta, timeout=max(wire.timeout, 15))
        position = next((i for i, m in enumerate(reply.messages) if m is reply.message), len(reply.messages))
        before = [m for m in reply.messages[:position] if isinstance(m, dict) and "method" in m]
        after = [m for m in reply.messages[position + 1 :] if isinstance(m, dict) and "method" in m]

    def is_progress(message: dict[str, Any]) -> bool:
        """A progress notification, or one whose method is so malformed it could be anything."""
        method = message.get("method")
        return method == "notifications/progress" or not isinstance(method, str) or not method

    return reply, [m for m in before if is_progress(m)], [m for m in after if is_progress(m)]


@check(
    "progress.notifications",
    rule="Progress notifications carry the request's progressToken with the same value and type, progress "
    "strictly increases, total and message have the right types, and none follows the final response.",
    items=[74, 75, 76],
    spec="basic/utilities/progress#behavior-requirements",
    level="MUST",
    requires=["tools"],
    timeout=60,
    waits=2 * PROGRESS_SECONDS,
)
async def notifications(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        tool, arguments = await progress_tool(ctx)
        seen_any = False
        for token in (f"pytest-mcp-progress-{ctx.seed % 10000}", 424242 + ctx.seed % 1000):
            reply, before, after = await call_with_progress(wire, tool, arguments, token)
            ctx.expect(reply.answered, f"no reply to tools/call {tool['name']!r}", sent=reply.sent)
            for message in before + after:
                problems = notification_problems(message)
                ctx.expect(not problems, "; ".join(problems), sent=reply.sent, received=message)
            mine = [m for m in before if (m.get("params") or {}).get("progressToken") == token]
            for message in before:
                got = (message.get("params") or {}).get("progressToken")
                ctx.expect(
                    got == token and type(got) is type(token),
                    f"a progress notification carries the token {got!r} ({type(got).__name__}), not the request's "
                    f"{token!r} ({type(token).__name__})",
                    sent=reply.sent,
                    received=message,
                )
            values: list[float] = []
            for message in mine:
                params = message.get("params") or {}
                value = params.get("progress")
                if not isinstance(value, int | float) or isinstance(value, bool):
                    ctx.fail(f"progress is {value!r}, not a number", sent=reply.sent, received=message)
                if "total" in params:
                    ctx.expect(
                        isinstance(params["total"], int | float) and not isinstance(params["total"], bool),
                        f"total is {params['total']!r}, not a number",
                        sent=reply.sent,
                        received=message,
                    )
                if "message" in params:
                    ctx.expect(
                        isinstance(params["message"], str), "message is not a string", sent=reply.sent, received=message
                    )
                values.append(value)
            ctx.expect(
                all(b > a for a, b in itertools.pairwise(values)),
                f"progress does not strictly increase: {values}",
                sent=reply.sent,
            )
            late = [m for m in after if (m.get("params") or {}).get("progressToken") == token]
            ctx.expect(
                not late,
                "a progress notification came after the final response",
                sent=reply.sent,
                received=late[0] if late else None,
            )
            seen_any = seen_any or bool(mine)
        if not seen_any:
            ctx.skip(f"tool {tool['name']!r} sent no progress notification, so there was nothing to check")


@check(
    "progress.no-token-no-progress",
    rule="A request without a progressToken gets no progress notifications.",
    items=[74],
    spec="basic/utilities/progress#behavior-requirements",
    level="MUST",
    requires=["tools"],
    timeout=60,
    waits=PROGRESS_SECONDS,
)
async def no_token(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        tool, arguments = await progress_tool(ctx)
        reply, before, after = await call_with_progress(wire, tool, arguments, None)
        ctx.expect(reply.answered, f"no reply to tools/call {tool['name']!r}", sent=reply.sent)
        unasked = before + after
        ctx.expect(
            not unasked,
            f"tool {tool['name']!r} called without a progressToken sent progress notifications",
            sent=reply.sent,
            received=unasked[0] if unasked else None,
        )
