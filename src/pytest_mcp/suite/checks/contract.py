"""The expected-surface contract (``--mcp-contract=FILE``): the server's surface matches the recorded one."""

from __future__ import annotations

from typing import Any

from ...contract import ContractDrift, check_drift, load_contract, surface_of
from ..context import CheckContext
from ..registry import ERAS, check

LISTS = (
    ("tools", "tools/list", "tools"),
    ("prompts", "prompts/list", "prompts"),
    ("resources", "resources/list", "resources"),
    ("resources", "resources/templates/list", "resourceTemplates"),
)


@check(
    "contract.surface",
    rule="The server still offers what its recorded contract (--mcp-contract) lists: no tool, prompt, resource, "
    "template, capability or era removed, no argument newly required, no type narrowed.",
    items=[],
    spec="server/tools#listing-tools",
    level="D",
    suite="contract",
    timeout=120,
)
async def surface(ctx: CheckContext) -> None:
    path = ctx.options.contract
    current = await _surface(ctx)
    try:
        changes = check_drift(path, ctx.era, current, update=ctx.options.contract_update)
    except ContractDrift as exc:
        ctx.fail(str(exc))
    await _lost_eras(ctx, path)
    if changes is None:
        ctx.skip(f"nothing to compare: recorded the {ctx.era} surface in contract {path} (commit it)")


async def _surface(ctx: CheckContext) -> dict[str, Any]:
    listed: dict[str, list[Any]] = {key: [] for _capability, _method, key in LISTS}
    for capability, method, key in LISTS:
        if ctx.declares(capability):
            listed[key] = await _listing(ctx, method, key)
    return surface_of(
        capabilities=ctx.capabilities,
        tools=listed["tools"],
        prompts=listed["prompts"],
        resources=listed["resources"],
        templates=listed["resourceTemplates"],
    )


async def _listing(ctx: CheckContext, method: str, key: str) -> list[Any]:
    if method != "resources/templates/list":
        return await ctx.listed(method, key)
    listing = await ctx.runtime.listing(ctx.era, method, key)
    return list(listing.items) if listing.problem is None else []  # templates are optional within resources


async def _lost_eras(ctx: CheckContext, path: str) -> None:
    """An era the contract records that the server no longer speaks (told by the first era it does speak)."""
    if ctx.options.contract_update:
        return
    recorded = load_contract(path) or {}
    spoken = [era for era in ERAS if (await ctx.runtime.facts(era)).supported]
    if not spoken or ctx.era != spoken[0]:
        return
    lost = [era for era in recorded if era not in spoken]
    ctx.expect(
        not lost,
        f"breaking: era {', '.join(lost)} is recorded in contract {path} but the server no longer speaks it "
        f"(if intended, record it again: --mcp-contract-update)",
    )
