"""``--mcp-official-conformance``: the official MCP conformance suite's checks as pytest items.

At collection time the pinned ``@modelcontextprotocol/conformance`` CLI (``official_runner.py``) runs
once per protocol era the server speaks, against the target's HTTP URL; each check it reports becomes
an item ``official[<scenario>][<check id>][<era>]`` (node id ``mcp-official::...``, markers
``mcp_official``, the era's and ``mcp_http``). ``SUCCESS`` and ``INFO`` pass, ``WARNING`` passes
with the warning in the report, ``SKIPPED`` skips and ``FAILURE`` fails with the official message,
details and spec links. When the suite cannot run (no Node >= 22, package missing, not an HTTP
target), one item skips and says why and how to fix it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from .._docs import docs_url
from .context import shorten
from .options import ERA_MARKERS
from .registry import ERAS

if TYPE_CHECKING:
    from .official_runner import OfficialCheck, OfficialRun, Runner
    from .runtime import SuiteRuntime

__all__ = ["OfficialItem", "official_items"]

MARKER: Final = "mcp_official"
MARKER_HELP: Final = (
    "item of the official @modelcontextprotocol/conformance suite (--mcp-official-conformance; "
    f"see {docs_url('suite/official.md')})"
)


class OfficialItem(pytest.Item):
    """One check of the official suite (already run at collection), or a placeholder that skips or fails."""

    def __init__(
        self,
        *,
        check: OfficialCheck | None = None,
        era: str | None = None,
        reproduce: str = "",
        skip: str | None = None,
        error: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.era = era
        self.reproduce = reproduce
        self.skip_reason = skip
        self.error = error
        self.add_marker(getattr(pytest.mark, MARKER))
        self.add_marker(pytest.mark.mcp_http)
        if era in ERA_MARKERS:
            self.add_marker(getattr(pytest.mark, ERA_MARKERS[era]))
        if check is not None:
            self.extra_keyword_matches.update({check.scenario, check.id, era or ""})
            self.user_properties.extend(
                [
                    ("mcp_official_scenario", check.scenario),
                    ("mcp_check", check.id),
                    ("mcp_official_status", check.status),
                    ("mcp_spec", " ".join(check.spec)),
                    ("mcp_era", era or ""),
                    ("mcp_transport", "http"),
                ]
            )

    def runtest(self) -> None:
        if self.skip_reason is not None:
            pytest.skip(self.skip_reason)
        if self.error is not None:
            raise OfficialFailed(self.error)
        check = self.check
        assert check is not None
        if check.status in ("SUCCESS", "INFO"):
            return
        if check.status == "WARNING":
            self.add_report_section("call", "official warning", _report(check, self.era, self.reproduce))
            return
        if check.status == "SKIPPED":
            pytest.skip(f"official {check.scenario}/{check.id}: {check.error or check.description or 'skipped'}")
        raise OfficialFailed(_report(check, self.era, self.reproduce))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, OfficialFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        what = f" - {self.check.description}" if self.check is not None and self.check.description else ""
        return self.path, None, f"{self.name}{what}"


class OfficialFailed(AssertionError):
    """A check of the official suite failed (or the suite could not run)."""


def _report(check: OfficialCheck, era: str | None, reproduce: str) -> str:
    head = "FAILED" if check.status == "FAILURE" else check.status
    lines = [f"[official {head}] {check.scenario} / {check.id} ({era}): {check.error or check.description}"]
    if check.name or check.description:
        lines.append(f"Check: {check.name}: {check.description}".rstrip(": "))
    if check.spec:
        lines.append("Spec: " + ", ".join(check.spec))
    if check.status not in ("SUCCESS", "FAILURE", "WARNING", "SKIPPED", "INFO"):
        lines.append(f"Status: {check.status!r} is not a status this bridge knows; treated as a failure")
    if check.details not in (None, {}, []):
        lines.append("Details: " + shorten(check.details, 1500))
    if check.logs:
        logs = check.logs if isinstance(check.logs, list) else [check.logs]
        lines.append("Logs:")
        lines.extend("  " + shorten(line, 300) for line in logs[-10:])
    lines.append(f"Reproduce: {reproduce} --scenario {check.scenario}")
    return "\n".join(lines)


def _item(parent: pytest.Collector, name: str, **kwargs: Any) -> OfficialItem:
    # the node id as a string: pytest parses it the way it parses the ids --lf keeps in its cache
    return OfficialItem.from_parent(parent, name=name, nodeid=f"{parent.nodeid}::{name}", **kwargs)


def _url(runtime: SuiteRuntime) -> str | None:
    """The target's real HTTP URL (starting a spawned server), or None when it has none."""
    from ..server.targets import HttpTarget, SpawnHttpTarget

    target = runtime.target
    if isinstance(target, HttpTarget):
        return target.url
    if isinstance(target, SpawnHttpTarget):
        return runtime.server("*").url
    return None


