"""Auth for servers under test: a local token issuer with JWKS, OAuth metadata and a token endpoint.

Public names load lazily (``pytest_mcp.auth.plugin`` imports this package at plugin load time,
which must not pull in PyJWT, cryptography or the MCP SDK). See docs/auth.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "BAD_TOKEN_KINDS": "issuer",
    "DEFAULT_AUDIENCE": "issuer",
    "IssuerRequest": "issuer",
    "OAuthClient": "issuer",
    "TokenIssuer": "issuer",
    "TokenOptions": "options",
}

__all__ = ["BAD_TOKEN_KINDS", "DEFAULT_AUDIENCE", "IssuerRequest", "OAuthClient", "TokenIssuer", "TokenOptions"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_mcp.auth' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"pytest_mcp.auth.{module}"), name)
    # Not cached in globals(): pytester drops modules first imported during a test when it ends, and a
    # cached class would outlive its module (isinstance against the re-imported one would fail).
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from .issuer import BAD_TOKEN_KINDS, DEFAULT_AUDIENCE, IssuerRequest, OAuthClient, TokenIssuer
    from .options import TokenOptions
