"""Helpers shared by the check modules: well-known requests, paging, tool selection, validation."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, cast

from ...protocol.schema import example_object
from ..evidence import shorten
from ..wire import HANDSHAKE_ERA, Reply, Wire

if TYPE_CHECKING:
    from ..context import CheckContext

MAX_PAGES: Final = 50
CONTENT_TYPES: Final = ("text", "image", "audio", "resource_link", "resource")
UNKNOWN_NAME: Final = "pytest-mcp-no-such-name-5f2c"
UNKNOWN_URI: Final = "pytest-mcp://no-such-resource/5f2c"
LEAVE_OUT: Final = cast(str, None)
"""A header value telling ``HttpWire.post``/``send_request`` to leave that header out of the request."""


def any_request(ctx: CheckContext) -> tuple[str, dict[str, Any] | None]:
    """A request every server of the era answers successfully: ``ping`` (2025-11-25) or ``server/discover``."""
    if ctx.era == HANDSHAKE_ERA:
        return "ping", None
    return "server/discover", {}


async def answers_after(ctx: CheckContext, wire: Wire) -> list[Any]:
    """On stdio: what the server wrote (except notifications) since the last look, up to its reply to a
    marker request; the marker's reply must come (the connection still works), or the check fails."""
    __tracebackhide__ = True
    from ..wire import StdioWire

    assert isinstance(wire, StdioWire)
    start = len(wire.lines)
    method, params = any_request(ctx)
    marker = await wire.request(method, params)
    ctx.expect(
        marker.is_result,
        f"the server stopped answering: {method} got no result afterwards",
        sent=marker.sent,
        received=marker.describe(),
    )
    marker_id = marker.sent["id"]
    return [
        line.data if not line.invalid else line.text()
        for line in wire.lines[start:]
        if not line.is_notification and not (line.is_response and line.data.get("id") == marker_id)
    ]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def error_problem(reply: Reply) -> str | None:
    """What is wrong with an error response's shape (integer code, string message), or None."""
    error = reply.error
    if not isinstance(error, dict):
        return f"its error member is {shorten(error, 80)}, not an object"
    if not is_int(error.get("code")):
        return f"its error code is {shorten(error.get('code'), 80)}, not an integer"
    if not isinstance(error.get("message"), str):
        return f"its error message is {shorten(error.get('message'), 80)}, not a string"
    return None


def response_problem(reply: Reply) -> str | None:
    """What is wrong with a response's JSON-RPC shape, or None."""
    message = reply.message
    if not isinstance(message, dict):
        return f"the reply is {shorten(message, 80)}, not a JSON object"
    if message.get("jsonrpc") != "2.0":
        return f'its "jsonrpc" member is {shorten(message.get("jsonrpc"), 40)}, not "2.0"'
    has_result, has_error = "result" in message, "error" in message
    if has_result == has_error:
        return "it has both result and error" if has_result else "it has neither result nor error"
    if has_result and not isinstance(message["result"], dict):
        return f"its result is {shorten(message['result'], 80)}, not an object"
    if has_error:
        return error_problem(reply)
    return None


def message_problem(message: dict[str, Any]) -> str | None:
    """What is wrong with a notification or request the server sent (jsonrpc, method, params), or None."""
    if message.get("jsonrpc") != "2.0":
        return f'{message.get("method")!r} has "jsonrpc" {shorten(message.get("jsonrpc"), 40)}, not "2.0"'
    if not isinstance(message.get("method"), str):
        return f"its method is {shorten(message.get('method'), 40)}, not a string"
    if "params" in message and not isinstance(message["params"], dict):
        return f"{message['method']!r} has params {shorten(message['params'], 60)}, not an object"
    return None


# -- lists and paging -------------------------------------------------------------------------------


@dataclass
class Listing:
    """Every page of one ``*/list`` method, followed through ``nextCursor``."""

    method: str
    key: str
    items: list[Any] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    cursors: list[Any] = field(default_factory=list)
    problem: str | None = None
    """Why listing stopped early (an error reply, a repeated cursor, too many pages), if it did."""
    failed_reply: Reply | None = None


