"""Mock backends: respx-based HTTP mocks, fake upstream MCP servers, autospec helpers (issue 5)."""
