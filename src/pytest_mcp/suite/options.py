"""The suite's settings and marker names: plain data, cheap to import from ``pytest_configure``.

Everything heavier (wires, the runtime, the checks) loads only when a run asks for the suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import pytest

if TYPE_CHECKING:
    from .plugin import SuiteState

SUITES: Final = ("conformance", "fuzz", "security", "stateful")
"""Values of ``--mcp-suite`` (besides ``all``); each check belongs to exactly one."""
OPT_IN_SUITES: Final = ("contract",)
"""Suites that run only when their own option asks (``--mcp-contract=FILE``), never through ``all``."""
SUITE_MARKER_NAMES: Final = {"contract": "mcp_contract"}
"""The marker of a suite's items where it is not the suite's name (``contract`` is a category marker)."""

ERA_MARKERS: Final = {"2025-11-25": "mcp_2025_11_25", "2026-07-28": "mcp_2026_07_28"}
TRANSPORT_MARKERS: Final = {"stdio": "mcp_stdio", "http": "mcp_http", "inproc": "mcp_inproc"}
LEVEL_MARKERS: Final = {"MUST": "mcp_must", "SHOULD": "mcp_should", "D": "mcp_derived"}
SUITE_MARKER_HELP: Final = {
    **{name: f"suite item of protocol era {era}" for era, name in ERA_MARKERS.items()},
    **{name: f"suite item over the {transport} transport" for transport, name in TRANSPORT_MARKERS.items()},
    "mcp_must": "suite item checking a MUST of the MCP spec",
    "mcp_should": "suite item checking a SHOULD of the MCP spec (baseline it to accept)",
    "mcp_derived": "suite item checking a rule derived from JSON-RPC 2.0, a spec example or the reference SDK",
}


@dataclass(frozen=True)
class SuiteOptions:
    """The suite's settings of this run (picklable primitives only)."""

    suites: tuple[str, ...] = ()
    auth_token: str | None = None
    baseline: str | None = None
    fuzz_tools: str = "read-only"
    fuzz_examples: int = 25
    official: bool = False
    seed: int = 0
    contract: str | None = None
    """``--mcp-contract``: the expected-surface contract file (recorded when missing)."""
    contract_update: bool = False
    """``--mcp-contract-update``: record the contract again instead of comparing."""
    jobs: int = 8
    """Conformance checks run side by side, at most this many at once (over stdio at most ``STDIO_LANES``, each with
    server processes of its own); over stdio, above 1, the checks with clients of their own run in the background
    (``concurrent.py``, ``background.py``)."""
    sandbox: str | None = None
    """The directory the server is confined to (``--mcp-sandbox``): the security suite plants canaries around it."""
    require_eras: tuple[str, ...] = ()
    """Eras the server must speak (``--mcp-require-era``): a missing one fails ``lifecycle.eras``."""


STATE_KEY: Final[pytest.StashKey[SuiteState]] = pytest.StashKey()
"""The suite's session state (``plugin.SuiteState``) in ``config.stash``."""
