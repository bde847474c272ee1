"""Data shapes: validated input values and the typed results tools return.

The result models double as the tools' ``outputSchema``: ``MCPServer`` derives the
schema from each tool's return annotation and checks every successful result
against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["open", "in_progress", "done"]
STATUSES: tuple[Status, ...] = ("open", "in_progress", "done")
OPEN_STATUSES: tuple[Status, ...] = ("open", "in_progress")

MIN_PRIORITY = 1
MAX_PRIORITY = 5
DEFAULT_PRIORITY = 3
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_BULK_ITEMS = 100


class Assignment(BaseModel):
    """One stored assignment."""

    model_config = ConfigDict(frozen=True)

    id: int = Field(description="Server-assigned integer id.")
    owner: str = Field(description="Subject of the user who created it; only they can see or change it.")
    title: str
    assignee: str = Field(description="E-mail address of the person doing the work.")
    priority: int = Field(ge=MIN_PRIORITY, le=MAX_PRIORITY, description="1 (highest) to 5 (lowest).")
    status: Status
    due_date: date | None = Field(description="ISO-8601 date, or null.")
    created_at: datetime = Field(description="UTC timestamp, ISO-8601.")
    updated_at: datetime = Field(description="UTC timestamp, ISO-8601.")


class AssignmentPage(BaseModel):
    """One page of ``list_assignments``."""

    items: list[Assignment]
    next_cursor: str | None = Field(description="Pass to the next call to get the following page; null on the last.")


class DeletedAssignment(BaseModel):
    id: int
    deleted: bool


class BulkCreated(BaseModel):
    items: list[Assignment]
    created: int


class DeletedAll(BaseModel):
    deleted: int = Field(description="How many assignments were removed, across all owners.")


@dataclass(frozen=True)
class NewAssignment:
    """A validated request to create one assignment."""

    title: str
    assignee: str
    priority: int = DEFAULT_PRIORITY
    due_date: date | None = None


@dataclass(frozen=True)
class AssignmentChanges:
    """A validated partial update; ``None`` means "leave unchanged"."""

    title: str | None = None
    assignee: str | None = None
    priority: int | None = None
    status: Status | None = None
    due_date: date | None = None

    def columns(self) -> dict[str, object]:
        """The columns to change, as stored (dates as ISO strings)."""
        values: dict[str, object] = {
            "title": self.title,
            "assignee": self.assignee,
            "priority": self.priority,
            "status": self.status,
            "due_date": self.due_date.isoformat() if self.due_date else None,
        }
        return {name: value for name, value in values.items() if value is not None}


@dataclass(frozen=True)
class ListQuery:
    """A validated ``list_assignments`` request."""

    status: Status | None = None
    assignee: str | None = None
    after_id: int = 0
    page_size: int = DEFAULT_PAGE_SIZE
