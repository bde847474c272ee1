"""The auth fixtures, marker and options in real pytest runs, against servers that verify tokens for real."""

from __future__ import annotations

import sys

import pytest

PROTECTED = f"{sys.executable} -m tests.auth.protected --port {{port}}"

ASGI_CONFTEST = """
import pytest, pytest_mcp
from tests.auth.protected import make_server

@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"

@pytest.fixture
def mcp_server_target(mcp_token_issuer):
    issuer = mcp_token_issuer
    return pytest_mcp.asgi(
        lambda: make_server(issuer=issuer.issuer, audience=issuer.audience, jwks_url=issuer.jwks_url,
                            required_scopes=["read"])
    )
"""

HTTP_CONFTEST = f"""
import pytest, pytest_mcp

@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"

@pytest.fixture
def mcp_server_target(mcp_token_issuer):
    issuer = mcp_token_issuer
    return pytest_mcp.spawn_http(
        "{PROTECTED}",
        env={{"PROTECTED_JWKS_URL": issuer.jwks_url, "PROTECTED_ISSUER": issuer.issuer,
             "PROTECTED_AUDIENCE": issuer.audience, "PROTECTED_SCOPES": "read"}},
    )
"""


def test_mcp_token_is_a_valid_token_of_the_session_issuer(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        """
        import pytest

        def test_default(mcp_token, mcp_token_issuer):
            claims = mcp_token_issuer.decode(mcp_token)
            assert (claims["sub"], claims["scope"], claims["iss"]) == ("test-user", "", mcp_token_issuer.url)

        @pytest.mark.mcp_token(sub="ann", scopes=["read", "admin"], expires_in=60, tenant="t1", algorithm="ES256")
        def test_marked(mcp_token, mcp_token_issuer):
            claims = mcp_token_issuer.decode(mcp_token)
            assert (claims["sub"], claims["scope"], claims["tenant"]) == ("ann", "read admin", "t1")
            assert claims["exp"] - claims["iat"] == 60

        @pytest.mark.mcp_token(sub="outer", scopes="read")
        class TestNearestWins:
            @pytest.mark.mcp_token(sub="inner")
            def test_it(self, mcp_token, mcp_token_issuer):
                claims = mcp_token_issuer.decode(mcp_token)
                assert (claims["sub"], claims["scope"]) == ("inner", "read")

        ISSUERS = []

        def test_one_issuer_per_session_a(mcp_token_issuer):
            ISSUERS.append(mcp_token_issuer)

        def test_one_issuer_per_session_b(mcp_token_issuer):
            assert ISSUERS == [mcp_token_issuer]
        """
    )
    mcp_pytester.runpytest().assert_outcomes(passed=5)


