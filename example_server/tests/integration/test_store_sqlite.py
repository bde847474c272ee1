"""The Store contract on SQLite: in-memory and file databases."""

from __future__ import annotations

import sqlite3

import pytest

from example_server.store import Store

from .store_contract import ALICE, StoreContract, item

pytestmark = pytest.mark.integration


class TestInMemory(StoreContract):
    @pytest.fixture
    def store(self):
        store = Store("sqlite://:memory:")
        yield store
        store.close()

    @pytest.fixture
    def second_store(self, store):
        # An in-memory database lives in one Store; "another process" is the same object.
        return store

    def test_memory_data_survives_close(self, store: Store):
        store.create(ALICE, item())
        store.close()
        assert store.count() == 1

    def test_each_store_has_its_own_database(self, store: Store):
        store.create(ALICE, item())
        assert Store("sqlite://").count() == 0


class TestFile(StoreContract):
    @pytest.fixture
    def url(self, tmp_path):
        return f"sqlite://{tmp_path / 'assignments.db'}"

    @pytest.fixture
    def store(self, url):
        store = Store(url)
        yield store
        store.close()

    @pytest.fixture
    def second_store(self, url):
        store = Store(url)
        yield store
        store.close()

    def test_data_persists_across_store_objects(self, url):
        first = Store(url)
        created = first.create(ALICE, item())
        first.close()
        second = Store(url)
        assert second.get(ALICE, created.id) == created
        second.close()

    def test_file_uses_wal(self, store: Store, tmp_path):
        store.count()
        conn = sqlite3.connect(tmp_path / "assignments.db")
        try:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        finally:
            conn.close()


def test_unknown_database_url():
    with pytest.raises(ValueError, match="unsupported database URL"):
        Store("mysql://localhost/db")


def test_store_is_lazy(tmp_path):
    path = tmp_path / "never.db"
    Store(f"sqlite://{path}")
    assert not path.exists()
