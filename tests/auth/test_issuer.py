"""TokenIssuer as a library: tokens, keys, broken tokens, and its HTTP endpoints (loopback and ASGI)."""

from __future__ import annotations

import base64
import inspect
import json
import socket
import time
from urllib.parse import urlsplit

import httpx2
import jwt
import pytest

from pytest_mcp import markers
from pytest_mcp.auth import BAD_TOKEN_KINDS, DEFAULT_AUDIENCE, TokenIssuer
from pytest_mcp.auth.issuer import _thumbprint
from pytest_mcp.auth.options import TokenOptions
from pytest_mcp.errors import McpUsageError

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def issuer():
    with TokenIssuer(scopes="read write") as started:
        yield started


def verify(token: str, jwks: dict, **options) -> dict:
    """Verify like an independent resource server would: PyJWT, the JWKS, RS256/ES256 only."""
    keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(jwks).keys}
    key = keys[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(
        token,
        key,
        algorithms=["RS256", "ES256"],
        options={"require": ["exp", "iss", "aud", "sub"]},
        **options,
    )


def served_jwks(issuer: TokenIssuer) -> dict:
    return httpx2.get(issuer.jwks_url).json()


def test_a_token_has_the_issuers_defaults_and_verifies_against_the_served_jwks(issuer: TokenIssuer) -> None:
    before = int(time.time())
    token = issuer.token()
    claims = verify(token, served_jwks(issuer), audience=DEFAULT_AUDIENCE, issuer=issuer.issuer)
    assert claims["iss"] == issuer.issuer == issuer.url
    assert urlsplit(issuer.url).hostname == "127.0.0.1"
    assert claims["sub"] == "test-user" == claims["client_id"]
    assert claims["aud"] == DEFAULT_AUDIENCE
    assert claims["scope"] == "read write"
    assert before <= claims["iat"] <= claims["exp"] - 299
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "RS256", "kid": issuer.kid("RS256"), "typ": "at+jwt"}


def test_token_keywords_override_the_defaults(issuer: TokenIssuer) -> None:
    token = issuer.token(
        sub="ann@example.com",
        scopes=["admin", "read", "admin"],
        audience="https://api.example/mcp",
        expires_in=30,
        algorithm="ES256",
        client_id="cli",
        headers={"typ": "JWT"},
        tenant="t1",
        jti=None,
    )
    claims = verify(token, issuer.jwks, audience="https://api.example/mcp", issuer=issuer.issuer)
    assert claims["sub"] == "ann@example.com"
    assert claims["scope"] == "admin read"  # duplicates collapse, order kept
    assert claims["exp"] - claims["iat"] == 30
    assert claims["client_id"] == "cli"
    assert claims["tenant"] == "t1"
    assert "jti" not in claims  # a claim given as None is left out
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": issuer.kid("ES256"), "typ": "JWT"}
    assert issuer.token(scopes="a  b").count(".") == 2
    assert issuer.decode(issuer.token(scopes="a  b"))["scope"] == "a b"


def test_the_jwks_lists_one_public_key_per_algorithm_with_rfc7638_key_ids(issuer: TokenIssuer) -> None:
    keys = issuer.jwks["keys"]
    assert sorted((key["kty"], key["alg"], key["use"]) for key in keys) == [
        ("EC", "ES256", "sig"),
        ("RSA", "RS256", "sig"),
    ]
    for key in keys:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key), "the JWKS must hold public keys only"
        members = {name: key[name] for name in (("e", "kty", "n") if key["kty"] == "RSA" else ("crv", "kty", "x", "y"))}
        assert key["kid"] == _thumbprint(members)


def test_the_thumbprint_is_rfc7638s_own_example() -> None:
    # RFC 7638 section 3.1: the example RSA key and its SHA-256 thumbprint.
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhM"
        "stn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5"
        "hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    assert _thumbprint({"kty": "RSA", "n": n, "e": "AQAB"}) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


@pytest.mark.parametrize("kind", BAD_TOKEN_KINDS)
def test_every_bad_token_is_refused_by_an_independent_verifier(issuer: TokenIssuer, kind: str) -> None:
    token = issuer.bad_token(kind, scopes=["read"])
    if kind == "missing_scope":
        claims = verify(token, served_jwks(issuer), audience=DEFAULT_AUDIENCE, issuer=issuer.issuer)
        assert claims["scope"] == "", "a missing-scope token is valid but carries no scope"
        return
    with pytest.raises((jwt.PyJWTError, KeyError)):
        verify(token, served_jwks(issuer), audience=DEFAULT_AUDIENCE, issuer=issuer.issuer)


