"""Telling a slow tool call from a hung server, without waiting out the whole timeout for valid input.

A tool may rightly take long for valid input (``sleep(seconds=60)``, a long-running operation), so
the engines that call tools with generated valid arguments (fuzzing, stateful sequences) wait only
``SLOW_SECONDS`` for a reply, then ask the server for ``tools/list``: a server that answers it is
slow for that input (the call is noted, not judged), one that does not answer before the call's
full timeout is up has hung. A server handling one request at a time answers ``tools/list`` once
the slow call is done, so it gets the same verdict as if the call had been waited for.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["LIVENESS_SECONDS", "SLOW_SECONDS", "liveness_window", "patience", "still_answers"]

SLOW_SECONDS: Final = 1.0
"""Seconds a call with valid arguments gets before the server is asked whether it still answers."""
LIVENESS_SECONDS: Final = 5.0
"""The least time a server that left a call unanswered gets to answer ``tools/list``."""


def patience(limit: float) -> float:
    """How long to wait for a valid call's reply under a timeout of ``limit`` seconds."""
    return min(SLOW_SECONDS, limit)


def liveness_window(limit: float, waited: float) -> float:
    """How long the server gets to answer ``tools/list`` after ``waited`` seconds of a call bounded by ``limit``:
    the rest of the call's time, and at least 1 s (at most ``LIVENESS_SECONDS`` when nothing is left)."""
    return max(1.0, min(LIVENESS_SECONDS, limit), limit - waited)


async def still_answers(client: Any, seconds: float) -> bool:
    """Whether the server behind ``client`` (an ``McpClient``) answers ``tools/list`` within ``seconds``
    (an error reply counts: it answered)."""
    import anyio
    from mcp.shared.exceptions import MCPError

    with anyio.move_on_after(seconds):
        try:
            await client.sdk.list_tools()
        except MCPError:
            return True
        except Exception:
            return False
        return True
    return False
