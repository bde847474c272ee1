"""pytest hooks and fixtures of pytest_mcp.auth, loaded by pytest_mcp.plugin.

Must stay cheap to import: no MCP SDK, pydantic, starlette, PyJWT or cryptography at module level.

* ``mcp_token_issuer`` (session): a started ``TokenIssuer``, configured by ``--mcp-token-*`` /
  ``mcp_token_*``; override the fixture in a conftest.py for anything else.
* ``mcp_token`` (function): a valid token; marker ``mcp_token(...)`` takes ``TokenIssuer.token()``'s
  keywords and also makes the ``mcp_client`` fixture carry that token.
* every token an issuer mints and every client secret it issues is registered with
  ``pytest_mcp.redact``, so reports hide them (even truncated ones), whoever built the issuer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

import pytest

from .. import markers
from .._docs import docs_url
from ..fixture_injection import EarlyFixture
from ..settings import Option, add_options, choice, read_options, text
from .options import AUTH_TOKEN_OPTION, TokenOptions

if TYPE_CHECKING:
    from .issuer import TokenIssuer

DOCS: Final = docs_url("auth.md")
OPTIONS: Final = (
    Option(
        "token_issuer",
        text,
        None,
        "The 'iss' of tokens minted by mcp_token_issuer (default: its loopback URL, http://127.0.0.1:PORT).",
        metavar="URL",
    ),
    Option(
        "token_audience",
        text,
        "http://127.0.0.1:8000/mcp",
        "The default 'aud' of minted tokens: the resource URL the server under test expects "
        "(default http://127.0.0.1:8000/mcp, the URL of in-process asgi(...) targets).",
        metavar="URL",
    ),
    Option(
        "token_scopes",
        text,
        "",
        "Space-separated default scopes of minted tokens (default: none).",
        metavar="SCOPES",
    ),
    Option(
        "token_algorithm",
        choice(("RS256", "ES256")),
        "RS256",
        "Signing algorithm of minted tokens (default RS256).",
        metavar="ALG",
        choices=("RS256", "ES256"),
    ),
)

ISSUER_OPTIONS_KEY: Final = pytest.StashKey[dict[str, Any]]()
TOKEN_KEY: Final = pytest.StashKey[str]()
EARLY_FIXTURES: Final = (EarlyFixture("_mcp_auth", markers=frozenset({"mcp_token"})),)
"""Set up ``_mcp_auth`` first in tests that carry ``mcp_token`` (see ``pytest_mcp.fixture_injection``)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser, (*OPTIONS, AUTH_TOKEN_OPTION))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", markers.signature_text("mcp_token", TokenOptions, DOCS))
    values = read_options(config, OPTIONS)
    config.stash[ISSUER_OPTIONS_KEY] = {
        "issuer": values["token_issuer"],
        "audience": values["token_audience"],
        "scopes": values["token_scopes"],
        "algorithm": values["token_algorithm"],
    }


def pytest_report_header(config: pytest.Config) -> list[str]:
    options = config.stash[ISSUER_OPTIONS_KEY]
    defaults = {"issuer": None, "audience": "http://127.0.0.1:8000/mcp", "scopes": "", "algorithm": "RS256"}
    if options == defaults:
        return []
    shown = ", ".join(f"{name}={value or '(loopback)'}" for name, value in options.items())
    return [f"mcp auth: {shown}"]


@pytest.fixture(scope="session")
def mcp_token_issuer(pytestconfig: pytest.Config) -> Iterator[TokenIssuer]:
    """A started local token issuer (JWKS, RFC 8414 metadata, client-credentials token endpoint on loopback).

    Session-scoped (one per xdist worker). Configure it with ``--mcp-token-*`` / ``mcp_token_*``, or
    override this fixture in a conftest.py to build your own ``TokenIssuer``.
    """
    from .issuer import TokenIssuer

    with TokenIssuer(**pytestconfig.stash[ISSUER_OPTIONS_KEY]) as issuer:
        yield issuer


@pytest.fixture
def mcp_token(request: pytest.FixtureRequest, mcp_token_issuer: TokenIssuer) -> str:
    """A valid access token from ``mcp_token_issuer`` (options from ``@pytest.mark.mcp_token``)."""
    stored: str | None = request.node.stash.get(TOKEN_KEY, None)
    if stored is not None:
        return stored
    try:
        options = markers.merged_options(request.node, "mcp_token", TokenOptions, DOCS)
        token = mcp_token_issuer.token(options)
    except (pytest.UsageError, TypeError, ValueError) as exc:
        problem = str(exc)
    else:
        request.node.stash[TOKEN_KEY] = token
        return token
    pytest.fail(problem, pytrace=False)


@pytest.fixture
def _mcp_auth(request: pytest.FixtureRequest) -> None:
    """For tests that carry ``@pytest.mark.mcp_token``: make ``mcp_client`` carry the token."""
    marked = request.node.get_closest_marker("mcp_token") is not None
    if not marked:
        return
    token = request.getfixturevalue("mcp_token")
    if not _explicit_client_token_is_nearer(request.node):
        # Exactly as if the test carried @pytest.mark.mcp_client(token=...): the core merges it.
        request.node.add_marker(pytest.mark.mcp_client(token=token))


def _explicit_client_token_is_nearer(item: Any) -> bool:
    """Whether an ``mcp_client(token=...)`` marker sits at least as close to the test as ``mcp_token``."""
    chain = item.listchain()
    depth = {id(node): index for index, node in enumerate(chain)}
    token_depth = max(depth[id(node)] for node, _ in item.iter_markers_with_node("mcp_token"))
    client_depths = [
        depth[id(node)] for node, marker in item.iter_markers_with_node("mcp_client") if "token" in marker.kwargs
    ]
    return bool(client_depths) and max(client_depths) >= token_depth