def test_what_exactly_is_wrong_with_each_bad_token(issuer: TokenIssuer) -> None:
    now = time.time()

    def claims(kind: str, **options) -> dict:
        return jwt.decode(issuer.bad_token(kind, **options), options={"verify_signature": False})

    def header(kind: str) -> dict:
        return jwt.get_unverified_header(issuer.bad_token(kind))

    assert claims("expired")["exp"] < now - 500
    assert claims("not_yet_valid")["nbf"] > now + 500
    assert claims("wrong_audience")["aud"] != DEFAULT_AUDIENCE
    assert claims("wrong_issuer")["iss"] != issuer.issuer
    assert "exp" not in claims("no_expiry")
    assert issuer.decode(issuer.missing_scope("admin", scopes="read write admin"))["scope"] == "read write"
    assert issuer.decode(issuer.missing_scope())["scope"] == ""
    assert header("alg_none")["alg"] == "none" and issuer.alg_none().endswith(".")
    assert header("hs256_key_confusion") == {"alg": "HS256", "kid": issuer.kid("RS256"), "typ": "at+jwt"}
    assert header("bad_signature")["kid"] == issuer.kid()
    assert header("unknown_kid")["kid"] not in {key["kid"] for key in issuer.jwks["keys"]}
    assert issuer.malformed().split(".")[1] == ""
    assert set(issuer.bad_tokens()) == set(BAD_TOKEN_KINDS)
    with pytest.raises(McpUsageError, match="no bad token kind 'typo'; choose one of: expired, not_yet_valid"):
        issuer.bad_token("typo")


def test_the_hs256_confusion_token_really_is_hmac_signed_with_the_public_key(issuer: TokenIssuer) -> None:
    import hashlib
    import hmac

    from cryptography.hazmat.primitives import serialization

    token = issuer.hs256_key_confusion()
    signing_input, _, signature = token.rpartition(".")
    pem = jwt.PyJWK(next(k for k in issuer.jwks["keys"] if k["alg"] == "RS256")).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    expected = base64.urlsafe_b64encode(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()).rstrip(b"=")
    assert signature == expected.decode()


def test_rotate_signs_with_a_new_key_and_keeps_or_drops_the_old_one() -> None:
    with TokenIssuer(serve=False, algorithm="ES256") as issuer:
        old = issuer.kid()
        new = issuer.rotate()
        assert new != old and issuer.kid() == new
        assert [key["kid"] for key in issuer.jwks["keys"] if key["alg"] == "ES256"] == [new, old]
        assert jwt.get_unverified_header(issuer.token())["kid"] == new
        old_token = issuer.token()
        newest = issuer.rotate(keep_old=False)
        assert [key["kid"] for key in issuer.jwks["keys"] if key["alg"] == "ES256"] == [newest]
        with pytest.raises(jwt.InvalidTokenError, match="not signed by a key of this issuer"):
            issuer.decode(old_token)


def test_without_serving_there_is_no_socket_and_urls_use_the_issuer() -> None:
    issuer = TokenIssuer(serve=False)
    with issuer:
        assert issuer.issuer == "https://issuer.pytest-mcp.invalid"
        assert issuer.jwks_url == "https://issuer.pytest-mcp.invalid/.well-known/jwks.json"
        with pytest.raises(McpUsageError, match="not serving on loopback"):
            issuer.url  # noqa: B018
    named = TokenIssuer(issuer="https://auth.example/", serve=False)
    assert named.issuer == "https://auth.example"
    assert named.decode(named.token(), audience=DEFAULT_AUDIENCE)["iss"] == "https://auth.example"


def test_an_unstarted_serving_issuer_says_how_to_start_it() -> None:
    with pytest.raises(McpUsageError, match=r"use it as `with TokenIssuer\(\) as issuer:`"):
        TokenIssuer().token()


def test_unknown_algorithms_are_usage_errors() -> None:
    with pytest.raises(McpUsageError, match=r"TokenIssuer\(algorithm=.HS256.\): choose RS256 or ES256"):
        TokenIssuer(algorithm="HS256", serve=False)
    with pytest.raises(McpUsageError, match="algorithm 'PS256' is not supported"):
        TokenIssuer(serve=False).token(algorithm="PS256")


def test_stop_closes_the_socket() -> None:
    issuer = TokenIssuer().start()
    port = urlsplit(issuer.url).port
    assert httpx2.get(issuer.jwks_url).status_code == 200
    issuer.stop()
    issuer.stop()  # idempotent
    with socket.socket() as probe, pytest.raises(OSError):
        probe.settimeout(2)
        probe.connect(("127.0.0.1", port))


def test_the_marker_options_are_what_token_signs(issuer: TokenIssuer) -> None:
    marker = markers.options_signature(TokenOptions).parameters
    assert list(marker)[:2] == ["sub", "scopes"] and marker["claims"].kind is inspect.Parameter.VAR_KEYWORD
    by_options = issuer.decode(issuer.token(TokenOptions(sub="ann", scopes="a b", claims={"role": "admin"})))
    by_keywords = issuer.decode(issuer.token(sub="ann", scopes=["a", "b"], role="admin"))
    for claims in (by_options, by_keywords):
        assert (claims["sub"], claims["scope"], claims["role"]) == ("ann", "a b", "admin")
    with pytest.raises(McpUsageError, match="either a TokenOptions or keywords, not both"):
        issuer.token(TokenOptions(sub="ann"), role="admin")


