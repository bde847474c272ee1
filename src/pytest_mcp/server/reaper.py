"""The lifeline: when the process that started the servers dies, however it dies, kill their process groups.

``process.Lifeline`` runs this file as ``python -I -S reaper.py``, in a session of its own (a
Ctrl-C at the terminal does not reach it), with stdin a pipe whose only writer is the pytest
process (or xdist worker) that owns the servers. That process writes ``+PGID`` when it has started
a server in a new process group and ``-PGID`` when it has stopped that group.

End of file on stdin means the writer is gone: it closed the pipe at exit, or the kernel closed it
because the process was killed, even by SIGKILL, which no handler inside the process can see. Then
every group still listed gets SIGTERM, and SIGKILL after ``GRACE`` seconds. Signalling the group
reaches what the server started too (its helpers, a shell pipeline), not just the server.

In an xdist worker it also watches the controller (``--watch PID``, the worker's parent): a
worker blocked in a test outlives a SIGKILLed controller, and with it the servers it owns, so the
controller's death is treated like the owner's.

Standard library only, no ``site``: this starts in about 15 ms, once per pytest process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

GRACE = 1.0
"""Seconds between SIGTERM and SIGKILL (a server killed with its owner gets little ceremony)."""


def read_groups(fd: int, groups: set[int]) -> None:
    """Apply ``+PGID`` / ``-PGID`` lines from ``fd`` to ``groups`` until end of file."""
    pending = b""
    while chunk := os.read(fd, 65536):
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            if line[:1] == b"+":
                groups.add(int(line[1:]))
            elif line[:1] == b"-":
                groups.discard(int(line[1:]))


def kill_groups(groups: set[int], grace: float = GRACE) -> None:
    """SIGTERM every group, give them ``grace`` seconds to go, then SIGKILL whatever is left."""
    alive = set()
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGTERM)
            alive.add(pgid)
        except OSError:  # already gone (or not ours to signal)
            pass
    deadline = time.monotonic() + grace
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        for pgid in list(alive):
            try:
                os.killpg(pgid, 0)
            except OSError:
                alive.discard(pgid)
    for pgid in alive:
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)


def zombie(pid: int) -> bool:
    """Whether ``pid`` has ended but is not yet reaped by its parent (False where /proc cannot say)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, but not ours to signal
        return True
    return not zombie(pid)


def watch(pid: int, groups: set[int], every: float = 0.25) -> None:
    """When process ``pid`` is gone, kill the groups and end this watcher."""
    while alive(pid):
        time.sleep(every)
    kill_groups(set(groups))
    os._exit(0)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)  # a CI runner stopping everything: take the servers along
    groups: set[int] = set()
    if sys.argv[1:2] == ["--watch"]:
        threading.Thread(target=watch, args=(int(sys.argv[2]), groups), daemon=True).start()
    try:
        read_groups(sys.stdin.fileno(), groups)
    finally:
        kill_groups(groups)


if __name__ == "__main__":
    main()