def test_the_marker_makes_mcp_client_carry_the_token(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makeconftest(ASGI_CONFTEST)
    mcp_pytester.makepyfile(
        """
        import pytest
        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_token(sub="ann@example.com", scopes=["read", "write"])
        async def test_marked(mcp_client, mcp_token):
            result = await mcp_client.call("whoami")
            assert result.structured == {"sub": "ann@example.com", "scopes": ["read", "write"]}
            assert mcp_client.headers["Authorization"] == f"Bearer {mcp_token}"

        @pytest.mark.mcp_token(sub="someone", scopes="read")
        @pytest.mark.mcp_client(token="not-a-token")
        async def test_an_explicit_client_token_on_the_same_node_wins(mcp_client):
            pass

        async def test_unmarked_clients_carry_no_token(mcp_client):
            pass

        async def test_factory_clients_take_any_token(mcp_client_factory, mcp_token_issuer):
            async with mcp_client_factory(token=mcp_token_issuer.token(sub="bob", scopes="read")) as client:
                assert (await client.call("whoami")).structured["sub"] == "bob"
        """
    )
    result = mcp_pytester.runpytest("-v")
    result.stdout.fnmatch_lines(
        [
            "*test_marked PASSED*",
            "*test_an_explicit_client_token_on_the_same_node_wins ERROR*",
            "*test_unmarked_clients_carry_no_token ERROR*",
            "*test_factory_clients_take_any_token PASSED*",
        ]
    )
    result.assert_outcomes(passed=2, errors=2)


def test_a_module_marker_yields_to_a_nearer_explicit_token(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makeconftest(ASGI_CONFTEST)
    mcp_pytester.makepyfile(
        """
        import pytest
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_token(sub="module-user", scopes="read"),
                      pytest.mark.mcp_client(token="module-level-garbage")]

        async def test_module_level_explicit_token_wins_on_a_tie(mcp_client):
            pass

        @pytest.mark.mcp_token(sub="test-user-2")
        async def test_nearer_mcp_token_wins(mcp_client):
            assert (await mcp_client.call("whoami")).structured["sub"] == "test-user-2"
        """
    )
    result = mcp_pytester.runpytest("-v")
    result.stdout.fnmatch_lines(
        ["*test_module_level_explicit_token_wins_on_a_tie ERROR*", "*test_nearer_mcp_token_wins PASSED*"]
    )


def test_positional_marker_arguments_are_usage_errors(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mcp_token("ann")
        def test_it(mcp_token):
            pass
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.mcp_token: too many positional arguments. Signature: mcp_token(*, sub: str | None = None,*"]
    )
    result.assert_outcomes(errors=1)


def test_http_status_of_good_and_bad_tokens_against_a_spawned_server(mcp_pytester: pytest.Pytester) -> None:
    """200 for a valid token, 401 for every refused one, 403 for a missing scope: real verification."""
    mcp_pytester.makeconftest(HTTP_CONFTEST)
    mcp_pytester.makepyfile(
        """
        import httpx2, pytest
        from pytest_mcp.auth import BAD_TOKEN_KINDS
        pytestmark = pytest.mark.anyio

        INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
        ACCEPT = {"accept": "application/json, text/event-stream"}

        async def post(url, token):
            headers = dict(ACCEPT, authorization=f"Bearer {token}") if token else ACCEPT
            async with httpx2.AsyncClient(timeout=10) as http:
                async with http.stream("POST", url, json=INIT, headers=headers) as reply:
                    return reply.status_code, reply.headers.get("www-authenticate", "")

        @pytest.mark.mcp_token(scopes="read")
        async def test_statuses(mcp_server, mcp_token, mcp_token_issuer):
            assert await post(mcp_server.url, mcp_token) == (200, "")
            status, challenge = await post(mcp_server.url, None)
            assert status == 401 and 'error="invalid_token"' in challenge
            for kind in BAD_TOKEN_KINDS:
                status, challenge = await post(mcp_server.url, mcp_token_issuer.bad_token(kind, scopes="read"))
                if kind == "missing_scope":
                    assert status == 403 and 'error="insufficient_scope"' in challenge, kind
                else:
                    assert status == 401 and 'error="invalid_token"' in challenge, kind

        @pytest.mark.mcp_token(sub="carol", scopes="read")
        async def test_client_over_http(mcp_client, mcp_token_issuer):
            assert (await mcp_client.call("whoami")).structured == {"sub": "carol", "scopes": ["read"]}
            # the spawned server fetched the signing keys from the loopback issuer
            assert any(r.path == "/.well-known/jwks.json" and r.status == 200 for r in mcp_token_issuer.requests)
        """
    )
    result = mcp_pytester.runpytest("-v")
    result.assert_outcomes(passed=2)


def leaks(secret: str, output: str, width: int = 10) -> list[str]:
    """Every ``width``-character window of ``secret`` that appears in ``output``."""
    return [secret[i : i + width] for i in range(len(secret) - width + 1) if secret[i : i + width] in output]


@pytest.mark.parametrize("verbosity", [[], ["-vv"]], ids=["shortened-values", "full-values"])
def test_reports_of_failing_tests_never_show_a_token(mcp_pytester: pytest.Pytester, verbosity) -> None:
    mcp_pytester.makeconftest(ASGI_CONFTEST)
    mcp_pytester.makepyfile(
        """
        import pytest
        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_token(sub="dave", scopes="read")
        async def test_fails(mcp_client, mcp_token, mcp_token_issuer):
            client = mcp_token_issuer.register_client(scopes="read")
            with open("token.txt", "w") as handle:
                handle.write(mcp_token + "\\n" + client.client_secret)
            secret = client.client_secret
            print("the token is", mcp_token, "and the secret", secret)
            await mcp_client.call("whoami")
            assert mcp_token == "something else", f"bad token {mcp_token} / {secret}"
        """
    )
    result = mcp_pytester.runpytest("-l", "--mcp-transcript=always", *verbosity)
    result.assert_outcomes(failed=1)
    token, secret = (mcp_pytester.path / "token.txt").read_text().split("\n")
    output = result.stdout.str()
    assert "MCP transcript: mcp_client" in output
    assert "Captured stdout call" in output
    assert "the token is «redacted» and the secret «redacted»" in output
    payload_and_signature = token.split(".", 1)[1]
    assert leaks(payload_and_signature, output) == [], "not even a fragment of the claims or the signature"
    assert leaks(secret, output) == []
    result.stdout.fnmatch_lines(["*AssertionError: bad token «redacted» / «redacted»*"])


def test_options_configure_the_session_issuer(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makeini(
        """
        [pytest]
        asyncio_default_fixture_loop_scope = function
        mcp_token_scopes = read write
        mcp_token_audience = https://ini.example/mcp
        """
    )
    mcp_pytester.makepyfile(
        """
        import jwt

        def test_it(mcp_token, mcp_token_issuer):
            claims = mcp_token_issuer.decode(mcp_token)
            assert claims["scope"] == "read write"
            assert claims["aud"] == "https://cli.example/mcp"
            assert claims["iss"] == "https://issuer.example"
            assert jwt.get_unverified_header(mcp_token)["alg"] == "ES256"
        """
    )
    result = mcp_pytester.runpytest(
        "--mcp-token-audience=https://cli.example/mcp",
        "--mcp-token-algorithm=ES256",
        "--mcp-token-issuer=https://issuer.example",
    )
    result.stdout.fnmatch_lines(
        [
            "mcp auth: issuer=https://issuer.example, audience=https://cli.example/mcp, scopes=read write, "
            "algorithm=ES256"
        ]
    )
    result.assert_outcomes(passed=1)


def test_a_bad_algorithm_option_names_the_choices(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile("def test_it(): pass")
    result = mcp_pytester.runpytest("--mcp-token-algorithm=HS256")
    result.stderr.fnmatch_lines(["*--mcp-token-algorithm: 'HS256' is not one of: RS256, ES256"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_no_header_line_with_default_options(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile("def test_it(): pass")
    result = mcp_pytester.runpytest()
    result.stdout.no_fnmatch_line("mcp auth:*")
    result.assert_outcomes(passed=1)
