"""Tools checks (checklist E): listing, names, schemas, results, errors, argument validation."""

from __future__ import annotations

import json
import re
from typing import Any, Final

from ..context import CheckContext, shorten
from ..registry import check
from ..wire import HANDSHAKE_ERA, Exchange, StdioWire, Wire
from ._content import content_problem
from ._requests import UNKNOWN_NAME, reply_text, says_unknown
from ._schemas import schema_problem, validation_errors
from ._strict import result_problems
from ._tool_calls import callable_tools, example_arguments, may_call, no_callable_tools_reason, tuned_arguments

TOOL_NAME: Final = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")
ANNOTATION_HINTS: Final = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
MAX_CALLS: Final = 12


async def _tools(ctx: CheckContext) -> list[Any]:
    """The tools of this era's tools/list (read once per session)."""
    return await ctx.listed("tools/list", "tools")


@check(
    "tools.list.shape",
    rule='tools/list returns tools[]; each tool has a string name and an inputSchema object with "type": "object".',
    items=[36],
    spec="server/tools#tool",
    level="MUST",
    requires=["tools"],
    per="tool",
)
async def list_shape(ctx: CheckContext) -> None:
    for index, tool in enumerate(ctx.pick(await _tools(ctx))):
        where = f"tools[{index}]"
        ctx.expect(isinstance(tool, dict), f"{where} is {shorten(tool, 80)}, not an object")
        ctx.expect(isinstance(tool.get("name"), str), f"{where} has no string name: {shorten(tool, 200)}")
        schema = tool.get("inputSchema")
        ctx.expect(
            isinstance(schema, dict) and schema.get("type") == "object",
            f"tool {tool['name']!r} has inputSchema {shorten(schema, 200)}; it must be an object schema with "
            '"type": "object"',
            received=tool,
        )
        for key in ("title", "description"):
            if key in tool:
                ctx.expect(isinstance(tool[key], str), f"tool {tool['name']!r}: {key} is not a string", received=tool)


@check(
    "tools.list.names",
    rule="Tool names are 1-128 characters of A-Z, a-z, 0-9, '_', '-' and '.', and unique within the server.",
    items=[37],
    spec="server/tools#tool-names",
    level="SHOULD",
    requires=["tools"],
    per="tool",
)
async def list_names(ctx: CheckContext) -> None:
    tools = await _tools(ctx)
    names = [tool.get("name") for tool in tools if isinstance(tool, dict)]
    mine = [tool.get("name") for tool in ctx.pick(tools) if isinstance(tool, dict)]
    bad = [name for name in mine if not isinstance(name, str) or not TOOL_NAME.match(name)]
    ctx.expect(not bad, f"tool names outside the allowed characters or length: {', '.join(map(repr, bad[:5]))}")
    duplicates = sorted({str(name) for name in mine if names.count(name) > 1})
    ctx.expect(not duplicates, f"tool names listed more than once: {', '.join(map(repr, duplicates))}")


@check(
    "tools.list.schemas-valid",
    rule="Every inputSchema and outputSchema is a valid JSON Schema of its dialect ($schema, default 2020-12); on "
    '2025-11-25 an outputSchema has "type": "object" at its root.',
    items=[14, 38],
    spec="server/tools#output-schema",
    level="MUST",
    requires=["tools"],
    per="tool",
)
async def schemas_valid(ctx: CheckContext) -> None:
    for tool in ctx.pick(await _tools(ctx)):
        if not isinstance(tool, dict):
            continue
        name = tool.get("name")
        for key in ("inputSchema", "outputSchema"):
            if key not in tool or (key == "outputSchema" and tool[key] is None):
                continue
            problem = schema_problem(tool[key])
            ctx.expect(
                problem is None, f"tool {name!r}: its {key} is not a valid JSON Schema: {problem}", received=tool[key]
            )
        output = tool.get("outputSchema")
        if ctx.era == HANDSHAKE_ERA and isinstance(output, dict):
            ctx.expect(
                output.get("type") == "object",
                f'tool {name!r}: its outputSchema has no "type": "object" at the root',
                received=output,
            )


