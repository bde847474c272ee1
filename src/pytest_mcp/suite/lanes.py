"""Which server processes a check talks to: those of the main lane, or those of a lane of its own.

Over stdio a check reaches the server through processes the runtime keeps per era: the shared raw
link of ``SuiteRuntime.wire`` and the started server of ``SuiteRuntime.server``. Checks that run at
the same time must not share a process (their messages would interleave on one stdin and stdout),
so each runs in a lane: ``SERVER_LANE`` names it, and the runtime keys its processes by era and
lane. The checks run one at a time use the main lane (``""``); the background thread
(``background.py``) uses ``BACKGROUND_LANE``; each slot of a side-by-side run over stdio
(``concurrent.py``) has a lane of its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Final

__all__ = ["BACKGROUND_LANE", "SERVER_LANE", "in_lane", "lane_key"]

SERVER_LANE: ContextVar[str] = ContextVar("pytest_mcp_server_lane", default="")
"""The lane whose processes the runtime hands out: ``""`` for the checks run one at a time."""
BACKGROUND_LANE: Final = "background"


@contextlib.contextmanager
def in_lane(lane: str) -> Iterator[None]:
    """Within (this thread or task): the runtime hands out the processes of ``lane``."""
    token = SERVER_LANE.set(lane)
    try:
        yield
    finally:
        SERVER_LANE.reset(token)


def lane_key(era: str) -> str:
    """The key of ``era``'s processes in the current lane: the era itself in the main lane."""
    lane = SERVER_LANE.get()
    return f"{era}/{lane}" if lane else era
