"""Assertion helpers for MCP results, with failure messages a person can act on.

Every helper accepts what a test has in hand: a ``ToolResult`` from ``mcp_client``, a plain SDK
``CallToolResult``, or a ``CallOutcome`` from ``mcp_client.outcome(...)`` (which also captures
JSON-RPC errors, timeouts and crashes). Failures raise ``McpAssertionError`` naming the server,
the tool, the arguments, what was expected and what came back, and where to read more.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from ._docs import docs_url
from .errors import McpAssertionError
from .protocol import classify
from .protocol.schema import validator_class

__all__ = [
    "assert_content_types",
    "assert_matches_output_schema",
    "assert_protocol_error",
    "assert_structured",
    "assert_text",
    "assert_tool_error",
    "assert_tool_ok",
    "assert_valid_tool_schema",
]

DOCS: Final = docs_url("reference/assertions.md")
TOOL_NAME: Final = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_LIMIT: Final = 800


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= _LIMIT else text[:_LIMIT] + f"… ({len(text)} chars)"


def _unpack(result: Any) -> tuple[Any, Any, str, str, Any]:
    """(call result or None, error or None, tool, server, arguments) for any accepted input."""
    from .client.mcp_client import CallOutcome

    if isinstance(result, CallOutcome):
        return result.result, result.error, result.tool, result.server, result.arguments
    if isinstance(result, BaseException):
        return None, result, "", "", None
    return (
        result,
        None,
        getattr(result, "tool", "") or "",
        getattr(result, "server", "") or "",
        getattr(result, "arguments", None),
    )


def _call_line(tool: str, server: str, arguments: Any) -> str:
    what = f"tools/call {tool!r}" if tool else "the tool call"
    where = f" on the {server}" if server else ""
    args = f" with arguments {_short(arguments)}" if arguments is not None else ""
    return f"{what}{where}{args}"


def _fail(headline: str, details: list[str], anchor: str) -> McpAssertionError:
    lines = [headline, *("  " + line.replace("\n", "\n    ") for line in details)]
    lines.append(f"  (use -v for the whole JSON-RPC transcript; see {DOCS}#{anchor})")
    return McpAssertionError("\n".join(lines))


def _text_of(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content if getattr(block, "type", "") == "text")


def _describe_error(error: BaseException) -> str:
    from mcp.shared.exceptions import MCPError

    from .errors import McpServerCrashed, McpTimeoutError

    if isinstance(error, McpTimeoutError):
        return f"a timeout: {error}"
    if isinstance(error, McpServerCrashed):
        return f"a crash: {error}"
    if isinstance(error, MCPError):
        data = f", data {_short(error.data)}" if error.data is not None else ""
        return f"a JSON-RPC error {error.code} {error.message!r}{data}"
    return f"an exception {type(error).__name__}: {error}"


def assert_tool_ok(result: Any) -> Any:
    """Assert the tool call succeeded; return its structured content, or its text when it has none."""
    __tracebackhide__ = True
    call, error, tool, server, arguments = _unpack(result)
    if error is not None:
        raise _fail(
            f"{_call_line(tool, server, arguments)} did not succeed: it ended in {_describe_error(error)}",
            ["expected: a result with isError false"],
            "assert_tool_ok",
        )
    if call.is_error:
        raise _fail(
            f"{_call_line(tool, server, arguments)} returned an error result (isError: true)",
            ["expected: a successful result", f"error text: {_short(_text_of(call)) or '(no text content)'}"],
            "assert_tool_ok",
        )
    return call.structured_content if call.structured_content is not None else _text_of(call)


def assert_tool_error(
    result: Any, match: str | None = None, *, kind: str | None = None, code: int | None = None
) -> str:
    """Assert the call failed the way a server should report a failure; return the error text.

    By default an ``isError`` result or a JSON-RPC error both pass, and a timeout or crash never
    does. ``kind="is_error"`` or ``kind="protocol_error"`` (or ``code=...``) narrows it; ``kind``
    ``"timeout"`` or ``"crash"`` asserts exactly that. ``match`` is a regex searched in the text.
    """
    __tracebackhide__ = True
    call, error, tool, server, arguments = _unpack(result)
    if code is not None and kind is None:
        kind = "protocol_error"
    wanted = kind or "is_error or protocol_error"
    if error is not None:
        actual_kind, text = classify(error).kind, str(getattr(error, "message", error))
    elif call.is_error:
        actual_kind, text = "is_error", _text_of(call)
    else:
        raise _fail(
            f"{_call_line(tool, server, arguments)} succeeded, but an error was expected",
            [
                f"expected: {wanted}" + (f" matching {match!r}" if match else ""),
                f"got result: {_short(call.structured_content if call.structured_content is not None else _text_of(call))}",
            ],
            "assert_tool_error",
        )
    accepted = {kind} if kind else {"is_error", "protocol_error"}
    if actual_kind not in accepted:
        got = _describe_error(error) if error is not None else f"an isError result: {_short(text)}"
        raise _fail(
            f"{_call_line(tool, server, arguments)} failed, but not as expected",
            [f"expected: {wanted}", f"got: {got}"],
            "assert_tool_error",
        )
    if code is not None and getattr(error, "code", None) != code:
        raise _fail(
            f"{_call_line(tool, server, arguments)} returned the wrong error code",
            [f"expected: JSON-RPC error code {code}", f"got: {_describe_error(error)}"],
            "assert_tool_error",
        )  # type: ignore[arg-type]
    if match is not None and not re.search(match, text):
        raise _fail(
            f"{_call_line(tool, server, arguments)} failed with an unexpected message",
            [f"expected text matching: {match!r}", f"got: {_short(text)}"],
            "assert_tool_error",
        )
    return text


@contextmanager
def _raises_protocol_error(code: int | None, match: str | None) -> Iterator[list[Any]]:
    from mcp.shared.exceptions import MCPError

    caught: list[Any] = []
    try:
        yield caught
    except MCPError as exc:
        caught.append(exc)
        _check_protocol_error(exc, code, match, "")
        return
    raise _fail(
        "expected a JSON-RPC error, but the request succeeded",
        [f"expected code: {code}" if code is not None else "expected: any error code"],
        "assert_protocol_error",
    )


def _check_protocol_error(error: Any, code: int | None, match: str | None, source: str) -> None:
    __tracebackhide__ = True
    origin = f" from {source}" if source else ""
    if code is not None and error.code != code:
        raise _fail(
            f"the JSON-RPC error{origin} has the wrong code",
            [f"expected code: {code}", f"got: {_describe_error(error)}"],
            "assert_protocol_error",
        )
    if match is not None and not re.search(match, error.message):
        raise _fail(
            f"the JSON-RPC error{origin} has an unexpected message",
            [f"expected message matching: {match!r}", f"got: {_describe_error(error)}"],
            "assert_protocol_error",
        )


def assert_protocol_error(result: Any = None, *, code: int | None = None, match: str | None = None) -> Any:
    """Assert a JSON-RPC error (optionally with ``code`` and a message matching ``match``).

    Pass a ``CallOutcome`` or an exception, or use it as a context manager around a request::

        with assert_protocol_error(code=-32602):
            await mcp_client.read_resource("demo://missing")
    """
    __tracebackhide__ = True
    if result is None:
        return _raises_protocol_error(code, match)
    from mcp.shared.exceptions import MCPError

    call, error, tool, server, arguments = _unpack(result)
    if not isinstance(error, MCPError):
        got = (
            _describe_error(error)
            if error is not None
            else (f"an isError result: {_short(_text_of(call))}" if call.is_error else "a successful result")
        )
        raise _fail(
            f"{_call_line(tool, server, arguments)} did not end in a JSON-RPC error",
            [f"expected: JSON-RPC error{f' {code}' if code is not None else ''}", f"got: {got}"],
            "assert_protocol_error",
        )
    _check_protocol_error(error, code, match, _call_line(tool, server, arguments) if tool else "")
    return error


def _ok_call(result: Any, anchor: str) -> tuple[Any, str]:
    __tracebackhide__ = True
    call, error, tool, server, arguments = _unpack(result)
    if error is not None:
        raise _fail(
            f"{_call_line(tool, server, arguments)} has no content: it ended in {_describe_error(error)}",
            ["expected: a result; to assert a failure, use assert_tool_error or assert_protocol_error"],
            anchor,
        )
    return call, _call_line(tool, server, arguments)


def assert_text(
    result: Any, expected: str | None = None, *, contains: str | None = None, match: str | None = None
) -> str:
    """Assert on the joined text content: equal to ``expected``, containing ``contains``, matching ``match``."""
    __tracebackhide__ = True
    call, line = _ok_call(result, "assert_text")
    text = _text_of(call)
    if expected is not None and text != expected:
        raise _fail(
            f"{line} returned different text",
            [f"expected: {_short(expected)}", f"actual:   {_short(text)}"],
            "assert_text",
        )
    if contains is not None and contains not in text:
        raise _fail(f"{line} returned text without {contains!r}", [f"actual: {_short(text)}"], "assert_text")
    if match is not None and not re.search(match, text):
        raise _fail(f"{line} returned text not matching {match!r}", [f"actual: {_short(text)}"], "assert_text")
    return text


def assert_structured(result: Any, expected: Any = None, *, subset: dict[str, Any] | None = None) -> Any:
    """Assert on ``structuredContent``: equal to ``expected``, or containing the keys and values of ``subset``."""
    __tracebackhide__ = True
    call, line = _ok_call(result, "assert_structured")
    actual = call.structured_content
    if actual is None:
        raise _fail(
            f"{line} returned no structuredContent", [f"text content: {_short(_text_of(call))}"], "assert_structured"
        )
    if expected is not None and actual != expected:
        raise _fail(
            f"{line} returned different structuredContent",
            [f"expected: {_short(expected)}", f"actual:   {_short(actual)}"],
            "assert_structured",
        )
    if subset is not None:
        wrong = {
            key: actual.get(key, "«missing»") for key, value in subset.items() if actual.get(key, object()) != value
        }
        if wrong:
            raise _fail(
                f"{line} returned structuredContent without the expected items",
                [f"expected to include: {_short(subset)}", f"differing: {_short(wrong)}", f"actual: {_short(actual)}"],
                "assert_structured",
            )
    return actual


def assert_content_types(result: Any, *types: str) -> list[str]:
    """Assert the content blocks have exactly these types, in order (e.g. ``"text", "image"``)."""
    __tracebackhide__ = True
    call, line = _ok_call(result, "assert_content_types")
    actual = [getattr(block, "type", "?") for block in call.content]
    if list(types) != actual:
        raise _fail(
            f"{line} returned other content types",
            [f"expected: {list(types)}", f"actual:   {actual}"],
            "assert_content_types",
        )
    return actual


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path) if path else "/"


def assert_matches_output_schema(result: Any, tool: Any) -> Any:
    """Assert ``structuredContent`` validates against ``tool``'s ``outputSchema``; names the JSON pointer of the first violation."""
    __tracebackhide__ = True
    import jsonschema  # type: ignore[import-untyped]  # jsonschema ships no type hints

    call, line = _ok_call(result, "assert_matches_output_schema")
    if isinstance(tool, dict) and ("outputSchema" in tool or "inputSchema" in tool):  # a tool definition
        schema, name = tool.get("outputSchema"), tool.get("name")
    elif isinstance(tool, dict):  # a bare JSON Schema
        schema, name = tool, None
    else:
        schema, name = getattr(tool, "output_schema", None), getattr(tool, "name", None)
    label = f"tool {name!r}" if name else "the schema"
    if schema is None:
        raise _fail(
            f"{label} declares no outputSchema, so there is nothing to validate against",
            ["compare the values with assert_structured instead, or give the tool an outputSchema"],
            "assert_matches_output_schema",
        )
    structured = call.structured_content
    if structured is None:
        raise _fail(
            f"{line} returned no structuredContent although {label} declares an outputSchema",
            ["the spec: results of a tool with an outputSchema MUST carry conforming structuredContent"],
            "assert_matches_output_schema",
        )
    error = jsonschema.exceptions.best_match(validator_class(schema)(schema).iter_errors(structured))
    if error is not None:
        raise _fail(
            f"{line} returned structuredContent that violates the outputSchema",
            [
                f"at {_pointer(error.absolute_path)}: {error.message}",
                f"schema rule: {_pointer(error.absolute_schema_path)}",
                f"structuredContent: {_short(structured)}",
            ],
            "assert_matches_output_schema",
        )
    return structured


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    kinds = {str: "string", int: "number", float: "number", list: "array", type(None): "null"}
    return kinds.get(type(value), type(value).__name__)


