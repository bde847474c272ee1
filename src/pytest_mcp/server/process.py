"""Child processes: start them with an explicit environment, capture stderr, always reap them.

Every process the plugin starts is registered in a ``ProcessRegistry``; the session finalizer, an
``atexit`` hook and SIGTERM all stop whatever is still running, so neither a failing test, Ctrl-C,
nor an xdist worker going away leaves an orphan behind. Children run in their own session
(process group), and stopping one signals the whole group.

None of that runs when this process is killed with SIGKILL (an OOM killer, a CI job timeout, a
``kill -9`` of pytest or of an xdist worker). For that, each child's process group is also
registered with the ``Lifeline``: one small watcher process per pytest process (``reaper.py``)
that reads a pipe from us and kills the registered groups when the pipe reaches end of file, which
the kernel guarantees when we die, however we die.

Why not the parent-death signal (``prctl(PR_SET_PDEATHSIG)`` in a ``preexec_fn``)? It reaches only
the direct child, not the helpers a server starts in its group. It fires when the *thread* that
started the child exits, and servers are started from worker threads too (``anyio.to_thread``,
whose idle threads exit after 10 s): that would kill a shared server in the middle of a session.
``preexec_fn`` is unsafe while other threads run (the stdio reader and writer threads do), and it
is Linux only. A supervisor process per server would reach the group, but costs an interpreter
start-up per server and puts its own pid and exit status in front of the server's. The lifeline
costs one interpreter start-up (about 15 ms) per pytest process, in parallel with the first
server's, and works the same on macOS.
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

from .. import _limits

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
        LIFELINE.watch(self.popen.pid)  # its process group: start_new_session made it the leader
        REGISTRY.add(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def exited(self) -> bool:
        """Whether the process has ended. ``poll()`` says None while another thread waits on the
        process; a zombie (ended, not yet reaped) has ended all the same."""
        from .reaper import zombie

        return self.popen.poll() is not None or zombie(self.popen.pid)

    def stderr_size(self) -> int:
        """Bytes the child wrote to stderr so far (an offset for ``stderr_text(start)``)."""
        with contextlib.suppress(ValueError, OSError):
            self._stderr.flush()
            return os.fstat(self._stderr.fileno()).st_size
        return 0

    def stderr_text(self, start: int = 0, limit: int = 0) -> str:
        """What the child wrote to stderr from byte ``start`` on (decoded leniently). With a ``limit``
        only its head and tail are read, the middle cut with a notice (as ``_limits.clip`` cuts), so a chatty
        server's stderr is never read into memory whole."""
        # pread, not seek and read: the child writes through the same file offset, which must not move.
        with contextlib.suppress(ValueError, OSError):
            fd = self._stderr.fileno()
            size = max(os.fstat(fd).st_size - start, 0)
            kept = _limits.ends(size, limit)
            if kept is None:
                return os.pread(fd, size, start).decode("utf-8", "replace")
            head, tail = kept
            cut = size - head - tail
            return _limits.join(os.pread(fd, head, start), cut, os.pread(fd, tail, start + head + cut))
        return ""

    def stderr_tail(self, lines: int = 20, limit: int = _limits.DEFAULT_LIMIT) -> str:
        """The last ``lines`` lines of stderr, read from its head and tail only (``limit`` bytes, 0: all)."""
        return "\n".join(self.stderr_text(limit=limit).splitlines()[-lines:])

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
            LIFELINE.unwatch(popen.pid)

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


class Lifeline:
    """Kills our children's process groups when this process dies, even by SIGKILL (see above).

    The watcher (``reaper.py``) starts with the first group watched. Its stdin is a pipe whose
    write end only this process holds: it is close-on-exec, and children start with ``close_fds``.
    A forked child that starts servers of its own gets a watcher of its own.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watcher: subprocess.Popen[bytes] | None = None
        self._owner_pid = 0
        self._groups: set[int] = set()
        self._closed = False

    def watch(self, pgid: int) -> None:
        with self._lock:
            self._adopt()
            self._groups.add(pgid)
            self._send(f"+{pgid}\n")

    def unwatch(self, pgid: int) -> None:
        with self._lock:
            self._adopt()
            if pgid in self._groups:
                self._groups.discard(pgid)
                self._send(f"-{pgid}\n")

    def close(self) -> None:
        """At exit: close the pipe, so the watcher ends (it kills any group still listed)."""
        with self._lock:
            watcher, self._watcher, self._closed = self._watcher, None, True
            if watcher is None or self._owner_pid != os.getpid():
                return
            assert watcher.stdin is not None
            with contextlib.suppress(OSError):
                watcher.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                watcher.wait(timeout=STOP_GRACE_SECONDS)

    def _adopt(self) -> None:
        """In a process forked from the one that started the watcher, forget its watcher and groups."""
        if self._owner_pid in (0, os.getpid()):
            return
        if self._watcher is not None and self._watcher.stdin is not None:
            with contextlib.suppress(OSError):
                self._watcher.stdin.close()  # our inherited copy of the parent's pipe
        self._watcher = None
        self._groups.clear()
        self._owner_pid = os.getpid()

    def _send(self, line: str) -> None:
        """Tell the watcher; a missing or dead one is (re)started and told every group we watch."""
        if os.name != "posix" or self._closed:  # no process groups (docs/targets.md, "Process lifetime")
            return
        if self._watcher is None or self._watcher.poll() is not None:
            self._drop_watcher()
            self._watcher = self._start()
            line = "".join(f"+{pgid}\n" for pgid in self._groups)
        if self._watcher is None:
            return
        try:
            assert self._watcher.stdin is not None
            self._watcher.stdin.write(line.encode())
            self._watcher.stdin.flush()
        except (OSError, ValueError):  # it was killed; the next call starts another
            self._drop_watcher()

    def _drop_watcher(self) -> None:
        if self._watcher is not None and self._watcher.stdin is not None:
            with contextlib.suppress(OSError):
                self._watcher.stdin.close()
        self._watcher = None

    def _start(self) -> subprocess.Popen[bytes] | None:
        from pathlib import Path

        script = Path(__file__).with_name("reaper.py")
        # An xdist worker's parent is the controller: the watcher watches it too (see reaper.py).
        watch = ["--watch", str(os.getppid())] if os.environ.get("PYTEST_XDIST_WORKER") else []
        try:
            watcher = subprocess.Popen(
                [sys.executable, "-I", "-S", str(script), *watch],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C at the terminal must not take it down before us
            )
        except OSError:
            return None  # without it, everything but SIGKILL still stops our children
        if self._owner_pid == 0:
            atexit.register(self.close)
        self._owner_pid = os.getpid()
        return watcher


LIFELINE: Final = Lifeline()


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
