"""pytest-benchmark for async MCP calls: ``await mcp_benchmark(mcp_client.call, "add", a=1, b=2)``.

pytest-benchmark's ``benchmark`` fixture is synchronous: it calls a function many times and
times each round. An MCP client lives in the test's event loop, so the loop must stay free while
the benchmark runs. ``McpBenchmark`` therefore runs pytest-benchmark on a worker thread, and each
round hands the coroutine back to the test's loop (``anyio.from_thread.run``) and waits for it.
Every measured round includes that hand-off, a few tens of microseconds; docs/load.md shows
how to measure it on your machine.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

__all__ = ["McpBenchmark"]


class McpBenchmark:
    """Wraps a pytest-benchmark ``benchmark`` fixture for coroutine functions."""

    def __init__(self, benchmark: Any) -> None:
        self.benchmark = benchmark
        """The underlying pytest-benchmark fixture (for ``extra_info``, ``group``, ``stats``, ...)."""

    async def __call__(self, fn: Callable[..., Awaitable[Any]], /, *args: Any, **kwargs: Any) -> Any:
        """Benchmark ``await fn(*args, **kwargs)``; pytest-benchmark chooses the number of rounds.

        Returns the result of one call (the last one), like ``benchmark(...)`` does.
        """
        import anyio

        once = _in_loop(functools.partial(fn, *args, **kwargs))
        return await anyio.to_thread.run_sync(self.benchmark, once)

    async def pedantic(
        self,
        fn: Callable[..., Awaitable[Any]],
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        rounds: int = 1,
        iterations: int = 1,
        warmup_rounds: int = 0,
    ) -> Any:
        """``benchmark.pedantic`` for a coroutine function: exactly ``rounds`` x ``iterations`` calls."""
        import anyio

        once = _in_loop(functools.partial(fn, *args, **dict(kwargs or {})))

        def run() -> Any:
            return self.benchmark.pedantic(once, rounds=rounds, iterations=iterations, warmup_rounds=warmup_rounds)

        return await anyio.to_thread.run_sync(run)

    @property
    def stats(self) -> Any:
        return self.benchmark.stats

    @property
    def extra_info(self) -> dict[str, Any]:
        return self.benchmark.extra_info  # type: ignore[no-any-return]


def _in_loop(call: Callable[[], Awaitable[Any]]) -> Callable[[], Any]:
    """A synchronous function (for a worker thread) that runs ``call()`` in the caller's event loop."""
    import anyio.from_thread

    async def awaited() -> Any:
        return await call()

    def once() -> Any:
        return anyio.from_thread.run(awaited)

    return once
