"""Helpers shared by the check modules."""

from __future__ import annotations

from typing import Any

from ..context import CheckContext
from ..wire import HANDSHAKE_ERA


def any_request(ctx: CheckContext) -> tuple[str, dict[str, Any] | None]:
    """A request every server of the era answers successfully: ``ping`` (2025-11-25) or ``server/discover``."""
    if ctx.era == HANDSHAKE_ERA:
        return "ping", None
    return "server/discover", {}
