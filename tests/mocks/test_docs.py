"""The examples of docs/mocks.md run as written (each block that starts with ``# file:``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_mcp._docs import DOCS_URL

DOC = Path(__file__).resolve().parents[2] / "docs" / "mocks.md"
BLOCK = re.compile(r"```python\n# file: (?P<name>\S+)\n(?P<body>.*?)```", re.S)


def test_the_documented_examples_pass(mcp_pytester: pytest.Pytester) -> None:
    blocks = {m["name"]: m["body"] for m in BLOCK.finditer(DOC.read_text())}
    assert set(blocks) == {"test_mocks_http.py", "test_mocks_upstream.py", "test_mocks_backend.py"}
    for name, body in blocks.items():
        (mcp_pytester.path / name).write_text(body)
    result = mcp_pytester.runpytest("-v")
    result.assert_outcomes(passed=6)


def test_the_documented_messages_are_the_real_ones() -> None:
    text = DOC.read_text()
    from pytest_mcp.mocks.http import HttpMock

    mock = HttpMock()
    mock.post("https://geo.example/lookup", name="geo")
    assert mock.problems()[0] + f"\nSee {DOCS_URL}mocks.md." in text
