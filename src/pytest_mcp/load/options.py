"""``LoadOptions``: the keywords of a load run, declared once, in a module that imports nothing heavy.

They are the ``mcp_load`` marker's signature (its help line and the check of its arguments), the
defaults ``McpLoad(...)`` keeps and each of its calls overrides, and what ``run_load`` runs with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["LoadOptions"]


@dataclass(frozen=True, kw_only=True)
class LoadOptions:
    """The keywords of ``McpLoad(...)``, ``run_load`` and this marker (``client``: the virtual users'
    ``mcp_client`` options): default keywords of the test's mcp_load runs."""

    users: int = 1
    duration: float | None = None
    calls: int | None = None
    wait: float | tuple[float, float] = 0.0
    seed: int | None = None
    warmup: bool = True
    allow_remote: bool = False
    engine: str = "auto"
    timeout: float | None = None
    client: Mapping[str, Any] | None = None
