"""JwtTokenVerifier: which tokens are accepted, and what identity they yield."""

from __future__ import annotations

import base64
import json
import time

import httpx
import jwt
import pytest
import respx

from example_server.auth import JwtTokenVerifier, current_identity
from example_server.config import Config
from example_server.errors import ErrorKind, ToolFailure

from .tokens import AUDIENCE, ISSUER, Signer, jwks

pytestmark = [pytest.mark.anyio, pytest.mark.unit]

RSA = Signer.rsa()
EC = Signer.ec()
JWKS_URL = "https://auth.example.test/.well-known/jwks.json"


def verifier(*signers: Signer) -> JwtTokenVerifier:
    return JwtTokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks(*(signers or (RSA, EC))))


def unsigned(header: dict, claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


@pytest.mark.parametrize("signer", [RSA, EC], ids=["RS256", "ES256"])
async def test_valid_token(signer):
    token = signer.token(scope="assignments:read admin", sub="ann@example.com")
    access = await verifier().verify_token(token)
    assert access is not None
    assert (access.subject, access.scopes, access.resource) == (
        "ann@example.com",
        ["assignments:read", "admin"],
        AUDIENCE,
    )
    assert access.expires_at == jwt.decode(token, options={"verify_signature": False})["exp"]


async def test_token_without_kid_uses_the_only_key_of_its_algorithm():
    token = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "a", "exp": int(time.time()) + 60}, RSA.private_key, algorithm="RS256"
    )
    assert await verifier().verify_token(token) is not None
    assert await verifier(RSA, Signer.rsa("rsa-2")).verify_token(token) is None  # ambiguous


async def test_audience_list_containing_us_is_accepted():
    assert await verifier().verify_token(RSA.token(aud=["other", AUDIENCE])) is not None


async def test_missing_scope_claim_means_no_scopes():
    access = await verifier().verify_token(RSA.token(drop=("scope",)))
    assert access is not None and access.scopes == []


def now() -> int:
    return int(time.time())


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda: RSA.token(exp=now() - 1), id="expired"),
        pytest.param(lambda: RSA.token(nbf=now() + 120), id="not-yet-valid"),
        pytest.param(lambda: RSA.token(iss="https://evil.example"), id="wrong-issuer"),
        pytest.param(lambda: RSA.token(aud="http://127.0.0.1:9999/mcp"), id="wrong-audience"),
        pytest.param(lambda: RSA.token(drop=("exp",)), id="no-exp"),
        pytest.param(lambda: RSA.token(drop=("aud",)), id="no-aud"),
        pytest.param(lambda: RSA.token(drop=("iss",)), id="no-iss"),
        pytest.param(lambda: RSA.token(drop=("sub",)), id="no-sub"),
        pytest.param(lambda: RSA.token(sub=""), id="empty-sub"),
        pytest.param(lambda: RSA.token(headers={"kid": "unknown"}), id="unknown-kid"),
        pytest.param(lambda: RSA.token(headers={"kid": EC.kid}), id="kid-of-another-algorithm"),
        pytest.param(lambda: Signer.rsa(RSA.kid).token(), id="forged-with-another-key"),
        pytest.param(
            lambda: unsigned(
                {"alg": "none", "typ": "JWT"}, {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": now() + 60}
            ),
            id="alg-none",
        ),
        pytest.param(
            lambda: jwt.encode(
                {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": now() + 60},
                "a-shared-secret-that-is-long-enough",
                algorithm="HS256",
                headers={"kid": RSA.kid},
            ),
            id="HS256",
        ),
        pytest.param(
            lambda: jwt.encode(
                {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": now() + 60},
                Signer.rsa().private_key,
                algorithm="PS256",
                headers={"kid": RSA.kid},
            ),
            id="PS256",
        ),
        pytest.param(lambda: "not a jwt", id="garbage"),
        pytest.param(lambda: "", id="empty"),
    ],
)
async def test_refused_tokens(make_token):
    # Minted when the test runs: with xdist, collection can be minutes earlier than the test.
    assert await verifier().verify_token(make_token()) is None


async def test_tampered_payload_is_refused():
    header, payload, signature = RSA.token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["scope"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert await verifier().verify_token(f"{header}.{forged}.{signature}") is None


def test_symmetric_keys_in_the_jwks_are_ignored():
    secret = {"kty": "oct", "kid": "hmac", "k": base64.urlsafe_b64encode(b"s" * 32).decode().rstrip("=")}
    only_secret = {"keys": [secret, EC.jwk()]}
    v = JwtTokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=only_secret)
    assert [key.key_id for key in v._keys] == [EC.kid]


def test_needs_exactly_one_key_source():
    with pytest.raises(ValueError):
        JwtTokenVerifier(issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(ValueError):
        JwtTokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks(RSA), jwks_url=JWKS_URL)


async def test_jwks_url_is_fetched_once_and_cached():
    with respx.mock:
        route = respx.get(JWKS_URL).respond(200, json=jwks(RSA))
        v = JwtTokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=JWKS_URL)
        for _ in range(3):
            assert await v.verify_token(RSA.token()) is not None
        assert route.call_count == 1


async def test_rotated_key_triggers_a_refetch():
    rotated = Signer.rsa("rsa-rotated")
    with respx.mock:
        route = respx.get(JWKS_URL)
        route.side_effect = [httpx.Response(200, json=jwks(RSA)), httpx.Response(200, json=jwks(RSA, rotated))]
        v = JwtTokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=JWKS_URL)
        assert await v.verify_token(RSA.token()) is not None
        v._fetched_at -= v.refetch_seconds  # pretend the last fetch is old enough
        assert await v.verify_token(rotated.token()) is not None
        assert route.call_count == 2
        # An unknown kid right after a fetch does not hammer the JWKS endpoint.
        assert await v.verify_token(Signer.rsa("bogus").token()) is None
        assert route.call_count == 2


async def test_unreachable_jwks_refuses_tokens():
    with respx.mock:
        respx.get(JWKS_URL).mock(side_effect=httpx.ConnectError("refused"))
        v = JwtTokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=JWKS_URL)
        assert await v.verify_token(RSA.token()) is None


def test_identity_without_token_comes_from_config():
    identity = current_identity(Config(user="ops@example.com", scopes=("assignments:read",)))
    assert (identity.subject, identity.scopes) == ("ops@example.com", frozenset({"assignments:read"}))


def test_identity_without_token_is_refused_when_auth_is_on():
    config = Config(jwks=jwks(RSA), issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(ToolFailure) as info:
        current_identity(config)
    assert info.value.kind is ErrorKind.FORBIDDEN
