"""The options of the ``mcp_snapshot`` marker, declared once, in a module that imports nothing heavy: the
marker's signature, and what ``McpMasks`` is built from."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SnapshotOptions"]


@dataclass(frozen=True, kw_only=True)
class SnapshotOptions:
    """Masks of the ``mcp_snapshot`` fixture: JSON paths and regexes to mask, and the built-in masks to keep."""

    paths: tuple[str, ...] | list[str] = ()
    patterns: tuple[str, ...] | list[str] | dict[str, str] = ()
    uuids: bool = True
    timestamps: bool = True
    ids: bool = True
    envelope: bool = False
