"""``TokenOptions``: the keywords of a minted token, declared once, in a module that imports nothing heavy.

They are the ``mcp_token`` marker's signature (its ``--markers`` line and the check of its
arguments), the ``mcp_token`` fixture's configuration and what ``TokenIssuer.token`` signs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..markers import extra_keywords

__all__ = ["TokenOptions"]


@dataclass(frozen=True, kw_only=True)
class TokenOptions:
    """The token of the mcp_token fixture and of the mcp_client fixture; the keywords of TokenIssuer.token()."""

    sub: str | None = None
    scopes: str | list[str] | tuple[str, ...] | None = None
    audience: str | list[str] | None = None
    expires_in: float | None = None
    algorithm: str | None = None
    client_id: str | None = None
    headers: dict[str, Any] | None = None
    claims: Mapping[str, Any] = extra_keywords()
