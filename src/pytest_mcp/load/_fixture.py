"""The ``mcp_load`` fixture's runner: an ``McpLoad`` that skips or fails the test like ``mcp_client``
when the server lacks the era (kept out of the plugin module, which must import cheaply)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from .runner import McpLoad

if TYPE_CHECKING:
    from ..server.running import RunningServer
    from .stats import LoadStats

__all__ = ["FixtureLoad"]


class FixtureLoad(McpLoad):
    """``McpLoad`` that skips (or fails) the test like ``mcp_client`` when the server lacks the era."""

    def __init__(self, server: RunningServer, *, unsupported_era: str, **kwargs: Any) -> None:
        super().__init__(server, **kwargs)
        self.unsupported_era = unsupported_era

    async def __call__(self, tasks: Any, **options: Any) -> LoadStats:
        __tracebackhide__ = True
        from ..client.mcp_client import McpEraUnsupported

        try:
            return await super().__call__(tasks, **options)
        except McpEraUnsupported as exc:
            if self.unsupported_era == "skip":
                pytest.skip(f"{exc} (use --mcp-unsupported-era=fail to fail instead)")
            pytest.fail(str(exc), pytrace=False)
