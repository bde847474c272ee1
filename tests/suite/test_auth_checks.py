"""The auth checks against SDK resource servers that verify real JWTs from the plugin's token issuer.

``tests/auth/protected.py`` is a correct protected server (it verifies signature, issuer, audience and
expiry against the issuer's JWKS); ``broken_servers/lax_auth.py`` plants one defect each.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import pytest_mcp
from pytest_mcp.auth import TokenIssuer
from pytest_mcp.suite.registry import checks_in, load_checks

from .broken_servers import lax_auth

H, M = "2025-11-25", "2026-07-28"


@pytest.fixture(scope="module")
def issuer() -> Iterator[TokenIssuer]:
    with TokenIssuer() as issuer:
        yield issuer


def protected(issuer: TokenIssuer, defect: str | None = None) -> Any:
    """An ASGI target: the correct protected server, or one with ``defect``."""
    from tests.auth.protected import make_server

    options = {"issuer": issuer.issuer, "audience": issuer.audience, "jwks_url": issuer.jwks_url}
    if defect is None:
        return pytest_mcp.asgi(lambda: make_server(**options))
    return pytest_mcp.asgi(lambda: lax_auth.make_server(**options, defect=defect))


def auth_checks() -> list[str]:
    load_checks()
    return [check.id for check in checks_in(["security"]) if check.auth]


@pytest.mark.parametrize("with_token", [True, False], ids=["with-token", "no-token"])
def test_a_correct_protected_server_passes(check_runner, issuer, with_token) -> None:
    token = issuer.token() if with_token else None
    runner = check_runner(protected(issuer), token=token)
    outcomes = {(check_id, era): runner.run(check_id, era) for check_id in auth_checks() for era in (H, M)}
    assert not {key: result.message for key, result in outcomes.items() if result.outcome == "failed"}
    passed = {check_id for (check_id, _), result in outcomes.items() if result.outcome == "passed"}
    always = {
        "auth.no-token-401",
        "auth.invalid-token-401",
        "auth.www-authenticate",
        "auth.protected-resource-metadata",
    }
    with_it = {"auth.token-accepted", "auth.forged-token-401", "auth.query-token-refused", "auth.session-needs-token"}
    assert passed == (always | with_it if with_token else always)


def test_with_the_token_the_other_checks_run_and_without_it_they_skip(check_runner, issuer) -> None:
    with_token = check_runner(protected(issuer), token=issuer.token()).run("tools.list.shape", M)
    without = check_runner(protected(issuer)).run("tools.list.shape", M)
    assert with_token.outcome == "passed", with_token
    assert without.outcome == "skipped" and "pass --mcp-auth-token" in without.message


@pytest.mark.parametrize(
    ("defect", "check_id", "phrase"),
    [
        ("unverified-signature", "auth.forged-token-401", "does not verify token signatures"),
        ("no-challenge", "auth.www-authenticate", "not a challenge of the Bearer scheme"),
        ("no-challenge", "auth.invalid-token-401", "RFC 6750"),
        ("no-challenge", "auth.protected-resource-metadata", "no protected-resource metadata"),
    ],
)
def test_a_planted_auth_defect_is_caught(check_runner, issuer, defect, check_id, phrase) -> None:
    token = issuer.token()
    runner = check_runner(protected(issuer, defect), token=token)
    for era in (H, M):
        result = runner.run(check_id, era)
        assert result.outcome == "failed", f"{check_id} [{era}] missed {defect}: {result}"
        assert phrase in result.message
        assert token not in result.message and token.split(".")[1] not in result.message
