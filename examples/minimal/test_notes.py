"""Tests of notes_server.py: copy this file first, then change the calls to your own tools."""

import json

import pytest

import pytest_mcp
from pytest_mcp import assert_structured, assert_tool_error, assert_tool_ok
from pytest_mcp.suite import checks_for

SERVER = "notes_server:create_server"  # in-process: a new server from the factory in notes_server.py

pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server(SERVER, fresh=True)]  # fresh: an empty notebook per test


async def test_add_then_search(mcp_client):
    added = assert_tool_ok(await mcp_client.call("add_note", title="Groceries", body="milk, eggs"))
    assert added == {"id": 1, "title": "Groceries", "body": "milk, eggs"}  # the first note of a fresh server
    found = await mcp_client.call("search_notes", word="MILK")
    assert_structured(found, {"notes": [added]})


async def test_delete_twice_says_what_to_do(mcp_client):
    added = assert_tool_ok(await mcp_client.call("add_note", title="Once"))
    assert_tool_ok(await mcp_client.call("delete_note", note_id=added["id"]))
    again = await mcp_client.call("delete_note", note_id=added["id"])
    assert_tool_error(again, match="call search_notes")


@pytest.mark.parametrize(
    "arguments",
    [{"title": ""}, {"title": "x" * 81}, {"title": 42}, {}],
    ids=["empty", "too-long", "not-a-string", "missing"],
)
async def test_bad_titles_are_refused_before_the_tool_runs(mcp_client, arguments):
    assert_tool_error(await mcp_client.call("add_note", **arguments), match="title")
    assert_structured(await mcp_client.call("search_notes", word="e"), {"notes": []})  # nothing was stored


async def test_the_schema_carries_the_limits(mcp_client):
    schema = (await mcp_client.tool("search_notes")).input_schema
    assert schema["properties"]["limit"] == {
        "default": 10,
        "description": "How many notes to return at most.",
        "maximum": 50,
        "minimum": 1,
        "title": "Limit",
        "type": "integer",
    }


async def test_resource_and_prompt(mcp_client):
    added = assert_tool_ok(await mcp_client.call("add_note", title="Plan", body="ship it"))
    read = await mcp_client.read_resource(f"notes://{added['id']}")
    assert json.loads(read.contents[0].text) == added
    prompt = await mcp_client.get_prompt("summarize", {"word": "ship"})
    assert "search_notes" in prompt.messages[0].content.text


@pytest.mark.mcp_era("both")  # runs once per protocol era: [2025-11-25] and [2026-07-28]
@pytest.mark.mcp_server(pytest_mcp.stdio("python notes_server.py"))  # the same server as a subprocess
async def test_over_stdio_in_both_eras(mcp_client):
    assert [tool.name for tool in await mcp_client.tools()] == ["add_note", "search_notes", "delete_note"]


# The zero-code suite: the plugin's protocol checks, as ordinary tests of this module.
# "mcp-python-sdk" accepts the SDK's own known departures from the specification.
test_conformance = checks_for("conformance", server=SERVER, baseline="mcp-python-sdk")
