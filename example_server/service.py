"""Business rules: who may do what, and in which order things are checked.

Every method takes the caller's :class:`Identity` explicitly, so the rules can be
unit-tested with a mocked store and directory and no MCP machinery at all.

Rules

* Reading needs ``assignments:read``, creating/changing/deleting needs
  ``assignments:write``, and ``delete_all_assignments`` needs ``admin``. A missing
  scope is ``forbidden``.
* Users see and change only assignments they own (``owner == subject``). Someone
  else's id answers ``not_found``, exactly like an id that never existed, so ids
  reveal nothing about other users' data.
* ``delete_all_assignments`` removes *every* row of *every* owner: it is the
  operator's reset switch (e.g. between test runs), not a per-user "clear mine".
* Arguments arrive checked and normalised by their types (:mod:`example_server.arguments`);
  what a type cannot know is checked here. Order: scope, then the rules below (a cursor we
  issued, something to update), then the assignee directory (when configured), then the database.
* The (assignee, title) pair is unique across the whole table (it is one person's
  to-do list). A clash is ``conflict``; its message names neither the other
  assignment's id nor its owner.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar

import anyio
import anyio.to_thread

from . import errors
from .arguments import BulkItem
from .models import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_PRIORITY,
    MAX_PAGE_SIZE,
    OPEN_STATUSES,
    Assignment,
    AssignmentChanges,
    AssignmentPage,
    BulkCreated,
    DeletedAll,
    DeletedAssignment,
    ListQuery,
    NewAssignment,
    Status,
)
from .pagination import InvalidCursor, decode_cursor, encode_cursor
from .store import Store

T = TypeVar("T")

READ = "assignments:read"
WRITE = "assignments:write"
ADMIN = "admin"

_DIRECTORY_CONCURRENCY = 8
OPEN_WORK_LIMIT = 100


@dataclass(frozen=True)
class Identity:
    """Who is calling: a subject (user id / e-mail) and the scopes they were granted."""

    subject: str
    scopes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, subject: str, scopes: Iterable[str]) -> Identity:
        return cls(subject, frozenset(scopes))


class Directory(Protocol):
    async def exists(self, email: str) -> bool: ...


def _require(identity: Identity, scope: str) -> None:
    if scope not in identity.scopes:
        raise errors.forbidden(f"this action needs the {scope!r} scope")


def _after_id(cursor: str | None) -> int:
    """The id a ``list_assignments`` cursor continues after (0 for the first page)."""
    if cursor is None:
        return 0
    try:
        return decode_cursor(cursor)
    except InvalidCursor:
        raise errors.invalid_input({"cursor": "is not a cursor returned by list_assignments"}) from None


class AssignmentService:
    """The assignment tools' logic, independent of MCP."""

    def __init__(self, store: Store, directory: Directory | None = None) -> None:
        self.store = store
        self.directory = directory

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking store call on a worker thread."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args))

    async def _check_assignees(self, assignees: dict[str, str]) -> None:
        """Ask the directory about each ``field -> e-mail``; unknown ones are ``invalid_input``."""
        if self.directory is None or not assignees:
            return
        directory = self.directory
        known: dict[str, bool] = {}
        failures: list[errors.ToolFailure] = []
        limiter = anyio.CapacityLimiter(_DIRECTORY_CONCURRENCY)

        async def look_up(email: str) -> None:
            async with limiter:
                try:
                    known[email] = await directory.exists(email)
                except errors.ToolFailure as failure:
                    failures.append(failure)

        async with anyio.create_task_group() as tg:
            for email in dict.fromkeys(assignees.values()):
                tg.start_soon(look_up, email)
        if failures:
            # A timeout says more than "unavailable", so report it first.
            failures.sort(key=lambda f: f.kind != errors.ErrorKind.TIMEOUT)
            raise failures[0]
        unknown = {name: "is not a known user" for name, email in assignees.items() if not known.get(email)}
        if unknown:
            raise errors.invalid_input(unknown, message="unknown assignee")

    async def create_assignment(
        self,
        identity: Identity,
        title: str,
        assignee: str,
        priority: int = DEFAULT_PRIORITY,
        due_date: date | None = None,
    ) -> Assignment:
        _require(identity, WRITE)
        item = NewAssignment(title, assignee, priority, due_date)
        await self._check_assignees({"assignee": item.assignee})
        return await self._db(self.store.create, identity.subject, item)

    async def bulk_create_assignments(self, identity: Identity, items: Sequence[BulkItem]) -> BulkCreated:
        _require(identity, WRITE)
        checked = [NewAssignment(item.title, item.assignee, item.priority, item.due_date) for item in items]
        await self._check_assignees({f"items[{i}].assignee": item.assignee for i, item in enumerate(checked)})
        created = await self._db(self.store.bulk_create, identity.subject, checked)
        return BulkCreated(items=created, created=len(created))

    async def get_assignment(self, identity: Identity, assignment_id: int) -> Assignment:
        _require(identity, READ)
        found = await self._db(self.store.get, identity.subject, assignment_id)
        if found is None:
            raise errors.not_found()
        return found

    async def list_assignments(
        self,
        identity: Identity,
        status: Status | None = None,
        assignee: str | None = None,
        cursor: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> AssignmentPage:
        _require(identity, READ)
        query = ListQuery(status=status, assignee=assignee, after_id=_after_id(cursor), page_size=page_size)
        items, more = await self._db(self.store.page, identity.subject, query)
        next_cursor = encode_cursor(items[-1].id) if more and items else None
        return AssignmentPage(items=items, next_cursor=next_cursor)

    async def update_assignment(
        self,
        identity: Identity,
        assignment_id: int,
        title: str | None = None,
        assignee: str | None = None,
        priority: int | None = None,
        status: Status | None = None,
        due_date: date | None = None,
    ) -> Assignment:
        _require(identity, WRITE)
        changes = AssignmentChanges(title, assignee, priority, status, due_date)
        if not changes.columns():
            raise errors.invalid_input({}, message="nothing to update: give at least one field to change")
        if changes.assignee is not None:
            await self._check_assignees({"assignee": changes.assignee})
        updated = await self._db(self.store.update, identity.subject, assignment_id, changes)
        if updated is None:
            raise errors.not_found()
        return updated

    async def delete_assignment(self, identity: Identity, assignment_id: int) -> DeletedAssignment:
        _require(identity, WRITE)
        if not await self._db(self.store.delete, identity.subject, assignment_id):
            raise errors.not_found()
        return DeletedAssignment(id=assignment_id, deleted=True)

    async def delete_all_assignments(self, identity: Identity) -> DeletedAll:
        _require(identity, ADMIN)
        return DeletedAll(deleted=await self._db(self.store.delete_all))

    async def open_work(self, identity: Identity, assignee: str) -> list[Assignment]:
        """The caller's unfinished assignments for ``assignee`` (at most ``OPEN_WORK_LIMIT``)."""
        _require(identity, READ)
        query = ListQuery(assignee=assignee, page_size=MAX_PAGE_SIZE)
        found: list[Assignment] = []
        while len(found) < OPEN_WORK_LIMIT:
            items, more = await self._db(self.store.page, identity.subject, query)
            found.extend(item for item in items if item.status in OPEN_STATUSES)
            if not more:
                break
            query = ListQuery(assignee=query.assignee, after_id=items[-1].id, page_size=query.page_size)
        return found[:OPEN_WORK_LIMIT]
