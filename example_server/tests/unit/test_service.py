"""Business rules of AssignmentService, with the store and the directory mocked.

Arguments reach the service checked and normalised by their types (``example_server.arguments``,
tested through the tools in ``test_tools.py`` and directly in ``test_arguments.py``), so these
tests pass typed values and check what only the service knows: scopes, ownership, the directory,
cursors and the order of it all."""

from __future__ import annotations

from datetime import UTC, date, datetime
from unittest.mock import AsyncMock, create_autospec

import pytest

from example_server.arguments import BulkItem
from example_server.directory import DirectoryClient
from example_server.errors import ErrorKind, ToolFailure, timeout
from example_server.models import Assignment, AssignmentChanges, ListQuery, NewAssignment
from example_server.pagination import decode_cursor, encode_cursor
from example_server.service import ADMIN, READ, WRITE, AssignmentService, Identity
from example_server.store import Store

pytestmark = [pytest.mark.anyio, pytest.mark.unit]

ALICE = Identity.of("alice@example.com", [READ, WRITE])
READER = Identity.of("reader@example.com", [READ])
ADMIN_ONLY = Identity.of("root@example.com", [ADMIN])
NOBODY = Identity.of("nobody@example.com", [])
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def assignment(id: int = 1, owner: str = ALICE.subject, status: str = "open", **fields) -> Assignment:
    values = {
        "id": id,
        "owner": owner,
        "title": f"task {id}",
        "assignee": "bob@example.com",
        "priority": 3,
        "status": status,
        "due_date": None,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Assignment(**(values | fields))


@pytest.fixture
def store():
    return create_autospec(Store, instance=True)


@pytest.fixture
def directory():
    mock = create_autospec(DirectoryClient, instance=True)
    mock.exists = AsyncMock(return_value=True)
    return mock


@pytest.fixture
def service(store):
    return AssignmentService(store)


@pytest.fixture
def checked_service(store, directory):
    return AssignmentService(store, directory)


async def failure_of(awaitable) -> ToolFailure:
    with pytest.raises(ToolFailure) as info:
        await awaitable
    return info.value


async def test_create_passes_validated_values_and_owner(service, store):
    store.create.return_value = assignment()
    result = await service.create_assignment(ALICE, "task 1", "bob@example.com", 2, date(2030, 5, 1))
    assert result == assignment()
    store.create.assert_called_once_with(ALICE.subject, NewAssignment("task 1", "bob@example.com", 2, date(2030, 5, 1)))


@pytest.mark.parametrize("who", [READER, ADMIN_ONLY, NOBODY])
async def test_create_needs_write_scope(service, store, who):
    failure = await failure_of(service.create_assignment(who, "t", "bob@example.com"))
    assert failure.kind is ErrorKind.FORBIDDEN
    assert "assignments:write" in failure.message
    store.create.assert_not_called()


async def test_scope_is_checked_before_the_directory(checked_service, directory):
    failure = await failure_of(checked_service.create_assignment(READER, "t", "bob@example.com"))
    assert failure.kind is ErrorKind.FORBIDDEN
    directory.exists.assert_not_called()


async def test_unknown_assignee_is_invalid_input(checked_service, store, directory):
    directory.exists.return_value = False
    failure = await failure_of(checked_service.create_assignment(ALICE, "t", "ghost@example.com"))
    assert failure.kind is ErrorKind.INVALID_INPUT
    assert failure.details == {"assignee": "is not a known user"}
    directory.exists.assert_awaited_once_with("ghost@example.com")
    store.create.assert_not_called()


async def test_directory_failures_pass_through(checked_service, store, directory):
    directory.exists.side_effect = timeout("assignee directory timed out")
    failure = await failure_of(checked_service.create_assignment(ALICE, "t", "bob@example.com"))
    assert failure.kind is ErrorKind.TIMEOUT
    store.create.assert_not_called()


async def test_known_assignee_is_created(checked_service, store, directory):
    store.create.return_value = assignment()
    await checked_service.create_assignment(ALICE, "t", "bob@example.com")
    directory.exists.assert_awaited_once_with("bob@example.com")
    store.create.assert_called_once()


async def test_store_conflict_propagates(service, store):
    store.create.side_effect = ToolFailure(ErrorKind.CONFLICT, "exists")
    failure = await failure_of(service.create_assignment(ALICE, "t", "bob@example.com"))
    assert failure.kind is ErrorKind.CONFLICT


async def test_get_is_scoped_to_the_caller(service, store):
    store.get.return_value = None
    failure = await failure_of(service.get_assignment(READER, 7))
    assert (failure.kind, failure.message) == (ErrorKind.NOT_FOUND, "assignment not found")
    store.get.assert_called_once_with(READER.subject, 7)


async def test_get_needs_read_scope(service, store):
    failure = await failure_of(service.get_assignment(ADMIN_ONLY, 1))
    assert failure.kind is ErrorKind.FORBIDDEN
    store.get.assert_not_called()


async def test_list_returns_a_cursor_only_when_more_follow(service, store):
    store.page.return_value = ([assignment(3), assignment(8)], True)
    page = await service.list_assignments(READER, status="open", page_size=2)
    assert [item.id for item in page.items] == [3, 8]
    assert decode_cursor(page.next_cursor) == 8
    store.page.assert_called_once_with(READER.subject, ListQuery(status="open", page_size=2))

    store.page.return_value = ([assignment(9)], False)
    page = await service.list_assignments(READER, cursor=page.next_cursor, page_size=2)
    assert page.next_cursor is None
    assert store.page.call_args.args[1].after_id == 8


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "bm9wZQ==",  # "nope"
        "eyJ2IjoxfQ==",  # {"v":1}
        "eyJ2IjoyLCJhZnRlciI6MX0=",  # version 2
        "eyJ2IjoxLCJhZnRlciI6LTF9",  # after -1
        "eyJ2IjoxLCJhZnRlciI6dHJ1ZX0=",  # after true
        "eyJ2IjoxLCJhZnRlciI6IjEifQ==",  # after "1"
        "eyJ2IjogMSwgImFmdGVyIjogMX0=",  # non-canonical spacing
        encode_cursor(5) + "A",
        encode_cursor(5).rstrip("="),
        "é",
        "x" * 500,
    ],
)
async def test_list_rejects_a_tampered_cursor(service, store, cursor):
    failure = await failure_of(service.list_assignments(ALICE, cursor=cursor))
    assert failure.details == {"cursor": "is not a cursor returned by list_assignments"}
    store.page.assert_not_called()


