"""Authorization checks over HTTP (checklist O): 401s, WWW-Authenticate, protected-resource metadata, tokens.

They belong to the security suite and apply to servers that require a token: a server that serves
requests without one is skipped (with that reason). ``--mcp-auth-token`` enables the checks that
need a valid token (and lets every other check of the run through the server's door).
"""

from __future__ import annotations

import json
import re
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from ..context import CheckContext
from ..registry import check
from ..wire import CLIENT_INFO, HANDSHAKE_ERA, HttpWire

HTTP: Final = ["http"]
RESOURCE_METADATA: Final = re.compile(r'resource_metadata\s*=\s*"([^"]+)"')
INVALID_TOKEN: Final = "pytest-mcp-invalid-token-0000"


def _opening(wire: HttpWire) -> dict[str, Any]:
    """The request that opens a connection in the wire's era (initialize, or server/discover)."""
    if wire.era == HANDSHAKE_ERA:
        params = {"protocolVersion": HANDSHAKE_ERA, "capabilities": {}, "clientInfo": dict(CLIENT_INFO)}
        return wire.message("initialize", params, envelope=False)
    return wire.message("server/discover", {})


async def _unauthenticated(ctx: CheckContext, wire: HttpWire, token: str | None = None) -> Any:
    """POST the opening request with no token (or ``token``); skip when the server does not require one."""
    __tracebackhide__ = True
    body = _opening(wire)
    headers: dict[str, Any] = {"authorization": f"Bearer {token}" if token else None}  # None: leave it out
    reply = await wire.post(body, headers=headers)
    if reply.status is not None and 200 <= reply.status < 300:
        if reply.headers.get("mcp-session-id"):
            wire.session_id = reply.headers["mcp-session-id"]
        if token is None:
            ctx.skip("the server answers requests without a token (it does not require authorization)")
    return body, reply


def _expect_401(ctx: CheckContext, body: Any, reply: Any, request: str, why: str = "") -> None:
    """Fail unless ``reply`` is 401 Unauthorized; ``request`` says what the request carried."""
    __tracebackhide__ = True
    ctx.expect(
        reply.status == 401,
        f"a request {request} got HTTP {reply.status}, not 401{why}",
        sent=body,
        received=reply.describe(),
    )


@check(
    "auth.no-token-401",
    rule="A protected endpoint answers a request without a token with 401 Unauthorized.",
    items=[110],
    spec="basic/authorization#token-handling",
    level="MUST",
    suite="security",
    transports=HTTP,
    auth=True,
)
async def no_token_401(ctx: CheckContext) -> None:
    async with ctx.http(handshake=False, auth=False) as wire:
        body, reply = await _unauthenticated(ctx, wire)
        _expect_401(ctx, body, reply, "without a token")


@check(
    "auth.invalid-token-401",
    rule="A protected endpoint answers a request with an invalid or foreign bearer token with 401 Unauthorized.",
    items=[110, 113],
    spec="basic/authorization#token-handling",
    level="MUST",
    suite="security",
    transports=HTTP,
    auth=True,
)
async def invalid_token_401(ctx: CheckContext) -> None:
    async with ctx.http(handshake=False, auth=False) as wire:
        await _unauthenticated(ctx, wire)
        body, reply = await _unauthenticated(ctx, wire, INVALID_TOKEN)
        _expect_401(ctx, body, reply, "with an invalid token")
        header = reply.headers.get("www-authenticate", "")
        ctx.expect(
            header.lower().startswith("bearer"),
            f"the 401 for an invalid token has WWW-Authenticate {header!r}, not a challenge of the Bearer scheme (RFC 6750 section 3)",
            sent=body,
            received=reply.describe(),
        )


def _forgeries(token: str) -> list[tuple[str, str]]:
    """``(what, token)``: copies of a JWT whose signature no key of the server can verify; [] for other tokens."""
    import base64

    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        return []
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except ValueError:
        return []
    if not isinstance(header, dict):
        return []
    signature = parts[2]
    flipped = ("A" if signature[:1] != "A" else "B") + signature[1:]
    none_header = base64.urlsafe_b64encode(json.dumps({**header, "alg": "none"}).encode()).rstrip(b"=").decode()
    return [
        ("the --mcp-auth-token with its signature altered", f"{parts[0]}.{parts[1]}.{flipped}"),
        ("the --mcp-auth-token with its signature removed", f"{parts[0]}.{parts[1]}."),
        ('the --mcp-auth-token re-headed as "alg": "none" and unsigned', f"{none_header}.{parts[1]}."),
    ]


@check(
    "auth.forged-token-401",
    rule="A copy of a valid JWT access token with a forged signature (altered, removed, or alg none) is refused "
    "with 401: the server verifies every token it accepts.",
    items=[110, 113],
    spec="basic/authorization#token-handling",
    level="MUST",
    suite="security",
    transports=HTTP,
    auth=True,
)
async def forged_token_401(ctx: CheckContext) -> None:
    if not ctx.token:
        ctx.skip("no --mcp-auth-token given (the forgeries are copies of it)")
    forgeries = _forgeries(ctx.token)
    if not forgeries:
        ctx.skip("the --mcp-auth-token is not a JWT, so no forged copy of it can be made")
    async with ctx.http(handshake=False, auth=False) as wire:
        await _unauthenticated(ctx, wire)
        for what, token in forgeries:
            body, reply = await _unauthenticated(ctx, wire, token)
            _expect_401(ctx, body, reply, f"with {what}", ": the server does not verify token signatures")


def _metadata_url(header: str) -> str | None:
    match = RESOURCE_METADATA.search(header)
    return match.group(1) if match else None


