"""Redaction by default: no secret the plugin was given or made reaches any channel it writes.

One pytester run fails a test per way a secret enters (a server logging the Authorization header
to its stderr, ``mcp_client(token=...)``, a ``TokenIssuer`` JWT minted in the test, headers of
``spawn_http``/``asgi`` targets, ``stdio(env=...)``), then every channel is searched for every
secret: the terminal, the JUnit XML, the pytest-html report, the transcript JSONL files and the
coverage JSON.
"""

from __future__ import annotations

import base64
import html
import json
import re

import pytest

from pytest_mcp.redact import REDACTED, SECRETS, SecretRegistry

pytest.importorskip("pytest_html")

MARKER_TOKEN = "markertok7Qx2Lr9Vb4Nz8Kp"
HEADER_TOKEN = "hdrtok3Jm6Tw1Ys5Gd0Hf"
HEADER_KEY = "hdrkey8Pn2Wq4Zr6Xc1Vb"
ASGI_COOKIE = "cookieval5Rt7Yu9Io2Pl"
ENV_KEY = "envkey4Df6Gh8Jk0Lz3Mx"
ENV_PASSWORD = "envpw9Cv1Bn3Mq5We7Rt"
CLI_TOKEN = "clitok2As4Df6Gh8Jk0L"

FIXED_SECRETS = (MARKER_TOKEN, HEADER_TOKEN, HEADER_KEY, ASGI_COOKIE, ENV_KEY, ENV_PASSWORD, CLI_TOKEN)

SERVER = """
import os
import sys

from mcp.server.mcpserver import Context, MCPServer


def make_server():
    mcp = MCPServer("leaky")

    @mcp.tool()
    def whoami(ctx: Context) -> str:
        headers = ctx.headers or {}
        auth = headers.get("authorization", "")
        print(f"leaky: Authorization: {auth}", file=sys.stderr, flush=True)
        print(f"leaky: x-api-key={headers.get('x-api-key', '')} cookie={headers.get('cookie', '')}", file=sys.stderr, flush=True)
        key, password = os.environ.get("LEAKY_API_KEY", ""), os.environ.get("LEAKY_DB_PASSWORD", "")
        print(f"leaky: env API_KEY={key} DB_PASSWORD={password}", file=sys.stderr, flush=True)
        return f"auth={auth} key={key} password={password} api-key={headers.get('x-api-key', '')}"

    return mcp


if __name__ == "__main__":
    if "--port" in sys.argv:
        make_server().run(transport="streamable-http", host="127.0.0.1", port=int(sys.argv[-1]))
    else:
        make_server().run()
"""

TESTS = f"""
import sys

import pytest
import pytest_mcp
from pytest_mcp import TokenIssuer

from server import make_server

pytestmark = pytest.mark.anyio

STDIO = pytest_mcp.stdio(
    sys.executable, "server.py", "--api-key={ENV_KEY}", env={{"LEAKY_API_KEY": "{ENV_KEY}", "LEAKY_DB_PASSWORD": "{ENV_PASSWORD}"}}
)
HTTP = pytest_mcp.spawn_http(
    sys.executable, "server.py", "--port", "{{port}}",
    headers={{"Authorization": "Bearer {HEADER_TOKEN}", "X-Api-Key": "{HEADER_KEY}"}},
)
ASGI = pytest_mcp.asgi(make_server, headers={{"Cookie": "session={ASGI_COOKIE}"}})


@pytest.mark.mcp_server(ASGI)
@pytest.mark.mcp_client(token="{MARKER_TOKEN}")
async def test_marker_token(mcp_client, pytestconfig):
    result = await mcp_client.call("whoami")
    print("the token was", "{MARKER_TOKEN}", "and the CLI token", pytestconfig.getoption("mcp_auth_token"))
    assert result.text == "{MARKER_TOKEN}"


@pytest.mark.mcp_server(HTTP)
async def test_spawn_http_headers(mcp_client, mcp_server):
    result = await mcp_client.call("whoami")
    print(mcp_server.target)
    assert result.text == repr(mcp_server.target)


@pytest.mark.mcp_server(STDIO)
async def test_stdio_env(mcp_client, mcp_server):
    result = await mcp_client.call("whoami")
    target = mcp_server.target
    print(target)
    assert result.text == repr(target)


@pytest.mark.mcp_server(HTTP)
async def test_issuer_jwt(mcp_client_factory):
    issuer = TokenIssuer(serve=False)
    token = issuer.token(sub="alice")
    with open("jwt.txt", "w") as handle:
        handle.write(token)
    signature = token.split(".")[2]
    print("minted", token, "signed", signature)
    async with mcp_client_factory(token=token) as client:
        result = await client.call("whoami")
    assert result.text == signature, f"{{token}} has signature {{signature}}"
"""


def _html_text(raw: str) -> str:
    """The pytest-html report as text: its HTML-escaped JSON data blob decoded, and every base64
    ``data:`` URI of a text extra decoded, so a secret cannot hide in an encoding."""
    text = html.unescape(raw)
    blob = re.search(r'data-jsonblob="([^"]*)"', raw)
    if blob:
        text += json.dumps(json.loads(html.unescape(blob.group(1))), ensure_ascii=False)
    for encoded in re.findall(r"data:text/[a-z]+;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)", text):
        text += "\n" + base64.b64decode(encoded).decode("utf-8", "replace")
    return text


def _occurrences(secret: str, channels: dict[str, str]) -> dict[str, int]:
    return {name: text.count(secret) for name, text in channels.items() if secret in text}


