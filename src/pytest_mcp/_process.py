"""Child processes: start them with an explicit environment, capture stderr, always reap them.

Every process the plugin starts is registered in a ``ProcessRegistry``; the session finalizer, an
``atexit`` hook and SIGTERM all stop whatever is still running, so neither a failing test, Ctrl-C,
nor an xdist worker going away leaves an orphan behind. Children run in their own session
(process group), and stopping one signals the whole group.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Final

MINIMAL_ENV_KEYS: Final = ("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER")
"""What the MCP SDK passes to stdio children by default; ``--mcp-env=minimal`` uses the same."""

STOP_GRACE_SECONDS: Final = 2.0


def build_env(extra: Iterable[tuple[str, str]], *, inherit: bool) -> dict[str, str]:
    """The child's environment: the test's own (or a minimal one), plus the target's ``env=``."""
    if inherit:
        env = dict(os.environ)
    else:
        env = {key: os.environ[key] for key in MINIMAL_ENV_KEYS if key in os.environ}
    env.update(dict(extra))
    return env


def resolve_command(command: Sequence[str]) -> list[str]:
    """Map a leading ``python``/``python3`` to the interpreter running the tests.

    ``--mcp-server="python -m my_server"`` then means the same Python (and virtualenv) as pytest,
    whether or not the virtualenv is activated.
    """
    parts = list(command)
    if parts and parts[0] in ("python", "python3"):
        parts[0] = sys.executable
    return parts


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on loopback that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ManagedProcess:
    """A started child whose stderr goes to a temp file we can show when something fails."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: str | None,
        stdin: int | None = None,
        stdout: int | None = None,
    ) -> None:
        self.command = list(command)
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close_stderr()
        try:
            self.popen = subprocess.Popen(
                self.command,
                stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=stdout if stdout is not None else subprocess.DEVNULL,
                stderr=self._stderr,
                env=dict(env),
                cwd=cwd,
                start_new_session=True,
            )
        except OSError as exc:
            self._stderr.close()
            raise FileNotFoundError(f"could not start `{shlex.join(self.command)}`: {exc}") from exc
        REGISTRY.add(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def stderr_text(self) -> str:
        """Everything the child wrote to stderr so far (decoded leniently)."""
        with contextlib.suppress(ValueError, OSError):
            self._stderr.flush()
            position = self._stderr.tell()
            self._stderr.seek(0)
            data = self._stderr.read()
            self._stderr.seek(position)
            return data.decode("utf-8", "replace")
        return ""

    def stderr_tail(self, lines: int = 20) -> str:
        return "\n".join(self.stderr_text().splitlines()[-lines:])

    def describe_exit(self) -> str:
        code = self.returncode
        if code is None:
            return "is still running"
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"was killed by signal {signal.Signals(-code).name}"
        return f"exited with code {code}"

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Close stdin, then SIGTERM, then SIGKILL the process group; always reap."""
        popen = self.popen
        try:
            if popen.poll() is None and popen.stdin is not None:
                with contextlib.suppress(OSError):
                    popen.stdin.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    popen.wait(timeout=min(grace, 0.5))
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if popen.poll() is not None:
                    break
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(popen.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    popen.wait(timeout=grace)
            # The leader is gone; make sure nothing it started in its group lingers either.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(popen.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(timeout=grace)
        finally:
            for stream in (popen.stdin, popen.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
            REGISTRY.discard(self)

    def close_stderr(self) -> None:
        with contextlib.suppress(OSError):
            self._stderr.close()


class ProcessRegistry:
    """All live children of this interpreter; stops them at exit and on SIGTERM."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: weakref.WeakSet[ManagedProcess] = weakref.WeakSet()
        self._installed = False

    def add(self, process: ManagedProcess) -> None:
        with self._lock:
            self._live.add(process)
            if not self._installed:
                self._install()

    def discard(self, process: ManagedProcess) -> None:
        with self._lock:
            self._live.discard(process)

    def live(self) -> list[ManagedProcess]:
        with self._lock:
            return list(self._live)

    def stop_all(self) -> None:
        for process in self.live():
            with contextlib.suppress(Exception):
                process.stop(grace=0.5)

    def _install(self) -> None:
        self._installed = True
        atexit.register(self.stop_all)
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)

        def on_sigterm(signum: int, frame: object) -> None:
            self.stop_all()
            if callable(previous):
                previous(signum, frame)  # type: ignore[arg-type]
            else:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGTERM)

        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGTERM, on_sigterm)


REGISTRY: Final = ProcessRegistry()


def wait_for_port(host: str, port: int, *, process: ManagedProcess, timeout: float) -> None:
    """Poll until ``host:port`` accepts a TCP connection; fail fast if the process dies."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        if process.returncode is not None:
            raise RuntimeError(
                f"`{shlex.join(process.command)}` {process.describe_exit()} before it accepted connections "
                f"on {host}:{port}.\n--- last lines of its stderr ---\n{process.stderr_tail()}"
            )
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"`{shlex.join(process.command)}` did not accept connections on {host}:{port} within "
                f"{timeout:g} s (raise --mcp-startup-timeout if it is just slow).\n"
                f"--- last lines of its stderr ---\n{process.stderr_tail()}"
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)
