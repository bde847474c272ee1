"""Turning checks into pytest items, and running one check of one era as a test.

``plan()`` lists the cases (check x era) that apply to a target's transport; ``SuiteItem`` is the
pytest item of one case when the suite runs from the command line, and ``run_case()`` is the one
code path every case takes, also from ``checks_for()`` in a user's own test module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from ..redact import redact_text
from .background import background_case, uses_own_clients
from .baseline import Baseline, entry_line
from .context import CheckFailed, shorten
from .execution import Case, applicable, busy_machine_may_explain, run_check, watch_check, watched
from .lanes import BACKGROUND_LANE, in_lane
from .options import ERA_MARKERS, LEVEL_MARKERS, SUITE_MARKER_NAMES, TRANSPORT_MARKERS
from .registry import Check

if TYPE_CHECKING:
    from .concurrent import Outcome
    from .context import CheckContext
    from .runtime import SuiteRuntime

__all__ = [
    "Case",
    "ReachItem",
    "SuiteItem",
    "blocked_skip",
    "case_marks",
    "plan",
    "run_case",
    "stopped_skip",
    "with_subjects",
]

EXCHANGE_LINES: Final = 16
NOTES_SECTION: Final = "mcp notes"
"""The report section of a passed item holding its check's notes (shown by ``-rP``)."""
BASELINE_PROPERTY: Final = "mcp_baseline_entry"
RERUN_NOTE: Final = (
    "failed while the background checks ran beside it (a busy machine can miss a timing window): this is the "
    "outcome of a run alone, after them"
)
LIMIT_NOTICE: Final = "pytest_mcp.suite.limit-notice"
"""Name of the plugin whose terminal summary says that the server limits concurrency."""


def plan(checks: Iterable[Check], transport: str) -> list[Case]:
    """Every case of ``checks`` that applies to ``transport``, in the registry's order."""
    return [Case(check, era, transport) for check in checks if transport in check.transports for era in check.eras]


def with_subjects(cases: list[Case], runtime: SuiteRuntime) -> list[Case]:
    """``cases`` with each case of a ``per=`` check made into one case per listed subject (where the
    subjects can be listed; see ``subjects.py``). Talks to the server: called at collection."""
    import anyio

    wanted = list(dict.fromkeys((case.era, case.check.per) for case in cases if case.check.per is not None))
    if not wanted:
        return cases
    found = anyio.run(_list_subjects, runtime, wanted, backend="asyncio")
    expanded = []
    for case in cases:
        keys = found.get((case.era, case.check.per)) if case.check.per is not None else None
        if not keys:
            expanded.append(case)
            continue
        expanded.extend(replace(case, subject=key, label=label) for key, label in keys)
    return expanded


