"""Tests of the throwaway PostgreSQL helper, against real servers (no mocks of PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from . import postgres as postgres_support
from .postgres import (
    PostgresServer,
    PostgresStartError,
    PostgresUnavailableError,
    docker_available,
    local_postgres,
    throwaway_postgres,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _running(pid: int) -> bool:
    """True if ``pid`` is a live process (a zombie has exited: it only waits to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _postmaster(server: PostgresServer) -> int:
    assert server.data_dir is not None
    return int((server.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])


def _assert_torn_down(server: PostgresServer, pid: int) -> None:
    assert server.data_dir is not None
    assert not server.data_dir.parent.exists(), "temp dir left behind"
    assert not _running(pid), f"postmaster {pid} still running"


def test_local_cluster_round_trip_and_teardown() -> None:
    with local_postgres() as server:
        pid = _postmaster(server)
        assert server.backend == "local" and _running(pid)
        assert server.database_url("other") == server.url.removesuffix("/postgres") + "/other"
        with psycopg.connect(server.url) as conn:
            conn.execute("CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL)")
            conn.execute("INSERT INTO item (name) VALUES (%s), (%s)", ("apple", "pear"))
            assert conn.execute("SELECT name FROM item ORDER BY id").fetchall() == [("apple",), ("pear",)]
            assert conn.execute("SHOW fsync").fetchone() == ("off",)
            assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
    _assert_torn_down(server, pid)


def test_throwaway_postgres_without_docker_uses_the_local_binaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres_support, "docker_available", lambda: False)
    with throwaway_postgres() as server, psycopg.connect(server.url) as conn:
        assert server.backend == "local"
        assert conn.execute("SELECT current_database()").fetchone() == ("postgres",)


def test_two_clusters_run_at_once() -> None:
    with local_postgres() as first, local_postgres() as second:
        assert first.url != second.url and first.data_dir != second.data_dir
        with psycopg.connect(first.url) as a, psycopg.connect(second.url) as b:
            a.execute("CREATE TABLE only_here (x int)")
            assert b.execute("SELECT to_regclass('only_here')").fetchone() == (None,)


def test_teardown_runs_on_keyboard_interrupt() -> None:
    seen: list[tuple[PostgresServer, int]] = []
    with pytest.raises(KeyboardInterrupt), local_postgres() as server:
        seen.append((server, _postmaster(server)))
        raise KeyboardInterrupt
    _assert_torn_down(*seen[0])


def test_start_failure_reports_the_server_log_and_cleans_up() -> None:
    before = set(Path("/tmp").glob("pgtest-*"))
    with pytest.raises(PostgresStartError, match="pg_ctl start failed") as excinfo:
        with local_postgres(settings={"shared_buffers": "'bogus'"}):
            pytest.fail("the server should not have started")
    assert "shared_buffers" in str(excinfo.value)  # the server's own complaint, from its log
    assert set(Path("/tmp").glob("pgtest-*")) == before


def test_missing_binaries_say_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(PostgresUnavailableError, match=r"apt-get install -y postgresql"), local_postgres(tmp_path):
        pytest.fail("no server without binaries")


def test_docker_available_asks_the_docker_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert docker_available() is False  # no docker command at all
    fake = tmp_path / "docker"
    for exit_code, expected in ((1, False), (0, True)):
        fake.write_text(f"#!/bin/sh\nexit {exit_code}\n")
        os.chmod(fake, 0o755)
        assert docker_available() is expected
