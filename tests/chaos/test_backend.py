"""Backend faults: functions, methods and respx routes made slow, failing or hanging, seeded, and restored."""

from __future__ import annotations

import time

import anyio
import httpx
import pytest
import respx

from pytest_mcp import McpUsageError
from pytest_mcp.chaos import FaultInjector

pytestmark = [pytest.mark.chaos]

HERE = "tests.chaos.test_backend"


def lookup(key: str) -> str:
    return f"value of {key}"


async def fetch(key: str) -> str:
    await anyio.sleep(0)
    return f"fetched {key}"


class Repo:
    def __init__(self, name: str) -> None:
        self.name = name

    def get(self, key: str) -> str:
        return f"{self.name}:{key}"

    @staticmethod
    def version() -> int:
        return 1

    @classmethod
    def kind(cls) -> str:
        return cls.__name__


REPO = Repo("shared")


def test_a_module_function_fails_with_the_default_error_and_is_restored() -> None:
    with FaultInjector(seed=1) as chaos:
        fault = chaos.backend(f"{HERE}:lookup", fail_rate=1.0)
        with pytest.raises(OSError, match=rf"chaos: injected failure in {HERE}:lookup \(call 1\)"):
            lookup("a")
        assert (fault.calls, fault.failures) == (1, 1)
        assert [e.fault for e in chaos.events] == ["backend failure"]
    assert lookup("a") == "value of a"


def test_a_method_is_patched_on_the_class_for_every_instance_and_restored() -> None:
    repo = Repo("mine")
    with FaultInjector(seed=1) as chaos:
        chaos.backend(f"{HERE}:Repo.get", fail_rate=1.0, exception=KeyError)
        with pytest.raises(KeyError, match=r"Repo\.get"):
            repo.get("k")
        with pytest.raises(KeyError):
            Repo("other").get("k")
    assert repo.get("k") == "mine:k"
    assert "get" not in vars(repo)


def test_static_and_class_methods_keep_their_kind() -> None:
    with FaultInjector(seed=1) as chaos:
        chaos.backend(f"{HERE}:Repo.version", fail_rate=1.0, exception=RuntimeError("down"))
        chaos.backend((Repo, "kind"), fail_rate=0.0, delay_ms=1)
        with pytest.raises(RuntimeError, match="down"):
            Repo.version()
        assert Repo.kind() == "Repo"
        assert Repo("x").kind() == "Repo"
    assert Repo.version() == 1
    assert isinstance(vars(Repo)["version"], staticmethod)
    assert isinstance(vars(Repo)["kind"], classmethod)


def test_an_object_s_method_is_patched_on_that_object_only() -> None:
    with FaultInjector(seed=1) as chaos:
        chaos.backend(f"{HERE}:REPO.get", fail_rate=1.0, exception=lambda: ConnectionResetError("reset"))
        with pytest.raises(ConnectionResetError, match="reset"):
            REPO.get("k")
        assert Repo("other").get("k") == "other:k"
    assert REPO.get("k") == "shared:k"
    assert "get" not in vars(REPO)


def test_failures_follow_the_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        with FaultInjector(seed=seed) as chaos:
            chaos.backend(f"{HERE}:lookup", fail_rate=0.5)
            failed = []
            for n in range(40):
                try:
                    lookup(str(n))
                except OSError:
                    failed.append(True)
                else:
                    failed.append(False)
            return failed

    first = pattern(11)
    assert first == pattern(11)
    assert first != pattern(12)
    assert 8 < sum(first) < 32


def test_a_sync_delay_and_timeout_block_for_the_given_time() -> None:
    with FaultInjector(seed=1) as chaos:
        fault = chaos.backend(f"{HERE}:lookup", delay_ms=60)
        started = time.perf_counter()
        assert lookup("a") == "value of a"
        assert time.perf_counter() - started >= 0.06
        fault.restore()
        chaos.backend(f"{HERE}:lookup", timeout_rate=1.0, timeout_ms=50)
        started = time.perf_counter()
        with pytest.raises(TimeoutError, match="timed out after 50 ms"):
            lookup("a")
        assert time.perf_counter() - started >= 0.05
        assert fault.delays == 1


