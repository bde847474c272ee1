"""Each example runs green as its own project: copied into an empty directory and run with ``pytest``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent

MINIMAL_TESTS = [
    "test_add_then_search",
    "test_delete_twice_says_what_to_do",
    "test_bad_titles_are_refused_before_the_tool_runs[[]empty[]]",
    "test_bad_titles_are_refused_before_the_tool_runs[[]missing[]]",
    "test_the_schema_carries_the_limits",
    "test_resource_and_prompt",
    "test_over_stdio_in_both_eras[[]2025-11-25[]]",
    "test_over_stdio_in_both_eras[[]2026-07-28[]]",
    "test_conformance[[]conformance-tools.list*-inproc[]]",
]


def test_minimal_example_passes_from_its_own_directory(pytester: pytest.Pytester) -> None:
    shutil.copytree(EXAMPLES / "minimal", pytester.path, dirs_exist_ok=True)
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider", timeout=600)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines([f"test_notes.py::{name}* PASSED*" for name in MINIMAL_TESTS], consecutive=False)
    outcomes = result.parseoutcomes()
    assert "failed" not in outcomes and "errors" not in outcomes, outcomes
