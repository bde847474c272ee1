"""pytest hooks and fixtures of pytest_mcp.suite, loaded by pytest_mcp.plugin.

Must stay cheap to import: no MCP SDK, pydantic or starlette at module level.

* ``--mcp-suite=all|conformance,fuzz,security`` adds one item per check, era and transport to the
  session (from an empty directory too), next to whatever tests were collected: a top-level
  collector ``mcp-suite`` (``collect.py``), so its node ids work on the command line like any other;
* ``--mcp-auth-token`` (registered by the auth package), ``--mcp-baseline``, ``--mcp-fuzz-tools``, ``--mcp-official-conformance``
  configure it (docs/suite/index.md);
* ``checks_for(...)`` puts the same items into a user's own test module (``api.py``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Final

import pytest

from .._docs import docs_url
from ..auth.options import AUTH_TOKEN_OPTION
from ..run_seed import run_seed
from ..settings import Option, Settings, Switch, add_options, non_negative_int, positive_int, read_options, text
from ..stash_keys import SETTINGS_KEY
from .collect import OFFICIAL_NODE, SUITE_NODE, RootCollector
from .options import STATE_KEY, SUITE_MARKER_HELP, SUITES, SuiteOptions

if TYPE_CHECKING:
    from .baseline import Baseline
    from .runtime import SuiteRuntime

BASELINE_PROPERTY: Final = "mcp_baseline_entry"
SUITE_DOCS: Final = docs_url("suite/index.md")
SUITE_CHOICES: Final = ("all", *SUITES)


def parse_suites(value: str) -> tuple[str, ...]:
    """``all`` or a comma list of suite names -> the suite names, in canonical order."""
    names = [part.strip() for part in value.split(",") if part.strip()]
    if not names:
        raise ValueError(f"give a suite: {', '.join(SUITE_CHOICES)}")
    unknown = [name for name in names if name not in SUITE_CHOICES]
    if unknown:
        raise ValueError(f"{', '.join(map(repr, unknown))} is not a suite; choose from: {', '.join(SUITE_CHOICES)}")
    if "all" in names:
        return SUITES
    return tuple(name for name in SUITES if name in names)


def parse_fuzz_tools(value: str) -> str:
    """Validate a ``--mcp-fuzz-tools`` value: a comma list of all, read-only, none, TOOL and -TOOL."""
    items = [item.strip() for item in value.split(",")]
    if not value.strip() or any(item in ("", "-") for item in items):
        raise ValueError(f"{value!r}: use a comma list of all, read-only, none, TOOL and -TOOL (e.g. all,-crash)")
    return ",".join(items)


def _parse_required_eras(value: str) -> tuple[str, ...]:
    from .checks._eras import parse_required_eras

    return parse_required_eras(value)


OPTIONS: Final = (
    Option(
        "suite",
        parse_suites,
        None,
        "Run the built-in suite against --mcp-server, with no test files needed: 'all' or a comma list of "
        "conformance, fuzz, security, stateful. One test item per check, era and transport.",
        metavar="SUITES",
        choices=SUITE_CHOICES,
    ),
    Option(
        "baseline",
        text,
        None,
        "File of known suite failures (one check id per line, optionally era=/transport=/level=): they become "
        "xfail; an entry whose checks all pass is stale and fails the run.",
        metavar="FILE",
        path=True,
    ),
    Option(
        "fuzz_tools",
        parse_fuzz_tools,
        "read-only",
        "Tools the suite may call (conformance checks of results, fuzzing, security probes): a comma list of "
        "read-only (default: tools annotated readOnlyHint=true), all, none, TOOL (opt in) and -TOOL (never), "
        "e.g. all,-delete_everything.",
        metavar="TOOLS",
    ),
    Option(
        "suite_jobs",
        positive_int,
        "8",
        "Run the conformance checks side by side, at most N at once over HTTP (URL or spawned) and 3 over stdio "
        "(default 8; 1: one after another, and nothing in the background). Each check has sessions (over stdio, "
        "server processes) of its own; the waits some checks need then overlap. Checks that fail side by side are rerun alone and their serial "
        "outcome is reported (the summary then says the server limits concurrency). Over stdio the fuzz suite's "
        "valid inputs and the stateful workflows run in the background against server processes of their own. "
        "Checks sending bad input, in-process targets, and the other fuzz and security checks run one at a time.",
        metavar="N",
    ),
    Option(
        "require_era",
        _parse_required_eras,
        None,
        "Protocol eras the server must speak: both, or a comma list of 2025-11-25 and 2026-07-28. A required era "
        "the server does not speak fails lifecycle.eras (by default an era it cleanly refuses is skipped).",
        metavar="ERAS",
    ),
    Option(
        "fuzz_examples",
        non_negative_int,
        "25",
        "Examples per tool for each fuzz check (valid, invalid, hostile inputs; default 25; 0 skips fuzzing). "
        "Failing examples are shrunk and shown with the seed (--mcp-seed) that reproduces them.",
        metavar="N",
    ),
    Option(
        "sandbox",
        text,
        None,
        "The directory (or repository) the server is confined to: the security suite plants canary files around "
        "it (a same-prefix sibling, a symlink out, a second repository) and calls every tool that takes a path, "
        "including tools not marked read-only (they act inside this directory), to prove none reaches them.",
        metavar="DIR",
        path=True,
    ),
    Option(
        "contract",
        text,
        None,
        "Expected-surface contract (JSON): the first run records the server's tools, prompts, resources, "
        "templates, capabilities and eras; later runs fail on breaking drift (removed, newly required, narrowed) "
        "and warn on compatible drift. Adds the contract.surface items (with or without --mcp-suite).",
        metavar="FILE",
        path=True,
    ),
)
CONTRACT_UPDATE: Final = Switch(
    "contract_update",
    "Record the --mcp-contract file again from the server instead of comparing with it.",
)


class SuiteState:
    """The suite's session state: options, baseline, and one runtime per target."""

    def __init__(self, config: pytest.Config, options: SuiteOptions, baseline: Baseline | None) -> None:
        self.config = config
        self.options = options
        self.baseline = baseline
        self.runtimes: dict[Any, SuiteRuntime] = {}
        self.baselines: dict[str, Baseline] = {baseline.path: baseline} if baseline is not None else {}
        self.baseline_results: dict[tuple[str, int], list[str]] = {}
        self.selection: dict[str, list[str]] = {}
        """The suite's node ids given on the command line, by collector (``collect.split_args``)."""

    @property
    def roots(self) -> tuple[str, ...]:
        """Node ids of the collectors this run adds to the session (``collect.py``)."""
        suite = (SUITE_NODE,) if self.options.suites else ()
        return suite + ((OFFICIAL_NODE,) if self.options.official else ())

    def load_baseline(self, path: str) -> Baseline:
        """A baseline file by path, parsed once (``ValueError`` on a bad line)."""
        from .baseline import parse_baseline
        from .registry import load_checks

        if path not in self.baselines:
            self.baselines[path] = parse_baseline(path, load_checks())
        return self.baselines[path]

    def runtime(self, target: Any, *, sandbox: str | None = None) -> SuiteRuntime:
        from dataclasses import replace

        from ..server.targets import parse_target
        from .runtime import SuiteRuntime

        parsed = parse_target(target)
        options = replace(self.options, sandbox=str(sandbox)) if sandbox else self.options
        key = (parsed, options.sandbox) if sandbox else parsed
        if key not in self.runtimes:
            self.runtimes[key] = SuiteRuntime(parsed, _settings(self.config), options)
        return self.runtimes[key]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Count baseline outcomes from reports (so it works with pytest-xdist workers too)."""
        if report.when != "call":
            return
        for name, value in report.user_properties:
            if name == BASELINE_PROPERTY:
                outcome, line, path = str(value).split(":", 2)
                self.baseline_results.setdefault((path, int(line)), []).append(outcome)

    def close(self) -> None:
        for runtime in self.runtimes.values():
            runtime.close()
        self.runtimes.clear()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser, OPTIONS, (CONTRACT_UPDATE,))
    group = parser.getgroup("mcp")
    group.addoption(
        "--mcp-official-conformance",
        dest="mcp_official_conformance",
        action="store_true",
        default=None,
        help="Also run the official @modelcontextprotocol/conformance suite (pinned; needs Node >= 22 and an "
        "HTTP target) and report each of its checks as a test item.",
    )
    parser.addini("mcp_official_conformance", type="bool", default=False, help="Like --mcp-official-conformance.")


def baseline_report(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """A baselined suite failure that is not the one its pinned entry accepts becomes a new failure; a
    failure's report also prints its pinned baseline line (a report provider: ``pytest_mcp.reporting``)."""
    state = item.config.stash.get(STATE_KEY, None)
    if state is None or call.when != "call" or call.excinfo is None:
        return
    from .baseline import changed_failure, pin_hint

    if getattr(report, "wasxfail", None) is not None and state.baselines:
        text = changed_failure(call.excinfo.value, item.user_properties, state.baselines)
        if text is not None:
            report.outcome = "failed"
            del report.wasxfail
            report.longrepr = text
    elif report.failed and isinstance(report.longrepr, str):
        hint = pin_hint(call.excinfo.value)
        if hint is not None:
            report.longrepr += "\n" + hint


