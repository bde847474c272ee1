"""MCP surface coverage, snapshots, argument factories and report integration.

Public names load lazily (``syrupy`` and ``factory-boy`` are imported only when used):

* ``McpSnapshotExtension``, ``McpMasks``, ``to_wire``: syrupy snapshots of MCP results (docs/snapshots.md);
* ``ToolArgumentsFactory``, ``JsonSchemaProvider``, ``OMIT``: factory-boy argument factories (docs/factories.md);
* ``CoverageData``, ``CoverageReport``, ``build_report``, ``format_table``: surface coverage (docs/coverage.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from .._docs import docs_url

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_mcp.coverage' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"pytest_mcp.coverage.{module}"), name)
    # Not cached in globals(): pytester drops modules first imported during a test when it ends, and a
    # cached class would outlive its module (isinstance against the re-imported one would fail).
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from .factories import OMIT, JsonSchemaProvider, ToolArgumentsFactory
    from .snapshot import McpMasks, McpSnapshotExtension, to_wire
    from .surface import CoverageData, CoverageReport, build_report, format_table
