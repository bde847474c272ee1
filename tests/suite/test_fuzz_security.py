"""Every fuzz and security check CAN fail, and correct servers pass them all.

``broken_servers/toolbed.py`` is a low-level SDK server whose tools are all read-only (so the suite
fuzzes them by default); each case plants one ``--defect`` and runs the one check that must catch it.
"""

from __future__ import annotations

import pytest

from pytest_mcp.suite.registry import checks_in, load_checks

from .conftest import DEMO_TOOLS, raw_stdio, toolbed
from .test_liveness import CAUGHT as LIVENESS_CAUGHT
from .test_sandbox import PLANTED as SANDBOX_CASES

H, M = "2025-11-25", "2026-07-28"
SECRET = "tb-4f1c9a7e-secret-value"

CASES = [
    # (defect, check id, era, a phrase the failure report must contain)
    ("no-validation", "fuzz.tools.invalid-inputs", M, "accepted arguments that violate"),
    ("accept-extra", "fuzz.tools.invalid-inputs", H, "additionalProperties is false"),
    ("wrong-error-code", "fuzz.tools.invalid-inputs", M, "JSON-RPC error -32603"),
    ("bad-structured", "fuzz.tools.valid-inputs", H, "outputSchema"),
    ("bad-image", "fuzz.tools.valid-inputs", M, "data is not base64"),
    ("internal-error", "fuzz.tools.valid-inputs", H, "valid arguments got JSON-RPC error -32603"),
    ("crash", "fuzz.tools.valid-inputs", M, "the server crashed"),
    ("hang-on-valid", "fuzz.tools.valid-inputs", H, "did not answer tools/list"),
    ("leak-env", "fuzz.tools.valid-inputs", M, "TOOLBED_API_KEY"),
    ("crash-on-nul", "fuzz.tools.hostile-strings", H, "the server crashed"),
    ("hang-on-long", "fuzz.tools.hostile-strings", M, "no reply within"),
    ("traceback-on-quote", "fuzz.tools.hostile-strings", H, "Python traceback"),
    ("leak-env", "fuzz.tools.hostile-strings", M, "TOOLBED_API_KEY"),
    ("traversal", "security.tools.path-traversal", H, "/etc/passwd contents"),
    ("traversal", "security.tools.path-traversal", M, "/etc/passwd contents"),
    ("hang-on-long", "security.tools.oversized-input", H, "no reply within"),
    ("crash-on-nul", "security.tools.path-traversal", M, "the server crashed"),
    ("resource-traversal", "security.resources.path-traversal", M, "/etc/passwd contents"),
    ("traceback-unknown-tool", "security.errors.no-leaks", H, "Python traceback"),
    ("secret-in-error", "security.errors.no-leaks", M, "a secret given with its name (password)"),
    ("secret-in-error", "fuzz.tools.invalid-inputs", H, "a secret given with its name (password)"),
    ("secret-in-description", "security.replies.no-leaks", M, "TOOLBED_API_KEY"),
]


@pytest.fixture(autouse=True)
def server_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """A secret in the environment the servers inherit, which they must never reveal."""
    monkeypatch.setenv("TOOLBED_API_KEY", SECRET)


@pytest.mark.parametrize(("defect", "check_id", "era", "phrase"), CASES, ids=[f"{d}->{c}[{e}]" for d, c, e, _ in CASES])
def test_defect_is_caught(check_runner, defect, check_id, era, phrase) -> None:
    timeout = 3.0 if defect.startswith("hang") else 5.0  # a hang costs this twice (the call, then tools/list)
    result = check_runner(toolbed(defect), timeout=timeout).run(check_id, era)
    assert result.outcome == "failed", f"{check_id} [{era}] did not catch --defect {defect}: {result}"
    assert phrase in result.message, result.message
    assert check_id in result.message and "--mcp-baseline" in result.message
    assert SECRET not in result.message, "a report must never show a secret's value"


def test_every_fuzz_and_security_check_has_a_planted_defect() -> None:
    load_checks()
    caught = {check_id for _, check_id, _, _ in CASES} | {check_id for _, check_id, _ in SANDBOX_CASES}
    caught |= set(LIVENESS_CAUGHT)
    tool_checks = {check.id for check in checks_in(["fuzz", "security"]) if not check.id.startswith("auth.")}
    assert tool_checks <= caught, sorted(tool_checks - caught)


def test_a_failure_shows_the_shrunk_example_and_the_seed(check_runner) -> None:
    """bad-structured breaks the outputSchema only when a + b > 100: shrinking gets to a sum of exactly 101."""
    messages = [check_runner(toolbed("bad-structured"), seed=1234).run("fuzz.tools.valid-inputs", M) for _ in range(2)]
    message = messages[0].message
    assert "minimal failing arguments:" in message and "reproduce: --mcp-seed=1234" in message
    shown = next(line for line in message.splitlines() if "minimal failing arguments:" in line)
    import json

    arguments = json.loads(shown.split("minimal failing arguments:", 1)[1])
    assert arguments["a"] + arguments["b"] == 101, arguments
    assert messages[1].message.splitlines()[:4] == message.splitlines()[:4], "the same seed must give the same example"


CORRECT = [
    pytest.param(lambda: toolbed(), "read-only", (H, M), id="toolbed-stdio"),
    pytest.param(lambda: "tests.suite.broken_servers.toolbed:make_server", "read-only", (M,), id="toolbed-inproc"),
    pytest.param(lambda: raw_stdio(), "read-only,-sleep", (H, M), id="rawserver-stdio"),
    pytest.param(lambda: "tests.servers.demo:make_server", DEMO_TOOLS, (H,), id="demo-inproc"),
]


@pytest.mark.parametrize(("target", "tools", "eras"), CORRECT)
def test_correct_servers_pass_fuzz_and_security(check_runner, target, tools, eras) -> None:
    """No false failures: servers that validate, confine and keep their secrets pass every check."""
    load_checks()
    runner = check_runner(target(), tools=tools)
    outcomes = {
        (check.id, era): runner.run(check.id, era)
        for check in checks_in(["fuzz", "security"])
        if runner.runtime.transport in check.transports
        for era in eras
    }
    failed = {key: result.message for key, result in outcomes.items() if result.outcome == "failed"}
    assert not failed
    passed = {check_id for (check_id, _), result in outcomes.items() if result.outcome == "passed"}
    assert {"fuzz.tools.valid-inputs", "fuzz.tools.invalid-inputs", "security.errors.no-leaks"} <= passed
