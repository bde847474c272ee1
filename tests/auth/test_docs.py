"""What docs/auth.md says about reports is what a run shows (its example project runs in
``tests/test_docs_examples.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "auth.md"


def test_the_documented_assertion_message(mcp_pytester: pytest.Pytester) -> None:
    message = "AssertionError: assert '«redacted»...«redacted»' == 'x'"
    page = " ".join(DOC.read_text().split())  # the page's lines are wrapped
    assert f'`assert mcp_token == "x"` in a failing test shows `{message}`' in page
    mcp_pytester.makepyfile(
        """
        def test_it(mcp_token):
            assert mcp_token == "x"
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines([f"E       {message}"])
    result.assert_outcomes(failed=1)
