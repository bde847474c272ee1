"""The ``mcp_arguments_factory`` fixture: factory-boy factories for the tools of the server under test.

Must stay cheap to import: factory-boy and Faker load only when the fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from .._docs import docs_url
from ..extras import fail_if_missing

if TYPE_CHECKING:
    from .arguments import ToolArgumentsFactory

__all__ = ["ArgumentsFactories", "mcp_arguments_factory"]


class ArgumentsFactories:
    """``await mcp_arguments_factory("tool")``: a ``ToolArgumentsFactory`` for a tool of the server under test."""

    def __init__(self, client: Any, optional: bool = True) -> None:
        self._client = client
        self._optional = optional

    async def __call__(self, name: str, *, optional: bool | None = None) -> type[ToolArgumentsFactory]:
        try:
            from .arguments import ToolArgumentsFactory
        except ModuleNotFoundError as exc:
            missing = (exc.name or "").split(".")[0]
            if missing not in ("factory", "faker"):
                raise
            pytest.fail(
                f"mcp_arguments_factory needs factory-boy (no module named {missing!r}): pip install factory-boy. "
                f"See {docs_url('factories.md')}.",
                pytrace=False,
            )

        tool = await self._client.tool(name)
        return ToolArgumentsFactory.for_tool(tool, optional=self._optional if optional is None else optional)


@pytest.fixture
def mcp_arguments_factory(mcp_client: Any) -> Callable[..., Any]:
    """An async callable: ``Args = await mcp_arguments_factory("add")``, then ``Args.build()``."""
    fail_if_missing("factory", "mcp_arguments_factory")
    fail_if_missing("faker", "mcp_arguments_factory")
    return ArgumentsFactories(mcp_client)
