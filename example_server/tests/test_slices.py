"""Every test of the example server belongs to a slice, so ``-m <category>`` never misses one."""

from __future__ import annotations

from pathlib import Path

import pytest

CATEGORIES = (
    "unit",
    "integration",
    "e2e",
    "security",
    "contract",
    "conformance",
    "snapshot",
    "chaos",
    "benchmark",
    "load",
)
HERE = Path(__file__).parent

pytestmark = pytest.mark.unit


def test_every_test_carries_a_category_marker(pytester: pytest.Pytester) -> None:
    root = HERE.parent.parent
    result = pytester.runpytest_subprocess(
        "--collect-only", "-q", "-p", "no:cacheprovider", f"--rootdir={root}", "-c", str(root / "pyproject.toml"),
        "-m", f"not ({' or '.join(CATEGORIES)})", str(HERE), timeout=120,
    )  # fmt: skip
    uncategorized = [line for line in result.stdout.lines if "::" in line]
    assert not uncategorized, "tests without a category marker (add one to the module's pytestmark):\n" + "\n".join(
        uncategorized
    )
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["no tests collected (* deselected)*"])
