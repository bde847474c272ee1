"""pytest hooks adding MCP facts to pytest's reports, loaded by pytest_mcp.plugin; cheap to import.

* JUnit XML / ``user_properties`` (``junit.py``): every MCP test carries ``mcp_server``,
  ``mcp_transport`` and ``mcp_era`` properties.
* pytest-html (``--html``, ``html.py``): the transcript of a reported test as a readable extra, and
  the surface coverage table (when ``--mcp-cov`` is on) in the report summary.
"""

from __future__ import annotations

from functools import partial

import pytest

from ..reporting import add_report_provider
from .junit import REPORT_PROVIDERS

__all__ = ["REPORT_PROVIDERS"]


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("html") and config.getoption("htmlpath", None):
        from ..surface.plugin import coverage_report
        from .html import HtmlReportHooks

        hooks = HtmlReportHooks(partial(coverage_report, config))
        config.pluginmanager.register(hooks, "pytest_mcp.reports.html")
        add_report_provider(config, hooks.add_transcript_extras)
