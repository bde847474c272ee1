"""The fuzz suite's checks: every callable tool driven by Hypothesis with valid, invalid and hostile inputs.

The engine is ``fuzz_engine`` (Hypothesis in a thread of its own, one server call per example,
shrinking, crash restarts), the verdicts ``fuzz_judge``, the inputs ``strategies``, the tool
selection ``tool_selection`` (``--mcp-fuzz-tools``). Registered in ``registry.CHECK_MODULES``;
loaded only by ``--mcp-suite``. User docs: docs/suite/fuzz.md.
"""

from __future__ import annotations

import time
from typing import Any, Final

from ..fuzz_engine import DEFAULT_EXAMPLES, FuzzConfig, FuzzReport, FuzzSession
from ..leaks import LeakDetector
from ..registry import check
from ..tool_selection import SuiteTools, opt_in_reason, select_tools

__all__ = ["CLIENT_REPLIES", "FUZZ_CHECK_TIMEOUT", "examples_or_skip", "suite_config", "tools_or_skip"]

CLIENT_REPLIES: Final = {"sampling": "pytest-mcp: a canned sampling reply", "elicitation": "decline", "roots": []}
"""How the suite's client answers a tool's sampling, elicitation and roots requests (so such tools can finish)."""

FUZZ_CHECK_TIMEOUT: Final = 600.0
"""Seconds one fuzz item may take; the fuzzing itself stops at 80 % of it (``FuzzConfig.stop_at``)."""


def examples_or_skip(ctx: Any) -> int:
    """``--mcp-fuzz-examples`` (fuzz examples per tool and mode, or stateful sequences); skips the item at 0."""
    examples = int(getattr(ctx.options, "fuzz_examples", DEFAULT_EXAMPLES))
    if examples == 0:
        ctx.skip("fuzzing is off (--mcp-fuzz-examples=0)")
    return examples


async def tools_or_skip(ctx: Any, client: Any) -> SuiteTools:
    """The server's tools split by ``--mcp-fuzz-tools``; skips the item, saying how to opt in, when none is chosen."""
    spec = ctx.options.fuzz_tools
    tools = select_tools(await client.tools(), spec)
    if not tools.chosen:
        ctx.skip(opt_in_reason(tools, spec))
    return tools


def suite_config(ctx: Any, started: float) -> FuzzConfig:
    """The fuzz settings of one suite item: examples, seeds, per-call timeout and the item's deadline."""
    return FuzzConfig(
        examples=examples_or_skip(ctx),
        call_timeout=ctx.timeout,
        seed=ctx.seed & 0xFFFFFFFF,
        run_seed=ctx.options.seed,
        stop_at=started + 0.8 * ctx.check.timeout,
    )


async def _fuzz_check(ctx: Any, mode: str) -> None:
    __tracebackhide__ = True
    import anyio

    from ..leaks import server_env

    examples_or_skip(ctx)
    started = time.monotonic()
    spec = ctx.options.fuzz_tools
    async with ctx.client(**CLIENT_REPLIES) as client:
        tools = await tools_or_skip(ctx, client)
        config = suite_config(ctx, started)
        detector = LeakDetector(server_env(client.server), extra_secrets=(ctx.token,) if ctx.token else ())
        reports: list[FuzzReport] = []
        async with FuzzSession(client, config=config, detector=detector) as session:
            for tool in tools.chosen:
                if time.monotonic() > config.stop_at:
                    ctx.note(f"tool {tool.name!r} not fuzzed: the item's time budget ({ctx.check.timeout:g} s) ran out")
                    continue
                reports.append(await session.fuzz(tool, mode))
                if reports[-1].slow:
                    ctx.slow_tools.add(tool.name)
                await anyio.lowlevel.checkpoint()
    _note_unfuzzed(ctx, tools, reports)
    failures = [report.failure for report in reports if report.failure is not None]
    if failures:
        server = client.describe()
        head = f"{len(failures)} of {len(reports)} tool(s) failed fuzzing with {mode} inputs"
        ctx.fail(head + ":\n" + "\n".join(failure.message(server, spec) for failure in failures))
    fuzzed = [report for report in reports if not report.skipped]
    if not fuzzed:
        ctx.skip("no tool could be fuzzed: " + "; ".join(report.skipped or "" for report in reports))
    calls = sum(report.examples for report in fuzzed)
    ctx.note(f"fuzzed {len(fuzzed)} tool(s) with {calls} {mode} call(s); seed {config.reproduce_seed}")


def _note_unfuzzed(ctx: Any, tools: SuiteTools, reports: list[FuzzReport]) -> None:
    """Notes on the tools left out, unknown to the server, or that could not be fuzzed, and the engine's notes."""
    for name in tools.unknown:
        ctx.note(f"--mcp-fuzz-tools names {name!r}, which the server does not offer")
    for reason in tools.skipped.values():
        ctx.note(f"not fuzzed: {reason}")
    for report in reports:
        if report.skipped:
            ctx.note(f"not fuzzed: {report.skipped}")
        for note in report.notes:
            ctx.note(note)


@check(
    "fuzz.tools.valid-inputs",
    rule="Arguments generated from a tool's inputSchema never cause a JSON-RPC error, a crash or a server that stops "
    "answering; each result has valid content blocks and, when the tool declares an outputSchema, structuredContent that conforms to it; "
    "no reply leaks a stack trace, a secret or system file contents.",
    items=[39, 41, 49],
    spec="server/tools#tool-result",
    level="MUST",
    suite="fuzz",
    requires=("tools",),
    timeout=FUZZ_CHECK_TIMEOUT,
    raw=False,
)
async def fuzz_valid_inputs(ctx: Any) -> None:
    await _fuzz_check(ctx, "valid")


@check(
    "fuzz.tools.invalid-inputs",
    bad_input=True,
    rule="Arguments that violate a tool's inputSchema (a required property missing, a wrong type, a value out of "
    "range, an extra property when additionalProperties is false) get an isError result or JSON-RPC error -32602, "
    "never success, a crash or a hang.",
    items=[44],
    spec="server/tools#security-considerations",
    level="MUST",
    suite="fuzz",
    requires=("tools",),
    timeout=FUZZ_CHECK_TIMEOUT,
    raw=False,
)
async def fuzz_invalid_inputs(ctx: Any) -> None:
    await _fuzz_check(ctx, "invalid")


@check(
    "fuzz.tools.hostile-strings",
    bad_input=True,
    rule="Hostile strings in string arguments (empty, unicode and emoji, control characters, ~1 MB, path traversal, "
    "SQL, script, template and JNDI injection) never cause a crash, a hang, an internal error or a leak.",
    items=[44, 49],
    spec="server/tools#security-considerations",
    level="D",
    suite="fuzz",
    requires=("tools",),
    timeout=FUZZ_CHECK_TIMEOUT,
    raw=False,
)
async def fuzz_hostile_strings(ctx: Any) -> None:
    await _fuzz_check(ctx, "hostile")
