"""``--mcp-official-conformance``: the official suite's checks as pytest items.

A fake runner (``fake_conformance.py``, selected with ``PYTEST_MCP_CONFORMANCE_COMMAND``) proves the
translation of every status and the skip reasons without Node; the last test runs the real pinned
package against server-everything when Node 22 and the package are installed (see
docs/suite/official.md), and skips saying how to install them otherwise.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from pytest_mcp.suite.official_runner import PINNED, find_runner, parse_output

from ..conftest import DEMO, node_server
from .http_servers import ROOT, serve, serve_everything

HERE = Path(__file__).resolve().parent
FAKE = f"{sys.executable} {HERE / 'fake_conformance.py'}"
REPO_CACHE = ROOT / ".cache" / "pytest-mcp"


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    """The demo server (both eras) over Streamable HTTP."""
    with serve([sys.executable, "-m", "tests.servers.demo", "--http", "--port", "{port}"]) as url:
        yield url


@pytest.fixture
def no_official(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An environment where neither a Node >= 22 nor the package can be found."""
    monkeypatch.delenv("PYTEST_MCP_CONFORMANCE_COMMAND", raising=False)
    monkeypatch.delenv("PYTEST_MCP_CONFORMANCE", raising=False)
    monkeypatch.setenv("PYTEST_MCP_NODE", str(tmp_path / "no-node-here"))
    monkeypatch.setenv("PYTEST_MCP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))


def test_every_official_status_becomes_an_outcome(
    mcp_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, demo_url: str
) -> None:
    log = tmp_path / "argv.jsonl"
    monkeypatch.setenv("PYTEST_MCP_CONFORMANCE_COMMAND", FAKE)
    monkeypatch.setenv("FAKE_CONFORMANCE_LOG", str(log))
    result = mcp_pytester.runpytest(
        f"--mcp-server={demo_url}", "--mcp-official-conformance", "-rA", "-p", "no:cacheprovider", "--junitxml=j.xml"
    )
    # per era: SUCCESS x3 + WARNING + INFO x2 pass, FAILURE fails, SKIPPED skips; the demo speaks both eras
    result.assert_outcomes(passed=12, failed=2, skipped=2)
    result.stdout.fnmatch_lines(
        [
            "*official FAILED] tools-call-image / tools-call-image (2025-11-25): Tool test_image_content not found*",
            "*Spec: https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/ping*",
            '*Details: {"result":{"isError":true}}*',
            "*called tools/call test_image_content*",
            f"*Reproduce: * server --url {demo_url} --spec-version 2025-11-25 --scenario tools-call-image*",
        ]
    )
    output = result.stdout.str()
    assert "official tools-call-sampling/tools-call-sampling: the server has no sampling tool" in output
    assert "PASSED mcp-official::official[ping][wire-schema-valid][2026-07-28]" in output
    assert "PASSED mcp-official::official[dns-rebinding-protection][note-2][2025-11-25]" in output
    assert "[official WARNING] dns-rebinding-protection / localhost-host-valid-accepted (2025-11-25)" in output
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert [call[call.index("--spec-version") + 1] for call in calls] == ["2025-11-25", "2026-07-28"]
    assert all(call[0] == "server" and call[call.index("--url") + 1] == demo_url for call in calls)
    cases = ElementTree.parse(mcp_pytester.path / "j.xml").getroot().iter("testcase")
    properties = {case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")} for case in cases}
    image = properties["official[tools-call-image][tools-call-image][2026-07-28]"]
    assert image["mcp_official_status"] == "FAILURE" and image["mcp_era"] == "2026-07-28"
    assert image["mcp_spec"].startswith("https://modelcontextprotocol.io/")


def test_markers_select_official_items(
    mcp_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, demo_url: str
) -> None:
    monkeypatch.setenv("PYTEST_MCP_CONFORMANCE_COMMAND", FAKE)
    result = mcp_pytester.runpytest(
        f"--mcp-server={demo_url}", "--mcp-official-conformance", "-m", "mcp_official and mcp_2026_07_28", "-q"
    )
    result.assert_outcomes(passed=6, failed=1, skipped=1, deselected=8)


def test_a_runner_that_reports_nothing_fails_with_its_output(
    mcp_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, demo_url: str
) -> None:
    monkeypatch.setenv("PYTEST_MCP_CONFORMANCE_COMMAND", FAKE)
    monkeypatch.setenv("FAKE_CONFORMANCE_MODE", "silent")
    result = mcp_pytester.runpytest(f"--mcp-server={demo_url}", "--mcp-official-conformance")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["*the official suite exited with 3 and reported no checks (2025-11-25)*", "*conformance: could not connect*"]
    )


@pytest.mark.usefixtures("no_official")
def test_missing_node_and_package_skip_with_how_to_install(mcp_pytester: pytest.Pytester, demo_url: str) -> None:
    result = mcp_pytester.runpytest(f"--mcp-server={demo_url}", "--mcp-official-conformance", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*official conformance suite cannot run: no Node >= 22 found*"
            f"@modelcontextprotocol/conformance@{PINNED} is not installed. "
            "Install them with `python -m pytest_mcp.suite.official_runner install`*"
        ]
    )


