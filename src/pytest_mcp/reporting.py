"""Report sections: the MCP transcript and server stderr of a test, shown like captured output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ._state import SETTINGS_KEY, TRANSCRIPTS_KEY


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
            body = record.transcript.render(None if full else settings.transcript_lines or None, full=full)
            report.sections.append((f"MCP transcript: {record.transcript.label}", body))
            if id(record.server) in seen_servers:
                continue
            seen_servers.add(id(record.server))
            stderr = record.server.stderr_text()[record.stderr_offset :]
            if stderr.strip():
                report.sections.append((f"MCP server stderr: {record.server.describe()}", stderr))
            noise = record.server.stdout_noise
            if noise:
                report.sections.append(
                    (f"MCP server non-JSON stdout: {record.server.describe()}", "\n".join(noise[-20:]))
                )
    if report.when == "teardown" and settings.transcript_dir:
        write_jsonl(item, settings.transcript_dir)


def write_jsonl(item: pytest.Item, directory: str) -> None:
    """Write each client transcript of ``item`` as ``<dir>/<test id>[-N].jsonl``."""
    records = item.stash.get(TRANSCRIPTS_KEY, [])
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid).strip("_")[:180]
    for index, record in enumerate(records):
        suffix = f"-{index + 1}" if len(records) > 1 else ""
        record.transcript.write_jsonl(Path(directory) / f"{base}{suffix}.jsonl")


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