def test_no_secret_reaches_any_channel(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(server=SERVER, test_leaky=TESTS)
    result = mcp_pytester.runpytest_subprocess(
        "-l",
        f"--mcp-auth-token={CLI_TOKEN}",
        "--junitxml=junit.xml",
        "--mcp-transcript-dir=transcripts",
        "--html=report.html",
        "--self-contained-html",
        "--mcp-cov",
        "--mcp-cov-report=cov.json",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(failed=4)
    root = mcp_pytester.path
    jwt = (root / "jwt.txt").read_text()
    channels = {
        "terminal": result.stdout.str() + result.stderr.str(),
        "junit": (root / "junit.xml").read_text(),
        "html": _html_text((root / "report.html").read_text()),
        "jsonl": "".join(path.read_text() for path in sorted((root / "transcripts").glob("*.jsonl"))),
        "coverage": (root / "cov.json").read_text(),
    }
    assert channels["jsonl"], "the transcript files were written"
    names = ("marker", "header", "api-key", "cookie", "env-key", "env-password", "cli")
    secrets = dict(zip(names, FIXED_SECRETS, strict=True))
    secrets |= {"jwt": jwt, "jwt-signature": jwt.split(".")[2], "jwt-claims": jwt.split(".")[1]}
    leaked = {name: found for name, secret in secrets.items() if (found := _occurrences(secret, channels))}
    # pieces of the JWT, as pytest shortens long values
    pieces = {m for text in channels.values() for m in re.findall(r"[A-Za-z0-9_-]{12,}", text) if m in jwt}
    assert leaked == {} and not pieces, (leaked, pieces)
    # Not vacuous: each channel shows redacted values where the secrets were.
    for name in ("terminal", "junit", "html", "jsonl", "coverage"):
        assert REDACTED in channels[name], name
    assert "MCP server stderr" in channels["terminal"]
    assert "leaky: Authorization: «redacted»" in channels["terminal"]
    assert "leaky: env API_KEY=«redacted» DB_PASSWORD=«redacted»" in channels["terminal"]


def test_the_registry_knows_what_targets_tokens_and_issuers_were_given() -> None:
    from pytest_mcp.auth import TokenIssuer
    from pytest_mcp.server.targets import http, stdio

    http("http://127.0.0.1:1/mcp", headers={"Authorization": "Bearer httptok5Tg7Yh9Uj", "Accept": "x/yz-long"})
    stdio(
        "server",
        env={
            "SERVICE_TOKEN": "envtok1Qa3Ws5Ed",
            "HOME_DIR": "/not/a/secret",
            "AUTH_ENABLED": "true",
            "AUTH_URL": "http://127.0.0.1:9/x",
        },
    )
    issuer = TokenIssuer(serve=False)
    jwt = issuer.token()
    client = issuer.register_client()
    known = SECRETS.values()
    for secret in (
        "httptok5Tg7Yh9Uj",
        "Bearer httptok5Tg7Yh9Uj",
        "envtok1Qa3Ws5Ed",
        jwt,
        jwt.split(".")[2],
        client.client_secret,
    ):
        assert secret in known
    for harmless in ("x/yz-long", "/not/a/secret", "true", "http://127.0.0.1:9/x"):
        assert harmless not in known


def test_the_redactor_hides_secrets_their_escapes_and_pieces_of_tokens() -> None:
    registry = SecretRegistry()
    token = "tok_" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv"
    registry.add_token(token)
    registry.add('pass"word1')
    registry.add("abc")  # too short to hide without garbling every report
    redactor = registry.redactor()
    assert redactor.text(f"t={token}") == f"t={REDACTED}"
    assert redactor.text(json.dumps({"p": 'pass"word1'})) == json.dumps({"p": REDACTED}, ensure_ascii=False)
    assert redactor.text(f"'{token[:14]}...{token[-12:]}'") == f"'{REDACTED}...{REDACTED}'"
    assert redactor.text("abc and function_name") == "abc and function_name"
    assert registry.redactor() is redactor, "cached until a secret is added"
    registry.add("another-secret")
    assert registry.redactor() is not redactor


def test_session_registry_holds_the_cli_token_and_chains_to_the_global_one(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        from pytest_mcp.redact import SECRETS, session_secrets

        def test_registry(pytestconfig):
            registry = session_secrets(pytestconfig)
            assert registry is session_secrets(pytestconfig)
            assert "{CLI_TOKEN}" in registry.values() and "{CLI_TOKEN}" not in SECRETS.values()
            SECRETS.add("late-global-secret")
            assert registry.redactor().text("late-global-secret") == "{REDACTED}"
        """
    )
    mcp_pytester.runpytest(f"--mcp-auth-token={CLI_TOKEN}").assert_outcomes(passed=1)


def test_passing_tests_without_output_are_not_redacted(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makeconftest(
        """
        from pytest_mcp import redact

        REDACTED_REPORTS = []
        original = redact.Redactor.report

        def recording(self, report, **options):
            REDACTED_REPORTS.append((report.nodeid.split("::")[-1], report.when))
            original(self, report, **options)

        redact.Redactor.report = recording
        """
    )
    mcp_pytester.makepyfile(
        """
        from conftest import REDACTED_REPORTS

        def test_quiet():
            pass

        def test_noisy():
            print("some output")

        def test_check():
            # pytest repeats the captured output of the call in the teardown report
            assert REDACTED_REPORTS == [("test_noisy", "call"), ("test_noisy", "teardown")]
        """
    )
    result = mcp_pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_auth_token_help_says_where_it_applies(pytester: pytest.Pytester) -> None:
    help_text = " ".join(pytester.runpytest("--help").stdout.str().split())
    assert "--mcp-auth-token=TOKEN" in help_text
    assert "mcp_client(token=...)" in help_text