def _eras(runtime: SuiteRuntime) -> tuple[list[str], list[str]]:
    """The eras the server speaks, and why it speaks none (reasons)."""
    import anyio

    async def detect() -> list[Any]:
        return [await runtime.facts(era) for era in ERAS]

    facts = anyio.run(detect, backend="asyncio")
    spoken = [item.era for item in facts if item.supported]
    reasons = [f"{item.era}: {item.reason}" for item in facts if not item.supported]
    return spoken, reasons


def official_items(parent: pytest.Collector, runtime: SuiteRuntime) -> list[pytest.Item]:
    """Run the official suite against ``runtime``'s target and return one item per reported check
    (children of ``parent``, the ``mcp-official`` collector of ``collect.py``)."""
    from .official_runner import find_runner

    parent.config.addinivalue_line("markers", f"{MARKER}: {MARKER_HELP}")
    if not _has_url(runtime):
        return [
            _item(
                parent,
                "official[setup]",
                skip=f"the official conformance suite tests HTTP servers only; {runtime.describe()} has no URL it "
                "can reach (give --mcp-server an http:// URL)",
            )
        ]
    problem = runtime.blocked()
    if problem is not None:  # the target cannot be used: one report of why (the suite's reach item, or this one)
        from .items import blocked_skip

        if runtime.blocked_at is not None:
            return [_item(parent, "official[setup]", skip=blocked_skip(runtime))]
        return [_item(parent, "official[setup]", error=problem)]
    if runtime.options.auth_token:
        return [
            _item(
                parent,
                "official[setup]",
                skip="the official conformance suite cannot send a bearer token (--mcp-auth-token): "
                "run it against a server without authorization",
            )
        ]
    found = find_runner(Path(str(parent.config.rootpath)))
    if isinstance(found, str):
        return [_item(parent, "official[setup]", skip=found)]
    try:
        url = _url(runtime)
    except Exception as exc:  # a spawned server that does not start
        return [_item(parent, "official[setup]", error=f"the HTTP server did not start: {exc}")]
    assert url is not None
    spoken, reasons = _eras(runtime)
    if not spoken:
        return [_item(parent, "official[setup]", skip="the server speaks no protocol era: " + "; ".join(reasons))]
    items: list[pytest.Item] = []
    for era in spoken:
        items.extend(_era_items(parent, found, url, era, runtime.settings.timeout))
    return items


def _has_url(runtime: SuiteRuntime) -> bool:
    from ..server.targets import HttpTarget, SpawnHttpTarget

    return isinstance(runtime.target, HttpTarget | SpawnHttpTarget)


def _era_items(parent: pytest.Collector, runner: Runner, url: str, era: str, timeout: float) -> list[pytest.Item]:
    from .official_runner import run_official

    run = run_official(runner, url, era, scenario_timeout=max(timeout * 3, 30.0))
    reproduce = f"{runner.describe()} server --url {url} --spec-version {era}"
    problem = run.problem()
    if problem:
        return [_item(parent, f"official[run][{era}]", era=era, error=_run_failure(run, problem, reproduce))]
    seen: Counter[str] = Counter()
    items: list[pytest.Item] = []
    for check in run.checks:
        key = f"{check.scenario}][{check.id}"
        seen[key] += 1
        suffix = f"-{seen[key]}" if seen[key] > 1 else ""
        name = f"official[{check.scenario}][{check.id}{suffix}][{era}]"
        items.append(_item(parent, name, check=check, era=era, reproduce=reproduce))
    return items


def _run_failure(run: OfficialRun, problem: str, reproduce: str) -> str:
    lines = [f"[official] {problem} ({run.era})", f"Command: {reproduce}"]
    if run.output.strip():
        lines.append("Output (last lines):")
        lines.extend("  " + line for line in run.output.splitlines()[-20:])
    return "\n".join(lines)
