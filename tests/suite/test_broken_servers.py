"""Each important check CAN fail: a server with one planted defect fails exactly the check that looks for it.

The raw server (``broken_servers/rawserver.py``, no SDK) passes the whole suite when it has no defect
(``test_correct_raw_server_passes_everything``); each case below plants one ``--defect`` and runs the
one check that must catch it, in the era(s) and over the transport where it applies.
"""

from __future__ import annotations

import pytest

from pytest_mcp.suite.items import plan
from pytest_mcp.suite.registry import checks_in, load_checks

from .conftest import raw_http, raw_stdio
from .test_verdicts import HTTP_FAULTS, STDIO_FAULTS

H, M = "2025-11-25", "2026-07-28"
BOTH = (H, M)

STDIO_CASES = [
    ("id-as-string", "jsonrpc.id-echo-number", BOTH),
    ("string-id-as-number", "jsonrpc.id-echo-string", BOTH),
    ("result-and-error", "jsonrpc.response-shape", (H,)),
    ("error-code-string", "jsonrpc.unknown-method", BOTH),
    ("unknown-method-32600", "jsonrpc.unknown-method", BOTH),
    ("answer-notifications", "jsonrpc.notifications-unanswered", BOTH),
    ("answer-notifications", "cancellation.unknown-id-ignored", BOTH),
    ("crash-on-garbage", "jsonrpc.parse-error", BOTH),
    ("crash-on-garbage", "stdio.survives-malformed-lines", (H,)),
    ("serve-invalid-request", "jsonrpc.invalid-request", BOTH),
    ("echo-version", "lifecycle.version-negotiation", (H,)),
    ("undeclared-tools", "lifecycle.capabilities-declared", BOTH),
    ("ping-nonempty", "lifecycle.ping", (H,)),
    ("bad-input-schema", "tools.list.shape", BOTH),
    ("invalid-schema", "tools.list.schemas-valid", BOTH),
    ("bad-structured", "tools.call.result-valid", BOTH),
    ("bad-image", "tools.call.result-valid", (M,)),
    ("unknown-tool-ok", "tools.call.unknown-tool", BOTH),
    ("no-validation", "tools.call.invalid-arguments", BOTH),
    ("pagination-loop", "pagination.terminates", BOTH),
    ("pagination-repeat", "pagination.terminates", (H,)),
    ("empty-contents", "resources.read.unknown-uri", BOTH),
    ("blob-and-text", "resources.read.contents", BOTH),
    ("wrong-role", "prompts.get.messages", BOTH),
    ("too-many-completions", "completion.result-shape", BOTH),
    ("progress-decreasing", "progress.notifications", BOTH),
    ("progress-after-response", "progress.notifications", (H,)),
    ("progress-wrong-token", "progress.notifications", (M,)),
    ("progress-without-token", "progress.no-token-no-progress", BOTH),
    ("reply-after-cancel", "cancellation.no-reply-after-cancel", (M,)),
    ("reply-after-cancel", "cancellation.no-reply-after-cancel-handshake", (H,)),
    ("blocking", "concurrency.slow-call-does-not-block", (H,)),
    ("banner", "stdio.stdout-only-jsonrpc", (H,)),
    ("no-eof-exit", "stdio.exits-on-eof", (H,)),
    ("log-ignores-level", "logging.level-respected", BOTH),
    ("log-bad-level", "logging.messages", (H,)),
    ("no-result-type", "lifecycle.result-type", (M,)),
    ("no-cache-fields", "lifecycle.cache-fields", (M,)),
    ("ignore-meta", "lifecycle.missing-meta", (M,)),
    ("accept-any-version", "lifecycle.unsupported-version", (M,)),
    ("modern-requests", "stdio.no-requests-modern", (M,)),
    ("handshake-roots", "session.negotiated-only", (H,)),
    ("bad-meta-key", "session.meta-keys", BOTH),
    ("needs-discover", "session.stateless-first-request", (M,)),
    ("lists-vary", "session.lists-stable", (M,)),
    ("lists-shuffle", "session.lists-deterministic-order", (M,)),
    ("modern-list-changed", "session.modern-no-unsolicited", (M,)),
    ("bad-x-mcp-header", "tools.list.x-mcp-header", (M,)),
    ("template-read-malformed", "resources.templates.read", BOTH),
]

HTTP_CASES = [
    ("no-406", "http.accept-406", BOTH),
    ("session-400", "http.session.unknown-404", (H,)),
    ("session-400", "http.session.deleted-404", (H,)),
    ("sequential-sessions", "http.session.unguessable", (H,)),
    ("no-origin-check", "http.origin-403", BOTH),
    ("notification-200", "http.notification-202", (H,)),
    ("ignore-version-header", "http.protocol-version-400", (H,)),
    ("no-header-check", "http.modern.missing-headers", (M,)),
    ("no-header-check", "http.modern.header-mismatch", (M,)),
    ("unknown-method-32600", "jsonrpc.unknown-method", (M,)),
    ("require-version-header", "http.protocol-version-absent", (H,)),
    ("response-200", "http.response-post-202", (H,)),
    ("rotate-session-id", "http.session.id-stable", (H,)),
    ("sse-repeat-ids", "http.sse-event-ids-unique", (H,)),
    ("last-event-id-400", "http.modern.last-event-id-ignored", (M,)),
]

