"""A server that opens no protocol era must fail the suite, not skip every check and pass."""

from __future__ import annotations

import sys

from .conftest import raw_stdio

SILENT = f'{sys.executable} -c "import sys; sys.stdin.read()"'
"""A process that reads stdin and never answers: it speaks no MCP at all."""


def test_a_silent_server_fails_instead_of_skipping(check_runner) -> None:
    runner = check_runner(SILENT)
    result = runner.run("tools.list.shape", "2026-07-28")
    assert result.outcome == "failed", result
    assert "speaks no protocol era" in result.message
    assert "no reply to server/discover" in result.message and "no reply to initialize" in result.message


def test_a_server_speaking_one_era_skips_the_other(check_runner) -> None:
    """The correct raw server speaks both; a check limited to the era it lacks would skip, not fail."""
    runner = check_runner(raw_stdio())
    assert runner.run("lifecycle.ping", "2025-11-25").outcome == "passed"
