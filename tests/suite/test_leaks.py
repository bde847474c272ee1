"""The leak detectors: what they find, what they leave alone, and that findings never show a secret."""

from __future__ import annotations

import base64

from pytest_mcp.suite.leaks import LeakDetector, secret_env_values

TRACEBACK = 'Traceback (most recent call last):\n  File "/srv/app.py", line 3, in run\nKeyError: x'
PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin"


def kinds(leaks) -> set[str]:
    return {leak.kind for leak in leaks}


def test_stack_traces_file_contents_and_credentials_are_found() -> None:
    detector = LeakDetector()
    assert kinds(detector.scan({"content": [{"type": "text", "text": TRACEBACK}]})) == {"stack trace"}
    assert kinds(detector.scan({"text": PASSWD})) == {"file contents"}
    node = "Error: boom\n    at handler (/srv/index.js:10:5)\n    at main (/srv/index.js:20:1)"
    assert kinds(detector.scan(node)) == {"stack trace"}
    assert kinds(detector.scan("key AKIAABCDEFGHIJKLMNOP leaked")) == {"secret"}


def test_base64_blobs_are_decoded_before_scanning() -> None:
    blob = base64.b64encode(PASSWD.encode()).decode()
    leaks = LeakDetector().scan({"contents": [{"uri": "file:///x", "blob": blob}]})
    assert kinds(leaks) == {"file contents"} and "(decoded)" in leaks[0].where


def test_environment_secrets_are_found_and_never_shown() -> None:
    detector = LeakDetector({"SERVICE_API_KEY": "s3cr3t-v4lue-123", "HOME": "/root"})
    leaks = detector.scan({"text": "configured with s3cr3t-v4lue-123"})
    assert [leak.rule for leak in leaks] == ["value of the server's environment variable SERVICE_API_KEY"]
    assert "s3cr3t" not in leaks[0].describe()


def test_what_the_request_sent_is_not_a_leak() -> None:
    detector = LeakDetector({"SERVICE_TOKEN": "tok-123456789"})
    sent = {"path": "../../etc/passwd", "echo": "tok-123456789 " + PASSWD}
    assert detector.scan({"text": "tok-123456789 " + PASSWD}, sent) == []


def test_values_that_are_not_secrets_are_not_looked_for() -> None:
    env = {
        "XAUTHORITY": "/home/user/.Xauthority",
        "AUTH_SERVER": "https://auth.example.com/realm",
        "API_KEY_ENABLED": "true",
        "TOKEN_TTL": "3600",
        "DB_PASSWORD": "correct horse battery",
    }
    assert secret_env_values(env) == {"DB_PASSWORD": "correct horse battery"}


def test_kinds_limit_what_a_scan_looks_for() -> None:
    detector = LeakDetector({"SERVICE_API_KEY": "s3cr3t-v4lue-123"})
    text = TRACEBACK + " s3cr3t-v4lue-123"
    assert kinds(detector.scan(text, kinds=("environment",))) == {"secret"}
    assert kinds(detector.scan(text, kinds=("stack trace",))) == {"stack trace"}


def test_secrets_given_away_with_their_name_are_found() -> None:
    detector = LeakDetector()
    assert kinds(detector.scan("connect failed: password=hunter2hunter2 for db")) == {"secret"}
    assert kinds(detector.scan({"error": {"data": {"api_key": "k-93jd8Qz1x"}}})) == {"secret"}
    assert kinds(detector.scan('config {"client_secret": "a8f3k2m9q1"}')) == {"secret"}


def test_names_without_a_secret_value_are_not_leaks() -> None:
    detector = LeakDetector()
    for text in (
        "password: ********",
        "api_key=<your key>",
        "Set password: must be at least 8 characters",
        "token: ${API_TOKEN}",
        '{"password": "[REDACTED]"}',
        "password=None",
    ):
        assert detector.scan(text) == [], text
    assert detector.scan({"properties": {"password": {"type": "string"}}}) == []
    assert detector.scan({"password": "hunter2hunter2"}, sent={"password": "hunter2hunter2"}) == []
