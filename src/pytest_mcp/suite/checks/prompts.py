"""Prompts checks (checklist G): listing, getting, unknown names, missing arguments."""

from __future__ import annotations

from typing import Any, Final

from ..context import CheckContext
from ..registry import check
from ..wire import Exchange, Wire
from ._content import content_problem
from ._requests import UNKNOWN_NAME, completed_value, reply_text, says_unknown
from ._strict import result_problems

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
    rule="A listed prompt is served: prompts/get with valid arguments (completion's suggestions or plausible values) "
    "is never answered as an unknown prompt, and returns messages[] whose role is user or assistant and whose "
    "content is a valid content block (image/audio base64 with a mimeType; an embedded resource with a uri and text "
    "or blob).",
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
            reply = await _get_listed(ctx, wire, prompt)
            if reply is None:
                continue
            messages = reply.result.get("messages") if isinstance(reply.result, dict) else None
            strict = result_problems("prompts/get", reply.result) if isinstance(messages, list) else []
            ctx.expect(not strict, "; ".join(strict), sent=reply.sent, received=reply.describe())
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


async def _argument_sets(ctx: CheckContext, wire: Wire, prompt: dict[str, Any]) -> list[dict[str, str]]:
    """Argument values to try for a listed prompt: completion's suggestions (when the server declares
    completions), then plausible values."""
    plausible = _arguments(prompt)
    sets = [plausible]
    if plausible and ctx.declares("completions"):
        suggested = dict(plausible)
        ref = {"type": "ref/prompt", "name": prompt.get("name")}
        for name in plausible:
            suggested[name] = await completed_value(wire, ref, name) or plausible[name]
        if suggested != plausible:
            sets.insert(0, suggested)
    return sets


async def _get_listed(ctx: CheckContext, wire: Wire, prompt: dict[str, Any]) -> Exchange | None:
    """prompts/get of a listed prompt with valid-looking arguments: the result, or None when every try
    was refused in a way a prompt may refuse made-up arguments. Fails when the server says the listed
    prompt does not exist, or refuses a prompt that needs no arguments."""
    __tracebackhide__ = True
    name = str(prompt.get("name"))
    reply = None
    for arguments in await _argument_sets(ctx, wire, prompt):
        reply = await wire.request("prompts/get", {"name": name, "arguments": arguments})
        ctx.expect(reply.answered, f"no reply to prompts/get {name!r}", sent=reply.sent)
        if says_unknown(reply, "prompt", name):
            ctx.fail(
                f"prompts/list lists the prompt {name!r}, but prompts/get answers that it does not exist "
                f"({reply_text(reply) or f'error {reply.code}'}): serve every prompt you list, or stop listing it",
                sent=reply.sent,
                received=reply.describe(),
            )
        if reply.is_result:
            return reply
    assert reply is not None
    ctx.expect(
        bool(_arguments(prompt)),
        f"the listed prompt {name!r} needs no arguments, yet prompts/get fails (error {reply.code}: "
        f"{reply_text(reply)!r})",
        sent=reply.sent,
        received=reply.describe(),
    )
    ctx.note(f"prompts/get {name!r} with made-up and suggested arguments failed (error {reply.code})")
    return None


@check(
    "prompts.get.unknown-name",
    bad_input=True,
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