def assert_valid_tool_schema(tool: Any) -> None:
    """Assert a tool's name and schemas are valid: ``inputSchema`` an object schema, both schemas valid JSON Schema."""
    __tracebackhide__ = True
    import jsonschema  # type: ignore[import-untyped]  # jsonschema ships no type hints

    data = tool if isinstance(tool, dict) else tool.model_dump(by_alias=True, mode="json", exclude_none=True)
    name = data.get("name")
    problems: list[str] = []
    if name is None:
        problems.append("name is missing (spec: tool names)")
    elif not isinstance(name, str) or not TOOL_NAME.match(name):
        problems.append(f"name {name!r} should be 1-128 characters of A-Z a-z 0-9 _ - . (spec: tool names)")
    for key in ("inputSchema", "outputSchema"):
        schema = data.get(key)
        if schema is None:
            if key == "inputSchema":
                problems.append("inputSchema is missing (it MUST be a JSON Schema object)")
            continue
        if not isinstance(schema, dict):
            problems.append(f"{key} is a JSON {_json_type(schema)}, not a JSON Schema object")
            continue
        if key == "inputSchema" and schema.get("type") != "object":
            problems.append(f'inputSchema has type {schema.get("type")!r}; its root MUST be "type": "object"')
        try:
            validator_class(schema).check_schema(schema)
        except jsonschema.exceptions.SchemaError as exc:
            problems.append(f"{key} is not valid JSON Schema at {_pointer(exc.absolute_path)}: {exc.message}")
    if problems:
        label = f"tool {name!r}" if name is not None else "a tool without a name"
        raise _fail(f"{label} has an invalid definition", problems, "assert_valid_tool_schema")
