"""Build the assignment server.

``create_server()`` is cheap: it wires objects together but opens nothing. The
database is opened on first use and closed when the last active lifespan (stdio
run, HTTP app, in-process ``mcp.Client``) ends; an in-memory database instead
lives as long as the server object, so several in-process clients of one server
see the same data.

    from example_server.server import create_server
    from example_server.config import Config

    server = create_server()                                  # fresh in-memory SQLite
    server = create_server(Config(db_url="sqlite:///tmp/a.db"))
    server = create_server(Config.from_env())                 # what ``python -m example_server`` does
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from mcp.server.mcpserver import MCPServer

from . import __version__
from .auth import auth_settings, current_identity, token_verifier
from .config import Config
from .directory import DirectoryClient
from .prompts import register_prompts
from .replies import AssignmentMCPServer
from .resources import register_resources
from .service import AssignmentService, Identity
from .store import Store
from .tools import register_tools

SERVER_NAME = "assignment-server"

INSTRUCTIONS = """\
Tracks work assignments: who (an e-mail address) should do what, with a priority from \
1 (highest) to 5, a status (open, in_progress, done) and an optional due date. You only \
ever see and change the assignments you created. Tool errors come back as isError results \
whose text is JSON: {"error": kind, "message": ..., "details": {field: problem}}.\
"""


def _lifespan(store: Store) -> Callable[[MCPServer[Any]], AbstractAsyncContextManager[dict[str, Any]]]:
    active = 0

    @asynccontextmanager
    async def lifespan(_server: MCPServer[Any]) -> AsyncIterator[dict[str, Any]]:
        nonlocal active
        active += 1
        try:
            yield {}
        finally:
            active -= 1
            if active == 0:
                store.close()

    return lifespan


def create_server(config: Config | None = None) -> MCPServer[Any]:
    """A new assignment server for ``config`` (default: ``Config()``, i.e. in-memory SQLite, no auth).

    The zero-argument form ignores environment variables so it is deterministic
    in tests; use ``create_server(Config.from_env())`` to honour them.
    """
    config = config if config is not None else Config()
    store = Store(config.db_url)
    directory = DirectoryClient(config.directory_url, config.directory_timeout) if config.directory_url else None
    service = AssignmentService(store, directory)

    server: MCPServer[Any] = AssignmentMCPServer(
        SERVER_NAME,
        title="Assignment server",
        version=__version__,
        instructions=INSTRUCTIONS,
        token_verifier=token_verifier(config),
        auth=auth_settings(config),
        lifespan=_lifespan(store),
    )

    def identity() -> Identity:
        return current_identity(config)

    register_tools(server, service, identity, uses_directory=directory is not None)
    register_resources(server, service, identity)
    register_prompts(server, service, identity)
    return server
