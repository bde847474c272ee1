"""``python -m example_server`` as a subprocess: stdio and Streamable HTTP, startup and shutdown."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import pytest
from mcp import Client, StdioServerParameters, stdio_client

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

COMMAND = [sys.executable, "-m", "example_server"]
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}},
}


def send(process: subprocess.Popen, message: dict) -> None:
    process.stdin.write((json.dumps(message) + "\n").encode())
    process.stdin.flush()


@contextmanager
def stdio_process(*args: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        [*COMMAND, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ | (env or {}),
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(5)
        for stream in (process.stdin, process.stdout, process.stderr):
            stream.close()


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_stdio_round_trip(mode, tmp_path):
    db = f"sqlite://{tmp_path / 'a.db'}"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "example_server", "--db", db],
        env={"ASSIGNMENTS_USER": "cli@example.com"},
    )
    with tempfile.TemporaryFile("w+") as errlog:
        with anyio.fail_after(30):
            async with Client(stdio_client(params, errlog=errlog), mode=mode) as client:
                assert client.server_info.name == "assignment-server"
                created = await client.call_tool("create_assignment", {"title": "t", "assignee": "a@example.com"})
                assert created.structured_content["owner"] == "cli@example.com"
                missing = await client.call_tool("get_assignment", {"assignment_id": 999})
                assert json.loads(missing.content[0].text)["error"] == "not_found"


def test_stdout_carries_only_json_rpc_and_stdin_eof_exits():
    with stdio_process() as process:
        send(process, INITIALIZE)
        assert json.loads(process.stdout.readline())["result"]["serverInfo"]["name"] == "assignment-server"
        send(process, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        bad = {"title": "\x00", "assignee": "x"}
        send(
            process,
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": "create_assignment", "arguments": bad},
            },
        )
        reply = json.loads(process.stdout.readline())
        assert reply["id"] == 2 and reply["result"]["isError"] is True
        started = time.monotonic()
        process.stdin.close()
        assert process.wait(5) == 0
        assert time.monotonic() - started < 3
        assert process.stdout.read() == b""  # nothing but the two JSON-RPC lines ever reached stdout
        assert b"create_assignment failed" in process.stderr.read()  # logs go to stderr


def test_stdio_exits_promptly_on_sigterm():
    with stdio_process() as process:
        send(process, INITIALIZE)
        process.stdout.readline()
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(5) == 0
        assert time.monotonic() - started < 3


def test_bad_configuration_exits_with_status_2():
    with stdio_process(env={"ASSIGNMENTS_DIRECTORY_TIMEOUT": "soon"}) as process:
        assert process.wait(10) == 2
        assert b"ASSIGNMENTS_DIRECTORY_TIMEOUT" in process.stderr.read()


@contextmanager
def http_process() -> Iterator[str]:
    process = subprocess.Popen(
        [*COMMAND, "--http", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 20
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            if match := re.search(r"listening on (http://\S+)", line):
                url = match.group(1)
        assert url, "the server never said it was listening"
        yield url
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(10)  # uvicorn re-raises the signal after a graceful shutdown
        assert time.monotonic() - started < 6
        assert process.stdout.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(5)
        process.stdout.close()
        process.stderr.close()


async def test_http_both_eras():
    with http_process() as url:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp")
        for mode in ("auto", "legacy"):
            with anyio.fail_after(30):
                async with Client(url, mode=mode) as client:
                    created = await client.call_tool("create_assignment", {"title": mode, "assignee": "a@example.com"})
                    assert created.is_error is False
        with anyio.fail_after(30):
            async with Client(url) as client:
                listed = await client.call_tool("list_assignments", {})
        assert sorted(item["title"] for item in listed.structured_content["items"]) == ["auto", "legacy"]
