"""``mcp_benchmark``: pytest-benchmark timing coroutine calls that run in the test's own event loop."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pytest_mcp._docs import DOCS_URL

pytestmark = pytest.mark.load

INPROC = "tests.servers.demo:make_server"
FAST = ("--benchmark-min-rounds=3", "--benchmark-max-time=0.05", "--benchmark-warmup=off")


def test_benchmark_an_async_tool_call(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import threading
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({INPROC!r})]

        async def test_add_speed(mcp_client, mcp_benchmark):
            loop_thread = threading.get_ident()
            seen = set()

            async def add():
                seen.add(threading.get_ident())
                return await mcp_client.call("add", a=1, b=2)

            result = await mcp_benchmark(add)
            assert result.structured == {{"result": 3}}
            assert seen == {{loop_thread}}  # every round ran in the test's event loop
            assert mcp_benchmark.stats.stats.rounds >= 3

        async def test_pedantic(mcp_client, mcp_benchmark):
            calls = []

            async def count(label):
                calls.append(label)
                return await mcp_client.call("count")

            await mcp_benchmark.pedantic(count, args=("x",), rounds=4, iterations=2, warmup_rounds=1)
            # 4 rounds of 2, 1 warm-up round of 2, and pytest-benchmark's one extra call for the result
            assert calls == ["x"] * (4 * 2 + 1 * 2 + 1)
            assert mcp_benchmark.stats.stats.rounds == 4
            mcp_benchmark.extra_info["tool"] = "count"
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider", *FAST)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*benchmark: 2 tests*", "Name (time in *"])
    result.stdout.fnmatch_lines(["test_add_speed  *"])
    result.stdout.fnmatch_lines(["test_pedantic  * 4 * 2"])  # rounds, iterations


def test_keyword_arguments_are_passed_through(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({INPROC!r})]

        async def test_call(mcp_client, mcp_benchmark):
            result = await mcp_benchmark(mcp_client.call, "echo", text="hi")
            assert result.text == "hi"
        """
    )
    load_pytester.runpytest("-p", "no:cacheprovider", *FAST).assert_outcomes(passed=1)


def test_disabled_benchmarks_call_once(load_pytester: pytest.Pytester) -> None:
    """With --benchmark-disable (pytest-benchmark's own choice under xdist too) the test still runs, once."""
    load_pytester.makepyfile(
        f"""
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({INPROC!r})]

        async def test_add(mcp_client, mcp_benchmark):
            calls = []

            async def add():
                calls.append(1)
                return await mcp_client.call("add", a=2, b=2)

            assert (await mcp_benchmark(add)).structured == {{"result": 4}}
            assert calls == [1]
            assert mcp_benchmark.stats is None
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider", "--benchmark-disable")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*benchmark: 1 tests*")


def test_with_pytest_benchmark_disabled(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.anyio

        async def test_needs_it(mcp_benchmark):
            pass
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider", "-p", "no:benchmark")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "mcp_benchmark needs pytest-benchmark's plugin, which is disabled: remove -p no:benchmark "
            f"(see {DOCS_URL}load.md#benchmarks)"
        ]
    )


def test_loading_the_plugin_imports_neither_locust_nor_the_sdk() -> None:
    code = (
        "import sys, pytest_mcp.load.plugin, pytest_mcp.load; "
        "from pytest_mcp.load import LoadStats; "
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('locust', 'gevent', 'mcp', 'mcp_types', 'pydantic', 'starlette', 'httpx2')); print(heavy)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
