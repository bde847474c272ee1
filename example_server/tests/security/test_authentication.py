"""Authentication over Streamable HTTP: who gets in, and how the refusal looks.

Tokens come from ``mcp_token_issuer``; ``@pytest.mark.mcp_token(...)`` makes ``mcp_client``
carry one. Refusals are checked twice: at the HTTP layer with exact bytes (``RawHttp``: status
401 and the ``WWW-Authenticate`` challenge pointing at the protected-resource metadata), and
from a real SDK client, which must not get a session at all.
"""

from __future__ import annotations

import pytest

from example_server.auth import JwtTokenVerifier
from pytest_mcp import assert_protocol_error, assert_structured
from pytest_mcp.auth import BAD_TOKEN_KINDS, TokenIssuer

from ..factories import AssignmentArgsFactory
from .conftest import INITIALIZE, READ_WRITE, bearer, protected, raw_http

pytestmark = [pytest.mark.anyio, pytest.mark.security]

RESOURCE_METADATA = "http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp"


def assert_bearer_challenge(reply) -> None:
    __tracebackhide__ = True
    assert reply.status == 401, reply.text
    challenge = reply.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert 'error="invalid_token"' in challenge
    assert f'resource_metadata="{RESOURCE_METADATA}"' in challenge


async def test_no_token_is_401_with_a_bearer_challenge(mcp_server):
    async with raw_http(mcp_server) as http:
        reply = await http.post(INITIALIZE)
    assert_bearer_challenge(reply)
    assert "result" not in reply.text


async def test_an_sdk_client_without_a_token_gets_no_session(mcp_client_factory):
    with assert_protocol_error():
        async with mcp_client_factory():
            pass


@pytest.mark.parametrize("kind", [kind for kind in BAD_TOKEN_KINDS if kind != "missing_scope"])
async def test_every_kind_of_bad_token_is_401(mcp_server, mcp_token_issuer, kind):
    token = mcp_token_issuer.bad_token(kind, sub="mallory@example.com", scopes=READ_WRITE)
    async with raw_http(mcp_server, **bearer(token)) as http:
        reply = await http.post(INITIALIZE)
    assert_bearer_challenge(reply)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Basic YWxpY2U6c2VjcmV0", id="basic-scheme"),
        pytest.param("Bearer", id="empty-bearer"),
        pytest.param("Bearer not.a.jwt", id="garbage"),
    ],
)
async def test_malformed_authorization_headers_are_401(mcp_server, header):
    async with raw_http(mcp_server, authorization=header) as http:
        reply = await http.post(INITIALIZE)
    assert reply.status == 401


@pytest.mark.parametrize("kind", ["expired", "wrong_audience", "bad_signature"])
async def test_an_sdk_client_with_a_bad_token_gets_no_session(mcp_client_factory, mcp_token_issuer, kind):
    with assert_protocol_error():
        async with mcp_client_factory(token=mcp_token_issuer.bad_token(kind, scopes=READ_WRITE)):
            pass


@pytest.mark.mcp_token(sub="ann@example.com", scopes=READ_WRITE)
@pytest.mark.mcp_era("both")
async def test_a_valid_token_gets_in_and_its_subject_owns_what_it_creates(mcp_client):
    created = await mcp_client.call("create_assignment", **AssignmentArgsFactory())
    assert_structured(created, subset={"owner": "ann@example.com"})


@pytest.mark.mcp_token(sub="ann@example.com", scopes=READ_WRITE, algorithm="ES256")
async def test_es256_tokens_are_accepted_too(mcp_client):
    assert_structured(
        await mcp_client.call("list_assignments", assignee="nobody@example.com"), {"items": [], "next_cursor": None}
    )


async def test_a_rotated_signing_key_is_picked_up_after_the_refetch_window(mcp_client_factory, monkeypatch):
    # An issuer of its own: rotating the session's issuer would strand the other tests' servers.
    with TokenIssuer(scopes=READ_WRITE) as issuer:
        target = protected(issuer, "rotation")
        async with mcp_client_factory(server=target, token=issuer.token(sub="ann@example.com")) as client:
            await client.call("list_assignments")  # the server has fetched and cached the JWKS now
        issuer.rotate()  # tokens now carry a kid the cached JWKS lacks
        fresh = issuer.token(sub="ann@example.com")
        # Within JwtTokenVerifier.refetch_seconds an unknown kid does not trigger a refetch (no JWKS
        # hammering by forged kids), so the new token is refused ...
        with assert_protocol_error():
            async with mcp_client_factory(server=target, token=fresh):
                pass
        # ... and once the window has passed, one refetch brings the new key in.
        monkeypatch.setattr(JwtTokenVerifier, "refetch_seconds", 0.0)
        async with mcp_client_factory(server=target, token=fresh) as client:
            assert_structured(await client.call("list_assignments"), {"items": [], "next_cursor": None})


async def test_the_protected_resource_metadata_names_the_issuer(mcp_server, mcp_token_issuer):
    async with raw_http(mcp_server) as http:
        reply = await http.get(url="http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp")
    assert reply.status == 200
    document = reply.messages[0]
    assert document["resource"] == "http://127.0.0.1:8000/mcp"
    assert document["authorization_servers"] == [mcp_token_issuer.issuer]
