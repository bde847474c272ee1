"""Strict validation of what a server sends against the protocol's own types (the SDK's ``mcp_types``).

One source: each result and notification type's JSON Schema is generated from its ``mcp_types``
model (``model_json_schema``, wire names) and made strict: a field the model only makes optional
with ``None`` as its default may be absent, never ``null``; required fields, types, enums and
constants are kept as the model states them. The schemas are built once per process.
"""

from __future__ import annotations

import functools
from typing import Any, Final

from ._schemas import validation_errors

__all__ = ["NOTIFICATION_TYPES", "RESULT_TYPES", "notification_problems", "result_problems", "strict_schema"]

RESULT_TYPES: Final = {
    "initialize": "InitializeResult",
    "server/discover": "DiscoverResult",
    "tools/list": "ListToolsResult",
    "tools/call": "CallToolResult",
    "resources/list": "ListResourcesResult",
    "resources/templates/list": "ListResourceTemplatesResult",
    "resources/read": "ReadResourceResult",
    "prompts/list": "ListPromptsResult",
    "prompts/get": "GetPromptResult",
    "completion/complete": "CompleteResult",
}
"""The ``mcp_types`` result model of each method whose result the suite validates."""

NOTIFICATION_TYPES: Final = {
    "notifications/message": "LoggingMessageNotification",
    "notifications/progress": "ProgressNotification",
    "notifications/cancelled": "CancelledNotification",
    "notifications/resources/updated": "ResourceUpdatedNotification",
    "notifications/tools/list_changed": "ToolListChangedNotification",
    "notifications/prompts/list_changed": "PromptListChangedNotification",
    "notifications/resources/list_changed": "ResourceListChangedNotification",
}
"""The ``mcp_types`` model of each server notification the suite validates."""


def _without_null(schema: Any) -> Any:
    """``schema`` where an optional field's ``anyOf: [X, {"type": "null"}]`` with default None is just X."""
    if isinstance(schema, list):
        return [_without_null(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    options = schema.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options and "default" in schema and schema["default"] is None:
        kept = [option for option in options if option != {"type": "null"}]
        rest = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
        return _without_null({**rest, **kept[0]} if len(kept) == 1 else {**rest, "anyOf": kept})
    return {key: _without_null(value) for key, value in schema.items()}


@functools.cache
def strict_schema(type_name: str) -> dict[str, Any]:
    """The strict JSON Schema of the ``mcp_types`` model ``type_name``."""
    import mcp_types

    model = getattr(mcp_types, type_name)
    return _without_null(model.model_json_schema(by_alias=True))  # type: ignore[no-any-return]


def result_problems(method: str, result: Any, limit: int = 3) -> list[str]:
    """Why ``result`` (the ``result`` member of a reply to ``method``) departs from the protocol's type."""
    type_name = RESULT_TYPES.get(method)
    if type_name is None:
        return []
    return [f"{type_name} {problem}" for problem in validation_errors(strict_schema(type_name), result, limit)]


def notification_problems(message: dict[str, Any], limit: int = 3) -> list[str]:
    """Why a notification the server sent departs from the protocol: a method that is empty or not a
    server notification of the protocol's, or params that do not fit its type."""
    method = message.get("method")
    if not isinstance(method, str) or not method:
        return [f"a notification has the method {method!r}: not a notification of the protocol"]
    type_name = NOTIFICATION_TYPES.get(method)
    if type_name is None:
        return []  # other and extension notifications: the suite knows no schema for them
    body = {"method": method, **({"params": message["params"]} if "params" in message else {})}
    return [f"{method} {problem}" for problem in validation_errors(strict_schema(type_name), body, limit)]
