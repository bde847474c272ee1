"""Server configuration, read from environment variables.

==============================  ==========================================================
Variable                        Meaning
==============================  ==========================================================
``ASSIGNMENTS_DB``              Database URL. ``sqlite://:memory:`` (default: a private
                                in-memory SQLite database), ``sqlite:///path/to.db`` (a
                                SQLite file; everything after ``sqlite://`` is the path),
                                or ``postgresql://user:pass@host:port/dbname``.
``ASSIGNMENTS_USER``            Identity of the caller when there is no bearer token
                                (stdio, in-process, HTTP without auth). Default
                                ``dev@example.com``.
``ASSIGNMENTS_SCOPES``          Space-separated scopes of that identity. Default
                                ``assignments:read assignments:write admin``.
``ASSIGNMENTS_DIRECTORY_URL``   Base URL of the assignee directory (``GET
                                {base}/users/{email}``). Unset: assignees are checked
                                for e-mail syntax only.
``ASSIGNMENTS_DIRECTORY_TIMEOUT``  Seconds to wait for the directory. Default ``2.0``.
``ASSIGNMENTS_JWKS_URL``        Where to fetch the JSON Web Key Set that signs bearer
                                tokens. Setting it (or ``ASSIGNMENTS_JWKS``) turns on
                                bearer-token auth for HTTP.
``ASSIGNMENTS_JWKS``            The JWKS itself, inline JSON (handy for tests that mint
                                their own keys and start the server as a subprocess).
``ASSIGNMENTS_ISSUER``          Expected ``iss`` claim. Required when auth is on.
``ASSIGNMENTS_AUDIENCE``        Expected ``aud`` claim: this server's own resource URL,
                                e.g. ``http://127.0.0.1:8000/mcp``. Required when auth
                                is on.
``ASSIGNMENTS_AUTH_SERVER``     Authorization server advertised in the protected-resource
                                metadata. Default: the issuer.
``ASSIGNMENTS_REQUIRED_SCOPES`` Space-separated scopes every HTTP request must carry,
                                enforced by the SDK (403 ``insufficient_scope``).
                                Default: none; tools then check scopes themselves and
                                answer ``forbidden``.
==============================  ==========================================================

Tests build a :class:`Config` directly and pass it to ``create_server`` instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MEMORY_DB = "sqlite://:memory:"
DEFAULT_USER = "dev@example.com"
DEFAULT_SCOPES = ("assignments:read", "assignments:write", "admin")
DEFAULT_DIRECTORY_TIMEOUT = 2.0


def _split_scopes(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value.split()))


@dataclass(frozen=True)
class Config:
    """Everything the server needs to start; immutable once built."""

    db_url: str = MEMORY_DB
    user: str = DEFAULT_USER
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    directory_url: str | None = None
    directory_timeout: float = DEFAULT_DIRECTORY_TIMEOUT
    jwks_url: str | None = None
    jwks: Mapping[str, Any] | None = field(default=None, hash=False)
    issuer: str | None = None
    audience: str | None = None
    auth_server: str | None = None
    required_scopes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.scopes, str):
            object.__setattr__(self, "scopes", _split_scopes(self.scopes))
        if isinstance(self.required_scopes, str):
            object.__setattr__(self, "required_scopes", _split_scopes(self.required_scopes))
        if not (self.db_url.startswith(("sqlite://", "postgresql://", "postgres://"))):
            raise ValueError("ASSIGNMENTS_DB must start with sqlite:// or postgresql://")
        if not self.directory_timeout > 0:
            raise ValueError("ASSIGNMENTS_DIRECTORY_TIMEOUT must be a positive number of seconds")
        if self.auth_enabled and not (self.issuer and self.audience):
            raise ValueError("bearer-token auth needs ASSIGNMENTS_ISSUER and ASSIGNMENTS_AUDIENCE")

    @property
    def auth_enabled(self) -> bool:
        """Whether HTTP requests must carry a verified bearer token."""
        return self.jwks_url is not None or self.jwks is not None

    @property
    def authorization_server(self) -> str | None:
        """The authorization server named in the protected-resource metadata."""
        return self.auth_server or self.issuer

    @property
    def directory_enabled(self) -> bool:
        return self.directory_url is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Build a Config from ``ASSIGNMENTS_*`` variables (see the module docstring)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        timeout_text = get("ASSIGNMENTS_DIRECTORY_TIMEOUT")
        try:
            timeout = float(timeout_text) if timeout_text else DEFAULT_DIRECTORY_TIMEOUT
        except ValueError:
            raise ValueError("ASSIGNMENTS_DIRECTORY_TIMEOUT must be a number of seconds") from None
        jwks_text = get("ASSIGNMENTS_JWKS")
        try:
            jwks = json.loads(jwks_text) if jwks_text else None
        except json.JSONDecodeError:
            raise ValueError("ASSIGNMENTS_JWKS must be a JSON Web Key Set") from None
        # Present-but-empty ASSIGNMENTS_SCOPES means "no scopes", not "the defaults".
        scopes = env.get("ASSIGNMENTS_SCOPES")
        return cls(
            db_url=get("ASSIGNMENTS_DB") or MEMORY_DB,
            user=get("ASSIGNMENTS_USER") or DEFAULT_USER,
            scopes=_split_scopes(scopes) if scopes is not None else DEFAULT_SCOPES,
            directory_url=get("ASSIGNMENTS_DIRECTORY_URL"),
            directory_timeout=timeout,
            jwks_url=get("ASSIGNMENTS_JWKS_URL"),
            jwks=jwks,
            issuer=get("ASSIGNMENTS_ISSUER"),
            audience=get("ASSIGNMENTS_AUDIENCE"),
            auth_server=get("ASSIGNMENTS_AUTH_SERVER"),
            required_scopes=_split_scopes(get("ASSIGNMENTS_REQUIRED_SCOPES") or ""),
        )
