"""Streamable HTTP servers for the suite's tests: started on a free loopback port, stopped afterwards."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pytest_mcp.server.process import ManagedProcess, free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent.parent
LOOPBACK = ROOT / "tests" / "servers" / "loopback.mjs"


@contextmanager
def serve(command: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 30.0) -> Iterator[str]:
    """Run ``command`` (``{port}`` becomes a free port) and yield ``http://127.0.0.1:PORT/mcp`` once it listens."""
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in command]
    full_env = {**os.environ, **{k: v.replace("{port}", str(port)) for k, v in (env or {}).items()}}
    process = ManagedProcess(argv, env=full_env, cwd=str(ROOT), stdout=subprocess.DEVNULL)
    try:
        wait_for_port("127.0.0.1", port, process=process, timeout=timeout)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.stop()
        process.close_stderr()


@contextmanager
def serve_everything(script: Path, *, timeout: float = 30.0) -> Iterator[str]:
    """server-everything over Streamable HTTP, kept on loopback by ``tests/servers/loopback.mjs``."""
    with serve(["node", "--import", str(LOOPBACK), str(script), "streamableHttp"], env={"PORT": "{port}"}) as url:
        yield url


__all__ = ["ROOT", "serve", "serve_everything"]
