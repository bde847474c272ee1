"""The liveness sentinel: a server that stops serving after bad input is blamed on the check that sent it,
and every later check of the run is reported as not run (stdio and HTTP, side by side or not)."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.suite.http_servers import serve

RAW = Path(__file__).resolve().parent / "broken_servers" / "rawserver.py"
NOT_RUN = "*not run: the server stopped serving after {}"
CAUGHT = ("http.session.delete-race",)
"""Security checks whose planted defect is in this module (the DELETE race below)."""


def stdio(*flags: str) -> str:
    return shlex.join([sys.executable, str(RAW), *flags])


@pytest.fixture
def unknown_method_http() -> Iterator[str]:
    with serve(
        [sys.executable, str(RAW), "--http", "--port", "{port}", "--defect", "stops-after-unknown-method"]
    ) as url:
        yield url


@pytest.fixture
def delete_race_http() -> Iterator[str]:
    with serve([sys.executable, str(RAW), "--http", "--port", "{port}", "--defect", "delete-race"]) as url:
        yield url


def run(pytester: pytest.Pytester, server: str, suite: str, *ids: str) -> pytest.RunResult:
    selection = " or ".join(ids)
    return pytester.runpytest_subprocess(
        f"--mcp-server={server}",
        f"--mcp-suite={suite}",
        "--mcp-timeout=2",
        "-p",
        "no:cacheprovider",
        "-rs",
        "-k",
        selection,
    )


SELECTED = ("jsonrpc.unknown-method", "lifecycle.ping", "tools.list.shape")
"""14 items: unknown-method in both eras, then lifecycle.ping and ping-before-initialized (2025-11-25) and
tools.list.shape for each of the raw server's five tools in both eras."""


def test_stdio_a_wedged_server_blames_the_check_and_the_rest_are_not_run(mcp_pytester: pytest.Pytester) -> None:
    result = run(mcp_pytester, stdio("--defect", "stops-after-unknown-method"), "conformance", *SELECTED)
    result.assert_outcomes(failed=2, skipped=12)  # each era has a process of its own, and each stops
    result.stdout.fnmatch_lines(
        [
            "[[]D[]] jsonrpc.unknown-method (2025-11-25, stdio): the server stopped serving after this check's "
            'requests: {"jsonrpc":"2.0","id":*,"method":"pytest-mcp/*"*}',
            "The liveness probe found: tools/list got no answer within 2 s on the same process",
        ]
    )
    # the later items of each era's process are not run
    result.stdout.fnmatch_lines(["SKIPPED [[]12[]] " + NOT_RUN.format("jsonrpc.unknown-method")])


def test_stdio_a_crash_is_named_as_a_crash(mcp_pytester: pytest.Pytester) -> None:
    result = run(mcp_pytester, stdio("--defect", "exits-after-unknown-method"), "conformance", *SELECTED)
    result.assert_outcomes(failed=2, skipped=12)
    result.stdout.fnmatch_lines(
        [
            "*jsonrpc.unknown-method (2025-11-25, stdio): the server stopped serving after this check's requests: *",
            "The liveness probe found: it crashed: the process exited with code 3; its stderr ends:",
            "rawserver: giving up after an unknown method",
        ]
    )


def test_http_side_by_side_the_culprit_is_still_the_bad_input_check(
    mcp_pytester: pytest.Pytester, unknown_method_http: str
) -> None:
    # id-echo-number, ping and tools.list.shape run side by side first; the bad-input check runs alone after them
    result = run(mcp_pytester, unknown_method_http, "conformance", "jsonrpc.id-echo-number", *SELECTED)
    result.stdout.fnmatch_lines(
        [
            "*jsonrpc.unknown-method (2025-11-25, http): the server stopped serving after this check's requests: "
            '{"jsonrpc":"2.0","id":*,"method":"pytest-mcp/*',
            "The liveness probe found: a fresh session's initialize then got HTTP 500 with no JSON-RPC reply",
        ]
    )
    result.stdout.fnmatch_lines([NOT_RUN.format("jsonrpc.unknown-method")])
    result.assert_outcomes(failed=1, passed=13, skipped=1)  # the other era's unknown-method item is not run


def test_http_a_delete_race_stops_the_server_and_the_race_check_says_so(
    mcp_pytester: pytest.Pytester, delete_race_http: str
) -> None:
    result = run(mcp_pytester, delete_race_http, "all", "http.session.delete-race", "fuzz.tools.valid-inputs")
    result.stdout.fnmatch_lines(
        [
            "*http.session.delete-race (2025-11-25, http): the server stopped serving after this check's requests: *",
            "The liveness probe found: a fresh session's initialize then got HTTP 500 with no JSON-RPC reply",
        ]
    )
    result.stdout.fnmatch_lines([NOT_RUN.format("http.session.delete-race")])
    result.assert_outcomes(failed=1, skipped=2)


def test_a_server_that_keeps_serving_passes_the_bad_input_checks(mcp_pytester: pytest.Pytester) -> None:
    result = run(mcp_pytester, stdio(), "conformance", *SELECTED)
    result.assert_outcomes(passed=14)
    assert "stopped serving" not in result.stdout.str()
