"""Example "assignment server": a small, realistic MCP server used to exercise pytest_mcp.

Entry points:

* ``example_server.server.create_server`` builds an ``MCPServer`` (in-process use, tests);
  ``example_server.app:create_server`` is the same factory under the path command lines use.
* ``python -m example_server`` serves it over stdio; add ``--http`` for Streamable HTTP.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
