"""What came back from a server, and how a request ended.

``Reply`` holds one HTTP response (status, headers, body) or one stdout line, and reads the
JSON-RPC messages in it: a JSON body, or an SSE stream (parsed by ``protocol.sse``).
``classify`` turns anything a request can end in (a reply, a tool result, an exception) into one
``Outcome``: ``ok``, ``is_error``, ``protocol_error``, ``timeout``, ``crash``, ``connection`` or
``exception``; a hand-read HTTP reply can also be ``http_error``, ``bad_reply`` or ``input_required``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .sse import json_messages
from .versions import SSE_CONTENT_TYPE

__all__ = [
    "INPUT_REQUIRED",
    "KINDS",
    "Outcome",
    "Reply",
    "classify",
    "classify_reply",
    "excerpt",
    "find_response",
    "id_key",
    "is_response",
]

KINDS: Final = (
    "ok",
    "is_error",
    "protocol_error",
    "timeout",
    "crash",
    "connection",
    "exception",
    "http_error",
    "bad_reply",
    "input_required",
)
INPUT_REQUIRED: Final = (
    "the server asked the client for input (sampling, elicitation or roots), which a hand-built "
    "JSON-RPC client cannot answer"
)
_TIMEOUT_HINT: Final = " (raise it"
"""Where the client's timeout message starts its advice on raising the limit (left out of outcomes)."""


def excerpt(content: bytes | str | None, limit: int = 300) -> str:
    """The start of ``content`` as text, ``…`` marking a cut."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else (content or "")
    return text if len(text) <= limit else text[:limit] + "…"


def is_response(message: Any) -> bool:
    """True for a JSON-RPC response (a result or an error, not a request or notification)."""
    return isinstance(message, dict) and "method" not in message and ("result" in message or "error" in message)


def id_key(value: Any) -> tuple[str, Any]:
    """Ids compare by JSON type and value: ``1``, ``1.0``, ``"1"`` and ``true`` are all different.

    Any JSON value may come back as an id (a server may echo an object or an array): those compare
    by their canonical JSON text, so they never match a request's id and never break the lookup."""
    if isinstance(value, dict | list):
        return (type(value).__name__, json.dumps(value, sort_keys=True, default=repr))
    return (type(value).__name__, value)


def find_response(messages: list[Any], request_id: Any = None) -> Any:
    """The response to ``request_id`` among ``messages``; with no exact match, the last response (or None)."""
    found = None
    for message in messages:
        if is_response(message) and (found is None or id_key(message.get("id")) == id_key(request_id)):
            found = message
    return found


@dataclass
class Reply:
    """What came back: the HTTP status, headers and body, or one stdout line; parsed where possible."""

    body: bytes
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_sse(self) -> bool:
        return self.content_type == SSE_CONTENT_TYPE

    def read_messages(self) -> list[Any]:
        """The JSON values in the body; raises ``ValueError`` when some part of it is not JSON."""
        if self.is_sse:
            return json_messages(self.body, strict=True)
        return [json.loads(self.body)] if self.body.strip() else []

    @property
    def messages(self) -> list[Any]:
        """The JSON values in the body: one for JSON, one per ``message`` event for SSE (unparseable ones left out)."""
        if self.is_sse:
            return json_messages(self.body)
        try:
            return [json.loads(self.body)] if self.body.strip() else []
        except ValueError:
            return []

    @property
    def events_text(self) -> str:
        """An SSE stream's JSON messages for a report, compact and joined by `` | ``; ``(no events)`` if none."""
        shown = " | ".join(json.dumps(m, separators=(",", ":"), ensure_ascii=False) for m in self.messages)
        return shown or "(no events)"

    @property
    def json(self) -> Any:
        """The single JSON-RPC message in the reply (the last one of an SSE stream), or None."""
        messages = self.messages
        return messages[-1] if messages else None

    def response(self, request_id: Any = None) -> Any:
        """The JSON-RPC response to ``request_id`` in this reply (see ``find_response``)."""
        return find_response(self.messages, request_id)

    def summary(self, limit: int = 200) -> str:
        """``HTTP 413 text/html: '<html>…'``: status, content type and the start of the body on one line."""
        shown = excerpt(" ".join(self.text.split()), limit)
        body = repr(shown) if shown else "(empty body)"
        return f"HTTP {self.status} {self.content_type or '(no content-type)'}: {body}"

    def describe(self) -> str:
        head = f"HTTP {self.status} {self.content_type or '(no content-type)'}: " if self.status is not None else ""
        text = self.text
        return head + (text if len(text) < 600 else text[:600] + f"… ({len(self.body)} bytes)")


