"""pytest hooks and fixtures of pytest_mcp.coverage, loaded by pytest_mcp.plugin.

Must stay cheap to import: no MCP SDK, pydantic, syrupy or factory-boy at module level.

* MCP surface coverage: ``--mcp-cov`` (or any ``--mcp-cov-*`` option) registers a
  ``CoverageSession`` (``session.py``) that reads every test's client transcripts, lists each server once, and
  reports a terminal table, an optional JSON file and an optional fail-under threshold; xdist
  workers send their data to the controller as a JSON string. Without it, nothing is recorded.
* JUnit XML / ``user_properties``: every MCP test carries ``mcp_server``, ``mcp_transport`` and
  ``mcp_era`` properties.
* pytest-html (``--html``): the transcript of a reported test as a readable extra, and the
  coverage table in the report summary.
* fixtures ``mcp_snapshot`` (syrupy, marker ``mcp_snapshot``) and ``mcp_arguments_factory`` (factory-boy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import pytest

from .. import markers
from .._docs import docs_url
from ..extras import fail_if_missing
from ..reporting import add_report_provider
from ..settings import Option, add_options, choice, percent, read_options, text
from ..stash_keys import TRANSCRIPTS_KEY
from . import DOCS

if TYPE_CHECKING:
    from .factories import ToolArgumentsFactory
    from .session import CoverageSession

SNAPSHOT_DOCS: Final = docs_url("snapshots.md")
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


COVERAGE_KEY: Final = pytest.StashKey["CoverageSession"]()


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
    config.addinivalue_line("markers", markers.signature_text("mcp_snapshot", SnapshotOptions, SNAPSHOT_DOCS))
    values = read_options(config, OPTIONS)
    enabled = bool(config.getoption("mcp_cov") or config.getini("mcp_cov")) or any(
        v is not None for v in values.values()
    )
    session: CoverageSession | None = None
    if enabled:
        from .session import CoverageSession, XdistController

        session = CoverageSession(
            config, values["cov_report"], values["cov_fail_under"], values["cov_term"] or "missing"
        )
        if values["cov_contract"]:
            session.expect_contract(values["cov_contract"])
        config.stash[COVERAGE_KEY] = session
        config.pluginmanager.register(session, "pytest_mcp.coverage.session")
        add_report_provider(config, session.record_report)
        if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
            config.pluginmanager.register(XdistController(session), "pytest_mcp.coverage.xdist")
    if config.pluginmanager.hasplugin("html") and config.getoption("htmlpath", None):
        from .html import HtmlReportHooks

        hooks = HtmlReportHooks(session.report if session is not None else lambda: None)
        config.pluginmanager.register(hooks, "pytest_mcp.coverage.html")
        add_report_provider(config, hooks.add_transcript_extras)


# -- JUnit XML properties -------------------------------------------------------------------


def report_properties(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """Give an MCP test and its reports ``mcp_server``, ``mcp_transport`` and ``mcp_era`` user properties
    (JUnit XML ``<property>``; a report provider, see ``pytest_mcp.reporting``)."""
    records = item.stash.get(TRANSCRIPTS_KEY, None)
    if records:
        add_properties(item, records)
        shown = set(report.user_properties)
        report.user_properties += [prop for prop in item.user_properties if prop not in shown]


REPORT_PROVIDERS: Final = (report_properties,)
"""Added to every report by the core's one report hook (see ``pytest_mcp.reporting``)."""


def add_properties(item: pytest.Item, records: list[Any]) -> None:
    """Give an MCP test ``mcp_server``, ``mcp_transport`` and ``mcp_era`` user properties."""
    from .discover import era_of

    present = set(item.user_properties)
    for record in records:
        era = era_of(record.transcript.messages)
        wanted = [("mcp_server", record.server.describe()), ("mcp_transport", record.server.kind)]
        if era is not None:
            wanted.append(("mcp_era", era))
        for prop in wanted:
            if prop not in present:
                item.user_properties.append(prop)
                present.add(prop)


# -- snapshots ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SnapshotOptions:
    """Masks of the ``mcp_snapshot`` fixture: JSON paths and regexes to mask, and the built-in masks to keep."""

    paths: tuple[str, ...] | list[str] = ()
    patterns: tuple[str, ...] | list[str] | dict[str, str] = ()
    uuids: bool = True
    timestamps: bool = True
    ids: bool = True
    envelope: bool = False


def snapshot_masks(node: Any) -> Any:
    """The ``McpMasks`` of a test: its ``mcp_snapshot`` markers, the nearest winning per keyword."""
    from .snapshot import McpMasks

    options = markers.merged_options(node, "mcp_snapshot", SnapshotOptions, SNAPSHOT_DOCS)
    try:
        return McpMasks(**vars(options))
    except ValueError as exc:
        raise pytest.UsageError(f"@pytest.mark.mcp_snapshot: {exc}") from None


@pytest.fixture
def mcp_snapshot(request: pytest.FixtureRequest) -> Any:
    """syrupy's ``snapshot`` storing MCP results as sorted camelCase JSON, masked (marker ``mcp_snapshot``)."""
    fail_if_missing("syrupy", "mcp_snapshot")
    try:
        snapshot = request.getfixturevalue("snapshot")
    except pytest.FixtureLookupError:
        pytest.fail(
            "mcp_snapshot needs syrupy's `snapshot` fixture, and syrupy's plugin is disabled: "
            f"remove -p no:syrupy. See {SNAPSHOT_DOCS}.",
            pytrace=False,
        )
    from .snapshot import McpSnapshotExtension

    return snapshot.use_extension(McpSnapshotExtension.with_masks(snapshot_masks(request.node)))


# -- factories ------------------------------------------------------------------------------


class ArgumentsFactories:
    """``await mcp_arguments_factory("tool")``: a ``ToolArgumentsFactory`` for a tool of the server under test."""

    def __init__(self, client: Any, optional: bool = True) -> None:
        self._client = client
        self._optional = optional

    async def __call__(self, name: str, *, optional: bool | None = None) -> type[ToolArgumentsFactory]:
        try:
            from .factories import ToolArgumentsFactory
        except ModuleNotFoundError as exc:
            missing = (exc.name or "").split(".")[0]
            if missing not in ("factory", "faker"):
                raise
            pytest.fail(
                f"mcp_arguments_factory needs factory-boy (no module named {missing!r}): pip install factory-boy. "
                f"See {docs_url('factories.md')}.",
                pytrace=False,
            )

        tool = await self._client.tool(name)
        return ToolArgumentsFactory.for_tool(tool, optional=self._optional if optional is None else optional)


@pytest.fixture
def mcp_arguments_factory(mcp_client: Any) -> Callable[..., Any]:
    """An async callable: ``Args = await mcp_arguments_factory("add")``, then ``Args.build()``."""
    fail_if_missing("factory", "mcp_arguments_factory")
    fail_if_missing("faker", "mcp_arguments_factory")
    return ArgumentsFactories(mcp_client)


__all__ = ["ArgumentsFactories", "SnapshotOptions", "add_properties"]
