"""The published surface is a contract: tool schemas, annotations, prompts and templates stay stable.

``tools/list`` (every ``inputSchema``, ``outputSchema``, annotation and description), the prompt
list and the resource templates are stored as JSON snapshots next to this file
(``__snapshots__/test_tool_schemas/``). A change a client could notice fails here first; when
the change is deliberate, update the snapshot (``pytest example_server/tests/contract
--snapshot-update``) and review the diff as an API change. The snapshots hold for both protocol
eras: the plugin's snapshot extension leaves the era-specific envelope out.
"""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from pytest_mcp import assert_matches_output_schema, assert_tool_ok, assert_valid_tool_schema

from ..helpers import SERVER, TOOLS

pytestmark = [pytest.mark.anyio, pytest.mark.contract, pytest.mark.mcp_server(SERVER)]


async def test_tools_list_is_stable(mcp_client, mcp_snapshot):
    listed = await mcp_client.list_tools()
    assert listed.next_cursor is None
    assert [tool.name for tool in listed.tools] == list(TOOLS)
    assert listed == mcp_snapshot


async def test_prompts_and_resource_templates_are_stable(mcp_client, mcp_snapshot):
    surface = {
        "prompts": await mcp_client.prompts(),
        "resourceTemplates": await mcp_client.resource_templates(),
    }
    assert surface == mcp_snapshot


async def test_both_eras_publish_the_same_tools(mcp_client_factory):
    async with (
        mcp_client_factory(era="2025-11-25") as handshake,
        mcp_client_factory(era="2026-07-28") as stateless,
    ):
        old, new = await handshake.tools(), await stateless.tools()
    assert [tool.model_dump(exclude_none=True) for tool in old] == [tool.model_dump(exclude_none=True) for tool in new]


async def test_every_schema_is_valid_and_describes_real_results(mcp_client):
    tools = {tool.name: tool for tool in await mcp_client.tools()}
    for tool in tools.values():
        assert_valid_tool_schema(tool)
        Draft202012Validator.check_schema(tool.input_schema)
        # A client may rely on these: every field of every result is declared, nothing else appears.
        assert tool.output_schema is not None and tool.output_schema.get("additionalProperties") is not True
    created = await mcp_client.call(
        "create_assignment", title="contract", assignee="c@example.com", due_date="2031-01-01"
    )
    assert_matches_output_schema(created, tools["create_assignment"])
    body = assert_tool_ok(created)
    for name, arguments in (
        ("get_assignment", {"assignment_id": body["id"]}),
        ("list_assignments", {"assignee": "c@example.com"}),
        ("update_assignment", {"assignment_id": body["id"], "status": "done"}),
        ("bulk_create_assignments", {"items": [{"title": "bulk contract", "assignee": "c@example.com"}]}),
        ("delete_assignment", {"assignment_id": body["id"]}),
    ):
        assert_matches_output_schema(await mcp_client.call(name, **arguments), tools[name])
