"""Shared configuration of the example server's tests: the test pyramid, driven through pytest_mcp.

* ``anyio_backend``: every async test and plugin fixture runs on asyncio.
* Slices: every module carries a category marker (``unit``, ``integration``, ``e2e``, ``security``,
  ``contract``, ``conformance``, ``snapshot``, ``chaos``, ``load``, ``benchmark``), registered by the
  plugin because the repository's pyproject.toml opts in (``mcp_category_markers = true``), so
  ``pytest example_server/tests -m security`` runs one layer. Tests marked ``slow`` are
  left out of a plain run (the README's fast slice); ``--run-slow`` or any ``-m`` expression brings
  them back (``-m slow`` runs only them).
* PostgreSQL: ``postgres_server`` starts one throwaway server per session, i.e. per xdist worker
  (Docker via testcontainers when an engine answers, else a local cluster). Without either the
  PostgreSQL tests are skipped, unless ``--require-postgres`` is given or the ``CI`` environment
  variable is set: then they fail, so CI cannot silently lose them.
* ``database_url``: one fresh database per test, parametrized over SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import factory.random
import psycopg
import pytest
from psycopg import sql

from .support.postgres import PostgresServer, PostgresUnavailableError, throwaway_postgres

HERE = Path(__file__).parent
SLOW_HINT = "slow example-server tests deselected: run them with --run-slow or -m slow"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("example_server", "example server tests")
    group.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="also run the example server's tests marked slow (a plain run leaves them out)",
    )
    group.addoption(
        "--require-postgres",
        action="store_true",
        default=False,
        help="fail (instead of skip) the PostgreSQL tests when no PostgreSQL can be started (implied by CI=...)",
    )


def _slow_wanted(config: pytest.Config) -> bool:
    return bool(config.getoption("--run-slow") or config.getoption("markexpr", ""))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _slow_wanted(config):
        return
    kept, deselected = [], []
    for item in items:
        mine = HERE in Path(str(item.path)).parents
        (deselected if mine and item.get_closest_marker("slow") else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [] if _slow_wanted(config) else [SLOW_HINT]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session", autouse=True)
def _reproducible_factories() -> None:
    """factory-boy and its Faker draw from one fixed seed, so generated data is the same every run."""
    factory.random.reseed_random("example-server-tests")


def _postgres_required(config: pytest.Config) -> bool:
    return bool(config.getoption("--require-postgres") or os.environ.get("CI", "").strip().lower() not in ("", "0"))


@pytest.fixture(scope="session")
def postgres_server(pytestconfig: pytest.Config) -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the session (so per xdist worker): started once, ~1.5 s."""
    try:
        with throwaway_postgres() as server:
            yield server
    except PostgresUnavailableError as exc:
        if _postgres_required(pytestconfig):
            pytest.fail(f"PostgreSQL is required here but unavailable: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {exc}")


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty database on the session's server, dropped after the test."""
    name = f"t_{os.urandom(5).hex()}"
    admin = postgres_server.url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield postgres_server.database_url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database that outlives server restarts: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'assignments.db'}"
    return str(request.getfixturevalue("postgres_url"))
