"""Exception and warning types raised by pytest_mcp.

Every failure the plugin reports to a test author is one of these, so a test can catch exactly
what it expects (``pytest.raises(McpTimeoutError)``) and a reader of a traceback sees at once
whether the server misbehaved or the test was set up wrongly.
"""

from __future__ import annotations

import pytest

__all__ = [
    "McpAssertionError",
    "McpConnectionError",
    "McpServerCrashed",
    "McpTimeoutError",
    "McpUsageError",
    "PytestMcpWarning",
]


class McpAssertionError(AssertionError):
    """An MCP result was not what the test expected (raised by the ``assert_*`` helpers)."""


# pytest marks UsageError @final, but a subclass is how a plugin's usage errors get pytest's reporting.
class McpUsageError(pytest.UsageError):  # type: ignore[misc]
    """The plugin was configured or called wrongly; the message says how to fix it."""


class McpConnectionError(Exception):
    """The server could not be reached, started or spoken to."""


class McpTimeoutError(McpConnectionError, TimeoutError):
    """A request got no reply within the configured timeout."""

    def __init__(self, message: str, *, method: str, timeout: float) -> None:
        super().__init__(message)
        self.method = method
        self.timeout = timeout


class McpServerCrashed(McpConnectionError):
    """The server process exited while a test was talking to it."""

    def __init__(self, message: str, *, returncode: int | None, stderr_tail: str) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr_tail = stderr_tail


class PytestMcpWarning(pytest.PytestWarning):
    """Something works, but probably not the way the test author meant."""
