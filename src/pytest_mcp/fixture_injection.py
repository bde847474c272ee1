"""Fixtures set up before a test's MCP clients connect, added only to the tests that need them.

A feature plugin (auth, mocks, chaos) lists ``EarlyFixture``s in its module's ``EARLY_FIXTURES``:
a fixture to request, the markers and the fixtures whose presence asks for it. After collection the
core adds that fixture's name to each such test's fixture names, ahead of its function-scoped
fixtures, exactly where an autouse fixture would stand. An autouse fixture would instead be set up
and torn down for every test of the run, MCP or not: measured, three of them made a run of 500
plain tests spend 12% more CPU.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["EarlyFixture", "add_early_fixtures"]


@dataclass(frozen=True)
class EarlyFixture:
    """``fixture`` is set up first in every test carrying one of ``markers`` or using one of ``uses``."""

    fixture: str
    markers: frozenset[str] = frozenset()
    uses: frozenset[str] = frozenset()


def add_early_fixtures(items: Iterable[Any], early: Sequence[EarlyFixture]) -> None:
    """Add each wanted early fixture to the fixture names of the tests that want it."""
    if not early:
        return
    for item in items:
        names = getattr(item, "fixturenames", None)
        if not isinstance(names, list):  # not a test function (e.g. the suite's own items)
            continue
        marks: set[str] | None = None
        wanted = []
        for spec in early:
            if spec.fixture in names:
                continue
            if spec.markers:
                if marks is None:
                    marks = {mark.name for mark in item.iter_markers()}
                if not spec.markers.isdisjoint(marks):
                    wanted.append(spec.fixture)
                    continue
            if spec.uses and not spec.uses.isdisjoint(names):
                wanted.append(spec.fixture)
        if wanted:
            at = _first_function_scoped(item, names)
            names[at:at] = wanted


def _first_function_scoped(item: Any, names: list[str]) -> int:
    """Where autouse fixtures of function scope would stand: before the first function-scoped name.

    pytest orders a test's fixture names by scope, widest first; ``name2fixturedefs`` (pytest's
    fixture info of the test) tells each name's scope. Without it, the front of the list.
    """
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", None)
    if not isinstance(definitions, dict):
        return 0
    for index, name in enumerate(names):
        defs = definitions.get(name)
        if not defs or getattr(defs[-1], "scope", "function") == "function":
            return index
    return len(names)
