"""Assertion helpers: what passes, and the exact text of what fails."""

from __future__ import annotations

from collections.abc import Callable

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
from pytest_mcp._docs import DOCS_URL
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
        f"  (use -v for the whole JSON-RPC transcript; see {DOCS_URL}reference/assertions.md#assert_tool_ok)",
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


CALL = "tools/call 'add' on the stdio server `srv` with arguments {\"a\": 1}"
FAILED_CALL = "tools/call 'nope' on the stdio server `srv` with arguments {}"


def docs(anchor: str) -> str:
    return f"  (use -v for the whole JSON-RPC transcript; see {DOCS_URL}reference/assertions.md#{anchor})"


def message(helper: Callable[..., object], *args: object, **kwargs: object) -> list[str]:
    """The lines of the McpAssertionError that ``helper(*args, **kwargs)`` raises."""
    with pytest.raises(McpAssertionError) as info:
        helper(*args, **kwargs)
    return str(info.value).splitlines()


def test_tool_ok_on_a_bare_exception_describes_it() -> None:
    assert message(assert_tool_ok, ValueError("boom")) == [
        "the tool call did not succeed: it ended in an exception ValueError: boom",
        "  expected: a result with isError false",
        docs("assert_tool_ok"),
    ]
    assert message(assert_tool_ok, protocol_error())[0] == (
        f"{FAILED_CALL} did not succeed: it ended in a JSON-RPC error -32602 'Unknown tool: nope'"
    )


def test_text_helpers_on_a_failed_call_point_to_the_error_helpers() -> None:
    assert message(assert_text, protocol_error(), "x") == [
        f"{FAILED_CALL} has no content: it ended in a JSON-RPC error -32602 'Unknown tool: nope'",
        "  expected: a result; to assert a failure, use assert_tool_error or assert_protocol_error",
        docs("assert_text"),
    ]


def test_text_contains_and_match_failures_show_the_actual_text() -> None:
    assert assert_text(result("hello"), match=r"^h.l+o$") == "hello"
    assert message(assert_text, result("hello"), contains="bye") == [
        f"{CALL} returned text without 'bye'",
        "  actual: hello",
        docs("assert_text"),
    ]
    assert message(assert_text, result("hello"), match=r"^h\d") == [
        rf"{CALL} returned text not matching '^h\\d'",
        "  actual: hello",
        docs("assert_text"),
    ]


def test_structured_equality_and_missing_subset_keys() -> None:
    assert assert_structured(result(structured={"a": 1}), {"a": 1}) == {"a": 1}
    assert message(assert_structured, result(structured={"a": 1}), {"a": 2}) == [
        f"{CALL} returned different structuredContent",
        '  expected: {"a": 2}',
        '  actual:   {"a": 1}',
        docs("assert_structured"),
    ]
    assert message(assert_structured, result(structured={"a": 1}), subset={"a": 1, "b": 2}) == [
        f"{CALL} returned structuredContent without the expected items",
        '  expected to include: {"a": 1, "b": 2}',
        '  differing: {"b": "«missing»"}',
        '  actual: {"a": 1}',
        docs("assert_structured"),
    ]


def test_protocol_error_mismatches_name_the_call() -> None:
    error = assert_protocol_error(protocol_error(), code=-32602, match="Unknown")
    assert (error.code, error.message) == (-32602, "Unknown tool: nope")
    assert message(assert_protocol_error, protocol_error(), code=-32601) == [
        f"the JSON-RPC error from {FAILED_CALL} has the wrong code",
        "  expected code: -32601",
        "  got: a JSON-RPC error -32602 'Unknown tool: nope'",
        docs("assert_protocol_error"),
    ]
    assert message(assert_protocol_error, protocol_error(), match="quota") == [
        f"the JSON-RPC error from {FAILED_CALL} has an unexpected message",
        "  expected message matching: 'quota'",
        "  got: a JSON-RPC error -32602 'Unknown tool: nope'",
        docs("assert_protocol_error"),
    ]


