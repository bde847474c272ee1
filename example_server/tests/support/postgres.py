"""Throwaway PostgreSQL servers for tests.

``throwaway_postgres()`` starts a server and yields a :class:`PostgresServer`; leaving the ``with``
block stops it and deletes everything it wrote, whatever ends the block:

* with a Docker engine (``docker info`` answers) and testcontainers installed: a container;
* otherwise a private cluster made by the machine's own ``initdb`` and ``pg_ctl`` in a fresh temp
  directory, listening on 127.0.0.1 on a free port, trust authentication, ``fsync`` off. PostgreSQL
  refuses to run as root, so as root every command runs as the ``postgres`` user
  (``runuser -u postgres --``).

Nothing here is pytest-specific: the caller decides whether :class:`PostgresUnavailableError` is a
skip or a failure.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "Install the PostgreSQL server binaries (Debian/Ubuntu: `apt-get install -y postgresql`, which also "
    "creates the `postgres` user) or start a Docker engine and `pip install testcontainers`."
)
SETTINGS: Mapping[str, str] = {"listen_addresses": "'127.0.0.1'", "fsync": "off", "synchronous_commit": "off"}
STEP_TIMEOUT = 60  # seconds for each initdb / pg_ctl call


class PostgresUnavailableError(RuntimeError):
    """Neither a Docker engine nor local PostgreSQL server binaries can be used."""


class PostgresStartError(RuntimeError):
    """PostgreSQL was found but did not start; the message ends with its log."""


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway server: ``url`` names its ``postgres`` database."""

    url: str
    backend: str
    data_dir: Path | None = None
    """The local cluster's data directory (gone after teardown); ``None`` for a container."""

    def database_url(self, name: str) -> str:
        """The URL of database ``name`` on this server."""
        return f"{self.url.rsplit('/', 1)[0]}/{name}"


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[PostgresServer]:
    """A server from Docker when an engine answers and testcontainers is installed, else from local binaries."""
    backend = _container if importlib.util.find_spec("testcontainers") and docker_available() else local_postgres
    with backend() as server:
        yield server


def docker_available() -> bool:
    """Whether ``docker info`` succeeds within a few seconds."""
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        return subprocess.run([docker, "info"], capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@contextlib.contextmanager
def _container() -> Iterator[PostgresServer]:
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine", dbname="postgres", driver=None) as container:
        yield PostgresServer(url=container.get_connection_url(), backend="docker")


def find_bin_dir() -> Path | None:
    """The directory of ``initdb`` and ``pg_ctl``: on PATH, else Debian's newest ``/usr/lib/postgresql/*/bin``."""
    on_path = shutil.which("initdb")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    return next((d for d in candidates if (d / "initdb").exists() and (d / "pg_ctl").exists()), None)


@contextlib.contextmanager
def local_postgres(bin_dir: Path | None = None, settings: Mapping[str, str] = SETTINGS) -> Iterator[PostgresServer]:
    """A private cluster from ``bin_dir`` (default: :func:`find_bin_dir`) in a new temp directory."""
    bin_dir = bin_dir or find_bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        raise PostgresUnavailableError(f"no initdb/pg_ctl in {bin_dir or 'PATH'} and no Docker engine. {INSTALL_HINT}")
    prefix = _as_postgres_user()
    workdir = Path(tempfile.mkdtemp(prefix="pgtest-", dir="/tmp"))  # short: the unix socket lives here
    data, log, port = workdir / "data", workdir / "postgres.log", _free_port()
    conf = {**settings, "port": str(port), "unix_socket_directories": f"'{workdir}'"}
    if prefix:
        user = pwd.getpwnam("postgres")
        os.chown(workdir, user.pw_uid, user.pw_gid)
    try:
        _run(
            [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"],
            log,
            "initdb",
        )
        with (data / "postgresql.conf").open("a") as config:  # appending keeps the file's owner
            config.writelines(f"{key} = {value}\n" for key, value in conf.items())
        _run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "start"], log, "pg_ctl start")
        yield PostgresServer(url=f"postgresql://postgres@127.0.0.1:{port}/postgres", backend="local", data_dir=data)
    finally:
        _stop(prefix, bin_dir, data, log)
        shutil.rmtree(workdir, ignore_errors=True)


def _as_postgres_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailableError(f"running as root and there is no `postgres` user. {INSTALL_HINT}") from None
    return ["runuser", "-u", "postgres", "--"]


def _run(command: list[str], log: Path, what: str) -> None:
    """Run one PostgreSQL command; on failure raise :class:`PostgresStartError` with its output and the log."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=STEP_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise PostgresStartError(f"{what} did not finish in {STEP_TIMEOUT}s:\n{_tail(log)}") from None
    if done.returncode != 0:
        output = f"{done.stdout}{done.stderr}".strip()
        raise PostgresStartError(f"{what} failed (exit {done.returncode}):\n{output}\n{_tail(log)}")


def _stop(prefix: list[str], bin_dir: Path, data: Path, log: Path) -> None:
    """Stop the cluster fast; kill the postmaster if ``pg_ctl stop`` does not."""
    pid_file = data / "postmaster.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().split("\n", 1)[0])
    with contextlib.suppress(PostgresStartError):
        _run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], log, "pg_ctl stop")
    with contextlib.suppress(ProcessLookupError):
        if pid_file.exists():
            os.kill(pid, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(log: Path, lines: int = 30) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])
