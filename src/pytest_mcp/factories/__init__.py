"""factory-boy factories of tool arguments, built from a tool's ``inputSchema`` with Faker values
(docs/factories.md). Public names load lazily (``factory-boy`` is imported only when used):
``ToolArgumentsFactory``, ``JsonSchemaProvider``, ``OMIT``. The fixture ``mcp_arguments_factory`` is in ``plugin``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS = {name: "arguments" for name in ("ToolArgumentsFactory", "JsonSchemaProvider", "OMIT")}

__all__ = ["OMIT", "JsonSchemaProvider", "ToolArgumentsFactory"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from .arguments import OMIT, JsonSchemaProvider, ToolArgumentsFactory
