"""The run's MCP surface coverage: a plugin object registered only with ``--mcp-cov`` (or any
``--mcp-cov-*`` option), so a run without it never imports the coverage model."""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path
from typing import Any, Final

import pytest

from ..redact import session_secrets
from ..stash_keys import SETTINGS_KEY, TRANSCRIPTS_KEY
from . import DOCS
from .report import CoverageData, CoverageReport, Surface, build_report, format_table

__all__ = ["CoverageSession", "XdistController"]

WORKER_OUTPUT_KEY: Final = "pytest_mcp_coverage"
DISCOVERY_ATTEMPTS: Final = 3


class CoverageSession:
    """Records the run's MCP surface coverage (a registered plugin, present only with ``--mcp-cov``)."""

    def __init__(self, config: pytest.Config, report_path: str | None, fail_under: float | None, term: str) -> None:
        self.config = config
        self.report_path = report_path
        self.fail_under = fail_under
        self.term = term
        self.data = CoverageData()
        self._attempts: dict[str, int] = {}
        self._report: CoverageReport | None = None
        self._written: Path | None = None
        self._expected: Surface | None = None
        """What every server is expected to offer (``--mcp-cov-contract``)."""

    @property
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    def report(self) -> CoverageReport:
        if self._report is None:
            if self._expected is not None:
                for key in self.data.servers:
                    self.data.server(key).surface.merge(self._expected)
            self._report = build_report(self.data)
        return self._report

    def expect_contract(self, path: str) -> None:
        """Count what the contract at ``path`` records as part of every server's surface (``--mcp-cov-contract``)."""
        from ..contract import ContractFileError, listings, load_contract

        try:
            recorded = load_contract(path)
        except ContractFileError as exc:
            raise pytest.UsageError(f"--mcp-cov-contract: {exc}") from None
        if recorded is None:
            raise pytest.UsageError(
                f"--mcp-cov-contract: there is no contract at {path}: record one with --mcp-contract={path}"
            )
        self._expected = Surface()
        for method, result in listings(recorded):
            self._expected.add_listing(method, result)

    # -- recording (in the process that runs the test) ---------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
        # Before the test's fixtures are finalised: its servers (even fresh ones) still run.
        records = item.stash.get(TRANSCRIPTS_KEY, None)
        if records:
            self._discover(records)
        return (yield)

    def record_report(self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
        """Count a finished test's servers and add its transcripts (a report provider, registered by the plugin)."""
        if report.when == "teardown":
            records = item.stash.get(TRANSCRIPTS_KEY, None)
            for key in {record.server.describe() for record in records or ()}:
                self.data.server(key).tests += 1
            for record in records or ():
                self.data.server(record.server.describe()).add_transcript(record.transcript.messages)
            self._report = None

    def _discover(self, records: list[Any]) -> None:
        from .discover import discover, era_of

        timeout = self.config.stash[SETTINGS_KEY].timeout
        for record in records:
            key = record.server.describe()
            coverage = self.data.server(key)
            if coverage.discovered or self._attempts.get(key, 0) >= DISCOVERY_ATTEMPTS:
                continue
            era = era_of(record.transcript.messages)
            if era is None:
                continue  # this client never connected; another one may
            self._attempts[key] = self._attempts.get(key, 0) + 1
            try:
                surface = discover(record.server, era, timeout)
            except Exception as exc:
                coverage.discovery_error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
                continue
            coverage.surface.merge(surface)
            coverage.discovered = True
            coverage.discovery_error = None

    # -- reporting (the controller, or the only process) -------------------------------------
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker:
            self.config.workeroutput[WORKER_OUTPUT_KEY] = self.data.dumps()  # type: ignore[attr-defined]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        result = yield
        if not self.is_worker:
            report = self.report()
            if self.report_path:
                path = Path(self.report_path)
                path.parent.mkdir(parents=True, exist_ok=True)
                text = json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n"
                path.write_text(session_secrets(self.config).redactor().text(text), encoding="utf-8")
                self._written = path
            if self.fail_under is not None and report.percent < self.fail_under:
                session.testsfailed += 1
        return result

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker:
            return
        report = self.report()
        if self.term != "off":
            terminalreporter.write_sep("-", "MCP surface coverage")
            redactor = session_secrets(self.config).redactor()  # server names can hold secrets
            for line in format_table(report, missing=self.term == "missing"):
                terminalreporter.write_line(redactor.text(line))
        if self._written is not None:
            terminalreporter.write_line(f"MCP surface coverage JSON written to {self._written}")
        if self.fail_under is not None:
            total = f"{report.percent:.2f}%"
            if report.percent < self.fail_under:
                terminalreporter.write_line(
                    f"FAIL Required MCP surface coverage of {self.fail_under:g}% not reached. Total coverage: {total} "
                    f"({report.hit}/{report.total} items; see {DOCS})",
                    red=True,
                    bold=True,
                )
            else:
                terminalreporter.write_line(
                    f"Required MCP surface coverage of {self.fail_under:g}% reached. Total coverage: {total}",
                    green=True,
                )


class XdistController:
    """Merge each worker's coverage data into the controller's as the worker shuts down."""

    def __init__(self, session: CoverageSession) -> None:
        self._session = session

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        text_data = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY)
        if text_data:
            self._session.data.merge(CoverageData.loads(text_data))
            self._session._report = None