@dataclass(frozen=True)
class Outcome:
    """How one request ended: its ``kind`` (one of ``KINDS``), a one-line ``message``, the ``result``."""

    kind: str
    message: str = ""
    result: Any = None
    status: int | None = None
    """The HTTP status of the response, when the request went over HTTP."""

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


def _error_outcome(error: BaseException) -> Outcome:
    from ..errors import McpConnectionError, McpServerCrashed, McpTimeoutError

    if isinstance(error, McpTimeoutError):
        return Outcome("timeout", str(error).split(_TIMEOUT_HINT)[0])
    if isinstance(error, McpServerCrashed):
        return Outcome("crash", str(error).splitlines()[0])
    sdk_errors = sys.modules.get("mcp.shared.exceptions")  # not loaded: nothing can be an SDK error
    if sdk_errors is not None and isinstance(error, sdk_errors.MCPError):
        return Outcome("protocol_error", f"{error.error.message} (code {error.code})")
    if isinstance(error, McpConnectionError):
        return Outcome("connection", str(error))
    return Outcome("exception", f"{type(error).__name__}: {error}")


def _result_text(result: Any) -> str:
    text = getattr(result, "text", None)
    if isinstance(text, str):
        return text
    blocks = result.get("content") if isinstance(result, Mapping) else getattr(result, "content", None)
    texts = [b.get("text", "") if isinstance(b, Mapping) else getattr(b, "text", "") for b in blocks or ()]
    return "\n".join(t for t in texts if isinstance(t, str))


def _is_error_result(result: Any) -> bool:
    if isinstance(result, Mapping):
        return result.get("isError") is True
    return getattr(result, "is_error", False) is True


def classify(outcome: Any) -> Outcome:
    """How a request ended, from the exception it raised or the tool result it returned (SDK model or dict)."""
    if isinstance(outcome, BaseException):
        return _error_outcome(outcome)
    if _is_error_result(outcome):
        return Outcome("is_error", _result_text(outcome), outcome)
    return Outcome("ok", "", outcome)


def classify_reply(reply: Reply, request_id: Any, method: str, *, tool_errors: bool = True) -> Outcome:
    """How the HTTP ``reply`` to request ``request_id`` ended; ``tool_errors=False`` lets ``isError`` results pass.

    A non-2xx status is ``http_error``; a body without a JSON-RPC response with that id is
    ``bad_reply``; a 2026-07-28 result asking the client for input is ``input_required``.
    """
    status = reply.status
    if status is not None and not 200 <= status < 300:
        return Outcome("http_error", f"HTTP {status}: {excerpt(reply.body)}", status=status)
    try:
        messages = reply.read_messages()
    except ValueError as exc:
        return Outcome("bad_reply", f"unparseable body ({exc}): {excerpt(reply.body)}", status=status)
    response = next((m for m in messages if isinstance(m, dict) and m.get("id") == request_id), None)
    if response is None:
        return Outcome(
            "bad_reply", f"no JSON-RPC response with id {request_id} in: {excerpt(reply.body)}", status=status
        )
    if "error" in response:
        error = response["error"] if isinstance(response["error"], dict) else {}
        return Outcome("protocol_error", f"{error.get('message')} (code {error.get('code')})", status=status)
    result = response.get("result")
    if isinstance(result, dict) and result.get("resultType") == "input_required":
        return Outcome("input_required", INPUT_REQUIRED, result, status)
    if method == "tools/call" and tool_errors and _is_error_result(result):
        return Outcome("is_error", _result_text(result), result, status)
    return Outcome("ok", "", result, status)