async def list_all(wire: Wire, method: str, key: str, *, max_pages: int = MAX_PAGES) -> Listing:
    """Follow ``nextCursor`` through every page of ``method`` (at most ``max_pages``)."""
    listing = Listing(method, key)
    cursor: Any = None
    for _ in range(max_pages):
        reply = await wire.request(method, {"cursor": cursor} if cursor is not None else {})
        listing.replies.append(reply)
        if not reply.is_result or not isinstance(reply.result, dict):
            listing.problem = f"{method} did not return a result" + (f" (error {reply.code})" if reply.is_error else "")
            listing.failed_reply = reply
            return listing
        page = reply.result.get(key)
        if not isinstance(page, list):
            listing.problem = f"the {method} result has no {key!r} array"
            listing.failed_reply = reply
            return listing
        listing.items.extend(page)
        cursor = reply.result.get("nextCursor")
        if cursor is None:
            return listing
        if cursor in listing.cursors:
            listing.problem = f"{method} returned the cursor {shorten(cursor, 80)} twice: paging never ends"
            listing.failed_reply = reply
            return listing
        listing.cursors.append(cursor)
    listing.problem = f"{method} still returned a nextCursor after {max_pages} pages"
    listing.failed_reply = listing.replies[-1]
    return listing


def items_or_fail(ctx: CheckContext, listing: Listing) -> list[Any]:
    """The items of a list that was read; fails the check, showing the failing reply, when it could not be."""
    __tracebackhide__ = True
    if listing.problem:
        ctx.fail(
            listing.problem,
            sent=listing.failed_reply and listing.failed_reply.sent,
            received=listing.failed_reply and listing.failed_reply.describe(),
        )
    return listing.items


async def listed(ctx: CheckContext, wire: Wire, method: str, key: str) -> list[Any]:
    """All items of a list method; fails the check when the list cannot be read."""
    __tracebackhide__ = True
    return items_or_fail(ctx, await list_all(wire, method, key))


# -- which tools the suite may call -----------------------------------------------------------------


def may_call(tool: Any, spec: str) -> bool:
    """Whether ``--mcp-fuzz-tools`` (``spec``) lets the suite call ``tool`` (a wire dict)."""
    from ..tool_selection import ToolSelection

    if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
        return False
    return ToolSelection.parse(spec).skip_reason(tool) is None


def callable_tools(ctx: CheckContext, tools: list[Any]) -> list[dict[str, Any]]:
    return [tool for tool in tools if may_call(tool, ctx.options.fuzz_tools)]


def no_callable_tools_reason(ctx: CheckContext, what: str = "") -> str:
    return (
        f"no tool the suite may call{what} (--mcp-fuzz-tools={ctx.options.fuzz_tools}: by default only tools "
        "annotated readOnlyHint=true); opt tools in with --mcp-fuzz-tools=NAME,... or all,-DANGEROUS"
    )


# -- arguments from schemas -------------------------------------------------------------------------


def example_arguments(tool: dict[str, Any]) -> dict[str, Any] | None:
    """Valid-looking arguments for a tool (required properties only), or None when they cannot be guessed."""
    value = example_object(tool.get("inputSchema"))
    if value is ...:
        return None
    from ._schemas import validation_errors

    if validation_errors(tool.get("inputSchema"), value):
        return None
    return value  # type: ignore[no-any-return]


DURATION_WORDS: Final = re.compile(r"(second|duration|delay|sleep|wait|timeout|time|ms|millis)", re.IGNORECASE)
COUNT_WORDS: Final = re.compile(r"(steps|count|times|iterations)$|^n$", re.IGNORECASE)


def tuned_arguments(tool: dict[str, Any], *, seconds: float, steps: int = 3) -> dict[str, Any] | None:
    """Example arguments with duration-like numbers set to ``seconds`` (milliseconds when the name says so)
    and count-like integers set to ``steps``, where the schema allows it; None when no arguments fit."""
    arguments = example_arguments(tool)
    if arguments is None:
        return None
    from ._schemas import validation_errors

    schema = tool.get("inputSchema") or {}
    properties: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
    for name, prop in properties.items():
        kind = prop.get("type") if isinstance(prop, dict) else None
        if kind not in ("integer", "number"):
            continue
        if DURATION_WORDS.search(name):
            millis = name.lower().endswith(("ms", "millis", "milliseconds"))
            value: Any = int(seconds * 1000) if millis else (seconds if kind == "number" else max(1, round(seconds)))
        elif COUNT_WORDS.search(name):
            value = steps
        else:
            continue
        candidate = {**arguments, name: value}
        if not validation_errors(schema, candidate):
            arguments = candidate
    return arguments


def duration_property(tool: dict[str, Any]) -> str | None:
    """The name of a tool's duration-like numeric argument (``seconds``, ``duration``, ``delay_ms``, ...)."""
    schema: dict[str, Any] = tool["inputSchema"] if isinstance(tool.get("inputSchema"), dict) else {}
    properties: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
    for name, prop in properties.items():
        if isinstance(prop, dict) and prop.get("type") in ("integer", "number") and DURATION_WORDS.search(name):
            return str(name)
    return None


