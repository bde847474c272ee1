"""MCP surface coverage, snapshots, argument factories and report integration.

Public names load lazily (``syrupy`` and ``factory-boy`` are imported only when used):

* ``McpSnapshotExtension``, ``McpMasks``, ``to_wire``: syrupy snapshots of MCP results (docs/snapshots.md);
* ``ToolArgumentsFactory``, ``JsonSchemaProvider``, ``OMIT``: factory-boy argument factories (docs/factories.md);
* ``CoverageData``, ``CoverageReport``, ``build_report``, ``format_table``: surface coverage (docs/coverage.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .._docs import docs_url
from .._lazy import lazy_exports

DOCS: Final = docs_url("coverage.md")
"""Where surface coverage is documented (named by the plugin's options and the coverage session's messages)."""

_EXPORTS = {
    "McpSnapshotExtension": "snapshot",
    "McpMasks": "snapshot",
    "to_wire": "snapshot",
    "ToolArgumentsFactory": "factories",
    "JsonSchemaProvider": "factories",
    "OMIT": "factories",
    "CoverageData": "surface",
    "CoverageReport": "surface",
    "build_report": "surface",
    "format_table": "surface",
}

__all__ = [
    "OMIT",
    "CoverageData",
    "CoverageReport",
    "JsonSchemaProvider",
    "McpMasks",
    "McpSnapshotExtension",
    "ToolArgumentsFactory",
    "build_report",
    "format_table",
    "to_wire",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from .factories import OMIT, JsonSchemaProvider, ToolArgumentsFactory
    from .snapshot import McpMasks, McpSnapshotExtension, to_wire
    from .surface import CoverageData, CoverageReport, build_report, format_table
