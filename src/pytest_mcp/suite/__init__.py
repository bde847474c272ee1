"""The zero-code suite: conformance checks, schema-driven fuzzing, security probes and stateful sequences.

``from pytest_mcp.suite import checks_for`` (imported lazily: loading the plugin stays cheap).
"""

from __future__ import annotations

from typing import Any

__all__ = ["checks_for"]


def __getattr__(name: str) -> Any:
    if name == "checks_for":
        from .api import checks_for

        return checks_for
    raise AttributeError(f"module 'pytest_mcp.suite' has no attribute {name!r}")
