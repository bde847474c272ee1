"""``AssignmentMCPServer``: the SDK's ``MCPServer`` with the server's error replies.

Tool arguments the input schema refuses come back in the tool-error format of
:mod:`example_server.errors` (``invalid_input`` with one message per field, see
:mod:`example_server.validation`) instead of pydantic's report as plain text.

``MCPServer`` (mcp 2.3) answers ``prompts/get`` for an unknown prompt or without a required
argument with a generic error (code ``0`` in the handshake era, ``-32603`` in the stateless one),
and ``resources/read`` for an unknown URI with ``-32602`` in every era. The specification asks for:

* ``prompts/get``: ``-32602`` (invalid params) for an unknown name or a missing required argument;
* ``resources/read`` of an unknown URI: ``-32002`` with ``data.uri`` in the handshake eras
  (2025-11-25 and earlier), ``-32602`` from 2026-07-28 on, where ``-32002`` is retired.

The zero-code conformance suite (``--mcp-suite=conformance``) checks all three.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from mcp import MCPError
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.types import INVALID_PARAMS, CallToolResult
from pydantic import ValidationError

from .validation import invalid_arguments

logger = logging.getLogger(__name__)

RESOURCE_NOT_FOUND = -32002
"""The 2025-11-25 code for an unknown resource (retired in 2026-07-28)."""
STATELESS_ERA = "2026-07-28"


def _handshake_era(context: Context[Any, Any] | None) -> bool:
    version = context.protocol_version if context is not None else None
    return version is not None and version < STATELESS_ERA


class AssignmentMCPServer(MCPServer[Any]):
    """``MCPServer`` whose argument errors are tool errors and whose prompt/resource errors carry the specified codes."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | Any:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):  # the arguments broke the tool's input schema
                failure = invalid_arguments(exc.__cause__)
                logger.info("tool %s failed: %s %s", name, failure.kind.value, sorted(failure.details))
                return failure.to_result()
            raise

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Context[Any, Any] | None = None
    ) -> Any:
        prompts = {prompt.name: prompt for prompt in await self.list_prompts()}
        prompt = prompts.get(name)
        if prompt is None:
            raise MCPError(code=INVALID_PARAMS, message=f"unknown prompt: {name!r}")
        given = arguments or {}
        missing = [arg.name for arg in prompt.arguments or () if arg.required and given.get(arg.name) is None]
        if missing:
            raise MCPError(code=INVALID_PARAMS, message=f"missing required argument(s): {', '.join(missing)}")
        return await super().get_prompt(name, arguments, context)

    async def read_resource(self, uri: Any, context: Context[Any, Any] | None = None) -> Iterable[Any] | Any:
        try:
            return await super().read_resource(uri, context)
        except ResourceNotFoundError as exc:
            if _handshake_era(context):
                raise MCPError(code=RESOURCE_NOT_FOUND, message=str(exc), data={"uri": str(uri)}) from None
            raise
