"""Tools, the resource template and the prompt working together on the real (in-memory) store.

``mcp_server(SERVER, fresh=True)``: every test gets a server of its own (in-process, so that costs
a few milliseconds) and starts from an empty database. Bulk data comes from the factory-boy
factories.
"""

from __future__ import annotations

import json

import pytest

from pytest_mcp import assert_protocol_error, assert_structured, assert_tool_ok

from ..factories import AssignmentArgsFactory
from ..helpers import SERVER, error_body

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.mcp_server(SERVER, fresh=True)]


async def walk(client, page_size: int, **filters) -> list[dict]:
    items, cursor = [], None
    for _ in range(500):
        page = assert_tool_ok(await client.call("list_assignments", cursor=cursor, page_size=page_size, **filters))
        assert len(page["items"]) <= page_size
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not terminate")


@pytest.mark.mcp_era("both")
async def test_bulk_created_factory_data_pages_back_completely(mcp_client):
    batch = AssignmentArgsFactory.build_batch(100)
    created = assert_tool_ok(await mcp_client.call("bulk_create_assignments", items=batch))
    assert created["created"] == 100
    ids = [item["id"] for item in created["items"]]
    for page_size in (1, 7, 100):
        assert [item["id"] for item in await walk(mcp_client, page_size)] == ids
    too_many = AssignmentArgsFactory.build_batch(101)
    assert error_body(await mcp_client.call("bulk_create_assignments", items=too_many))["details"] == {
        "items": "must hold at most 100 items"
    }


async def test_filters_combine(mcp_client):
    batch = AssignmentArgsFactory.build_batch(30, assignee="team@example.com") + AssignmentArgsFactory.build_batch(10)
    created = assert_tool_ok(await mcp_client.call("bulk_create_assignments", items=batch))["items"]
    for item in created[::3]:  # every third one is done, among the team's and the others
        assert_tool_ok(await mcp_client.call("update_assignment", assignment_id=item["id"], status="done"))
    expected = [item["id"] for n, item in enumerate(created[:30]) if n % 3]
    found = await walk(mcp_client, 4, status="open", assignee="Team@Example.com")
    assert [item["id"] for item in found] == expected


async def test_bulk_reports_item_errors_by_index(mcp_client):
    good = AssignmentArgsFactory()
    result = await mcp_client.call(
        "bulk_create_assignments",
        items=[good, {"title": "", "assignee": "x@example.com"}, {"assignee": "nope", "colour": "red"}, "oops"],
    )
    assert error_body(result)["details"] == {
        "items[1].title": "must not be empty",
        "items[2].colour": "unknown field",
        "items[2].title": "is required",
        "items[2].assignee": "must be a valid e-mail address",
        "items[3]": "must be an object",
    }
    assert await walk(mcp_client, 10) == []


async def test_a_server_keeps_its_in_memory_data_across_clients(mcp_client, mcp_client_factory):
    created = assert_tool_ok(await mcp_client.call("create_assignment", **AssignmentArgsFactory()))
    async with mcp_client_factory(era="2025-11-25") as second:
        assert_structured(await second.call("get_assignment", assignment_id=created["id"]), created)


@pytest.mark.mcp_era("both")
async def test_resource_template_reads_an_assignment(mcp_client):
    created = assert_tool_ok(await mcp_client.call("create_assignment", **AssignmentArgsFactory()))
    templates = await mcp_client.resource_templates()
    assert [template.uri_template for template in templates] == ["assignment://{assignment_id}"]
    read = await mcp_client.read_resource(f"assignment://{created['id']}")
    assert read.contents[0].mime_type == "application/json"
    assert json.loads(read.contents[0].text) == created


# The last id is a full-width digit one: str.isdigit() says yes, the server must still say no.
@pytest.mark.parametrize("uri", ["assignment://999", "assignment://abc", "assignment://-1", "assignment://\uff11"])
async def test_unknown_or_malformed_resource_ids_are_not_found(mcp_client, uri):
    with assert_protocol_error(code=-32602, match="not found"):
        await mcp_client.read_resource(uri)


@pytest.mark.mcp_era("both")
@pytest.mark.parametrize("uri", ["assignment://999", "other://thing"])
async def test_resource_not_found_uses_the_code_of_the_era(mcp_client, mcp_era, uri):
    # 2025-11-25: -32002 with data.uri; 2026-07-28 retired -32002 in favour of -32602.
    expected = -32002 if mcp_era == "2025-11-25" else -32602
    with assert_protocol_error(code=expected, match="not found|Unknown resource") as caught:
        await mcp_client.read_resource(uri)
    assert caught[0].data == {"uri": uri}


@pytest.mark.mcp_era("both")
async def test_prompt_summarises_only_open_work(mcp_client):
    for title, status in (("first", None), ("second", "in_progress"), ("third", "done")):
        created = assert_tool_ok(await mcp_client.call("create_assignment", title=title, assignee="ann@example.com"))
        if status:
            assert_tool_ok(await mcp_client.call("update_assignment", assignment_id=created["id"], status=status))
    prompts = await mcp_client.prompts()
    assert [(prompt.name, [(a.name, a.required) for a in prompt.arguments]) for prompt in prompts] == [
        ("open_work_summary", [("assignee", True)])
    ]
    result = await mcp_client.get_prompt("open_work_summary", {"assignee": "Ann@Example.com"})
    text = result.messages[0].content.text
    data = json.loads(text[text.index("[") :])
    assert [(item["title"], item["status"]) for item in data] == [("first", "open"), ("second", "in_progress")]
    assert all("owner" not in item for item in data)  # the prompt shares no owner identities


async def test_prompt_with_a_bad_assignee_is_invalid_params(mcp_client):
    with assert_protocol_error(code=-32602, match="must be a valid e-mail address"):
        await mcp_client.get_prompt("open_work_summary", {"assignee": "not-an-email"})


@pytest.mark.mcp_era("both")
async def test_unknown_prompts_and_missing_arguments_are_invalid_params(mcp_client):
    with assert_protocol_error(code=-32602, match="unknown prompt: 'summary'"):
        await mcp_client.get_prompt("summary", {"assignee": "ann@example.com"})
    with assert_protocol_error(code=-32602, match=r"missing required argument\(s\): assignee"):
        await mcp_client.get_prompt("open_work_summary", {})
