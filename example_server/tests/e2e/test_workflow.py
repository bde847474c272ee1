"""The user journey end to end: ``python -m example_server`` as a subprocess, over stdio and HTTP.

Every test runs four times: once per transport (a stdio process, and an HTTP process the plugin
spawns on a free port) and once per protocol era (``mcp_era("both")``), with ids such as
``[stdio-2025-11-25]``. The processes are shared by the module's tests (one per transport and
era), so each test works under an assignee of its own and lists only that assignee's work.
"""

from __future__ import annotations

import json
import sys
import uuid

import pytest

import pytest_mcp
from pytest_mcp import assert_structured, assert_tool_error, assert_tool_ok

from ..helpers import error_body, error_kind

USER = "e2e@example.com"
ENV = {"ASSIGNMENTS_USER": USER, "ASSIGNMENTS_SCOPES": "assignments:read assignments:write"}
STDIO = pytest_mcp.stdio(sys.executable, "-m", "example_server", env=ENV, name="stdio")
HTTP = pytest_mcp.spawn_http(sys.executable, "-m", "example_server", "--http", "--port", "{port}", env=ENV, name="http")

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.e2e,
    pytest.mark.mcp_server(STDIO, HTTP),
    pytest.mark.mcp_era("both"),
]


@pytest.fixture
def assignee() -> str:
    """An assignee no other test uses, so shared server processes do not mix tests' data."""
    return f"e2e-{uuid.uuid4().hex[:10]}@example.com"


async def test_create_get_list_update_delete(mcp_client, assignee):
    created = assert_tool_ok(
        await mcp_client.call("create_assignment", title="Ship 1.0", assignee=assignee, priority=2)
    )
    assert {key: created[key] for key in ("title", "assignee", "priority", "status", "due_date", "owner")} == {
        "title": "Ship 1.0",
        "assignee": assignee,
        "priority": 2,
        "status": "open",
        "due_date": None,
        "owner": USER,
    }
    assert created["created_at"] == created["updated_at"]

    assert_structured(await mcp_client.call("get_assignment", assignment_id=created["id"]), created)
    assert_structured(
        await mcp_client.call("list_assignments", assignee=assignee), {"items": [created], "next_cursor": None}
    )

    updated = assert_tool_ok(
        await mcp_client.call(
            "update_assignment", assignment_id=created["id"], status="in_progress", priority=1, due_date="2031-05-01"
        )
    )
    assert (updated["id"], updated["title"]) == (created["id"], "Ship 1.0")
    assert (updated["status"], updated["priority"], updated["due_date"]) == ("in_progress", 1, "2031-05-01")
    assert updated["updated_at"] >= created["updated_at"]
    assert_structured(await mcp_client.call("get_assignment", assignment_id=created["id"]), updated)
    listed = assert_tool_ok(await mcp_client.call("list_assignments", assignee=assignee, status="in_progress"))
    assert listed["items"] == [updated]
    assert assert_tool_ok(await mcp_client.call("list_assignments", assignee=assignee, status="open"))["items"] == []

    assert_structured(
        await mcp_client.call("delete_assignment", assignment_id=created["id"]), {"id": created["id"], "deleted": True}
    )
    assert error_body(await mcp_client.call("get_assignment", assignment_id=created["id"])) == {
        "error": "not_found",
        "message": "assignment not found",
    }
    assert error_kind(await mcp_client.call("delete_assignment", assignment_id=created["id"])) == "not_found"
    assert error_kind(await mcp_client.call("update_assignment", assignment_id=created["id"], status="done")) == (
        "not_found"
    )
    assert_structured(await mcp_client.call("list_assignments", assignee=assignee), {"items": [], "next_cursor": None})


async def test_bulk_create_then_page_through(mcp_client, assignee):
    items = [{"title": f"step {n:02d}", "assignee": assignee, "priority": 1 + n % 5} for n in range(7)]
    created = assert_tool_ok(await mcp_client.call("bulk_create_assignments", items=items))
    assert created["created"] == 7
    seen, cursor = [], None
    for _ in range(10):
        page = assert_tool_ok(await mcp_client.call("list_assignments", assignee=assignee, cursor=cursor, page_size=3))
        assert len(page["items"]) <= 3
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == created["items"]


async def test_errors_arrive_as_machine_readable_tool_errors(mcp_client, assignee):
    invalid = await mcp_client.call("create_assignment", title=" ", assignee="not-an-email", priority=9)
    assert error_body(invalid) == {
        "error": "invalid_input",
        "message": "invalid input",
        "details": {
            "title": "must not be empty",
            "assignee": "must be a valid e-mail address",
            "priority": "must be at most 5",
        },
    }
    assert_tool_ok(await mcp_client.call("create_assignment", title="Twice", assignee=assignee))
    assert error_kind(await mcp_client.call("create_assignment", title="Twice", assignee=assignee)) == "conflict"
    # The identity configured for this process lacks the admin scope.
    forbidden = await mcp_client.outcome("delete_all_assignments", {})
    assert_tool_error(forbidden, match="needs the 'admin' scope")
    assert error_kind(forbidden.result) == "forbidden"


async def test_resource_and_prompt_follow_the_data(mcp_client, assignee):
    created = assert_tool_ok(await mcp_client.call("create_assignment", title="Read me", assignee=assignee))
    read = await mcp_client.read_resource(f"assignment://{created['id']}")
    assert read.contents[0].mime_type == "application/json"
    assert json.loads(read.contents[0].text) == created
    prompt = await mcp_client.get_prompt("open_work_summary", {"assignee": assignee})
    assert "Read me" in prompt.messages[0].content.text
