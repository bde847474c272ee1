"""Throwaway PostgreSQL servers for tests.

Usage::

    with throwaway_postgres() as url:          # "postgresql://postgres@127.0.0.1:54321/test_1a2b3c4d"
        with psycopg.connect(url) as conn:
            ...

Every call gets its own server and a freshly created database, and everything is torn down when the
``with`` block exits, whatever ends it (an exception, ``KeyboardInterrupt``, a failed start).

Two backends:

* **docker** -- a testcontainers ``PostgresContainer``, used when a Docker engine answers a ping.
* **local** -- a private cluster made with the machine's own ``initdb``/``pg_ctl``/``postgres`` in a fresh
  temp dir: listening on 127.0.0.1 on a free port (and a unix socket in that temp dir), trust auth,
  ``fsync`` off. As root the binaries run as the ``postgres`` OS user (``runuser``), because PostgreSQL
  refuses to run as root. On Debian/Ubuntu the binaries come from ``apt-get install postgresql``.

Nothing here is pytest-specific: the caller decides whether a :class:`PostgresUnavailableError` is a skip
or a failure. Each call owns its own server and port, so pytest-xdist workers never share one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psycopg
from psycopg import sql

__all__ = [
    "INSTALL_HINT",
    "PostgresServer",
    "PostgresStartError",
    "PostgresUnavailableError",
    "docker_available",
    "docker_postgres",
    "find_postgres_bin_dir",
    "local_postgres",
    "throwaway_postgres",
    "throwaway_postgres_server",
]

log = logging.getLogger(__name__)

Backend = Literal["auto", "docker", "local"]

INSTALL_HINT = (
    "Install the PostgreSQL server binaries (Debian/Ubuntu: `apt-get install -y postgresql`, which provides "
    "/usr/lib/postgresql/<version>/bin/initdb, pg_ctl and postgres) or start a Docker engine."
)
_BINARIES = ("initdb", "pg_ctl", "postgres")
_DEFAULT_SETTINGS: Mapping[str, str] = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
    "logging_collector": "off",
}
_MAX_SOCKET_DIR_LEN = 80  # unix socket paths are limited to ~107 bytes, ".s.PGSQL.NNNNN" included
_PORT_ATTEMPTS = 5
_LOG_TAIL_LINES = 30


class PostgresUnavailableError(RuntimeError):
    """Neither a Docker engine nor local PostgreSQL server binaries are available."""


class PostgresStartError(RuntimeError):
    """A PostgreSQL server was found but could not be started (the message holds the end of its log)."""


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway server and the fresh database made for the caller."""

    url: str
    """``postgresql://user[:password]@host:port/dbname``, usable by psycopg 3 as is."""
    backend: Literal["docker", "local"]
    host: str
    port: int
    user: str
    dbname: str
    data_dir: Path | None = None
    """The cluster's data directory (local backend only); gone after teardown."""
    socket_dir: Path | None = None
    """The directory holding the unix socket (local backend only)."""
    pid: int | None = None
    """The postmaster's pid (local backend only)."""
    log_file: Path | None = None
    """The server log (local backend only; deleted with the temp dir at teardown)."""


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_postgres(backend: Backend = "auto") -> Iterator[str]:
    """Yield the URL of a fresh database on a throwaway server; tear the server down at exit."""
    with throwaway_postgres_server(backend) as server:
        yield server.url


@contextlib.contextmanager
def throwaway_postgres_server(backend: Backend = "auto", *, bin_dir: Path | None = None) -> Iterator[PostgresServer]:
    """Like :func:`throwaway_postgres`, but yield the whole :class:`PostgresServer`.

    ``backend="auto"`` uses Docker when an engine answers, else local binaries; if the container fails
    to start (no image and no registry, say) it falls back to local binaries when there are some.
    """
    with contextlib.ExitStack() as stack:
        server: PostgresServer | None = None
        if backend == "docker" or (backend == "auto" and docker_available()):
            try:
                server = stack.enter_context(docker_postgres())
            except Exception as exc:
                if backend == "docker" or find_postgres_bin_dir() is None:
                    raise
                log.warning("Docker PostgreSQL failed to start (%s); using local binaries instead", exc)
        if server is None:
            server = stack.enter_context(local_postgres(bin_dir))
        yield server


def docker_available(timeout: float = 2.0) -> bool:
    """Tell whether a Docker engine answers ``GET /_ping`` within ``timeout`` seconds; never raises.

    Pings the engine that testcontainers would use (``DOCKER_HOST``, default ``/var/run/docker.sock``)
    with a raw socket: the docker SDK leaks a socket (a ResourceWarning) when the engine is absent.
    TLS-protected TCP endpoints are reported as unavailable.
    """
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    address: str | tuple[str, int]
    try:
        if host.startswith("unix://"):
            family, address = socket.AF_UNIX, host.removeprefix("unix://")
        elif host.startswith("tcp://") and not os.environ.get("DOCKER_TLS_VERIFY"):
            hostname, _, port = host.removeprefix("tcp://").rstrip("/").rpartition(":")
            family, address = socket.AF_INET, (hostname, int(port))
        else:
            return False
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(address)
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            reply = sock.recv(1024)
    except (OSError, ValueError):
        return False
    return reply.startswith(b"HTTP/") and b" 200 " in reply.split(b"\r\n", 1)[0]


