"""Core benchmarks of pytest_mcp, measured side by side in one run; prints ratios.

1. Per-call overhead: ``mcp_client.call_tool`` (transcript recording on, a timeout on every call)
   vs a raw ``mcp.Client`` loop (no timeout), both in-process against the same server. Target:
   ratio <= 1.05. Two more raw loops show what a per-request timeout alone costs: the SDK's own
   ``read_timeout_seconds`` (an asyncio timer per request; the plugin uses it over the wire) and
   ``anyio.fail_after`` around each call (the guard people write by hand). The plugin bounds every
   request with the event loop's own timeout (``src/pytest_mcp/client/deadline.py``).
2. A 100-test suite against a stdio Python server: the plugin's defaults (one shared process) vs
   a hand-written conftest that spawns the server per test with the SDK. Target: ratio <= 0.25.
3. ``pytest --collect-only`` of a 500-test suite that never uses MCP: plugin loaded vs disabled
   with ``-p no:mcp`` (CPU seconds of the pytest process). Target: ratio <= 1.03.
4. Running those 500 tests, plugin loaded vs disabled: what a suite that never uses MCP pays per
   test (no target; it caught three autouse fixtures costing 12% CPU).

Rounds alternate; (3) and (4) print the ratio of the medians and of the minima (on a shared
machine, other tenants only ever add CPU time, so the least disturbed rounds are the minima).
(1) runs in several fresh interpreters (its ratio moves by a few percent between processes, with
where objects land in memory, while it holds steady within one). In each, after a round that is
not counted (first imports and connections), every round runs each loop once, back to back, in
turn leading; a process's ratio is the median of its rounds' ratios (the two loops of a round
share the machine's state of the moment). The script prints the median over processes and their
range, and also the ratio of the mean rounds, which counts the rare full garbage collections.

Run: ``python benchmarks/core.py`` (add ``--quick`` for fewer repetitions, ``--only-calls`` for (1) alone).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import anyio

ROOT = Path(__file__).resolve().parent.parent


def bench_call_overhead(calls: int, rounds: int) -> dict[str, list[float]]:
    """CPU seconds per call of each round, per loop: ours, raw SDK, raw SDK with the SDK's timeout, raw
    SDK under ``anyio.fail_after``. CPU time, not wall time, so other load on the machine does not
    blur the comparison; the loops alternate within each round to share what noise remains."""
    from mcp import Client

    from pytest_mcp.client.mcp_client import connect
    from pytest_mcp.server.running import RunningServer
    from pytest_mcp.server.targets import in_process
    from pytest_mcp.settings import Settings
    from tests.servers.demo import make_server

    server = make_server()
    running = RunningServer(in_process(server), Settings()).start()
    arguments = {"a": 1, "b": 2}

    async def timed(call: Any) -> float:
        await call()  # warm up
        start = time.process_time()
        for _ in range(calls):
            await call()
        return (time.process_time() - start) / calls

    async def ours() -> float:
        async with connect(running, timeout=30) as client:
            return await timed(lambda: client.call_tool("add", arguments))

    async def raw() -> float:
        async with Client(server, cache=None) as client:
            return await timed(lambda: client.call_tool("add", arguments))

    async def raw_with_timeout() -> float:
        async with Client(server, cache=None) as client:
            return await timed(lambda: client.call_tool("add", arguments, read_timeout_seconds=30))

    async def guarded_call(client: Any) -> Any:
        with anyio.fail_after(30):
            return await client.call_tool("add", arguments)

    async def raw_under_fail_after() -> float:
        async with Client(server, cache=None) as client:
            return await timed(lambda: guarded_call(client))

    loops = {"ours": ours, "raw": raw, "raw+sdk timeout": raw_with_timeout, "raw+fail_after": raw_under_fail_after}
    names = list(loops)
    for loop in loops.values():  # a round not counted: first imports and first connections
        anyio.run(loop)
    seconds: dict[str, list[float]] = {name: [] for name in loops}
    for index in range(rounds):
        for name in names[index % len(names) :] + names[: index % len(names)]:  # each loop leads in turn
            seconds[name].append(anyio.run(loops[name]))
    return seconds


SERVER_CMD = f"{sys.executable} -m tests.servers.demo"

PLUGIN_SUITE = f"""
import pytest
pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("{SERVER_CMD}")]

@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"

@pytest.mark.parametrize("n", range(100))
async def test_add(mcp_client, n):
    result = await mcp_client.call("add", a=n, b=1)
    assert result.structured == {{"result": n + 1}}
"""

HANDWRITTEN_CONFTEST = f"""
import shlex, pytest
from mcp import Client, StdioServerParameters

@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"

@pytest.fixture
async def client(anyio_backend):
    command = shlex.split("{SERVER_CMD}")
    params = StdioServerParameters(command=command[0], args=command[1:], cwd="{ROOT}")
    async with Client(params) as c:
        yield c
"""

HANDWRITTEN_SUITE = """
import pytest
pytestmark = pytest.mark.anyio

@pytest.mark.parametrize("n", range(100))
async def test_add(client, n):
    result = await client.call_tool("add", {"a": n, "b": 1})
    assert result.structured_content == {"result": n + 1}
