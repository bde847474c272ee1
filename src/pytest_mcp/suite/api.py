"""``checks_for(...)``: the built-in suite as a parametrized test in a user's own test module.

::

    # tests/test_mcp_suite.py
    from pytest_mcp.suite import checks_for

    test_conformance = checks_for("conformance", server="python -m my_server")

Each case becomes one parametrized test (``test_conformance[conformance-tools.list.names-2025-11-25-stdio]``)
with the suite's markers, so ``-m``/``-k`` select, and a baseline file applies as with ``--mcp-suite``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from .registry import SUITES

if TYPE_CHECKING:
    from .baseline import Baseline
    from .items import Case
    from .runtime import SuiteRuntime

__all__ = ["checks_for", "parametrize_suite"]


def checks_for(
    *suites: str, server: Any = None, baseline: str | None = None, sandbox: Any = None
) -> Callable[[pytest.FixtureRequest, Any], None]:
    """A test function that runs every check of ``suites`` (default: conformance) against ``server``.

    ``server`` is any target (a command line, a URL, ``"module:attr"`` or a target object); None
    means ``--mcp-server``. ``baseline`` is a baseline file (default: ``--mcp-baseline``). ``sandbox``
    is the directory the server is confined to (default: ``--mcp-sandbox``; see docs/suite/security.md).
    """
    chosen = suites or ("conformance",)
    unknown = [name for name in chosen if name not in SUITES and name != "all"]
    if unknown:
        raise ValueError(
            f"checks_for: {', '.join(map(repr, unknown))} is not a suite; choose from all, {', '.join(SUITES)}"
        )

    @pytest.mark.mcp_suite(*chosen, server=server, baseline=baseline, sandbox=sandbox)
    def test_mcp_suite(
        request: pytest.FixtureRequest, mcp_suite_case: tuple[SuiteRuntime, Case, Baseline | None]
    ) -> None:
        __tracebackhide__ = True
        from .items import NOTES_SECTION, case_properties, run_case

        runtime, case, baseline_file = mcp_suite_case
        request.node.user_properties.extend(case_properties(case))
        notes = run_case(case, runtime, baseline_file, request.node.user_properties)
        if notes:
            request.node.add_report_section("call", NOTES_SECTION, notes)

    return test_mcp_suite


def parametrize_suite(metafunc: pytest.Metafunc, marker: pytest.Mark) -> None:
    """Parametrize a ``checks_for`` test over the cases of its suites (called from ``pytest_generate_tests``)."""
    from ..stash_keys import SETTINGS_KEY
    from .items import case_marks, plan
    from .options import STATE_KEY
    from .registry import checks_in, load_checks

    config = metafunc.config
    state = config.stash[STATE_KEY]
    suites = SUITES if "all" in marker.args else tuple(marker.args)
    server = marker.kwargs.get("server") or config.stash[SETTINGS_KEY].server
    if server is None:
        raise pytest.UsageError(
            f"{metafunc.definition.nodeid}: checks_for(...) needs a server: checks_for(..., server=TARGET) or --mcp-server"
        )
    load_checks()
    runtime = state.runtime(server, sandbox=marker.kwargs.get("sandbox"))
    baseline = state.baseline
    if marker.kwargs.get("baseline"):
        try:
            baseline = state.load_baseline(marker.kwargs["baseline"])
        except ValueError as exc:
            raise pytest.UsageError(f"checks_for(baseline=...): {exc}") from None
    cases = plan(checks_in(suites), runtime.transport)
    params = [pytest.param((runtime, case, baseline), id=case.param_id, marks=case_marks(case)) for case in cases]
    metafunc.parametrize("mcp_suite_case", params)
