"""Tool errors: the failure kinds a tool can report and how they reach the client.

A tool never lets an exception escape. Anticipated failures are raised as
:class:`ToolFailure` and become a ``CallToolResult`` with ``isError: true`` whose
single text content is a JSON object::

    {"error": "invalid_input", "message": "invalid input", "details": {"priority": "must be between 1 and 5"}}

``details`` maps a field name to what is wrong with it and is left out when there
is nothing field-specific to say. Anything else raised inside a tool is logged
(with its traceback, to stderr) and reported as ``internal_error`` with a generic
message, so stack traces, SQL, file paths and secrets never reach the client.

Returning a ``CallToolResult`` from the tool function is the one way ``MCPServer``
lets a tool choose its own error content; because the result has ``isError`` set,
neither the SDK nor clients validate it against the tool's ``outputSchema``.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Any, ParamSpec, TypeVar

from mcp.types import CallToolResult, TextContent

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class ErrorKind(StrEnum):
    """The machine-readable ``error`` values a tool can report."""

    INVALID_INPUT = "invalid_input"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    TIMEOUT = "timeout"
    INTERNAL_ERROR = "internal_error"


GENERIC_INTERNAL_MESSAGE = "an internal error occurred"


class ToolFailure(Exception):
    """An anticipated failure, carrying a message that is safe to show to the client."""

    def __init__(self, kind: ErrorKind, message: str, details: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details: dict[str, str] = dict(details or {})

    def __repr__(self) -> str:
        return f"ToolFailure({self.kind.value!r}, {self.message!r}, {self.details!r})"

    def payload(self) -> dict[str, Any]:
        """The JSON object sent to the client."""
        body: dict[str, Any] = {"error": self.kind.value, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body

    def to_result(self) -> CallToolResult:
        """This failure as an ``isError`` tool result."""
        return CallToolResult(
            content=[TextContent(type="text", text=json.dumps(self.payload(), ensure_ascii=False))],
            is_error=True,
        )


def invalid_input(details: Mapping[str, str], message: str = "invalid input") -> ToolFailure:
    return ToolFailure(ErrorKind.INVALID_INPUT, message, details)


def not_found(what: str = "assignment") -> ToolFailure:
    return ToolFailure(ErrorKind.NOT_FOUND, f"{what} not found")


def conflict(message: str, details: Mapping[str, str] | None = None) -> ToolFailure:
    return ToolFailure(ErrorKind.CONFLICT, message, details)


def forbidden(message: str) -> ToolFailure:
    return ToolFailure(ErrorKind.FORBIDDEN, message)


def timeout(message: str) -> ToolFailure:
    return ToolFailure(ErrorKind.TIMEOUT, message)


def internal_error(message: str = GENERIC_INTERNAL_MESSAGE) -> ToolFailure:
    return ToolFailure(ErrorKind.INTERNAL_ERROR, message)


def reports_tool_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | CallToolResult]]:
    """Wrap an async tool so failures come back as ``isError`` results in the JSON format above.

    ``functools.wraps`` keeps the signature and annotations, so ``MCPServer`` still
    derives the input and output schemas from the wrapped function. The docstring,
    which becomes the tool's description, loses its source indentation.
    """

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | CallToolResult:
        try:
            return await fn(*args, **kwargs)
        except ToolFailure as failure:
            logger.info("tool %s failed: %s", fn.__name__, failure.kind.value)
            return failure.to_result()
        except Exception:
            logger.exception("tool %s raised an unexpected exception", fn.__name__)
            return internal_error().to_result()

    wrapper.__doc__ = inspect.cleandoc(fn.__doc__) if fn.__doc__ else None
    return wrapper
