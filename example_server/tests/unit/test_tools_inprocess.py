"""The server driven end to end in-process with mcp.Client (both protocol eras)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from mcp import Client, MCPError

from example_server import store as store_module
from example_server.app import create_server
from example_server.config import Config
from example_server.directory import UNAVAILABLE

pytestmark = [pytest.mark.anyio, pytest.mark.unit]

DIRECTORY = "https://directory.example.test"
TOOLS = {
    "create_assignment",
    "bulk_create_assignments",
    "get_assignment",
    "list_assignments",
    "update_assignment",
    "delete_assignment",
    "delete_all_assignments",
}


@pytest.fixture(params=["auto", "legacy"])
def mode(request) -> str:
    return request.param


def error_of(result) -> dict[str, Any]:
    assert result.is_error is True
    assert len(result.content) == 1 and result.content[0].type == "text"
    return json.loads(result.content[0].text)


async def call(client: Client, tool: str, **arguments):
    return await client.call_tool(tool, arguments)


async def test_server_identity_and_tool_list(mode):
    async with Client(create_server(), mode=mode) as client:
        assert client.server_info.name == "assignment-server"
        assert client.server_info.version
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        assert tool.input_schema["type"] == "object"
        assert tool.annotations is not None and tool.annotations.open_world_hint is False
    assert tools["get_assignment"].annotations.read_only_hint is True
    assert tools["list_assignments"].annotations.idempotent_hint is True
    assert tools["delete_all_assignments"].annotations.destructive_hint is True
    assert tools["create_assignment"].annotations.read_only_hint is False
    assert tools["create_assignment"].input_schema["required"] == ["title", "assignee"]
    assert tools["create_assignment"].input_schema["properties"]["priority"]["maximum"] == 5


async def test_open_world_hint_follows_the_directory():
    async with Client(create_server(Config(directory_url=DIRECTORY))) as client:
        hints = {tool.name: tool.annotations.open_world_hint for tool in (await client.list_tools()).tools}
    assert {name for name, open_world in hints.items() if open_world} == {
        "create_assignment",
        "bulk_create_assignments",
        "update_assignment",
    }


async def test_crud_round_trip(mode):
    async with Client(create_server(), mode=mode) as client:
        created = await call(client, "create_assignment", title="Write docs", assignee="ann@example.com", priority=2)
        assert created.is_error is False
        body = created.structured_content
        assert body["owner"] == "dev@example.com" and body["status"] == "open" and body["due_date"] is None
        assert body["created_at"].endswith("Z")
        assert json.loads(created.content[0].text) == body

        fetched = await call(client, "get_assignment", assignment_id=body["id"])
        assert fetched.structured_content == body

        updated = await call(
            client, "update_assignment", assignment_id=body["id"], status="done", due_date="2031-01-01"
        )
        assert (updated.structured_content["status"], updated.structured_content["due_date"]) == ("done", "2031-01-01")

        deleted = await call(client, "delete_assignment", assignment_id=body["id"])
        assert deleted.structured_content == {"id": body["id"], "deleted": True}
        assert error_of(await call(client, "get_assignment", assignment_id=body["id"])) == {
            "error": "not_found",
            "message": "assignment not found",
        }
        assert error_of(await call(client, "delete_assignment", assignment_id=body["id"]))["error"] == "not_found"


async def test_invalid_input_lists_every_field(mode):
    async with Client(create_server(), mode=mode) as client:
        result = await call(
            client, "create_assignment", title="a\nb", assignee="nope", priority=True, due_date="2025-02-30"
        )
    assert error_of(result) == {
        "error": "invalid_input",
        "message": "invalid input",
        "details": {
            "title": "must not contain control characters",
            "assignee": "must be a valid e-mail address",
            "priority": "must be an integer",
            "due_date": "must be a real calendar date",
        },
    }


@pytest.mark.parametrize(("priority", "ok"), [(0, False), (1, True), (5, True), (6, False), (-1, False)])
async def test_priority_boundaries(priority, ok):
    async with Client(create_server()) as client:
        result = await call(client, "create_assignment", title="t", assignee="a@example.com", priority=priority)
    assert result.is_error is (not ok)


async def test_conflict(mode):
    async with Client(create_server(), mode=mode) as client:
        await call(client, "create_assignment", title="Same", assignee="a@example.com")
        result = await call(client, "create_assignment", title="Same", assignee="a@example.com")
    assert error_of(result) == {
        "error": "conflict",
        "message": "an assignment with this title already exists for this assignee",
    }


async def test_pagination_through_the_tool():
    async with Client(create_server()) as client:
        result = await call(
            client,
            "bulk_create_assignments",
            items=[{"title": f"t{n}", "assignee": "a@example.com"} for n in range(45)],
        )
        assert result.structured_content["created"] == 45
        seen, cursor = [], None
        while True:
            page = (await call(client, "list_assignments", cursor=cursor, page_size=10)).structured_content
            seen.extend(item["id"] for item in page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 45
        tampered = await call(client, "list_assignments", cursor="eyJ2IjoxLCJhZnRlciI6LTF9")
        assert error_of(tampered)["details"] == {"cursor": "is not a cursor returned by list_assignments"}


async def test_bulk_is_all_or_nothing():
    async with Client(create_server()) as client:
        items = [{"title": "dup", "assignee": "a@example.com"}, {"title": "dup", "assignee": "a@example.com"}]
        error = error_of(await call(client, "bulk_create_assignments", items=items))
        assert error["error"] == "conflict" and list(error["details"]) == ["items[1]"]
        listed = await call(client, "list_assignments")
        assert listed.structured_content == {"items": [], "next_cursor": None}
        too_many = [{"title": f"t{n}", "assignee": "a@example.com"} for n in range(101)]
        assert error_of(await call(client, "bulk_create_assignments", items=too_many))["error"] == "invalid_input"


async def test_owners_cannot_see_each_other(tmp_path):
    db = f"sqlite://{tmp_path / 'shared.db'}"
    alice = create_server(Config(db_url=db, user="alice@example.com"))
    bob = create_server(Config(db_url=db, user="bob@example.com"))
    async with Client(alice) as as_alice, Client(bob) as as_bob:
        created = (
            await call(as_alice, "create_assignment", title="secret", assignee="x@example.com")
        ).structured_content
        for tool, args in [
            ("get_assignment", {}),
            ("update_assignment", {"status": "done"}),
            ("delete_assignment", {}),
        ]:
            assert error_of(await call(as_bob, tool, assignment_id=created["id"], **args)) == {
                "error": "not_found",
                "message": "assignment not found",
            }
        assert (await call(as_bob, "list_assignments")).structured_content["items"] == []
        assert (await call(as_alice, "get_assignment", assignment_id=created["id"])).structured_content == created


async def test_scopes_are_enforced():
    reader = create_server(Config(scopes=("assignments:read",)))
    async with Client(reader) as client:
        assert error_of(await call(client, "create_assignment", title="t", assignee="a@example.com")) == {
            "error": "forbidden",
            "message": "this action needs the 'assignments:write' scope",
        }
        assert error_of(await call(client, "delete_all_assignments"))["error"] == "forbidden"
        assert (await call(client, "list_assignments")).is_error is False


async def test_admin_deletes_everything(tmp_path):
    db = f"sqlite://{tmp_path / 'shared.db'}"
    for user in ("a@example.com", "b@example.com"):
        async with Client(create_server(Config(db_url=db, user=user))) as client:
            await call(client, "create_assignment", title="t", assignee=user)
    async with Client(create_server(Config(db_url=db, user="root@example.com"))) as admin:
        assert (await call(admin, "delete_all_assignments")).structured_content == {"deleted": 2}


async def test_unexpected_errors_are_generic(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM /var/lib/db password=hunter2")

    monkeypatch.setattr(store_module.Store, "get", broken)
    async with Client(create_server()) as client:
        result = await call(client, "get_assignment", assignment_id=1)
    assert error_of(result) == {"error": "internal_error", "message": "an internal error occurred"}
    assert "hunter2" in caplog.text  # logged on the server side only


async def test_resource_template(mode):
    async with Client(create_server(), mode=mode) as client:
        created = (await call(client, "create_assignment", title="t", assignee="a@example.com")).structured_content
        templates = (await client.list_resource_templates()).resource_templates
        assert [t.uri_template for t in templates] == ["assignment://{assignment_id}"]
        read = await client.read_resource(f"assignment://{created['id']}")
        assert read.contents[0].mime_type == "application/json"
        assert json.loads(read.contents[0].text) == created
        for missing in ("assignment://999", "assignment://abc", "assignment://-1", "nothing://here"):
            with pytest.raises(MCPError) as info:
                await client.read_resource(missing)
            # "Resource not found": -32002 with data.uri in the handshake era, -32602 in the stateless one.
            assert info.value.code == (-32002 if mode == "legacy" else -32602)
            assert info.value.data == {"uri": missing}


async def test_prompt_summarises_open_work(mode):
    async with Client(create_server(), mode=mode) as client:
        for title, status in (("first", None), ("second", "in_progress"), ("third", "done")):
            created = (
                await call(client, "create_assignment", title=title, assignee="ann@example.com")
            ).structured_content
            if status:
                await call(client, "update_assignment", assignment_id=created["id"], status=status)
        prompts = (await client.list_prompts()).prompts
        assert [p.name for p in prompts] == ["open_work_summary"]
        assert [(a.name, a.required) for a in prompts[0].arguments] == [("assignee", True)]
        result = await client.get_prompt("open_work_summary", {"assignee": "Ann@Example.com"})
        text = result.messages[0].content.text
        assert "ann@example.com" in text and "first" in text and "second" in text and "third" not in text
        with pytest.raises(MCPError) as info:
            await client.get_prompt("open_work_summary", {"assignee": "not-an-email"})
        assert info.value.code == -32602
        assert "must be a valid e-mail address" in info.value.message
        for name, arguments, message in (
            ("no_such_prompt", {"assignee": "ann@example.com"}, "unknown prompt: 'no_such_prompt'"),
            ("open_work_summary", {}, "missing required argument(s): assignee"),
        ):
            with pytest.raises(MCPError) as info:
                await client.get_prompt(name, arguments)
            assert (info.value.code, info.value.message) == (-32602, message)


@respx.mock(assert_all_called=False)
async def test_directory_outcomes(respx_mock):
    respx_mock.get(f"{DIRECTORY}/users/known@example.com").respond(200, json={"email": "known@example.com"})
    respx_mock.get(f"{DIRECTORY}/users/ghost@example.com").respond(404)
    respx_mock.get(f"{DIRECTORY}/users/broken@example.com").respond(503, text="upstream trace: db=10.0.0.5")
    respx_mock.get(f"{DIRECTORY}/users/slow@example.com").mock(side_effect=httpx.ReadTimeout("read timed out"))
    respx_mock.get(f"{DIRECTORY}/users/down@example.com").mock(side_effect=httpx.ConnectError("refused 10.0.0.5"))
    server = create_server(Config(directory_url=DIRECTORY, directory_timeout=1.0))
    async with Client(server) as client:

        async def create(assignee: str):
            return await call(client, "create_assignment", title="t " + assignee, assignee=assignee)

        assert (await create("known@example.com")).is_error is False
        assert error_of(await create("ghost@example.com")) == {
            "error": "invalid_input",
            "message": "unknown assignee",
            "details": {"assignee": "is not a known user"},
        }
        assert error_of(await create("broken@example.com")) == {"error": "internal_error", "message": UNAVAILABLE}
        assert error_of(await create("down@example.com")) == {"error": "internal_error", "message": UNAVAILABLE}
        assert error_of(await create("slow@example.com")) == {
            "error": "timeout",
            "message": "assignee directory timed out",
        }


async def test_without_directory_assignees_are_syntax_checked_only():
    with respx.mock(assert_all_mocked=True) as mock:  # any directory request would fail the test
        async with Client(create_server()) as client:
            result = await call(client, "create_assignment", title="t", assignee="anyone@example.com")
        assert result.is_error is False
        assert mock.calls.call_count == 0


async def test_a_server_keeps_its_in_memory_data_across_clients():
    server = create_server()
    async with Client(server) as client:
        await call(client, "create_assignment", title="t", assignee="a@example.com")
    async with Client(server, mode="legacy") as client:
        assert len((await call(client, "list_assignments")).structured_content["items"]) == 1
    async with Client(create_server()) as client:
        assert (await call(client, "list_assignments")).structured_content["items"] == []


@pytest.mark.parametrize("title", ['["draft"]', '{"a": 1}', "5", "null", "true", "<b>bold</b>", "' OR 1=1 --"])
async def test_text_that_looks_like_json_or_code_is_stored_verbatim(title):
    async with Client(create_server()) as client:
        created = await call(client, "create_assignment", title=title, assignee="a@example.com")
        assert created.structured_content["title"] == title
        fetched = await call(client, "get_assignment", assignment_id=created.structured_content["id"])
        assert fetched.structured_content["title"] == title


async def test_schemas_are_valid_and_describe_real_calls():
    from jsonschema import Draft202012Validator

    async with Client(create_server()) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        created = await call(client, "create_assignment", title="t", assignee="a@example.com", due_date="2030-01-01")
    for tool in tools.values():
        Draft202012Validator.check_schema(tool.input_schema)
        Draft202012Validator.check_schema(tool.output_schema)
    inputs = Draft202012Validator(
        tools["create_assignment"].input_schema, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert inputs.is_valid({"title": "t", "assignee": "a@example.com", "priority": 5, "due_date": "2030-01-01"})
    for bad in (
        {"title": "t", "assignee": "a@example.com", "priority": 6},
        {"title": "a\nb", "assignee": "a@example.com"},
    ):
        assert not inputs.is_valid(bad)
    Draft202012Validator(tools["create_assignment"].output_schema).validate(created.structured_content)