def test_a_stdio_target_skips_the_official_suite(
    mcp_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_MCP_CONFORMANCE_COMMAND", FAKE)
    result = mcp_pytester.runpytest(f"--mcp-server={DEMO}", "--mcp-official-conformance", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*official conformance suite tests HTTP servers only*give --mcp-server an http://*"])


def test_an_old_package_version_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    package = tmp_path / "conformance"
    (package / "dist").mkdir(parents=True)
    (package / "dist" / "index.js").write_text("")
    (package / "package.json").write_text(json.dumps({"version": "0.1.16"}))
    monkeypatch.delenv("PYTEST_MCP_CONFORMANCE_COMMAND", raising=False)
    monkeypatch.setenv("PYTEST_MCP_CONFORMANCE", str(package))
    monkeypatch.setenv("PYTEST_MCP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    found = find_runner(tmp_path)
    assert isinstance(found, str)
    assert f"is not the pinned {PINNED}: {package} has version 0.1.16" in found


def test_output_folders_are_read_by_scenario(tmp_path: Path) -> None:
    folder = tmp_path / "server-tools-list-2026-01-01T10-00-00-000Z"
    folder.mkdir()
    (folder / "checks.json").write_text(json.dumps([{"id": "tools-list", "status": "success"}, {"no": "id"}]))
    (tmp_path / "server-broken-2026-01-01T10-00-00-001Z").mkdir()  # no checks.json: ignored
    [check] = parse_output(tmp_path)
    assert (check.scenario, check.id, check.status) == ("tools-list", "tools-list", "SUCCESS")


def test_the_real_official_suite_against_server_everything(
    mcp_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Node 22 and the pinned package from the cache (or the environment); skipped when absent."""
    monkeypatch.delenv("PYTEST_MCP_CONFORMANCE_COMMAND", raising=False)
    if not os.environ.get("PYTEST_MCP_CACHE_DIR"):
        monkeypatch.setenv("PYTEST_MCP_CACHE_DIR", str(REPO_CACHE))
    runner = find_runner(ROOT)
    if isinstance(runner, str):
        pytest.skip(runner)
    with serve_everything(node_server("server-everything")) as url:
        result = mcp_pytester.runpytest(f"--mcp-server={url}", "--mcp-official-conformance", "-rf", "-q")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 40, result.stdout.str()
    assert outcomes.get("passed", 0) + outcomes.get("failed", 0) >= 60
    # the two protocol findings the official suite reports against server-everything (docs/dev/third-party-servers.md)
    output = result.stdout.str()
    for finding in (
        "official[dns-rebinding-protection][localhost-host-rebinding-rejected][2025-11-25]",
        "official[server-session-lifecycle][server-session-terminated-returns-404][2025-11-25]",
    ):
        assert f"FAILED mcp-official::{finding}" in output
    assert "FAILED mcp-official::official[ping][ping][2025-11-25]" not in output


def test_with_a_bearer_token_the_official_suite_is_skipped(
    mcp_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, demo_url: str
) -> None:
    monkeypatch.setenv("PYTEST_MCP_CONFORMANCE_COMMAND", FAKE)
    result = mcp_pytester.runpytest(
        f"--mcp-server={demo_url}", "--mcp-official-conformance", "--mcp-auth-token=secret-token-1", "-rs"
    )
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*official conformance suite cannot send a bearer token*"])
    assert "secret-token-1" not in result.stdout.str()
