"""Small helpers shared by the example server's tests, built on pytest_mcp's assertions."""

from __future__ import annotations

import json
from typing import Any

import pytest_mcp
from example_server.config import Config
from example_server.server import create_server

SERVER = "example_server.app:create_server"
"""The in-process target: the zero-argument factory (in-memory SQLite, no auth, user dev@example.com)."""

TOOLS = (
    "create_assignment",
    "bulk_create_assignments",
    "get_assignment",
    "list_assignments",
    "update_assignment",
    "delete_assignment",
    "delete_all_assignments",
)


def error_body(result: Any) -> dict[str, Any]:
    """The JSON error object of an ``isError`` tool result (fails through ``assert_tool_error`` otherwise)."""
    __tracebackhide__ = True
    return dict(json.loads(pytest_mcp.assert_tool_error(result, kind="is_error")))


def error_kind(result: Any) -> str:
    """Just the ``error`` field of a tool error: ``invalid_input``, ``not_found``, ``conflict``, ..."""
    __tracebackhide__ = True
    return str(error_body(result)["error"])


def configured(name: str | None = None, **config: Any) -> pytest_mcp.InProcessTarget:
    """An in-process target of ``create_server(Config(**config))``; each call is a new server."""
    frozen = Config(**config)

    def factory() -> Any:
        return create_server(frozen)

    factory.__qualname__ = f"create_server(Config({', '.join(f'{k}={v!r}' for k, v in config.items())}))"
    return pytest_mcp.in_process(factory, name=name)


def user_server(db_url: str, user: str, **config: Any) -> pytest_mcp.InProcessTarget:
    """A server acting as ``user`` on ``db_url`` (several of them share one database)."""
    return configured(name=user.partition("@")[0], db_url=db_url, user=user, **config)
