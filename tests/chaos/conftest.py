"""Fixtures of the chaos tests: a pytester that sees anyio and the demo server."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def chaos_pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester whose runs have an ``anyio_backend`` fixture and the project's strict warnings."""
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def anyio_backend():
            return "asyncio"
        """
    )
    pytester.makeini(
        "[pytest]\n"
        "asyncio_default_fixture_loop_scope = function\n"
        "filterwarnings =\n    error\n    default::mcp.MCPDeprecationWarning\n"
    )
    return pytester