AUTH_CASES = [
    ("auth-no-metadata", "auth.www-authenticate", BOTH),
    ("auth-no-metadata", "auth.protected-resource-metadata", (H,)),
    ("auth-accept-any", "auth.invalid-token-401", BOTH),
    ("auth-query", "auth.query-token-refused", (M,)),
    ("auth-session-only", "auth.session-needs-token", (H,)),
    ("auth-403", "auth.no-token-401", BOTH),
    ("auth-refuse-token", "auth.token-accepted", BOTH),
]
TOKEN = "pytest-mcp-test-token-0123456789"


def _ids(cases: list[tuple[str, str, tuple[str, ...]]]) -> list[str]:
    return [f"{defect}->{check_id}" for defect, check_id, _ in cases]


@pytest.mark.parametrize(("defect", "check_id", "eras"), STDIO_CASES, ids=_ids(STDIO_CASES))
def test_stdio_defect_is_caught(check_runner, defect, check_id, eras) -> None:
    runner = check_runner(raw_stdio(defect))
    for era in eras:
        result = runner.run(check_id, era)
        assert result.outcome == "failed", f"{check_id} [{era}] did not catch --defect {defect}: {result}"
        assert check_id in result.message and "--mcp-baseline" in result.message


@pytest.mark.parametrize(("defect", "check_id", "eras"), HTTP_CASES, ids=_ids(HTTP_CASES))
def test_http_defect_is_caught(check_runner, defect, check_id, eras) -> None:
    runner = check_runner(raw_http(defect))
    for era in eras:
        result = runner.run(check_id, era)
        assert result.outcome == "failed", f"{check_id} [{era}] did not catch --defect {defect}: {result}"


@pytest.mark.parametrize(("defect", "check_id", "eras"), AUTH_CASES, ids=_ids(AUTH_CASES))
def test_auth_defect_is_caught(check_runner, defect, check_id, eras) -> None:
    runner = check_runner(raw_http(defect, token=TOKEN), token=TOKEN)
    for era in eras:
        result = runner.run(check_id, era)
        assert result.outcome == "failed", f"{check_id} [{era}] did not catch --defect {defect}: {result}"
        assert TOKEN not in result.message


@pytest.mark.parametrize(
    ("target", "token"),
    [
        pytest.param(lambda: raw_stdio(), None, id="stdio"),
        pytest.param(lambda: raw_http(), None, id="http"),
        pytest.param(lambda: raw_http(token=TOKEN), TOKEN, id="http-auth"),
    ],
)
def test_correct_raw_server_passes_everything(check_runner, target, token) -> None:
    """No false failures: a strict server written without the SDK passes every conformance check."""
    load_checks()
    runner = check_runner(target(), token=token)
    checks = [check for check in checks_in(["conformance", "security"]) if check.suite == "conformance" or check.auth]
    outcomes = {case.name: runner.run(case.check.id, case.era) for case in plan(checks, runner.runtime.transport)}
    failed = {name: result.message.splitlines()[0] for name, result in outcomes.items() if result.outcome == "failed"}
    assert not failed
    passed = [name for name, result in outcomes.items() if result.outcome == "passed"]
    assert len(passed) >= 100 if token is None or runner.runtime.transport == "http" else True


def test_every_conformance_check_is_exercised_by_a_defect() -> None:
    """Most checks have a planted defect proving they can fail; list the ones that do not, on purpose."""
    load_checks()
    caught = {check_id for cases in (STDIO_CASES, HTTP_CASES, AUTH_CASES) for _, check_id, _ in cases}
    caught |= {check_id for cases in (STDIO_FAULTS, HTTP_FAULTS) for _, check_id, _, _ in cases}  # test_verdicts.py
    untested = sorted(check.id for check in checks_in(["conformance"]) if check.id not in caught)
    # checks without a planted defect here are covered by the demo server (SDK departures) or are
    # about a server's own choices the raw server cannot get wrong in a meaningful way
    assert set(untested) <= {
        "jsonrpc.error-codes-2026",
        "jsonrpc.invalid-params",
        "jsonrpc.batch-no-harm",
        "lifecycle.initialize-result",
        "lifecycle.ping-before-initialized",
        "lifecycle.discover-result",
        "lifecycle.removed-methods",
        "lifecycle.server-info-meta",
        "tools.list.names",
        "tools.list.annotations",
        "tools.call.structured-text",
        "tools.call.malformed",
        "pagination.invalid-cursor",
        "resources.list.shape",
        "resources.templates.shape",
        "resources.read.unknown-uri-code",
        "resources.subscribe.roundtrip",
        "resources.subscribe.undeclared",
        "prompts.list.shape",
        "prompts.get.unknown-name",
        "prompts.get.missing-arguments",
        "completion.invalid-ref",
        "completion.undeclared",
        "logging.set-level",
        "logging.invalid-level",
        "concurrency.pipelined",
        "stdio.one-message-per-line",
        "stdio.discover-answered",
        "http.response-content-type",
        "http.session.id-visible-ascii",
        "http.session.missing-400",
        "http.host-rebinding",
        "http.get-stream-or-405",
        "http.modern.get-delete-405",
        "http.modern.no-session-id",
    }, untested


def test_every_auth_check_is_exercised_by_a_defect() -> None:
    """The auth checks (security suite) each fail on a planted defect: here or in test_auth_checks.py."""
    load_checks()
    caught = {check_id for _, check_id, _ in AUTH_CASES} | {"auth.forged-token-401"}
    assert {check.id for check in checks_in(["security"]) if check.auth} <= caught