@check(
    "tools.list.annotations",
    rule="Tool annotations hints (readOnlyHint, destructiveHint, idempotentHint, openWorldHint) are booleans and "
    "the annotations title is a string.",
    items=[46],
    spec="server/tools#tool",
    level="SHOULD",
    requires=["tools"],
    per="tool",
)
async def annotation_hints(ctx: CheckContext) -> None:
    for tool in ctx.pick(await _tools(ctx)):
        notes = tool.get("annotations") if isinstance(tool, dict) else None
        if notes is None:
            continue
        ctx.expect(isinstance(notes, dict), f"tool {tool.get('name')!r}: annotations is not an object")
        for hint in ANNOTATION_HINTS:
            if hint in notes:
                ctx.expect(
                    isinstance(notes[hint], bool),
                    f"tool {tool.get('name')!r}: annotations.{hint} is {notes[hint]!r}, not a boolean",
                )
        if "title" in notes:
            ctx.expect(isinstance(notes["title"], str), f"tool {tool.get('name')!r}: annotations.title is not a string")


def _result_problem(result: Any, tool: dict[str, Any]) -> str | None:
    if not isinstance(result, dict):
        return "the result is not an object"
    content = result.get("content")
    if not isinstance(content, list):
        return "the result has no content array"
    for index, block in enumerate(content):
        problem = content_problem(block, f"content[{index}]")
        if problem:
            return problem
    if "isError" in result and not isinstance(result["isError"], bool):
        return f"isError is {result['isError']!r}, not a boolean"
    output = tool.get("outputSchema")
    if isinstance(output, dict) and result.get("isError") is not True:
        if "structuredContent" not in result:
            return "the tool declares an outputSchema but the result has no structuredContent"
        errors = validation_errors(output, result["structuredContent"])
        if errors:
            return "structuredContent does not conform to the outputSchema: " + "; ".join(errors)
    strict = result_problems("tools/call", result) if result.get("resultType") != "input_required" else []
    return "; ".join(strict) or None


async def _call_each(ctx: CheckContext, wire: Wire, tools: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Any]]:
    """Call each callable tool once with example arguments; ``[(tool, reply)]``."""
    calls = []
    for tool in tools[:MAX_CALLS]:
        arguments = tuned_arguments(tool, seconds=0.1, steps=2)
        if arguments is None:
            ctx.note(f"tool {tool.get('name')!r}: no example arguments could be made from its inputSchema")
            continue
        reply = await wire.request("tools/call", {"name": tool["name"], "arguments": arguments})
        calls.append((tool, reply))
    return calls


def _fail_on_server_request(ctx: CheckContext, wire: Wire, reply: Exchange) -> None:
    """A call left unanswered because the server asked the client for sampling, elicitation or roots."""
    __tracebackhide__ = True
    asked = [m for m in reply.messages if isinstance(m, dict) and "method" in m and "id" in m]
    if isinstance(wire, StdioWire):
        asked += [line.data for line in wire.lines if line.is_request]
    if asked:
        ctx.fail(
            f"the server sent a {asked[-1].get('method')} request to a client that declared no capabilities "
            "(#19: only negotiated capabilities may be used) and left the tool call unanswered",
            sent=reply.sent,
            received=asked[-1],
        )


@check(
    "tools.call.result-valid",
    rule="A tools/call result has content[] of valid blocks (text, image/audio with base64 data and a mimeType, "
    "resource_link, resource), a boolean isError if present, and, when the tool declares an outputSchema, "
    "structuredContent that conforms to it.",
    items=[39, 41],
    spec="server/tools#tool-result",
    level="MUST",
    requires=["tools"],
    timeout=60,
    per="callable-tool",
)
async def call_result_valid(ctx: CheckContext) -> None:
    tools = ctx.pick(callable_tools(ctx, await _tools(ctx)))
    async with ctx.wire() as wire:
        if not tools:
            ctx.skip(no_callable_tools_reason(ctx))
        calls = await _call_each(ctx, wire, tools)
        if not calls:
            ctx.skip("no callable tool has arguments the suite can make up")
        for tool, reply in calls:
            if not reply.answered:
                _fail_on_server_request(ctx, wire, reply)
            ctx.expect(reply.answered, f"no reply to tools/call {tool['name']!r}", sent=reply.sent)
            if reply.is_error:
                continue  # a tool may refuse made-up arguments; the shape of errors is checked elsewhere
            problem = _result_problem(reply.result, tool)
            ctx.expect(problem is None, f"tool {tool['name']!r}: {problem}", sent=reply.sent, received=reply.describe())


