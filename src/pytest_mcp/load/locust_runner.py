"""Run Locust headless from a test and read its statistics back as ``LoadStats``.

``run_locust("locustfile.py", host=url, users=4, run_time=3)`` runs one ``locust --headless``
process; ``workers=2`` runs a master and two worker processes that talk over 127.0.0.1 (Locust's
distributed mode, the way it spreads load over several machines). Locust always runs in child
processes: importing it patches the standard library with gevent, which must not happen in a
test process. Every run is bounded: Locust stops after ``run_time`` seconds, and the processes
are killed if they have not exited ``grace`` seconds later.

Failed requests do not fail the run (``--exit-code-on-error 0``): judge them with
``run.stats.assert_slo(error_rate=...)``. A run fails (``LocustError``) only when Locust itself
does: a broken locustfile, workers that never connect, a run that overstays its bounds.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from .._docs import docs_url
from ..errors import McpUsageError
from ..extras import missing_message
from .stats import LoadStats

__all__ = ["LocustError", "LocustRun", "run_locust"]

DOCS: Final = docs_url("load.md", "locust")
ERRORS_FILE_ENV: Final = "PYTEST_MCP_LOCUST_ERRORS"
"""Where ``pytest_mcp.load.locust`` writes the run's error messages (see ``locust.py``)."""
WORKER_WAIT: Final = 30
"""Seconds the master waits for its workers to connect (``--expect-workers-max-wait``)."""


class LocustError(RuntimeError):
    """Locust could not run (its output is in the message)."""


@dataclass(frozen=True)
class LocustRun:
    """A finished Locust run: its statistics, and what the processes printed."""

    stats: LoadStats
    command: tuple[str, ...]
    output: str
    """The master's (or the single process's) log: Locust writes it to stderr."""
    worker_outputs: tuple[str, ...] = ()

    def assert_slo(self, **objectives: Any) -> LoadStats:
        """``self.stats.assert_slo(...)``: the same objectives as for ``mcp_load``."""
        __tracebackhide__ = True
        return self.stats.assert_slo(**objectives)


def run_locust(
    locustfile: str | Path,
    *user_classes: str,
    host: str,
    users: int = 1,
    spawn_rate: float | None = None,
    run_time: float = 5,
    workers: int = 0,
    stop_timeout: float = 2,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    grace: float = 30,
) -> LocustRun:
    """Run ``locustfile`` headless against ``host`` for ``run_time`` seconds and return its statistics.

    ``user_classes`` picks classes of the locustfile (default: all of them). ``spawn_rate``
    defaults to ``users`` (everyone starts in the first second). ``run_time`` is rounded up to
    whole seconds (Locust's unit). ``workers=N`` runs a master and N workers on 127.0.0.1.
    ``env`` replaces the child processes' environment (default: this process's).
    """
    __tracebackhide__ = True
    path = _checked_locustfile(locustfile, users, workers, run_time)
    seconds = max(1, math.ceil(run_time))
    rate = spawn_rate if spawn_rate is not None else users
    child_env = dict(env) if env is not None else dict(os.environ)
    directory = str(cwd) if cwd is not None else str(path.parent)
    base = (sys.executable, "-m", "locust", "-f", str(path), *user_classes)
    with tempfile.TemporaryDirectory(prefix="pytest-mcp-locust-") as scratch:
        out = Path(scratch) / "stats.json"
        errors_file = Path(scratch) / "errors.json"
        child_env[ERRORS_FILE_ENV] = str(errors_file)
        options = ("--host", host, "--users", str(users), "--spawn-rate", f"{rate:g}", "--run-time", f"{seconds}s")
        command = (*base, *HEADLESS, *options, "--stop-timeout", f"{stop_timeout:g}")
        command = (*command, "--json-file", str(out.with_suffix("")), *extra_args)
        limit = seconds + stop_timeout + grace
        worker_command: tuple[str, ...] = ()
        if workers:
            command, worker_command = _distributed(command, base, workers)
            limit += WORKER_WAIT
        code, output, worker_outputs = _run_processes(
            command, worker_command, workers, child_env, directory, limit=limit, grace=grace
        )
        if code is None:
            raise LocustError(f"Locust did not finish within {limit:g} s:\n{_tail(output)}")
        if code != 0 or not out.exists():
            workers_said = "".join(f"\n--- worker {i + 1} ---\n{_tail(text)}" for i, text in enumerate(worker_outputs))
            raise LocustError(f"Locust exited with code {code}:\n{_tail(output)}{workers_said}")
        stats = LoadStats.from_locust_json(out, target=host, errors=_errors(errors_file))
    return LocustRun(dataclasses.replace(stats, users=users), command, output, worker_outputs)


