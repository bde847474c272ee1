"""Reports: JUnit XML properties of MCP tests, and the pytest-html report checked in a real browser."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

SERVER = "tests.coverage.surface_server:make_server"
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--no-first-run",
]

REPORTED_TESTS = """
import pytest

pytestmark = pytest.mark.anyio


async def test_paint(mcp_client):
    assert (await mcp_client.call("paint", color="green")).text == "green/0"


async def test_divide_goes_wrong(mcp_client):
    result = await mcp_client.call("divide", a=6, b=3)
    assert result.structured_content == {"result": 2.0}
    assert (await mcp_client.call("divide", a=1, b=0)).text == "infinity"


def test_plain():
    assert True
"""


def properties(path: Path) -> dict[str, list[tuple[str, str]]]:
    tree = ET.parse(path)
    return {
        case.get("name", ""): [(p.get("name", ""), p.get("value", "")) for p in case.iter("property")]
        for case in tree.iter("testcase")
    }


def test_junit_xml_carries_server_transport_and_era(mcp_pytester: pytest.Pytester) -> None:
    command = f"{sys.executable} -m tests.coverage.surface_server"
    mcp_pytester.makepyfile(
        test_junit=f"""
        import pytest

        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_era("both")
        async def test_mcp(mcp_client):
            await mcp_client.call("ping_me")

        @pytest.mark.mcp_server({command!r})
        async def test_stdio(mcp_client):
            await mcp_client.call("ping_me")

        def test_plain():
            pass
        """
    )
    result = mcp_pytester.runpytest(f"--mcp-server={SERVER}", "--junitxml=junit.xml")
    result.assert_outcomes(passed=4)
    found = properties(mcp_pytester.path / "junit.xml")
    in_process = [
        ("mcp_server", "in-process server tests.coverage.surface_server:make_server"),
        ("mcp_transport", "in_process"),
    ]
    assert found["test_mcp[2025-11-25]"] == [*in_process, ("mcp_era", "2025-11-25")]
    assert found["test_mcp[2026-07-28]"] == [*in_process, ("mcp_era", "2026-07-28")]
    assert found["test_stdio"] == [
        ("mcp_server", f"stdio server `{command}`"),
        ("mcp_transport", "stdio"),
        ("mcp_era", "2026-07-28"),
    ]
    assert found["test_plain"] == []


def test_junit_xml_of_suite_items_carries_check_ids_and_spec_links(mcp_pytester: pytest.Pytester) -> None:
    """Both ways of running the built-in suite: ``--mcp-suite`` items and ``checks_for`` in a module."""
    mcp_pytester.makepyfile(
        test_own_suite="""
        from pytest_mcp.suite.api import checks_for

        test_conformance = checks_for("conformance")
        """
    )
    result = mcp_pytester.runpytest(
        f"--mcp-server={SERVER}", "--mcp-suite=conformance", "-k", "tools.list.names", "--junitxml=junit.xml"
    )
    result.assert_outcomes(passed=8)
    found = properties(mcp_pytester.path / "junit.xml")
    tools = ("divide", "paint", "ping_me")
    names = {
        era: [
            *(f"conformance[tools.list.names][{era}][inproc][{tool}]" for tool in tools),
            f"test_conformance[conformance-tools.list.names-{era}-inproc]",  # checks_for: one item over every tool
        ]
        for era in ("2025-11-25", "2026-07-28")
    }
    assert sorted(found) == sorted(name for pair in names.values() for name in pair)
    for era, pair in names.items():
        for name in pair:
            props = dict(found[name])
            assert props.get("mcp_subject") == (name.rsplit("[", 1)[1][:-1] if name.startswith("conformance") else None)
            assert props["mcp_check"] == "tools.list.names", name
            assert props["mcp_spec"] == f"https://modelcontextprotocol.io/specification/{era}/server/tools#tool-names"
            assert props["mcp_checklist"] == "#37"
            assert (props["mcp_level"], props["mcp_era"], props["mcp_transport"]) == ("SHOULD", era, "inproc")


def chromium() -> str:
    """Debian's chromium (on PATH or where the package puts it); skipped when missing, failed in CI."""
    found = shutil.which("chromium") or (DEBIAN_CHROMIUM if Path(DEBIAN_CHROMIUM).is_file() else None)
    if found is None:
        missing_in_ci_or_skip("chromium is missing: apt-get install -y chromium (no Playwright browser download)")
    return found  # type: ignore[return-value]


