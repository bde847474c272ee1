"""Bearer-token auth over Streamable HTTP, in-process (ASGI app + httpx, JSON responses)."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

import httpx
import pytest

from example_server.app import create_server
from example_server.config import Config

from .tokens import AUDIENCE, ISSUER, Signer, jwks

pytestmark = pytest.mark.anyio

SIGNER = Signer.rsa()
PRM_URL = "http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp"
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}},
}


def auth_config(**overrides) -> Config:
    return Config(jwks=jwks(SIGNER), issuer=ISSUER, audience=AUDIENCE, **overrides)


@asynccontextmanager
async def http_client(config: Config):
    server = create_server(config)
    app = server.streamable_http_app(json_response=True, host="127.0.0.1")
    async with server.session_manager.run():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            yield client


class Session:
    """A legacy (2025-11-25) MCP session over raw HTTP with one bearer token."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = ACCEPT | {"Authorization": f"Bearer {token}"}
        self.next_id = 2

    async def open(self) -> Session:
        response = await self.client.post("/mcp", json=INITIALIZE, headers=self.headers)
        assert response.status_code == 200, response.text
        self.headers["mcp-session-id"] = response.headers["mcp-session-id"]
        self.headers["mcp-protocol-version"] = "2025-11-25"
        note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert (await self.client.post("/mcp", json=note, headers=self.headers)).status_code == 202
        return self

    async def call(self, tool: str, **arguments) -> dict:
        self.next_id += 1
        request = {
            "jsonrpc": "2.0",
            "id": self.next_id,
            "method": "tools/call",
            "params": {"name": tool, "arguments": arguments},
        }
        response = await self.client.post("/mcp", json=request, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()["result"]


async def test_no_token_is_401_with_resource_metadata():
    async with http_client(auth_config()) as client:
        response = await client.post("/mcp", json=INITIALIZE, headers=ACCEPT)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert 'error="invalid_token"' in challenge
    assert f'resource_metadata="{PRM_URL}"' in challenge


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(SIGNER.token(exp=1), id="expired"),
        pytest.param(SIGNER.token(aud="http://elsewhere/mcp"), id="other-audience"),
        pytest.param(Signer.rsa(SIGNER.kid).token(), id="bad-signature"),
        pytest.param("garbage", id="garbage"),
    ],
)
async def test_bad_tokens_are_401(token):
    async with http_client(auth_config()) as client:
        response = await client.post("/mcp", json=INITIALIZE, headers=ACCEPT | {"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_protected_resource_metadata():
    async with http_client(auth_config(auth_server="https://login.example.test")) as client:
        response = await client.get("/.well-known/oauth-protected-resource/mcp")
    assert response.status_code == 200
    document = response.json()
    assert document["resource"] == AUDIENCE
    assert document["authorization_servers"] == ["https://login.example.test"]


async def test_required_scopes_give_403_insufficient_scope():
    async with http_client(auth_config(required_scopes=("assignments:read",))) as client:
        token = SIGNER.token(scope="admin")
        response = await client.post("/mcp", json=INITIALIZE, headers=ACCEPT | {"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


async def test_identity_and_scopes_come_from_the_token():
    async with http_client(auth_config()) as client:
        alice = await Session(client, SIGNER.token(sub="alice@example.com")).open()
        bob = await Session(client, SIGNER.token(sub="bob@example.com")).open()
        reader = await Session(client, SIGNER.token(sub="bob@example.com", scope="assignments:read")).open()
        admin = await Session(client, SIGNER.token(sub="root@example.com", scope="admin")).open()

        created = await alice.call("create_assignment", title="t", assignee="x@example.com")
        assert created["isError"] is False
        assert created["structuredContent"]["owner"] == "alice@example.com"
        assignment_id = created["structuredContent"]["id"]

        hidden = await bob.call("get_assignment", assignment_id=assignment_id)
        assert hidden["isError"] is True
        assert json.loads(hidden["content"][0]["text"])["error"] == "not_found"

        refused = await reader.call("create_assignment", title="t2", assignee="x@example.com")
        assert json.loads(refused["content"][0]["text"]) == {
            "error": "forbidden",
            "message": "this action needs the 'assignments:write' scope",
        }
        assert (await reader.call("list_assignments"))["structuredContent"]["items"] == []

        not_admin = await alice.call("delete_all_assignments")
        assert json.loads(not_admin["content"][0]["text"])["error"] == "forbidden"
        assert (await admin.call("delete_all_assignments"))["structuredContent"] == {"deleted": 1}


async def test_without_auth_http_uses_the_configured_identity():
    async with http_client(Config(user="local@example.com")) as client:
        response = await client.post("/mcp", json=INITIALIZE, headers=ACCEPT)
        assert response.status_code == 200
        session = Session(client, "ignored")
        session.headers["mcp-session-id"] = response.headers["mcp-session-id"]
        session.headers["mcp-protocol-version"] = "2025-11-25"
        del session.headers["Authorization"]
        created = await session.call("create_assignment", title="t", assignee="x@example.com")
    assert created["structuredContent"]["owner"] == "local@example.com"
