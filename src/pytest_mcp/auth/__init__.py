"""Auth for servers under test: a local token issuer with JWKS, OAuth metadata and a token endpoint.

Public names load lazily (``pytest_mcp.auth.plugin`` imports this package at plugin load time,
which must not pull in PyJWT, cryptography or the MCP SDK). See docs/auth.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "BAD_TOKEN_KINDS": "issuer",
    "DEFAULT_AUDIENCE": "issuer",
    "IssuerRequest": "issuer",
    "OAuthClient": "issuer",
    "TokenIssuer": "issuer",
    "TokenOptions": "options",
}

__all__ = ["BAD_TOKEN_KINDS", "DEFAULT_AUDIENCE", "IssuerRequest", "OAuthClient", "TokenIssuer", "TokenOptions"]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from .issuer import BAD_TOKEN_KINDS, DEFAULT_AUDIENCE, IssuerRequest, OAuthClient, TokenIssuer
    from .options import TokenOptions
