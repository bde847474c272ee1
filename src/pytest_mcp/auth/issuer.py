"""``TokenIssuer``: a local OAuth authorization server for tests, with real keys and real JWTs.

It generates an RS256 and an ES256 signing key, mints access tokens (RFC 9068 style JWTs with
``iss``, ``sub``, ``aud``, ``exp``, ``iat``, ``jti``, ``client_id`` and a space-separated
``scope``), and mints the broken tokens a security test needs. It answers the HTTP endpoints a
server under test talks to:

* ``GET /.well-known/jwks.json``: the public signing keys (JWKS);
* ``GET /.well-known/oauth-authorization-server``: RFC 8414 metadata;
* ``POST /token``: the client-credentials grant for registered clients (RFC 6749 section 4.4),
  with ``client_secret_basic`` or ``client_secret_post`` and an optional RFC 8707 ``resource``.

Served on 127.0.0.1 by ``start()`` (a small threaded HTTP server) and in-process by
``asgi_app`` (no socket). See docs/auth.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, final
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import McpUsageError
from ..markers import make_options
from ..redact import SECRETS
from .options import TokenOptions

__all__ = ["BAD_TOKEN_KINDS", "DEFAULT_AUDIENCE", "IssuerRequest", "OAuthClient", "TokenIssuer"]

ALGORITHMS: Final = ("RS256", "ES256")
DEFAULT_AUDIENCE: Final = "http://127.0.0.1:8000/mcp"
"""The resource URL of an in-process ASGI target (``pytest_mcp.asgi(...)`` serves at this origin)."""
DEFAULT_SUBJECT: Final = "test-user"
DEFAULT_LIFETIME: Final = 300.0
WRONG_ISSUER: Final = "https://wrong-issuer.invalid"
WRONG_AUDIENCE: Final = "https://wrong-audience.invalid/mcp"
MINTED_KEPT: Final = 10_000
"""How many minted tokens the issuer remembers, so reports can be scrubbed of their fragments."""
CLOCK_MARGIN: Final = 600
"""Seconds by which expired / not-yet-valid tokens miss their window: more than any usual leeway."""

BAD_TOKEN_KINDS: Final = (
    "expired",
    "not_yet_valid",
    "wrong_audience",
    "wrong_issuer",
    "bad_signature",
    "alg_none",
    "missing_scope",
    "unknown_kid",
    "hs256_key_confusion",
    "no_expiry",
    "malformed",
)
"""Every kind ``TokenIssuer.bad_token(kind)`` mints, in the order ``bad_tokens()`` lists them."""

JWKS_PATH: Final = "/.well-known/jwks.json"
METADATA_PATH: Final = "/.well-known/oauth-authorization-server"
TOKEN_PATH: Final = "/token"
AUTHORIZE_PATH: Final = "/authorize"

_JSON: Final = [("content-type", "application/json"), ("cache-control", "no-store"), ("pragma", "no-cache")]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64json(value: Any) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


def _thumbprint(members: Mapping[str, str]) -> str:
    """RFC 7638 JWK thumbprint: SHA-256 of the required members, sorted, without whitespace."""
    return _b64url(hashlib.sha256(json.dumps(dict(members), sort_keys=True, separators=(",", ":")).encode()).digest())


@dataclass(frozen=True)
class _Key:
    algorithm: str
    kid: str
    private: Any
    public_jwk: dict[str, Any]


def _new_key(algorithm: str) -> _Key:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

    if algorithm == "RS256":
        private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
        members = {name: jwk[name] for name in ("e", "kty", "n")}
    elif algorithm == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
        jwk = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
        members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    else:
        raise McpUsageError(f"algorithm {algorithm!r} is not supported: choose {' or '.join(ALGORITHMS)}")
    kid = _thumbprint(members)
    public = {**members, "kid": kid, "alg": algorithm, "use": "sig"}
    return _Key(algorithm, kid, private, public)


@dataclass(frozen=True)
class OAuthClient:
    """A client registered at the issuer's token endpoint (client-credentials grant)."""

    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...] = ()
    """Scopes the client may ask for; a request without ``scope`` gets all of them."""
    audience: str | None = None
    """``aud`` of its tokens when the request names no ``resource`` (default: the issuer's audience)."""


@dataclass(frozen=True)
class IssuerRequest:
    """One HTTP request the issuer answered (over loopback or ASGI), for assertions."""

    method: str
    path: str
    status: int
    client_id: str | None = None
    error: str | None = None


