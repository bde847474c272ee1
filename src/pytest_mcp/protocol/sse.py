"""Server-Sent Events bodies read by the SDK's HTTP client (``httpx2.EventSource``), not by hand.

The parser follows the SSE specification: CR, LF and CRLF line endings, comments, multi-line
``data``, named events. ``httpx2`` is imported on first use only.
"""

from __future__ import annotations

import functools
import json
from typing import Any

__all__ = ["json_messages", "sse_events"]

_SOURCE = "http://mcp.invalid/"
"""The URL of the in-memory request the parsed body is attached to (never contacted)."""


@functools.cache
def _source() -> Any:
    """The in-memory request every parsed body claims to answer (``EventSource`` needs one); built once."""
    import httpx2

    return httpx2.Request("GET", _SOURCE)


def sse_events(body: bytes) -> list[Any]:
    """The complete events of an SSE body (``httpx2.ServerSentEvent``); an unfinished last event is left out."""
    import httpx2

    response = httpx2.Response(
        200,
        headers=[("content-type", "text/event-stream")],
        content=body,
        request=_source(),
        default_encoding="utf-8",
    )
    return list(httpx2.EventSource(response, max_event_size=None))


def json_messages(body: bytes, *, strict: bool = False) -> list[Any]:
    """The JSON-RPC messages of an SSE body: the JSON ``data`` of each ``message`` event.

    Events with another name (``ping``, ...) and events without data are skipped. Data that is not
    JSON is skipped too, or raises ``ValueError`` when ``strict``.
    """
    messages = []
    for event in sse_events(body):
        if event.event != "message" or not event.data.strip():
            continue
        try:
            messages.append(json.loads(event.data))
        except ValueError as exc:
            if strict:
                raise ValueError(f"an SSE event's data is not JSON ({exc}): {event.data[:200]!r}") from None
    return messages