def find_tool(tools: list[dict[str, Any]], *patterns: str) -> dict[str, Any] | None:
    """The first tool whose name or description matches one of the regular expressions ``patterns``
    (tried in order, case-insensitively; ``-`` and ``_`` in names count as word breaks)."""
    for pattern in patterns:
        for tool in tools:
            name = str(tool.get("name", "")).replace("_", " ").replace("-", " ")
            text = f"{name} {tool.get('description', '')}"
            if re.search(pattern, text, re.IGNORECASE):
                return tool
    return None


# -- content ----------------------------------------------------------------------------------------


def is_base64(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def content_problem(block: Any, where: str) -> str | None:
    """What is wrong with one content block (``text``/``image``/``audio``/``resource_link``/``resource``)."""
    if not isinstance(block, dict):
        return f"{where} is {shorten(block, 80)}, not an object"
    kind = block.get("type")
    if kind not in CONTENT_TYPES:
        return f"{where} has type {shorten(kind, 40)}, not one of {', '.join(CONTENT_TYPES)}"
    if kind == "text" and not isinstance(block.get("text"), str):
        return f"{where} is a text block without a string 'text'"
    if kind in ("image", "audio"):
        if not isinstance(block.get("mimeType"), str) or not block.get("mimeType"):
            return f"{where} is an {kind} block without a mimeType"
        if not is_base64(block.get("data")):
            return f"{where} is an {kind} block whose data is not base64: {shorten(block.get('data'), 60)}"
    if kind == "resource_link" and not (isinstance(block.get("uri"), str) and isinstance(block.get("name"), str)):
        return f"{where} is a resource_link without a string uri and name"
    if kind == "resource":
        return resource_contents_problem(block.get("resource"), f"{where}.resource")
    return None


def resource_contents_problem(item: Any, where: str) -> str | None:
    """What is wrong with one ``ResourceContents`` (uri, and exactly one of text / base64 blob)."""
    if not isinstance(item, dict):
        return f"{where} is {shorten(item, 80)}, not an object"
    if not isinstance(item.get("uri"), str) or not item.get("uri"):
        return f"{where} has no string uri"
    has_text, has_blob = "text" in item, "blob" in item
    if has_text == has_blob:
        return f"{where} has {'both text and blob' if has_text else 'neither text nor blob'}"
    if has_text and not isinstance(item["text"], str):
        return f"{where} has a non-string text"
    if has_blob and not is_base64(item["blob"]):
        return f"{where} has a blob that is not base64: {shorten(item['blob'], 60)}"
    return None


# -- listed, but answered as unknown ----------------------------------------------------------------

NOT_THERE: Final = r"(not found|does not exist|doesn't exist|not registered|is not available|unknown)"


def reply_text(reply: Reply) -> str:
    """The words of a reply that may say what went wrong: the error message, or an isError result's text."""
    if reply.is_error and isinstance(reply.error, dict):
        return str(reply.error.get("message", ""))
    result = reply.result if isinstance(reply.result, dict) else {}
    blocks = result.get("content") if result.get("isError") is True else None
    texts = [str(b["text"]) for b in blocks or [] if isinstance(b, dict) and isinstance(b.get("text"), str)]
    return " ".join(texts)


def says_unknown(reply: Reply, kind: str, name: str) -> bool:
    """Whether ``reply`` says the ``kind`` (``tool``, ``prompt``) called ``name`` does not exist: error
    -32601, or its text saying "unknown tool", "tool 'x' not found", "prompt x does not exist"."""
    if reply.code == -32601:
        return True
    text = reply_text(reply).lower()
    quoted = rf"['\"`]?{re.escape(name.lower())}['\"`]?"
    patterns = (
        rf"\b(unknown|no such|unrecognized|undefined)\s+{kind}\b(?!\s*(argument|param|input|option|propert|field|key))",
        rf"\b{kind}\s+(is\s+)?{NOT_THERE}",
        rf"\b{kind}(\s+named)?\s+{quoted}\s+(is\s+|was\s+)?{NOT_THERE}",
    )
    return any(re.search(pattern, text) for pattern in patterns)


async def completed_value(wire: Wire, ref: dict[str, Any], argument: str) -> str | None:
    """The first value ``completion/complete`` suggests for ``argument`` of ``ref`` (a prompt or a
    resource template), or None when it suggests none."""
    reply = await wire.request("completion/complete", {"ref": ref, "argument": {"name": argument, "value": ""}})
    completion = reply.result.get("completion") if isinstance(reply.result, dict) else None
    values = completion.get("values") if isinstance(completion, dict) else None
    if isinstance(values, list) and values and isinstance(values[0], str) and values[0]:
        return values[0]
    return None
