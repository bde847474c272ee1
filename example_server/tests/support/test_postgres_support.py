"""Tests of the throwaway PostgreSQL helper, against real servers (no mocks of PostgreSQL)."""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import psycopg
import pytest

from . import postgres as postgres_support
from .postgres import (
    PostgresServer,
    PostgresStartError,
    PostgresUnavailableError,
    docker_available,
    find_postgres_bin_dir,
    local_postgres,
    throwaway_postgres,
    throwaway_postgres_server,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _running(pid: int) -> bool:
    """True if ``pid`` is a live process (a zombie has exited: it only waits to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _processes_mentioning(path: Path) -> list[str]:
    """Command lines of all processes that name ``path`` (the postmaster is started with ``-D path``)."""
    needle = str(path).encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline:
            found.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return found


def _assert_torn_down(server: PostgresServer) -> None:
    assert server.data_dir is not None and server.pid is not None
    assert not server.data_dir.exists(), "data dir left behind"
    assert server.socket_dir is not None and not server.socket_dir.exists(), "temp dir left behind"
    assert not _running(server.pid), f"postmaster {server.pid} still running"
    assert _processes_mentioning(server.data_dir) == []


def test_local_cluster_round_trip_and_teardown() -> None:
    with throwaway_postgres_server("local") as server:
        assert server.backend == "local"
        assert server.url == f"postgresql://postgres@127.0.0.1:{server.port}/{server.dbname}"
        assert server.data_dir is not None and (server.data_dir / "postmaster.pid").is_file()
        assert server.pid is not None and _running(server.pid)
        with psycopg.connect(server.url) as conn:
            conn.execute("CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL)")
            conn.execute("INSERT INTO item (name) VALUES (%s), (%s)", ("apple", "pear"))
            rows = conn.execute("SELECT name FROM item ORDER BY id").fetchall()
            assert rows == [("apple",), ("pear",)]
            assert conn.execute("SELECT current_database()").fetchone() == (server.dbname,)
            assert conn.execute("SHOW fsync").fetchone() == ("off",)
            assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
    _assert_torn_down(server)


def test_unix_socket_in_temp_dir_works() -> None:
    with throwaway_postgres_server("local") as server:
        assert server.socket_dir is not None
        with psycopg.connect(host=str(server.socket_dir), port=server.port, user="postgres", dbname=server.dbname) as c:
            assert c.execute("SELECT 1").fetchone() == (1,)


def test_throwaway_postgres_yields_fresh_database_url() -> None:
    with throwaway_postgres() as url:
        assert url.startswith("postgresql://")
        with psycopg.connect(url) as conn:
            (dbname,) = conn.execute("SELECT current_database()").fetchone() or ("",)
            assert dbname.startswith("test_")
            assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def test_two_clusters_run_at_once_on_different_ports() -> None:
    with throwaway_postgres_server("local") as first, throwaway_postgres_server("local") as second:
        assert first.port != second.port
        assert first.pid != second.pid and first.data_dir != second.data_dir
        with psycopg.connect(first.url) as a, psycopg.connect(second.url) as b:
            a.execute("CREATE TABLE only_here (x int)")
            a.execute("INSERT INTO only_here VALUES (1)")
            assert a.execute("SELECT x FROM only_here").fetchall() == [(1,)]
            assert b.execute("SELECT to_regclass('only_here')").fetchone() == (None,)
    _assert_torn_down(first)
    _assert_torn_down(second)


def test_teardown_runs_on_keyboard_interrupt() -> None:
    servers: list[PostgresServer] = []
    with pytest.raises(KeyboardInterrupt), throwaway_postgres_server("local") as server:
        servers.append(server)
        raise KeyboardInterrupt
    _assert_torn_down(servers[0])


def test_start_failure_reports_log_tail_and_cleans_up() -> None:
    with pytest.raises(PostgresStartError) as excinfo, local_postgres(settings={"shared_buffers": "'bogus'"}):
        pytest.fail("the server should not have started")
    message = str(excinfo.value)
    assert "shared_buffers" in message, message  # the server's own complaint, from its log
    match = re.search(r" in (/\S+)/data:", message)
    assert match, message
    assert not Path(match.group(1)).exists()
    assert _processes_mentioning(Path(match.group(1))) == []


def test_missing_binaries_raise_with_install_hint(tmp_path: Path) -> None:
    with pytest.raises(PostgresUnavailableError, match=r"apt-get install -y postgresql"), local_postgres(tmp_path):
        pass


def test_local_binaries_are_found() -> None:
    bin_dir = find_postgres_bin_dir()
    assert bin_dir is not None, "no initdb/pg_ctl/postgres: apt-get install -y postgresql"
    assert all((bin_dir / name).exists() for name in ("initdb", "pg_ctl", "postgres"))


def test_docker_available_is_a_quick_bool_without_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    start = time.monotonic()
    assert isinstance(docker_available(), bool)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/missing.sock")
    assert docker_available() is False
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{port}")
    assert docker_available() is False
    monkeypatch.setenv("DOCKER_HOST", "ssh://somewhere")
    assert docker_available() is False
    assert time.monotonic() - start < 10


def test_docker_available_true_when_engine_answers_ping(monkeypatch: pytest.MonkeyPatch) -> None:
    # A unix socket path must be short, and pytest's tmp_path may not be.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        path = f"/tmp/fake-docker-{id(server)}.sock"
        server.bind(path)
        server.listen(1)
        server.settimeout(5)

        def answer_one_ping() -> None:
            conn, _ = server.accept()
            with conn:
                assert conn.recv(1024).startswith(b"GET /_ping ")
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")

        thread = threading.Thread(target=answer_one_ping, daemon=True)
        thread.start()
        try:
            monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
            assert docker_available() is True
        finally:
            thread.join(5)
            Path(path).unlink(missing_ok=True)


def test_port_collision_is_retried_on_another_port(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen(1)
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        real_free_port = postgres_support._free_port
        monkeypatch.setattr(postgres_support, "_free_port", lambda: next(ports, None) or real_free_port())
        with local_postgres() as server:
            assert server.port != taken
            assert server.log_file is not None and "could not bind" in server.log_file.read_text()
            with psycopg.connect(server.url) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
    _assert_torn_down(server)