@pytest.mark.anyio
async def test_an_async_function_is_delayed_and_times_out_without_blocking_the_loop() -> None:
    with FaultInjector(seed=1) as chaos:
        chaos.backend(f"{HERE}:fetch", delay_ms=(40, 60))
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await anyio.sleep(0.005)

        async with anyio.create_task_group() as tg:
            tg.start_soon(ticker)
            assert await fetch("a") == "fetched a"
            tg.cancel_scope.cancel()
        assert ticks >= 4, "the delay blocked the event loop"
        assert 40 <= chaos.events[-1].latency_ms <= 60
    with FaultInjector(seed=1) as chaos:
        chaos.backend(f"{HERE}:fetch", timeout_rate=1.0, timeout_ms=30)
        with pytest.raises(TimeoutError):
            await fetch("a")
    assert await fetch("b") == "fetched b"


def test_a_respx_route_fails_and_is_restored() -> None:
    with respx.mock(base_url="http://upstream.test") as mock:
        route = mock.get("/items").respond(200, json=[1, 2])
        with FaultInjector(seed=1) as chaos:
            chaos.backend(route, fail_rate=1.0, exception=httpx.ConnectError("refused"))
            with pytest.raises(httpx.ConnectError, match="refused"):
                httpx.get("http://upstream.test/items")
        assert httpx.get("http://upstream.test/items").json() == [1, 2]
        assert route.call_count == 2


@pytest.mark.anyio
async def test_a_respx_route_is_slow_or_times_out_for_an_async_client() -> None:
    with respx.mock(base_url="http://upstream.test") as mock:
        route = mock.get("/items").respond(200, json=[1])
        async with httpx.AsyncClient() as client:
            with FaultInjector(seed=1) as chaos:
                chaos.backend(route, delay_ms=50)
                started = time.perf_counter()
                assert (await client.get("http://upstream.test/items")).json() == [1]
                assert time.perf_counter() - started >= 0.05
            with FaultInjector(seed=1) as chaos:
                chaos.backend(route, timeout_rate=1.0, timeout_ms=20)
                with pytest.raises(httpx.ReadTimeout, match="timed out after 20 ms"):
                    await client.get("http://upstream.test/items")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("tests.chaos.test_backend", "name the target as 'package.module:function'"),
        ("tests.chaos.nowhere:f", "cannot import 'tests.chaos.nowhere'"),
        (f"{HERE}:nothing", "no attribute 'nothing' \\(there is: "),
        (f"{HERE}:Nope.get", "has no attribute 'Nope'"),
        (f"{HERE}:HERE", "'HERE' is not callable"),
        (42, "give 'pkg.module:name'"),
    ],
)
def test_bad_targets_are_usage_errors(target: object, message: str) -> None:
    with FaultInjector(seed=1) as chaos, pytest.raises(McpUsageError, match=message):
        chaos.backend(target)


def test_bad_rates_and_exceptions_are_usage_errors() -> None:
    with FaultInjector(seed=1) as chaos:
        with pytest.raises(McpUsageError, match="fail_rate=2 must be a probability"):
            chaos.backend(f"{HERE}:lookup", fail_rate=2)
        chaos.backend(f"{HERE}:lookup", fail_rate=1.0, exception="boom", require_calls=False)
        with pytest.raises(McpUsageError, match="exception='boom' is not an exception"):
            lookup("a")


def test_closing_reports_a_backend_that_was_never_called_and_still_restores_it() -> None:
    chaos = FaultInjector(seed=1)
    chaos.backend(f"{HERE}:lookup", fail_rate=1.0)
    with pytest.raises(McpUsageError, match=r"chaos.backend\('tests.chaos.test_backend:lookup'\) was never called"):
        chaos.close()
    assert lookup("a") == "value of a"
