"""Request and connect deadlines (``Deadline``): on the watchdog thread under asyncio, a cancel scope under trio."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from mcp.server.mcpserver import MCPServer

from pytest_mcp import McpTimeoutError
from pytest_mcp.client.deadline import Deadline
from pytest_mcp.client.mcp_client import McpClient, connect
from pytest_mcp.client.watchdog import Watchdog, watchdog
from pytest_mcp.server.running import RunningServer
from pytest_mcp.server.targets import in_process
from pytest_mcp.settings import Settings

pytestmark = [pytest.mark.unit, pytest.mark.anyio]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _server() -> MCPServer:
    mcp = MCPServer("deadlines")

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
        except anyio.get_cancelled_exc_class():
            return "answered after being cancelled"
        return "slept"

    return mcp


def _running() -> RunningServer:
    return RunningServer(in_process(_server()), Settings()).start()


def _assert_task_not_left_cancelled() -> None:
    try:
        task = asyncio.current_task()
    except RuntimeError:  # trio: cancel scopes leave no per-task count behind
        return
    assert task is not None and task.cancelling() == 0


@pytest.fixture
async def client() -> AsyncIterator[McpClient]:
    async with connect(_running(), timeout=5) as connected:
        yield connected


async def test_a_late_reply_fails_with_the_method_and_the_limit_and_the_client_goes_on(client: McpClient) -> None:
    with pytest.raises(McpTimeoutError, match=r"no reply to tools/call 'sleep' within 0\.2 s from the in-process"):
        await client.call_tool("sleep", {"seconds": 5}, timeout=0.2)
    _assert_task_not_left_cancelled()
    await anyio.sleep(0.01)  # later awaits are not cancelled
    assert (await client.call("add", a=2, b=2)).structured == {"result": 4}


async def test_a_handler_that_swallows_the_cancellation_still_times_out(client: McpClient) -> None:
    with pytest.raises(McpTimeoutError, match=r"no reply to tools/call 'stubborn' within 0\.2 s"):
        await client.call_tool("stubborn", {"seconds": 5}, timeout=0.2)
    _assert_task_not_left_cancelled()


async def test_every_other_request_has_the_same_deadline(client: McpClient) -> None:
    with pytest.raises(McpTimeoutError, match=r"no reply to tools/list within 0\.2 s from the in-process"):
        async with client.guard("tools/list", timeout=0.2):
            await anyio.sleep(5)  # a server that never answers the listing
    assert [tool.name for tool in await client.tools()] == ["add", "sleep", "stubborn"]


async def test_an_outer_cancellation_stays_a_cancellation(client: McpClient) -> None:
    with anyio.move_on_after(0.2) as scope:
        await client.call_tool("sleep", {"seconds": 5})
    assert scope.cancelled_caught
    _assert_task_not_left_cancelled()


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


async def test_a_connect_that_gets_no_reply_names_the_unanswered_request() -> None:
    from pytest_mcp.chaos import FaultInjector

    with FaultInjector(seed=1, drop_rate=1.0, handshake=True, methods=["server/discover", "initialize"]) as chaos:
        with pytest.raises(
            McpTimeoutError, match=r"no reply to server/discover \(connecting: 2026-07-28 discovery.*\) within 0\.3 s"
        ):
            async with chaos.connect(_running(), timeout=0.3):
                pass
    _assert_task_not_left_cancelled()


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
                except anyio.get_cancelled_exc_class():
                    raise MCPError(code=-32600, message="stopped") from None
            return await self._inner.send_raw_request(method, params, opts)

    with pytest.raises(
        McpTimeoutError, match=r"no reply to server/discover \(connecting: 2026-07-28 discovery.*\) within 0\.3 s"
    ):
        async with connect(_running(), era="2026-07-28", timeout=0.3, dispatcher_wrappers=[Stalls]):
            pass
    _assert_task_not_left_cancelled()


async def test_after_connecting_the_connect_deadline_no_longer_applies() -> None:
    async with connect(_running(), timeout=5, connect_timeout=0.2) as client:
        await anyio.sleep(0.3)  # past the connect deadline: the test body is not cancelled
        assert (await client.call_tool("sleep", {"seconds": 0.05})).text == "slept"


async def test_under_asyncio_the_deadlines_are_on_the_watchdog_and_disarmed_after_each_reply(
    client: McpClient, anyio_backend: str
) -> None:
    if anyio_backend != "asyncio":
        pytest.skip("trio: a cancel scope, no watchdog")
    deadline = Deadline(5)
    async with deadline:
        assert len(watchdog.pending) == 1
        assert (await client.call("add", a=1, b=2)).structured == {"result": 3}
        assert len(watchdog.pending) == 1  # the call's own deadline came and went
    assert not watchdog.pending and not deadline.fired


async def test_a_deadline_that_fires_beside_another_cancellation_yields_to_it(anyio_backend: str) -> None:
    if anyio_backend != "asyncio":
        pytest.skip("asyncio's task cancellation counts")
    task = asyncio.current_task()
    assert task is not None
    deadline = Deadline(5)
    loop = asyncio.get_running_loop()
    with pytest.raises(asyncio.CancelledError):  # the other party's cancellation, not a TimeoutError
        async with deadline:
            key = deadline._key
            # Both land in the same turn of the loop: someone else's cancel and the watchdog's.
            loop.call_soon(task.cancel)
            loop.call_soon(watchdog._fire, key, task)
            await asyncio.sleep(5)
    assert deadline.fired
    assert task.cancelling() == 1  # ours is taken back; the other one is for its owner to handle
    task.uncancel()


def test_the_thread_ends_when_idle_and_a_new_deadline_starts_it_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pytest_mcp.client.watchdog.POLL", 0.02)
    monkeypatch.setattr("pytest_mcp.client.watchdog.IDLE_EXIT", 0.05)
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
    monkeypatch.setattr("pytest_mcp.client.watchdog.POLL", 0.02)
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
