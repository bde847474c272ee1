"""The Store contract on PostgreSQL: the same SQL as SQLite, against a real server.

The server is the session's throwaway PostgreSQL (``postgres_server`` in the conftest: started
once per xdist worker); every test gets a database of its own (``postgres_url``).
"""

from __future__ import annotations

import pytest

from example_server.store import Store

from .store_contract import StoreContract

pytestmark = pytest.mark.integration


class TestPostgres(StoreContract):
    @pytest.fixture
    def store(self, postgres_url):
        store = Store(postgres_url)
        yield store
        store.close()

    @pytest.fixture
    def second_store(self, store, postgres_url):
        other = Store(postgres_url)
        yield other
        other.close()
