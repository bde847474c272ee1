"""The one report hook: report providers registered by plugins add to every report, in registration
order, before redaction; the feature packages' sections come through it."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

PROVIDERS_CONFTEST = """
from pytest_mcp.redact import session_secrets
from pytest_mcp.reporting import add_report_provider


def first(item, call, report):
    if report.when == "call":
        report.sections.append(("first provider", f"{report.outcome} {item.name} key=s3cr3t-value-42"))


def second(item, call, report):
    if report.when == "call":
        report.sections.append(("second provider", "after the first"))


def pytest_configure(config):
    session_secrets(config).add("s3cr3t-value-42")
    add_report_provider(config, first)
    add_report_provider(config, second)
"""


def test_providers_add_sections_in_order_and_redacted(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(PROVIDERS_CONFTEST)
    pytester.makepyfile("def test_fails():\n    assert False\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- first provider -*",
            "failed test_fails key=«redacted»",
            "*- second provider -*",
            "after the first",
        ]
    )
    result.stdout.no_fnmatch_line("*s3cr3t-value-42*")


def test_a_provider_sees_every_phase(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
from pytest_mcp.reporting import add_report_provider

PHASES = []


def note(item, call, report):
    PHASES.append(f"{item.name}:{call.when}:{report.when}")


def pytest_configure(config):
    add_report_provider(config, note)


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line("phases: " + " ".join(PHASES))
"""
    )
    pytester.makepyfile("def test_one():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["phases: test_one:setup:setup test_one:call:call test_one:teardown:teardown"])


def test_only_the_core_implements_makereport() -> None:
    """Feature packages register report providers instead of wrapping ``pytest_runtest_makereport``."""
    import importlib

    from pytest_mcp.plugin import FEATURE_PLUGINS

    for name in FEATURE_PLUGINS:
        assert not hasattr(importlib.import_module(name), "pytest_runtest_makereport"), name
