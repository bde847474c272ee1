"""The server driven end to end in-process, as a user of the plugin drives it: ``mcp_client`` on the
zero-argument factory, ``mcp_client_factory`` for other configurations and users, both protocol
eras where the era changes what is on the wire."""

from __future__ import annotations

import json

import httpx
import pytest

from example_server.directory import UNAVAILABLE
from pytest_mcp import (
    assert_matches_output_schema,
    assert_protocol_error,
    assert_structured,
    assert_tool_ok,
    assert_valid_tool_schema,
)

from ..helpers import SERVER, configured, error_body, user_server

pytestmark = [pytest.mark.anyio, pytest.mark.unit, pytest.mark.mcp_server(SERVER, fresh=True)]

DIRECTORY = "https://directory.example.test"
NOT_FOUND = {"error": "not_found", "message": "assignment not found"}


@pytest.mark.mcp_era("both")
async def test_every_tool_publishes_schemas_and_hints(mcp_client):
    assert mcp_client.server_info.name == "assignment-server" and mcp_client.server_info.version
    tools = {tool.name: tool for tool in await mcp_client.tools()}
    for tool in tools.values():
        assert_valid_tool_schema(tool)
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        assert tool.annotations is not None and tool.annotations.open_world_hint is False
    read_only = {name for name, tool in tools.items() if tool.annotations.read_only_hint}
    assert read_only == {"get_assignment", "list_assignments"}
    assert tools["delete_all_assignments"].annotations.destructive_hint is True
    assert tools["create_assignment"].input_schema["required"] == ["title", "assignee"]


async def test_open_world_hint_follows_the_directory(mcp_client_factory):
    async with mcp_client_factory(server=configured(directory_url=DIRECTORY)) as client:
        open_world = {tool.name for tool in await client.tools() if tool.annotations.open_world_hint}
    assert open_world == {"create_assignment", "bulk_create_assignments", "update_assignment"}


@pytest.mark.mcp_era("both")
async def test_crud_round_trip(mcp_client):
    created = await mcp_client.call("create_assignment", title="Write docs", assignee="ann@example.com", priority=2)
    body = assert_structured(created, subset={"owner": "dev@example.com", "status": "open", "due_date": None})
    assert body["created_at"].endswith("Z") and json.loads(created.text) == body
    assert_structured(await mcp_client.call("get_assignment", assignment_id=body["id"]), body)
    updated = await mcp_client.call("update_assignment", assignment_id=body["id"], status="done", due_date="2031-01-01")
    assert_structured(updated, subset={"status": "done", "due_date": "2031-01-01"})
    deleted = await mcp_client.call("delete_assignment", assignment_id=body["id"])
    assert_structured(deleted, {"id": body["id"], "deleted": True})
    assert error_body(await mcp_client.call("get_assignment", assignment_id=body["id"])) == NOT_FOUND
    assert error_body(await mcp_client.call("delete_assignment", assignment_id=body["id"])) == NOT_FOUND


@pytest.mark.mcp_era("both")
async def test_invalid_input_lists_every_field(mcp_client):
    result = await mcp_client.call(
        "create_assignment", title="a\nb", assignee="nope", priority=True, due_date="2025-02-30"
    )
    assert error_body(result) == {
        "error": "invalid_input",
        "message": "invalid input",
        "details": {
            "title": "must not contain control characters",
            "assignee": "must be a valid e-mail address",
            "priority": "must be an integer",
            "due_date": "must be a real calendar date",
        },
    }


async def test_conflict_names_no_other_assignment(mcp_client):
    assert_tool_ok(await mcp_client.call("create_assignment", title="Same", assignee="a@example.com"))
    assert error_body(await mcp_client.call("create_assignment", title="Same", assignee="a@example.com")) == {
        "error": "conflict",
        "message": "an assignment with this title already exists for this assignee",
    }


async def test_pagination_visits_every_item_once(mcp_client):
    items = [{"title": f"t{n}", "assignee": "a@example.com"} for n in range(45)]
    assert_structured(await mcp_client.call("bulk_create_assignments", items=items), subset={"created": 45})
    seen, cursor = [], None
    for _ in range(10):  # 45 items, 10 a page: 5 pages
        page = assert_tool_ok(await mcp_client.call("list_assignments", cursor=cursor, page_size=10))
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 45


