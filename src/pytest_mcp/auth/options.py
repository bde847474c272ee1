"""The auth package's declarations, in a module that imports nothing heavy.

``TokenOptions``: the keywords of a minted token, declared once. They are the ``mcp_token``
marker's signature (its ``--markers`` line and the check of its arguments), the ``mcp_token``
fixture's configuration and what ``TokenIssuer.token`` signs.

``AUTH_TOKEN_OPTION``: ``--mcp-auth-token`` (ini ``mcp_auth_token``), the bearer token the built-in
suite sends; registered by the auth plugin, read by the suite's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..markers import extra_keywords
from ..settings import Option, text

__all__ = ["AUTH_TOKEN_OPTION", "TokenOptions"]

AUTH_TOKEN_OPTION = Option(
    "auth_token",
    text,
    None,
    "Bearer token of the built-in suite (--mcp-suite): sent as Authorization: Bearer on its requests; "
    "the suite's authorization checks also send requests without it. mcp_client tests do not use it: "
    "give them @pytest.mark.mcp_client(token=...) or the mcp_token marker. Never shown unredacted.",
    metavar="TOKEN",
)


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
