"""The suite's items are collected like any test (``suite/collect.py``): counted in the header, listed by
``--collect-only``, selectable by node id, and seen by ``-k``, ``-m``, ``--deselect``, ``--lf`` and xdist.

The target is the raw server with one planted defect: the tool ``add`` returns structuredContent that
violates its outputSchema, so ``tools.call.result-valid`` fails for ``add`` in both eras and passes for
the other tools. The expected node ids are worked out from the registry and the server's lists (the
way the suite plans its cases), not read from a run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from pytest_mcp.suite.items import plan, with_subjects
from pytest_mcp.suite.registry import checks_in

from .conftest import CheckRunner, raw_stdio

TARGET = raw_stdio("bad-structured")
RESULT = "mcp-suite::conformance[tools.call.result-valid]"
FAILING = [f"{RESULT}[2025-11-25][stdio][add]", f"{RESULT}[2026-07-28][stdio][add]"]
PASSING = f"{RESULT}[2025-11-25][stdio][echo]"
MINE = "test_mine.py::test_ok"


def literal(line: str) -> str:
    """``line`` as an fnmatch pattern matching only itself (node ids hold brackets)."""
    return re.sub(r"([*?[])", r"[\1]", line)


def run(pytester: pytest.Pytester, *extra: str, cache: bool = False) -> pytest.RunResult:
    no_cache = () if cache else ("-p", "no:cacheprovider")
    return pytester.runpytest(f"--mcp-server={TARGET}", "--mcp-suite=conformance", *no_cache, *extra)


@pytest.fixture(scope="module")
def node_ids() -> Iterator[list[str]]:
    """Every node id of the conformance suite against ``TARGET``, in the suite's order."""
    runner = CheckRunner(TARGET)
    try:
        cases = with_subjects(plan(checks_in(("conformance",)), runner.runtime.transport), runner.runtime)
        yield [f"mcp-suite::{case.name}" for case in cases]
    finally:
        runner.close()


