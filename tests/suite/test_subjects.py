"""Checks about one tool, resource, template or prompt: one item per listed subject, baselined one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mcp.suite.baseline import entry_line, parse_baseline
from pytest_mcp.suite.registry import REGISTRY, SUBJECT_KINDS, load_checks
from pytest_mcp.suite.runtime import SuiteOptions
from pytest_mcp.suite.subjects import KINDS, MAX_SUBJECTS, subject_id, subject_keys

from .conftest import raw_stdio, toolbed

RESULT = "tools.call.result-valid"


def suite(pytester: pytest.Pytester, target: str, *extra: str) -> pytest.RunResult:
    return pytester.runpytest(f"--mcp-server={target}", "--mcp-suite=conformance", "-p", "no:cacheprovider", *extra)


def test_a_check_about_one_tool_has_an_item_per_tool_sorted_by_name(mcp_pytester: pytest.Pytester) -> None:
    result = suite(mcp_pytester, toolbed(), "--collect-only", "-q", "-k", "schemas-valid and 2025")
    assert [line for line in result.outlines if "schemas-valid" in line] == [
        f"mcp-suite::conformance[tools.list.schemas-valid][2025-11-25][stdio][{tool}]"
        for tool in ("add", "echo", "read")
    ]


def test_only_the_departing_tool_fails_and_its_baseline_line_names_it(mcp_pytester: pytest.Pytester) -> None:
    selection = ("-k", f"{RESULT} and 2025")
    target = raw_stdio("bad-structured")  # add's structuredContent violates its outputSchema; the others are fine
    failing = suite(mcp_pytester, target, *selection, "-q")
    passed = failing.parseoutcomes()["passed"]
    assert passed >= 2
    failing.assert_outcomes(passed=passed, failed=1)
    lines = failing.outlines  # exact lines: test ids hold brackets, which fnmatch would read as classes
    summary = [line.split(" - ")[0] for line in lines if line.startswith("FAILED ")]  # CI=true adds " - message"
    assert summary == [f"FAILED mcp-suite::conformance[{RESULT}][2025-11-25][stdio][add]"]
    assert (
        f"[MUST] {RESULT} (2025-11-25, stdio, add): tool 'add': structuredContent does not conform to the "
        "outputSchema: at (root): 'sum' is a required property" in lines
    )
    assert f"    {RESULT} era=2025-11-25 transport=stdio subject=add" in lines

    baseline = mcp_pytester.path / "baseline.txt"
    baseline.write_text(f"{RESULT} subject=add  # sum is a string\n")
    accepted = suite(mcp_pytester, target, *selection, f"--mcp-baseline={baseline}")
    accepted.assert_outcomes(passed=passed, xfailed=1)
    assert accepted.ret == 0

    baseline.write_text(f"{RESULT} subject=echo  # echo is fine: the entry is stale\n")
    stale = suite(mcp_pytester, target, *selection, f"--mcp-baseline={baseline}")
    stale.assert_outcomes(passed=passed, failed=1)  # add fails; echo passes, so its entry is stale
    stale.stdout.fnmatch_lines([f"*baseline.txt:1: '{RESULT} subject=echo*' is stale*"])
    assert stale.ret == 1


def test_a_list_that_cannot_be_read_leaves_one_item_over_all_subjects(mcp_pytester: pytest.Pytester) -> None:
    """tools/list pages forever: no tool items at collection; the single item fails with the paging problem."""
    target = raw_stdio("pagination-loop")
    collected = suite(mcp_pytester, target, "--collect-only", "-q", "-k", "tools.list.shape and 2025")
    assert [line for line in collected.outlines if "tools.list.shape" in line] == [
        "mcp-suite::conformance[tools.list.shape][2025-11-25][stdio]"
    ]
    run = suite(mcp_pytester, target, "-q", "-k", "tools.list.shape and 2025")
    run.assert_outcomes(failed=1)
    run.stdout.fnmatch_lines(["*tools/list returned the cursor * twice: paging never ends*"])


def test_subject_ids_are_safe_in_test_ids() -> None:
    assert subject_id("get-sum") == "get-sum"
    assert subject_id("a b\tc") == "a_b_c"
    assert subject_id("urn::thing") == "urn_thing"
    long = "file:///" + "x" * 200
    label = subject_id(long)
    assert len(label) == 60 and label.startswith("file:///xxx")
    assert label != subject_id(long + "y")  # the hash keeps long names apart


def test_subject_keys_are_unique_sorted_filtered_and_bounded() -> None:
    options = SuiteOptions()  # --mcp-fuzz-tools=read-only
    read_only = {"readOnlyHint": True}
    tools = [
        {"name": "zeta", "annotations": read_only, "outputSchema": {"type": "object"}},
        {"name": "alpha", "annotations": read_only},
        {"name": "alpha", "annotations": read_only},
        {"name": "delete"},
        {"title": "no name"},
        "not an object",
    ]
    assert subject_keys(KINDS["tool"], tools, options) == ["alpha", "delete", "zeta"]
    assert subject_keys(KINDS["callable-tool"], tools, options) == ["alpha", "zeta"]
    assert subject_keys(KINDS["structured-tool"], tools, options) == ["zeta"]
    prompts = [{"name": "p1", "arguments": [{"name": "x", "required": True}]}, {"name": "p2", "arguments": []}]
    assert subject_keys(KINDS["prompt-with-arguments"], prompts, options) == ["p1"]
    many = [{"uri": f"demo://{index}"} for index in range(MAX_SUBJECTS + 1)]
    assert subject_keys(KINDS["resource"], many, options) is None
    assert subject_keys(KINDS["resource"], many[:MAX_SUBJECTS], options) is not None


def test_every_kind_a_check_may_use_is_defined() -> None:
    load_checks()
    assert set(KINDS) == set(SUBJECT_KINDS)
    assert {check.per for check in REGISTRY.values() if check.per} <= set(SUBJECT_KINDS)


def test_baseline_subject_qualifier(tmp_path: Path) -> None:
    load_checks()
    check = REGISTRY[RESULT]
    path = tmp_path / "b.txt"
    path.write_text(f"{RESULT} subject=get-*  # a glob\ntools.list.names subject=demo[1]\n")
    baseline = parse_baseline(path, REGISTRY)
    assert baseline.find(check, "2025-11-25", "http", "get-env") is baseline.entries[0]
    assert baseline.find(check, "2025-11-25", "http", "echo") is None
    assert baseline.find(check, "2025-11-25", "http", None) is None  # not the item over every tool

    line = entry_line(check, "2025-11-25", "http", "demo[1]")
    assert line == f"{RESULT} era=2025-11-25 transport=http subject=demo[[]1]"
    path.write_text(line + "\n")
    assert parse_baseline(path, REGISTRY).find(check, "2025-11-25", "http", "demo[1]") is not None
    assert entry_line(check, "2025-11-25", "http", "two words") == f"{RESULT} era=2025-11-25 transport=http"

    path.write_text(f"{RESULT} subject=\n")
    with pytest.raises(ValueError, match="subject='' is not one of a name or URI"):
        parse_baseline(path, REGISTRY)


def test_xdist_workers_collect_the_same_subject_items(mcp_pytester: pytest.Pytester) -> None:
    """Each worker reads the lists itself; sorted subjects make their collections agree."""
    selection = ("-k", "tools.list or prompts.list or resources.list")
    alone = suite(mcp_pytester, toolbed(), *selection, "-q").parseoutcomes()
    spread = mcp_pytester.runpytest_subprocess(
        f"--mcp-server={toolbed()}", "--mcp-suite=conformance", "-p", "no:cacheprovider", "-n", "2", *selection
    )
    assert spread.ret == 0, spread.stdout.str()[-3000:]
    assert spread.parseoutcomes()["passed"] == alone["passed"] >= 12