async def _list_subjects(runtime: SuiteRuntime, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    import anyio

    from ..server.targets import HttpTarget, SpawnHttpTarget
    from .subjects import subject_id

    if isinstance(runtime.target, HttpTarget | SpawnHttpTarget):  # a session per list: read them side by side
        async with anyio.create_task_group() as group:
            for era in dict.fromkeys(era for era, _ in wanted):
                group.start_soon(_prefetch, runtime, era, [kind for other, kind in wanted if other == era])
    found: dict[tuple[str, str], Any] = {}
    for era, kind in wanted:
        try:
            keys = await runtime.subjects(era, kind)
        except Exception:  # collection never breaks on a server: the check itself reports it when it runs
            keys = None
        labels: list[tuple[str, str]] = []
        seen: set[str] = set()
        for key in keys or ():
            label = subject_id(key)
            while label in seen:
                label += "_"
            seen.add(label)
            labels.append((key, label))
        found[era, kind] = labels
    return found


async def _prefetch(runtime: SuiteRuntime, era: str, kinds: list[str]) -> None:
    """Detect ``era`` and read the lists ``kinds`` need into the runtime's cache, one list per method at
    once (what fails here is left for ``_list_subjects`` to see again)."""
    import anyio

    from .subjects import KINDS

    async def one(kind: str) -> None:
        try:
            await runtime.subjects(era, kind)
        except Exception:  # collection never breaks on a server: the check itself reports it when it runs
            return

    try:
        await runtime.facts(era)
    except Exception:  # as above
        return
    methods = {KINDS[kind].method: kind for kind in kinds}
    async with anyio.create_task_group() as group:
        for kind in methods.values():
            group.start_soon(one, kind)


def case_marks(case: Case) -> list[pytest.MarkDecorator]:
    """The markers of a case: its suite, era, transport and level (so ``-m`` selects)."""
    return [
        getattr(pytest.mark, SUITE_MARKER_NAMES.get(case.check.suite, case.check.suite)),
        getattr(pytest.mark, ERA_MARKERS[case.era]),
        getattr(pytest.mark, TRANSPORT_MARKERS[case.transport]),
        getattr(pytest.mark, LEVEL_MARKERS[case.check.level]),
    ]


def case_properties(case: Case) -> list[tuple[str, object]]:
    """The junit-xml properties of a case's test case."""
    check = case.check
    return [
        ("mcp_check", check.id),
        ("mcp_checklist", check.items_text),
        ("mcp_spec", check.spec_url(case.era)),
        ("mcp_level", check.level),
        ("mcp_era", case.era),
        ("mcp_transport", case.transport),
        *([("mcp_subject", case.subject)] if case.subject is not None else []),
    ]


def run_case(
    case: Case,
    runtime: SuiteRuntime,
    baseline: Baseline | None,
    user_properties: list[tuple[str, object]],
    outcome: Outcome | None = None,
) -> str:
    """Run one case in its own event loop (or replay its ``outcome`` from a concurrent run): pass,
    fail (``CheckFailed``), skip, or xfail when baselined. Passed: the check's notes, one a line."""
    __tracebackhide__ = True
    import anyio

    entry = baseline.find(case.check, case.era, case.transport, case.subject) if baseline is not None else None
    context_box: list[CheckContext] = outcome.contexts if outcome is not None else []
    if outcome is None:
        if runtime.stopped_after(case.era) is not None:
            pytest.skip(stopped_skip(runtime, case.era))
        problem = runtime.blocked()
        if problem is not None:
            if runtime.blocked_at is None:  # the first case says why, once; the others point at it
                runtime.blocked_at = case.name
                pytest.fail(problem, pytrace=False)
            pytest.skip(blocked_skip(runtime))
    try:
        if outcome is not None:
            outcome.replay()
        else:
            reason = anyio.run(applicable, case, runtime, backend="asyncio")
            if reason:
                pytest.skip(reason)
            check = watch_check if watched(case, runtime) else run_check
            anyio.run(check, case, runtime, context_box, backend="asyncio")
    except CheckFailed as exc:
        if entry is not None:
            user_properties.append((BASELINE_PROPERTY, f"failed:{entry.line}:{baseline.path}"))  # type: ignore[union-attr]
            pytest.xfail(f"known failure, baselined by {baseline.path}:{entry.line}" + _reason(entry.reason))  # type: ignore[union-attr]
        exc.args = (_failure_text(case, exc, context_box, runtime),)
        raise
    if entry is not None:
        user_properties.append((BASELINE_PROPERTY, f"passed:{entry.line}:{baseline.path}"))  # type: ignore[union-attr]
    secrets = (runtime.options.auth_token,) if runtime.options.auth_token else ()
    return redact_text("\n".join(note for ctx in context_box for note in ctx.notes), secrets)


def _start_background(runtime: SuiteRuntime, cases: list[Case]) -> None:
    """Start ``cases`` in the background once the eras they need are detected and their servers are in the
    pool (the background thread only reads what is known), unless the target cannot be used. With no cases,
    the run is marked begun all the same, so the next items do not look for cases again."""
    import anyio

    if runtime.blocked() is not None:
        return
    for era in dict.fromkeys(case.era for case in cases):
        facts = anyio.run(runtime.facts, era, backend="asyncio")
        if facts.supported:  # (the cases of an era the server does not speak only skip)
            with in_lane(BACKGROUND_LANE):  # its server enters the pool here, not from the thread
                runtime.server(era)
    runtime.background.start(cases)


def _reason(reason: str) -> str:
    return f" ({reason})" if reason else ""


def _failure_text(case: Case, exc: CheckFailed, box: list[CheckContext], runtime: SuiteRuntime) -> str:
    """The report of a failed case: rule, finding, evidence, and the baseline line to copy."""
    check = case.check
    secrets = (runtime.options.auth_token,) if runtime.options.auth_token else ()
    about = f", {case.subject}" if case.subject is not None else ""
    lines = [
        f"[{check.level}] {check.id} ({case.era}, {case.transport}{about}): {exc.found}",
        f"Rule: {check.rule}",
        f"Checklist item(s) {check.items_text}; spec: {check.spec_url(case.era)}",
    ]
    if check.level == "SHOULD":
        lines.append("Level: SHOULD (a recommendation): baseline it if your server departs from it on purpose.")
    if exc.sent is not None:
        lines.append(f"Sent:     {shorten(exc.sent)}")
    if exc.received is not None:
        lines.append(f"Received: {shorten(exc.received)}")
    ctx = box[0] if box else None
    if ctx is not None:
        lines.extend(f"Note: {note}" for note in ctx.notes)
        lines.extend(f"Note: the server crashed during this check: {crash}" for crash in _crashes(ctx))
        exchanges = [item for wire in ctx.wires for item in wire.exchanges]
        if exchanges:
            shown = exchanges[-EXCHANGE_LINES:]
            lines.append(f"Exchange (last {len(shown)} of {len(exchanges)} messages):")
            lines.extend(f"  {direction} {shorten(text, 400)}" for direction, text in shown)
    lines.append("To accept this as a known failure, add this line to your --mcp-baseline file:")
    lines.append(f"    {entry_line(check, case.era, case.transport, case.subject)}")
    return redact_text("\n".join(lines), secrets)


def stopped_skip(runtime: SuiteRuntime, era: str) -> str:
    """The skip reason of the cases after the one that made the server (of ``era``) stop serving."""
    return f"not run: the server stopped serving after {runtime.stopped_after(era)}"


def _crashes(ctx: CheckContext) -> list[str]:
    """How the shared stdio processes this check used ended, for those that exited during it."""
    from .checks.liveness import crash_text
    from .wire import StdioWire

    links = dict.fromkeys(wire.link for wire in ctx.wires if isinstance(wire, StdioWire) and not wire.owned)
    return [crash_text(link) for link in links if not link.closed and link.channel.process.returncode is not None]


def blocked_skip(runtime: SuiteRuntime) -> str:
    """The skip reason of the cases of a target that cannot be used: where the cause is reported."""
    return f"not run: the {runtime.describe()} cannot be used; {runtime.blocked_at} says why"


class ReachItem(pytest.Item):
    """``mcp-suite::reach[<transport>]``: collected only when the target cannot be started or reached
    (or speaks no era), it fails once with the cause; the target's other items skip, pointing at it."""

    always_collected: Final = True
    """Kept when node ids on the command line select among the suite's items (``collect.py``)."""

    def __init__(self, *, runtime: SuiteRuntime, problem: str, cases: Iterable[Case] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        self.problem = problem
        # selected by whatever selects the items it stands for (-m conformance, -k tools.list, ...)
        for case in cases:
            for mark in case_marks(case):
                if mark.name not in self.keywords:
                    self.add_marker(mark)
            check = case.check
            self.extra_keyword_matches.update({check.id, case.era, case.transport, check.level, check.suite})

    def runtest(self) -> None:
        pytest.fail(self.problem, pytrace=False)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, pytest.fail.Exception):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.name} - can the suite start and reach {self.runtime.describe()}?"


