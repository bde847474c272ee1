"""Input validation: turn raw tool arguments into checked values, or say what is wrong.

Every check reports *all* problems at once: a failing call raises one
``invalid_input`` :class:`~example_server.errors.ToolFailure` whose ``details`` map
each bad field (``title``, ``items[3].priority``, ...) to a short message.

Rules

* ``title``: a string, non-empty after stripping surrounding whitespace, at most
  200 characters, with no control characters (C0 ``U+0000-U+001F`` including tab
  and newline, ``DEL``, C1 ``U+0080-U+009F``) and no lone surrogates. The stripped
  form is stored.
* ``assignee``: an e-mail address matching a deliberately simple, strict ASCII
  pattern, at most 254 characters (local part at most 64); stored lower-cased.
* ``priority``: an integer 1..5. ``true``/``false`` and ``3.0`` are rejected: JSON
  booleans are not numbers here, and silently coercing them hides client bugs.
* ``status``: one of ``open``, ``in_progress``, ``done``.
* ``due_date``: an ISO-8601 calendar date ``YYYY-MM-DD`` that exists, or null.
* ``page_size``: an integer 1..100. ``assignment_id``: a positive 64-bit integer.

Hostile-looking text

Strings such as ``<script>alert(1)</script>``, ``'; DROP TABLE assignments; --``,
``../../etc/passwd`` or ``${jndi:ldap://x/a}`` are *accepted and stored inertly as
plain text*. They cannot do harm here because values are only ever passed to the
database as bound parameters (never interpolated into SQL), never used as file
paths or URLs, and never evaluated or rendered as markup; rejecting them would only
mislead callers into thinking a deny-list is the defence. Control characters, on
the other hand, are rejected: they corrupt logs and terminals and are never part
of a legitimate title.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar, cast

from . import errors
from .models import (
    DEFAULT_PRIORITY,
    MAX_BULK_ITEMS,
    MAX_PAGE_SIZE,
    MAX_PRIORITY,
    MIN_PRIORITY,
    STATUSES,
    AssignmentChanges,
    ListQuery,
    NewAssignment,
    Status,
)
from .pagination import InvalidCursor, decode_cursor

T = TypeVar("T")

MAX_TITLE_LENGTH = 200
MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
MAX_ID = 2**63 - 1

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = re.compile(rf"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class FieldError(ValueError):
    """One field's problem; the message is shown to the client."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_title(value: object) -> str:
    if not isinstance(value, str):
        raise FieldError("must be a string")
    if _CONTROL.search(value):
        raise FieldError("must not contain control characters")
    if any(unicodedata.category(ch) == "Cs" for ch in value):
        raise FieldError("must be valid Unicode text")
    title = value.strip()
    if not title:
        raise FieldError("must not be empty")
    if len(title) > MAX_TITLE_LENGTH:
        raise FieldError(f"must be at most {MAX_TITLE_LENGTH} characters")
    return title


def check_email(value: object) -> str:
    if not isinstance(value, str):
        raise FieldError("must be a string")
    if len(value) > MAX_EMAIL_LENGTH:
        raise FieldError(f"must be at most {MAX_EMAIL_LENGTH} characters")
    if not EMAIL_PATTERN.fullmatch(value) or len(value.partition("@")[0]) > MAX_LOCAL_PART_LENGTH:
        raise FieldError("must be a valid e-mail address")
    return value.lower()


def check_priority(value: object) -> int:
    if not _is_int(value):
        raise FieldError("must be an integer")
    priority = cast(int, value)
    if not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        raise FieldError(f"must be between {MIN_PRIORITY} and {MAX_PRIORITY}")
    return priority


def check_status(value: object) -> Status:
    for status in STATUSES:
        if value == status and isinstance(value, str):
            return status
    raise FieldError(f"must be one of {', '.join(STATUSES)}")


def check_due_date(value: object) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise FieldError("must be a date in YYYY-MM-DD format")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FieldError("must be a real calendar date") from None


def check_page_size(value: object) -> int:
    if not _is_int(value) or not 1 <= cast(int, value) <= MAX_PAGE_SIZE:
        raise FieldError(f"must be an integer between 1 and {MAX_PAGE_SIZE}")
    return cast(int, value)


def check_id(value: object) -> int:
    if not _is_int(value) or not 1 <= cast(int, value) <= MAX_ID:
        raise FieldError("must be a positive integer")
    return cast(int, value)


