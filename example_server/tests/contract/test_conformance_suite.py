"""The plugin's zero-code conformance suite, run against the example server from an empty directory.

This is the command a user of the plugin types for their own server; here it runs as a separate
pytest process (``pytester.runpytest_subprocess``) in a directory with no tests and no
configuration, and must pass: every check passes or is skipped with a reason (a capability the
server does not declare, a tool shape it does not have). A real defect of the server shows up
here as a failed check with the JSON-RPC evidence.

    cd "$(mktemp -d)" && pytest --mcp-server=example_server.app:create_server --mcp-suite=conformance
    cd "$(mktemp -d)" && pytest "--mcp-server=python -m example_server" --mcp-suite=conformance
"""

from __future__ import annotations

import re
import sys

import pytest

pytestmark = [pytest.mark.contract, pytest.mark.conformance]


def run_suite(pytester: pytest.Pytester, target: str) -> pytest.RunResult:
    assert not list(pytester.path.iterdir()), "the suite must run from an empty directory"
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-v", "-rfEs", f"--mcp-server={target}", "--mcp-suite=conformance", timeout=300
    )


def check_passed(result: pytest.RunResult, transport: str) -> None:
    outcomes = result.parseoutcomes()
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-4000:]
    assert outcomes.get("failed", 0) == 0 and outcomes.get("errors", 0) == 0
    # Both protocol eras were checked, and far more checks ran than were skipped.
    for era in ("2025-11-25", "2026-07-28"):
        result.stdout.fnmatch_lines([f"*conformance[[]*[]][[]{era}[]][[]{transport}[]] PASSED*"])
    assert outcomes["passed"] >= 70 and outcomes["passed"] > 2 * outcomes.get("skipped", 0), outcomes
    # No check was skipped for a reason that hides a problem of the server itself.
    skips = [line for line in result.stdout.lines if line.startswith("SKIPPED")]
    assert not [line for line in skips if re.search(r"unsupported|did not answer|crash", line)], skips


def test_conformance_in_process(pytester):
    check_passed(run_suite(pytester, "example_server.app:create_server"), "inproc")


@pytest.mark.slow  # ~20 s: the stdio checks start several server processes
def test_conformance_over_stdio(pytester):
    check_passed(run_suite(pytester, f"{sys.executable} -m example_server"), "stdio")
