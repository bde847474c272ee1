"""Snapshots of MCP results with syrupy: sorted camelCase JSON, with ids, times and UUIDs masked
(docs/snapshots.md). Public names load lazily (``syrupy`` is imported only when used):
``McpSnapshotExtension``, ``McpMasks``, ``to_wire``. The fixture ``mcp_snapshot`` is in ``plugin``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS = {name: "extension" for name in ("McpSnapshotExtension", "McpMasks", "to_wire")}

__all__ = ["McpMasks", "McpSnapshotExtension", "to_wire"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from .extension import McpMasks, McpSnapshotExtension, to_wire
