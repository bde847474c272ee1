"""The teardown messages docs/mocks.md shows are the real ones (its example project runs in
``tests/test_docs_examples.py``)."""

from __future__ import annotations

from pathlib import Path

from pytest_mcp._docs import DOCS_URL

DOC = Path(__file__).resolve().parents[2] / "docs" / "mocks.md"


def test_the_documented_messages_are_the_real_ones() -> None:
    text = DOC.read_text()
    from pytest_mcp.mocks.http import HttpMock

    mock = HttpMock()
    mock.post("https://geo.example/lookup", name="geo")
    assert mock.problems()[0] + f"\nSee {DOCS_URL}mocks.md." in text
