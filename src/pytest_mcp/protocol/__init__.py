"""The MCP wire, spelled once: names, message builders, replies and their outcomes, schema values.

Cheap to import and free of I/O: nothing here loads the MCP SDK, pydantic or an HTTP client
until a function needs it (an SSE body to parse, a header value to encode).
"""

from __future__ import annotations

from .messages import (
    encode,
    envelope_meta,
    header_value,
    label,
    named,
    notification,
    request,
    routing_headers,
    with_envelope,
)
from .reply import (
    INPUT_REQUIRED,
    KINDS,
    Outcome,
    Reply,
    classify,
    classify_reply,
    excerpt,
    find_response,
    id_key,
    is_response,
)
from .schema import example_object, example_value
from .sse import json_messages, sse_events
from .versions import (
    CLIENT_CAPABILITIES_META,
    CLIENT_INFO_META,
    ERAS,
    HANDSHAKE_ERA,
    JSON_AND_SSE,
    JSON_CONTENT_TYPE,
    LOG_LEVEL_META,
    METHOD_HEADER,
    MODERN_ERA,
    NAME_BEARING,
    NAME_HEADER,
    PROTOCOL_VERSION_HEADER,
    PROTOCOL_VERSION_META,
    SESSION_ID_HEADER,
    SSE_CONTENT_TYPE,
)

__all__ = [
    "CLIENT_CAPABILITIES_META",
    "CLIENT_INFO_META",
    "ERAS",
    "HANDSHAKE_ERA",
    "INPUT_REQUIRED",
    "JSON_AND_SSE",
    "JSON_CONTENT_TYPE",
    "KINDS",
    "LOG_LEVEL_META",
    "METHOD_HEADER",
    "MODERN_ERA",
    "NAME_BEARING",
    "NAME_HEADER",
    "PROTOCOL_VERSION_HEADER",
    "PROTOCOL_VERSION_META",
    "SESSION_ID_HEADER",
    "SSE_CONTENT_TYPE",
    "Outcome",
    "Reply",
    "classify",
    "classify_reply",
    "encode",
    "envelope_meta",
    "example_object",
    "example_value",
    "excerpt",
    "find_response",
    "header_value",
    "id_key",
    "is_response",
    "json_messages",
    "label",
    "named",
    "notification",
    "request",
    "routing_headers",
    "sse_events",
    "with_envelope",
]
