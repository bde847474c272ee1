"""Judging one fuzzed tool call: what is wrong with a reply for valid, invalid or hostile input."""

from __future__ import annotations

import json
from typing import Any, Final

__all__ = ["CONNECTION_CLOSED", "INVALID_PARAMS", "client_limit", "judge", "render_arguments", "reply_text"]

INVALID_PARAMS: Final = -32602
_SHOWN_STRING: Final = 120
_SHOWN_REPLY: Final = 400
CRASH_STDERR_LINES: Final = 5


def render_arguments(arguments: Any) -> str:
    """JSON of an argument object with long strings abbreviated (a 1 MB string stays readable)."""

    def shorten(value: Any) -> Any:
        if isinstance(value, str) and len(value) > _SHOWN_STRING:
            return f"{value[:40]}… ({len(value)} chars)"
        if isinstance(value, dict):
            return {key: shorten(item) for key, item in value.items()}
        if isinstance(value, list):
            return [shorten(item) for item in value]
        return value

    return json.dumps(shorten(arguments), ensure_ascii=True, default=str)


# -- judging one reply ------------------------------------------------------------------------
def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())


def reply_text(outcome: Any) -> str:
    if outcome.kind in ("timeout", "crash"):
        return ""
    if outcome.result is not None:
        result = outcome.result
        text = result.text if hasattr(result, "text") else ""
        shown = text[:_SHOWN_REPLY] + ("…" if len(text) > _SHOWN_REPLY else "")
        flag = "isError result" if result.is_error else "result"
        structured = ""
        if result.structured_content is not None:
            structured = f", structuredContent {render_arguments(result.structured_content)[:_SHOWN_REPLY]}"
        return f"{flag}: {shown!r}{structured}"
    error = outcome.error
    code = getattr(error, "code", None)
    message = str(error).split("\n", 1)[0] if code is None else str(error)
    message = message[:_SHOWN_REPLY] + ("…" if len(message) > _SHOWN_REPLY else "")
    return f"JSON-RPC error {code}: {message!r}" if code is not None else f"{type(error).__name__}: {message}"


def _result_problems(result: Any, tool: Any) -> list[str]:
    """Defects of a successful result: invalid content blocks, structuredContent against outputSchema.

    The same rules as the conformance checks (``checks._content.content_problem``); remote ``$ref`` s in
    the outputSchema are never fetched.
    """
    from .checks._content import content_problem
    from .checks._schemas import validation_errors

    wire = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    problems = [
        problem
        for index, block in enumerate(wire.get("content") or [])
        if (problem := content_problem(block, f"content[{index}]")) is not None
    ]
    schema = getattr(tool, "output_schema", None)
    if schema and not result.is_error:
        if result.structured_content is None:
            problems.append("the tool declares an outputSchema but the result has no structuredContent")
        else:
            errors = validation_errors(schema, result.structured_content, limit=1)
            if errors:
                problems.append(f"structuredContent does not conform to the outputSchema {errors[0]}")
    return problems


def _sdk_rejection(error: BaseException) -> str | None:
    """A reply the SDK client refused to accept (schema-invalid result), described; None for other errors."""
    try:
        from pydantic import ValidationError
    except ImportError:  # pragma: no cover - pydantic ships with the SDK
        return None
    if isinstance(error, ValidationError):
        return f"the reply is not a valid CallToolResult: {error.errors()[0].get('msg', error)}"
    text = str(error).split("\n", 1)[0].strip()  # jsonschema appends the schema and instance on more lines
    if isinstance(error, RuntimeError) and ("structured content" in text or "output schema" in text):
        return f"the result violates the tool's outputSchema ({text})"
    return None


CONNECTION_CLOSED: Final = -32000
"""The SDK client's own code for a reply it could not read (never a server's answer)."""


def client_limit(outcome: Any) -> bool:
    """The SDK client refused a reply only for its size (an SSE event above its 1 MiB limit, e.g. a 1 MB
    string echoed back): the spec sets no message size limit, so that is not the server's fault."""
    return outcome.kind == "protocol_error" and outcome.code == CONNECTION_CLOSED and "byte limit" in str(outcome.error)


SDK_STANDINS: Final = (
    "Server returned an error response",
    "Not Found",
    "Session terminated",
    "Unexpected content type",
)
"""How the SDK's HTTP client reports an HTTP reply that carries no JSON-RPC message (a 413 or 500 page)."""


def http_standin(outcome: Any) -> bool:
    """Whether ``outcome`` is the SDK's stand-in for an HTTP reply without a JSON-RPC message (its status and
    body are lost: ``fuzz_engine`` sends the call again raw to report them)."""
    if outcome.kind != "protocol_error":
        return False
    message = str(getattr(getattr(outcome.error, "error", None), "message", ""))
    return message.startswith(SDK_STANDINS)


def judge(mode: str, outcome: Any, tool: Any) -> str | None:
    """What is wrong with this reply for this kind of input; None when it is acceptable."""
    kind = outcome.kind
    if client_limit(outcome):
        return None
    if kind == "timeout":
        limit = getattr(outcome.error, "timeout", None)
        return (
            f"no reply within {limit:g} s (a hang; raise the limit with --mcp-timeout)"
            if limit
            else "no reply (a hang)"
        )
    if kind == "crash":
        error = outcome.error
        headline = str(error).split("\n", 1)[0]
        tail = "\n".join((getattr(error, "stderr_tail", "") or "").splitlines()[-CRASH_STDERR_LINES:])
        return f"the server crashed: {headline}" + (
            f"\n    last lines of its stderr:\n{_indent(tail, 6)}" if tail else ""
        )
    if kind == "exception":
        rejected = _sdk_rejection(outcome.error)
        if rejected is not None and mode == "valid":
            return rejected
        return rejected or f"the reply could not be read: {type(outcome.error).__name__}: {outcome.error}"
    if mode == "valid":
        if kind == "protocol_error":
            return (
                f"valid arguments got JSON-RPC error {outcome.code} ({outcome.error}); a tool answers valid "
                "input with a result (isError true for business errors)"
            )
        if kind == "ok":
            problems = _result_problems(outcome.result, tool)
            if problems:
                return "invalid result: " + "; ".join(problems)
        return None
    if mode == "invalid":
        if kind == "ok":
            return "the server accepted arguments that violate the tool's inputSchema and returned success"
        if kind == "protocol_error" and outcome.code != INVALID_PARAMS:
            return (
                f"invalid arguments got JSON-RPC error {outcome.code} ({outcome.error}); expected an isError "
                f"result or {INVALID_PARAMS} (Invalid params)"
            )
        return None
    if kind == "protocol_error" and outcome.code != INVALID_PARAMS:
        return f"a hostile string caused JSON-RPC error {outcome.code} ({outcome.error}): an unhandled error"
    return None
