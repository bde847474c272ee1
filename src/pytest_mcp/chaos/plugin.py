"""pytest hooks and fixtures of pytest_mcp.chaos, loaded by pytest_mcp.plugin.

Must stay cheap to import: no MCP SDK, pydantic or starlette at module level.

* ``--mcp-seed`` / ini ``mcp_seed``: the run's base seed (a random one is chosen and printed when
  absent; xdist workers get the controller's). Each test's seed is derived from the base seed and
  its node id, so a test gets the same faults alone, in a full run, or on any xdist worker.
* marker ``mcp_chaos(...)`` and fixture ``mcp_chaos``: a ``FaultInjector`` wrapped around every
  client the test connects.
* the seed appears in the report header, in an "MCP chaos" section of failed tests, in injected
  error messages, and in the terminal summary.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import pytest

from .. import markers
from ..fixture_injection import EarlyFixture
from ..run_seed import run_seed
from ..stash_keys import DISPATCHER_WRAPPERS_KEY, SETTINGS_KEY
from ._policy import DOCS, ChaosOptions, derive_seed

if TYPE_CHECKING:
    from .injector import FaultInjector


@dataclass(eq=False)  # a registered plugin must stay hashable
class ChaosRun:
    """The session's chaos facts (a registered plugin object, so report hooks reach it under xdist too)."""

    base_seed: int
    explicit: bool
    tests: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)

    def replay_hint(self) -> str:
        return f"--mcp-seed={self.base_seed}"

    # -- hooks ------------------------------------------------------------------------------
    def header_line(self) -> str:
        how = "from --mcp-seed/mcp_seed" if self.explicit else f"random; replay with {self.replay_hint()}"
        return f"mcp chaos: base seed {self.base_seed} ({how})"

    def pytest_report_header(self) -> list[str]:
        """A given seed is confirmed up front; a random one only once chaos tests are collected (below)."""
        return [self.header_line()] if self.explicit else []

    def pytest_report_collectionfinish(self, items: list[pytest.Item]) -> list[str]:
        """The random seed, right after collection, when a collected test injects faults (under xdist the
        controller collects nothing: the terminal summary gives the seed)."""
        if self.explicit or not any(
            "mcp_chaos" in getattr(item, "fixturenames", ()) or item.get_closest_marker("mcp_chaos") is not None
            for item in items
        ):
            return []
        return [self.header_line()]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        value = next((value for name, value in report.user_properties if name == "mcp_chaos_seed"), None)
        if value is None:
            return
        seed = int(str(value))
        self.tests[report.nodeid] = seed
        if report.failed:
            self.failed[report.nodeid] = seed

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.tests:
            return
        terminalreporter.write_sep("-", "mcp chaos")
        terminalreporter.write_line(
            f"{len(self.tests)} test(s) ran with fault injection; base seed {self.base_seed} "
            f"({self.replay_hint()} replays them)"
        )
        for nodeid, seed in self.failed.items():
            terminalreporter.write_line(
                f"FAILED {nodeid} with chaos seed {seed}: replay with pytest {shlex.quote(nodeid)} "
                f"{self.replay_hint()} or @pytest.mark.mcp_chaos(seed={seed})"
            )


RUN_KEY: Final = pytest.StashKey[ChaosRun]()
INJECTOR_KEY: Final = pytest.StashKey[Any]()
EARLY_FIXTURES: Final = (
    EarlyFixture("_mcp_chaos_early", markers=frozenset({"mcp_chaos"}), uses=frozenset({"mcp_chaos"})),
)
"""Set up ``mcp_chaos`` before any client connects (see ``pytest_mcp.fixture_injection``)."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", markers.signature_text("mcp_chaos", ChaosOptions, DOCS))
    seed = run_seed(config)
    run = ChaosRun(seed.value, explicit=seed.explicit)
    config.stash[RUN_KEY] = run
    config.pluginmanager.register(run, "pytest_mcp.chaos.run")


@pytest.fixture
def mcp_chaos(request: pytest.FixtureRequest) -> Iterator[FaultInjector]:
    """A seeded ``FaultInjector`` on every client this test connects (options from ``@pytest.mark.mcp_chaos``).

    Transport faults start at the marker's rates (none without a marker); change them with
    ``configure()``, ``faults()`` or ``inject()``. Teardown restores patched backends and restarts
    servers the test killed.
    """
    __tracebackhide__ = True
    from .injector import FaultInjector

    run = request.config.stash[RUN_KEY]
    try:
        options = markers.merged_options(request.node, "mcp_chaos", ChaosOptions, DOCS)
    except pytest.UsageError as exc:
        problem = str(exc)
    else:
        problem = ""
    if problem:
        pytest.fail(problem, pytrace=False)
    if options.seed is None:
        options = options.replace(seed=derive_seed(run.base_seed, request.node.nodeid))
    injector = FaultInjector(options, server=lambda: request.getfixturevalue("mcp_server"))
    wrappers = request.node.stash.setdefault(DISPATCHER_WRAPPERS_KEY, [])
    wrappers.append(injector.wrap_dispatcher)
    request.node.stash[INJECTOR_KEY] = injector
    request.node.user_properties.append(("mcp_chaos_seed", injector.seed))
    try:
        yield injector
    finally:
        wrappers.remove(injector.wrap_dispatcher)
        problem = ""
        try:
            injector.close()
        except pytest.UsageError as exc:
            problem = str(exc)
        if problem:
            pytest.fail(problem, pytrace=False)


@pytest.fixture
def _mcp_chaos_early(request: pytest.FixtureRequest) -> None:
    """Set up ``mcp_chaos`` before any client connects when the test is marked or asks for it."""
    if "mcp_chaos" in request.fixturenames or request.node.get_closest_marker("mcp_chaos") is not None:
        request.getfixturevalue("mcp_chaos")


def report_section(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """The "MCP chaos" section of a failed test (of every test with ``--mcp-transcript=always``): the
    faults applied and how to replay them (a report provider, see ``pytest_mcp.reporting``)."""
    injector = item.stash.get(INJECTOR_KEY, None)
    if injector is None:
        return
    always = item.config.stash[SETTINGS_KEY].transcript == "always"
    if report.failed or (always and report.when == "call"):
        run = item.config.stash[RUN_KEY]
        lines = injector.report_lines()
        pinned = injector.seed != derive_seed(run.base_seed, item.nodeid)
        if pinned:
            lines.append(f"replay: the seed is pinned by @pytest.mark.mcp_chaos(seed={injector.seed})")
        else:
            lines.append(
                f"replay: pytest {shlex.quote(item.nodeid)} {run.replay_hint()}, "
                f"or pin it with @pytest.mark.mcp_chaos(seed={injector.seed})"
            )
        report.sections.append((f"MCP chaos (seed {injector.seed})", "\n".join(lines)))


REPORT_PROVIDERS: Final = (report_section,)
"""Added to every report by the core's one report hook (see ``pytest_mcp.reporting``)."""
