"""Resource template ``assignment://{assignment_id}``: one assignment as JSON.

Reading follows the tools' rules (needs ``assignments:read``; only the owner sees
it). An id that is malformed, unknown or someone else's is "resource not found"
(JSON-RPC ``-32002`` with ``data.uri`` in the 2025-11-25 era, ``-32602`` from
2026-07-28 on; see :mod:`example_server.replies`); a missing scope is a resource
error (``-32603``). Failures are logged; messages stay generic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from pydantic import TypeAdapter

from . import errors
from .arguments import AssignmentId
from .service import AssignmentService, Identity
from .validation import checked

logger = logging.getLogger(__name__)

URI_TEMPLATE = "assignment://{assignment_id}"
_ID: TypeAdapter[int] = TypeAdapter(AssignmentId)


def register_resources(server: MCPServer, service: AssignmentService, identity: Callable[[], Identity]) -> None:
    @server.resource(
        URI_TEMPLATE,
        name="assignment",
        title="Assignment",
        description="One of your assignments, as the same JSON object get_assignment returns.",
        mime_type="application/json",
    )
    async def read_assignment(assignment_id: str) -> str:
        if not assignment_id.isascii() or not assignment_id.isdigit():
            raise ResourceNotFoundError("assignment not found")
        try:
            found = await service.get_assignment(identity(), checked(_ID, "assignment_id", int(assignment_id)))
        except errors.ToolFailure as failure:
            if failure.kind in (errors.ErrorKind.NOT_FOUND, errors.ErrorKind.INVALID_INPUT):
                raise ResourceNotFoundError("assignment not found") from None
            raise ResourceError(failure.message) from None
        return found.model_dump_json()
