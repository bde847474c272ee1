"""Bearer-token auth for the HTTP transport, and who the caller is inside a tool.

:class:`JwtTokenVerifier` implements the SDK's ``TokenVerifier`` protocol. It
accepts a JWT only if

* its header names ``RS256`` or ``ES256`` (``none``, ``HS*`` and everything else
  are refused before any key is looked at) and a key in the JWKS of exactly that
  algorithm (matched by ``kid``; a token without ``kid`` needs a JWKS with a single
  such key), so a public key can never be misused as an HMAC secret;
* the signature verifies, and ``exp`` (required), ``nbf`` (when present), ``iss``
  and ``aud`` (both required, exact match) hold, with no leeway;
* it has a ``sub`` claim.

The JWKS is either handed over as a dict (tests) or fetched from a URL with httpx
and cached for :attr:`JwtTokenVerifier.cache_seconds`; a token with an unknown
``kid`` triggers at most one refetch per :attr:`JwtTokenVerifier.refetch_seconds`
(key rotation). Scopes come from the space-separated ``scope`` claim.

The SDK does the HTTP side: with :func:`auth_settings` it answers requests without
a valid token with 401 and ``WWW-Authenticate: Bearer ... resource_metadata=...``,
answers tokens lacking ``Config.required_scopes`` with 403 ``insufficient_scope``,
and serves the protected-resource metadata at
``/.well-known/oauth-protected-resource/mcp``.

Inside tools, :func:`current_identity` is the verified token's subject and scopes.
Without a token (stdio, in-process, HTTP with auth off) it is the configured
``ASSIGNMENTS_USER``/``ASSIGNMENTS_SCOPES`` identity - unless auth is configured, in
which case a missing token is ``forbidden`` rather than a silent fall-back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx
import jwt
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings

from . import errors
from .config import Config
from .service import Identity

logger = logging.getLogger(__name__)

ALLOWED_ALGORITHMS = frozenset({"RS256", "ES256"})
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]


class JwtTokenVerifier:
    """Verifies bearer JWTs against a JWKS (a ``TokenVerifier`` for ``MCPServer``)."""

    cache_seconds = 300.0
    refetch_seconds = 30.0
    fetch_timeout = 5.0

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks: Mapping[str, Any] | None = None,
        jwks_url: str | None = None,
    ) -> None:
        if (jwks is None) == (jwks_url is None):
            raise ValueError("give exactly one of jwks or jwks_url")
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self._keys: list[jwt.PyJWK] = _usable_keys(jwks) if jwks is not None else []
        self._fetched_at: float | None = None

    async def verify_token(self, token: str) -> AccessToken | None:
        """The token's claims as an ``AccessToken``, or None if it must be refused."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            return None
        kid = header.get("kid")
        key = await self._key_for(algorithm, kid if isinstance(kid, str) else None)
        if key is None:
            return None
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": REQUIRED_CLAIMS, "verify_nbf": True},
            )
        except jwt.PyJWTError as exc:
            logger.info("bearer token refused: %s", type(exc).__name__)
            return None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            return None
        scope = claims.get("scope", "")
        scopes = scope.split() if isinstance(scope, str) else []
        client_id = claims.get("client_id") or claims.get("azp") or subject
        return AccessToken(
            token=token,
            client_id=str(client_id),
            scopes=scopes,
            expires_at=int(claims["exp"]),
            resource=self.audience,
            subject=subject,
            claims={"iss": claims["iss"]},
        )

    async def _key_for(self, algorithm: str, kid: str | None) -> jwt.PyJWK | None:
        if self.jwks_url is not None:
            stale = self._fetched_at is None or time.monotonic() - self._fetched_at > self.cache_seconds
            if stale:
                await self._fetch()
            key = _pick(self._keys, algorithm, kid)
            recently = self._fetched_at is not None and time.monotonic() - self._fetched_at < self.refetch_seconds
            if key is None and not recently:
                await self._fetch()  # the signing key may have been rotated in
                key = _pick(self._keys, algorithm, kid)
            return key
        return _pick(self._keys, algorithm, kid)

    async def _fetch(self) -> None:
        assert self.jwks_url is not None
        try:
            async with httpx.AsyncClient(timeout=self.fetch_timeout, follow_redirects=False) as client:
                response = await client.get(self.jwks_url, headers={"Accept": "application/json"})
                response.raise_for_status()
                keys = _usable_keys(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            logger.warning("could not fetch the JWKS: %s", type(exc).__name__)
            if self._fetched_at is None:
                return
            keys = self._keys  # keep serving the keys we had
        self._keys = keys
        self._fetched_at = time.monotonic()


def _usable_keys(jwks: Any) -> list[jwt.PyJWK]:
    if not isinstance(jwks, Mapping):
        raise ValueError("a JWKS must be a JSON object")
    keys = jwt.PyJWKSet.from_dict(dict(jwks))
    return [key for key in keys if key.algorithm_name in ALLOWED_ALGORITHMS and key.public_key_use in (None, "sig")]


def _pick(keys: list[jwt.PyJWK], algorithm: str, kid: str | None) -> jwt.PyJWK | None:
    candidates = [key for key in keys if key.algorithm_name == algorithm]
    if kid is not None:
        return next((key for key in candidates if key.key_id == kid), None)
    return candidates[0] if len(candidates) == 1 else None


def token_verifier(config: Config) -> JwtTokenVerifier | None:
    """The verifier for ``config``, or None when auth is off."""
    if not config.auth_enabled:
        return None
    assert config.issuer is not None and config.audience is not None
    return JwtTokenVerifier(issuer=config.issuer, audience=config.audience, jwks=config.jwks, jwks_url=config.jwks_url)


def auth_settings(config: Config) -> AuthSettings | None:
    """The SDK's resource-server settings for ``config``, or None when auth is off."""
    if not config.auth_enabled:
        return None
    return AuthSettings(
        issuer_url=config.authorization_server,  # type: ignore[arg-type]  # pydantic parses the URL
        resource_server_url=config.audience,  # type: ignore[arg-type]
        required_scopes=list(config.required_scopes),
        validate_token_resource=True,
    )


def current_identity(config: Config) -> Identity:
    """Who is calling the tool right now (see the module docstring)."""
    token = get_access_token()
    if token is not None:
        return Identity.of(token.subject or token.client_id, token.scopes)
    if config.auth_enabled:
        raise errors.forbidden("a verified bearer token is required")
    return Identity.of(config.user, config.scopes)
