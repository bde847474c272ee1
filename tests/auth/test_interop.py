"""The issuer against other people's code: the MCP SDK's own OAuth client, and the example server."""

from __future__ import annotations

import sys

import httpx2
import pytest

from pytest_mcp.auth import BAD_TOKEN_KINDS, TokenIssuer
from pytest_mcp.client.mcp_client import connect
from pytest_mcp.server.running import RunningServer
from pytest_mcp.server.targets import asgi, spawn_http
from pytest_mcp.settings import Settings

pytestmark = pytest.mark.anyio


class MemoryStorage:
    """The SDK's ``TokenStorage`` protocol, in memory."""

    def __init__(self) -> None:
        self.tokens = None
        self.client_info = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens) -> None:
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info) -> None:
        self.client_info = client_info


@pytest.fixture(scope="module")
def issuer():
    with TokenIssuer(scopes="read") as started:
        yield started


async def test_the_sdks_client_credentials_provider_gets_a_token_and_the_server_accepts_it(issuer) -> None:
    """Discovery (401 -> protected-resource metadata -> RFC 8414 metadata), token request, then MCP calls."""
    from mcp import Client
    from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
    from mcp.client.streamable_http import streamable_http_client

    client = issuer.register_client("robot", scopes=["read", "write"])
    target = spawn_http(
        f"{sys.executable} -m tests.auth.protected --port {{port}}",
        env={
            "PROTECTED_JWKS_URL": issuer.jwks_url,
            "PROTECTED_ISSUER": issuer.issuer,
            "PROTECTED_AUDIENCE": "http://127.0.0.1:{port}/mcp",  # RFC 8707: the client asks for this resource
            "PROTECTED_SCOPES": "read",
        },
    )
    server = RunningServer(target, Settings()).start()
    try:
        provider = ClientCredentialsOAuthProvider(
            server_url=server.url,
            storage=MemoryStorage(),
            client_id=client.client_id,
            client_secret=client.client_secret,
            scope="read",
            issuer=issuer.issuer,
        )
        async with httpx2.AsyncClient(auth=provider, timeout=10) as http:
            async with Client(streamable_http_client(server.url, http_client=http), cache=None) as mcp:
                result = await mcp.call_tool("whoami", {})
        assert result.structured_content == {"sub": "robot", "scopes": ["read"]}
    finally:
        server.stop()
    token_requests = [request for request in issuer.requests if request.path == "/token"]
    assert [(request.status, request.client_id) for request in token_requests] == [(200, "robot")]
    assert any(request.path == "/.well-known/oauth-authorization-server" for request in issuer.requests)


example_app = pytest.importorskip("example_server.app", reason="the example server is not in this checkout")
example_config = pytest.importorskip("example_server.config")


def example_target(issuer: TokenIssuer):
    config = example_config.Config(
        jwks_url=issuer.jwks_url, issuer=issuer.issuer, audience=issuer.audience, scopes=("assignments:read",)
    )
    return asgi(lambda: example_app.create_server(config))


async def test_the_example_server_accepts_issuer_tokens_fetching_the_jwks_over_loopback(issuer) -> None:
    server = RunningServer(example_target(issuer), Settings()).start()
    token = issuer.token(sub="ann@example.com", scopes="assignments:read assignments:write")
    async with connect(server, token=token, timeout=10) as client:
        tools = {tool.name for tool in await client.tools()}
        assert tools, "the example server lists its tools to an authenticated client"
    assert any(request.path == "/.well-known/jwks.json" and request.status == 200 for request in issuer.requests)


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
}


async def status_of(server: RunningServer, token: str) -> int:
    headers = {"authorization": f"Bearer {token}", "accept": "application/json, text/event-stream"}
    async with server.asgi_http_client(headers=headers) as http:
        async with http.stream("POST", "/mcp", json=INITIALIZE) as reply:
            return reply.status_code


async def test_the_example_server_answers_401_to_every_bad_token_and_200_to_a_good_one(issuer) -> None:
    server = RunningServer(example_target(issuer), Settings()).start()
    statuses = {kind: await status_of(server, issuer.bad_token(kind)) for kind in BAD_TOKEN_KINDS}
    # The example server checks scopes in its tools, not at the HTTP layer: a scope-less token gets in.
    assert statuses.pop("missing_scope") == 200
    assert statuses == dict.fromkeys(statuses, 401)
    assert await status_of(server, issuer.token(sub="ann@example.com")) == 200
