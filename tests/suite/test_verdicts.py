"""The suite does not forgive a broken server for looking like a smaller one.

Each case runs the suite (a real pytest session) against the raw server with one planted fault
(``broken_servers/rawserver.py`` with a fault of ``forgiven_faults.py``) and expects the named check to fail with a message naming the fault;
the same check passes against the server without the fault.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .http_servers import serve

RAW_SERVER = Path(__file__).resolve().parent / "broken_servers" / "rawserver.py"
H, M = "2025-11-25", "2026-07-28"

# (fault, check id, era of the failing item, text the failure must contain)
STDIO_FAULTS = [
    ("broken-initialize", "lifecycle.eras", M, "initialize in 2025-11-25 was answered with error -32603"),
    ("silent-initialize", "lifecycle.eras", M, "initialize in 2025-11-25: no reply to initialize"),
    ("broken-discover", "lifecycle.eras", H, "server/discover returned a result without a supportedVersions"),
    ("unknown-prompts", "prompts.get.messages", H, "prompts/list lists the prompt 'greet', but prompts/get answers"),
    ("unknown-prompts", "prompts.get.messages", M, "answers that it does not exist (Unknown prompt: greet)"),
    ("unknown-tools", "tools.call.listed-known", H, "tools/list lists the tool 'add', but tools/call answers"),
    ("unknown-tools", "tools.call.listed-known", M, "tool 'add', but tools/call answers that it does not exist"),
    ("template-read-fails", "resources.templates.read", H, "suggests 'raw://items/alice' for the template"),
    ("template-read-fails", "resources.templates.read", M, "reading it fails (error -32002: 'Resource not found')"),
    ("dies-after-error", "session.serves-after-errors", H, "the same connection no longer serves: tools/list got"),
    ("logs-unasked", "logging.level-respected", M, "sent a log message for a request without _meta logLevel"),
    ("empty-log-method", "logging.messages", H, "a notification has the method '': not a notification"),
    ("null-server-info", "lifecycle.initialize-result", H, "InitializeResult at serverInfo/title: None is not of type"),
    ("null-server-info", "lifecycle.strict-replies", H, "the initialize result departs from the protocol's type"),
    ("null-in-list", "lifecycle.strict-replies", M, "ListPromptsResult at prompts/0/description: None is not of"),
    ("null-progress-total", "progress.notifications", H, "notifications/progress at params/total: None is not of"),
    (
        "reply-after-cancel",
        "cancellation.no-reply-after-cancel",
        M,
        "the server answered request * after it was cancel",
    ),
]
HTTP_FAULTS = [
    ("dies-after-error", "session.serves-after-errors", H, "the same session no longer serves: tools/list got error"),
    ("broken-initialize", "lifecycle.eras", M, "initialize in 2025-11-25 was answered with error -32603"),
]


def faulty_stdio(fault: str) -> str:
    return f"{sys.executable} {RAW_SERVER} --defect {fault}" if fault else f"{sys.executable} {RAW_SERVER}"


def run_check(pytester: pytest.Pytester, target: str, check_id: str, era: str, *extra: str) -> pytest.RunResult:
    pytester.makeconftest("")
    return pytester.runpytest(
        f"--mcp-server={target}",
        "--mcp-suite=conformance",
        "--mcp-timeout=3",
        "-p",
        "no:cacheprovider",
        "-k",
        f"{check_id} and {era.replace('-', '_')}" if era else check_id,
        *extra,
    )


def _ids(cases: list[tuple[str, str, str, str]]) -> list[str]:
    return [f"{fault}->{check_id}" for fault, check_id, _, _ in cases]


@pytest.mark.parametrize(("fault", "check_id", "era", "text"), STDIO_FAULTS, ids=_ids(STDIO_FAULTS))
def test_stdio_fault_fails_its_check(mcp_pytester, fault, check_id, era, text) -> None:
    result = run_check(mcp_pytester, faulty_stdio(fault), check_id, era)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines([f"*{check_id} ({era}, stdio*{text}*"])


@pytest.mark.parametrize(("fault", "check_id", "era", "text"), HTTP_FAULTS, ids=_ids(HTTP_FAULTS))
def test_http_fault_fails_its_check(mcp_pytester, fault, check_id, era, text) -> None:
    with serve([sys.executable, str(RAW_SERVER), "--http", "--port", "{port}", "--defect", fault]) as url:
        result = run_check(mcp_pytester, url, check_id, era)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*{check_id} ({era}, http*{text}*"])


@pytest.mark.parametrize("check_id", sorted({case[1] for case in STDIO_FAULTS}))
def test_checks_pass_without_the_fault(mcp_pytester, check_id) -> None:
    result = run_check(mcp_pytester, faulty_stdio(""), check_id, "")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1 and "failed" not in outcomes, result.stdout.str()[-3000:]


def test_a_required_era_the_server_refuses_fails(mcp_pytester) -> None:
    """--mcp-require-era: an era cleanly refused (here: initialize negotiates 2026-07-28) fails lifecycle.eras."""
    script = mcp_pytester.makepyfile(
        modern_only=f"""
        import sys
        sys.path.insert(0, {str(RAW_SERVER.parent)!r})
        import rawserver

        class ModernOnly(rawserver.Core):
            def dispatch(self, method, params, era, conn, emit, request_id, headers):
                if method == "initialize":
                    raise rawserver.RpcError(-32601, "Method not found: initialize")
                return super().dispatch(method, params, era, conn, emit, request_id, headers)

        rawserver.serve_stdio(ModernOnly(set()))
        """
    )
    target = f"{sys.executable} {script}"
    plain = run_check(mcp_pytester, target, "lifecycle.eras", M)
    plain.assert_outcomes(passed=1)
    required = run_check(mcp_pytester, target, "lifecycle.eras", M, "--mcp-require-era=both")
    required.assert_outcomes(failed=1)
    required.stdout.fnmatch_lines(
        [
            "*the server does not speak 2025-11-25 (it answered initialize with error -32601*--mcp-require-era="
            "2025-11-25,2026-07-28 requires*"
        ]
    )


@pytest.mark.parametrize(
    ("line", "outcome"),
    [
        pytest.param("prompts.get.messages era=2025-11-25", "xfailed", id="unpinned"),
        pytest.param("prompts.get.messages era=2025-11-25 code=-32602  # the pinned code", "xfailed", id="same-code"),
        pytest.param('prompts.get.messages fails="*does not exist*"', "xfailed", id="same-text"),
        pytest.param("prompts.get.messages code=-32603  # was an internal error", "failed", id="other-code"),
    ],
)
def test_a_baseline_entry_accepts_only_the_failure_it_pins(mcp_pytester, line, outcome) -> None:
    mcp_pytester.makefile(".txt", baseline=line)
    result = run_check(
        mcp_pytester, faulty_stdio("unknown-prompts"), "prompts.get.messages", H, "--mcp-baseline=baseline.txt"
    )
    result.assert_outcomes(**{outcome: 1})
    if outcome == "failed":
        result.stdout.fnmatch_lines(
            [
                "*the check fails differently from what its baseline entry accepts*",
                "Accepted: code=-32603",
                "Now:      prompts/list lists the prompt 'greet', but prompts/get answers that it does not exist*",
                "    prompts.get.messages code=-32602",
            ]
        )


def test_a_failure_report_prints_its_pinned_baseline_line(mcp_pytester) -> None:
    result = run_check(mcp_pytester, faulty_stdio("unknown-prompts"), "prompts.get.messages", H)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "To accept only this failure (a different one is then reported as new), pin it:",
            "    prompts.get.messages era=2025-11-25 transport=stdio subject=greet code=-32602",
        ]
    )