REPORT_PROVIDERS: Final = (baseline_report,)
"""Added to every report by the core's one report hook (see ``pytest_mcp.reporting``)."""


@pytest.hookimpl(trylast=True)  # after the core's and the chaos package's (the seed)
def pytest_configure(config: pytest.Config) -> None:
    for name, help_text in SUITE_MARKER_HELP.items():
        config.addinivalue_line("markers", f"{name}: {help_text} (pytest_mcp suite; see {SUITE_DOCS})")
    config.addinivalue_line(
        "markers",
        "mcp_suite(*suites, server=None, baseline=None, sandbox=None): parametrize this test over the built-in suite's checks "
        f"(made by pytest_mcp.suite.checks_for). See {SUITE_DOCS}.",
    )
    values = read_options(config, OPTIONS)
    official = config.getoption("mcp_official_conformance") or config.getini("mcp_official_conformance")
    options = SuiteOptions(
        suites=(values["suite"] or ()) + (("contract",) if values["contract"] else ()),
        contract=values["contract"],
        contract_update=CONTRACT_UPDATE.is_on(config),
        auth_token=read_options(config, (AUTH_TOKEN_OPTION,))["auth_token"],
        baseline=values["baseline"],
        fuzz_tools=values["fuzz_tools"],
        fuzz_examples=values["fuzz_examples"],
        jobs=values["suite_jobs"],
        sandbox=values["sandbox"],
        require_eras=values["require_era"] or (),
        official=bool(official),
        seed=_seed(config),
    )
    if options.contract_update and not options.contract:
        raise pytest.UsageError("--mcp-contract-update records the contract file: give it with --mcp-contract=FILE")
    baseline = None
    if options.baseline:
        from .baseline import parse_baseline
        from .registry import load_checks

        try:
            baseline = parse_baseline(options.baseline, load_checks())
        except ValueError as exc:
            raise pytest.UsageError(f"--mcp-baseline {exc}") from None
    if (options.suites or options.official) and _settings(config).server is None:
        raise pytest.UsageError(
            "--mcp-suite and --mcp-official-conformance need a server: pass --mcp-server=TARGET "
            "(a command line, an http(s):// URL or module:attr) or set the mcp_server ini option"
        )
    if options.suites or options.official:
        from ..server.targets import parse_target

        try:  # a target no request could reach (a malformed URL) is refused before anything runs
            parse_target(_settings(config).server)  # type: ignore[arg-type]
        except ValueError as exc:
            raise pytest.UsageError(f"--mcp-server: {exc}") from None
    state = SuiteState(config, options, baseline)
    config.stash[STATE_KEY] = state
    config.pluginmanager.register(state, "pytest_mcp.suite.state")
    config.add_cleanup(state.close)


