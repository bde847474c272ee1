"""pytest-html integration: the transcript of a reported test as a readable extra, and the MCP
surface coverage table in the report's summary. Registered only when ``--html`` is given.

No pytest-html import at module level: the plugin object only implements its hooks.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any, Final

import pytest

from .. import _limits
from ..redact import session_secrets
from ..stash_keys import SETTINGS_KEY, TRANSCRIPTS_KEY
from ..surface.report import CoverageReport, display_percent, percent

MAX_MESSAGES: Final = 500
PREVIEW_CHARS: Final = 200
FAILED_KEY: Final = pytest.StashKey[bool]()
"""Set on an item when one of its phases (setup, call, teardown) failed."""

STYLE: Final = (
    "<style>"
    ".mcp-transcript{margin:6px 0;font-family:monospace;font-size:12px}"
    ".mcp-transcript table{border-collapse:collapse;width:100%}"
    ".mcp-transcript td,.mcp-transcript th{border:1px solid #ccc;padding:2px 4px;text-align:left;vertical-align:top}"
    ".mcp-transcript pre,.mcp-transcript code{margin:0;white-space:pre-wrap;word-break:break-all}"
    ".mcp-transcript .dir-out{color:#0645ad}.mcp-transcript .dir-in{color:#067d17}"
    ".mcp-transcript .kind-error{background:#fde8e8}"
    ".mcp-coverage table{border-collapse:collapse}"
    ".mcp-coverage td,.mcp-coverage th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
    "</style>"
)


def transcript_html(label: str, transcript: Any, limit: int = 0) -> str:
    """One client transcript as an HTML table (time, direction, kind, method, id, elapsed, payload).

    With a ``limit``, each payload shown is cut to that many bytes and the table to
    ``_limits.file_limit(limit)`` (rows from both ends kept), each cut said with its byte count.
    """
    rows = []
    messages = transcript.messages[-MAX_MESSAGES:]
    skipped = len(transcript.messages) - len(messages)
    for message in messages:
        data = message.as_dict(transcript.secrets, limit=limit)
        compact = json.dumps(data["payload"], ensure_ascii=False, default=str)
        cell = f"<code>{escape(compact)}</code>"
        if len(compact) > PREVIEW_CHARS:
            full = _limits.clip(json.dumps(data["payload"], indent=2, ensure_ascii=False, default=str), limit)
            cell = (
                f"<details><summary><code>{escape(compact[:PREVIEW_CHARS])}…</code></summary>"
                f"<pre>{escape(full)}</pre></details>"
            )
        elapsed = f"{data['elapsed_ms']:.1f} ms" if "elapsed_ms" in data else ""
        note = f" ({escape(message.note)})" if message.note else ""
        direction = "dir-out" if message.direction == "->" else "dir-in"
        rows.append(
            f'<tr class="{direction} kind-{escape(message.kind)}">'
            f"<td>{message.time * 1000:.1f} ms</td><td>{escape(message.direction)}</td>"
            f"<td>{escape(message.kind)}{note}</td><td>{escape(message.method or '')}</td>"
            f"<td>{escape('' if message.id is None else str(message.id))}</td><td>{elapsed}</td>"
            f"<td>{cell}</td></tr>"
        )
    more = f"<p>… {skipped} earlier messages not shown</p>" if skipped else ""
    rows = _limits.keep_ends(
        rows,
        _limits.file_limit(limit),
        lambda count, size: f'<tr><td colspan="7">{escape(_limits.notice(size))}</td></tr>',
    )
    body = "".join(rows) or '<tr><td colspan="7">(no messages)</td></tr>'
    return (
        f'<div class="mcp-transcript">{STYLE}<h4>MCP transcript: {escape(label)}</h4>{more}'
        "<table><thead><tr><th>time</th><th>dir</th><th>kind</th><th>method</th><th>id</th>"
        f"<th>elapsed</th><th>payload</th></tr></thead><tbody>{body}</tbody></table></div>"
    )


def coverage_html(report: CoverageReport) -> str:
    """The coverage table for the HTML report's summary."""
    parts = [f'<div class="mcp-coverage">{STYLE}<h2>MCP surface coverage</h2>']
    for server in report.servers:
        parts.append(f"<h3>{escape(server.server)}</h3>")
        if not server.surface_known:
            parts.append(
                f"<p>surface unknown: {escape(server.discovery_error or 'the server could not be listed')}</p>"
            )
            continue
        rows = "".join(
            f"<tr><td>{escape(e.kind)} {escape(e.name)}</td><td>{e.total}</td><td>{e.hit}</td>"
            f"<td>{display_percent(percent(e.hit, e.total))}</td><td>{escape(', '.join(e.missing))}</td></tr>"
            for e in server.entries
        )
        parts.append(
            "<table><thead><tr><th>Name</th><th>Items</th><th>Hit</th><th>Cover</th><th>Missing</th></tr></thead>"
            f"<tbody>{rows}<tr><th>TOTAL</th><th>{server.total}</th><th>{server.hit}</th>"
            f"<th>{display_percent(server.percent)}</th><th></th></tr></tbody></table>"
        )
    parts.append(f"<p>All servers: {report.hit}/{report.total} items, {display_percent(report.percent)}</p></div>")
    return "".join(parts)


class HtmlReportHooks:
    """Hooks that only make sense when pytest-html writes a report."""

    def __init__(self, coverage_report: Any) -> None:
        self._coverage_report = coverage_report
        """A zero-argument callable returning the final ``CoverageReport`` (or None without --mcp-cov)."""

    def add_transcript_extras(self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
        """The test's transcripts as pytest-html extras of its teardown report (a report provider)."""
        if report.failed:
            item.stash[FAILED_KEY] = True
        records = item.stash.get(TRANSCRIPTS_KEY, None)
        if not records or report.when != "teardown":
            return  # once per test, at the end: pytest-html shows every phase's extras in one row
        settings = item.config.stash[SETTINGS_KEY]
        failed = item.stash.get(FAILED_KEY, False)
        show = settings.transcript == "always" or (settings.transcript == "on-failure" and failed)
        if not show:
            return
        from pytest_html import extras  # type: ignore[import-untyped]

        limit = settings.report_limit
        added = [extras.html(transcript_html(record.transcript.label, record.transcript, limit)) for record in records]
        added += [
            extras.text(record.transcript.to_jsonl(limit), name=f"MCP transcript JSONL: {record.transcript.label}")
            for record in records
        ]
        report.extras = [*getattr(report, "extras", []), *added]  # type: ignore[attr-defined]

    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: Any
    ) -> None:
        report = self._coverage_report()
        if report is not None:
            postfix.append(session_secrets(session.config).redactor().text(coverage_html(report)))
