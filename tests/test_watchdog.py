"""The watchdog thread that holds in-process request and connect deadlines (no timer per call)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from mcp.server.mcpserver import MCPServer

from pytest_mcp import McpTimeoutError
from pytest_mcp._watchdog import Deadline, Watchdog, current_task, watchdog
from pytest_mcp.client import McpClient, connect
from pytest_mcp.servers import RunningServer
from pytest_mcp.settings import Settings
from pytest_mcp.targets import in_process

pytestmark = [pytest.mark.unit, pytest.mark.anyio]


def _server() -> MCPServer:
    mcp = MCPServer("watchdog")

    @mcp.tool()
    def add(a: int, b: int) -> int:
        return a + b

    @mcp.tool()
    async def sleep(seconds: float) -> str:
        await anyio.sleep(seconds)
        return "slept"

    @mcp.tool()
    async def stubborn(seconds: float) -> str:
        """Swallows its cancellation and answers anyway, late."""
        try:
            await anyio.sleep(seconds)
        except asyncio.CancelledError:
            return "answered after being cancelled"
        return "slept"

    return mcp


@pytest.fixture
async def client() -> AsyncIterator[McpClient]:
    running = RunningServer(in_process(_server()), Settings()).start()
    async with connect(running, timeout=5) as connected:
        yield connected


async def test_an_in_process_client_keeps_its_deadlines_on_the_watchdog(client: McpClient) -> None:
    assert client._watched
    assert (await client.call("add", a=1, b=2)).structured == {"result": 3}
    assert not watchdog.pending  # disarmed after the reply


async def test_a_late_reply_fails_with_the_method_and_the_limit_and_the_task_is_not_left_cancelled(
    client: McpClient,
) -> None:
    task = current_task()
    assert task is not None
    with pytest.raises(McpTimeoutError, match=r"no reply to tools/call 'sleep' within 0\.2 s from the in-process"):
        await client.call_tool("sleep", {"seconds": 5}, timeout=0.2)
    assert task.cancelling() == 0
    assert not watchdog.pending
    # The client and the task go on as before: later awaits are not cancelled.
    await anyio.sleep(0.01)
    assert (await client.call("add", a=2, b=2)).structured == {"result": 4}


async def test_a_handler_that_swallows_the_cancellation_still_times_out(client: McpClient) -> None:
    task = current_task()
    assert task is not None
    with pytest.raises(McpTimeoutError, match=r"no reply to tools/call 'stubborn' within 0\.2 s"):
        await client.call_tool("stubborn", {"seconds": 5}, timeout=0.2)
    assert task.cancelling() == 0


async def test_an_outer_cancellation_stays_a_cancellation(client: McpClient) -> None:
    with anyio.move_on_after(0.2) as scope:
        await client.call_tool("sleep", {"seconds": 5})
    assert scope.cancelled_caught
    task = current_task()
    assert task is not None and task.cancelling() == 0
    assert not watchdog.pending


async def test_only_the_calls_past_their_deadline_time_out(client: McpClient) -> None:
    outcomes: dict[str, str] = {}

    async def call(label: str, seconds: float, limit: float) -> None:
        try:
            await client.call_tool("sleep", {"seconds": seconds}, timeout=limit)
            outcomes[label] = "ok"
        except McpTimeoutError:
            outcomes[label] = "timeout"

    async with anyio.create_task_group() as group:
        for index in range(4):
            group.start_soon(call, f"quick{index}", 0.05, 5.0)
            group.start_soon(call, f"slow{index}", 5.0, 0.3)
    assert outcomes == {**{f"quick{i}": "ok" for i in range(4)}, **{f"slow{i}": "timeout" for i in range(4)}}


async def test_a_connect_deadline_held_by_the_watchdog_leaves_no_entry_or_cancel_behind() -> None:
    task = current_task()
    assert task is not None
    deadline = Deadline(task, 0.2)
    assert not deadline.fired
    with pytest.raises(asyncio.CancelledError):
        await anyio.sleep(5)
    assert deadline.fired
    assert deadline.passed()
    assert not deadline.fired
    assert not deadline.passed()  # a second look is a no-op
    assert task.cancelling() == 0
    in_time = Deadline(task, 5)
    await anyio.sleep(0)
    assert not in_time.passed()
    assert not watchdog.pending


async def test_a_deadline_that_fires_beside_another_cancellation_yields_to_it() -> None:
    task = current_task()
    assert task is not None
    deadline = Deadline(task, 5)
    loop = asyncio.get_running_loop()
    # Both land in the same turn of the loop: someone else's cancel and the watchdog's.
    loop.call_soon(task.cancel)
    loop.call_soon(watchdog._fire, deadline._key, task)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.sleep(5)
    assert task.cancelling() == 2
    assert not deadline.passed()  # the other cancellation is pending: not ours to report as a timeout
    assert task.cancelling() == 1
    task.uncancel()  # what the other party does once its cancellation is handled


def test_the_thread_ends_when_idle_and_a_new_deadline_starts_it_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pytest_mcp._watchdog.POLL", 0.02)
    monkeypatch.setattr("pytest_mcp._watchdog.IDLE_EXIT", 0.05)
    dog = Watchdog()

    async def main() -> list[str]:
        seen = []
        task = asyncio.current_task()
        assert task is not None
        for _ in range(2):
            key = dog.arm(task, 0.05)
            try:
                await asyncio.sleep(5)
                seen.append("slept")
            except asyncio.CancelledError:
                task.uncancel()
                seen.append("cancelled" if dog.disarm(key) else "cancelled by someone else")
            thread = dog._thread
            assert thread is not None
            thread.join(timeout=5)  # ends once idle for IDLE_EXIT
            assert not thread.is_alive() and dog._thread is None
        return seen

    assert asyncio.run(main()) == ["cancelled", "cancelled"]


def test_a_deadline_of_a_closed_loop_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pytest_mcp._watchdog.POLL", 0.02)
    dog = Watchdog()
    loop = asyncio.new_event_loop()
    task: Any = loop.create_task(asyncio.sleep(0))
    loop.run_until_complete(task)
    loop.close()
    dog.pending[object()] = (0.0, task)
    dog._kick()
    for _ in range(250):
        if not dog.pending:
            break
        threading.Event().wait(0.02)
    assert not dog.pending


def test_current_task_is_none_outside_a_running_loop() -> None:
    assert current_task() is None


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_under_trio_a_cancel_scope_and_the_sdk_timer_hold_the_deadlines(anyio_backend: str) -> None:
    from pytest_mcp.chaos import FaultInjector

    running = RunningServer(in_process(_server()), Settings()).start()
    async with connect(running, timeout=5) as client:
        assert not client._watched
        assert (await client.call("add", a=1, b=2)).structured == {"result": 3}
        with pytest.raises(McpTimeoutError, match=r"no reply to tools/call 'sleep' within 0\.2 s"):
            await client.call_tool("sleep", {"seconds": 5}, timeout=0.2)
        assert (await client.call("add", a=2, b=2)).structured == {"result": 4}
    with FaultInjector(seed=1, drop_rate=1.0, handshake=True, methods=["server/discover", "initialize"]) as chaos:
        with pytest.raises(
            McpTimeoutError, match=r"no reply to server/discover \(connecting: 2026-07-28 discovery.*\) within 0\.3 s"
        ):
            async with chaos.connect(running, timeout=0.3):
                pass


async def test_a_connect_deadline_is_reported_as_such_when_the_sdk_turns_the_cancellation_into_an_error() -> None:
    from mcp.shared.exceptions import MCPError

    class Stalls:
        """Holds server/discover until cancelled, then fails it with a JSON-RPC error."""

        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self._inner, name)

        async def send_raw_request(self, method: str, params: Any, opts: Any = None) -> Any:
            if method == "server/discover":
                try:
                    await anyio.sleep(30)
                except asyncio.CancelledError:
                    raise MCPError(code=-32600, message="stopped") from None
            return await self._inner.send_raw_request(method, params, opts)

    running = RunningServer(in_process(_server()), Settings()).start()
    with pytest.raises(
        McpTimeoutError, match=r"no reply to server/discover \(connecting: 2026-07-28 discovery.*\) within 0\.3 s"
    ):
        async with connect(running, era="2026-07-28", timeout=0.3, dispatcher_wrappers=[Stalls]):
            pass
    task = current_task()
    assert task is not None and task.cancelling() == 0
    assert not watchdog.pending
