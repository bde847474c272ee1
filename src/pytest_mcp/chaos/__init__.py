"""Chaos: seeded transport faults, server kills and backend faults, with resilience assertions.

Public names load lazily (``pytest_mcp.chaos.plugin`` imports this package at plugin load time,
which must not pull in the MCP SDK). See docs/chaos.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "BackendFault": "backend",
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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_mcp.chaos' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"pytest_mcp.chaos.{module}"), name)
    # Not cached in globals(): pytester drops modules first imported during a test when it ends, and a
    # cached class would outlive its module (isinstance against the re-imported one would fail).
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from ._policy import ChaosOptions, exponential, normal
    from .backend import BackendFault
    from .events import ChaosEvent
    from .injector import ChaosDispatcher, FaultInjector
    from .resilience import WriteLedger, assert_clean_error, assert_recovers
