"""Every transport fault has an observable effect on the demo server in-process, over stdio and over HTTP.

One pytester session runs the fault tests below against all three transports (the ``mcp_server``
marker parametrizes them), so each server starts once. The demo's ``count`` tool counts executions
on the server, which tells a request that never arrived from one whose reply was lost, and a request
delivered once from one delivered twice.
"""

from __future__ import annotations

import pytest

FAULT_TESTS = """
import sys
import time

import anyio
import pytest
from mcp_types import CONNECTION_CLOSED, INTERNAL_ERROR

import pytest_mcp
from pytest_mcp.chaos import assert_clean_error

DEMO = (sys.executable, "-m", "tests.servers.demo")
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.mcp_server(
        pytest_mcp.in_process("tests.servers.demo:make_server"),
        pytest_mcp.stdio(*DEMO),
        pytest_mcp.spawn_http(*DEMO, "--http", "--port", "{port}"),
    ),
    pytest.mark.mcp_timeout(5),
    pytest.mark.mcp_chaos(methods=["tools/call"]),
]


async def count(client):
    return (await client.call("count")).structured["result"]


async def test_latency_delays_the_call(mcp_client, mcp_chaos):
    await count(mcp_client)
    with mcp_chaos.faults(latency_ms=300):
        started = time.perf_counter()
        await count(mcp_client)
        elapsed = time.perf_counter() - started
    assert elapsed >= 0.3
    assert mcp_chaos.events[-1].fault == "latency"
    assert mcp_chaos.events[-1].latency_ms == 300


async def test_error_is_answered_by_the_proxy_and_never_reaches_the_server(mcp_client, mcp_chaos):
    before = await count(mcp_client)
    mcp_chaos.inject("error")
    outcome = await mcp_client.outcome("count")
    assert outcome.code == INTERNAL_ERROR
    assert f"seed {mcp_chaos.seed}" in outcome.error.message
    assert await count(mcp_client) == before + 1


async def test_drop_times_out_and_the_server_never_runs_the_call(mcp_client, mcp_chaos):
    before = await count(mcp_client)
    mcp_chaos.inject("drop")
    outcome = await mcp_client.outcome("count", timeout=0.5)
    assert outcome.kind == "timeout"
    assert await count(mcp_client) == before + 1


async def test_drop_reply_times_out_but_the_server_ran_the_call(mcp_client, mcp_chaos):
    before = await count(mcp_client)
    mcp_chaos.inject("drop_reply")
    outcome = await mcp_client.outcome("count", timeout=0.5)
    assert outcome.kind == "timeout"
    assert await count(mcp_client) == before + 2


async def test_duplicate_runs_the_call_twice(mcp_client, mcp_chaos):
    before = await count(mcp_client)
    mcp_chaos.inject("duplicate")
    await count(mcp_client)
    assert await count(mcp_client) == before + 3


async def test_reorder_lets_a_later_call_overtake(mcp_client, mcp_chaos):
    before = await count(mcp_client)
    results = {}

    async def call(name):
        results[name] = await count(mcp_client)

    mcp_chaos.inject("reorder")
    async with anyio.create_task_group() as tg:
        tg.start_soon(call, "first")
        with anyio.fail_after(3):
            while mcp_chaos.parked == 0:
                await anyio.sleep(0.005)
        tg.start_soon(call, "second")
    assert results == {"second": before + 1, "first": before + 2}


async def test_corrupt_damages_the_arguments_and_the_server_answers_cleanly(mcp_client, mcp_chaos):
    mcp_chaos.inject("corrupt")
    outcome = await mcp_client.outcome("echo", {"text": "hello"})
    assert outcome.kind == "is_error"
    assert_clean_error(outcome, match="text")
    assert mcp_chaos.events[-1].detail.startswith("arguments.text: ")


async def test_disconnect_cuts_the_call_and_the_server_keeps_serving(mcp_client, mcp_chaos):
    mcp_chaos.inject("disconnect")
    started = time.perf_counter()
    outcome = await mcp_client.outcome("sleep", {"seconds": 4})
    assert outcome.code == CONNECTION_CLOSED
    assert time.perf_counter() - started < 3
    await mcp_chaos.assert_recovers(mcp_client, ("add", {"a": 2, "b": 3}), expect={"result": 5})


async def test_kill_and_restart(mcp_client, mcp_chaos, mcp_server, mcp_client_factory):
    if mcp_server.kind == "in_process":
        with pytest.raises(pytest_mcp.McpUsageError, match="Kill and restart need a stdio"):
            mcp_chaos.kill_server()
        return
    old_pid = (await mcp_client.call("pid")).structured["result"]
    if mcp_server.kind == "stdio":
        outcome = await mcp_chaos.kill_during(mcp_client.outcome("sleep", {"seconds": 4}), after_ms=100)
        assert outcome.kind == "crash"
    else:
        mcp_chaos.kill_server()
    assert "SIGKILL" in mcp_server.crash_report()
    mcp_chaos.restart_server()
    async with mcp_client_factory() as fresh:
        assert (await fresh.call("pid")).structured["result"] != old_pid
"""


def test_each_fault_has_an_observable_effect_on_every_transport(chaos_pytester: pytest.Pytester) -> None:
    chaos_pytester.makepyfile(test_faults=FAULT_TESTS)
    result = chaos_pytester.runpytest("-v")
    result.stdout.fnmatch_lines(
        [
            f"*::{name}[[]{transport}[]] PASSED*"
            for name in ("test_duplicate_runs_the_call_twice",)
            for transport in ("inproc", "stdio", "http")
        ]
    )
    result.assert_outcomes(passed=27)
