"""The examples of docs/chaos.md run as they are written (each block that starts with ``# file:``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "chaos.md"
BLOCK = re.compile(r"```python\n# file: (?P<name>\S+)\n(?P<body>.*?)```", re.S)

pytestmark = pytest.mark.chaos


def test_the_documented_examples_pass(chaos_pytester: pytest.Pytester) -> None:
    blocks = {m["name"]: m["body"] for m in BLOCK.finditer(DOC.read_text())}
    assert set(blocks) == {"test_chaos_quickstart.py", "test_chaos_restart.py", "test_chaos_backend.py"}
    for name, body in blocks.items():
        (chaos_pytester.path / name).write_text(body)
    result = chaos_pytester.runpytest("-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["4 test(s) ran with fault injection; base seed *"])
