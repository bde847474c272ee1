"""Process hygiene: every child is reaped (after failures, Ctrl-C and xdist workers) and ports never collide."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .conftest import DEMO


def _pids_of_demo_servers(marker: str) -> list[int]:
    """Pids of running demo servers started with ``marker`` in their environment."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ and b"tests.servers.demo" in cmdline and stat.rsplit(")", 1)[1].split()[0] != "Z":
            found.append(int(entry.name))
    return found


TESTS = f"""
import pytest, pytest_mcp
pytestmark = pytest.mark.anyio
DEMO = "{DEMO}"

@pytest.mark.mcp_server(DEMO)
async def test_stdio_fails(mcp_client):
    await mcp_client.call("echo", text="x")
    assert False

@pytest.mark.mcp_server(pytest_mcp.spawn_http(DEMO + " --http --port {{port}}"))
async def test_http_fails(mcp_client):
    await mcp_client.call("echo", text="x")
    assert False

@pytest.mark.mcp_server(DEMO, fresh=True)
async def test_fresh_raw(mcp_client):
    await mcp_client.raw.send({{"jsonrpc": "2.0", "id": 1, "method": "ping"}})
    assert False
"""


def _run(tmp_path: Path, marker: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_children.py").write_text(TESTS)
    (tmp_path / "conftest.py").write_text(
        "import pytest\n@pytest.fixture(scope='session')\ndef anyio_backend():\n    return 'asyncio'\n"
    )
    env = {**os.environ, "PYTEST_MCP_ORPHAN_MARKER": marker}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_orphans_after_failing_tests(tmp_path: Path) -> None:
    marker = f"orphan-check-{os.getpid()}-a"
    run = _run(tmp_path, marker)
    assert "3 failed" in run.stdout, run.stdout + run.stderr
    time.sleep(0.2)
    assert _pids_of_demo_servers(marker) == []


def test_no_orphans_under_xdist(tmp_path: Path) -> None:
    marker = f"orphan-check-{os.getpid()}-b"
    run = _run(tmp_path, marker, "-n", "2")
    assert "3 failed" in run.stdout, run.stdout + run.stderr
    time.sleep(0.2)
    assert _pids_of_demo_servers(marker) == []


def test_no_orphans_after_ctrl_c(tmp_path: Path) -> None:
    marker = f"orphan-check-{os.getpid()}-c"
    (tmp_path / "test_hang.py").write_text(
        textwrap.dedent(
            f"""
            import pytest
            pytestmark = pytest.mark.anyio

            @pytest.mark.mcp_server("{DEMO}")
            @pytest.mark.mcp_timeout(60)
            async def test_hang(mcp_client):
                print("SERVER STARTED", flush=True)
                await mcp_client.call("sleep", seconds=60)
            """
        )
    )
    (tmp_path / "conftest.py").write_text(
        "import pytest\n@pytest.fixture(scope='session')\ndef anyio_backend():\n    return 'asyncio'\n"
    )
    env = {**os.environ, "PYTEST_MCP_ORPHAN_MARKER": marker}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s", "-q"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while "SERVER STARTED" not in proc.stdout.readline():
            assert time.monotonic() < deadline, "the test never started"
        assert len(_pids_of_demo_servers(marker)) == 1
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    time.sleep(0.2)
    assert _pids_of_demo_servers(marker) == []


def test_parallel_workers_get_their_own_servers_and_ports(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        import os, pytest, pytest_mcp
        pytestmark = pytest.mark.anyio
        HTTP = pytest_mcp.spawn_http("{DEMO} --http --port {{port}}")

        @pytest.mark.parametrize("n", range(6))
        @pytest.mark.mcp_server("{DEMO}", HTTP)
        async def test_server(mcp_client, n):
            pid = (await mcp_client.call("pid")).structured["result"]
            print("WORKER", os.environ.get("PYTEST_XDIST_WORKER"), "SERVER", pid)
        """
    )
    result = mcp_pytester.runpytest_subprocess("-n", "2", "-s", "-v")
    result.assert_outcomes(passed=12)
