"""JSON-RPC messages as an MCP client sends them: requests, notifications, the era's envelope, routing headers.

Pure functions over dicts: no I/O, and the SDK is imported only to encode an ``Mcp-Name`` value
that is not printable ASCII.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .versions import (
    CLIENT_CAPABILITIES_META,
    CLIENT_INFO_META,
    METHOD_HEADER,
    MODERN_ERA,
    NAME_BEARING,
    NAME_HEADER,
    PROTOCOL_VERSION_HEADER,
    PROTOCOL_VERSION_META,
    SESSION_ID_HEADER,
)

__all__ = [
    "encode",
    "envelope_meta",
    "header_value",
    "label",
    "named",
    "notification",
    "request",
    "routing_headers",
    "with_envelope",
]


def request(method: str, params: Any = None, id: Any = 1) -> dict[str, Any]:
    """A JSON-RPC 2.0 request object (``params`` left out when None)."""
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def notification(method: str, params: Any = None) -> dict[str, Any]:
    """A JSON-RPC 2.0 notification object (``params`` left out when None)."""
    message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return message


def encode(message: bytes | str | Mapping[str, Any] | list[Any]) -> bytes:
    """The bytes to send: bytes as they are, text as UTF-8, JSON values as compact JSON."""
    if isinstance(message, bytes):
        return message
    if isinstance(message, str):
        return message.encode()
    return json.dumps(message, separators=(",", ":")).encode()


def envelope_meta(
    era: str, *, client_info: Mapping[str, Any], capabilities: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``_meta`` protocol fields a request of ``era`` carries (none in the handshake era)."""
    if era != MODERN_ERA:
        return {}
    return {
        PROTOCOL_VERSION_META: MODERN_ERA,
        CLIENT_INFO_META: dict(client_info),
        CLIENT_CAPABILITIES_META: dict(capabilities or {}),
    }


def with_envelope(params: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with the envelope ``fields`` merged into its ``_meta`` (keys already there win)."""
    merged = dict(params or {})
    meta = {**fields, **dict(merged.get("_meta") or {})}
    if meta:
        merged["_meta"] = meta
    return merged


def named(method: str, params: Any) -> str | None:
    """The tool, prompt or resource a request names (``Mcp-Name``), or None."""
    key = NAME_BEARING.get(method)
    value = params.get(key) if key and isinstance(params, Mapping) else None
    return value if isinstance(value, str) else None


def label(method: str, params: Any) -> str:
    """A request for a statistics row or a report: the method, plus what it names."""
    name = named(method, params)
    return f"{method} {name}" if name is not None else method


def header_value(value: str) -> str:
    """A header-safe value, encoded as the SDK's client encodes it (printable ASCII as is, else base64)."""
    from mcp.shared.inbound import encode_header_value

    return str(encode_header_value(value))


def routing_headers(
    era: str, body: Any, *, protocol_version: str | None = None, session_id: str | None = None
) -> dict[str, str]:
    """The MCP headers a well-behaved client sends with ``body``: session, version, method and name.

    The handshake era sends ``Mcp-Session-Id`` and ``MCP-Protocol-Version`` once a session exists;
    2026-07-28 sends the version, ``Mcp-Method`` and (for a request that names something) ``Mcp-Name``.
    """
    headers: dict[str, str] = {}
    if session_id:
        headers[SESSION_ID_HEADER] = session_id
    if protocol_version:
        headers[PROTOCOL_VERSION_HEADER] = protocol_version
    method = body.get("method") if isinstance(body, Mapping) else None
    if era == MODERN_ERA and isinstance(method, str):
        headers[METHOD_HEADER] = method
        name = named(method, body.get("params"))
        if name is not None:
            headers[NAME_HEADER] = header_value(name)
    return headers
