"""The plugin as a guest in a project: opt-in category markers, ini paths relative to the ini file,
a report header that shows only what the run uses, and docs links a pip user can open."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import pytest_mcp
from pytest_mcp._docs import DOCS_URL, docs_url
from pytest_mcp.markers import CATEGORY_MARKERS, SUITE_MARKERS
from pytest_mcp.suite.options import OPT_IN_SUITES, SUITE_MARKER_NAMES, SUITES

from .conftest import INI

SLOW_TEST = """
import pytest

@pytest.mark.slow
def test_slow(): pass
"""

MCP_TEST = """
import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("tests.servers.demo:make_server")]

async def test_echo(mcp_client):
    await mcp_client.call("echo", text="hi")
"""

# -- category markers: opt-in ---------------------------------------------------------------------


def test_without_the_switch_strict_markers_rejects_an_unregistered_slow(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_slow=SLOW_TEST)
    # in a subprocess: in-process, pytest's MARK_GEN remembers the markers this (opted-in) run registered
    result = pytester.runpytest_subprocess("--strict-markers")
    result.stdout.fnmatch_lines(["ERROR test_slow.py - Failed: 'slow' not found in `markers` configuration option"])
    assert result.ret == pytest.ExitCode.INTERRUPTED


@pytest.mark.parametrize(
    ("ini", "args"),
    [("[pytest]\nmcp_category_markers = true\n", ()), ("[pytest]\n", ("--mcp-category-markers",))],
    ids=["ini", "flag"],
)
def test_with_the_switch_category_markers_are_accepted_and_listed(
    pytester: pytest.Pytester, ini: str, args: tuple[str, ...]
) -> None:
    pytester.makeini(ini)
    pytester.makepyfile(test_slow=SLOW_TEST)
    pytester.runpytest_subprocess("--strict-markers", *args).assert_outcomes(passed=1)
    listed = pytester.runpytest("--markers", "-p", "no:benchmark", *args)
    listed.stdout.fnmatch_lines(
        [
            "@pytest.mark.unit: fast tests of single units, with collaborators mocked "
            "(registered by pytest_mcp: mcp_category_markers)",
            "",
            "@pytest.mark.integration: tests against real collaborators (database, processes) "
            "(registered by pytest_mcp: mcp_category_markers)",
            "",
            "@pytest.mark.e2e: end-to-end workflows against a server in a subprocess "
            "(registered by pytest_mcp: mcp_category_markers)",
            "",
            "@pytest.mark.contract: protocol and schema contract tests (registered by pytest_mcp: mcp_category_markers)",
            "",
            "@pytest.mark.chaos: fault-injection and resilience tests (registered by pytest_mcp: mcp_category_markers)",
            "",
            "@pytest.mark.benchmark: performance benchmarks (registered by pytest_mcp: mcp_category_markers)",
            "",
            "@pytest.mark.load: load and SLO tests (registered by pytest_mcp: mcp_category_markers)",
            "",
            "@pytest.mark.snapshot: snapshot tests (registered by pytest_mcp: mcp_category_markers)",
            "",
            "@pytest.mark.slow: tests that take more than a second or so (registered by pytest_mcp: mcp_category_markers)",
        ],
        consecutive=True,
    )


def test_the_plugin_s_own_markers_are_always_listed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        [
            f"@pytest.mark.mcp_server(*targets: Any, fresh: bool = False): Test against these targets (several "
            f"targets parametrize the test, one id per target). See {DOCS_URL}reference/markers.md.",
            "@pytest.mark.conformance: MCP specification conformance checks (registered by pytest_mcp for its suite's items)",
            "@pytest.mark.fuzz: property-based / fuzz tests (registered by pytest_mcp for its suite's items)",
            "@pytest.mark.security: authentication, authorization and hostile-input tests "
            "(registered by pytest_mcp for its suite's items)",
            f"@pytest.mark.mcp_chaos(*, seed: int | None = None, *). See {DOCS_URL}chaos.md.",
        ]
    )
    text = result.stdout.str()
    for name in ("mcp_era", "mcp_timeout", "mcp_fresh_server", "mcp_client", "mcp_token", "mcp_load", "mcp_suite"):
        assert f"@pytest.mark.{name}(" in text, name
    for name in CATEGORY_MARKERS:
        assert f"@pytest.mark.{name}: " not in text or name == "benchmark", name
    result.stdout.no_fnmatch_line("*(registered by pytest_mcp: mcp_category_markers)")


def test_the_suite_s_markers_select_under_strict_markers_without_the_switch(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.security
        def test_probe(): pass

        @pytest.mark.fuzz
        def test_inputs(): pass
        """
    )
    result = pytester.runpytest_subprocess("--strict-markers", "-m", "security", "-v")
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(["test_*.py::test_probe PASSED*"])


