"""Prompts checks (checklist G): listing, getting, unknown names, missing arguments."""

from __future__ import annotations

from typing import Any, Final

from ..context import CheckContext
from ..registry import check
from ._util import UNKNOWN_NAME, content_problem

MAX_GETS: Final = 10


def _arguments(prompt: dict[str, Any]) -> dict[str, str]:
    """Values for a prompt's required arguments (prompt arguments are strings)."""
    values = {}
    for argument in prompt.get("arguments") or []:
        if isinstance(argument, dict) and argument.get("required") is True and isinstance(argument.get("name"), str):
            values[argument["name"]] = "test"
    return values


@check(
    "prompts.list.shape",
    rule="prompts/list items have a string name; each arguments[] entry has a string name and, if present, a "
    "boolean required.",
    items=[61],
    spec="server/prompts#listing-prompts",
    level="MUST",
    requires=["prompts"],
    per="prompt",
)
async def list_shape(ctx: CheckContext) -> None:
    for index, prompt in enumerate(ctx.pick(await ctx.listed("prompts/list", "prompts"))):
        where = f"prompts[{index}]"
        ctx.expect(
            isinstance(prompt, dict) and isinstance(prompt.get("name"), str),
            f"{where} has no string name",
            received=prompt,
        )
        arguments = prompt.get("arguments")
        if arguments is None:
            continue
        ctx.expect(
            isinstance(arguments, list), f"prompt {prompt['name']!r}: arguments is not an array", received=prompt
        )
        for argument in arguments:
            ctx.expect(
                isinstance(argument, dict) and isinstance(argument.get("name"), str),
                f"prompt {prompt['name']!r}: an argument has no string name",
                received=prompt,
            )
            if "required" in argument:
                ctx.expect(
                    isinstance(argument["required"], bool),
                    f"prompt {prompt['name']!r}: argument {argument['name']!r} has a non-boolean required",
                    received=prompt,
                )


@check(
    "prompts.get.messages",
    rule="prompts/get returns messages[] whose role is user or assistant and whose content is a valid content "
    "block (image/audio base64 with a mimeType; an embedded resource with a uri and text or blob).",
    items=[62],
    spec="server/prompts#promptmessage",
    level="MUST",
    requires=["prompts"],
    timeout=60,
    per="prompt",
)
async def get_messages(ctx: CheckContext) -> None:
    prompts = [p for p in ctx.pick(await ctx.listed("prompts/list", "prompts")) if isinstance(p, dict)]
    async with ctx.wire() as wire:
        if not prompts:
            ctx.skip("the server lists no prompts")
        for prompt in prompts[:MAX_GETS]:
            reply = await wire.request("prompts/get", {"name": prompt.get("name"), "arguments": _arguments(prompt)})
            ctx.expect(reply.answered, f"no reply to prompts/get {prompt.get('name')!r}", sent=reply.sent)
            if reply.is_error:
                ctx.note(f"prompts/get {prompt.get('name')!r} with made-up arguments failed (error {reply.code})")
                continue
            messages = reply.result.get("messages") if isinstance(reply.result, dict) else None
            if not isinstance(messages, list):
                ctx.fail(
                    f"prompt {prompt.get('name')!r}: the result has no messages array",
                    sent=reply.sent,
                    received=reply.describe(),
                )
            for index, message in enumerate(messages):
                where = f"prompt {prompt.get('name')!r} messages[{index}]"
                ctx.expect(
                    isinstance(message, dict) and message.get("role") in ("user", "assistant"),
                    f"{where} has role {message.get('role') if isinstance(message, dict) else message!r}",
                    sent=reply.sent,
                    received=reply.describe(),
                )
                problem = content_problem(message.get("content"), f"{where}.content")
                ctx.expect(problem is None, problem or "", sent=reply.sent, received=reply.describe())


@check(
    "prompts.get.unknown-name",
    rule="prompts/get for a prompt that does not exist gets error -32602.",
    items=[63],
    spec="server/prompts#error-handling",
    level="SHOULD",
    requires=["prompts"],
)
async def get_unknown(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        reply = await wire.request("prompts/get", {"name": UNKNOWN_NAME, "arguments": {}})
        ctx.expect(reply.answered, "no reply to prompts/get of an unknown prompt", sent=reply.sent)
        ctx.expect(
            reply.is_error, "prompts/get of an unknown prompt succeeded", sent=reply.sent, received=reply.describe()
        )
        ctx.expect(
            reply.code == -32602,
            f"the error code is {reply.code}, not -32602",
            sent=reply.sent,
            received=reply.describe(),
        )


@check(
    "prompts.get.missing-arguments",
    rule="prompts/get without a required argument gets error -32602.",
    items=[64],
    spec="server/prompts#error-handling",
    level="SHOULD",
    requires=["prompts"],
    per="prompt-with-arguments",
)
async def get_missing_arguments(ctx: CheckContext) -> None:
    prompts = [p for p in ctx.pick(await ctx.listed("prompts/list", "prompts")) if isinstance(p, dict)]
    async with ctx.wire() as wire:
        prompt = next((p for p in prompts if _arguments(p)), None)
        if prompt is None:
            ctx.skip("no listed prompt has a required argument")
        reply = await wire.request("prompts/get", {"name": prompt["name"], "arguments": {}})
        ctx.expect(reply.answered, f"no reply to prompts/get {prompt['name']!r}", sent=reply.sent)
        ctx.expect(
            reply.is_error,
            f"prompts/get {prompt['name']!r} without its required arguments succeeded",
            sent=reply.sent,
            received=reply.describe(),
        )
        ctx.expect(
            reply.code == -32602,
            f"the error code is {reply.code}, not -32602",
            sent=reply.sent,
            received=reply.describe(),
        )