@check(
    "tools.call.structured-text",
    rule="A tool that returns structuredContent also returns the serialized JSON in a text content block.",
    items=[40],
    spec="server/tools#structured-content",
    level="SHOULD",
    requires=["tools"],
    timeout=60,
    per="structured-tool",
)
async def structured_text(ctx: CheckContext) -> None:
    tools = ctx.pick(callable_tools(ctx, await _tools(ctx)))
    async with ctx.wire() as wire:
        structured = [tool for tool in tools if isinstance(tool.get("outputSchema"), dict)]
        if not structured:
            ctx.skip(no_callable_tools_reason(ctx, " that declares an outputSchema"))
        checked = 0
        for tool, reply in await _call_each(ctx, wire, structured):
            result = reply.result if reply.is_result else None
            if not isinstance(result, dict) or result.get("isError") or "structuredContent" not in result:
                continue
            checked += 1
            texts = [
                b.get("text") for b in result.get("content") or [] if isinstance(b, dict) and b.get("type") == "text"
            ]
            parsed = []
            for text in texts:
                if not isinstance(text, str):
                    continue
                try:
                    parsed.append(json.loads(text))
                except (TypeError, ValueError):
                    continue
            ctx.expect(
                result["structuredContent"] in parsed,
                f"tool {tool['name']!r} returned structuredContent without a text block holding the same JSON",
                sent=reply.sent,
                received=reply.describe(),
            )
        if not checked:
            ctx.skip("no structured result came back from the tools the suite may call")