def find_postgres_bin_dir() -> Path | None:
    """Return a directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or None.

    Looks at ``initdb`` on PATH (symlinks resolved), then at Debian's ``/usr/lib/postgresql/*/bin`` and
    RHEL's ``/usr/pgsql-*/bin``, newest major version first.
    """
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates += [Path(on_path).parent, Path(on_path).resolve().parent]
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"):
        candidates += sorted(Path("/").glob(pattern.lstrip("/")), key=_version_key, reverse=True)
    return next((d for d in candidates if _has_binaries(d)), None)


@contextlib.contextmanager
def local_postgres(
    bin_dir: Path | None = None,
    *,
    settings: Mapping[str, str] | None = None,
    os_user: str = "postgres",
    timeout: float = 30.0,
) -> Iterator[PostgresServer]:
    """Run a private cluster from local binaries in a temp dir; stop it and delete the dir at exit.

    ``settings`` are extra ``postgresql.conf`` lines (values as written in that file, e.g. ``"'UTC'"``).
    ``os_user`` is the account the server runs as when this process is root (created if missing).
    ``timeout`` bounds each step (initdb, start, stop) in seconds.
    """
    if bin_dir is None:
        bin_dir = find_postgres_bin_dir()
        if bin_dir is None:
            raise PostgresUnavailableError(
                "No PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH or under "
                f"/usr/lib/postgresql/*/bin, and no Docker engine answers. {INSTALL_HINT}"
            )
    elif not _has_binaries(bin_dir):
        raise PostgresUnavailableError(f"{bin_dir} lacks one of {', '.join(_BINARIES)}. {INSTALL_HINT}")

    run_as = _ensure_os_user(os_user) if os.geteuid() == 0 else None
    workdir = Path(tempfile.mkdtemp(prefix="pgtest-", dir=_temp_base(run_as)))
    cluster = _LocalCluster(bin_dir, workdir, run_as, timeout)
    try:
        cluster.init({**_DEFAULT_SETTINGS, "unix_socket_directories": f"'{workdir}'", **(settings or {})})
        port, pid = cluster.start()
        dbname = _create_database(f"postgresql://postgres@127.0.0.1:{port}/postgres", timeout)
        yield PostgresServer(
            url=f"postgresql://postgres@127.0.0.1:{port}/{dbname}",
            backend="local",
            host="127.0.0.1",
            port=port,
            user="postgres",
            dbname=dbname,
            data_dir=cluster.data_dir,
            socket_dir=workdir,
            pid=pid,
            log_file=cluster.log_file,
        )
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def docker_postgres(image: str = "postgres:15-alpine") -> Iterator[PostgresServer]:
    """Run ``image`` with testcontainers; remove the container at exit."""
    try:
        from testcontainers.community.postgres import PostgresContainer  # testcontainers >= 4.13
    except ImportError:  # pragma: no cover - older testcontainers 4.x
        from testcontainers.postgres import PostgresContainer

    dbname = _new_dbname()
    container = PostgresContainer(image, username="postgres", password="postgres", dbname=dbname, driver=None)
    try:
        container.start()
        host, port = container.get_container_host_ip(), int(container.get_exposed_port(5432))
        yield PostgresServer(
            url=container.get_connection_url(driver=None),
            backend="docker",
            host=host,
            port=port,
            user="postgres",
            dbname=dbname,
        )
    finally:
        container.stop()


# --------------------------------------------------------------------------------------------------
# Local cluster
# --------------------------------------------------------------------------------------------------


