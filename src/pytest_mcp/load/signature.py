"""The keywords of a load run, in a module of their own: the plugin reads them at start-up
(the ``mcp_load`` marker's help) without importing the runner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["load_signature"]


def load_signature(
    *,
    users: int = 1,
    duration: float | None = None,
    calls: int | None = None,
    wait: float | tuple[float, float] = 0.0,
    seed: int | None = None,
    warmup: bool = True,
    allow_remote: bool = False,
    engine: str = "auto",
    timeout: float | None = None,
    client: Mapping[str, Any] | None = None,
) -> None:
    """The keywords of an ``mcp_load`` run, of the ``mcp_load`` marker and of ``McpLoad(...)``."""
