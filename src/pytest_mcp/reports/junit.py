"""JUnit XML / ``user_properties``: every MCP test carries ``mcp_server``, ``mcp_transport`` and ``mcp_era``."""

from __future__ import annotations

from typing import Any, Final

import pytest

from ..stash_keys import TRANSCRIPTS_KEY

__all__ = ["REPORT_PROVIDERS", "add_properties", "report_properties"]


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
    from ..surface.discover import era_of

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
