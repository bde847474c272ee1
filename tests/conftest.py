"""Shared fixtures of the plugin's own test suite."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_SERVERS = ROOT / "tests" / "servers" / "node_modules" / "@modelcontextprotocol"
DEMO = f"{sys.executable} -m tests.servers.demo"
"""The demo server over stdio, runnable from any directory (the repo root is on sys.path via the editable install)."""


INI = """\
[pytest]
asyncio_default_fixture_loop_scope = function
filterwarnings =
    error
    default::mcp.MCPDeprecationWarning
"""
"""The ini file of ``mcp_pytester`` runs: as strict as the repository's own."""


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def mcp_pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester whose runs see an ``anyio_backend`` fixture and no stray plugins."""
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


def node_server(package: str) -> Path:
    """The entry script of an npm-installed reference server; skips when ``npm ci`` has not run."""
    script = NODE_SERVERS / package / "dist" / "index.js"
    if not script.exists() or shutil.which("node") is None:
        pytest.skip(f"{package} is not installed: run `npm ci --prefix tests/servers` (and install Node.js)")
    return script


def child_pids() -> set[int]:
    """Pids of this process's live children (from /proc), to prove nothing is left behind."""
    me = str(os.getpid())
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[1] == me and fields[0] != "Z":
            found.add(int(entry.name))
    return found
