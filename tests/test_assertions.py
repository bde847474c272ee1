"""Assertion helpers: what passes, and the exact text of what fails."""

from __future__ import annotations

import pytest
from mcp_types import CallToolResult, TextContent, Tool

from pytest_mcp import (
    CallOutcome,
    McpAssertionError,
    ToolResult,
    assert_content_types,
    assert_matches_output_schema,
    assert_protocol_error,
    assert_structured,
    assert_text,
    assert_tool_error,
    assert_tool_ok,
    assert_valid_tool_schema,
)
from pytest_mcp.errors import McpServerCrashed, McpTimeoutError

SERVER = "stdio server `srv`"


def result(text: str = "ok", *, error: bool = False, structured: object = None) -> ToolResult:
    raw = CallToolResult(content=[TextContent(type="text", text=text)], is_error=error, structured_content=structured)
    return ToolResult.wrap(raw, "add", {"a": 1}, SERVER)


def protocol_error(code: int = -32602, message: str = "Unknown tool: nope") -> CallOutcome:
    from mcp.shared.exceptions import MCPError

    return CallOutcome("nope", {}, SERVER, error=MCPError(code=code, message=message))


def test_tool_ok_returns_structured_content_or_text() -> None:
    assert assert_tool_ok(result(structured={"result": 3})) == {"result": 3}
    assert assert_tool_ok(result("three")) == "three"


def test_tool_ok_on_an_error_result_names_the_call_and_the_error() -> None:
    with pytest.raises(McpAssertionError) as info:
        assert_tool_ok(result("division by zero", error=True))
    assert str(info.value).splitlines() == [
        "tools/call 'add' on the stdio server `srv` with arguments {\"a\": 1} returned an error result (isError: true)",
        "  expected: a successful result",
        "  error text: division by zero",
        "  (use -v for the whole JSON-RPC transcript; see docs/reference/assertions.md#assert_tool_ok)",
    ]


def test_tool_error_tells_apart_the_four_ways_a_call_fails() -> None:
    assert assert_tool_error(result("bad input", error=True), match="bad") == "bad input"
    assert assert_tool_error(protocol_error(), code=-32602) == "Unknown tool: nope"
    timeout = CallOutcome("t", {}, SERVER, error=McpTimeoutError("no reply", method="tools/call", timeout=1))
    crash = CallOutcome("t", {}, SERVER, error=McpServerCrashed("exited with code 3", returncode=3, stderr_tail=""))
    assert assert_tool_error(timeout, kind="timeout") == "no reply"
    with pytest.raises(McpAssertionError, match="got: a timeout: no reply"):
        assert_tool_error(timeout)
    with pytest.raises(McpAssertionError, match="got: a crash: exited with code 3"):
        assert_tool_error(crash, kind="is_error")
    with pytest.raises(McpAssertionError, match=r"expected: protocol_error\n  got: an isError result: bad"):
        assert_tool_error(result("bad", error=True), kind="protocol_error")
    with pytest.raises(McpAssertionError, match="expected: JSON-RPC error code -32601"):
        assert_tool_error(protocol_error(), code=-32601)
    with pytest.raises(McpAssertionError, match=r"succeeded, but an error was expected"):
        assert_tool_error(result("fine"))
    with pytest.raises(McpAssertionError, match="expected text matching: 'quota'"):
        assert_tool_error(result("bad input", error=True), match="quota")


def test_protocol_error_as_a_context_manager() -> None:
    from mcp.shared.exceptions import MCPError

    with assert_protocol_error(code=-32602, match="missing"):
        raise MCPError(code=-32602, message="resource missing")
    with (
        pytest.raises(McpAssertionError, match="expected a JSON-RPC error, but the request succeeded"),
        assert_protocol_error(),
    ):
        pass
    with pytest.raises(McpAssertionError, match="expected code: -32601"), assert_protocol_error(code=-32601):
        raise MCPError(code=-32602, message="x")
    with pytest.raises(McpAssertionError, match="got: an isError result: oops"):
        assert_protocol_error(result("oops", error=True))


def test_text_structured_and_content_types() -> None:
    assert assert_text(result("hello world"), contains="world") == "hello world"
    with pytest.raises(McpAssertionError, match=r"(?s)returned different text.*expected: bye.*actual:   hello"):
        assert_text(result("hello"), "bye")
    assert assert_structured(result(structured={"a": 1, "b": 2}), subset={"a": 1}) == {"a": 1, "b": 2}
    with pytest.raises(McpAssertionError, match=r'differing: {"b": 2}'):
        assert_structured(result(structured={"a": 1, "b": 2}), subset={"a": 1, "b": 3})
    with pytest.raises(McpAssertionError, match="returned no structuredContent"):
        assert_structured(result("x"))
    assert assert_content_types(result(), "text") == ["text"]
    with pytest.raises(McpAssertionError, match=r"expected: \['image'\]"):
        assert_content_types(result(), "image")


def test_output_schema_violations_name_the_json_pointer() -> None:
    tool = Tool(
        name="add",
        input_schema={"type": "object"},
        output_schema={"type": "object", "properties": {"items": {"type": "array", "items": {"type": "integer"}}}},
    )
    assert_matches_output_schema(result(structured={"items": [1, 2]}), tool)
    with pytest.raises(McpAssertionError) as info:
        assert_matches_output_schema(result(structured={"items": [1, "two"]}), tool)
    assert "at /items/1: 'two' is not of type 'integer'" in str(info.value)
    assert "schema rule: /properties/items/items/type" in str(info.value)


def test_valid_tool_schema() -> None:
    assert_valid_tool_schema(Tool(name="ok.tool-1", input_schema={"type": "object", "properties": {}}))
    with pytest.raises(McpAssertionError) as info:
        assert_valid_tool_schema({"name": "bad name", "inputSchema": {"type": "array"}, "outputSchema": {"type": 5}})
    message = str(info.value)
    assert "name 'bad name' should be 1-128 characters" in message
    assert 'inputSchema has type \'array\'; its root MUST be "type": "object"' in message
    assert "outputSchema is not valid JSON Schema at /type" in message


@pytest.mark.anyio
@pytest.mark.mcp_server("tests.servers.demo:make_server")
async def test_helpers_on_a_real_server(mcp_client) -> None:  # type: ignore[no-untyped-def]
    assert assert_tool_ok(await mcp_client.call("add", a=1, b=2)) == {"result": 3}
    assert assert_tool_error(await mcp_client.outcome("fail"), kind="is_error") == "Error executing tool fail"
    assert_matches_output_schema(await mcp_client.call("add", a=1, b=2), await mcp_client.tool("add"))
    for tool in await mcp_client.tools():
        assert_valid_tool_schema(tool)
    with assert_protocol_error(code=-32602):
        await mcp_client.read_resource("demo://missing")


def test_comparing_two_results_explains_the_difference(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from mcp_types import CallToolResult, TextContent
        from pytest_mcp import ToolResult

        def make(text, data):
            raw = CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)
            return ToolResult.wrap(raw, "add", {}, "srv")

        def test_equal():
            assert make("3", {"result": 3}) == make("4", {"result": 4})
        """
    )
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(
        [
            "E*tool results differ (add vs add)",
            "E*text:",
            "E*- 3",
            "E*+ 4",
            "E*structuredContent:",
            'E*- {"result": 3}',
            'E*+ {"result": 4}',
        ]
    )
