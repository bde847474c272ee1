"""Lazy public names of a package (PEP 562): ``__getattr__`` imports the module holding a name on first
use, so importing a package (which pytest does for every run) loads none of its heavy modules."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str], names: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose public ``names`` live in the submodules
    ``exports`` maps them to (``{"McpClient": "mcp_client"}``)."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        # Not cached in globals(): pytester drops modules first imported during a test when it ends, and a
        # cached class would outlive its module (isinstance against the re-imported one would fail).
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def __dir__() -> list[str]:
        return list(names)

    return __getattr__, __dir__
