"""Chaos: seeded transport faults, server kills and backend faults, with resilience assertions.

Public names load lazily (``pytest_mcp.chaos.plugin`` imports this package at plugin load time,
which must not pull in the MCP SDK). See docs/chaos.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "BackendFault": "backend",
    "BackendFaultOptions": "_policy",
    "ChaosDispatcher": "injector",
    "ChaosEvent": "events",
    "FaultInjector": "injector",
    "ChaosOptions": "_policy",
    "WriteLedger": "resilience",
    "assert_clean_error": "resilience",
    "assert_recovers": "resilience",
    "exponential": "_policy",
    "normal": "_policy",
}

__all__ = [
    "BackendFault",
    "BackendFaultOptions",
    "ChaosDispatcher",
    "ChaosEvent",
    "ChaosOptions",
    "FaultInjector",
    "WriteLedger",
    "assert_clean_error",
    "assert_recovers",
    "exponential",
    "normal",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from ._policy import BackendFaultOptions, ChaosOptions, exponential, normal
    from .backend import BackendFault
    from .events import ChaosEvent
    from .injector import ChaosDispatcher, FaultInjector
    from .resilience import WriteLedger, assert_clean_error, assert_recovers
