"""A low-level server that never validates arguments, and whose structuredContent breaks its outputSchema.

``add`` returns success for any arguments (invalid ones included); ``half`` declares an integer
``half`` in its outputSchema but answers odd numbers with a string; ``remote`` has an inputSchema
with a network ``$ref`` the suite must skip, not fetch.
"""

from __future__ import annotations

from typing import Any

import mcp_types as types
from mcp.server import Server

READ_ONLY = types.ToolAnnotations(read_only_hint=True)
TOOLS = [
    types.Tool(
        name="add",
        description="Add two integers (never checks its arguments).",
        input_schema={
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer", "minimum": 0}},
            "required": ["a", "b"],
            "additionalProperties": False,
        },
        annotations=READ_ONLY,
    ),
    types.Tool(
        name="half",
        description="Half of an even number.",
        input_schema={"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
        output_schema={"type": "object", "properties": {"half": {"type": "integer"}}, "required": ["half"]},
        annotations=READ_ONLY,
    ),
    types.Tool(
        name="remote",
        description="A tool whose schema lives on the network.",
        input_schema={"type": "object", "properties": {"doc": {"$ref": "https://example.com/schemas/doc.json"}}},
        annotations=READ_ONLY,
    ),
]


def _text(value: Any) -> list[types.TextContent]:
    return [types.TextContent(type="text", text=str(value))]


async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
    return types.ListToolsResult(tools=TOOLS)


async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
    arguments = params.arguments or {}
    if params.name == "add":
        return types.CallToolResult(content=_text(f"{arguments.get('a')}+{arguments.get('b')}"))
    if params.name == "half":
        n = arguments.get("n", 0)
        if isinstance(n, int) and n % 2:
            return types.CallToolResult(content=_text("odd"), structured_content={"half": "not a whole number"})
        return types.CallToolResult(content=_text(n // 2), structured_content={"half": n // 2})
    return types.CallToolResult(content=_text("ok"))


def make_server() -> Server:
    return Server("fuzz-lax", on_list_tools=list_tools, on_call_tool=call_tool)

