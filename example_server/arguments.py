"""Tool argument types: every constraint declared once, as a pydantic ``Annotated`` type.

``MCPServer`` turns these annotations into each tool's ``inputSchema`` and validates the
arguments against them before the tool runs; :mod:`example_server.replies` reports a refusal in
the tool-error format (``invalid_input``, one message per field). What a schema cannot say stays
in the service: whether an assignment exists, who may see it, whether a cursor is one we issued.

Rules

* ``title``: 1-200 characters, no control characters (C0 including tab and newline, DEL, C1);
  surrounding whitespace is stripped and a title of only whitespace is refused.
* ``assignee``: an e-mail address matching a deliberately simple, strict ASCII pattern, at most
  254 characters (local part at most 64); stored lower-cased.
* ``priority``: an integer 1..5; ``true``, ``3.0`` and ``"3"`` are refused (``Strict``): silently
  coercing them hides client bugs. ``page_size`` 1..100 and ``assignment_id`` (a positive 64-bit
  integer) likewise.
* ``status``: ``open``, ``in_progress`` or ``done``. ``due_date``: ``YYYY-MM-DD``, a real date.

Hostile-looking text such as ``<script>``, ``'; DROP TABLE assignments; --`` or
``../../etc/passwd`` is accepted and stored inertly: values only ever reach the database as bound
parameters and are never used as paths, URLs or markup, so a deny-list would only mislead.

``MCPServer`` JSON-decodes string values of parameters not annotated plain ``str`` when they
hold a JSON list, object, boolean or null (a workaround for clients that send ``"[1, 2]"``), so an
optional text argument such as ``update_assignment``'s ``title`` cannot be the JSON text ``null``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict

from .models import DEFAULT_PRIORITY, MAX_BULK_ITEMS, MAX_PAGE_SIZE, MAX_PRIORITY, MIN_PRIORITY, Status

MAX_TITLE_LENGTH = 200
MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
MAX_ID = 2**63 - 1

TITLE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}$"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _stripped(title: str) -> str:
    if not title.strip():
        raise ValueError("must not be empty")
    return title.strip()


def _normal_email(email: str) -> str:
    if len(email.partition("@")[0]) > MAX_LOCAL_PART_LENGTH:
        raise ValueError("must be a valid e-mail address")
    return email.lower()


def _iso_date_text(value: object) -> object:
    if isinstance(value, date):  # from Python callers; JSON brings text
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date in YYYY-MM-DD format")
    return value


Title = Annotated[
    str,
    Strict(),
    Field(min_length=1, max_length=MAX_TITLE_LENGTH, pattern=TITLE_PATTERN, description="What needs doing."),
    AfterValidator(_stripped),
]
Assignee = Annotated[
    str,
    Strict(),
    Field(max_length=MAX_EMAIL_LENGTH, pattern=EMAIL_PATTERN, description="E-mail address of who does the work."),
    AfterValidator(_normal_email),
]
DueDate = Annotated[date, BeforeValidator(_iso_date_text), Field(description="Due date, ISO-8601 YYYY-MM-DD.")]
Priority = Annotated[int, Strict(), Field(ge=MIN_PRIORITY, le=MAX_PRIORITY, description="1 (highest) to 5 (lowest).")]
AssignmentId = Annotated[int, Strict(), Field(ge=1, le=MAX_ID, description="Id of the assignment.")]
PageSize = Annotated[int, Strict(), Field(ge=1, le=MAX_PAGE_SIZE, description="Items per page.")]
Cursor = Annotated[str | None, Field(description="next_cursor from the previous page; omit for the first page.")]
StatusFilter = Annotated[Status | None, Field(description="open, in_progress or done.")]


class BulkItem(BaseModel):
    """One assignment of bulk_create_assignments."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    assignee: Assignee
    priority: Priority = DEFAULT_PRIORITY
    due_date: DueDate | None = None


BulkItems = Annotated[
    list[BulkItem],
    Field(min_length=1, max_length=MAX_BULK_ITEMS, description="Assignments to create together (all or none)."),
]
