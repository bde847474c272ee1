"""Two toy MCP servers over one toy storage backend: one resilient, one fragile.

Both offer ``save(key)``, ``count()`` and ``keys()``. When ``Storage.write`` fails (a backend fault),
the resilient server answers with a clean error, loses nothing it acknowledged, and keeps serving.
The fragile one acknowledges writes before storing them (a write-behind buffer that a failure
throws away), answers with a stack trace, and wedges: it never answers again.
"""

from __future__ import annotations

import threading
import traceback

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError


class Storage:
    """The backend: a dict standing in for a database table."""

    def __init__(self) -> None:
        self.rows: dict[str, str] = {}
        self._lock = threading.Lock()

    def write(self, key: str, value: str) -> None:
        with self._lock:
            self.rows[key] = value

    def count(self) -> int:
        return len(self.rows)


def make_resilient() -> MCPServer:
    storage = Storage()
    mcp = MCPServer("resilient-toy")

    @mcp.tool()
    def save(key: str) -> str:
        """Store ``key``; acknowledged only once stored."""
        try:
            storage.write(key, "v")
        except Exception:
            raise ToolError(f"could not save {key!r}: storage is unavailable, try again") from None
        return "saved"

    @mcp.tool()
    def count() -> int:
        """How many keys are stored."""
        return storage.count()

    @mcp.tool()
    def keys() -> list[str]:
        """The stored keys."""
        return sorted(storage.rows)

    return mcp


def make_fragile() -> MCPServer:
    storage = Storage()
    mcp = MCPServer("fragile-toy")
    pending: list[str] = []
    state = {"wedged": False}

    @mcp.tool()
    async def save(key: str) -> str:
        """Acknowledge ``key`` at once; store it with the next two."""
        while state["wedged"]:
            await anyio.sleep(0.05)  # stuck behind a lock it never released
        pending.append(key)
        if len(pending) >= 3:
            batch = list(pending)
            pending.clear()
            try:
                for item in batch:
                    storage.write(item, "v")
            except Exception:
                state["wedged"] = True
                raise ToolError(f"save failed:\n{traceback.format_exc()}") from None
        return "saved"

    @mcp.tool()
    async def count() -> int:
        """How many keys are stored."""
        while state["wedged"]:
            await anyio.sleep(0.05)
        return storage.count()

    @mcp.tool()
    async def keys() -> list[str]:
        """The stored keys."""
        while state["wedged"]:
            await anyio.sleep(0.05)
        return sorted(storage.rows)

    return mcp