async def test_update_checks_directory_only_for_a_new_assignee(checked_service, store, directory):
    store.update.return_value = assignment(status="done")
    await checked_service.update_assignment(ALICE, 1, status="done")
    directory.exists.assert_not_called()
    store.update.assert_called_once_with(ALICE.subject, 1, AssignmentChanges(status="done"))

    await checked_service.update_assignment(ALICE, 1, assignee="carol@example.com")
    directory.exists.assert_awaited_once_with("carol@example.com")


async def test_update_of_someone_elses_assignment_is_not_found(service, store):
    store.update.return_value = None
    failure = await failure_of(service.update_assignment(ALICE, 99, title="mine now"))
    assert failure.kind is ErrorKind.NOT_FOUND


async def test_update_needs_write_scope(service, store):
    failure = await failure_of(service.update_assignment(READER, 1, status="done"))
    assert failure.kind is ErrorKind.FORBIDDEN
    store.update.assert_not_called()


async def test_delete(service, store):
    store.delete.return_value = True
    result = await service.delete_assignment(ALICE, 4)
    assert (result.id, result.deleted) == (4, True)
    store.delete.return_value = False
    assert (await failure_of(service.delete_assignment(ALICE, 4))).kind is ErrorKind.NOT_FOUND
    assert (await failure_of(service.delete_assignment(READER, 4))).kind is ErrorKind.FORBIDDEN


async def test_delete_all_is_admin_only(service, store):
    for who in (ALICE, READER, NOBODY):
        failure = await failure_of(service.delete_all_assignments(who))
        assert failure.kind is ErrorKind.FORBIDDEN
        assert "admin" in failure.message
    store.delete_all.assert_not_called()
    store.delete_all.return_value = 12
    assert (await service.delete_all_assignments(ADMIN_ONLY)).deleted == 12


async def test_bulk_looks_each_assignee_up_once(checked_service, store, directory):
    directory.exists.side_effect = lambda email: email != "ghost@example.com"
    items = [
        BulkItem(title="a", assignee="bob@example.com"),
        BulkItem(title="b", assignee="ghost@example.com"),
        BulkItem(title="c", assignee="BOB@example.com"),  # normalised by the type
        BulkItem(title="d", assignee="ghost@example.com"),
    ]
    failure = await failure_of(checked_service.bulk_create_assignments(ALICE, items))
    assert failure.details == {"items[1].assignee": "is not a known user", "items[3].assignee": "is not a known user"}
    assert sorted(call.args[0] for call in directory.exists.await_args_list) == ["bob@example.com", "ghost@example.com"]
    store.bulk_create.assert_not_called()