# -- HTTP endpoints ---------------------------------------------------------------------------------


def test_metadata_is_rfc8414_and_accepted_by_the_sdk_model(issuer: TokenIssuer) -> None:
    from mcp.shared.auth import OAuthMetadata

    reply = httpx2.get(issuer.metadata_url)
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    metadata = reply.json()
    parsed = OAuthMetadata.model_validate(metadata)
    assert str(parsed.issuer) == issuer.issuer
    assert metadata["token_endpoint"] == issuer.url + "/token"
    assert metadata["jwks_uri"] == issuer.url + "/.well-known/jwks.json"
    assert metadata["grant_types_supported"] == ["client_credentials"]
    assert metadata["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]
    assert {"read", "write"} <= set(metadata["scopes_supported"])
    authorize = httpx2.get(metadata["authorization_endpoint"])
    assert (authorize.status_code, authorize.json()["error"]) == (400, "unsupported_response_type")
    assert httpx2.get(issuer.url + "/nope").status_code == 404
    assert httpx2.delete(issuer.jwks_url).status_code == 405


def test_client_credentials_with_basic_and_post_authentication(issuer: TokenIssuer) -> None:
    client = issuer.register_client("svc", "s3cret", scopes=["read", "write", "admin"])
    basic = httpx2.post(
        issuer.token_endpoint,
        data={"grant_type": "client_credentials", "scope": "read admin"},
        auth=("svc", "s3cret"),
    )
    assert basic.status_code == 200, basic.text
    assert basic.headers["cache-control"] == "no-store"
    body = basic.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "read admin" and body["expires_in"] == 300
    claims = issuer.decode(body["access_token"])
    assert (claims["sub"], claims["client_id"], claims["scope"]) == ("svc", "svc", "read admin")

    posted = httpx2.post(
        issuer.token_endpoint,
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "resource": "http://127.0.0.1:9/mcp",
        },
    )
    assert posted.status_code == 200, posted.text
    claims = issuer.decode(posted.json()["access_token"], audience="http://127.0.0.1:9/mcp")
    assert claims["scope"] == "read write admin", "no scope asked: every allowed scope is granted"
    assert issuer.requests[-1].path == "/token" and issuer.requests[-1].client_id == "svc"


@pytest.mark.parametrize(
    ("data", "auth", "status", "error"),
    [
        ({"grant_type": "client_credentials"}, ("svc2", "wrong"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, ("nobody", "x"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, None, 401, "invalid_client"),
        ({}, ("svc2", "pw"), 400, "invalid_request"),
        ({"grant_type": "password"}, ("svc2", "pw"), 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "scope": "read admin"}, ("svc2", "pw"), 400, "invalid_scope"),
    ],
    ids=["wrong-secret", "unknown-client", "no-credentials", "no-grant-type", "password-grant", "scope-not-allowed"],
)
def test_token_endpoint_errors_follow_rfc6749(issuer: TokenIssuer, data, auth, status, error) -> None:
    issuer.register_client("svc2", "pw", scopes=["read"])
    reply = httpx2.post(issuer.token_endpoint, data=data, auth=auth)
    assert (reply.status_code, reply.json()["error"]) == (status, error)
    assert reply.json()["error_description"]
    if status == 401:
        assert reply.headers["www-authenticate"].startswith("Basic")
    assert issuer.requests[-1].error == error


async def test_the_asgi_app_serves_the_same_endpoints_without_a_socket() -> None:
    issuer = TokenIssuer(issuer="https://auth.test", scopes="read", serve=False)
    client = issuer.register_client("app", "pw")
    transport = httpx2.ASGITransport(app=issuer.asgi_app)
    async with httpx2.AsyncClient(transport=transport, base_url="https://auth.test") as http:
        metadata = (await http.get("/.well-known/oauth-authorization-server")).json()
        assert metadata["issuer"] == "https://auth.test"
        assert metadata["token_endpoint"] == "https://auth.test/token"
        assert (await http.get("/.well-known/jwks.json")).json() == issuer.jwks
        reply = await http.post("/token", data={"grant_type": "client_credentials"}, auth=(client.client_id, "pw"))
        assert reply.status_code == 200
        assert issuer.decode(reply.json()["access_token"])["scope"] == "read"
        assert (await http.post("/token", data={"grant_type": "client_credentials"})).status_code == 401
    assert [request.path for request in issuer.requests] == [
        "/.well-known/oauth-authorization-server",
        "/.well-known/jwks.json",
        "/token",
        "/token",
    ]


def test_client_secrets_are_known_for_redaction(issuer: TokenIssuer) -> None:
    client = issuer.register_client()
    assert client.client_secret in issuer.client_secrets
    assert client.client_secret not in repr(client)
    assert json.dumps(issuer.metadata()).find(client.client_secret) == -1
