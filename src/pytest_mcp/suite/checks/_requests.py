"""Requests every server answers, and what a reply must look like: envelopes, errors, "unknown" answers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final, cast

from ..evidence import shorten
from ..wire import HANDSHAKE_ERA, Exchange, Wire

if TYPE_CHECKING:
    from ..context import CheckContext


UNKNOWN_NAME: Final = "pytest-mcp-no-such-name-5f2c"


UNKNOWN_URI: Final = "pytest-mcp://no-such-resource/5f2c"


LEAVE_OUT: Final = cast(str, None)
"""A header value telling ``HttpWire.post``/``send_request`` to leave that header out of the request."""


def any_request(ctx: CheckContext) -> tuple[str, dict[str, Any] | None]:
    """A request every server of the era answers successfully: ``ping`` (2025-11-25) or ``server/discover``."""
    if ctx.era == HANDSHAKE_ERA:
        return "ping", None
    return "server/discover", {}


async def still_serves(ctx: CheckContext, wire: Wire, after: str = "") -> None:
    """Fail unless ``wire`` still gets a result for ``any_request`` (``after`` what, for the message)."""
    __tracebackhide__ = True
    method, params = any_request(ctx)
    reply = await wire.request(method, params)
    said = f"after {after}, {method}" if after else method
    ctx.expect(reply.is_result, f"{said} got no result", sent=reply.sent, received=reply.describe())


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


def error_problem(reply: Exchange) -> str | None:
    """What is wrong with an error response's shape (integer code, string message), or None."""
    error = reply.error
    if not isinstance(error, dict):
        return f"its error member is {shorten(error, 80)}, not an object"
    if not is_int(error.get("code")):
        return f"its error code is {shorten(error.get('code'), 80)}, not an integer"
    if not isinstance(error.get("message"), str):
        return f"its error message is {shorten(error.get('message'), 80)}, not a string"
    return None


def response_problem(reply: Exchange) -> str | None:
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


NOT_THERE: Final = r"(not found|does not exist|doesn't exist|not registered|is not available|unknown)"


def reply_text(reply: Exchange) -> str:
    """The words of a reply that may say what went wrong: the error message, or an isError result's text."""
    if reply.is_error and isinstance(reply.error, dict):
        return str(reply.error.get("message", ""))
    result = reply.result if isinstance(reply.result, dict) else {}
    blocks = result.get("content") if result.get("isError") is True else None
    texts = [str(b["text"]) for b in blocks or [] if isinstance(b, dict) and isinstance(b.get("text"), str)]
    return " ".join(texts)


def says_unknown(reply: Exchange, kind: str, name: str) -> bool:
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