class _LocalCluster:
    """One cluster in ``workdir`` (data dir, log, unix socket), run as ``run_as`` when given."""

    def __init__(self, bin_dir: Path, workdir: Path, run_as: pwd.struct_passwd | None, timeout: float) -> None:
        self.bin_dir = bin_dir
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.log_file = workdir / "postgres.log"
        self.run_as = run_as
        self.timeout = timeout

    def init(self, settings: Mapping[str, str]) -> None:
        """Run initdb and append ``settings`` to postgresql.conf."""
        if self.run_as is not None:
            os.chown(self.workdir, self.run_as.pw_uid, self.run_as.pw_gid)
        initdb = [str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "-A", "trust"]
        result = self._run([*initdb, "-E", "UTF8", "--locale=C", "--no-sync"], "initdb")
        if result.returncode != 0:
            raise PostgresStartError(f"initdb failed (exit {result.returncode}):\n{_tail(result.stdout)}")
        lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
        with (self.data_dir / "postgresql.conf").open("a") as conf:  # appending keeps the file's owner
            conf.write(f"\n# throwaway test cluster\n{lines}")

    def start(self) -> tuple[int, int]:
        """Start the server on a free port, retrying on a port collision; return (port, pid)."""
        for _ in range(_PORT_ATTEMPTS):
            port = _free_port()
            log_start = self.log_file.stat().st_size if self.log_file.exists() else 0
            pg_ctl = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file)]
            result = self._run(
                [*pg_ctl, "-w", "-t", str(int(self.timeout)), "-o", f"-p {port}", "start"], "pg_ctl start"
            )
            if result.returncode == 0:
                pid = self._postmaster_pid()
                if pid is not None:
                    return port, pid
            server_log = self._read_log(log_start)
            if result.returncode != 0 and re.search(r"could not bind|already in use", server_log):
                log.info("port %d was taken, retrying with another", port)
                continue
            raise PostgresStartError(
                f"PostgreSQL failed to start (pg_ctl exit {result.returncode}) in {self.data_dir}:\n"
                f"{_tail(result.stdout)}\n--- last lines of {self.log_file.name} ---\n{_tail(server_log)}"
            )
        raise PostgresStartError(f"no free port after {_PORT_ATTEMPTS} attempts:\n{_tail(self._read_log(0))}")

    def stop(self) -> None:
        """Stop the server (fast, ``-m immediate``), then kill whatever of it is left; never hangs."""
        pids = set(_pids_running_in(self.data_dir))
        pid = self._postmaster_pid()
        if pid is not None:
            pids.add(pid)
        if not pids:
            return
        if pid is not None:
            pg_ctl = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir)]
            try:
                self._run([*pg_ctl, "-m", "immediate", "-w", "-t", str(int(self.timeout)), "stop"], "pg_ctl stop")
            except PostgresStartError as exc:  # a timeout: fall through to SIGKILL
                log.warning("%s", exc)
        if not _wait_dead(pids, 5.0):
            for leftover in pids:
                with contextlib.suppress(OSError):
                    os.kill(leftover, signal.SIGKILL)
            if not _wait_dead(pids, 5.0):
                raise RuntimeError(f"PostgreSQL processes {sorted(pids)} of {self.data_dir} survived SIGKILL")

    def _run(self, args: Sequence[str], what: str) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool (as ``run_as`` if set) in its own process group, killed on any exit path."""
        cmd = [*self._prefix(), *args]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}  # no stray PGDATA/PGPORT/...
        with subprocess.Popen(
            cmd,
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        ) as proc:
            try:
                out, _ = proc.communicate(timeout=self.timeout + 15)
            except BaseException as exc:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.communicate(timeout=5)
                if isinstance(exc, subprocess.TimeoutExpired):
                    raise PostgresStartError(f"{what} did not finish within {self.timeout + 15:.0f}s") from exc
                raise
        return subprocess.CompletedProcess(cmd, proc.returncode, out)

    def _prefix(self) -> list[str]:
        if self.run_as is None:
            return []
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        return [runuser, "-u", self.run_as.pw_name, "--"]

    def _postmaster_pid(self) -> int | None:
        try:
            first_line = (self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
            return int(first_line)
        except (OSError, ValueError):
            return None

    def _read_log(self, start: int) -> str:
        try:
            with self.log_file.open(errors="replace") as fh:
                fh.seek(start)
                return fh.read()
        except OSError:
            return ""


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def _has_binaries(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in _BINARIES)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", str(path)))


def _ensure_os_user(name: str) -> pwd.struct_passwd:
    """Return the account ``name``, creating it as a system user if it does not exist (root only)."""
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(name)
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    cmd = [useradd, "--system", "--user-group", "--no-create-home", "--shell", "/bin/sh", name]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        result = subprocess.CompletedProcess(cmd, -1, "", str(exc))
    try:
        return pwd.getpwnam(name)  # also right when a parallel worker created it first
    except KeyError:
        raise PostgresUnavailableError(
            f"PostgreSQL refuses to run as root and there is no {name!r} user to run it as; creating one with "
            f"`{' '.join(cmd)}` failed: {result.stderr.strip()}. Create the user, or run the tests as non-root."
        ) from None


def _temp_base(run_as: pwd.struct_passwd | None) -> str:
    """Pick a parent for the temp dir: short enough for a unix socket, reachable by ``run_as``."""
    base = tempfile.gettempdir()
    too_long = len(base) > _MAX_SOCKET_DIR_LEN - len("/pgtest-xxxxxxxx")
    if too_long or (run_as is not None and not _world_traversable(Path(base))):
        return "/tmp"
    return base


def _world_traversable(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in (path.resolve(), *path.resolve().parents))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _new_dbname() -> str:
    return f"test_{os.urandom(4).hex()}"


def _create_database(admin_url: str, timeout: float) -> str:
    dbname = _new_dbname()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=max(1, int(timeout))) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    return dbname


def _pid_alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie (exited, not yet reaped) counts as dead."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except (OSError, IndexError):  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return state not in ("Z", "X")


def _wait_dead(pids: set[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while any(_pid_alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _pids_running_in(data_dir: Path) -> list[int]:
    """Pids of ``postgres -D data_dir`` processes (catches a postmaster whose pid file is not written yet)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if Path(os.fsdecode(argv[0])).name in ("postgres", "postmaster") and os.fsencode(data_dir) in argv:
                found.append(int(proc.name))
    return found


def _tail(text: str, lines: int = _LOG_TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:]) or "(empty)"
