"""Resource servers for the auth checks, built like ``tests/auth/protected.py`` but with planted defects.

``make_server(..., defect=NAME)``:

* ``unverified-signature``: the verifier checks issuer, audience and expiry but never the signature,
  so a forged copy of a valid token gets in;
* ``no-challenge``: 401 replies carry no ``WWW-Authenticate`` (and no metadata is served at the
  well-known location), so a client cannot discover the authorization server.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import jwt
from mcp.server.auth.provider import AccessToken

from tests.auth.protected import make_server as make_protected

Scope = MutableMapping[str, Any]
App = Callable[[Scope, Any, Any], Awaitable[None]]


class UnverifiedSignature:
    """A ``TokenVerifier`` that accepts any JWT with the right claims, whoever signed it (or nobody)."""

    def __init__(self, *, issuer: str, audience: str) -> None:
        self.issuer = issuer
        self.audience = audience

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return None
        if claims.get("iss") != self.issuer or claims.get("aud") != self.audience:
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("sub")),
            scopes=str(claims.get("scope", "")).split(),
            expires_at=int(claims["exp"]),
            resource=self.audience,
            subject=claims.get("sub"),
        )


def _without_challenge(app: App) -> App:
    """Drop WWW-Authenticate from every response and 404 the protected-resource metadata."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/.well-known/oauth-protected-resource"):
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return

        async def strip(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"www-authenticate"]
            await send(message)

        await app(scope, receive, strip if scope["type"] == "http" else send)

    return wrapped


def _unverified(issuer: str, audience: str) -> Any:
    from mcp.server.auth.settings import AuthSettings
    from mcp.server.mcpserver import MCPServer

    mcp = MCPServer(
        "lax-auth",
        version="1.0.0",
        token_verifier=UnverifiedSignature(issuer=issuer, audience=audience),
        auth=AuthSettings(
            issuer_url=issuer,  # type: ignore[arg-type]
            resource_server_url=audience,  # type: ignore[arg-type]
            validate_token_resource=True,
        ),
    )

    @mcp.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    return mcp


def make_server(*, issuer: str, audience: str, jwks_url: str, defect: str) -> Any:
    """The protected demo server with one defect (an ``MCPServer``, or an ASGI app for ``no-challenge``)."""
    if defect == "unverified-signature":
        return _unverified(issuer, audience)
    if defect == "no-challenge":
        return _without_challenge(
            make_protected(issuer=issuer, audience=audience, jwks_url=jwks_url).streamable_http_app()
        )
    raise ValueError(f"unknown defect {defect!r}")
