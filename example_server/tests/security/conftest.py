"""Servers with bearer-token auth for the security tests, and raw HTTP to reach them.

The tokens come from the plugin's local issuer (``mcp_token_issuer``: real RS256/ES256 keys,
a JWKS served on loopback). The example server fetches that JWKS over HTTP like it would in
production and is served in-process as an ASGI app (``pytest_mcp.asgi``), whose resource URL is
the issuer's default audience, ``http://127.0.0.1:8000/mcp``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

import pytest_mcp
from example_server.config import Config
from example_server.server import create_server

READ_WRITE = "assignments:read assignments:write"
INITIALIZE = pytest_mcp.jsonrpc_request(
    "initialize",
    {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "security-test", "version": "0"}},
)


def protected(issuer: Any, name: str, **config: Any) -> pytest_mcp.AsgiTarget:
    """An ASGI target of a new example server that trusts ``issuer``'s tokens.

    The target holds the server object itself (not a factory), so every connection reaches the
    same in-memory database: several users' clients see one shared store.
    """
    config = Config(jwks_url=issuer.jwks_url, issuer=issuer.issuer, audience=issuer.audience, **config)
    return pytest_mcp.asgi(create_server(config), name=name)


@pytest.fixture(scope="module")
def protected_target(mcp_token_issuer) -> pytest_mcp.AsgiTarget:
    """One auth-protected server per module (its data is shared by the module's tests)."""
    return protected(mcp_token_issuer, "protected")


@pytest.fixture
def mcp_server_target(protected_target):
    return protected_target


@asynccontextmanager
async def raw_http(server: Any, **headers: str) -> AsyncIterator[pytest_mcp.RawHttp]:
    """Exact HTTP requests to an in-process ASGI server (status codes and headers included)."""
    async with server.asgi_http_client(headers=headers) as http:
        yield pytest_mcp.RawHttp(http, server.url, timeout=10)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}
