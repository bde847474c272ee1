"""Completion checks (checklist H): the capability, result shape, invalid references."""

from __future__ import annotations

from typing import Any

from ..context import CheckContext
from ..registry import check
from ..wire import Wire
from ._listing import list_all
from ._requests import UNKNOWN_NAME, is_int


async def _prompt_ref(wire: Wire) -> tuple[dict[str, Any], str] | None:
    """A prompt reference and one of its argument names, if the server has a prompt with arguments."""
    listing = await list_all(wire, "prompts/list", "prompts")
    for prompt in listing.items:
        arguments = prompt.get("arguments") if isinstance(prompt, dict) else None
        if arguments and isinstance(arguments[0], dict) and isinstance(arguments[0].get("name"), str):
            return {"type": "ref/prompt", "name": prompt["name"]}, arguments[0]["name"]
    return None


async def _template_ref(wire: Wire) -> tuple[dict[str, Any], str] | None:
    import re

    listing = await list_all(wire, "resources/templates/list", "resourceTemplates")
    for template in listing.items:
        uri = template.get("uriTemplate") if isinstance(template, dict) else None
        match = re.search(r"\{[+#./;?&]?([A-Za-z0-9_]+)", uri or "")
        if match:
            return {"type": "ref/resource", "uri": uri}, match.group(1)
    return None


@check(
    "completion.result-shape",
    rule="completion/complete returns completion.values (at most 100 strings), an optional integer total and an "
    "optional boolean hasMore, for prompt and resource-template references.",
    items=[66],
    spec="server/utilities/completion#completion-results",
    level="MUST",
    requires=["completions"],
)
async def result_shape(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        found: list[tuple[dict[str, Any], str] | None] = []
        if ctx.declares("prompts"):
            found.append(await _prompt_ref(wire))
        if ctx.declares("resources"):
            found.append(await _template_ref(wire))
        refs = [ref for ref in found if ref is not None]
        if not refs:
            ctx.skip("no prompt argument or resource template to complete")
        for ref, argument in refs:
            reply = await wire.request(
                "completion/complete",
                {"ref": ref, "argument": {"name": argument, "value": ""}, "context": {"arguments": {}}},
            )
            ctx.expect(
                reply.is_result, f"completion/complete for {ref} failed", sent=reply.sent, received=reply.describe()
            )
            completion = reply.result.get("completion")
            ctx.expect(
                isinstance(completion, dict),
                "the result has no completion object",
                sent=reply.sent,
                received=reply.describe(),
            )
            values = completion.get("values")
            ctx.expect(
                isinstance(values, list) and all(isinstance(v, str) for v in values) and len(values) <= 100,
                "completion.values is not an array of at most 100 strings",
                sent=reply.sent,
                received=reply.describe(),
            )
            if "total" in completion:
                ctx.expect(
                    is_int(completion["total"]),
                    "completion.total is not an integer",
                    sent=reply.sent,
                    received=reply.describe(),
                )
            if "hasMore" in completion:
                ctx.expect(
                    isinstance(completion["hasMore"], bool),
                    "completion.hasMore is not a boolean",
                    sent=reply.sent,
                    received=reply.describe(),
                )


@check(
    "completion.invalid-ref",
    bad_input=True,
    rule="completion/complete for a prompt that does not exist gets error -32602.",
    items=[67],
    spec="server/utilities/completion#error-handling",
    level="SHOULD",
    requires=["completions"],
)
async def invalid_ref(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        reply = await wire.request(
            "completion/complete",
            {"ref": {"type": "ref/prompt", "name": UNKNOWN_NAME}, "argument": {"name": "x", "value": ""}},
        )
        ctx.expect(reply.answered, "no reply to completion/complete", sent=reply.sent)
        ctx.expect(
            reply.is_error and reply.code == -32602,
            f"completing an unknown prompt got {'a result' if reply.is_result else f'error {reply.code}'}, "
            "not error -32602",
            sent=reply.sent,
            received=reply.describe(),
        )


@check(
    "completion.undeclared",
    rule="A server that does not declare the completions capability answers completion/complete with -32601.",
    items=[65],
    spec="server/utilities/completion#error-handling",
    level="SHOULD",
)
async def undeclared(ctx: CheckContext) -> None:
    if ctx.declares("completions"):
        ctx.skip("the server declares the completions capability")
    async with ctx.wire() as wire:
        reply = await wire.request(
            "completion/complete",
            {"ref": {"type": "ref/prompt", "name": UNKNOWN_NAME}, "argument": {"name": "x", "value": ""}},
        )
        ctx.expect(reply.answered, "no reply to completion/complete", sent=reply.sent)
        ctx.expect(
            reply.is_error and reply.code == -32601,
            f"completion/complete got {'a result' if reply.is_result else f'error {reply.code}'}, not error "
            "-32601, although the server does not declare completions",
            sent=reply.sent,
            received=reply.describe(),
        )
