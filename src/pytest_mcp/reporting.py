"""Test reports: the one ``pytest_runtest_makereport`` step of the plugin and what it adds.

``complete_report`` runs once per report: it adds the core's sections (the MCP transcript and
server stderr of a test, shown like captured output), then what every report provider adds (the
feature packages' ``REPORT_PROVIDERS`` and ``add_report_provider``: chaos, load, mocks, coverage,
the suite), in the order they registered, and redacts the result last (``redact_report``): the terminal, JUnit XML
and pytest-html all render from the report object, so they all get the redacted text. The
transcript JSONL files are redacted with the same redactor.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeAlias

import pytest

from ._limits import clip
from .redact import session_secrets
from .stash_keys import SETTINGS_KEY, TRANSCRIPTS_KEY

ReportProvider: TypeAlias = Callable[[pytest.Item, "pytest.CallInfo[None]", pytest.TestReport], None]
"""Adds to one report of one item (sections, extras, user properties, a changed outcome) or notes
what it says; ``call`` is the phase's ``CallInfo`` (its exception, if any)."""

PROVIDERS_KEY: Final = pytest.StashKey[list[ReportProvider]]()

_TEXT_EXTRAS = frozenset({"html", "text", "json", "url"})
"""pytest-html extra formats whose content is text (images and videos are left alone)."""


def add_report_provider(config: pytest.Config, provider: ReportProvider) -> None:
    """Call ``provider(item, call, report)`` for every report of this run, before it is redacted.

    A feature plugin module lists its providers in ``REPORT_PROVIDERS`` (registered when the core
    configures); an object that exists only in some runs registers its own here. Providers run in
    registration order, after the core's own sections."""
    config.stash.setdefault(PROVIDERS_KEY, []).append(provider)


def complete_report(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """Add the core's sections and every registered provider's to ``report``, then redact it."""
    add_sections(item, report)
    for provider in item.config.stash.get(PROVIDERS_KEY, ()):
        provider(item, call, report)
    redact_report(item, report)


def add_sections(item: pytest.Item, report: pytest.TestReport) -> None:
    records = item.stash.get(TRANSCRIPTS_KEY, None)
    if not records:
        return
    settings = item.config.stash[SETTINGS_KEY]
    show = settings.transcript == "always" or (settings.transcript == "on-failure" and report.failed)
    if show and report.when in ("setup", "call", "teardown"):
        full = item.config.get_verbosity() > 0
        seen_servers = set()
        for record in records:
            last = None if full else settings.transcript_lines or None
            body = record.transcript.render(last, full=full, limit=settings.report_limit)
            report.sections.append((f"MCP transcript: {record.transcript.label}", body))
            if id(record.server) in seen_servers:
                continue
            seen_servers.add(id(record.server))
            stderr = record.server.stderr_text(record.stderr_offset, settings.report_limit)
            if stderr.strip():
                report.sections.append(
                    (f"MCP server stderr: {record.server.describe()}", clip(stderr, settings.report_limit))
                )
            noise = record.server.stdout_noise
            if noise:
                report.sections.append(
                    (
                        f"MCP server non-JSON stdout: {record.server.describe()}",
                        clip("\n".join(noise[-20:]), settings.report_limit),
                    )
                )
    if report.when == "teardown" and settings.transcript_dir:
        write_jsonl(item, settings.transcript_dir)


def write_jsonl(item: pytest.Item, directory: str) -> None:
    """Write each client transcript of ``item`` as ``<dir>/<test id>[-N].jsonl``, redacted."""
    records = item.stash.get(TRANSCRIPTS_KEY, [])
    if not records:
        return
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid).strip("_")[:180]
    limit = item.config.stash[SETTINGS_KEY].report_limit
    redactor = session_secrets(item.config).redactor()
    for index, record in enumerate(records):
        suffix = f"-{index + 1}" if len(records) > 1 else ""
        target = Path(directory) / f"{base}{suffix}.jsonl"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(redactor.text(record.transcript.to_jsonl(limit)), encoding="utf-8")


def redact_report(item: pytest.Item, report: pytest.TestReport) -> None:
    """Hide every known secret in what ``report`` shows (see ``pytest_mcp.redact``).

    Only reports that show something pay: a passing test without output has no longrepr, no
    sections and no extras. User properties are redacted where JUnit XML reads them (the
    teardown report, one per test) and on failures.
    """
    extras = getattr(report, "extras", None)
    properties = bool(report.user_properties) and (report.failed or report.when == "teardown")
    if report.longrepr is None and not report.sections and not extras and not properties:
        return
    redactor = session_secrets(item.config).redactor()
    redactor.report(report, properties=properties)
    for extra in extras or ():
        if isinstance(extra, dict) and extra.get("format_type") in _TEXT_EXTRAS:
            content = extra.get("content")
            if isinstance(content, str):
                extra["content"] = redactor.text(content)


def compare_results(left: Any, right: Any) -> list[str]:
    """Explanation lines for ``left == right`` between two tool results."""
    lines = [f"tool results differ ({left.tool or '?'} vs {right.tool or '?'})"]
    for label, get in (
        ("isError", lambda r: r.is_error),
        ("text", lambda r: r.text),
        ("structuredContent", lambda r: json.dumps(r.structured_content, sort_keys=True, default=str)),
    ):
        a, b = get(left), get(right)
        if a != b:
            lines += [f"{label}:", f"  - {a}", f"  + {b}"]
    return lines