@pytest.fixture
def suite(mcp_pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with one test of its own, next to which the suite runs."""
    mcp_pytester.makepyfile(test_mine="def test_ok():\n    pass\n")
    return mcp_pytester


def test_the_fixture_knows_the_items_this_file_is_about(node_ids: list[str]) -> None:
    assert {*FAILING, PASSING} <= set(node_ids)
    assert len(node_ids) == len(set(node_ids)) > 100


def test_the_header_counts_the_suite_items_and_collect_only_shows_their_collector(
    suite: pytest.Pytester, node_ids: list[str]
) -> None:
    result = run(suite, "--collect-only")
    first = node_ids[0].removeprefix("mcp-suite::")
    result.stdout.fnmatch_lines(
        [
            f"collected {len(node_ids) + 1} items",
            "",
            f"<Dir {suite.path.name}>",
            "  <Module test_mine.py>",
            "    <Function test_ok>",
            "<SuiteCollector mcp-suite>",
            literal(f"  <SuiteItem {first}>"),
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines([f"*= {len(node_ids) + 1} tests collected in *"])
    assert result.ret == pytest.ExitCode.OK


def test_collect_only_q_prints_every_node_id(suite: pytest.Pytester, node_ids: list[str]) -> None:
    result = run(suite, "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [MINE, *map(literal, node_ids), "", f"{len(node_ids) + 1} tests collected in *"], consecutive=True
    )


def test_a_printed_node_id_selects_exactly_that_item(suite: pytest.Pytester, node_ids: list[str]) -> None:
    plain = node_ids[0]  # a check of no single subject
    result = run(suite, "-v", PASSING, MINE, plain)
    result.stdout.fnmatch_lines(
        [
            "collecting ... collected 3 items",
            "",
            f"{MINE} PASSED *",
            f"{literal(plain)} PASSED *",
            f"{literal(PASSING)} PASSED *",
            "",
            "*= 3 passed in *",
        ],
        consecutive=True,
    )


def test_only_suite_node_ids_collect_no_test_paths(suite: pytest.Pytester) -> None:
    result = run(suite, "--collect-only", "-q", *FAILING)
    result.stdout.fnmatch_lines([*map(literal, FAILING), "", "2 tests collected in *"], consecutive=True)


def test_a_node_id_without_parametrization_selects_every_item_of_that_name(
    suite: pytest.Pytester, node_ids: list[str]
) -> None:
    """``mcp-suite::conformance`` is the whole suite, as ``test_file.py::test_f`` is every ``test_f[...]``."""
    result = run(suite, "--collect-only", "-q", "mcp-suite::conformance")
    result.stdout.fnmatch_lines(
        [*map(literal, node_ids), "", f"{len(node_ids)} tests collected in *"], consecutive=True
    )


def test_a_node_id_that_selects_nothing_is_a_usage_error(suite: pytest.Pytester) -> None:
    unknown = f"{RESULT}[2025-11-25][stdio][no-such-tool]"
    result = run(suite, "--collect-only", PASSING, unknown)
    result.stderr.fnmatch_lines(
        [
            f"ERROR: not found: {literal(unknown)}",
            "(no match in any of [[]<SuiteCollector mcp-suite>]; --collect-only -q lists the node ids)",
        ],
        consecutive=True,
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_k_selects_among_the_collected_items(suite: pytest.Pytester, node_ids: list[str]) -> None:
    result = run(suite, "-k", "tools.call.result-valid and add", "-rf")
    total = len(node_ids) + 1
    result.stdout.fnmatch_lines([f"collected {total} items / {total - 2} deselected / 2 selected"])
    # Not consecutive: with CI set, pytest prints each summary line with its whole (multi-line) message.
    result.stdout.fnmatch_lines([f"FAILED {literal(FAILING[0])}*", f"FAILED {literal(FAILING[1])}*"])
    result.assert_outcomes(failed=2, deselected=total - 2)


def test_deselect_takes_a_suite_node_id(suite: pytest.Pytester, node_ids: list[str]) -> None:
    selected = [node_id for node_id in node_ids if node_id.startswith(RESULT)]
    result = run(suite, "-k", "tools.call.result-valid", "--deselect", FAILING[0], "-rf")
    total = len(node_ids) + 1
    kept = len(selected) - 1
    result.stdout.fnmatch_lines([f"collected {total} items / {total - kept} deselected / {kept} selected"])
    result.stdout.fnmatch_lines([f"FAILED {literal(FAILING[1])}*"])
    result.assert_outcomes(passed=kept - 1, failed=1, deselected=total - kept)


def test_m_selects_the_suite_items_by_marker(suite: pytest.Pytester, node_ids: list[str]) -> None:
    result = run(suite, "--collect-only", "-m", "conformance")
    total = len(node_ids) + 1
    result.stdout.fnmatch_lines([f"collected {total} items / 1 deselected / {total - 1} selected"])


def test_lf_reruns_only_the_suite_items_that_failed(suite: pytest.Pytester, node_ids: list[str]) -> None:
    total = len(node_ids) + 1
    selected = len([node_id for node_id in node_ids if node_id.startswith(RESULT)])
    first = run(suite, "-k", "tools.call.result-valid", cache=True)
    first.assert_outcomes(passed=selected - 2, failed=2, deselected=total - selected)
    again = run(suite, "--lf", "-rf", cache=True)
    again.stdout.fnmatch_lines(
        [
            f"collected {total} items / {total - 2} deselected / 2 selected",
            "run-last-failure: rerun previous 2 failures",
        ],
        consecutive=True,
    )
    again.stdout.fnmatch_lines([f"FAILED {literal(FAILING[0])}*", f"FAILED {literal(FAILING[1])}*"])
    again.assert_outcomes(failed=2, deselected=total - 2)


def test_xdist_workers_collect_the_node_ids_given(suite: pytest.Pytester) -> None:
    result = suite.runpytest_subprocess(
        f"--mcp-server={TARGET}", "--mcp-suite=conformance", "-p", "no:cacheprovider", "-n", "2", "-rf",
        PASSING, FAILING[0], MINE,
    )  # fmt: skip
    result.stdout.fnmatch_lines(["created: 2/2 workers", "2 workers [[]3 items]"], consecutive=True)
    result.stdout.fnmatch_lines([f"FAILED {literal(FAILING[0])}*"])
    result.assert_outcomes(passed=2, failed=1)


def test_official_node_ids_select_official_items_only(mcp_pytester: pytest.Pytester) -> None:
    """A stdio target gets the official suite's one setup item (it tests HTTP servers); selecting it by
    node id leaves the conformance suite out."""
    result = mcp_pytester.runpytest(
        f"--mcp-server={raw_stdio()}",
        "--mcp-suite=conformance",
        "--mcp-official-conformance",
        "-p",
        "no:cacheprovider",
        "--collect-only",
        "-q",
        "mcp-official::official[setup]",
    )
    result.stdout.fnmatch_lines(["mcp-official::official[[]setup]", "", "1 test collected in *"], consecutive=True)