class _Collector:
    """Runs field checks and remembers every failure, so all are reported together."""

    def __init__(self) -> None:
        self.details: dict[str, str] = {}

    def check(self, name: str, checker: Callable[[object], T], value: object) -> T:
        try:
            return checker(value)
        except FieldError as exc:
            self.details.setdefault(name, str(exc))  # the first problem found for a field wins
            return cast(T, None)

    def optional(self, name: str, checker: Callable[[object], T], value: object) -> T | None:
        return None if value is None else self.check(name, checker, value)

    def raise_if_failed(self) -> None:
        if self.details:
            raise errors.invalid_input(self.details)


def assignment_id(value: object) -> int:
    collector = _Collector()
    checked = collector.check("assignment_id", check_id, value)
    collector.raise_if_failed()
    return checked


def _new_assignment(
    collector: _Collector, prefix: str, title: object, assignee: object, priority: object, due_date: object
) -> NewAssignment:
    return NewAssignment(
        title=collector.check(f"{prefix}title", check_title, title),
        assignee=collector.check(f"{prefix}assignee", check_email, assignee),
        priority=collector.check(f"{prefix}priority", check_priority, priority),
        due_date=collector.optional(f"{prefix}due_date", check_due_date, due_date),
    )


def new_assignment(
    title: object, assignee: object, priority: object = DEFAULT_PRIORITY, due_date: object = None
) -> NewAssignment:
    collector = _Collector()
    result = _new_assignment(collector, "", title, assignee, priority, due_date)
    collector.raise_if_failed()
    return result


_ITEM_FIELDS = frozenset({"title", "assignee", "priority", "due_date"})


def bulk_items(items: object) -> list[NewAssignment]:
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BULK_ITEMS:
        raise errors.invalid_input({"items": f"must be a list of 1 to {MAX_BULK_ITEMS} assignments"})
    collector = _Collector()
    result: list[NewAssignment] = []
    for index, item in enumerate(items):
        prefix = f"items[{index}]"
        if not isinstance(item, Mapping):
            collector.details[prefix] = "must be an object"
            continue
        fields = cast(Mapping[str, Any], item)
        for unknown in sorted(set(fields) - _ITEM_FIELDS, key=str):
            collector.details[f"{prefix}.{unknown}"] = "unknown field"
        for required in ("title", "assignee"):
            if required not in fields:
                collector.details[f"{prefix}.{required}"] = "is required"
        result.append(
            _new_assignment(
                collector,
                f"{prefix}.",
                fields.get("title"),
                fields.get("assignee"),
                fields.get("priority", DEFAULT_PRIORITY),
                fields.get("due_date"),
            )
        )
    collector.raise_if_failed()
    return result


def _changes(
    collector: _Collector, title: object, assignee: object, priority: object, status: object, due_date: object
) -> AssignmentChanges:
    return AssignmentChanges(
        title=collector.optional("title", check_title, title),
        assignee=collector.optional("assignee", check_email, assignee),
        priority=collector.optional("priority", check_priority, priority),
        status=collector.optional("status", check_status, status),
        due_date=collector.optional("due_date", check_due_date, due_date),
    )


def assignment_update(
    assignment_id: object,
    title: object = None,
    assignee: object = None,
    priority: object = None,
    status: object = None,
    due_date: object = None,
) -> tuple[int, AssignmentChanges]:
    """The id and the changes of an update; ``None`` fields stay as they are."""
    collector = _Collector()
    checked_id = collector.check("assignment_id", check_id, assignment_id)
    changes = _changes(collector, title, assignee, priority, status, due_date)
    collector.raise_if_failed()
    if not changes.columns():
        raise errors.invalid_input({}, message="nothing to update: give at least one field to change")
    return checked_id, changes


def list_query(
    status: object = None, assignee: object = None, cursor: object = None, page_size: object = 20
) -> ListQuery:
    collector = _Collector()
    checked_status = collector.optional("status", check_status, status)
    checked_assignee = collector.optional("assignee", check_email, assignee)
    checked_size = collector.check("page_size", check_page_size, page_size)
    after_id = 0
    if cursor is not None:
        try:
            if not isinstance(cursor, str):
                raise InvalidCursor
            after_id = decode_cursor(cursor)
        except InvalidCursor:
            collector.details["cursor"] = "is not a cursor returned by list_assignments"
    collector.raise_if_failed()
    return ListQuery(status=checked_status, assignee=checked_assignee, after_id=after_id, page_size=checked_size)