def missing_in_ci_or_skip(reason: str) -> None:
    """Skip on a developer's machine; in CI (``CI`` set, and .ci/run installs what is needed) fail."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} [CI is set, so this check may not be skipped]", pytrace=False)
    pytest.skip(reason)


def html_report(pytester: pytest.Pytester, *extra: str) -> Path:
    pytest.importorskip("pytest_html")
    pytester.makepyfile(test_reported=REPORTED_TESTS)
    result = pytester.runpytest(
        f"--mcp-server={SERVER}", "--mcp-cov", "--html=report.html", "--self-contained-html", *extra
    )
    result.assert_outcomes(passed=2, failed=1)
    return pytester.path / "report.html"


def report_data(path: Path) -> dict[str, Any]:
    """The JSON blob a pytest-html 4 report renders its rows from."""
    found = re.search(r'data-jsonblob="([^"]*)"', path.read_text())
    assert found, "no data-jsonblob in the pytest-html report"
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


def test_the_html_file_holds_the_transcript_extra_and_the_coverage_table(mcp_pytester: pytest.Pytester) -> None:
    path = html_report(mcp_pytester)
    tests = report_data(path)["tests"]
    failed = tests["test_reported.py::test_divide_goes_wrong"][0]
    assert failed["result"] == "Failed"
    kinds = [(extra["format_type"], extra["name"]) for extra in failed["extras"]]
    assert kinds == [("html", None), ("text", "MCP transcript JSONL: mcp_client")]
    transcript = failed["extras"][0]["content"]
    assert transcript.startswith('<div class="mcp-transcript">')
    assert "<h4>MCP transcript: mcp_client</h4>" in transcript
    assert "<td>tools/call</td>" in transcript
    for passed in ("test_reported.py::test_paint", "test_reported.py::test_plain"):
        assert tests[passed][0]["extras"] == []  # --mcp-transcript=on-failure: nothing for passing tests
    page = html.unescape(path.read_text())
    assert '<div class="mcp-coverage">' in page
    assert "<td>tool paint</td><td>7</td><td>3</td><td>43%</td>" in page
    assert "<td>tool divide</td><td>4</td><td>4</td><td>100%</td>" in page


def test_with_transcript_always_each_mcp_test_shows_its_transcript_once(mcp_pytester: pytest.Pytester) -> None:
    tests = report_data(html_report(mcp_pytester, "--mcp-transcript=always"))["tests"]
    for name in ("test_paint", "test_divide_goes_wrong"):
        (row,) = tests[f"test_reported.py::{name}"]
        kinds = [(extra["format_type"], extra["name"]) for extra in row["extras"]]
        assert kinds == [("html", None), ("text", "MCP transcript JSONL: mcp_client")], name
    assert tests["test_reported.py::test_plain"][0]["extras"] == []  # no MCP client, no transcript


def test_transcript_html_escapes_what_the_server_sent() -> None:
    from pytest_mcp.client.transcript import Transcript
    from pytest_mcp.reports.html import transcript_html

    transcript = Transcript(label="client <1>")
    transcript.add(
        "->", "request", "tools/call", 1, {"name": "echo", "arguments": {"text": "<script>alert(1)</script>"}}
    )
    transcript.add("<-", "response", "tools/call", 1, {"content": [{"type": "text", "text": "x" * 500}]}, elapsed=0.002)
    rendered = transcript_html(transcript.label, transcript)
    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "MCP transcript: client &lt;1&gt;" in rendered
    assert "<details><summary>" in rendered  # the long payload is folded, its preview shown
    assert "2.0 ms" in rendered


@pytest.mark.slow
def test_the_html_report_shows_the_transcript_of_a_failing_test_in_a_browser(mcp_pytester: pytest.Pytester) -> None:
    try:
        from playwright import sync_api
    except ImportError:
        missing_in_ci_or_skip("playwright is missing: pip install -e '.[dev]' (no browser download needed)")
    executable = chromium()
    report = html_report(mcp_pytester)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            page = browser.new_page()
            page.goto(report.as_uri(), timeout=30_000)
            page.wait_for_selector("#results-table", timeout=30_000)

            transcript = page.locator(".mcp-transcript")
            assert transcript.count() == 1
            assert transcript.first.is_visible()
            shown = transcript.first.inner_text()
            assert "MCP transcript: mcp_client" in shown
            assert "tools/call" in shown
            assert '"name": "divide"' in shown
            assert '"isError": true' in shown  # the reply to divide(1, 0), in the payload column

            failed_row = page.locator("tbody.results-table-row", has=page.locator("td.col-result", has_text="Failed"))
            assert failed_row.count() == 1
            assert "test_divide_goes_wrong" in failed_row.first.inner_text()
            assert failed_row.first.locator(".mcp-transcript").is_visible()

            coverage = page.locator(".mcp-coverage")
            assert coverage.is_visible()
            table = coverage.inner_text()
            assert "MCP surface coverage" in table
            assert "tool divide" in table
            assert "TOTAL" in table
        finally:
            browser.close()


def test_a_missing_browser_skips_with_the_reason_but_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys.modules[__name__], "DEBIAN_CHROMIUM", str(tmp_path / "chromium"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"chromium is missing: apt-get install -y chromium"):
        chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(
        pytest.fail.Exception, match=r"chromium is missing: .*\[CI is set, so this check may not be skipped\]"
    ):
        chromium()
    (tmp_path / "chromium").write_text("#!/bin/sh\n")
    (tmp_path / "chromium").chmod(0o755)
    assert chromium() == str(tmp_path / "chromium")
