"""What docs/coverage.md, snapshots.md and reports.md show beyond their example projects: the JSON
report, JUnit XML and messages the pages show are the real ones, and the reference tables match the
code. (Each page's example project, and its terminal output, runs in ``tests/test_docs_examples.py``;
snapshots.md, which has no run there, runs here.)

A page's project is its ``# file:`` blocks (``docs_examples.extract``); ``text``, ``json`` and
``xml`` blocks are compared with what the run printed or wrote.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from ..docs_examples import extract
from .test_reports import properties

pytestmark = pytest.mark.integration

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)


def blocks(page: str, lang: str) -> list[str]:
    return [m["body"] for m in BLOCK.finditer((DOCS / page).read_text()) if m["lang"] == lang]


def write_project(pytester: pytest.Pytester, page: str) -> list[str]:
    """Write the page's project into the pytester directory; its files, in page order."""
    return [path.relative_to(pytester.path).as_posix() for path in extract(DOCS / page, pytester.path)]


QUIET = ("-o", "asyncio_default_fixture_loop_scope=function")
"""For runs of a page's project in this process: without it pytest-asyncio's deprecation warning
about the unset option (the pages' pytest.ini leave it out) reaches this run's summary."""


def command_line(console: str) -> list[str]:
    """The arguments of the ``$ pytest ...`` line of a ``console`` block."""
    return console.strip().removeprefix("$ pytest ").split()


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


def test_coverage_page(pytester: pytest.Pytester) -> None:
    """The page's command writes the JSON report the page shows, after the verdict the page shows.

    (The table above the verdict is checked by ``tests/test_docs_examples.py``.)"""
    assert "test_coverage_example.py" in write_project(pytester, "coverage.md")
    (console,) = blocks("coverage.md", "console")
    result = pytester.runpytest(*command_line(console), *QUIET)
    result.assert_outcomes(passed=3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    verdict = blocks("coverage.md", "text")[0].rstrip("\n").splitlines()[-1]
    assert verdict.startswith("FAIL Required MCP surface coverage of 80% not reached."), verdict
    assert verdict in result.outlines
    contains(json.loads((pytester.path / "mcp-cov.json").read_text()), json.loads(blocks("coverage.md", "json")[0]))

    bad = pytester.runpytest("--mcp-cov-fail-under=120", *QUIET)
    documented = re.search(r"`(--mcp-cov-fail-under: '120'.*?)`", (DOCS / "coverage.md").read_text(), re.S)
    assert documented
    bad.stderr.fnmatch_lines([f"*{' '.join(documented[1].split())}*"])


def test_coverage_page_lists_every_option() -> None:
    from pytest_mcp.surface.plugin import OPTIONS

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
    assert write_project(mcp_pytester, "snapshots.md") == ["test_snapshots_example.py"]
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
    from pytest_mcp.markers import options_signature
    from pytest_mcp.snapshots.options import SnapshotOptions

    defaults = ", ".join(
        f"{name}={parameter.default!r}" for name, parameter in options_signature(SnapshotOptions).parameters.items()
    )
    assert f"@pytest.mark.mcp_snapshot({defaults})" in blocks("snapshots.md", "python")[1]


# -- reports.md -------------------------------------------------------------------------------


def xml_properties(block: str) -> list[tuple[str, str]]:
    return [(p.get("name", ""), p.get("value", "")) for p in ET.fromstring(block).iter("property")]


def test_reports_page(pytester: pytest.Pytester) -> None:
    """The page's commands write the report and the JUnit XML properties the page shows."""
    pytest.importorskip("pytest_html")
    assert "test_reports_example.py" in write_project(pytester, "reports.md")
    command, suite_command = blocks("reports.md", "console")
    result = pytester.runpytest(*command_line(command), *QUIET)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*Error executing tool divide*"])
    html = (pytester.path / "report.html").read_text()
    assert "MCP transcript: mcp_client" in html and "MCP surface coverage" in html
    mcp_test, suite_item = blocks("reports.md", "xml")
    assert properties(pytester.path / "junit.xml")["test_paint"] == xml_properties(mcp_test)

    suite = pytester.runpytest(*command_line(suite_command), "-k", "tools.list.names", *QUIET)
    suite.assert_outcomes(passed=6)  # one item per tool (divide, paint, ping_me) and era; the page's tests deselected
    name = ET.fromstring(suite_item).get("name", "")
    assert properties(pytester.path / "suite.xml")[name] == xml_properties(suite_item)
