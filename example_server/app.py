"""The factory path for command lines and configuration: ``example_server.app:create_server``.

``pytest --mcp-server=example_server.app:create_server`` and the docs name the server by this
path; the server itself is built in :mod:`example_server.server`.
"""

from .server import SERVER_NAME, create_server

__all__ = ["SERVER_NAME", "create_server"]