def _scopes(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(dict.fromkeys(value.split()))
    return tuple(dict.fromkeys(str(scope) for scope in value))


@final
class TokenIssuer:
    """A local token issuer: ``with TokenIssuer(audience=...) as issuer: token = issuer.token(scopes=[...])``.

    ``issuer``: the ``iss`` of its tokens and of its metadata; default: its loopback URL
    (``http://127.0.0.1:PORT``) once started, or ``https://issuer.pytest-mcp.invalid`` with
    ``serve=False``. ``audience``, ``scopes``, ``subject``, ``algorithm`` and ``expires_in`` are
    the defaults of ``token()``. ``serve=False`` opens no socket (use ``asgi_app`` or ``jwks``).
    """

    def __init__(
        self,
        *,
        issuer: str | None = None,
        audience: str = DEFAULT_AUDIENCE,
        scopes: str | Sequence[str] = (),
        subject: str = DEFAULT_SUBJECT,
        algorithm: str = "RS256",
        expires_in: float = DEFAULT_LIFETIME,
        serve: bool = True,
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise McpUsageError(f"TokenIssuer(algorithm={algorithm!r}): choose {' or '.join(ALGORITHMS)}")
        self._issuer = issuer.rstrip("/") if issuer else None
        self.audience = audience
        self.scopes = _scopes(scopes)
        self.subject = subject
        self.algorithm = algorithm
        self.expires_in = expires_in
        self.serve = serve
        self._keys: dict[str, list[_Key]] = {name: [_new_key(name)] for name in ALGORITHMS}
        self._clients: dict[str, OAuthClient] = {}
        self._minted: deque[str] = deque(maxlen=MINTED_KEPT)
        self._lock = threading.Lock()
        self.requests: list[IssuerRequest] = []
        """Every HTTP request answered so far (``issuer.requests[-1].path == "/token"``)."""
        self._server: Any = None

    # -- life cycle -----------------------------------------------------------------------------
    def start(self) -> TokenIssuer:
        """Serve the endpoints on 127.0.0.1 (a background thread) unless ``serve=False``."""
        if self.serve and self._server is None:
            from ._http import LoopbackServer

            self._server = LoopbackServer(self.handle).start()
        return self

    def stop(self) -> None:
        """Stop the loopback server (idempotent); minted tokens stay valid for in-process checks."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> TokenIssuer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> TokenIssuer:
        return self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self._server.base_url if self._server is not None else "not serving"
        return f"<TokenIssuer iss={self._issuer or '(loopback URL)'} {where}>"

    # -- URLs -----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL of the loopback server (``http://127.0.0.1:PORT``); needs ``start()``."""
        if self._server is None:
            raise McpUsageError(
                "the TokenIssuer is not serving on loopback: use it as `with TokenIssuer() as issuer:` (or call "
                "start()), or with serve=False pass the JWKS itself (issuer.jwks) or serve issuer.asgi_app"
            )
        return str(self._server.base_url)

    @property
    def issuer(self) -> str:
        """The ``iss`` claim of every token, and the ``issuer`` of the metadata."""
        if self._issuer:
            return self._issuer
        if self.serve:
            return self.url
        return "https://issuer.pytest-mcp.invalid"

    def _endpoint(self, path: str) -> str:
        base = self.url if self._server is not None else self.issuer
        return base + path

    @property
    def jwks_url(self) -> str:
        return self._endpoint(JWKS_PATH)

    @property
    def metadata_url(self) -> str:
        return self._endpoint(METADATA_PATH)

    @property
    def token_endpoint(self) -> str:
        return self._endpoint(TOKEN_PATH)

    # -- keys -----------------------------------------------------------------------------------
    @property
    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set of the public signing keys (what ``/.well-known/jwks.json`` serves)."""
        with self._lock:
            return {"keys": [dict(key.public_jwk) for keys in self._keys.values() for key in keys]}

    def kid(self, algorithm: str | None = None) -> str:
        """The key id that currently signs tokens of ``algorithm``."""
        return self._key(algorithm).kid

    def rotate(self, algorithm: str | None = None, *, keep_old: bool = True) -> str:
        """Sign with a new key from now on; the old one stays in the JWKS unless ``keep_old=False``."""
        name = algorithm or self.algorithm
        key = _new_key(name)
        with self._lock:
            self._keys[name] = [key, *self._keys[name]] if keep_old else [key]
        return key.kid

    def _key(self, algorithm: str | None) -> _Key:
        name = algorithm or self.algorithm
        if name not in ALGORITHMS:
            raise McpUsageError(f"algorithm {name!r} is not supported: choose {' or '.join(ALGORITHMS)}")
        with self._lock:
            return self._keys[name][0]

    # -- tokens ---------------------------------------------------------------------------------
    def claims_for(
        self,
        *,
        sub: str | None = None,
        scopes: str | Sequence[str] | None = None,
        audience: str | Sequence[str] | None = None,
        expires_in: float | None = None,
        client_id: str | None = None,
        **claims: Any,
    ) -> dict[str, Any]:
        """The claims ``token()`` would sign (a claim given as None is left out)."""
        now = int(time.time())
        lifetime = self.expires_in if expires_in is None else expires_in
        subject = self.subject if sub is None else sub
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.audience if audience is None else (audience if isinstance(audience, str) else list(audience)),
            "iat": now,
            "exp": int(now + lifetime),
            "jti": uuid.uuid4().hex,
            "client_id": client_id or subject,
            "scope": " ".join(self.scopes if scopes is None else _scopes(scopes)),
        }
        payload.update(claims)
        return {name: value for name, value in payload.items() if value is not None}

    def token(self, options: TokenOptions | None = None, /, **keywords: Any) -> str:
        """A signed access token, as ``options`` (a ``TokenOptions``) or the same keywords say.

        ``sub``, ``scopes`` (a list or a space-separated string; written as the ``scope`` claim),
        ``audience`` and ``expires_in`` (seconds; negative for an expired token) default to the
        issuer's settings; ``algorithm`` is ``RS256`` or ``ES256``; ``headers`` adds to the JOSE
        header (``kid``, ``typ``); any other keyword is a claim, and a claim given as None is
        left out (``token(exp=None)`` never expires).
        """
        if options is None:
            options = make_options(TokenOptions, (), keywords)
        elif keywords:
            raise McpUsageError("pass TokenIssuer.token either a TokenOptions or keywords, not both")
        payload = self.claims_for(
            sub=options.sub,
            scopes=options.scopes,
            audience=options.audience,
            expires_in=options.expires_in,
            client_id=options.client_id,
            **options.claims,
        )
        return self._sign(payload, options.algorithm, options.headers)

    def _sign(self, payload: Mapping[str, Any], algorithm: str | None, headers: Mapping[str, Any] | None) -> str:
        import jwt

        key = self._key(algorithm)
        header = {"kid": key.kid, "typ": "at+jwt", **(headers or {})}
        return self._remember(jwt.encode(dict(payload), key.private, algorithm=key.algorithm, headers=header))

    def decode(self, token: str, *, audience: str | Sequence[str] | None = None, verify: bool = True) -> dict[str, Any]:
        """The claims of ``token``, checked against this issuer's keys, ``iss`` and ``audience``.

        ``verify=False`` only decodes (for inspecting bad tokens). Raises ``jwt.InvalidTokenError``.
        """
        import jwt

        if not verify:
            return dict(jwt.decode(token, options={"verify_signature": False}))
        header = jwt.get_unverified_header(token)
        keys = {key.kid: key for keys in self._keys.values() for key in keys}
        key = keys.get(str(header.get("kid")))
        if key is None or header.get("alg") != key.algorithm:
            raise jwt.InvalidTokenError(f"token not signed by a key of this issuer (header {header})")
        return dict(
            jwt.decode(
                token,
                key.private.public_key(),
                algorithms=[key.algorithm],
                audience=self.audience if audience is None else audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        )

    # -- the broken tokens a security test needs ------------------------------------------------
    def expired(self, **options: Any) -> str:
        """Expired 10 minutes ago (beyond any usual clock leeway)."""
        now = int(time.time())
        options.setdefault("iat", now - CLOCK_MARGIN - int(self.expires_in))
        return self.token(expires_in=-CLOCK_MARGIN, **options)

    def not_yet_valid(self, **options: Any) -> str:
        """``nbf`` and ``iat`` 10 minutes in the future."""
        now = int(time.time())
        options.setdefault("nbf", now + CLOCK_MARGIN)
        options.setdefault("iat", now + CLOCK_MARGIN)
        return self.token(**options)

    def wrong_audience(self, **options: Any) -> str:
        """Issued for another resource (``aud`` = ``https://wrong-audience.invalid/mcp``)."""
        options.setdefault("audience", WRONG_AUDIENCE)
        return self.token(**options)

    def wrong_issuer(self, **options: Any) -> str:
        """Signed with the issuer's real key but claiming ``iss`` = ``https://wrong-issuer.invalid``."""
        options.setdefault("iss", WRONG_ISSUER)
        return self.token(**options)

    def bad_signature(self, **options: Any) -> str:
        """The right header and ``kid``, signed by a different key (a forgery)."""
        import jwt

        algorithm = options.pop("algorithm", None) or self.algorithm
        headers = options.pop("headers", None)
        payload = self.claims_for(**options)
        forger = _new_key(algorithm)
        header = {"kid": self.kid(algorithm), "typ": "at+jwt", **(headers or {})}
        return self._remember(jwt.encode(payload, forger.private, algorithm=algorithm, headers=header))

    def alg_none(self, **options: Any) -> str:
        """Unsigned: ``{"alg": "none"}`` and an empty signature (RFC 7519 section 6)."""
        options.pop("algorithm", None)
        headers = options.pop("headers", None)
        header = {"alg": "none", "typ": "at+jwt", **(headers or {})}
        return self._remember(f"{_b64json(header)}.{_b64json(self.claims_for(**options))}.")

    def missing_scope(self, *scopes: str, **options: Any) -> str:
        """Valid, but without ``scopes`` (every scope when none is named)."""
        granted = _scopes(options.pop("scopes", None)) or self.scopes
        options["scopes"] = [scope for scope in granted if scopes and scope not in scopes]
        return self.token(**options)

    def unknown_kid(self, **options: Any) -> str:
        """Signed by a key the JWKS does not have, under a ``kid`` it does not list."""
        import jwt

        algorithm = options.pop("algorithm", None) or self.algorithm
        headers = options.pop("headers", None)
        stranger = _new_key(algorithm)
        header = {"kid": stranger.kid, "typ": "at+jwt", **(headers or {})}
        claims = self.claims_for(**options)
        return self._remember(jwt.encode(claims, stranger.private, algorithm=algorithm, headers=header))

    def hs256_key_confusion(self, **options: Any) -> str:
        """``alg: HS256`` with the RSA public key (PEM) as the HMAC secret: the classic key-confusion attack."""
        from cryptography.hazmat.primitives import serialization

        options.pop("algorithm", None)
        headers = options.pop("headers", None)
        key = self._key("RS256")
        pem = key.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        header = {"alg": "HS256", "kid": key.kid, "typ": "at+jwt", **(headers or {})}
        signing_input = f"{_b64json(header)}.{_b64json(self.claims_for(**options))}"
        signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
        return self._remember(f"{signing_input}.{_b64url(signature)}")

    def no_expiry(self, **options: Any) -> str:
        """Correctly signed, but without an ``exp`` claim."""
        options["exp"] = None
        return self.token(**options)

    def malformed(self, **options: Any) -> str:
        """Not a JWT at all: a valid token with its payload segment cut out."""
        header, _, signature = self.token(**options).split(".")
        return f"{header}..{signature}"

    def bad_token(self, kind: str, **options: Any) -> str:
        """The broken token called ``kind`` (one of ``BAD_TOKEN_KINDS``), with ``token()`` options."""
        if kind not in BAD_TOKEN_KINDS:
            raise McpUsageError(f"no bad token kind {kind!r}; choose one of: {', '.join(BAD_TOKEN_KINDS)}")
        maker = getattr(self, kind)
        return str(maker(**options))

    def bad_tokens(self, **options: Any) -> dict[str, str]:
        """Every broken token, by kind (for ``pytest.mark.parametrize`` over ``BAD_TOKEN_KINDS``)."""
        return {kind: self.bad_token(kind, **options) for kind in BAD_TOKEN_KINDS}

    # -- clients of the token endpoint ----------------------------------------------------------
    def register_client(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        scopes: str | Sequence[str] | None = None,
        audience: str | None = None,
    ) -> OAuthClient:
        """Register a client for the client-credentials grant (random id and secret by default).

        ``scopes``: what it may ask for (default: the issuer's default scopes).
        """
        client = OAuthClient(
            client_id=client_id or f"client-{secrets.token_hex(4)}",
            client_secret=client_secret or secrets.token_urlsafe(24),
            scopes=self.scopes if scopes is None else _scopes(scopes),
            audience=audience,
        )
        with self._lock:
            self._clients[client.client_id] = client
        SECRETS.add(client.client_secret)
        return client

    @property
    def clients(self) -> dict[str, OAuthClient]:
        with self._lock:
            return dict(self._clients)

    @property
    def client_secrets(self) -> tuple[str, ...]:
        """Every client secret (for redaction)."""
        with self._lock:
            return tuple(client.client_secret for client in self._clients.values())

    def _remember(self, token: str) -> str:
        with self._lock:
            self._minted.append(token)
        SECRETS.add_token(token)  # hidden in every report, whoever built this issuer (pytest_mcp.redact)
        return token

    def known_secrets(self) -> tuple[str, ...]:
        """Every token minted so far (the last ``MINTED_KEPT``) and every client secret, for redaction."""
        with self._lock:
            return (*self._minted, *(client.client_secret for client in self._clients.values()))

    # -- HTTP -----------------------------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        """RFC 8414 authorization-server metadata."""
        return {
            "issuer": self.issuer,
            # RFC 8414 requires it whenever a grant uses it; this issuer has no such grant, and the
            # endpoint only answers with an error, but MCP clients expect the field to be present.
            "authorization_endpoint": self._endpoint(AUTHORIZE_PATH),
            "token_endpoint": self.token_endpoint,
            "jwks_uri": self.jwks_url,
            "response_types_supported": [],
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": sorted(
                {scope for client in self.clients.values() for scope in client.scopes} | set(self.scopes)
            ),
        }

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Answer one HTTP request: ``(status, headers, body)``. Header names in ``headers`` are lowercase."""
        route = urlsplit(path).path.rstrip("/") or "/"
        client_id: str | None = None
        error: str | None = None
        if route == JWKS_PATH and method in ("GET", "HEAD"):
            status, reply_headers, reply = 200, [("content-type", "application/json")], self.jwks
        elif route in (METADATA_PATH, "/.well-known/openid-configuration") and method in ("GET", "HEAD"):
            status, reply_headers, reply = 200, [("content-type", "application/json")], self.metadata()
        elif route == TOKEN_PATH and method == "POST":
            status, reply_headers, reply, client_id = self._token_request(headers, body)
            error = reply.get("error")
        elif route == AUTHORIZE_PATH:
            status, reply_headers = 400, list(_JSON)
            reply = {
                "error": "unsupported_response_type",
                "error_description": "this test issuer only implements the client_credentials grant at /token",
            }
            error = reply["error"]
        elif route in (JWKS_PATH, METADATA_PATH, TOKEN_PATH):
            status, reply_headers, reply = 405, [("content-type", "application/json")], {"error": "method_not_allowed"}
            error = "method_not_allowed"
        else:
            status, reply_headers, reply = 404, [("content-type", "application/json")], {"error": "not_found"}
            error = "not_found"
        self.requests.append(IssuerRequest(method, route, status, client_id, error))
        data = b"" if method == "HEAD" else json.dumps(reply).encode()
        return status, reply_headers, data

    def _token_request(
        self, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], dict[str, Any], str | None]:
        form = {name: values[-1] for name, values in parse_qs(body.decode("utf-8", "replace")).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        authorization = headers.get("authorization", "")
        if authorization[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
                user, _, password = decoded.partition(":")
                client_id, client_secret = unquote(user), unquote(password)
            except (ValueError, UnicodeDecodeError):
                return (
                    401,
                    [*_JSON, ("www-authenticate", 'Basic realm="token"')],
                    _oauth_error("invalid_client", "the Basic credentials are not base64 'id:secret'"),
                    None,
                )
        client = self.clients.get(client_id or "")
        if client is None or not hmac.compare_digest((client_secret or "").encode(), client.client_secret.encode()):
            return (
                401,
                [*_JSON, ("www-authenticate", 'Basic realm="token"')],
                _oauth_error("invalid_client", "unknown client or wrong secret"),
                client_id,
            )
        grant = form.get("grant_type")
        if grant is None:
            return 400, list(_JSON), _oauth_error("invalid_request", "grant_type is missing"), client.client_id
        if grant != "client_credentials":
            return (
                400,
                list(_JSON),
                _oauth_error("unsupported_grant_type", "this issuer only implements client_credentials"),
                client.client_id,
            )
        requested = _scopes(form.get("scope"))
        refused = [scope for scope in requested if scope not in client.scopes]
        if refused:
            return (
                400,
                list(_JSON),
                _oauth_error("invalid_scope", f"client {client.client_id!r} may not ask for: {' '.join(refused)}"),
                client.client_id,
            )
        granted = requested or client.scopes
        audience = form.get("resource") or client.audience or self.audience
        token = self.token(sub=client.client_id, client_id=client.client_id, scopes=granted, audience=audience)
        reply = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self.expires_in),
            "scope": " ".join(granted),
        }
        return 200, list(_JSON), reply, client.client_id

    @property
    def asgi_app(self) -> Any:
        """The same endpoints as an ASGI app, for in-process use without a socket."""
        from ._http import asgi_app

        return asgi_app(self.handle)


def _oauth_error(code: str, description: str) -> dict[str, Any]:
    return {"error": code, "error_description": description}