def test_protocol_error_on_a_bare_exception() -> None:
    from mcp.shared.exceptions import MCPError

    missing = MCPError(code=-32601, message="Method not found", data={"method": "x"})
    assert assert_protocol_error(missing, code=-32601) is missing
    assert message(assert_protocol_error, missing, code=-32602) == [
        "the JSON-RPC error has the wrong code",
        "  expected code: -32602",
        '  got: a JSON-RPC error -32601 \'Method not found\', data {"method": "x"}',
        docs("assert_protocol_error"),
    ]
    assert message(assert_protocol_error, ValueError("boom"), code=-32602) == [
        "the tool call did not end in a JSON-RPC error",
        "  expected: JSON-RPC error -32602",
        "  got: an exception ValueError: boom",
        docs("assert_protocol_error"),
    ]
    assert message(assert_protocol_error, result("fine"))[1:3] == [
        "  expected: JSON-RPC error",
        "  got: a successful result",
    ]


def test_protocol_error_context_manager_checks_the_message() -> None:
    from mcp.shared.exceptions import MCPError

    with pytest.raises(McpAssertionError) as info, assert_protocol_error(match="missing"):
        raise MCPError(code=-32602, message="bad cursor")
    assert str(info.value).splitlines()[:3] == [
        "the JSON-RPC error has an unexpected message",
        "  expected message matching: 'missing'",
        "  got: a JSON-RPC error -32602 'bad cursor'",
    ]


def test_output_schema_missing_on_either_side() -> None:
    no_output = Tool(name="add", input_schema={"type": "object"})
    assert message(assert_matches_output_schema, result(structured={"a": 1}), no_output) == [
        "tool 'add' declares no outputSchema, so there is nothing to validate against",
        "  compare the values with assert_structured instead, or give the tool an outputSchema",
        docs("assert_matches_output_schema"),
    ]
    with_output = Tool(name="add", input_schema={"type": "object"}, output_schema={"type": "object"})
    assert message(assert_matches_output_schema, result("3"), with_output) == [
        f"{CALL} returned no structuredContent although tool 'add' declares an outputSchema",
        "  the spec: results of a tool with an outputSchema MUST carry conforming structuredContent",
        docs("assert_matches_output_schema"),
    ]
    # A bare schema dict has no tool name to show.
    assert message(assert_matches_output_schema, result("3"), {"type": "object"})[0] == (
        f"{CALL} returned no structuredContent although the schema declares an outputSchema"
    )
    assert assert_matches_output_schema(result(structured={"a": 1}), {"name": "add", "outputSchema": {}}) == {"a": 1}
    # A tool definition as JSON without an outputSchema is not mistaken for an (empty) schema.
    tool_json = {"name": "add", "inputSchema": {"type": "object"}}
    assert message(assert_matches_output_schema, result(structured={"a": 1}), tool_json)[0] == (
        "tool 'add' declares no outputSchema, so there is nothing to validate against"
    )


def test_valid_tool_schema_reports_missing_and_non_object_schemas() -> None:
    assert message(assert_valid_tool_schema, {"name": "add"}) == [
        "tool 'add' has an invalid definition",
        "  inputSchema is missing (it MUST be a JSON Schema object)",
        docs("assert_valid_tool_schema"),
    ]
    assert message(assert_valid_tool_schema, {"inputSchema": "object", "outputSchema": ["a"]}) == [
        "a tool without a name has an invalid definition",
        "  name is missing (spec: tool names)",
        "  inputSchema is a JSON string, not a JSON Schema object",
        "  outputSchema is a JSON array, not a JSON Schema object",
        docs("assert_valid_tool_schema"),
    ]
    assert message(assert_valid_tool_schema, {"name": 7, "inputSchema": {"type": "object"}, "outputSchema": True})[
        1:
    ] == [
        "  name 7 should be 1-128 characters of A-Z a-z 0-9 _ - . (spec: tool names)",
        "  outputSchema is a JSON boolean, not a JSON Schema object",
        docs("assert_valid_tool_schema"),
    ]


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