def test_benchmark_is_registered_once_beside_pytest_benchmark(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_benchmark")
    pytester.makeini("[pytest]\nmcp_category_markers = true\n")
    result = pytester.runpytest("--markers")
    benchmark = [line for line in result.outlines if line.startswith("@pytest.mark.benchmark")]
    assert benchmark == ["@pytest.mark.benchmark: mark a test with custom benchmark settings."]


def test_a_conftest_s_own_category_marker_is_not_listed_twice(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmcp_category_markers = true\n")
    pytester.makeconftest(
        """
        def pytest_configure(config):
            config.addinivalue_line("markers", "slow: our conftest's slow")
        """
    )
    result = pytester.runpytest("--markers")
    slow = [line for line in result.outlines if line.startswith("@pytest.mark.slow")]
    assert slow == ["@pytest.mark.slow: our conftest's slow"]


def test_the_suite_s_marker_table_names_every_suite() -> None:
    marked = {SUITE_MARKER_NAMES.get(suite, suite) for suite in SUITES + OPT_IN_SUITES}
    assert set(SUITE_MARKERS) == marked
    assert not set(SUITE_MARKERS) & set(CATEGORY_MARKERS)


# -- paths in ini files -----------------------------------------------------------------------------


def test_ini_paths_are_relative_to_the_ini_file_and_flags_to_the_invocation_directory(
    mcp_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = mcp_pytester.path
    mcp_pytester.makeini(
        INI + "mcp_transcript = always\nmcp_transcript_dir = reports/transcripts\nmcp_cov_report = reports/cov.json\n"
    )
    sub = root / "sub"
    sub.mkdir()
    (sub / "test_echo.py").write_text(MCP_TEST)
    monkeypatch.chdir(sub)

    result = mcp_pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"mcp: transcript=always, transcript-dir={root / 'reports' / 'transcripts'}"])
    assert [path.suffix for path in (root / "reports" / "transcripts").iterdir()] == [".jsonl"]
    assert (root / "reports" / "cov.json").is_file()
    assert not (sub / "reports").exists()

    result = mcp_pytester.runpytest("--mcp-transcript-dir=out", "--mcp-cov-report=cov.json")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["mcp: transcript=always, transcript-dir=out"])
    assert [path.suffix for path in (sub / "out").iterdir()] == [".jsonl"]
    assert (sub / "cov.json").is_file()


def test_an_ini_baseline_is_read_next_to_the_ini_file(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\nmcp_baseline = mcp-baseline.txt\n")
    (pytester.path / "mcp-baseline.txt").write_text("no-such-check\n")
    (pytester.path / "sub").mkdir()
    monkeypatch.chdir(pytester.path / "sub")
    result = pytester.runpytest()
    result.stderr.fnmatch_lines(
        [
            f"ERROR: --mcp-baseline {pytester.path / 'mcp-baseline.txt'}:1: no check is called 'no-such-check'. "
            f"See {DOCS_URL}suite/index.md for every check id."
        ]
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR


# -- the report header ------------------------------------------------------------------------------


def test_a_run_without_mcp_shows_no_mcp_header_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["rootdir: *"])
    result.stdout.no_fnmatch_line("mcp*")


def test_without_a_server_the_header_shows_only_changed_settings(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest("--mcp-era=both", "--mcp-fuzz-tools=all")
    result.stdout.fnmatch_lines(["mcp: era=both", "rootdir: *"], consecutive=True)
    assert [line for line in result.outlines if line.startswith("mcp")] == ["mcp: era=both"]


def test_a_random_chaos_seed_is_shown_only_when_a_chaos_test_is_collected(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="def test_plain(): pass",
        test_chaos="""
        import pytest

        @pytest.mark.mcp_chaos(error_rate=0.5)
        def test_faulty(): pass
        """,
    )
    plain = pytester.runpytest("--collect-only", "test_plain.py")
    plain.stdout.no_fnmatch_line("mcp chaos*")
    chaos = pytester.runpytest("--collect-only")
    chaos.stdout.fnmatch_lines(["collected 2 items", "mcp chaos: base seed * (random; replay with --mcp-seed=*)"])
    line = next(line for line in chaos.outlines if line.startswith("mcp chaos"))
    assert re.fullmatch(r"mcp chaos: base seed (\d+) \(random; replay with --mcp-seed=\1\)", line)


# -- documentation links ------------------------------------------------------------------------------


def test_docs_urls() -> None:
    assert DOCS_URL == "https://github.com/pytest-mcp-testkit/pytest-mcp-testkit/blob/main/docs/"
    assert docs_url("load.md", "slos") == DOCS_URL + "load.md#slos"
    assert docs_url("reference/markers.md") == DOCS_URL + "reference/markers.md"


def test_help_and_marker_texts_link_to_the_docs_online(pytester: pytest.Pytester) -> None:
    help_text = "".join(pytester.runpytest("--help").stdout.str().split())  # --help wraps, even inside a URL
    assert f"ones).See{DOCS_URL}reference/markers.md#category-markers" in help_text
    assert f"(see{DOCS_URL}coverage.md)" in help_text
    markers = pytester.runpytest("--markers").stdout.str()
    assert f"(pytest_mcp suite; see {DOCS_URL}suite/index.md)" in markers
    links = [token.lstrip("(") for token in re.findall(r"\S*docs/\S*", markers)]
    assert len(links) > 10 and all(link.startswith(DOCS_URL) for link in links), links


def test_no_message_of_the_package_names_a_repository_path() -> None:
    """String literals (not docstrings) that name ``docs/`` must build the URL with ``docs_url``."""
    found = []
    for path in sorted(Path(pytest_mcp.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        found += [
            f"{path.name}:{node.lineno}: {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and re.search(r"(?<![/\w])docs/", node.value)
        ]
    assert not found, "\n".join(found)
