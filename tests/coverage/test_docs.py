"""The examples of docs/coverage.md, snapshots.md, factories.md and reports.md run as written, and
the outputs those pages show are the real ones.

A block that starts with ``# file: NAME`` is written to NAME and run; ``text``, ``json`` and ``xml``
blocks are compared with what the run printed or wrote.
"""

from __future__ import annotations

import inspect
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from .test_reports import properties

pytestmark = pytest.mark.integration

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)
FILE = re.compile(r"# file: (?P<name>\S+)\n")


def blocks(page: str, lang: str) -> list[str]:
    return [m["body"] for m in BLOCK.finditer((DOCS / page).read_text()) if m["lang"] == lang]


def write_examples(pytester: pytest.Pytester, page: str) -> list[str]:
    """Write the page's ``# file:`` blocks into the pytester directory; their names."""
    names = []
    for body in blocks(page, "python"):
        found = FILE.match(body)
        if found:
            (pytester.path / found["name"]).write_text(body)
            names.append(found["name"])
    return names


def shows(output: list[str], block: str) -> None:
    """``block``'s lines appear in ``output`` one after the other, exactly."""
    wanted = block.rstrip("\n").splitlines()
    for start in range(len(output) - len(wanted) + 1):
        if output[start : start + len(wanted)] == wanted:
            return
    raise AssertionError("the documented output is not in the real output:\n" + block + "\n---\n" + "\n".join(output))


def contains(real: Any, shown: Any, where: str = "$") -> None:
    """Everything ``shown`` holds is in ``real``: dict keys with equal values, list items in order (a prefix)."""
    if isinstance(shown, dict):
        assert isinstance(real, dict), where
        for key, value in shown.items():
            assert key in real, f"{where}.{key} is not in the real report"
            contains(real[key], value, f"{where}.{key}")
    elif isinstance(shown, list) and shown and isinstance(shown[0], dict):
        assert isinstance(real, list) and len(real) >= len(shown), where
        for index, value in enumerate(shown):
            contains(real[index], value, f"{where}[{index}]")
    else:
        assert real == shown, f"{where}: documented {shown!r}, real {real!r}"


# -- coverage.md ------------------------------------------------------------------------------


def test_coverage_page(mcp_pytester: pytest.Pytester) -> None:
    assert write_examples(mcp_pytester, "coverage.md") == ["test_coverage_example.py"]
    command = "pytest --mcp-cov --mcp-cov-report=mcp-cov.json --mcp-cov-fail-under=80"
    assert f"$ {command}\n" in blocks("coverage.md", "console")
    result = mcp_pytester.runpytest(*command.split()[1:])
    result.assert_outcomes(passed=3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    shows(result.outlines, blocks("coverage.md", "text")[0])
    contains(json.loads((mcp_pytester.path / "mcp-cov.json").read_text()), json.loads(blocks("coverage.md", "json")[0]))

    bad = mcp_pytester.runpytest("--mcp-cov-fail-under=120")
    documented = re.search(r"`(--mcp-cov-fail-under: '120'.*?)`", (DOCS / "coverage.md").read_text(), re.S)
    assert documented
    bad.stderr.fnmatch_lines([f"*{' '.join(documented[1].split())}*"])


def test_coverage_page_lists_every_option() -> None:
    from pytest_mcp.coverage.plugin import OPTIONS

    text = (DOCS / "coverage.md").read_text()
    for option in OPTIONS:
        assert f"| `{option.flag}=" in text, option.flag
        assert f"`{option.ini_name}`" in text, option.ini_name
    assert "| `--mcp-cov` | `mcp_cov = true` |" in text


# -- snapshots.md -----------------------------------------------------------------------------


@pytest.fixture
def no_xdist_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from .test_snapshot import XDIST_ENVIRONMENT

    for name in XDIST_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_xdist_environment")
def test_snapshots_page(mcp_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CI", "BUILD_NUMBER"):  # pytest shows whole diffs on CI; the page shows a terminal's
        monkeypatch.delenv(name, raising=False)
    assert write_examples(mcp_pytester, "snapshots.md") == ["test_snapshots_example.py"]
    first = mcp_pytester.runpytest()
    first.assert_outcomes(failed=4)
    first.stdout.fnmatch_lines(["*Snapshot 'test_add' does not exist!*"])

    created = mcp_pytester.runpytest("--snapshot-update")
    created.assert_outcomes(passed=4)
    shows(created.outlines, blocks("snapshots.md", "console")[0].split("...\n")[1])

    stored = mcp_pytester.path / "__snapshots__" / "test_snapshots_example"
    shown = blocks("snapshots.md", "json")
    files = ["test_add.json", "test_masked.json", "test_errors.json", "test_errors.1.json"]
    assert len(shown) == len(files)
    for name, text in zip(files, shown, strict=True):
        assert (stored / name).read_text() == text, name

    example = mcp_pytester.path / "test_snapshots_example.py"
    example.write_text(example.read_text().replace('call("add", a=1, b=2)', 'call("add", a=2, b=2)'))
    changed = mcp_pytester.runpytest()
    changed.assert_outcomes(failed=1, passed=3)
    shows(changed.outlines, blocks("snapshots.md", "text")[0].split("--------", 1)[0])
    shows(changed.outlines, "---" + blocks("snapshots.md", "text")[0].split("---", 1)[1])

    updated = mcp_pytester.runpytest("--snapshot-update")
    updated.assert_outcomes(passed=4)
    updated.stdout.fnmatch_lines(["*1 snapshot updated.*"])
    assert '"text": "4"' in (stored / "test_add.json").read_text()


def test_snapshots_page_shows_the_marker_signature() -> None:
    from pytest_mcp.coverage.plugin import mcp_snapshot_marker

    defaults = ", ".join(
        f"{name}={parameter.default!r}" for name, parameter in inspect.signature(mcp_snapshot_marker).parameters.items()
    )
    assert f"@pytest.mark.mcp_snapshot({defaults})" in blocks("snapshots.md", "python")[1]


# -- factories.md -----------------------------------------------------------------------------


def test_factories_page(mcp_pytester: pytest.Pytester) -> None:
    assert write_examples(mcp_pytester, "factories.md") == ["test_factories_example.py"]
    result = mcp_pytester.runpytest()
    result.assert_outcomes(passed=8)


# -- reports.md -------------------------------------------------------------------------------


def xml_properties(block: str) -> list[tuple[str, str]]:
    return [(p.get("name", ""), p.get("value", "")) for p in ET.fromstring(block).iter("property")]


def test_reports_page(mcp_pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_html")
    assert write_examples(mcp_pytester, "reports.md") == ["test_reports_example.py"]
    command, suite_command = blocks("reports.md", "console")
    result = mcp_pytester.runpytest(*command.removeprefix("$ pytest ").split())
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*Error executing tool divide*"])
    assert (mcp_pytester.path / "report.html").is_file()
    mcp_test, suite_item = blocks("reports.md", "xml")
    assert properties(mcp_pytester.path / "junit.xml")["test_paint"] == xml_properties(mcp_test)

    (mcp_pytester.path / "test_reports_example.py").unlink()
    suite = mcp_pytester.runpytest(*suite_command.removeprefix("$ pytest ").split(), "-k", "tools.list.names")
    suite.assert_outcomes(passed=6)  # one item per tool (divide, paint, ping_me) and era
    name = ET.fromstring(suite_item).get("name", "")
    assert properties(mcp_pytester.path / "suite.xml")[name] == xml_properties(suite_item)
