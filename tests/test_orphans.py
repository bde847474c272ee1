"""Nothing left running: SIGKILL of pytest (or of the xdist worker that owns the servers) takes
every server the plugin started down with it, the servers' own children included.

Linux only: processes are found through /proc by a marker in their environment, which only the
servers (and what they start) get, through the targets' ``env=``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds processes through /proc")

SERVER = """
import runpy, subprocess, sys

# A child in the server's process group, like a server that starts a helper or a shell pipeline.
subprocess.Popen(["sleep", "300"])
sys.argv = ["demo", *sys.argv[1:]]
runpy.run_module("tests.servers.demo", run_name="__main__")
"""

TEST = """
import os, sys, time
from pathlib import Path

import pytest, pytest_mcp

pytestmark = pytest.mark.anyio
HERE = Path(__file__).parent
ENV = {{"PYTEST_MCP_TEST_MARK": "{mark}"}}
STDIO = pytest_mcp.stdio(sys.executable, "server_with_child.py", env=ENV, cwd=HERE)
HTTP = pytest_mcp.spawn_http(
    sys.executable, "server_with_child.py", "--http", "--port", "{{port}}", env=ENV, cwd=HERE
)


@pytest.mark.mcp_server(STDIO)
async def test_hold_servers(mcp_client, mcp_client_factory):
    await mcp_client.call("echo", text="stdio")  # the shared stdio server
    async with mcp_client_factory(server=HTTP) as http:  # the shared spawned HTTP server
        await http.call("echo", text="http")
    await mcp_client.raw.send({{"jsonrpc": "2.0", "id": 1, "method": "ping"}})  # a raw stdio copy
    await mcp_client.raw.receive()
    (HERE / "owner.tmp").write_text(str(os.getpid()))
    (HERE / "owner.tmp").rename(HERE / "owner.pid")
    time.sleep(300)  # SIGKILLed long before this ends
"""

SERVERS_WITH_CHILDREN = 6
"""Three servers (shared stdio, spawned HTTP, raw stdio copy), each with its ``sleep`` child."""


def _ours(mark: str) -> list[int]:
    """Live (not zombie) processes whose environment carries ``mark``."""
    needle = f"PYTEST_MCP_TEST_MARK={mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def _wait_for(predicate: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            output = log.read_text(errors="replace") if log.exists() else ""
            pytest.fail(f"{what} within {timeout:g} s; pytest's output:\n{output[-3000:]}")
        time.sleep(0.05)


def _command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return "(gone)"


def _kill_owner_and_count(
    pytester: pytest.Pytester, *args: str, kill_controller: bool = False
) -> tuple[int, list[str]]:
    """Start pytest, SIGKILL the process that owns the servers, and find our processes left 5 s later.

    Returns (how many ran, the command lines of those left). Whatever is left is killed before returning.
    """
    mark = uuid.uuid4().hex
    pytester.makepyfile(server_with_child=SERVER, test_hold=TEST.format(mark=mark))
    log = pytester.path / "pytest.log"
    with log.open("w") as out:
        pytest_run = pytester.popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-s", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    owner_file = pytester.path / "owner.pid"
    try:
        _wait_for(owner_file.exists, 90, "the servers did not start", log)
        _wait_for(lambda: len(_ours(mark)) >= SERVERS_WITH_CHILDREN, 10, "the servers' children did not start", log)
        running = len(_ours(mark))
        os.kill(pytest_run.pid if kill_controller else int(owner_file.read_text()), signal.SIGKILL)
        killed = time.monotonic()
        while _ours(mark) and time.monotonic() < killed + 5:
            time.sleep(0.05)
        left = [_command_line(pid) for pid in _ours(mark)]
        print(f"{running} running; {len(left)} left {time.monotonic() - killed:.2f} s after the SIGKILL")
        return running, left
    finally:
        for pid in _ours(mark):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if pytest_run.poll() is None:
            pytest_run.terminate()
            try:
                pytest_run.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pytest_run.kill()
                pytest_run.wait(timeout=10)


def test_sigkill_of_pytest_leaves_no_server_running(mcp_pytester: pytest.Pytester) -> None:
    running, left = _kill_owner_and_count(mcp_pytester)
    assert (running, left) == (SERVERS_WITH_CHILDREN, [])


def test_sigkill_of_the_xdist_worker_that_owns_the_servers_leaves_none_running(mcp_pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    running, left = _kill_owner_and_count(mcp_pytester, "-n", "2")
    assert (running, left) == (SERVERS_WITH_CHILDREN, [])


def test_sigkill_of_the_xdist_controller_leaves_none_running(mcp_pytester: pytest.Pytester) -> None:
    """The worker is blocked in its test and outlives the controller; its servers do not."""
    pytest.importorskip("xdist")
    running, left = _kill_owner_and_count(mcp_pytester, "-n", "2", kill_controller=True)
    assert (running, left) == (SERVERS_WITH_CHILDREN, [])


def _dead(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_the_watcher_reads_groups_and_kills_what_is_still_listed() -> None:
    from pytest_mcp.server import reaper as _reaper

    read, write = os.pipe()
    os.write(write, b"+101\n+102\n-101\n+10")  # the last line is cut in two writes
    os.write(write, b"3\n")
    os.close(write)
    groups: set[int] = set()
    _reaper.read_groups(read, groups)
    os.close(read)
    assert groups == {102, 103}

    leader = subprocess.Popen(["sh", "-c", "sleep 300 & exec sleep 300"], start_new_session=True)
    try:
        _wait_for(lambda: len(_children_of(leader.pid)) == 1, 10, "the leader's child did not start", Path("-"))
        child = _children_of(leader.pid)[0]
        _reaper.kill_groups({leader.pid}, grace=0.2)
        leader.wait(timeout=10)
        deadline = time.monotonic() + 5
        while not _dead(child) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _dead(child)
    finally:
        with contextlib.suppress(OSError):
            os.killpg(leader.pid, signal.SIGKILL)
        leader.wait(timeout=10)


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def test_a_killed_watcher_is_replaced_and_told_every_group() -> None:
    from pytest_mcp.server.process import Lifeline

    lifeline = Lifeline()
    server = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        lifeline.watch(server.pid)
        first = lifeline._watcher
        assert first is not None
        first.kill()
        first.wait(timeout=10)
        other = subprocess.Popen(["sleep", "300"], start_new_session=True)
        try:
            lifeline.watch(other.pid)  # starts a new watcher, which learns of both groups
            assert lifeline._watcher is not None and lifeline._watcher is not first
            lifeline.close()  # as at exit: the watcher kills what is still listed
            assert server.wait(timeout=10) == -signal.SIGTERM
            assert other.wait(timeout=10) == -signal.SIGTERM
        finally:
            other.kill()
            other.wait(timeout=10)
    finally:
        server.kill()
        server.wait(timeout=10)
