"""pytest-benchmark timings of ``create_assignment`` and ``list_assignments`` through the plugin.

``mcp_benchmark`` runs pytest-benchmark for coroutines: every round is one awaited tool call on
the test's own client. Each benchmark runs in-process (the server's own cost) and over stdio (a
subprocess: JSON-RPC framing and a pipe on top). The rounds are fixed (``pedantic``) so the
slice stays quick; the numbers are for comparing runs, not for pass/fail:

    pytest example_server/tests -m benchmark --benchmark-columns=min,median,max,ops
    pytest example_server/tests -m benchmark --benchmark-autosave      # keep a baseline in .benchmarks/
    pytest example_server/tests -m benchmark --benchmark-compare       # compare with the last one

Under pytest-xdist pytest-benchmark disables itself (each call then runs once, untimed); the
tests still check every result.
"""

from __future__ import annotations

import itertools
import sys
import uuid

import pytest

import pytest_mcp
from pytest_mcp import assert_tool_ok

from ..helpers import SERVER

ROUNDS = 40
STDIO = pytest_mcp.stdio(
    sys.executable, "-m", "example_server", env={"ASSIGNMENTS_USER": "bench@example.com"}, name="stdio"
)

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.benchmark,
    pytest.mark.mcp_server(pytest_mcp.in_process(SERVER, name="inproc"), STDIO),
]


def _check_rounds(mcp_benchmark, expected: int) -> None:
    if not mcp_benchmark.benchmark.disabled:
        assert mcp_benchmark.stats.stats.rounds == expected


async def test_create_assignment(mcp_client, mcp_benchmark):
    assignee = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    numbers = itertools.count()
    created: list[dict] = []

    async def create_one() -> None:
        created.append(
            assert_tool_ok(
                await mcp_client.call("create_assignment", title=f"task {next(numbers)}", assignee=assignee, priority=2)
            )
        )

    mcp_benchmark.benchmark.group = "create_assignment"
    await mcp_benchmark.pedantic(create_one, rounds=ROUNDS, warmup_rounds=2)
    _check_rounds(mcp_benchmark, ROUNDS)
    # Every round really created a row: the ids are distinct and the list holds them all.
    assert len({item["id"] for item in created}) == len(created) >= 1
    listed = assert_tool_ok(await mcp_client.call("list_assignments", assignee=assignee, page_size=100))
    assert len(listed["items"]) == len(created)


async def test_list_assignments_page(mcp_client, mcp_benchmark):
    assignee = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    items = [{"title": f"row {n}", "assignee": assignee} for n in range(60)]
    assert assert_tool_ok(await mcp_client.call("bulk_create_assignments", items=items))["created"] == 60

    mcp_benchmark.benchmark.group = "list_assignments (page of 20)"
    page = await mcp_benchmark.pedantic(
        mcp_client.call, args=("list_assignments",), kwargs={"assignee": assignee, "page_size": 20}, rounds=ROUNDS
    )
    _check_rounds(mcp_benchmark, ROUNDS)
    body = assert_tool_ok(page)
    assert [item["title"] for item in body["items"]] == [f"row {n}" for n in range(20)]
    assert body["next_cursor"] is not None