async def test_bulk_is_all_or_nothing(mcp_client):
    items = [{"title": "dup", "assignee": "a@example.com"}, {"title": "dup", "assignee": "a@example.com"}]
    error = error_body(await mcp_client.call("bulk_create_assignments", items=items))
    assert error["error"] == "conflict" and list(error["details"]) == ["items[1]"]
    assert_structured(await mcp_client.call("list_assignments"), {"items": [], "next_cursor": None})


async def test_owners_cannot_see_each_other(mcp_client_factory, tmp_path):
    db = f"sqlite://{tmp_path / 'shared.db'}"
    async with (
        mcp_client_factory(server=user_server(db, "alice@example.com")) as alice,
        mcp_client_factory(server=user_server(db, "bob@example.com")) as bob,
    ):
        created = assert_tool_ok(await alice.call("create_assignment", title="secret", assignee="x@example.com"))
        for tool, arguments in (("get_assignment", {}), ("update_assignment", {"status": "done"})):
            assert error_body(await bob.call(tool, assignment_id=created["id"], **arguments)) == NOT_FOUND
        assert error_body(await bob.call("delete_assignment", assignment_id=created["id"])) == NOT_FOUND
        assert assert_tool_ok(await bob.call("list_assignments"))["items"] == []
        assert_structured(await alice.call("get_assignment", assignment_id=created["id"]), created)


@pytest.mark.mcp_server(configured(scopes=("assignments:read",)))
async def test_scopes_are_enforced(mcp_client):
    assert error_body(await mcp_client.call("create_assignment", title="t", assignee="a@example.com")) == {
        "error": "forbidden",
        "message": "this action needs the 'assignments:write' scope",
    }
    assert error_body(await mcp_client.call("delete_all_assignments"))["error"] == "forbidden"
    assert_tool_ok(await mcp_client.call("list_assignments"))


async def test_admin_deletes_every_owners_assignments(mcp_client_factory, tmp_path):
    db = f"sqlite://{tmp_path / 'shared.db'}"
    for user in ("a@example.com", "b@example.com"):
        async with mcp_client_factory(server=user_server(db, user)) as client:
            assert_tool_ok(await client.call("create_assignment", title="t", assignee=user))
    async with mcp_client_factory(server=user_server(db, "root@example.com")) as admin:
        assert_structured(await admin.call("delete_all_assignments"), {"deleted": 2})


async def test_unexpected_errors_are_generic(mcp_client, mcp_mock_backend, caplog):
    secret = RuntimeError("SELECT secret FROM /var/lib/db password=hunter2")
    mcp_mock_backend("example_server.store:Store.get", side_effect=secret)
    result = await mcp_client.call("get_assignment", assignment_id=1)
    assert error_body(result) == {"error": "internal_error", "message": "an internal error occurred"}
    assert "hunter2" in caplog.text  # logged on the server side only


@pytest.mark.mcp_era("both")
async def test_resource_template_and_unknown_uris(mcp_client):
    created = assert_tool_ok(await mcp_client.call("create_assignment", title="t", assignee="a@example.com"))
    assert [t.uri_template for t in await mcp_client.resource_templates()] == ["assignment://{assignment_id}"]
    read = await mcp_client.read_resource(f"assignment://{created['id']}")
    assert read.contents[0].mime_type == "application/json" and json.loads(read.contents[0].text) == created
    # "Resource not found": -32002 with data.uri in the handshake era, -32602 in the stateless one.
    code = -32002 if mcp_client.era == "2025-11-25" else -32602
    for missing in ("assignment://999", "assignment://abc", "assignment://-1", "nothing://here"):
        with assert_protocol_error(code=code) as caught:
            await mcp_client.read_resource(missing)
        assert caught[0].data == {"uri": missing}