HEADLESS: Final = ("--headless", "--only-summary", "--exit-code-on-error", "0")
"""Locust without its web UI, printing only the final summary; errors are judged from the statistics."""


def _checked_locustfile(locustfile: str | Path, users: int, workers: int, run_time: float) -> Path:
    """The locustfile's absolute path, once Locust is installed and the run's numbers make sense."""
    __tracebackhide__ = True
    if importlib.util.find_spec("locust") is None:
        raise McpUsageError(missing_message("locust", "run_locust"))
    if not isinstance(users, int) or users < 1:
        raise McpUsageError(f"run_locust(users={users!r}): give a whole number of users >= 1")
    if not isinstance(workers, int) or workers < 0:
        raise McpUsageError(f"run_locust(workers={workers!r}): give 0 (one process) or a number of workers")
    if not run_time > 0:
        raise McpUsageError(f"run_locust(run_time={run_time!r}): give seconds > 0")
    path = Path(locustfile).resolve()
    if not path.is_file():
        raise McpUsageError(f"run_locust: no locustfile at {path}")
    return path


def _distributed(
    command: tuple[str, ...], base: tuple[str, ...], workers: int
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The master's command (bound to a free loopback port, waiting for ``workers``) and a worker's."""
    from ..server.process import free_port

    port = str(free_port())
    master = ("--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", port)
    expect = ("--expect-workers", str(workers), "--expect-workers-max-wait", str(WORKER_WAIT))
    return (*command, *master, *expect), (*base, "--worker", "--master-host", "127.0.0.1", "--master-port", port)


def _run_processes(
    command: Sequence[str],
    worker_command: Sequence[str],
    workers: int,
    env: Mapping[str, str],
    cwd: str,
    *,
    limit: float,
    grace: float,
) -> tuple[int | None, str, tuple[str, ...]]:
    """Run the master (and ``workers`` workers) to the end or ``limit`` seconds: the master's exit code
    (None if it did not finish), its output and each worker's; every process is stopped."""
    worker_processes = [_start(worker_command, env, cwd) for _ in range(workers)]
    try:
        master = _start(command, env, cwd)
        try:
            code = _wait(master, limit)
            output = master.stderr_text()
        finally:
            master.stop()
            master.close_stderr()
        worker_outputs = tuple(_finish(worker, grace) for worker in worker_processes)
    finally:
        for worker in worker_processes:
            worker.stop()
            worker.close_stderr()
    return code, output, worker_outputs


def _start(command: Sequence[str], env: Mapping[str, str], cwd: str) -> Any:
    from ..server.process import ManagedProcess

    return ManagedProcess(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL)


def _wait(process: Any, limit: float) -> int | None:
    try:
        return int(process.popen.wait(timeout=limit))
    except subprocess.TimeoutExpired:
        return None


def _finish(worker: Any, grace: float) -> str:
    """A worker's log, once it has exited (it stops when its master does)."""
    _wait(worker, grace)
    return str(worker.stderr_text())


def _errors(path: Path) -> dict[str, list[str]]:
    """Error messages per statistics row, from the file ``pytest_mcp.load.locust`` writes on quit."""
    if not path.exists():
        return {}
    found: dict[str, list[str]] = {}
    for entry in json.loads(path.read_text(encoding="utf-8")):
        found.setdefault(str(entry["name"]), []).append(f"{entry['error']} (x{entry['occurrences']})")
    return found


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"