@check(
    "tools.call.unknown-tool",
    bad_input=True,
    rule="Calling a tool the server does not have is an error: a JSON-RPC error (the spec example: -32602 "
    "'Unknown tool') or a result with isError true, never a successful result.",
    items=[42],
    spec="server/tools#error-handling",
    level="SHOULD",
    requires=["tools"],
)
async def unknown_tool(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        reply = await wire.request("tools/call", {"name": UNKNOWN_NAME, "arguments": {}})
        ctx.expect(reply.answered, "no reply to tools/call for an unknown tool", sent=reply.sent)
        ctx.expect(
            reply.is_error or (isinstance(reply.result, dict) and reply.result.get("isError") is True),
            "calling an unknown tool succeeded",
            sent=reply.sent,
            received=reply.describe(),
        )


_WRONG_VALUES: Final = {
    "string": 12345,
    "integer": "not-a-number",
    "number": "not-a-number",
    "boolean": "yes",
    "array": "not-an-array",
    "object": "not-an-object",
}
"""A value of another type, by the JSON Schema type it replaces."""


def _wrong_typed(schema: dict[str, Any], valid: dict[str, Any], names: list[str]) -> tuple[str, dict[str, Any]] | None:
    """``valid`` with the first of ``names`` whose schema has a plain type given a value the schema refuses."""
    properties: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
    for name in names:
        prop = properties.get(name)
        kind = prop.get("type") if isinstance(prop, dict) else None
        wrong = _WRONG_VALUES.get(kind) if isinstance(kind, str) else None
        if wrong is None:
            continue
        candidate = {**valid, name: wrong}
        if validation_errors(schema, candidate):
            return f"with {name!r} of the wrong type ({type(wrong).__name__})", candidate
    return None


def _invalid_variants(tool: dict[str, Any], valid: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Arguments that violate the tool's inputSchema: a required property missing, or of the wrong type."""
    schema = tool.get("inputSchema") or {}
    variants: list[tuple[str, dict[str, Any]]] = []
    required = [name for name in schema.get("required") or [] if isinstance(name, str)]
    if required:
        missing = {k: v for k, v in valid.items() if k != required[0]}
        variants.append((f"without the required property {required[0]!r}", missing))
    wrong = _wrong_typed(schema, valid, required)
    if wrong is not None:
        variants.append(wrong)
    if schema.get("additionalProperties") is False:
        variants.append(("with a property the schema forbids", {**valid, "pytest_mcp_unexpected": 1}))
    return variants


def _probe_arguments(ctx: CheckContext, tool: dict[str, Any]) -> dict[str, Any] | None:
    """Arguments that reach a listed tool without running it where possible: its schema violated
    (a required property missing or of the wrong type), else, for a tool the suite may call, valid ones."""
    valid = example_arguments(tool)
    variants = _invalid_variants(tool, valid or {})
    if variants and not variants[0][0].startswith("with a property"):
        return variants[0][1]
    if not may_call(tool, ctx.options.fuzz_tools):
        return None
    # a tool the suite may call: an optional argument of the wrong type still reaches it without running
    # it on a server that validates (a slow tool stays fast); valid arguments where there is no such argument
    schema = tool.get("inputSchema") or {}
    optional = list(schema["properties"]) if isinstance(schema.get("properties"), dict) else []
    wrong = _wrong_typed(schema, valid or {}, optional)
    return wrong[1] if wrong is not None else valid


@check(
    "tools.call.listed-known",
    rule="A listed tool is never answered as unknown: tools/call of a tool that tools/list lists (with valid or "
    "invalid arguments) never gets -32601 or a reply saying the tool does not exist.",
    items=[38, 42],
    spec="server/tools#calling-tools",
    level="MUST",
    requires=["tools"],
    timeout=60,
    per="tool",
)
async def listed_known(ctx: CheckContext) -> None:
    tools = [t for t in ctx.pick(await _tools(ctx)) if isinstance(t, dict) and isinstance(t.get("name"), str)]
    async with ctx.wire() as wire:
        tried = 0
        for tool in tools[:MAX_CALLS]:
            arguments = _probe_arguments(ctx, tool)
            if arguments is None:
                ctx.note(f"tool {tool['name']!r}: no arguments that reach it without running it")
                continue
            reply = await wire.request("tools/call", {"name": tool["name"], "arguments": arguments})
            tried += 1
            ctx.expect(
                not says_unknown(reply, "tool", tool["name"]),
                f"tools/list lists the tool {tool['name']!r}, but tools/call answers that it does not exist "
                f"({reply_text(reply) or f'error {reply.code}'}): serve every tool you list, or stop listing it",
                sent=reply.sent,
                received=reply.describe(),
            )
        if not tried:
            ctx.skip("no listed tool can be reached without running it (opt tools in with --mcp-fuzz-tools)")


@check(
    "tools.call.invalid-arguments",
    bad_input=True,
    rule="Arguments that violate a tool's inputSchema (a missing required property, a wrong type, a forbidden "
    "extra property) never succeed: they get isError true or error -32602.",
    items=[44],
    spec="server/tools#security-considerations",
    level="MUST",
    requires=["tools"],
    timeout=60,
    per="callable-tool",
)
async def invalid_arguments(ctx: CheckContext) -> None:
    tools = ctx.pick(callable_tools(ctx, await _tools(ctx)))
    async with ctx.wire() as wire:
        if not tools:
            ctx.skip(no_callable_tools_reason(ctx))
        tried = 0
        for tool in tools[:MAX_CALLS]:
            valid = example_arguments(tool)
            if valid is None:
                continue
            for label, arguments in _invalid_variants(tool, valid):
                tried += 1
                reply = await wire.request("tools/call", {"name": tool["name"], "arguments": arguments})
                ctx.expect(reply.answered, f"no reply to tools/call {tool['name']!r} {label}", sent=reply.sent)
                rejected = reply.is_error or (isinstance(reply.result, dict) and reply.result.get("isError") is True)
                ctx.expect(
                    rejected,
                    f"tool {tool['name']!r} called {label} succeeded",
                    sent=reply.sent,
                    received=reply.describe(),
                )
        if not tried:
            ctx.skip("none of the tools the suite may call has a schema that arguments can violate")


@check(
    "tools.call.malformed",
    bad_input=True,
    rule="A malformed tools/call (arguments that are not an object) is a JSON-RPC protocol error (-32602 recommended), "
    "not a tool result.",
    items=[45],
    spec="server/tools#error-handling",
    level="D",
    requires=["tools"],
)
async def malformed_call(ctx: CheckContext) -> None:
    tools = callable_tools(ctx, await _tools(ctx))
    async with ctx.wire() as wire:
        name = tools[0]["name"] if tools else UNKNOWN_NAME  # never a tool the suite may not call
        reply = await wire.request("tools/call", {"name": name, "arguments": "not-an-object"})
        ctx.expect(reply.answered, "no reply to a malformed tools/call", sent=reply.sent)
        ctx.expect(
            reply.is_error,
            "a tools/call whose arguments are a string got a result, not a JSON-RPC error",
            sent=reply.sent,
            received=reply.describe(),
        )
        if reply.code != -32602:
            ctx.note(f"the error code is {reply.code}; JSON-RPC recommends -32602 (Invalid params)")


HTTP_TOKEN: Final = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
"""An HTTP header field-name token (RFC 9110 tchar)."""
HEADER_TYPES: Final = ("string", "integer", "boolean")


def _header_annotations(schema: Any, path: str, via_properties: bool) -> list[tuple[str, Any, Any, bool]]:
    """``(path, value, property schema, reachable through properties only)`` of every x-mcp-header."""
    found: list[tuple[str, Any, Any, bool]] = []
    if isinstance(schema, dict):
        if "x-mcp-header" in schema:
            found.append((path, schema["x-mcp-header"], schema, via_properties))
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    found += _header_annotations(sub, f"{path}/properties/{name}", via_properties)
            elif key not in ("x-mcp-header", "const", "enum", "default", "examples"):
                found += _header_annotations(value, f"{path}/{key}", False)
    elif isinstance(schema, list):
        for index, item in enumerate(schema):
            found += _header_annotations(item, f"{path}/{index}", False)
    return found


def _header_problem(path: str, value: Any, prop: Any, direct: bool) -> str | None:
    if not isinstance(value, str) or not HTTP_TOKEN.match(value):
        return f"at {path}: x-mcp-header {value!r} is not a non-empty HTTP token"
    if not direct:
        return f"at {path}: x-mcp-header is on a property not reachable through properties alone"
    kind = prop.get("type") if isinstance(prop, dict) else None
    if kind not in HEADER_TYPES:
        return f"at {path}: x-mcp-header is on a property of type {kind!r}, not string, integer or boolean"
    return None


@check(
    "tools.list.x-mcp-header",
    rule="Every x-mcp-header annotation in an inputSchema is a non-empty HTTP token, unique (case-insensitively) "
    "within its tool, on a string, integer or boolean property reached only through properties.",
    items=[48],
    spec="server/tools#x-mcp-header",
    level="MUST",
    eras=["2026-07-28"],
    requires=["tools"],
)
async def x_mcp_header(ctx: CheckContext) -> None:
    tools = [tool for tool in await _tools(ctx) if isinstance(tool, dict)]
    seen = 0
    for tool in tools:
        annotations = _header_annotations(tool.get("inputSchema"), "inputSchema", True)
        seen += len(annotations)
        names: list[str] = []
        for path, value, prop, direct in annotations:
            problem = _header_problem(path, value, prop, direct)
            ctx.expect(problem is None, f"tool {tool.get('name')!r}: {problem}", received=tool.get("inputSchema"))
            ctx.expect(
                str(value).lower() not in names,
                f"tool {tool.get('name')!r}: x-mcp-header {value!r} is used twice",
                received=tool.get("inputSchema"),
            )
            names.append(str(value).lower())
    if not seen:
        ctx.skip("no tool annotates a parameter with x-mcp-header")
