"""The ``mcp_snapshot`` fixture and marker: syrupy's ``snapshot`` storing MCP results, masked.

Must stay cheap to import: syrupy loads only when the fixture is used.
"""

from __future__ import annotations

from typing import Any, Final

import pytest

from .. import markers
from .._docs import docs_url
from ..extras import fail_if_missing
from .options import SnapshotOptions

__all__ = ["SnapshotOptions", "mcp_snapshot", "snapshot_masks"]

SNAPSHOT_DOCS: Final = docs_url("snapshots.md")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", markers.signature_text("mcp_snapshot", SnapshotOptions, SNAPSHOT_DOCS))


def snapshot_masks(node: Any) -> Any:
    """The ``McpMasks`` of a test: its ``mcp_snapshot`` markers, the nearest winning per keyword."""
    from .extension import McpMasks

    options = markers.merged_options(node, "mcp_snapshot", SnapshotOptions, SNAPSHOT_DOCS)
    try:
        return McpMasks(options)
    except ValueError as exc:
        raise pytest.UsageError(f"@pytest.mark.mcp_snapshot: {exc}") from None


@pytest.fixture
def mcp_snapshot(request: pytest.FixtureRequest) -> Any:
    """syrupy's ``snapshot`` storing MCP results as sorted camelCase JSON, masked (marker ``mcp_snapshot``)."""
    fail_if_missing("syrupy", "mcp_snapshot")
    try:
        snapshot = request.getfixturevalue("snapshot")
    except pytest.FixtureLookupError:
        pytest.fail(
            "mcp_snapshot needs syrupy's `snapshot` fixture, and syrupy's plugin is disabled: "
            f"remove -p no:syrupy. See {SNAPSHOT_DOCS}.",
            pytrace=False,
        )
    from .extension import McpSnapshotExtension

    return snapshot.use_extension(McpSnapshotExtension.with_masks(snapshot_masks(request.node)))
