"""pytest11 entry point: options, markers, settings, parametrization and report sections.

This module only wires things together; it must stay cheap to import (no MCP SDK, pydantic or
starlette), because pytest loads it for every run, including runs that never touch MCP.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Generator

import pytest

from . import clash, markers, reporting
from .fixture_injection import add_early_fixtures
from .run_seed import SEED_OPTION, run_seed
from .settings import CATEGORY_MARKERS_SWITCH, CONCRETE_ERAS, OPTIONS, SWITCHES, Settings, add_options
from .stash_keys import OPEN_CONFIGS, SESSION_KEY, SETTINGS_KEY

FEATURE_PLUGINS = (
    "pytest_mcp.fixtures",
    "pytest_mcp.suite.plugin",
    "pytest_mcp.auth.plugin",
    "pytest_mcp.mocks.plugin",
    "pytest_mcp.chaos.plugin",
    "pytest_mcp.load.plugin",
    "pytest_mcp.surface.plugin",
    "pytest_mcp.snapshots.plugin",
    "pytest_mcp.factories.plugin",
    "pytest_mcp.reports.plugin",
)
"""The plugin modules registered with this one (each can be disabled with ``-p no:MODULE``)."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the feature plugins as this plugin is registered.

    Not through ``pytest_plugins``: for each module listed there, pytest first looks for an entry
    point of that name in every installed distribution's metadata, a few milliseconds per module
    that every pytest run would pay.
    """
    for name in FEATURE_PLUGINS:
        if not pluginmanager.is_blocked(name) and pluginmanager.get_plugin(name) is None:
            pluginmanager.register(importlib.import_module(name), name)


def pytest_addoption(parser: pytest.Parser) -> None:
    try:
        add_options(parser, (*OPTIONS, SEED_OPTION), SWITCHES)
    except ValueError as exc:  # argparse: "option names {'--mcp-server'} already added"
        raise clash.option_clash(exc) from None


def pytest_configure(config: pytest.Config) -> None:
    clash.check_plugin_distribution(config, sys.modules[__name__])
    config.stash[SETTINGS_KEY] = Settings.from_config(config)
    run_seed(config)
    markers.register(config, categories=CATEGORY_MARKERS_SWITCH.is_on(config))
    for name in FEATURE_PLUGINS:
        for provider in getattr(config.pluginmanager.get_plugin(name), "REPORT_PROVIDERS", ()):
            reporting.add_report_provider(config, provider)
    OPEN_CONFIGS.append(config)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    session.config.stash[SESSION_KEY] = session


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Last of all: a sync tool that timed out and never returns would hang Python's exit (``client.watchdog``)."""
    outermost = OPEN_CONFIGS[:1] == [config]
    if config in OPEN_CONFIGS:
        OPEN_CONFIGS.remove(config)
    if not outermost or "pytest_mcp.client.watchdog" not in sys.modules or hasattr(config, "workerinput"):
        return
    from .client.watchdog import end_if_stuck

    session = config.stash.get(SESSION_KEY, None)
    status = int(session.exitstatus) if session is not None else int(pytest.ExitCode.INTERNAL_ERROR)
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    end_if_stuck(status, terminal.write_line if terminal is not None else lambda line: print(line, file=sys.stderr))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Add the feature plugins' early fixtures to the tests that ask for them (``fixture_injection.py``)."""
    early = [
        spec
        for name in FEATURE_PLUGINS
        for spec in getattr(config.pluginmanager.get_plugin(name), "EARLY_FIXTURES", ())
    ]
    add_early_fixtures(items, early)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail a test whose plugin markers have wrong arguments, with the message alone, before it sets up."""
    problem = markers.check_item(item)
    if problem is not None:
        pytest.fail(problem, pytrace=False)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return config.stash[SETTINGS_KEY].header_lines()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize MCP tests over eras (``--mcp-era=both``) and over a marker's several targets."""
    if "_mcp_target" in metafunc.fixturenames:
        server_marker = metafunc.definition.get_closest_marker("mcp_server")
        if server_marker is not None and len(server_marker.args) > 1:
            from .server.targets import parse_target

            try:
                targets = [parse_target(value) for value in server_marker.args]
            except ValueError as exc:
                problem = f"{markers.call_text('mcp_server', server_marker.args, server_marker.kwargs)}: {exc}"
                pytest.fail(problem, pytrace=False)  # a collection error with this line alone
            ids = [target.id for target in targets]
            if len(set(ids)) < len(ids):
                ids = [f"{name}{index}" for index, name in enumerate(ids)]
            metafunc.parametrize("_mcp_target", targets, indirect=True, ids=ids)
    if "mcp_era" in metafunc.fixturenames:
        era_marker = metafunc.definition.get_closest_marker("mcp_era")
        try:
            era = markers.bind("mcp_era", era_marker.args, era_marker.kwargs)["era"] if era_marker else None
        except pytest.UsageError:
            era = None  # the test errors at setup with the message (pytest_runtest_setup)
        if (era or metafunc.config.stash[SETTINGS_KEY].era) == "both":
            metafunc.parametrize("mcp_era", CONCRETE_ERAS, indirect=True, ids=list(CONCRETE_ERAS))


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object, right: object) -> list[str] | None:
    """Readable ``==`` failures between tool results (only for our own result type)."""
    if op != "==" or "pytest_mcp.client.mcp_client" not in sys.modules:
        return None
    from .client.mcp_client import ToolResult

    if not (isinstance(left, ToolResult) and isinstance(right, ToolResult)):
        return None
    return reporting.compare_results(left, right)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """The plugin's one report hook: the core's sections, the feature packages' (registered report
    providers) and redaction last, after every other plugin's wrapper added its own (``reporting.py``)."""
    report = yield
    reporting.complete_report(item, call, report)
    return report
