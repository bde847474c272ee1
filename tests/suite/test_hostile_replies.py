"""The suite never crashes on what a server sends: every reply gets a verdict that says what came.

The raw server (``broken_servers/rawserver.py``) plants the byte-level misbehaviour: an object echoed
as a response id, a 413 page with an HTML body instead of a JSON-RPC reply, a 405 that explains
itself with a JSON-RPC error body (which the rule allows).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from pytest_mcp.protocol import id_key as _id_key

from .conftest import RAW_SERVER, raw_stdio
from .http_servers import serve

MAX_LINES = 45


def run(pytester: pytest.Pytester, target: str, suites: str, *extra: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", f"--mcp-server={target}", f"--mcp-suite={suites}", *extra)


def raw_http_url(*defects: str) -> Iterator[str]:
    flags = [part for name in defects for part in ("--defect", name)]
    with serve([sys.executable, str(RAW_SERVER), "--http", "--port", "{port}", *flags]) as url:
        yield url


@pytest.mark.parametrize("value", [{"echo": 1}, [1, 2], {"a": [{"b": None}]}, None, 1, "1", 1.5, True])
def test_any_json_value_is_an_id_key(value: object) -> None:
    key = _id_key(value)
    assert hash(key) == hash(_id_key(value))
    assert key != _id_key(7001)


def test_an_object_echoed_as_id_gets_a_verdict(mcp_pytester: pytest.Pytester) -> None:
    item = "mcp-suite::conformance[lifecycle.ping][2025-11-25][stdio]"
    result = run(mcp_pytester, raw_stdio("ping-object-id"), "conformance", item)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "[[]MUST[]] lifecycle.ping (2025-11-25, stdio): ping did not get a result",
            "Rule: ping is answered promptly with an empty result {}.",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(['  <- {"jsonrpc":"2.0","id":{"echo":*},"result":{}}'])
    text = result.stdout.str()
    assert "TypeError" not in text and "unhashable" not in text
    assert len(text.splitlines()) < MAX_LINES, text


@pytest.fixture
def http_413() -> Iterator[str]:
    yield from raw_http_url("tools-call-413")


def test_an_html_413_is_reported_as_what_it_is(mcp_pytester: pytest.Pytester, http_413: str) -> None:
    item = "mcp-suite::fuzz[fuzz.tools.hostile-strings][2025-11-25][http]"
    result = run(mcp_pytester, http_413, "fuzz", "--mcp-fuzz-examples=2", "--mcp-fuzz-tools=echo", item)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*the server answered tools/call with HTTP 413 text/html: '<html><head><title>413 Request Entity Too "
            "Large</title></head><body>nginx</body></html>', not a JSON-RPC message*"
        ]
    )
    text = result.stdout.str()
    assert "-32603" not in text and "unhandled error" not in text and "Traceback" not in text


@pytest.fixture
def http_405_jsonrpc() -> Iterator[str]:
    yield from raw_http_url("get-405-jsonrpc")


def test_a_405_with_a_jsonrpc_error_body_is_what_the_rule_allows(
    mcp_pytester: pytest.Pytester, http_405_jsonrpc: str
) -> None:
    item = "mcp-suite::conformance[http.get-stream-or-405][2025-11-25][http]"
    result = run(mcp_pytester, http_405_jsonrpc, "conformance", item)
    result.assert_outcomes(passed=1)
