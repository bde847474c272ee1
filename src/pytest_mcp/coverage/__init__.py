"""MCP surface coverage, snapshots, argument factories and report integration (issue 6)."""
