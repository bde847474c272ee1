"""MCP surface coverage: which advertised tools, arguments, enum values, error paths, resources and
prompts the tests exercised (docs/coverage.md).

``report`` holds the arithmetic (plain Python, no pytest or MCP SDK), ``session`` the pytest side
(``--mcp-cov``), ``discover`` the listing of each server once. Public names load lazily:
``CoverageData``, ``CoverageReport``, ``build_report``, ``format_table``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .._docs import docs_url
from .._lazy import lazy_exports

DOCS: Final = docs_url("coverage.md")
"""Where surface coverage is documented (named by the plugin's options and the coverage session's messages)."""

_EXPORTS = {name: "report" for name in ("CoverageData", "CoverageReport", "build_report", "format_table")}

__all__ = ["CoverageData", "CoverageReport", "build_report", "format_table"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from .report import CoverageData, CoverageReport, build_report, format_table