"""


def _pytest(directory: Path, *args: str, cpu: bool = False) -> float:
    """Wall seconds of one pytest run (or, with ``cpu``, the CPU seconds of the pytest process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=directory,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu:
        elapsed = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if run.returncode not in (0, 5):
        raise SystemExit(f"benchmark suite failed in {directory}:\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}")
    return elapsed


def bench_suite(rounds: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as plugin_dir, tempfile.TemporaryDirectory() as hand_dir:
        Path(plugin_dir, "test_plugin.py").write_text(PLUGIN_SUITE)
        Path(hand_dir, "conftest.py").write_text(HANDWRITTEN_CONFTEST)
        Path(hand_dir, "test_hand.py").write_text(HANDWRITTEN_SUITE)
        ours, theirs = [], []
        for _ in range(rounds):
            ours.append(_pytest(Path(plugin_dir)))
            theirs.append(_pytest(Path(hand_dir), "-p", "no:mcp"))
        return statistics.median(ours), statistics.median(theirs)


def bench_plain(rounds: int, *args: str) -> tuple[list[float], list[float]]:
    """CPU seconds of pytest over 500 plain tests (``--collect-only`` or a real run): plugin on, plugin off."""
    with tempfile.TemporaryDirectory() as directory:
        for module in range(10):
            body = "\n".join(f"def test_{i}():\n    assert {i} == {i}\n" for i in range(50))
            Path(directory, f"test_plain_{module}.py").write_text(textwrap.dedent(body))
        on, off = [], []
        for _ in range(rounds):
            on.append(_pytest(Path(directory), *args, cpu=True))
            off.append(_pytest(Path(directory), *args, "-p", "no:mcp", cpu=True))
        return on, off


def ratios(ours: list[float], theirs: list[float]) -> str:
    """Median ratio, and the ratio of the minima (the least disturbed rounds of a shared machine)."""
    return (
        f"ratio {statistics.median(ours) / statistics.median(theirs):.3f} (median), {min(ours) / min(theirs):.3f} (min)"
    )


def paired_ratios(per_process: list[dict[str, list[float]]], mine: str, other: str, *, mean: bool = False) -> str:
    """Loop ``mine`` over loop ``other``: in each process, the median of the ratios of the two loops'
    rounds (each round runs every loop once, back to back, so a round's pair shares the machine's
    state of the moment), or with ``mean`` the ratio of their mean rounds; then the median over
    processes, and their range."""
    each = sorted(
        statistics.fmean(child[mine]) / statistics.fmean(child[other])
        if mean
        else statistics.median(a / b for a, b in zip(child[mine], child[other], strict=True))
        for child in per_process
    )
    return f"ratio {statistics.median(each):.3f} (median of {len(each)} processes, {each[0]:.3f}-{each[-1]:.3f})"


def _call_overhead_in_child(rounds: int) -> dict[str, list[float]]:
    """Run (1) in a fresh interpreter; per loop, the CPU seconds per call of each round.

    One process is not enough: the ratio moves by several percent from one interpreter to the next
    (where objects land in memory, hash seeds), while it is steady within one. The parent takes the
    median over several processes.
    """
    child = subprocess.run(
        [sys.executable, __file__, "--call-overhead-child", str(rounds)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if child.returncode != 0:
        raise SystemExit(f"benchmark (1) failed:\n{child.stdout[-2000:]}\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds (noisier)")
    parser.add_argument("--call-overhead-child", type=int, metavar="ROUNDS", help=argparse.SUPPRESS)
    parser.add_argument("--only-calls", action="store_true", help="run (1) only: CPU per in-process call_tool")
    args = parser.parse_args()
    if args.call_overhead_child:
        sys.path.insert(0, str(ROOT))
        seconds = bench_call_overhead(calls=400, rounds=args.call_overhead_child)
        print(json.dumps(seconds))
        return
    rounds = 5 if args.quick else 15
    sys.path.insert(0, str(ROOT))

    per_process = [_call_overhead_in_child(rounds) for _ in range(3 if args.quick else 7)]

    def per_call(name: str) -> float:
        return statistics.median(statistics.median(child[name]) for child in per_process) * 1e6

    print(
        f"1. call_tool in-process: pytest_mcp {per_call('ours'):8.1f} us CPU/call  "
        f"raw mcp.Client {per_call('raw'):8.1f} us CPU/call   {paired_ratios(per_process, 'ours', 'raw')}  "
        "(target <= 1.05)"
    )
    # The median round leaves out the rare full garbage collections; the mean of all rounds counts
    # them, wherever they fall (a transcript that kept many objects alive would trigger more).
    print(f"   every round, GC included (ratio of the means): {paired_ratios(per_process, 'ours', 'raw', mean=True)}")
    for name, label in (("raw+sdk timeout", "read_timeout_seconds="), ("raw+fail_after", "anyio.fail_after()")):
        print(
            f"   raw mcp.Client with {label:<21} {per_call(name):8.1f} us CPU/call   "
            f"vs raw {paired_ratios(per_process, name, 'raw')};  pytest_mcp vs it {paired_ratios(per_process, 'ours', name)}"
        )
    if args.only_calls:
        return
    ours, hand = bench_suite(rounds=max(1, rounds // 5))
    print(
        f"2. 100 stdio tests:      pytest_mcp {ours:8.2f} s         server per test  {hand:8.2f} s"
        f"         ratio {ours / hand:.3f}  (target <= 0.25)"
    )
    on, off = bench_plain(rounds, "--collect-only")
    print(
        f"3. collect 500 tests:    plugin on  {statistics.median(on):8.3f} s CPU     -p no:mcp        "
        f"{statistics.median(off):8.3f} s CPU   {ratios(on, off)}  (target <= 1.03)"
    )
    on, off = bench_plain(max(3, rounds // 3))
    print(
        f"4. run 500 plain tests:  plugin on  {statistics.median(on):8.3f} s CPU     -p no:mcp        "
        f"{statistics.median(off):8.3f} s CPU   {ratios(on, off)}  (no target: what a non-MCP suite pays)"
    )


if __name__ == "__main__":
    main()
