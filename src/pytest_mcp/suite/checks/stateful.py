"""The stateful suite's check: sequences of tool calls, each fed by what earlier calls returned.

The machine is ``stateful_tools.build_machine`` (one rule per tool the selection allows, the same
``--mcp-fuzz-tools`` rules as fuzzing), run by ``stateful_machine.run_machine``; a failure is the
shortest failing sequence with a replay test (``stateful_run``). Registered in
``registry.CHECK_MODULES``; loaded only by ``--mcp-suite``. User docs: docs/suite/stateful.md.
"""

from __future__ import annotations

import time
from typing import Any, Final

from ..registry import check
from ..slow_calls import patience
from ..tool_selection import is_read_only
from .fuzz import CLIENT_REPLIES, examples_or_skip, tools_or_skip

__all__ = ["STATEFUL_CHECK_TIMEOUT"]

STATEFUL_CHECK_TIMEOUT: Final = 600.0
"""Seconds the item may take; exploring stops at 80 % of it."""
SEQUENCE_STEPS: Final = 10


@check(
    "stateful.tools.workflows",
    rule="Sequences of tool calls whose arguments reuse what earlier results returned never cause a JSON-RPC error, "
    "a crash or a hang; results conform to their outputSchema; a read-only tool answers the same twice in a row; "
    "an id a tool returned is not unknown to the next tool taking it unless something was deleted; listed "
    "resources can be read.",
    items=[39, 41],
    spec="server/tools#tool-result",
    level="D",
    suite="stateful",
    requires=("tools",),
    timeout=STATEFUL_CHECK_TIMEOUT,
    raw=False,
)
async def stateful_workflows(ctx: Any) -> None:
    from ..stateful_machine import StatefulConfig, run_machine

    sequences = examples_or_skip(ctx)
    started = time.monotonic()
    async with ctx.client(**CLIENT_REPLIES) as client:
        tools = await tools_or_skip(ctx, client)
        resources = getattr(client.server_capabilities, "resources", None) is not None
        machine = _machine_or_skip(ctx, tools, resources)
        config = StatefulConfig(
            sequences=sequences,
            steps=SEQUENCE_STEPS,
            seed=ctx.options.seed,
            call_timeout=ctx.timeout,
            stop_at=started + 0.8 * ctx.check.timeout,
            read_only=frozenset(tool.name for tool in tools.chosen if is_read_only(tool)),
            tolerate_slow=True,
        )
        report = await run_machine(machine, client, config, restart="after-failure")
    ctx.slow_tools.update(report.slow)
    if report.failure is not None:
        ctx.fail(str(report.failure))
    for name in sorted(report.slow):
        ctx.note(
            f"tool {name!r} left a call unanswered for {patience(ctx.timeout):g} s while the server kept answering "
            "(slow for such input, not a failure): later sequences did not call it"
        )
    for name in sorted(machine.unstable):
        ctx.note(f"read-only tool {name!r} varies on its own (its results differ call to call): not held to repeat")
    budget = "; stopped at the item's time budget" if report.out_of_time else ""
    ctx.note(
        f"{report.sequences} sequence(s), {report.calls} call(s) in {report.seconds:.1f} s; seed {config.seed}{budget}"
    )


def _machine_or_skip(ctx: Any, tools: Any, resources: bool) -> Any:
    """The state machine over the chosen tools that can be driven, noting those left out (a tool found slow
    earlier in the run among them); skips the item when nothing can be driven."""
    from ..stateful_tools import build_machine

    chosen = [tool for tool in tools.chosen if tool.name not in ctx.slow_tools]
    machine, unusable = build_machine(chosen, read_resources=resources)
    slow = {
        tool.name: f"tool {tool.name!r} left valid calls unanswered earlier in this run while the server kept "
        "answering (slow for such input, not a failure)"
        for tool in tools.chosen
        if tool.name in ctx.slow_tools
    }
    undriven = {**slow, **unusable}
    for reason in (*tools.skipped.values(), *undriven.values()):
        ctx.note(f"not in the sequences: {reason}")
    if len(unusable) == len(chosen) and not resources:
        ctx.skip("no tool could be driven: " + "; ".join(undriven.values()))
    return machine
