"""The MCP tools: thin adapters from tool calls to :class:`AssignmentService`.

Each tool declares its arguments with the types of :mod:`example_server.arguments` (the tool's
``inputSchema``, checked before the tool runs), resolves the caller's identity, calls the
service, and returns a typed model (the tool's ``outputSchema``). Failures become ``isError``
results through :func:`~example_server.errors.reports_tool_errors`.

Annotations (hints for clients; kept consistent across tools):

==========================  ========  ===========  ==========  =========================
tool                        readOnly  destructive  idempotent  openWorld
==========================  ========  ===========  ==========  =========================
create_assignment           no        no           no          only with a directory
bulk_create_assignments     no        no           no          only with a directory
get_assignment              yes       no           yes         no
list_assignments            yes       no           yes         no
update_assignment           no        yes          yes         only with a directory
delete_assignment           no        yes          yes         no
delete_all_assignments      no        yes          yes         no
==========================  ========  ===========  ==========  =========================

"openWorld" is true only where the call reaches the external assignee directory.
"""

from __future__ import annotations

from collections.abc import Callable

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from .arguments import Assignee, AssignmentId, BulkItems, Cursor, DueDate, PageSize, Priority, StatusFilter, Title
from .errors import reports_tool_errors
from .models import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_PRIORITY,
    Assignment,
    AssignmentPage,
    BulkCreated,
    DeletedAll,
    DeletedAssignment,
)
from .service import AssignmentService, Identity


def _hints(
    title: str, *, read_only: bool = False, destructive: bool = False, idempotent: bool, open_world: bool = False
) -> ToolAnnotations:
    return ToolAnnotations(
        title=title,
        read_only_hint=read_only,
        destructive_hint=destructive,
        idempotent_hint=idempotent,
        open_world_hint=open_world,
    )


def register_tools(
    server: MCPServer, service: AssignmentService, identity: Callable[[], Identity], *, uses_directory: bool
) -> None:
    """Add the seven assignment tools to ``server``, in the order ``tools/list`` shows them."""
    _register_create_and_read(server, service, identity, uses_directory)
    _register_change_and_delete(server, service, identity, uses_directory)


def _register_create_and_read(
    server: MCPServer, service: AssignmentService, identity: Callable[[], Identity], uses_directory: bool
) -> None:
    @server.tool(annotations=_hints("Create assignment", idempotent=False, open_world=uses_directory))
    @reports_tool_errors
    async def create_assignment(
        title: Title,
        assignee: Assignee,
        priority: Priority = DEFAULT_PRIORITY,
        due_date: DueDate | None = None,
    ) -> Assignment:
        """Create an assignment owned by the caller. Status starts as "open".

        Errors: invalid_input (details per field), conflict (the assignee already has an
        assignment with this title), forbidden (needs assignments:write), timeout or
        internal_error (assignee directory).
        """
        return await service.create_assignment(identity(), title, assignee, priority, due_date)

    @server.tool(annotations=_hints("Create several assignments", idempotent=False, open_world=uses_directory))
    @reports_tool_errors
    async def bulk_create_assignments(items: BulkItems) -> BulkCreated:
        """Create 1-100 assignments in one transaction: either all are created or none.

        Errors: invalid_input (details keyed like "items[2].priority"), conflict (details
        name the first clashing item), forbidden.
        """
        return await service.bulk_create_assignments(identity(), items)

    @server.tool(annotations=_hints("Get assignment", read_only=True, idempotent=True))
    @reports_tool_errors
    async def get_assignment(assignment_id: AssignmentId) -> Assignment:
        """Fetch one of the caller's assignments by id. Others' ids are not_found."""
        return await service.get_assignment(identity(), assignment_id)

    @server.tool(annotations=_hints("List assignments", read_only=True, idempotent=True))
    @reports_tool_errors
    async def list_assignments(
        status: StatusFilter = None,
        assignee: Assignee | None = None,
        cursor: Cursor = None,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
    ) -> AssignmentPage:
        """List the caller's assignments in id order, optionally filtered, one page at a time.

        Pass next_cursor back as cursor to get the following page; it is null on the last page.
        """
        return await service.list_assignments(identity(), status, assignee, cursor, page_size)


def _register_change_and_delete(
    server: MCPServer, service: AssignmentService, identity: Callable[[], Identity], uses_directory: bool
) -> None:
    @server.tool(annotations=_hints("Update assignment", destructive=True, idempotent=True, open_world=uses_directory))
    @reports_tool_errors
    async def update_assignment(
        assignment_id: AssignmentId,
        title: Title | None = None,
        assignee: Assignee | None = None,
        priority: Priority | None = None,
        status: StatusFilter = None,
        due_date: DueDate | None = None,
    ) -> Assignment:
        """Change fields of one of the caller's assignments; omitted or null fields stay as they are."""
        return await service.update_assignment(identity(), assignment_id, title, assignee, priority, status, due_date)

    @server.tool(annotations=_hints("Delete assignment", destructive=True, idempotent=True))
    @reports_tool_errors
    async def delete_assignment(assignment_id: AssignmentId) -> DeletedAssignment:
        """Delete one of the caller's assignments. Deleting it again answers not_found."""
        return await service.delete_assignment(identity(), assignment_id)

    @server.tool(annotations=_hints("Delete ALL assignments", destructive=True, idempotent=True))
    @reports_tool_errors
    async def delete_all_assignments() -> DeletedAll:
        """Admin only: delete every assignment of every user. Needs the admin scope."""
        return await service.delete_all_assignments(identity())
