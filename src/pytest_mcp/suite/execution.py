"""Running one case (a check in one era over one transport): whether it applies, the run within its
time limit, and the liveness probe after a check that sends bad input. Used by the pytest items
(``items.py``) and by the side-by-side runner (``concurrent.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .context import CheckFailed, shorten
from .options import ERA_MARKERS
from .registry import Check

if TYPE_CHECKING:
    from .context import CheckContext
    from .runtime import EraFacts, SuiteRuntime

__all__ = ["Case", "applicable", "busy_machine_may_explain", "run_check", "watch_check", "watched"]

TIMING_SIGNS: Final = ("did not answer in time", "did not finish within")
"""Words of ``run_check``'s failures on a timeout."""


@dataclass(frozen=True)
class Case:
    """One check in one era over one transport: one pytest item."""

    check: Check
    era: str
    transport: str
    subject: str | None = None
    """For a ``per=`` check: the one tool, resource, template or prompt (its name or URI) of this case."""
    label: str | None = None
    """``subject`` as the last part of the test id (see ``subjects.subject_id``)."""

    @property
    def name(self) -> str:
        tail = f"[{self.label}]" if self.label is not None else ""
        return f"{self.check.suite}[{self.check.id}][{self.era}][{self.transport}]{tail}"

    @property
    def param_id(self) -> str:
        tail = f"-{self.label}" if self.label is not None else ""
        return f"{self.check.suite}-{self.check.id}-{self.era}-{self.transport}{tail}"


async def applicable(case: Case, runtime: SuiteRuntime) -> str | None:
    """Why the case does not apply to this server (era not spoken, capability not declared), or None."""
    check = case.check
    facts = await runtime.facts(case.era)
    if facts.auth_required and not check.auth:
        return f"{check.id}: {facts.reason}"
    if not facts.supported and not (check.auth and facts.auth_required):
        others = [await runtime.facts(era) for era in ERA_MARKERS if era != case.era]
        if any(other.supported or other.auth_required for other in others):
            return f"{check.id}: the server does not speak {case.era}: {facts.reason}"
        raise _no_era(facts, others)
    for capability in check.requires:
        if not facts.declares(capability):
            return f"{check.id}: the server does not declare the {capability!r} capability in {case.era}"
    return None


def _no_era(facts: EraFacts, others: list[EraFacts]) -> CheckFailed:
    """A server that opens no era at all fails every check (with why), instead of skipping them all."""
    reasons = "; ".join(f"{item.era}: {item.reason}" for item in (facts, *others))
    handshake = facts.handshake
    return CheckFailed(
        f"the server speaks no protocol era the suite knows, so no check can run ({reasons})",
        sent=handshake.sent if handshake is not None else None,
        received=handshake.describe() if handshake is not None else None,
    )


async def run_check(case: Case, runtime: SuiteRuntime, box: list[CheckContext]) -> None:
    """Run the check of ``case``, recording its context in ``box`` (for the failure report)."""
    __tracebackhide__ = True
    import anyio

    from .context import CheckContext

    check = case.check
    facts = await runtime.facts(case.era)
    ctx = CheckContext(check, case.era, case.transport, runtime, facts, subject=case.subject)
    box.append(ctx)
    try:
        try:
            with anyio.fail_after(check.timeout):
                await check.func(ctx)
        except BaseExceptionGroup as group:
            # task groups (the in-process ASGI bridge, concurrent requests) wrap what crosses them
            leaf = _single_exception(group)
            if leaf is None:
                raise
            raise leaf from None
    except TimeoutError as exc:
        if str(exc):  # one request of the check timed out (McpTimeoutError says which)
            raise CheckFailed(f"the server did not answer in time: {exc}") from None
        raise CheckFailed(
            f"the check did not finish within {check.timeout:g} s: the server stopped answering "
            "(or answers far slower than --mcp-timeout allows)"
        ) from None
    except (BrokenPipeError, ConnectionError) as exc:
        raise CheckFailed(f"the connection to the server broke during the check: {exc}") from None


def busy_machine_may_explain(case: Case, failure: BaseException) -> bool:
    """Whether ``case`` may have failed only because other checks kept the machine busy (those in the
    background, ``background.py``): it waits for a window of time by design, or it failed on a timeout. A
    check sending bad input never counts (it is not run twice)."""
    if case.check.bad_input:
        return False
    return case.check.waits > 0 or any(sign in str(failure) for sign in TIMING_SIGNS)


def watched(case: Case, runtime: SuiteRuntime) -> bool:
    """Whether the liveness probe follows ``case``: a check sending bad input to a stdio or HTTP server."""
    return case.check.bad_input and runtime.transport in ("stdio", "http")


async def watch_check(case: Case, runtime: SuiteRuntime, box: list[CheckContext]) -> None:
    """``run_check``, then the liveness probe: when the server no longer serves, this check fails saying
    so (its own finding kept as a note) and the runtime remembers it, so that later checks do not run."""
    __tracebackhide__ = True
    import anyio

    from .checks.liveness import PROBE_TIMEOUT, still_serving

    found: CheckFailed | None = None
    try:
        await run_check(case, runtime, box)
    except CheckFailed as exc:
        found = exc
    wires = box[0].wires if box else []
    try:
        with anyio.fail_after(3 * PROBE_TIMEOUT):
            problem = await still_serving(runtime, case.era, wires)
    except Exception as exc:  # any error opening or using the probe's session means the server is not serving
        problem = f"a fresh session could not be used: {type(exc).__name__}: {exc}"
    if problem is None:
        if found is not None:
            raise found
        return
    runtime.stopped_by(case.era, case.check.id)
    if found is not None and box:
        box[0].note(f"the check itself found: {found.found}")
    last = box[0].last_sent() if box else "(nothing)"
    raise CheckFailed(
        f"the server stopped serving after this check's requests: {shorten(last, 300)}\n"
        f"The liveness probe found: {problem}\n"
        "Every later check of this server (over stdio: of this era's process) is reported as not run. Fix the "
        "server so that bad input gets an error and the server goes on serving."
    )


def _single_exception(error: BaseException) -> BaseException | None:
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return None if isinstance(error, BaseExceptionGroup) else error