class SuiteItem(pytest.Item):
    """A pytest item running one case of the built-in suite (created when ``--mcp-suite`` is given)."""

    def __init__(self, *, case: Case, runtime: SuiteRuntime, baseline: Baseline | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.runtime = runtime
        self.baseline = baseline
        for mark in case_marks(case):
            self.add_marker(mark)
        check = case.check
        self.extra_keyword_matches.update({check.id, case.era, case.transport, check.level, check.suite})
        if case.label is not None:
            self.extra_keyword_matches.add(case.label)
        self.user_properties.extend(case_properties(case))

    def runtest(self) -> None:
        if self.runtime.blocked_at is not None:  # the target cannot be used: a ReachItem says why
            pytest.skip(blocked_skip(self.runtime))
        self._start_background()
        outcome = self._concurrent_outcome()
        if outcome is None and self.runtime.stopped_after(self.case.era) is not None:  # an earlier check stopped it
            pytest.skip(stopped_skip(self.runtime, self.case.era))
        if outcome is None:
            outcome = self._background_outcome()
        notes = self._run(outcome)
        if notes:
            self.add_report_section("call", NOTES_SECTION, notes)

    def _run(self, outcome: Outcome | None) -> str:
        """``run_case``; while background checks run (``background.py``), a check with clients of its own
        first waits for them, and one whose failure a busy machine may explain runs again once they are done."""
        background = self.runtime.background
        beside = outcome is None and background.busy
        if beside and uses_own_clients(self.case):
            background.wait_idle()
            beside = False
        kept = len(self.user_properties)
        try:
            return run_case(self.case, self.runtime, self.baseline, self.user_properties, outcome)
        except (CheckFailed, pytest.xfail.Exception) as exc:
            if not (beside and busy_machine_may_explain(self.case, exc)):
                raise
        del self.user_properties[kept:]
        background.wait_idle()
        notes = run_case(self.case, self.runtime, self.baseline, self.user_properties)
        return "\n".join(filter(None, [RERUN_NOTE, notes]))

    def _start_background(self) -> None:
        """Over stdio: start the background checks at the first item (before the side-by-side run, which they
        run beside)."""
        runtime = self.runtime
        if self._may_overlap() and runtime.transport == "stdio" and not runtime.background.begun:
            _start_background(runtime, self._selected_cases(background_case))

    def _background_outcome(self) -> Outcome | None:
        """This case's outcome if it ran in the background (None when it failed there: it then runs again,
        alone)."""
        if not self._may_overlap() or not background_case(self.case, self.runtime):
            return None
        return self.runtime.background.outcome(self.case)

    def _concurrent_outcome(self) -> Outcome | None:
        """With ``--mcp-suite-jobs N``: this case's outcome from a concurrent run of the selected items."""
        from .concurrent import eligible

        if not self._may_overlap() or not eligible(self.case, self.runtime):
            return None
        run = self.runtime.concurrent_run(self.runtime.options.jobs)
        if self.case not in run.started and self.runtime.stopped_after(self.case.era) is None:
            run.run(self._selected_cases(eligible))
            if self.runtime.limited and not self.config.pluginmanager.has_plugin(LIMIT_NOTICE):
                from .concurrent import LimitNotice

                self.config.pluginmanager.register(LimitNotice(self.runtime), LIMIT_NOTICE)
        return run.outcomes.pop(self.case, None)

    def _may_overlap(self) -> bool:
        """Whether checks may run beside each other: ``--mcp-suite-jobs`` above 1, and not on a pytest-xdist
        worker (which runs only some of the items)."""
        return self.runtime.options.jobs > 1 and not hasattr(self.config, "workerinput")

    def _selected_cases(self, wanted: Callable[[Case, SuiteRuntime], bool]) -> list[Case]:
        """The cases of this runtime's selected items that ``wanted`` accepts, in the items' order."""
        return [
            item.case
            for item in self.session.items
            if isinstance(item, SuiteItem) and item.runtime is self.runtime and wanted(item.case, self.runtime)
        ]

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        # a baselined failure (pytest.xfail) needs no traceback: formatting one costs ~0.5 s per item
        if isinstance(excinfo.value, CheckFailed | pytest.xfail.Exception | pytest.fail.Exception):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.name} - {self.case.check.rule}"
