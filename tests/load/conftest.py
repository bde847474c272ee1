"""Fixtures of the load tests: a strict pytester, a demo server over HTTP, and Locust in subprocesses."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mcp.server.process import ManagedProcess, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
DEMO_HTTP = (sys.executable, "-m", "tests.servers.demo", "--http", "--port")
EXAMPLE_HTTP = (sys.executable, "-m", "example_server", "--http", "--port")

INI = """\
[pytest]
asyncio_default_fixture_loop_scope = function
filterwarnings =
    error
    default::mcp.MCPDeprecationWarning
"""


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def load_pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester whose runs have an ``anyio_backend`` fixture and the project's strict warnings.

    Inner runs do not inherit pytest-xdist's worker variable (under ``pytest -n 2`` it would make
    pytest-benchmark disable itself in them).
    """
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def anyio_backend():
            return "asyncio"
        """
    )
    pytester.makeini(INI)
    return pytester


class HttpServer:
    """A server process on a free loopback port (a ``ManagedProcess``: reaped even if a test dies)."""

    def __init__(self, command: tuple[str, ...]) -> None:
        self.port = free_port()
        self.host = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.host}/mcp"
        self.process = ManagedProcess([*command, str(self.port)], env=child_env(), cwd=str(ROOT))
        wait_for_port("127.0.0.1", self.port, process=self.process, timeout=30)

    def stop(self) -> None:
        self.process.stop()
        self.process.close_stderr()


def child_env() -> dict[str, str]:
    """The environment of child processes: this one's, with the repository importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


@pytest.fixture(scope="module")
def demo_http() -> Iterator[HttpServer]:
    """The demo server over Streamable HTTP (both eras), shared by a module's tests."""
    server = HttpServer(DEMO_HTTP)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def example_http() -> Iterator[HttpServer]:
    """The example assignment server over Streamable HTTP (in-memory SQLite), shared by a module's tests."""
    server = HttpServer(EXAMPLE_HTTP)
    try:
        yield server
    finally:
        server.stop()


def everything_server() -> Path:
    """The npm reference server ``server-everything`` (handshake era only); skips when not installed."""
    script = (
        ROOT
        / "tests"
        / "servers"
        / "node_modules"
        / "@modelcontextprotocol"
        / "server-everything"
        / "dist"
        / "index.js"
    )
    if not script.exists() or shutil.which("node") is None:
        pytest.skip("server-everything is not installed: run `npm ci --prefix tests/servers` (and install Node.js)")
    return script
