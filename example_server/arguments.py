"""Tool argument types: honest JSON Schemas, checked by our own validation.

Each tool parameter carries ``WithJsonSchema(...)``, so the client sees a precise
``inputSchema`` (types, ranges, enums, patterns), while the SDK hands the raw value
through untouched so :mod:`example_server.validation` can report every problem at
once in the tool-error format - instead of the SDK's pydantic text for the first
type mismatch. (Missing *required* arguments are still refused by the SDK itself,
before the tool runs.)

Text parameters are declared ``str`` with a pass-through validator rather than
``object``: ``MCPServer`` JSON-decodes string values of non-``str`` parameters (a
workaround for clients that send ``"[1, 2]"`` for a list), which would turn a
legitimate title such as ``[draft] {v2}``-style JSON text into a list or dict.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema

from .models import DEFAULT_PRIORITY, MAX_BULK_ITEMS, MAX_PAGE_SIZE, MAX_PRIORITY, MIN_PRIORITY
from .models import STATUSES as _STATUSES
from .validation import EMAIL_PATTERN, MAX_EMAIL_LENGTH, MAX_ID, MAX_TITLE_LENGTH

_RAW = PlainValidator(lambda value: value)  # validation.py does the checking

_NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    description = schema.pop("description", None)
    wrapped: dict[str, Any] = {"anyOf": [schema, {"type": "null"}]}
    if description:
        wrapped["description"] = description
    return wrapped


def _title_schema() -> dict[str, Any]:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_TITLE_LENGTH,
        "pattern": _NO_CONTROL_CHARACTERS,
        "description": f"What needs doing: 1-{MAX_TITLE_LENGTH} characters, no control characters.",
    }


def _email_schema() -> dict[str, Any]:
    return {
        "type": "string",
        "format": "email",
        "maxLength": MAX_EMAIL_LENGTH,
        "pattern": f"^{EMAIL_PATTERN.pattern}$",
        "description": "E-mail address of the person who should do the work.",
    }


def _priority_schema() -> dict[str, Any]:
    return {
        "type": "integer",
        "minimum": MIN_PRIORITY,
        "maximum": MAX_PRIORITY,
        "description": "1 (highest) to 5 (lowest).",
    }


def _status_schema() -> dict[str, Any]:
    return {"type": "string", "enum": list(_STATUSES), "description": "open, in_progress or done."}


def _date_schema() -> dict[str, Any]:
    return {
        "type": "string",
        "format": "date",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "description": "Due date, ISO-8601 YYYY-MM-DD.",
    }


AssignmentId = Annotated[
    object,
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": "Id of the assignment."}),
]
Title = Annotated[str, _RAW, WithJsonSchema(_title_schema())]
OptionalTitle = Annotated[str, _RAW, WithJsonSchema(_nullable(_title_schema()))]
Assignee = Annotated[str, _RAW, WithJsonSchema(_email_schema())]
OptionalAssignee = Annotated[str, _RAW, WithJsonSchema(_nullable(_email_schema()))]
Priority = Annotated[object, WithJsonSchema(_priority_schema())]
OptionalPriority = Annotated[object, WithJsonSchema(_nullable(_priority_schema()))]
OptionalStatus = Annotated[str, _RAW, WithJsonSchema(_nullable(_status_schema()))]
OptionalDueDate = Annotated[str, _RAW, WithJsonSchema(_nullable(_date_schema()))]
Cursor = Annotated[
    str,
    _RAW,
    WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": "next_cursor from the previous page; omit for the first page.",
        }
    ),
]
PageSize = Annotated[
    object,
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "description": "Items per page."}),
]
BulkItems = Annotated[
    object,
    WithJsonSchema(
        {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_BULK_ITEMS,
            "description": f"1-{MAX_BULK_ITEMS} assignments to create together (all or none).",
            "items": {
                "type": "object",
                "properties": {
                    "title": _title_schema(),
                    "assignee": _email_schema(),
                    "priority": {**_priority_schema(), "default": DEFAULT_PRIORITY},
                    "due_date": _nullable(_date_schema()),
                },
                "required": ["title", "assignee"],
                "additionalProperties": False,
            },
        }
    ),
]
