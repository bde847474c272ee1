"""The examples of docs/auth.md run as written (each block that starts with ``# file:``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "auth.md"
BLOCK = re.compile(r"```python\n# file: (?P<name>\S+)\n(?P<body>.*?)```", re.S)


def test_the_documented_examples_pass(mcp_pytester: pytest.Pytester) -> None:
    blocks = {m["name"]: m["body"] for m in BLOCK.finditer(DOC.read_text())}
    assert set(blocks) == {"test_auth_quickstart.py"}
    for name, body in blocks.items():
        (mcp_pytester.path / name).write_text(body)
    result = mcp_pytester.runpytest("-v")
    result.assert_outcomes(passed=12)
    result.stdout.fnmatch_lines(["*test_bad_tokens_are_refused[[]alg_none] PASSED*"])


def test_the_documented_assertion_message(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        """
        def test_it(mcp_token):
            assert mcp_token == "x"
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(["E       AssertionError: assert '«redacted»...«redacted»' == 'x'"])
    result.assert_outcomes(failed=1)
