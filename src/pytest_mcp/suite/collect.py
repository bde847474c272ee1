"""How the suite's items enter pytest's collection tree: two top-level collectors beside the session's own.

The suite has no file, so neither ``pytest_collect_file`` nor ``pytest_collect_directory`` can make its
collector, and items appended in ``pytest_collection_modifyitems`` come too late: the header has
counted, ``--collect-only`` has printed, and a node id on the command line has been resolved as a path
(and refused). Two public hooks, which pytest 8.3 and 9 run the same way, do it instead (their
implementations are in ``plugin.py``):

* ``pytest_make_collect_report``, wrapped, for the ``Session``: once the session has collected the
  test paths, ``root_collectors`` appends a ``SuiteCollector`` (node id ``mcp-suite``) and, with
  ``--mcp-official-conformance``, an ``OfficialCollector`` (``mcp-official``) to its result. The
  session then collects them like any other node it collected (``pytest_collectstart``,
  ``pytest_make_collect_report``, ``pytest_collectreport``, ``pytest_itemcollected``), so the header
  counts their items, ``--collect-only`` lists them, and everything that selects among collected
  items (``-k``, ``-m``, ``--deselect``, ``--lf``; pytest-xdist's workers, each collecting the same
  way) treats them as ordinary tests.
* ``pytest_collection``, wrapped: the arguments that are node ids of these collectors (``mcp-suite``,
  ``mcp-suite::NAME``, ``mcp-official::NAME``) leave ``config.args`` while the session collects
  (``split_args``) and become the collectors' selection, with pytest's rule for the last part of a
  node id (``selects``): ``NAME`` with a ``[`` selects exactly that item, without one every item
  named ``NAME[...]`` (``mcp-suite::conformance`` is the whole conformance suite). Given only such
  ids, the session collects no test paths; given none, every suite item is collected next to the
  tests of the given paths (or ``testpaths``, or the current directory). An id that selects nothing
  is a usage error, as a node id of a file is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from .baseline import Baseline
    from .runtime import SuiteRuntime

__all__ = [
    "OFFICIAL_NODE",
    "SUITE_NODE",
    "OfficialCollector",
    "RootCollector",
    "SuiteCollector",
    "root_collectors",
    "selects",
    "split_args",
]

SUITE_NODE: Final = "mcp-suite"
"""Node id of the ``--mcp-suite`` collector; its items are ``mcp-suite::<suite>[<check>][<era>][<transport>]``."""
OFFICIAL_NODE: Final = "mcp-official"
"""Node id of the ``--mcp-official-conformance`` collector (``official.py``)."""


def split_args(args: Iterable[str], roots: Iterable[str]) -> tuple[list[str], dict[str, list[str]]]:
    """``args`` without the node ids of the collectors ``roots``, and the names those ids give after
    ``<root>::`` by root (``""`` for a bare ``<root>``: all of its items)."""
    rest: list[str] = []
    selection: dict[str, list[str]] = {}
    wanted_roots = set(roots)
    for arg in args:
        root, _, name = arg.partition("::")
        if root in wanted_roots:
            selection.setdefault(root, []).append(name)
        else:
            rest.append(arg)
    return rest, selection


def selects(wanted: str, name: str) -> bool:
    """Whether ``<root>::<wanted>`` on the command line selects the item ``name``: pytest's rule for the
    last part of a node id (exactly when it has a ``[...]`` parametrization, else the name before ``[``)."""
    if not wanted:
        return True
    return name == wanted if "[" in wanted else name.split("[")[0] == wanted


class RootCollector(pytest.Collector):
    """A top-level collector of suite items, keeping those the command line's node ids select."""

    def __init__(self, *, runtime: SuiteRuntime, wanted: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        self.wanted = tuple(dict.fromkeys(wanted))
        """The names given as ``<node id>::NAME`` on the command line; empty: every item."""
        self.unmatched: list[str] = []
        """The names of ``wanted`` that selected no item (a usage error, raised by ``plugin.py``)."""

    def collect(self) -> list[pytest.Item]:
        items = self.make_items()
        if not self.wanted:
            return items
        kept = [item for item in items if getattr(item, "always_collected", False)]
        items = [item for item in items if item not in kept]
        self.unmatched = [name for name in self.wanted if name and not any(selects(name, item.name) for item in items)]
        return kept + [item for item in items if any(selects(wanted, item.name) for wanted in self.wanted)]

    def make_items(self) -> list[pytest.Item]:
        """Every item of this collector, before the command line's selection."""
        raise NotImplementedError

    def not_found(self) -> list[str]:
        """pytest's message for a node id that selects nothing, per unmatched name."""
        return [
            f"not found: {self.nodeid}::{name}\n(no match in any of [{self!r}]; --collect-only -q lists the node ids)"
            for name in self.unmatched
        ]


class SuiteCollector(RootCollector):
    """``mcp-suite``: one ``SuiteItem`` per case (check, era, transport and subject) of the ``--mcp-suite`` suites.

    When the target cannot be started or reached in any era, one ``ReachItem`` (``reach[<transport>]``,
    kept whatever the node ids select) comes first and reports why; the other items skip, pointing at it."""

    def __init__(self, *, suites: tuple[str, ...], baseline: Baseline | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suites = suites
        self.baseline = baseline

    def make_items(self) -> list[pytest.Item]:
        from .items import ReachItem, SuiteItem, plan, with_subjects
        from .registry import checks_in, load_checks

        load_checks()
        cases = plan(checks_in(self.suites), self.runtime.transport)
        if self.wanted:  # list the subjects of the checks asked for only (listing talks to the server)
            cases = [case for case in cases if any(_may_select(wanted, case.name) for wanted in self.wanted)]
        blocked: list[pytest.Item] = []
        problem = self.runtime.blocked() if cases else None
        if problem is not None:
            # one item says why the target cannot be used; every other item skips, pointing at it
            name = f"reach[{self.runtime.transport}]"
            reach = ReachItem.from_parent(
                self, name=name, nodeid=f"{self.nodeid}::{name}", runtime=self.runtime, problem=problem, cases=cases
            )
            self.runtime.blocked_at = reach.nodeid
            blocked.append(reach)
        return blocked + [
            # the node id as a string: pytest parses it the way it parses the ids --lf keeps in its cache
            SuiteItem.from_parent(
                self,
                name=case.name,
                nodeid=f"{self.nodeid}::{case.name}",
                case=case,
                runtime=self.runtime,
                baseline=self.baseline,
            )
            for case in (cases if problem is not None else with_subjects(cases, self.runtime))
        ]


def _may_select(wanted: str, name: str) -> bool:
    """Whether ``wanted`` selects the case ``name`` or one of the cases of single subjects it becomes."""
    return selects(wanted, name) or wanted.startswith(name + "[")


class OfficialCollector(RootCollector):
    """``mcp-official``: the checks of the official conformance suite (run once, at collection)."""

    def make_items(self) -> list[pytest.Item]:
        from .official import official_items

        return official_items(self, self.runtime)


def root_collectors(
    session: pytest.Session,
    runtime: SuiteRuntime,
    *,
    suites: tuple[str, ...],
    official: bool,
    baseline: Baseline | None,
    selection: Mapping[str, Sequence[str]],
) -> list[RootCollector]:
    """The collectors to add to the session's: each one enabled, unless node ids were given for the
    other one only (``selection``, from ``split_args``)."""
    collectors: list[RootCollector] = []
    if suites and (not selection or SUITE_NODE in selection):
        collectors.append(
            SuiteCollector.from_parent(
                session,
                name=SUITE_NODE,
                nodeid=SUITE_NODE,
                runtime=runtime,
                wanted=selection.get(SUITE_NODE, ()),
                suites=suites,
                baseline=baseline,
            )
        )
    if official and (not selection or OFFICIAL_NODE in selection):
        collectors.append(
            OfficialCollector.from_parent(
                session,
                name=OFFICIAL_NODE,
                nodeid=OFFICIAL_NODE,
                runtime=runtime,
                wanted=selection.get(OFFICIAL_NODE, ()),
            )
        )
    return collectors