async def test_bulk_creates_everything_in_one_store_call(service, store):
    store.bulk_create.return_value = [assignment(1), assignment(2)]
    result = await service.bulk_create_assignments(
        ALICE,
        [BulkItem(title="a", assignee="b@example.com"), BulkItem(title="b", assignee="b@example.com", priority=1)],
    )
    assert result.created == 2
    owner, items = store.bulk_create.call_args.args
    assert owner == ALICE.subject
    assert [item.priority for item in items] == [3, 1]


async def test_open_work_pages_through_and_skips_done(service, store):
    store.page.side_effect = [
        ([assignment(1), assignment(2, status="done")], True),
        ([assignment(3, status="in_progress")], False),
    ]
    work = await service.open_work(READER, "bob@example.com")
    assert [item.id for item in work] == [1, 3]
    second_query = store.page.call_args_list[1].args[1]
    assert (second_query.assignee, second_query.after_id) == ("bob@example.com", 2)


def test_cursor_helper_round_trip():
    assert decode_cursor(encode_cursor(123)) == 123


# -- gaps found by mutation testing (docs/example-server.md#mutation-testing) -----------------------


async def test_create_defaults_to_priority_3(service, store):
    store.create.return_value = assignment()
    await service.create_assignment(ALICE, "t", "bob@example.com")
    assert store.create.call_args.args[1].priority == 3


async def test_list_defaults_to_pages_of_20(service, store):
    store.page.return_value = ([], False)
    await service.list_assignments(READER)
    assert store.page.call_args.args[1] == ListQuery(page_size=20)


async def test_update_passes_every_changed_field(service, store):
    store.update.return_value = assignment()
    await service.update_assignment(
        ALICE, 1, title="new", assignee="carol@example.com", priority=1, due_date=date(2031, 2, 3)
    )
    store.update.assert_called_once_with(
        ALICE.subject,
        1,
        AssignmentChanges(title="new", assignee="carol@example.com", priority=1, due_date=date(2031, 2, 3)),
    )


async def test_an_update_without_changes_is_refused(service, store):
    failure = await failure_of(service.update_assignment(ALICE, 1))
    assert (failure.kind, failure.message) == (
        ErrorKind.INVALID_INPUT,
        "nothing to update: give at least one field to change",
    )
    store.update.assert_not_called()


async def test_update_to_an_unknown_assignee_names_the_field(checked_service, store, directory):
    directory.exists.return_value = False
    failure = await failure_of(checked_service.update_assignment(ALICE, 1, assignee="ghost@example.com"))
    assert failure.details == {"assignee": "is not a known user"}
    store.update.assert_not_called()


async def test_bulk_reports_a_directory_timeout_before_other_failures(checked_service, store, directory):
    async def lookup(email: str) -> bool:
        if email == "down@example.com":
            raise ToolFailure(ErrorKind.INTERNAL_ERROR, "assignee directory unavailable")
        if email == "slow@example.com":
            raise timeout("assignee directory timed out")
        return True

    directory.exists.side_effect = lookup
    items = [BulkItem(title="a", assignee="down@example.com"), BulkItem(title="b", assignee="slow@example.com")]
    failure = await failure_of(checked_service.bulk_create_assignments(ALICE, items))
    assert failure.kind is ErrorKind.TIMEOUT
    store.bulk_create.assert_not_called()


async def test_bulk_keeps_each_items_due_date(service, store):
    store.bulk_create.return_value = [assignment(1)]
    await service.bulk_create_assignments(
        ALICE, [BulkItem(title="a", assignee="b@example.com", due_date=date(2031, 4, 5))]
    )
    assert store.bulk_create.call_args.args[1][0].due_date == date(2031, 4, 5)


async def test_open_work_asks_for_full_pages_and_continues_after_the_last_id(service, store):
    store.page.side_effect = [
        ([assignment(4), assignment(5), assignment(7)], True),
        ([assignment(9)], False),
    ]
    await service.open_work(READER, "bob@example.com")
    first, second = (call.args[1] for call in store.page.call_args_list)
    assert (first.page_size, second.page_size) == (100, 100)
    assert second.after_id == 7  # the last id of the first page, not any other


async def test_open_work_stops_at_its_limit(service, store):
    store.page.side_effect = [([assignment(n) for n in range(1, 101)], True), ([assignment(101)], False)]
    work = await service.open_work(READER, "bob@example.com")
    assert len(work) == 100
    assert store.page.call_count == 1  # the limit was reached: no second page is read
