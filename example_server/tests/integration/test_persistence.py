"""The real store behind the real tools, on SQLite files and on PostgreSQL.

Every test runs twice (``database_url``: a SQLite file, then a fresh database on the session's
PostgreSQL server). Servers are in-process ``create_server(Config(db_url=...))`` objects reached
through ``mcp_client_factory(server=...)``; a new server object on the same URL is a restart,
with its own connection pool. The stdio test restarts a real ``python -m example_server``
process with ``RunningServer.restart()``.
"""

from __future__ import annotations

import sys

import anyio
import pytest

import pytest_mcp
from pytest_mcp import assert_structured, assert_tool_ok

from ..factories import AssignmentArgsFactory
from ..helpers import error_body, error_kind, user_server

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

ANN = "ann@example.com"
BOB = "bob@example.com"


async def all_items(client, **filters) -> list[dict]:
    """Every assignment the client's user owns, following next_cursor to the end (bounded)."""
    items, cursor = [], None
    for _ in range(1000):
        page = assert_tool_ok(await client.call("list_assignments", cursor=cursor, page_size=100, **filters))
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("list_assignments never reached the last page")


async def test_data_survives_a_server_restart(mcp_client_factory, database_url):
    batch = AssignmentArgsFactory.build_batch(5)
    async with mcp_client_factory(server=user_server(database_url, ANN)) as client:
        created = [assert_tool_ok(await client.call("create_assignment", **args)) for args in batch]
        updated = assert_tool_ok(await client.call("update_assignment", assignment_id=created[0]["id"], status="done"))
        deleted = assert_tool_ok(await client.call("delete_assignment", assignment_id=created[1]["id"]))
    assert deleted == {"id": created[1]["id"], "deleted": True}

    # A brand-new server object (new Store, new connections) on the same database.
    async with mcp_client_factory(server=user_server(database_url, ANN)) as client:
        survivors = await all_items(client)
        assert survivors == [updated, *created[2:]]
        assert error_kind(await client.call("get_assignment", assignment_id=created[1]["id"])) == "not_found"
        newest = assert_tool_ok(await client.call("create_assignment", **AssignmentArgsFactory()))
    assert newest["id"] > max(item["id"] for item in created)  # ids continue; deleted ones are not reused


@pytest.fixture
def mcp_server_target(database_url):
    """The ``mcp_server`` of this module's stdio test: ``python -m example_server`` on ``database_url``."""
    return pytest_mcp.stdio(sys.executable, "-m", "example_server", "--db", database_url, env={"ASSIGNMENTS_USER": ANN})


@pytest.mark.slow  # two process start-ups, ~4 s
@pytest.mark.mcp_fresh_server
async def test_a_restarted_stdio_process_finds_its_data(database_url, mcp_server, mcp_client_factory):
    async with mcp_client_factory() as client:
        created = assert_tool_ok(await client.call("create_assignment", **AssignmentArgsFactory()))
    pid_before = mcp_server.process.pid
    mcp_server.restart()  # stop the process, start the same command again
    assert mcp_server.process.pid != pid_before
    async with mcp_client_factory() as client:
        assert_structured(await client.call("get_assignment", assignment_id=created["id"]), created)


async def test_many_concurrent_writers_lose_and_duplicate_nothing(mcp_client_factory, database_url):
    users, clients_per_user, per_client = 4, 2, 10
    # One server object per user (its own Store and connection pool, like a separate process),
    # all on the same database; each user writes through two clients of their server at once.
    servers = {f"writer{n}@example.com": user_server(database_url, f"writer{n}@example.com") for n in range(users)}
    written: dict[str, list[int]] = {user: [] for user in servers}

    async def write(user: str) -> None:
        async with mcp_client_factory(server=servers[user]) as client:
            for args in AssignmentArgsFactory.build_batch(per_client):
                written[user].append(assert_tool_ok(await client.call("create_assignment", **args))["id"])

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tg:
            for user in servers:
                for _ in range(clients_per_user):
                    tg.start_soon(write, user)

    every_id = [i for ids in written.values() for i in ids]
    assert len(every_id) == len(set(every_id)) == users * clients_per_user * per_client
    for user, ids in written.items():
        async with mcp_client_factory(server=servers[user]) as client:
            assert [item["id"] for item in await all_items(client)] == sorted(ids)
    async with mcp_client_factory(server=user_server(database_url, "root@example.com")) as admin:
        assert_structured(await admin.call("delete_all_assignments"), {"deleted": len(every_id)})


async def test_the_conflict_rule_spans_owners_and_has_one_winner_under_a_race(mcp_client_factory, database_url):
    contenders = 6
    outcomes: list[str] = []

    async def attempt(n: int) -> None:
        async with mcp_client_factory(server=user_server(database_url, f"racer{n}@example.com")) as client:
            result = await client.call("create_assignment", title="Release 2.0", assignee="rel@example.com")
            outcomes.append("created" if not result.is_error else error_kind(result))

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tg:
            for n in range(contenders):
                tg.start_soon(attempt, n)
    assert sorted(outcomes) == ["conflict"] * (contenders - 1) + ["created"]


async def test_conflicts_leave_existing_rows_untouched(mcp_client_factory, database_url):
    async with (
        mcp_client_factory(server=user_server(database_url, ANN)) as ann,
        mcp_client_factory(server=user_server(database_url, BOB)) as bob,
    ):
        first = assert_tool_ok(await ann.call("create_assignment", title="Fix CI", assignee="dan@example.com"))
        second = assert_tool_ok(await ann.call("create_assignment", title="Fix CD", assignee="dan@example.com"))
        clash = await bob.call("create_assignment", title="Fix CI", assignee="DAN@example.com")
        assert error_body(clash) == {
            "error": "conflict",
            "message": "an assignment with this title already exists for this assignee",
        }
        assert ANN not in clash.text and str(first["id"]) not in clash.text  # nothing about the other row leaks
        renamed = await ann.call("update_assignment", assignment_id=second["id"], title="Fix CI", priority=1)
        assert error_kind(renamed) == "conflict"
        assert_structured(await ann.call("get_assignment", assignment_id=second["id"]), second)
        # Another assignee with the same title is a different to-do list.
        assert_tool_ok(await bob.call("create_assignment", title="Fix CI", assignee="erin@example.com"))


async def test_bulk_create_is_all_or_nothing(mcp_client_factory, database_url):
    async with mcp_client_factory(server=user_server(database_url, ANN)) as client:
        existing = assert_tool_ok(await client.call("create_assignment", **AssignmentArgsFactory()))
        batch = AssignmentArgsFactory.build_batch(4)
        clashing = {"title": existing["title"], "assignee": existing["assignee"]}
        result = await client.call("bulk_create_assignments", items=[*batch[:2], clashing, *batch[2:]])
        assert error_body(result)["details"] == {
            "items[2]": "an assignment with this title already exists for this assignee"
        }
        assert [item["id"] for item in await all_items(client)] == [existing["id"]]
        created = assert_tool_ok(await client.call("bulk_create_assignments", items=batch))
        assert created["created"] == 4
        assert [item["title"] for item in created["items"]] == [args["title"] for args in batch]
