"""The Store contract on PostgreSQL: the same SQL as SQLite, against a real server.

Skipped when neither Docker nor local PostgreSQL binaries are available.
"""

from __future__ import annotations

import psycopg
import pytest

from example_server.store import Store

from ..support.postgres import PostgresUnavailableError, throwaway_postgres_server
from .store_contract import StoreContract


@pytest.fixture(scope="module")
def postgres_url():
    try:
        with throwaway_postgres_server() as server:
            yield server.url
    except PostgresUnavailableError as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")


class TestPostgres(StoreContract):
    @pytest.fixture
    def store(self, postgres_url):
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS assignments")
        store = Store(postgres_url)
        yield store
        store.close()

    @pytest.fixture
    def second_store(self, store, postgres_url):
        other = Store(postgres_url)
        yield other
        other.close()