@pytest.mark.mcp_era("both")
async def test_prompt_summarises_open_work(mcp_client):
    for title, status in (("first", None), ("second", "in_progress"), ("third", "done")):
        created = assert_tool_ok(await mcp_client.call("create_assignment", title=title, assignee="ann@example.com"))
        if status:
            assert_tool_ok(await mcp_client.call("update_assignment", assignment_id=created["id"], status=status))
    [prompt] = await mcp_client.prompts()
    assert (prompt.name, [(a.name, a.required) for a in prompt.arguments]) == (
        "open_work_summary",
        [("assignee", True)],
    )
    text = (await mcp_client.get_prompt("open_work_summary", {"assignee": "Ann@Example.com"})).messages[0].content.text
    assert "ann@example.com" in text and "first" in text and "second" in text and "third" not in text
    for name, arguments, message in (
        ("open_work_summary", {"assignee": "not-an-email"}, "must be a valid e-mail address"),
        ("no_such_prompt", {"assignee": "ann@example.com"}, r"unknown prompt: 'no_such_prompt'"),
        ("open_work_summary", {}, r"missing required argument\(s\): assignee"),
    ):
        with assert_protocol_error(code=-32602, match=message):
            await mcp_client.get_prompt(name, arguments)


@pytest.mark.mcp_server(configured(directory_url=DIRECTORY, directory_timeout=1.0))
async def test_directory_outcomes(mcp_client, mcp_http_mock):
    users = f"{DIRECTORY}/users"
    mcp_http_mock.get(f"{users}/known@example.com").respond(200, json={"email": "known@example.com"})
    mcp_http_mock.get(f"{users}/ghost@example.com").respond(404)
    mcp_http_mock.get(f"{users}/broken@example.com").respond(503, text="upstream trace: db=10.0.0.5")
    mcp_http_mock.get(f"{users}/slow@example.com").mock(side_effect=httpx.ReadTimeout("read timed out"))
    mcp_http_mock.get(f"{users}/down@example.com").mock(side_effect=httpx.ConnectError("refused 10.0.0.5"))

    async def create(assignee: str):
        return await mcp_client.call("create_assignment", title="t " + assignee, assignee=assignee)

    assert_tool_ok(await create("known@example.com"))
    assert error_body(await create("ghost@example.com")) == {
        "error": "invalid_input",
        "message": "unknown assignee",
        "details": {"assignee": "is not a known user"},
    }
    assert error_body(await create("broken@example.com")) == {"error": "internal_error", "message": UNAVAILABLE}
    assert error_body(await create("down@example.com")) == {"error": "internal_error", "message": UNAVAILABLE}
    assert error_body(await create("slow@example.com")) == {
        "error": "timeout",
        "message": "assignee directory timed out",
    }


async def test_without_directory_no_request_leaves_the_process(mcp_client, mcp_http_mock):
    assert_tool_ok(await mcp_client.call("create_assignment", title="t", assignee="anyone@example.com"))
    assert mcp_http_mock.calls.call_count == 0  # respx refuses every unmocked request


@pytest.mark.mcp_server(SERVER)  # not fresh: one server object (shared with other tests), several clients
async def test_a_server_keeps_its_in_memory_data_across_clients(mcp_client, mcp_client_factory):
    kept = assert_tool_ok(await mcp_client.call("create_assignment", title="kept", assignee="keeper@example.com"))

    async def titles(client) -> list[str]:
        page = assert_tool_ok(await client.call("list_assignments", assignee="keeper@example.com"))
        return [item["title"] for item in page["items"]]

    async with mcp_client_factory(era="2025-11-25") as second:
        assert await titles(second) == ["kept"]
    async with mcp_client_factory(server=configured()) as other_server:
        assert await titles(other_server) == []
    assert_tool_ok(await mcp_client.call("delete_assignment", assignment_id=kept["id"]))


@pytest.mark.parametrize("title", ['["draft"]', '{"a": 1}', "5", "null", "true", "<b>bold</b>", "' OR 1=1 --"])
async def test_text_that_looks_like_json_or_code_is_stored_verbatim(mcp_client, title):
    created = assert_structured(
        await mcp_client.call("create_assignment", title=title, assignee="a@example.com"), subset={"title": title}
    )
    assert_structured(await mcp_client.call("get_assignment", assignment_id=created["id"]), subset={"title": title})


async def test_results_match_the_published_output_schemas(mcp_client):
    tools = {tool.name: tool for tool in await mcp_client.tools()}
    created = await mcp_client.call("create_assignment", title="t", assignee="a@example.com", due_date="2030-01-01")
    assert_matches_output_schema(created, tools["create_assignment"])
    page = await mcp_client.call("list_assignments")
    assert_matches_output_schema(page, tools["list_assignments"])
