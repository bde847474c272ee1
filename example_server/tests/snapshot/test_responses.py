"""Snapshots of what clients see: list pages and every kind of tool error, as JSON on the wire.

``mcp_snapshot`` (the plugin's syrupy fixture) stores each result in
``__snapshots__/test_responses/<test>.json`` with ids and timestamps masked, so the files only
change when the shape or wording of a response changes. Each test gets a fresh in-memory server
(``mcp_fresh_server``) and builds the same data every run. The ``text`` content of a result is
the same JSON as its ``structuredContent``; the mask below hides the ids inside that text too.
Review a deliberate change with ``pytest example_server/tests/snapshot --snapshot-update`` and
``git diff``.
"""

from __future__ import annotations

import pytest

from pytest_mcp import assert_tool_ok

from ..helpers import SERVER

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.snapshot,
    pytest.mark.mcp_server(SERVER),
    pytest.mark.mcp_fresh_server,
    # The cursor (it encodes an id); the mask covers the JSON text copy of the structured result too.
    pytest.mark.mcp_snapshot(paths=["structuredContent.next_cursor"]),
]

ANN = "ann@example.com"


@pytest.fixture
async def three_assignments(mcp_client) -> list[dict]:
    """Three assignments of Ann's: one open, one in progress with a due date, one done."""
    made = []
    for title, priority, due, status in (
        ("Write the release notes", 2, None, None),
        ("Review the API", 1, "2031-03-15", "in_progress"),
        ("Tag the release", 3, None, "done"),
    ):
        created = assert_tool_ok(
            await mcp_client.call("create_assignment", title=title, assignee=ANN, priority=priority, due_date=due)
        )
        if status:
            created = assert_tool_ok(
                await mcp_client.call("update_assignment", assignment_id=created["id"], status=status)
            )
        made.append(created)
    return made


async def test_list_first_page(mcp_client, three_assignments, mcp_snapshot):
    page = await mcp_client.call("list_assignments", assignee=ANN, page_size=2)
    assert page.structured["next_cursor"] is not None
    assert page == mcp_snapshot


async def test_list_filtered_by_status(mcp_client, three_assignments, mcp_snapshot):
    assert await mcp_client.call("list_assignments", status="in_progress") == mcp_snapshot


async def test_list_empty(mcp_client, mcp_snapshot):
    assert await mcp_client.call("list_assignments", assignee="nobody@example.com") == mcp_snapshot


async def test_invalid_input_error(mcp_client, mcp_snapshot):
    result = await mcp_client.call(
        "create_assignment", title="bad\ttitle", assignee="ann@", priority=0, due_date="2031-02-30"
    )
    assert result == mcp_snapshot


async def test_invalid_bulk_item_errors_name_their_index(mcp_client, mcp_snapshot):
    items = [{"title": "ok", "assignee": ANN}, {"title": "", "assignee": ANN, "priority": 7}, "not an object"]
    assert await mcp_client.call("bulk_create_assignments", items=items) == mcp_snapshot


async def test_not_found_error(mcp_client, three_assignments, mcp_snapshot):
    deleted = three_assignments[0]["id"]
    assert_tool_ok(await mcp_client.call("delete_assignment", assignment_id=deleted))
    assert await mcp_client.call("get_assignment", assignment_id=deleted) == mcp_snapshot


async def test_conflict_error(mcp_client, three_assignments, mcp_snapshot):
    again = await mcp_client.call("create_assignment", title="Review the API", assignee=ANN)
    assert again == mcp_snapshot


async def test_bad_cursor_error(mcp_client, mcp_snapshot):
    assert await mcp_client.call("list_assignments", cursor="not-a-cursor") == mcp_snapshot