def _well_known_urls(endpoint: str) -> list[str]:
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")
    urls = [urlunsplit((parts.scheme, parts.netloc, "/.well-known/oauth-protected-resource" + path, "", ""))]
    if path:
        urls.append(urlunsplit((parts.scheme, parts.netloc, "/.well-known/oauth-protected-resource", "", "")))
    return urls


async def _metadata(wire: HttpWire, header: str) -> tuple[str | None, Any]:
    """The protected-resource metadata: (URL, reply) from resource_metadata, else the well-known locations."""
    candidates = [url for url in [_metadata_url(header)] if url] + _well_known_urls(wire.url)
    reply = None
    for url in candidates:
        reply = await wire.raw.request("GET", url=url, headers={"accept": "application/json"}, default_headers=False)
        if reply.status == 200:
            return url, reply
    return None, reply


@check(
    "auth.www-authenticate",
    rule='A 401 carries WWW-Authenticate: Bearer with resource_metadata="<URL of the protected-resource metadata>" '
    "(or the metadata is served at /.well-known/oauth-protected-resource).",
    items=[111],
    spec="basic/authorization#protected-resource-metadata-discovery-requirements",
    level="MUST",
    suite="security",
    transports=HTTP,
    auth=True,
)
async def www_authenticate(ctx: CheckContext) -> None:
    async with ctx.http(handshake=False, auth=False) as wire:
        body, reply = await _unauthenticated(ctx, wire)
        if reply.status != 401:
            ctx.skip(f"the request without a token got HTTP {reply.status} (auth.no-token-401 reports it)")
        header = reply.headers.get("www-authenticate", "")
        ctx.expect(
            header.lower().startswith("bearer"),
            f"the 401 has WWW-Authenticate {header!r}, not a challenge of the Bearer scheme",
            sent=body,
            received=reply.describe(),
        )
        if _metadata_url(header) is None:
            url, _metadata_reply = await _metadata(wire, header)
            ctx.expect(
                url is not None,
                "the 401's WWW-Authenticate has no resource_metadata and no protected-resource "
                "metadata is served at the well-known location",
                sent=body,
                received=header,
            )


@check(
    "auth.protected-resource-metadata",
    rule="The protected-resource metadata (RFC 9728) is JSON with resource (this server's URI) and a non-empty "
    "authorization_servers array.",
    items=[112],
    spec="basic/authorization#authorization-server-location",
    level="MUST",
    suite="security",
    transports=HTTP,
    auth=True,
)
async def protected_resource_metadata(ctx: CheckContext) -> None:
    async with ctx.http(handshake=False, auth=False) as wire:
        _body, reply = await _unauthenticated(ctx, wire)
        url, document = await _metadata(wire, reply.headers.get("www-authenticate", ""))
        ctx.expect(
            url is not None,
            "no protected-resource metadata document could be fetched",
            received=document.describe() if document is not None else None,
        )
        try:
            data = json.loads(document.text)
        except ValueError:
            ctx.fail(f"the metadata at {url} is not JSON", received=document.describe())
        ctx.expect(
            isinstance(data, dict) and isinstance(data.get("resource"), str) and data["resource"],
            f"the metadata at {url} has no resource",
            received=data,
        )
        servers = data.get("authorization_servers")
        ctx.expect(
            isinstance(servers, list) and servers and all(isinstance(s, str) for s in servers),
            f"the metadata at {url} has no non-empty authorization_servers array",
            received=data,
        )


@check(
    "auth.token-accepted",
    rule="A request with the valid bearer token (--mcp-auth-token) is served.",
    items=[110],
    spec="basic/authorization#token-handling",
    level="D",
    suite="security",
    transports=HTTP,
    auth=True,
)
async def token_accepted(ctx: CheckContext) -> None:
    if not ctx.token:
        ctx.skip("no --mcp-auth-token given")
    async with ctx.http(handshake=False) as wire:
        body = _opening(wire)
        reply = await wire.post(body)
        if reply.headers.get("mcp-session-id"):
            wire.session_id = reply.headers["mcp-session-id"]
        ctx.expect(
            reply.status is not None and 200 <= reply.status < 300,
            f"a request with the --mcp-auth-token got HTTP {reply.status}",
            sent=body,
            received=reply.describe(),
        )


@check(
    "auth.query-token-refused",
    rule="An access token in the URI query string does not authenticate (tokens travel only in the Authorization "
    "header).",
    items=[115],
    spec="basic/authorization#access-token-usage",
    level="MUST",
    suite="security",
    transports=HTTP,
    auth=True,
)
async def query_token_refused(ctx: CheckContext) -> None:
    if not ctx.token:
        ctx.skip("no --mcp-auth-token given")
    async with ctx.http(handshake=False, auth=False) as wire:
        await _unauthenticated(ctx, wire)
        body = _opening(wire)
        separator = "&" if "?" in wire.url else "?"
        url = f"{wire.url}{separator}access_token={ctx.token}"
        reply = await wire.raw.request("POST", body, url=url)
        if reply.headers.get("mcp-session-id"):
            wire.session_id = reply.headers["mcp-session-id"]
        _expect_401(ctx, body, reply, "with the token in the query string")


@check(
    "auth.session-needs-token",
    rule="Every request is authenticated: a session id alone (without the token) does not authorize.",
    items=[116],
    spec="basic/security_best_practices#session-hijacking",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    suite="security",
    transports=HTTP,
    auth=True,
)
async def session_needs_token(ctx: CheckContext) -> None:
    if not ctx.token:
        ctx.skip("no --mcp-auth-token given")
    async with ctx.http() as wire:
        if not wire.session_id:
            ctx.skip("the server issued no session id")
        body = wire.message("ping", None, envelope=False)
        without: dict[str, Any] = {"authorization": None}  # None: leave it out
        reply = await wire.post(body, headers=without)
        _expect_401(ctx, body, reply, "with the session id but no token")
