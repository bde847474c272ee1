"""``FaultInjector`` as a library, outside the fixture: connect, switch faults on and off, the handshake."""

from __future__ import annotations

import pytest

from pytest_mcp import McpTimeoutError, McpUsageError, http, in_process
from pytest_mcp.chaos import FaultInjector
from pytest_mcp.server.running import RunningServer
from pytest_mcp.settings import Settings

pytestmark = [pytest.mark.anyio, pytest.mark.chaos]


@pytest.fixture
def demo() -> RunningServer:
    return RunningServer(in_process("tests.servers.demo:make_server"), Settings()).start()


async def test_faults_paused_and_scoped_changes_leave_the_sequence_and_policy_as_they_were(demo: RunningServer) -> None:
    with FaultInjector(seed=5, methods=["tools/call"]) as chaos:
        async with chaos.connect(demo, timeout=2) as client:
            await client.call("add", a=1, b=1)
            with chaos.faults(error_rate=1.0):
                assert (await client.outcome("add", {"a": 1, "b": 1})).kind == "protocol_error"
                with chaos.paused():
                    assert (await client.outcome("add", {"a": 1, "b": 1})).kind == "ok"
            assert chaos.policy.error_rate == 0.0
            assert (await client.outcome("add", {"a": 1, "b": 1})).kind == "ok"
    assert chaos.requests == 3
    assert chaos.fault_sequence == [(2, "tools/call", "error")]


async def test_inject_forces_faults_for_a_number_of_matching_requests(demo: RunningServer) -> None:
    with FaultInjector(seed=5) as chaos:
        async with chaos.connect(demo, timeout=2) as client:
            chaos.inject("error", times=2, methods=["tools/call:echo"])
            assert (await client.outcome("add", {"a": 1, "b": 1})).kind == "ok"
            kinds = [(await client.outcome("echo", {"text": "x"})).kind for _ in range(3)]
    assert kinds == ["protocol_error", "protocol_error", "ok"]
    with pytest.raises(McpUsageError, match="unknown fault 'explode'; choose one of: error, drop, disconnect"):
        chaos.inject("explode")
    with pytest.raises(McpUsageError, match="times must be at least 1"):
        chaos.inject("drop", times=0)
    with pytest.raises(McpUsageError, match="the seed of a FaultInjector is fixed"):
        chaos.configure(seed=3)


async def test_the_handshake_is_spared_unless_asked_for(demo: RunningServer) -> None:
    with FaultInjector(seed=5, drop_rate=1.0, methods=["server/discover", "initialize"]) as chaos:
        async with chaos.connect(demo, timeout=1) as client:
            assert (await client.call("add", a=2, b=2)).structured == {"result": 4}
    assert chaos.requests == 0
    with FaultInjector(seed=5, drop_rate=1.0, handshake=True, methods=["server/discover", "initialize"]) as chaos:
        with pytest.raises(
            McpTimeoutError, match=r"no reply to server/discover \(connecting: 2026-07-28 discovery.*\) within 0\.5 s"
        ):
            async with chaos.connect(demo, timeout=0.5):
                pass
    assert chaos.fault_sequence[0] == (1, "server/discover", "drop")


async def test_a_latency_distribution_is_sampled_per_request(demo: RunningServer) -> None:
    with FaultInjector(seed=9, latency_ms=(1, 30), latency_rate=0.5, methods=["tools/call"]) as chaos:
        async with chaos.connect(demo, timeout=2) as client:
            for _ in range(20):
                await client.call("add", a=1, b=1)
    delays = [event.latency_ms for event in chaos.events]
    assert all(event.fault == "latency" for event in chaos.events)
    assert 3 < len(delays) < 17
    assert all(1 <= d <= 30 for d in delays) and len(set(delays)) == len(delays)


async def test_closing_after_an_error_skips_the_unused_fault_check(demo: RunningServer) -> None:
    with pytest.raises(ZeroDivisionError), FaultInjector(seed=1) as chaos:
        chaos.inject("drop")
        1 / 0  # noqa: B018
    chaos = FaultInjector(seed=1)
    chaos.inject("drop")
    with pytest.raises(McpUsageError, match=r"inject\('drop'\) was never used"):
        async with chaos:
            pass


def test_kill_needs_a_process_the_plugin_started() -> None:
    with FaultInjector(seed=1) as chaos:
        with pytest.raises(McpUsageError, match="knows no server: pass server="):
            chaos.kill_server()
        external = RunningServer(http("http://127.0.0.1:9/mcp"), Settings()).start()
        with pytest.raises(McpUsageError, match=r"cannot kill the HTTP server http://127\.0\.0\.1:9/mcp"):
            chaos.kill_server(external)


def test_repr_and_report_lines_name_the_seed_and_policy() -> None:
    chaos = FaultInjector(seed=3, drop_rate=0.25)
    assert repr(chaos) == "<FaultInjector seed=3 drop_rate=0.25>"
    assert chaos.report_lines() == [
        "seed 3: drop_rate=0.25; 0 request(s) subject to faults",
        "(no fault was applied)",
    ]
    assert FaultInjector().seed > 0
