"""Load and SLOs of the example server: short, bounded runs on 127.0.0.1.

* ``mcp_load`` against ``python -m example_server --http`` (the plugin spawns it on a free port):
  a weighted mix of reads and writes by concurrent users, in both protocol eras, held to SLOs;
* the same against the in-process server, with a scenario (create, then read back) as one task;
* Locust (``locustfile.py`` beside this file, the one docs/load.md shows) against the HTTP
  server, its statistics held to the same SLOs.

The objectives are deliberately loose (a busy two-core CI machine must meet them): they catch a
server that errs, hangs or crawls, not a few milliseconds of drift. Speed comparisons live in
``benchmarks/``.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path

import pytest

import pytest_mcp
from pytest_mcp import assert_tool_ok
from pytest_mcp.load import call, run_locust, scenario

from ..helpers import SERVER

HERE = Path(__file__).parent
ASSIGNEE = "load@example.com"
HTTP = pytest_mcp.spawn_http(sys.executable, "-m", "example_server", "--http", "--port", "{port}", name="http")

pytestmark = pytest.mark.load

MIX = [
    call("list_assignments", {"assignee": ASSIGNEE, "page_size": 5}, weight=3),
    call("create_assignment", lambda n: {"title": f"load {n}", "assignee": ASSIGNEE, "priority": 1 + n % 5}),
    call("get_assignment", {"assignment_id": 10**9}, name="get_missing"),  # a tool error, by design
]


@pytest.mark.anyio
@pytest.mark.mcp_server(HTTP, fresh=True)
@pytest.mark.mcp_era("both")
async def test_mixed_workload_over_http_meets_its_slos(mcp_load, mcp_era):
    stats = await mcp_load(MIX[:2], users=4, duration=1.5)
    assert (stats.engine, stats.era, stats.users) == ("http", mcp_era, 4)
    stats.assert_slo(error_rate=0.0, p95_ms=1000, min_rps=20)
    stats.assert_slo(tool="create_assignment", error_rate=0.0, min_calls=5)


@pytest.mark.anyio
@pytest.mark.mcp_server(HTTP, fresh=True)
async def test_tool_errors_count_against_the_error_budget(mcp_load):
    stats = await mcp_load(MIX, users=2, calls=100, seed=1)
    assert stats["get_missing"].errors_by_kind == {"is_error": stats["get_missing"].calls}
    assert '"error": "not_found"' in stats["get_missing"].error_samples[0]
    assert stats["list_assignments"].errors == stats["create_assignment"].errors == 0
    stats.assert_slo(error_rate=0.35)  # about one call in five is the deliberate not_found
    with pytest.raises(AssertionError, match=r"SLO not met by the load on the HTTP server .*\n  error rate"):
        stats.assert_slo(error_rate=0.01)


async def create_then_read(client):
    title = f"round trip {uuid.uuid4().hex[:12]}"  # the server refuses a second open assignment of one title
    created = assert_tool_ok(await client.call("create_assignment", title=title, assignee=ASSIGNEE))
    return await client.call("get_assignment", assignment_id=created["id"])


@pytest.mark.anyio
@pytest.mark.mcp_server(SERVER, fresh=True)
async def test_scenarios_in_process(mcp_load):
    stats = await mcp_load([scenario(create_then_read), MIX[0]], users=3, calls=60)
    assert stats.engine == "sdk"  # scenarios and in-process servers take the SDK's client
    stats.assert_slo(error_rate=0.0, p99_ms=2000, min_calls=60)


@pytest.mark.skipif(importlib.util.find_spec("locust") is None, reason="locust is not installed")
@pytest.mark.mcp_server(HTTP)
def test_locust_headless_run_meets_the_same_slos(mcp_server):
    run = run_locust(HERE / "locustfile.py", host=mcp_server.url, users=4, run_time=2)
    stats = run.stats
    assert {"tools/call list_assignments", "tools/call create_assignment", "initialize"} <= set(stats.tools), (
        stats.table()
    )
    stats.assert_slo(error_rate=0.0, p95_ms=1000, min_calls=40)
    stats.assert_slo(tool="create_assignment", error_rate=0.0, min_calls=3)