def _settings(config: pytest.Config) -> Settings:
    """The core's settings (parsed here too when the core's ``pytest_configure`` has not run yet)."""
    return config.stash.get(SETTINGS_KEY, None) or Settings.from_config(config)


def _seed(config: pytest.Config) -> int:
    """The run's seed (``--mcp-seed``, shared with xdist workers and the chaos package)."""
    return run_seed(config).value


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash.get(STATE_KEY, None)
    if state is None or not (state.options.suites or state.options.official):
        return []
    parts = [f"suites={','.join(state.options.suites) or '-'}", f"seed={state.options.seed}"]
    if state.options.jobs > 1:
        parts.append(f"jobs={state.options.jobs}")
    if state.baseline is not None:
        parts.append(f"baseline={state.baseline.path} ({len(state.baseline.entries)} entries)")
    if state.options.auth_token:
        parts.append("auth-token=«redacted»")
    if state.options.official:
        parts.append("official-conformance=on")
    return ["mcp suite: " + ", ".join(parts)]


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Generator[None, object, object]:
    """Take the suite's node ids out of the arguments while the session collects (``collect.py``)."""
    state = session.config.stash[STATE_KEY]
    if not state.roots:
        return (yield)
    from .collect import split_args

    config = session.config
    given = config.args
    config.args, state.selection = split_args(given, state.roots)
    try:
        return (yield)
    finally:
        config.args = given


@pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: the suite's collectors come after the test paths'
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Add the suite's collectors to what the session collected; refuse a suite node id that selects nothing."""
    report = yield
    if isinstance(collector, pytest.Session) and report.passed:
        state = collector.config.stash[STATE_KEY]
        if state.roots:
            report.result.extend(_root_collectors(collector, state))
    elif isinstance(collector, RootCollector) and collector.unmatched:
        raise pytest.UsageError(*collector.not_found())
    return report


def _root_collectors(session: pytest.Session, state: SuiteState) -> list[RootCollector]:
    from .collect import root_collectors

    server = session.config.stash[SETTINGS_KEY].server
    assert server is not None
    try:
        runtime = state.runtime(server)
    except ValueError as exc:
        raise pytest.UsageError(f"--mcp-server: {exc}") from None
    options = state.options
    return root_collectors(
        session,
        runtime,
        suites=options.suites,
        official=options.official,
        baseline=state.baseline,
        selection=state.selection,
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize tests made by ``checks_for(...)`` over the suite's cases."""
    marker = metafunc.definition.get_closest_marker("mcp_suite")
    if marker is None or "mcp_suite_case" not in metafunc.fixturenames:
        return
    from .api import parametrize_suite

    parametrize_suite(metafunc, marker)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(STATE_KEY, None)
    if state is None or not state.baselines:
        return
    stale = _tally(state)
    if stale and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _tally(state: SuiteState) -> list[tuple[Baseline, Any]]:
    """Count each baseline entry's outcomes; return the stale entries."""
    stale = []
    for baseline in state.baselines.values():
        for entry in baseline.entries:
            outcomes = state.baseline_results.get((baseline.path, entry.line), [])
            entry.failed = outcomes.count("failed")
            entry.passed = outcomes.count("passed")
            if entry.stale:
                stale.append((baseline, entry))
    return stale


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None or not state.baselines:
        return
    stale = _tally(state)
    if not stale:
        return
    terminalreporter.write_sep("=", "mcp suite: stale baseline entries", red=True, bold=True)
    for baseline, entry in stale:
        terminalreporter.write_line(
            f"{baseline.path}:{entry.line}: {entry.text!r} is stale: its check(s) passed "
            f"{entry.passed} time(s) and failed none; remove the line (the server is fixed)"
        )
