"""Variants of the example server with a planted sequence bug, for the stateful tests to catch.

Each one is the real server built around a subclass of ``AssignmentService`` (patched into
``example_server.server`` while the server is built), so only the planted behaviour differs:

* ``lost_update``: ``update_assignment`` answers with the new priority but never stores it;
* ``stale_list``: ``list_assignments`` keeps answering the first page it computed for a query.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

from example_server import server as server_module
from example_server.app import create_server
from example_server.service import AssignmentService


class LostUpdateService(AssignmentService):
    async def update_assignment(  # type: ignore[override]
        self, identity: Any, assignment_id: int, title: Any, assignee: Any, priority: Any, status: Any, due_date: Any
    ) -> Any:
        if priority is None:
            return await super().update_assignment(identity, assignment_id, title, assignee, None, status, due_date)
        current = await self.get_assignment(identity, assignment_id)
        return current.model_copy(update={"priority": priority})  # acknowledged, never stored


class StaleListService(AssignmentService):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages: dict[tuple[Any, ...], Any] = {}

    async def list_assignments(self, identity: Any, *args: Any) -> Any:
        key = (identity.subject, *args)
        if key not in self.pages:
            self.pages[key] = await super().list_assignments(identity, *args)
        return self.pages[key]


def _with_service(service: type[AssignmentService]) -> Any:
    with mock.patch.object(server_module, "AssignmentService", service):
        return create_server()


def lost_update() -> Any:
    return _with_service(LostUpdateService)


def stale_list() -> Any:
    return _with_service(StaleListService)
