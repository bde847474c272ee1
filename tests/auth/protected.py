"""A small MCP server that requires bearer tokens, verified for real against a JWKS.

It is the resource server of the auth tests: the SDK's ``AuthSettings`` + a ``TokenVerifier`` that
checks the signature (PyJWT's ``PyJWKClient`` fetches the JWKS over HTTP, or a JWKS dict is given),
``iss``, ``aud``, ``exp`` and ``nbf``, and only RS256/ES256. The SDK answers 401 for a refused
token and 403 for a missing required scope.

In-process: ``make_server(jwks_url=..., issuer=..., audience=...)``. As a process:
``python -m tests.auth.protected --port N`` with ``PROTECTED_JWKS_URL`` (or ``PROTECTED_JWKS``),
``PROTECTED_ISSUER``, ``PROTECTED_AUDIENCE`` and ``PROTECTED_SCOPES`` (required scopes).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import anyio
import jwt
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer

ALGORITHMS = ["RS256", "ES256"]


class JwksVerifier:
    """A ``TokenVerifier``: the token is accepted only if PyJWT verifies it against the JWKS."""

    def __init__(
        self, *, issuer: str, audience: str, jwks_url: str | None = None, jwks: Mapping[str, Any] | None = None
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self._client = jwt.PyJWKClient(jwks_url, cache_keys=False) if jwks_url else None
        self._keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(dict(jwks)).keys} if jwks else {}

    def _verify(self, token: str) -> dict[str, Any]:
        if self._client is not None:
            key = self._client.get_signing_key_from_jwt(token)
        else:
            key = self._keys[jwt.get_unverified_header(token).get("kid")]
        return jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            audience=self.audience,
            issuer=self.issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            claims = await anyio.to_thread.run_sync(self._verify, token)
        except (jwt.PyJWTError, KeyError):
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims["sub"]),
            scopes=str(claims.get("scope", "")).split(),
            expires_at=int(claims["exp"]),
            resource=self.audience,
            subject=claims["sub"],
        )


def make_server(
    *,
    issuer: str,
    audience: str,
    jwks_url: str | None = None,
    jwks: Mapping[str, Any] | None = None,
    required_scopes: Sequence[str] = (),
) -> MCPServer:
    mcp = MCPServer(
        "protected-demo",
        version="1.0.0",
        token_verifier=JwksVerifier(issuer=issuer, audience=audience, jwks_url=jwks_url, jwks=jwks),
        auth=AuthSettings(
            issuer_url=issuer,  # type: ignore[arg-type]
            resource_server_url=audience,  # type: ignore[arg-type]
            required_scopes=list(required_scopes),
            validate_token_resource=True,
        ),
    )

    @mcp.tool()
    def whoami() -> dict[str, Any]:
        """The subject and scopes of the verified token of this request."""
        token = get_access_token()
        assert token is not None  # the SDK refuses unauthenticated requests before any tool runs
        return {"sub": token.subject, "scopes": token.scopes}

    @mcp.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    return mcp


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    jwks_text = os.environ.get("PROTECTED_JWKS")
    server = make_server(
        issuer=os.environ["PROTECTED_ISSUER"],
        audience=os.environ["PROTECTED_AUDIENCE"],
        jwks_url=os.environ.get("PROTECTED_JWKS_URL") or None,
        jwks=json.loads(jwks_text) if jwks_text else None,
        required_scopes=os.environ.get("PROTECTED_SCOPES", "").split(),
    )
    server.run(transport="streamable-http", host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
