"""Logging checks (checklist I): setLevel, invalid levels, message shape, capability, per-request level."""

from __future__ import annotations

from typing import Any

from ...protocol.versions import LOG_LEVELS
from ..context import CheckContext
from ..registry import check
from ..wire import HANDSHAKE_ERA, LOG_LEVEL_KEY, MODERN_ERA, StdioWire, Wire
from ._strict import notification_problems
from ._tool_calls import callable_tools, find_tool, no_callable_tools_reason, tuned_arguments


@check(
    "logging.set-level",
    rule="logging/setLevel with a valid level is answered with an empty result.",
    items=[69],
    spec="server/utilities/logging#setting-log-level",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    requires=["logging"],
)
async def set_level(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        for level in ("warning", "info"):
            reply = await wire.request("logging/setLevel", {"level": level})
            ctx.expect(
                reply.is_result,
                f"logging/setLevel {level!r} did not get a result",
                sent=reply.sent,
                received=reply.describe(),
            )


@check(
    "logging.invalid-level",
    bad_input=True,
    rule="logging/setLevel with a level that is not one of the eight RFC 5424 levels gets error -32602.",
    items=[70],
    spec="server/utilities/logging#error-handling",
    level="SHOULD",
    eras=[HANDSHAKE_ERA],
    requires=["logging"],
)
async def invalid_level(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        reply = await wire.request("logging/setLevel", {"level": "pytest-mcp-loud"})
        ctx.expect(
            reply.is_error and reply.code == -32602,
            f"an invalid level got {'a result' if reply.is_result else f'error {reply.code}'}, not -32602",
            sent=reply.sent,
            received=reply.describe(),
        )


async def _log_tool(ctx: CheckContext, *, any_tool: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """A tool the suite may call that logs (by its name or description), and arguments for it; with
    ``any_tool``, any tool with arguments when none mentions logging (to see messages nobody asked for)."""
    __tracebackhide__ = True
    tools = callable_tools(ctx, await ctx.listed("tools/list", "tools"))
    if not tools:
        ctx.skip(no_callable_tools_reason(ctx))
    tool = find_tool(tools, r"\blog(s|ging|ged)?\b", r"\bnotif(y|ication)")
    if tool is None and any_tool:
        tool = next((t for t in tools if tuned_arguments(t, seconds=1, steps=2) is not None), None)
    if tool is None:
        ctx.skip("no tool the suite may call mentions logging (name or description: log)")
    arguments = tuned_arguments(tool, seconds=1, steps=2)
    if arguments is None:
        ctx.skip(f"cannot make up arguments for the logging tool {tool['name']!r}")
    return tool, arguments


async def _messages(
    wire: Wire, tool: dict[str, Any], arguments: dict[str, Any], level: str | None
) -> tuple[Any, list[dict[str, Any]]]:
    meta = {LOG_LEVEL_KEY: level} if level is not None and wire.era == MODERN_ERA else None
    params = {"name": tool["name"], "arguments": arguments}
    if isinstance(wire, StdioWire):
        start = len(wire.lines)
        reply = await wire.request("tools/call", params, meta=meta)
        found = [line.data for line in wire.lines[start:] if line.is_notification]
        found += [line.data for line in await wire.collect(0.3) if line.is_notification]
    else:
        reply = await wire.request("tools/call", params, meta=meta)
        found = reply.notifications
    return reply, [m for m in found if m.get("method") == "notifications/message" or not m.get("method")]


@check(
    "logging.messages",
    rule="A server that sends notifications/message declares the logging capability; each message has a level "
    "among the eight RFC 5424 levels, data, and an optional string logger.",
    items=[68, 71],
    spec="server/utilities/logging#log-message-notifications",
    level="MUST",
    requires=["tools"],
    timeout=60,
)
async def messages(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        tool, arguments = await _log_tool(ctx)
        if ctx.era == HANDSHAKE_ERA and ctx.declares("logging"):
            await wire.request("logging/setLevel", {"level": "debug"})
        reply, found = await _messages(wire, tool, arguments, "debug")
        if ctx.era == HANDSHAKE_ERA and ctx.declares("logging"):
            await wire.request("logging/setLevel", {"level": "info"})
        if not found:
            ctx.skip(f"tool {tool['name']!r} sent no log message")
        ctx.expect(
            ctx.declares("logging"),
            "the server sends notifications/message but does not declare the logging capability",
            sent=reply.sent,
            received=found[0],
        )
        for message in found:
            problems = notification_problems(message)
            ctx.expect(not problems, "; ".join(problems), sent=reply.sent, received=message)
            params = message.get("params") or {}
            ctx.expect(
                params.get("level") in LOG_LEVELS,
                f"a log message has level {params.get('level')!r}",
                sent=reply.sent,
                received=message,
            )
            ctx.expect("data" in params, "a log message has no data", sent=reply.sent, received=message)
            if "logger" in params:
                ctx.expect(
                    isinstance(params["logger"], str),
                    "a log message's logger is not a string",
                    sent=reply.sent,
                    received=message,
                )


@check(
    "logging.level-respected",
    rule="Only log messages at or above the requested level are sent (2025-11-25: logging/setLevel; 2026-07-28: "
    "the request's _meta logLevel, and none at all without it, whether or not logging is declared).",
    items=[69, 72],
    spec="server/utilities/logging#log-levels",
    level="MUST",
    requires=["tools"],
    timeout=60,
)
async def level_respected(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        tool, arguments = await _log_tool(ctx, any_tool=ctx.era == MODERN_ERA)
        if ctx.era == MODERN_ERA:
            reply, found = await _messages(wire, tool, arguments, None)
            ctx.expect(
                not found,
                f"tool {tool['name']!r} sent a log message for a request without _meta logLevel (a 2026-07-28 "
                "server sends log messages only when the request asks for them)",
                sent=reply.sent,
                received=found[0] if found else None,
            )
        if not ctx.declares("logging"):
            ctx.skip("the server does not declare logging, so it has no level to respect")
        if ctx.era == HANDSHAKE_ERA:
            await wire.request("logging/setLevel", {"level": "debug"})
        _reply, loud = await _messages(wire, tool, arguments, "debug")
        if not [m for m in loud if (m.get("params") or {}).get("level") != "emergency"]:
            ctx.note(f"tool {tool['name']!r} sent no log message below emergency at level debug")
        if ctx.era == HANDSHAKE_ERA:
            set_reply = await wire.request("logging/setLevel", {"level": "emergency"})
            ctx.expect(
                set_reply.is_result,
                "logging/setLevel emergency failed",
                sent=set_reply.sent,
                received=set_reply.describe(),
            )
        reply, found = await _messages(wire, tool, arguments, "emergency")
        if ctx.era == HANDSHAKE_ERA:
            await wire.request("logging/setLevel", {"level": "info"})
        below = [m for m in found if (m.get("params") or {}).get("level") != "emergency"]
        ctx.expect(
            not below,
            "a log message below the requested level (emergency) was sent"
            + (" (set with logging/setLevel)" if ctx.era == HANDSHAKE_ERA else " (the request's _meta logLevel)"),
            sent=reply.sent,
            received=below[0] if below else None,
        )
