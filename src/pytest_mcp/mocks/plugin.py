"""pytest hooks and fixtures of pytest_mcp.mocks, loaded by pytest_mcp.plugin.

Must stay cheap to import: no MCP SDK, pydantic or starlette at module level.
"""
