"""pytest hooks and fixtures of pytest_mcp.load, loaded by pytest_mcp.plugin.

Must stay cheap to import: no MCP SDK, pydantic or starlette at module level.

* ``--mcp-load-max-duration`` / ini ``mcp_load_max_duration``: the longest load run allowed.
* ``--mcp-load-progress`` / ini ``mcp_load_progress``: seconds between progress lines of a long
  run on the terminal (0: none).
* marker ``mcp_load(...)``: default keywords of the test's ``mcp_load`` runs.
* fixture ``mcp_load``: an ``McpLoad`` bound to the test's ``mcp_server``, era and timeout.
* fixture ``mcp_benchmark``: pytest-benchmark for coroutine functions (``McpBenchmark``).
* each run's statistics table goes into the test's report (shown when it fails), and a one-line
  summary per test into an "mcp load" section of the terminal summary.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import pytest

from .. import markers
from .._docs import docs_url
from ..extras import fail_if_missing
from ..settings import Option, add_options, positive_float, read_options
from .options import LoadOptions

if TYPE_CHECKING:
    from ..server.running import RunningServer
    from ..settings import Settings
    from .benchmark import McpBenchmark
    from .runner import LoadRun, McpLoad
    from .stats import LoadStats

DOCS: Final = docs_url("load.md")
PROPERTY: Final = "mcp_load"


def non_negative_float(value: str) -> float:
    number = float(value)
    if number < 0:
        raise ValueError(f"{value!r} must be a number of seconds >= 0 (0 turns it off)")
    return number


OPTIONS: Final = (
    Option(
        "load_max_duration",
        positive_float,
        "60",
        "Longest mcp_load run allowed, in seconds (default 60); also bounds runs limited only by calls=.",
        metavar="SECONDS",
    ),
    Option(
        "load_progress",
        non_negative_float,
        "5",
        "Seconds between progress lines of a running mcp_load on the terminal (default 5; 0 = none). "
        "Runs shorter than this print nothing.",
        metavar="SECONDS",
    ),
)


@dataclass(frozen=True)
class LoadSettings:
    max_duration: float = 60.0
    progress: float = 5.0


@dataclass(eq=False)  # registered as a plugin: pluggy needs it hashable
class LoadSummary:
    """Collects each test's load summaries (from report user properties, so xdist works too)."""

    lines: list[tuple[str, str]] = field(default_factory=list)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == PROPERTY:
                self.lines.append((report.nodeid, str(value)))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.lines:
            return
        terminalreporter.write_sep("-", "mcp load")
        for nodeid, line in self.lines:
            terminalreporter.write_line(f"{nodeid}: {line}")


SETTINGS_KEY: Final = pytest.StashKey[LoadSettings]()
RUNS_KEY: Final = pytest.StashKey[list["LoadStats"]]()


def report_section(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """Put each load run's statistics table into the call report (shown for failed tests and with -rP)."""
    if report.when == "call":
        for stats in item.stash.get(RUNS_KEY, []):
            report.sections.append(("MCP load", str(stats)))


REPORT_PROVIDERS: Final = (report_section,)
"""Added to every report by the core's one report hook (see ``pytest_mcp.reporting``)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser, OPTIONS)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", markers.signature_text("mcp_load", LoadOptions, DOCS))
    values = read_options(config, OPTIONS)
    config.stash[SETTINGS_KEY] = LoadSettings(values["load_max_duration"], values["load_progress"])
    config.pluginmanager.register(LoadSummary(), "pytest_mcp.load.summary")


def _progress_reporter(config: pytest.Config, nodeid: str) -> Any:
    """Write one line per interval to the terminal, past output capturing."""

    lines_written: dict[int, bool] = {}

    def report(run: LoadRun) -> None:
        terminal = config.pluginmanager.get_plugin("terminalreporter")
        if terminal is None:
            return
        stats = run.stats()
        of = f"/{run.duration:g}" if run.duration else ""
        calls = f"/{run.calls}" if run.calls else ""
        line = (
            f"mcp_load {nodeid}: {run.elapsed():.1f}{of} s, {run.users} users, {stats.calls}{calls} calls, "
            f"{stats.rps:.1f} calls/s, p95 {stats.p95_ms:.1f} ms, errors {stats.errors} "
            f"({stats.error_rate * 100:.2f}%)"
        )
        capture = config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
            if id(run) not in lines_written:  # the test's own status line is still open
                terminal.write("\n")
                lines_written[id(run)] = True
            terminal.line(line)

    return report


@pytest.fixture
def mcp_load(
    request: pytest.FixtureRequest,
    mcp_server: RunningServer,
    mcp_era: str,
    mcp_timeout: float,
    mcp_settings: Settings,
) -> McpLoad:
    """Run N concurrent clients against the test's server: ``stats = await mcp_load(tasks, users=8, duration=2)``."""
    config = request.config
    settings = config.stash[SETTINGS_KEY]
    problem = None
    try:
        defaults = markers.merged_kwargs(request.node, "mcp_load", LoadOptions, DOCS)
        client_marker = markers.merged_kwargs(request.node, "mcp_client")
    except pytest.UsageError as exc:
        problem = str(exc)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    if client_marker:
        defaults["client"] = {**client_marker, **dict(defaults.get("client") or {})}
    item = request.node

    def on_stats(stats: LoadStats) -> None:
        item.stash.setdefault(RUNS_KEY, []).append(stats)
        item.user_properties.append((PROPERTY, stats.summary()))

    from ._fixture import FixtureLoad

    return FixtureLoad(
        mcp_server,
        era=mcp_era,
        timeout=mcp_timeout,
        max_duration=settings.max_duration,
        progress=_progress_reporter(config, item.nodeid),
        progress_interval=settings.progress,
        on_stats=on_stats,
        unsupported_era=mcp_settings.unsupported_era,
        **defaults,
    )


@pytest.fixture
def mcp_benchmark(request: pytest.FixtureRequest) -> McpBenchmark:
    """pytest-benchmark for coroutines: ``result = await mcp_benchmark(mcp_client.call, "add", a=1, b=2)``."""
    from .benchmark import McpBenchmark

    fail_if_missing("pytest_benchmark", "mcp_benchmark")
    if not request.config.pluginmanager.hasplugin("benchmark"):
        pytest.fail(
            f"mcp_benchmark needs pytest-benchmark's plugin, which is disabled: remove -p no:benchmark "
            f"(see {DOCS}#benchmarks)",
            pytrace=False,
        )
    return McpBenchmark(request.getfixturevalue("benchmark"))
