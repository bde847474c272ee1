"""A server that reads files by a path argument and by resource URI, without confining them (traversal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

import mcp_types as types
from mcp.server import Server

ROOT = Path(__file__).resolve().parent
READ_ONLY = types.ToolAnnotations(read_only_hint=True)
TOOLS = [
    types.Tool(
        name="read_file",
        description="Read a file below the server's folder (but '..' escapes it).",
        input_schema={"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
        annotations=READ_ONLY,
    )
]


def _read(relative: str) -> str:
    return (ROOT / relative).read_text(errors="replace")


async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
    return types.ListToolsResult(tools=TOOLS)


async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
    path = str((params.arguments or {}).get("path", ""))
    try:
        text = _read(path)
    except OSError as exc:
        return types.CallToolResult(content=[types.TextContent(type="text", text=f"cannot read: {exc.strerror}")], is_error=True)
    return types.CallToolResult(content=[types.TextContent(type="text", text=text[:2000])])


async def list_resources(ctx: Any, params: Any) -> types.ListResourcesResult:
    return types.ListResourcesResult(resources=[types.Resource(uri="docs://files/__init__.py", name="init")])


async def list_templates(ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
    return types.ListResourceTemplatesResult(
        resource_templates=[types.ResourceTemplate(uri_template="docs://files/{name}", name="file")]
    )


async def read_resource(ctx: Any, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
    uri = str(params.uri)
    prefix = "docs://files/"
    if not uri.startswith(prefix):
        from mcp.shared.exceptions import MCPError

        raise MCPError(-32602, f"unknown resource {uri}")
    text = _read(unquote(unquote(uri[len(prefix) :])))
    return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, text=text[:2000])])


def make_server() -> Server:
    return Server(
        "fuzz-files",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_templates,
        on_read_resource=read_resource,
    )
