"""The names of the MCP wire: protocol eras, ``_meta`` keys, HTTP header names and media types.

Every module that builds or reads MCP messages by hand takes these names from here. Where the MCP
SDK defines the same name (``mcp_types``, ``mcp.shared.inbound``), a unit test keeps ours equal to
it; this module itself imports nothing, so it is free to load.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = [
    "CLIENT_CAPABILITIES_META",
    "CLIENT_INFO_META",
    "ERAS",
    "HANDSHAKE_ERA",
    "JSON_AND_SSE",
    "JSON_CONTENT_TYPE",
    "LOG_LEVELS",
    "LOG_LEVEL_META",
    "METHOD_HEADER",
    "MODERN_ERA",
    "NAME_BEARING",
    "NAME_HEADER",
    "PROTOCOL_VERSION_HEADER",
    "PROTOCOL_VERSION_META",
    "SESSION_ID_HEADER",
    "SSE_CONTENT_TYPE",
]

HANDSHAKE_ERA: Final = "2025-11-25"
"""The newest version reached through the ``initialize`` handshake (sessions, ``Mcp-Session-Id``)."""
MODERN_ERA: Final = "2026-07-28"
"""The stateless protocol: every request carries its version and client facts in ``_meta``."""
ERAS: Final = (HANDSHAKE_ERA, MODERN_ERA)
"""The eras a test can run in, oldest first."""

PROTOCOL_VERSION_META: Final = "io.modelcontextprotocol/protocolVersion"
CLIENT_INFO_META: Final = "io.modelcontextprotocol/clientInfo"
CLIENT_CAPABILITIES_META: Final = "io.modelcontextprotocol/clientCapabilities"
LOG_LEVEL_META: Final = "io.modelcontextprotocol/logLevel"

PROTOCOL_VERSION_HEADER: Final = "mcp-protocol-version"
METHOD_HEADER: Final = "mcp-method"
NAME_HEADER: Final = "mcp-name"
SESSION_ID_HEADER: Final = "mcp-session-id"

NAME_BEARING: Final = MappingProxyType({"tools/call": "name", "prompts/get": "name", "resources/read": "uri"})
"""The methods whose ``params`` name what they act on, and the key that holds the name (``Mcp-Name``)."""

JSON_CONTENT_TYPE: Final = "application/json"
SSE_CONTENT_TYPE: Final = "text/event-stream"
JSON_AND_SSE: Final = f"{JSON_CONTENT_TYPE}, {SSE_CONTENT_TYPE}"
"""The ``Accept`` header of a Streamable HTTP POST."""

LOG_LEVELS: Final = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
"""The log levels of ``logging/setLevel`` and ``notifications/message``, least severe first (RFC 5424)."""
