"""Config.from_env: defaults, parsing, and refusing inconsistent settings."""

from __future__ import annotations

import json

import pytest

from example_server.config import DEFAULT_SCOPES, MEMORY_DB, Config

pytestmark = pytest.mark.unit


def test_defaults():
    config = Config.from_env({})
    assert config == Config()
    assert (config.db_url, config.user, config.scopes) == (MEMORY_DB, "dev@example.com", DEFAULT_SCOPES)
    assert config.directory_url is None and not config.directory_enabled
    assert config.directory_timeout == 2.0
    assert not config.auth_enabled and config.required_scopes == ()


def test_everything_from_the_environment():
    keys = {"keys": [{"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}]}
    config = Config.from_env(
        {
            "ASSIGNMENTS_DB": "postgresql://u@db/assignments",
            "ASSIGNMENTS_USER": "ops@example.com",
            "ASSIGNMENTS_SCOPES": "assignments:read  assignments:read admin",
            "ASSIGNMENTS_DIRECTORY_URL": "https://dir.example.test",
            "ASSIGNMENTS_DIRECTORY_TIMEOUT": "0.5",
            "ASSIGNMENTS_JWKS": json.dumps(keys),
            "ASSIGNMENTS_ISSUER": "https://issuer.example.test",
            "ASSIGNMENTS_AUDIENCE": "http://127.0.0.1:9000/mcp",
            "ASSIGNMENTS_REQUIRED_SCOPES": "assignments:read",
        }
    )
    assert config.db_url == "postgresql://u@db/assignments"
    assert config.scopes == ("assignments:read", "admin")
    assert config.directory_enabled and config.directory_timeout == 0.5
    assert config.auth_enabled and config.jwks == keys
    assert config.authorization_server == "https://issuer.example.test"
    assert config.required_scopes == ("assignments:read",)


def test_empty_scopes_variable_means_no_scopes():
    assert Config.from_env({"ASSIGNMENTS_SCOPES": ""}).scopes == ()


def test_separate_authorization_server():
    config = Config.from_env(
        {
            "ASSIGNMENTS_JWKS_URL": "https://issuer.example.test/jwks",
            "ASSIGNMENTS_ISSUER": "https://issuer.example.test",
            "ASSIGNMENTS_AUDIENCE": "http://127.0.0.1:9000/mcp",
            "ASSIGNMENTS_AUTH_SERVER": "https://login.example.test",
        }
    )
    assert config.authorization_server == "https://login.example.test"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ASSIGNMENTS_DIRECTORY_TIMEOUT": "soon"}, "ASSIGNMENTS_DIRECTORY_TIMEOUT"),
        ({"ASSIGNMENTS_DIRECTORY_TIMEOUT": "0"}, "ASSIGNMENTS_DIRECTORY_TIMEOUT"),
        ({"ASSIGNMENTS_DB": "mysql://db"}, "ASSIGNMENTS_DB"),
        ({"ASSIGNMENTS_JWKS": "{not json"}, "ASSIGNMENTS_JWKS"),
        ({"ASSIGNMENTS_JWKS_URL": "https://i.example.test/jwks"}, "ASSIGNMENTS_ISSUER"),
    ],
)
def test_bad_settings_are_refused(env, message):
    with pytest.raises(ValueError, match=message):
        Config.from_env(env)


def test_scopes_may_be_given_as_a_string():
    assert Config(scopes="a b").scopes == ("a", "b")
