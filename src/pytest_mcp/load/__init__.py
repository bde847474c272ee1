"""Load and SLOs: concurrent clients, latency statistics, pytest-benchmark and Locust integration.

* ``mcp_load`` fixture / ``McpLoad``: N concurrent clients calling a weighted mix of tools
  (``call(...)``, ``scenario(...)``) for a duration or a number of calls; returns ``LoadStats``.
* ``LoadStats.assert_slo(p95_ms=..., error_rate=..., min_rps=...)``: fails with the statistics table;
  ``LoadStats.from_locust_csv`` / ``from_locust_json`` read a Locust run's statistics.
* ``mcp_benchmark`` fixture / ``McpBenchmark``: pytest-benchmark for coroutine functions.
* ``pytest_mcp.load.locust``: Locust users speaking MCP over Streamable HTTP (needs ``locust``;
  import it only from a locustfile, because importing Locust patches the standard library).
* ``run_locust(locustfile, host=..., users=..., run_time=..., workers=0)``: a bounded headless
  Locust run (one process, or a master and workers on 127.0.0.1) read back as ``LoadStats``.

Names load lazily, so importing this package stays cheap. See docs/load.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "LoadRun": "runner",
    "McpLoad": "runner",
    "Task": "runner",
    "call": "runner",
    "run_load": "runner",
    "LoadOptions": "options",
    "scenario": "runner",
    "LoadStats": "stats",
    "ToolStats": "stats",
    "percentile": "stats",
    "McpBenchmark": "benchmark",
    "LocustError": "locust_runner",
    "LocustRun": "locust_runner",
    "run_locust": "locust_runner",
}

__all__ = [
    "LoadOptions",
    "LoadRun",
    "LoadStats",
    "LocustError",
    "LocustRun",
    "McpBenchmark",
    "McpLoad",
    "Task",
    "ToolStats",
    "call",
    "percentile",
    "run_load",
    "run_locust",
    "scenario",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)


if TYPE_CHECKING:
    from .benchmark import McpBenchmark
    from .locust_runner import LocustError, LocustRun, run_locust
    from .options import LoadOptions
    from .runner import LoadRun, McpLoad, Task, call, run_load, scenario
    from .stats import LoadStats, ToolStats, percentile
