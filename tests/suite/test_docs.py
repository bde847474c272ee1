"""Every check id is documented: the tables of docs/suite/*.md are the registry's (see pytest_mcp.suite.doctable)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mcp.suite.doctable import BEGIN, block, replace_block
from pytest_mcp.suite.registry import REGISTRY, checks_in, load_checks

DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "suite"


def test_the_conformance_page_lists_every_check_as_the_registry_has_it() -> None:
    load_checks()
    text = (DOCS / "conformance.md").read_text(encoding="utf-8")
    assert replace_block(text, block("conformance")) == text, (
        "docs/suite/conformance.md is out of date: run "
        "python -m pytest_mcp.suite.doctable docs/suite/conformance.md conformance"
    )
    for check in checks_in(["conformance"]):
        assert f"| `{check.id}` | {check.level} |" in text
        assert check.spec_url(check.eras[-1]) in text


@pytest.mark.parametrize("suite", ["fuzz", "security"])
def test_the_other_suite_pages_agree_with_the_registry_where_generated(suite: str) -> None:
    load_checks()
    page = DOCS / f"{suite}.md"
    if not page.exists() or BEGIN not in page.read_text(encoding="utf-8"):
        pytest.skip(f"docs/suite/{suite}.md has no generated check table")
    text = page.read_text(encoding="utf-8")
    assert replace_block(text, block(suite)) == text, (
        f"docs/suite/{suite}.md is out of date: run python -m pytest_mcp.suite.doctable docs/suite/{suite}.md {suite}"
    )


def test_every_checklist_item_a_check_names_exists() -> None:
    load_checks()
    bad = {check.id: check.items for check in REGISTRY.values() if not all(1 <= n <= 120 for n in check.items)}
    assert not bad


def test_the_generated_block_is_replaced_in_place() -> None:
    page = f"intro\n{BEGIN}\nold table\n<!-- checks:end -->\noutro\n"
    new = replace_block(page, f"{BEGIN}\nnew\n<!-- checks:end -->")
    assert new == f"intro\n{BEGIN}\nnew\n<!-- checks:end -->\noutro\n"
    with pytest.raises(ValueError, match="no generated block"):
        replace_block("no markers", "x")
