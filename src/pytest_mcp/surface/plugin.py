"""The options of MCP surface coverage, loaded by pytest_mcp.plugin; cheap to import (no MCP SDK).

``--mcp-cov`` (or any ``--mcp-cov-*`` option) registers a ``CoverageSession`` (``session.py``) that
reads every test's client transcripts, lists each server once, and reports a terminal table, an
optional JSON file and an optional fail-under threshold; xdist workers send their data to the
controller as a JSON string. Without it, nothing is recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import pytest

from ..reporting import add_report_provider
from ..settings import Option, add_options, choice, percent, read_options, text
from . import DOCS

if TYPE_CHECKING:
    from .report import CoverageReport
    from .session import CoverageSession

__all__ = ["COVERAGE_KEY", "OPTIONS", "coverage_report"]

TERM_MODES: Final = ("missing", "summary", "off")

OPTIONS: Final = (
    Option(
        "cov_report",
        text,
        None,
        "Write the MCP surface coverage report as JSON to this file (turns coverage on).",
        metavar="PATH",
        path=True,
    ),
    Option(
        "cov_fail_under",
        percent,
        None,
        "Fail the run if the total MCP surface coverage is below this percentage (turns coverage on).",
        metavar="PERCENT",
    ),
    Option(
        "cov_contract",
        text,
        None,
        "Count the surface an --mcp-contract file records as expected (turns coverage on): a tool, prompt or "
        "resource the contract lists is reported uncovered even when the server no longer lists it.",
        metavar="FILE",
        path=True,
    ),
    Option(
        "cov_term",
        choice(TERM_MODES),
        None,
        "Terminal report of MCP surface coverage: 'missing' (default: the table with what was not exercised), "
        "'summary' (one total per server) or 'off' (turns coverage on).",
        metavar="MODE",
        choices=TERM_MODES,
    ),
)


COVERAGE_KEY: Final[pytest.StashKey[CoverageSession]] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mcp", "MCP server testing (pytest_mcp)")
    group.addoption(
        "--mcp-cov",
        action="store_true",
        dest="mcp_cov",
        default=None,
        help=f"Measure MCP surface coverage: which advertised tools, arguments, enum values, error paths, "
        f"resources and prompts the tests exercised (see {DOCS}).",
    )
    parser.addini("mcp_cov", type="bool", default=False, help="Measure MCP surface coverage (like --mcp-cov).")
    add_options(parser, OPTIONS)


def pytest_configure(config: pytest.Config) -> None:
    values = read_options(config, OPTIONS)
    enabled = bool(config.getoption("mcp_cov") or config.getini("mcp_cov")) or any(
        v is not None for v in values.values()
    )
    if not enabled:
        return
    from .session import CoverageSession, XdistController

    session = CoverageSession(config, values["cov_report"], values["cov_fail_under"], values["cov_term"] or "missing")
    if values["cov_contract"]:
        session.expect_contract(values["cov_contract"])
    config.stash[COVERAGE_KEY] = session
    config.pluginmanager.register(session, "pytest_mcp.surface.session")
    add_report_provider(config, session.record_report)
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(XdistController(session), "pytest_mcp.surface.xdist")


def coverage_report(config: pytest.Config) -> CoverageReport | None:
    """The run's surface coverage report so far, or None when coverage is off."""
    session = config.stash.get(COVERAGE_KEY, None)
    return session.report() if session is not None else None
