"""Timeouts, crashes and what a failing test's report shows."""

from __future__ import annotations

import json
import sys

import pytest

from .conftest import DEMO


@pytest.mark.parametrize(
    ("target", "described"),
    [
        pytest.param(f'"{DEMO}"', "the stdio server `*-m tests.servers.demo`", id="stdio"),
        pytest.param(
            f'pytest_mcp.spawn_http("{DEMO} --http --port {{port}}")',
            "the HTTP server `*--http --port *` at http://127.0.0.1:*/mcp",
            id="http",
        ),
        pytest.param(
            '"tests.servers.demo:make_server"', "the in-process server tests.servers.demo:make_server", id="inproc"
        ),
    ],
)
def test_a_hanging_server_fails_the_test_with_the_method_and_the_limit(
    mcp_pytester: pytest.Pytester, target: str, described: str
) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest, pytest_mcp
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({target})]

        @pytest.mark.mcp_timeout(0.5)
        async def test_slow(mcp_client):
            await mcp_client.call("sleep", seconds=5)

        async def test_still_served(mcp_client):
            assert (await mcp_client.call("echo", text="alive")).text == "alive"
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(
        [
            f"E*McpTimeoutError: no reply to tools/call 'sleep' within 0.5 s from {described} "
            "(raise it with --mcp-timeout, ini mcp_timeout or @pytest.mark.mcp_timeout(seconds))"
        ]
    )
    result.assert_outcomes(failed=1, passed=1)


def test_a_crashed_server_fails_with_its_exit_code_and_stderr(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest
        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_server("{DEMO}", fresh=True)
        async def test_crash(mcp_client):
            await mcp_client.call("crash", code=7)
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(
        [
            "E*McpServerCrashed: tools/call 'crash' failed because the stdio server `*` exited with code 7.",
            "E*--- last lines of its stderr ---",
            "E*demo server: crashing on purpose with code 7",
        ]
    )
    result.assert_outcomes(failed=1)


def test_a_server_that_never_answers_the_handshake_fails_with_the_connect_limit(
    mcp_pytester: pytest.Pytester,
) -> None:
    silent = f"{sys.executable} -c 'import sys; sys.stdin.read()'"
    mcp_pytester.makepyfile(
        f"""
        import pytest
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({silent!r})]

        async def test_never_connects(mcp_client):
            pass
        """
    )
    result = mcp_pytester.runpytest("--mcp-timeout=0.5", "--mcp-startup-timeout=1", "--mcp-era=2025-11-25")
    result.stdout.fnmatch_lines(
        [
            "*no reply to initialize (connecting: 2025-11-25 handshake) within 1 s from the stdio server `*sys.stdin.read()*` "
            "(connecting may take the larger of --mcp-timeout and --mcp-startup-timeout)"
        ]
    )
    result.assert_outcomes(errors=1)


FAILING = f"""
import pytest
pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("{DEMO}")]

async def test_fails(mcp_client):
    await mcp_client.call("echo", text="hello")
    assert False, "boom"

async def test_passes(mcp_client):
    await mcp_client.call("echo", text="quiet")
"""


def test_a_failing_test_shows_its_transcript_and_the_server_stderr(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(FAILING)
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(
        [
            "*- MCP transcript: mcp_client -*",
            "* ms -> request      server/discover id=1: *",
            '* ms -> request      tools/call id=2: {"name": "echo", "arguments": {"text": "hello"}*',
            "* ms <- response     tools/call id=2 [[]* ms]: *",
        ]
    )
    result.stdout.no_fnmatch_line('*"text": "quiet"*')
    result.assert_outcomes(failed=1, passed=1)


def test_transcript_always_and_off(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(FAILING)
    result = mcp_pytester.runpytest("--mcp-transcript=always", "-rA")
    result.stdout.fnmatch_lines(['*"text": "quiet"*'])
    result = mcp_pytester.runpytest("--mcp-transcript=off")
    result.stdout.no_fnmatch_line("*MCP transcript*")


def test_transcripts_go_to_jsonl_files_with_secrets_redacted(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("{DEMO}")]

        @pytest.mark.mcp_client(token="s3cret-token-value-123")
        async def test_secret(mcp_client):
            await mcp_client.call("echo", text="Bearer abcdefghijklmnop and s3cret-token-value-123")
        """
    )
    result = mcp_pytester.runpytest("--mcp-transcript-dir=out", "--mcp-transcript=always", "-rA")
    result.assert_outcomes(passed=1)
    files = list((mcp_pytester.path / "out").glob("*.jsonl"))
    assert [f.name for f in files] == ["test_transcripts_go_to_jsonl_files_with_secrets_redacted.py_test_secret.jsonl"]
    lines = [json.loads(line) for line in files[0].read_text().splitlines()]
    calls = [(m["dir"], m["kind"]) for m in lines if m["method"] == "tools/call"]
    assert calls == [("->", "request"), ("<-", "response")]
    assert all({"t", "dir", "kind", "method", "id", "size", "payload"} <= set(m) for m in lines)
    text = files[0].read_text() + result.stdout.str()
    assert "s3cret-token-value-123" not in text
    assert "abcdefghijklmnop" not in text
    assert "«redacted»" in text


def test_verbose_shows_the_whole_transcript(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("{DEMO}")]

        async def test_many(mcp_client):
            for i in range(30):
                await mcp_client.call("echo", text=str(i))
            assert False
        """
    )
    result = mcp_pytester.runpytest("--mcp-transcript-lines=5")
    result.stdout.fnmatch_lines(["… 59 earlier messages (use -v to show all)"])
    result = mcp_pytester.runpytest("--mcp-transcript-lines=5", "-v")
    result.stdout.no_fnmatch_line("*earlier messages*")
    result.stdout.fnmatch_lines(['*"text": "0"*'])


def test_an_http_server_dying_mid_request_fails_only_that_request(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest, pytest_mcp
        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_server(pytest_mcp.spawn_http("{DEMO} --http --port {{port}}"), fresh=True)
        async def test_crash(mcp_client):
            await mcp_client.call("crash", code=9)
        """
    )
    # In a subprocess: after another in-process pytester run that timed out over HTTP, this run
    # (only in-process, never in a real session) saw the request cancelled instead of failed.
    result = mcp_pytester.runpytest_subprocess()
    result.stdout.fnmatch_lines(
        [
            "E*McpServerCrashed: tools/call 'crash' failed because the HTTP server `*` at * exited with code 9.",
            "E*demo server: crashing on purpose with code 9",
        ]
    )
    result.assert_outcomes(failed=1)
