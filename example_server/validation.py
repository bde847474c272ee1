"""Validation failures in the tool-error format, and the argument types applied outside tool calls.

The constraints themselves are the types of :mod:`example_server.arguments`; pydantic checks them
and reports every field at once. :func:`invalid_arguments` turns its report into one
``invalid_input`` :class:`~example_server.errors.ToolFailure` whose ``details`` map each bad field
(``title``, ``items[3].priority``, ...) to a short message saying what is allowed, never echoing
the value. :func:`checked` applies one type where no tool call does it (prompt arguments, URIs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from . import errors
from .arguments import EMAIL_PATTERN, TITLE_PATTERN

T = TypeVar("T")

_PATTERN_PROBLEMS = {
    TITLE_PATTERN: "must not contain control characters",
    EMAIL_PATTERN: "must be a valid e-mail address",
}
_PROBLEMS = {
    "missing": "is required",
    "extra_forbidden": "unknown field",
    "string_type": "must be a string",
    "string_unicode": "must be valid Unicode text",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
    "int_type": "must be an integer",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "literal_error": "must be one of {expected}",
    "date_from_datetime_parsing": "must be a real calendar date",
    "model_type": "must be an object",
    "list_type": "must be a list",
    "too_short": "must hold at least {min_length} item(s)",
    "too_long": "must hold at most {max_length} items",
}


def field_name(location: Sequence[int | str]) -> str:
    """``("items", 2, "priority")`` as ``items[2].priority``."""
    name = ""
    for part in location:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else str(part)
    return name


def problem(error: Mapping[str, Any]) -> str:
    """What is wrong, in the words of the rule (pydantic's own message for a rule not listed)."""
    context = error.get("ctx") or {}
    if error["type"] == "value_error":
        return str(context["error"])
    if error["type"] == "string_pattern_mismatch":
        return _PATTERN_PROBLEMS.get(context.get("pattern"), str(error["msg"]))
    template = _PROBLEMS.get(error["type"])
    return template.format(**context) if template else str(error["msg"])


def invalid_arguments(exc: ValidationError) -> errors.ToolFailure:
    """Every field pydantic refused, as one ``invalid_input`` failure (the first problem of a field wins)."""
    details: dict[str, str] = {}
    for error in exc.errors():
        details.setdefault(field_name(error["loc"]) or "arguments", problem(error))
    return errors.invalid_input(details)


def checked(adapter: TypeAdapter[T], name: str, value: object) -> T:
    """``value`` validated by ``adapter``, or an ``invalid_input`` failure naming ``name``."""
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise errors.invalid_input({name: problem(exc.errors()[0])}) from None
