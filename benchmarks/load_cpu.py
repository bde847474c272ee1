"""Load-generator cost, measured side by side in one run; prints ratios.

1. Client CPU per 1,000 MCP tool calls over Streamable HTTP (2026-07-28), all against one demo
   server (``python -m tests.servers.demo --http``), one call in flight per user:

   * ``pytest_mcp http``: ``run_load(..., engine="http")``, the load runner's lean JSON-RPC client;
   * ``pytest_mcp sdk``: ``run_load(..., engine="sdk")``, an ``McpClient`` per user (``connect``);
   * ``sdk loop``: ``mcp.Client(url)`` calling ``call_tool`` in a loop (what any SDK-based client pays);
   * ``locust HttpUser`` / ``locust FastHttpUser``: ``pytest_mcp.load.locust.McpUser`` /
     ``FastMcpUser`` (the same JSON-RPC, over python-requests / geventhttpclient), headless, no wait.

   Each contender runs in a child process of its own, so only the client's CPU is counted (with
   two or more CPUs the server is pinned to one and the clients to another), read from the child's
   resource usage (``os.wait4``: user + system seconds). Every contender runs twice per repetition,
   once with ``warmup`` calls and once with ``warmup + calls`` calls: the difference is the CPU of
   ``calls`` calls, with start-up, imports and connecting subtracted out. As a cross-check each
   child also reports ``time.process_time()`` over just the measured calls ("window").

   Targets (pytest_mcp http): <= 1.00 x each Locust user, <= 1.10 x the SDK loop.

2. Fuzz examples per second, in-process: Hypothesis drawing arguments from the example server's
   ``create_assignment`` inputSchema (``pytest_mcp.suite.strategies.valid_arguments``), and
   calling the tool on an in-process server through an ``McpClient`` vs a raw ``mcp.Client``
   (and drawing only, the generator's own ceiling); each with the current engine (simple object
   schemas drawn property by property) and the old one (hypothesis-jsonschema on the whole schema),
   side by side. The other fuzzing modes through an ``McpClient`` too: arguments with one defect
   (``invalid_arguments``) and one hostile string in a string property (``hostile_choices``; they
   are few, so Hypothesis may stop before ``--examples``: rates count the examples it ran). Also the
   stateful suite's steps (tool calls) per second on the example server with every tool opted in,
   and the suite's own fuzz engine (``fuzz_tool``: its Hypothesis thread, the hand-over of each call
   to the event loop, the verdict and the leak scan), which is what a fuzz item pays.
   Each fuzz row is measured after a first, unmeasured run of ``WARMUP_EXAMPLES`` in the same process (a
   process's one-time costs, which a test session pays once; the suite engine's first run is printed apart).
   Target: >= 500 examples/s for ``pytest_mcp McpClient``.

    python benchmarks/load_cpu.py [--calls 1000] [--warmup 50] [--repeat 5] [--examples 300]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONTENDERS = ("pytest_mcp http", "pytest_mcp sdk", "sdk loop", "locust HttpUser", "locust FastHttpUser")
OLD = ", old engine"
"""Suffix of a fuzzer that draws with hypothesis-jsonschema on the whole schema (``valid_arguments(compiled=False)``)."""
INVALID, HOSTILE = ", invalid inputs", ", hostile strings"
"""Suffixes of the fuzzers of the other modes: one defect per example, or one hostile string per example."""
FUZZERS = (
    f"draw only{OLD}",
    "draw only",
    f"pytest_mcp McpClient{OLD}",
    "pytest_mcp McpClient",
    f"pytest_mcp McpClient{INVALID}",
    f"pytest_mcp McpClient{HOSTILE}",
    "raw mcp.Client",
    "suite fuzz engine",
    "stateful steps",
)
ARGUMENTS = {"a": 1, "b": 2}
WARMUP_EXAMPLES = 20
"""Examples of a first, unmeasured Hypothesis run in each fuzz child: a process's first run pays one-time costs
(imports, the thread's PRNG registration and its ``gc.collect()``) that every later run, and every later fuzz
item of a test session, is spared; ``suite fuzz engine`` prints that first run's wall time apart."""


# -- the HTTP contenders (each runs in a child process: `load_cpu.py --child NAME ...`) ---------


def child_sdk(url: str, calls: int, warmup: int) -> dict[str, float]:
    """``mcp.Client(url)`` calling the tool ``calls`` times in a loop."""
    import anyio
    from mcp import Client

    window: dict[str, float] = {}

    async def main() -> None:
        async with Client(url, cache=None) as client:
            assert client.protocol_version == "2026-07-28", client.protocol_version
            for number in range(calls):
                if number == warmup:
                    window["start"] = time.process_time()
                result = await client.call_tool("add", ARGUMENTS)
                assert result.structured_content == {"result": 3}, result
            window["end"] = time.process_time()

    anyio.run(main)
    return {"window_cpu": window["end"] - window.get("start", window["end"])}


def child_ours(url: str, calls: int, warmup: int, engine: str) -> dict[str, float]:
    """One ``run_load`` of ``calls`` calls by one user (the window starts at call ``warmup``)."""
    import anyio

    from pytest_mcp.load import call, run_load
    from pytest_mcp.server.running import RunningServer
    from pytest_mcp.server.targets import http
    from pytest_mcp.settings import Settings

    server = RunningServer(http(url), Settings()).start()
    window: dict[str, float] = {}

    def arguments(number: int) -> dict[str, int]:
        if number == warmup:
            window["start"] = time.process_time()
        return ARGUMENTS

    async def main() -> None:
        stats = await run_load(server, [call("add", arguments)], calls=calls, era="2026-07-28", engine=engine)
        window["end"] = time.process_time()
        assert stats.errors == 0 and stats.calls == calls and stats.engine == engine, stats

    anyio.run(main)
    return {"window_cpu": window["end"] - window.get("start", window["end"])}


LOCUSTFILE = """
import json, os, time

import gevent
from locust import constant, task
from locust.exception import StopUser
from pytest_mcp.load.locust import {base}

CALLS = int(os.environ["LOAD_CPU_CALLS"])
WARMUP = int(os.environ["LOAD_CPU_WARMUP"])
window = {{}}
done = [0]


class Adder({base}):
    wait_time = constant(0)

    @task
    def add(self):
        if done[0] == WARMUP:
            window["start"] = time.process_time()
        result = self.call_tool("add", {{"a": 1, "b": 2}})
        assert result is not None and result["structuredContent"] == {{"result": 3}}, result
        done[0] += 1
        if done[0] == CALLS:
            window["end"] = time.process_time()
            with open(os.environ["LOAD_CPU_OUT"], "w") as out:
                json.dump({{"window_cpu": window["end"] - window.get("start", window["end"]), "calls": done[0]}}, out)
            gevent.spawn(self.environment.runner.quit)
            raise StopUser()
"""


def run_locust(url: str, calls: int, warmup: int, base: str) -> tuple[float, dict[str, float]]:
    with tempfile.TemporaryDirectory() as directory:
        locustfile = Path(directory) / "locustfile.py"
        locustfile.write_text(textwrap.dedent(LOCUSTFILE.format(base=base)))
        out = Path(directory) / "window.json"
        env = {**os.environ, "LOAD_CPU_CALLS": str(calls), "LOAD_CPU_WARMUP": str(warmup), "LOAD_CPU_OUT": str(out)}
        command = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", "1", "-r", "1"]
        command += ["-t", "300s", "--host", url, "--only-summary", "--loglevel", "WARNING", "--skip-log-setup"]
        cpu, _ = run_child(command, env)
        return cpu, json.loads(out.read_text())


# -- fuzz examples per second (a child process too) -------------------------------------------


def child_stateful(examples: int) -> dict[str, float]:
    """The stateful suite's machine over every tool of the in-process example server; its calls are the count."""
    import anyio

    from example_server.app import create_server
    from pytest_mcp.client.mcp_client import connect
    from pytest_mcp.server.running import RunningServer
    from pytest_mcp.server.targets import in_process
    from pytest_mcp.settings import Settings
    from pytest_mcp.suite.stateful_machine import StatefulConfig, run_machine
    from pytest_mcp.suite.stateful_tools import build_machine

    async def main() -> dict[str, float]:
        running = RunningServer(in_process(create_server), Settings()).start()
        async with connect(running, timeout=30) as client:
            machine, _ = build_machine(await client.tools())
            cpu = time.process_time()
            config = StatefulConfig(sequences=max(1, examples // 10), steps=10, seed=1)
            report = await run_machine(machine, client, config, restart=True)
        return {"wall": report.seconds, "cpu": time.process_time() - cpu, "calls": report.calls, "ok": 0, "is_error": 0}

    return anyio.run(main)


def child_engine(examples: int) -> dict[str, float]:
    """The suite's own fuzz engine (``fuzz_tool``, valid inputs) on the in-process example server's
    ``create_assignment``: what a ``--mcp-suite=fuzz`` item pays per example (the Hypothesis thread and its
    hand-over to the event loop, the verdict, the leak scan), beside the bare loops above."""
    import anyio

    from example_server.app import create_server
    from pytest_mcp.client.mcp_client import connect
    from pytest_mcp.server.running import RunningServer
    from pytest_mcp.server.targets import in_process
    from pytest_mcp.settings import Settings
    from pytest_mcp.suite.fuzz_engine import FuzzConfig, fuzz_tool

    async def main() -> dict[str, float]:
        running = RunningServer(in_process(create_server), Settings()).start()
        async with connect(running, timeout=30) as client:
            tool = next(tool for tool in await client.tools() if tool.name == "create_assignment")
            started = time.perf_counter()
            await fuzz_tool(client, tool, "valid", config=FuzzConfig(examples=WARMUP_EXAMPLES, seed=2))
            first = time.perf_counter() - started
            cpu, started = time.process_time(), time.perf_counter()
            report = await fuzz_tool(client, tool, "valid", config=FuzzConfig(examples=examples, seed=1))
            wall = time.perf_counter() - started
        assert report.failure is None, report.failure
        cpu = time.process_time() - cpu
        return {"wall": wall, "cpu": cpu, "calls": report.examples, "ok": 0, "is_error": 0, "first": first}

    return anyio.run(main)


def _fuzz_strategy(fuzzer: str, schema: dict[str, Any]) -> Any:
    """The examples a fuzzer draws: valid arguments (the current or the old engine), or another mode's."""
    from pytest_mcp.suite.strategies import hostile_choices, invalid_arguments, valid_arguments, with_hostile

    if fuzzer.endswith(INVALID):
        return invalid_arguments(schema).map(lambda example: example.arguments)
    if fuzzer.endswith(HOSTILE):
        base, pairs = hostile_choices(schema)
        return pairs.map(lambda pair: with_hostile(base, *pair))
    return valid_arguments(schema, compiled=not fuzzer.endswith(OLD))


def child_fuzz(fuzzer: str, examples: int) -> dict[str, float]:
    """Run ``examples`` Hypothesis examples of ``create_assignment``'s arguments, calling the tool or not."""
    import anyio
    import anyio.from_thread
    import anyio.to_thread
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from mcp import Client

    from example_server.app import create_server
    from pytest_mcp.client.mcp_client import connect
    from pytest_mcp.server.running import RunningServer
    from pytest_mcp.server.targets import in_process
    from pytest_mcp.settings import Settings

    server = create_server()
    outcomes: dict[str, int] = {"ok": 0, "is_error": 0, "calls": 0}

    async def main() -> dict[str, float]:
        async with Client(server, cache=None) as raw:
            tools = {tool.name: tool for tool in (await raw.list_tools()).tools}
        strategy = _fuzz_strategy(fuzzer, tools["create_assignment"].input_schema)

        async def fuzz(call: Any) -> dict[str, float]:
            """The measured run's wall and CPU seconds, after a first run of ``WARMUP_EXAMPLES``."""
            await anyio.to_thread.run_sync(run(call, WARMUP_EXAMPLES))
            outcomes.update(ok=0, is_error=0, calls=0)
            cpu, started = time.process_time(), time.perf_counter()
            await anyio.to_thread.run_sync(run(call, examples))
            return {"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu}

        def run(call: Any, count: int) -> Any:
            @seed(count)  # the warm-up's examples differ from the measured run's (no conflicts with its rows)
            @settings(
                max_examples=count,
                database=None,
                deadline=None,
                phases=(Phase.generate,),
                suppress_health_check=list(HealthCheck),
            )
            @given(strategy)
            def probe(arguments: dict[str, Any]) -> None:
                outcomes["calls"] += 1
                if call is not None:
                    result = anyio.from_thread.run(call, arguments)
                    outcomes["is_error" if result.is_error else "ok"] += 1

            return probe

        if fuzzer.startswith("draw only"):
            measured = await fuzz(None)
        elif fuzzer == "raw mcp.Client":
            async with Client(server, cache=None) as client:
                await client.list_tools()

                async def raw_call(arguments: dict[str, Any]) -> Any:
                    return await client.call_tool("create_assignment", arguments)

                measured = await fuzz(raw_call)
        else:
            running = RunningServer(in_process(server), Settings()).start()
            async with connect(running, timeout=30) as ours:
                await ours.list_tools()

                async def our_call(arguments: dict[str, Any]) -> Any:
                    return await ours.call_tool("create_assignment", arguments)

                measured = await fuzz(our_call)
        return {**measured, **outcomes}

    return anyio.run(main)


# -- the parent ------------------------------------------------------------------------------


def pin(cpu: int | None) -> Any:
    """A ``preexec_fn`` putting the child on one CPU (server and client must not compete for a core)."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def cpus() -> tuple[int | None, int | None]:
    """(server CPU, client CPU) when there are at least two, else no pinning."""
    available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return (available[0], available[1]) if len(available) >= 2 else (None, None)


def run_child(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run ``command`` to completion: (its user + system CPU seconds from ``os.wait4``, its stdout)."""
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=pin(cpus()[1])
    )
    assert process.stdout is not None and process.stderr is not None
    output = process.stdout.read()
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"{command} exited with {process.returncode}:\n{output.decode()}\n{errors.decode()[-3000:]}")
    return usage.ru_utime + usage.ru_stime, output.decode()


def child_command(*args: str) -> list[str]:
    return [sys.executable, __file__, "--child", *args]


def measure(name: str, url: str, calls: int, warmup: int) -> tuple[float, float]:
    """(CPU seconds from wait4, CPU seconds inside the measured window) for ``calls`` calls."""
    if name.startswith("locust"):
        cpu, window = run_locust(url, calls, warmup, "FastMcpUser" if "Fast" in name else "McpUser")
        return cpu, window["window_cpu"]
    command = child_command(name, "--url", url, "--calls", str(calls), "--warmup", str(warmup))
    cpu, output = run_child(command, dict(os.environ))
    return cpu, json.loads(output.strip().splitlines()[-1])["window_cpu"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.servers.demo", "--http", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=pin(cpus()[0]),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server, f"http://127.0.0.1:{port}/mcp"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the demo server did not start")


def bench_http(contenders: list[str], calls: int, warmup: int, repeat: int) -> None:
    server, url = start_server()
    results: dict[str, dict[str, list[float]]] = {name: {"wait4": [], "window": []} for name in contenders}
    try:
        for repetition in range(repeat):
            for name in contenders:  # interleaved, so drifting machine load hits every contender alike
                base_cpu, _ = measure(name, url, warmup, warmup)
                full_cpu, window = measure(name, url, warmup + calls, warmup)
                results[name]["wait4"].append(full_cpu - base_cpu)
                results[name]["window"].append(window)
                print(
                    f"  run {repetition + 1}/{repeat} {name:<20} wait4 {full_cpu - base_cpu:6.3f} s "
                    f"(runs: {base_cpu:.3f} s and {full_cpu:.3f} s)  window {window:6.3f} s",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(10)

    per_1000 = 1000 / calls
    print()
    print("1. Client CPU seconds per 1,000 tools/call over Streamable HTTP (2026-07-28), one user,")
    print(f"   median of {repeat}; wait4 = child rusage difference, window = process_time over the calls:")
    print(f"   {'contender':<22}{'wait4':>8}{'window':>8}")
    medians = {}
    for name in contenders:
        wait4 = statistics.median(results[name]["wait4"]) * per_1000
        window = statistics.median(results[name]["window"]) * per_1000
        medians[name] = (wait4, window)
        print(f"   {name:<22}{wait4:>8.3f}{window:>8.3f}")
    print()
    targets = {"sdk loop": 1.10, "locust HttpUser": 1.00, "locust FastHttpUser": 1.00}
    for ours in ("pytest_mcp http", "pytest_mcp sdk"):
        if ours not in medians:
            continue
        for name in contenders:
            if name.startswith("pytest_mcp"):
                continue
            wait4, window = (medians[ours][i] / medians[name][i] for i in (0, 1))
            target = f"  (target <= {targets[name]:.2f})" if ours == "pytest_mcp http" else ""
            print(f"   {ours} / {name:<20} wait4 {wait4:5.2f}  window {window:5.2f}{target}")


def bench_fuzz(examples: int, repeat: int) -> None:
    rates: dict[str, list[tuple[float, float]]] = {name: [] for name in FUZZERS}
    outcomes = {}
    firsts: list[float] = []
    for repetition in range(repeat):
        for name in FUZZERS:
            _, output = run_child(child_command(name, "--examples", str(examples)), dict(os.environ))
            figures = json.loads(output.strip().splitlines()[-1])
            count = figures.get("calls", examples)
            rates[name].append((count / figures["wall"], figures["cpu"] / count * 1000))
            outcomes[name] = (figures["ok"], figures["is_error"])
            if "first" in figures:
                firsts.append(figures["first"])
            print(f"  run {repetition + 1}/{repeat} {name:<34} {rates[name][-1][0]:8.1f} per s", flush=True)
    print()
    print(f"2. Fuzz examples per second in-process (create_assignment, {examples} examples, median of {repeat}):")
    print(f"   {'fuzzer':<36}{'examples/s':>12}{'CPU ms/example':>16}   tool results ok / isError")
    medians = {}
    for name in FUZZERS:
        rate = statistics.median(r for r, _ in rates[name])
        cpu = statistics.median(c for _, c in rates[name])
        medians[name] = (rate, cpu)
        ok, errors = outcomes[name]
        called = f"   {ok} / {errors}" if ok or errors else ""
        label = name + (" (steps)" if name == "stateful steps" else "")
        print(f"   {label:<36}{rate:>12.1f}{cpu:>16.2f}{called}")
    print()
    for name in ("draw only", "pytest_mcp McpClient"):
        new, old = medians[name], medians[name + OLD]
        print(
            f"   {name}: current / old engine   examples/s {new[0] / old[0]:.2f}  CPU per example {new[1] / old[1]:.2f}"
        )
    print(
        f"   suite fuzz engine: the first fuzz item of a process ({WARMUP_EXAMPLES} examples, imports included) "
        f"took {statistics.median(firsts):.2f} s"
    )
    engine, loop = medians["suite fuzz engine"], medians["pytest_mcp McpClient"]
    print(
        f"   suite fuzz engine / pytest_mcp McpClient loop   examples/s {engine[0] / loop[0]:.2f}  "
        f"CPU per example {engine[1] / loop[1]:.2f}"
    )
    ours, raw = medians["pytest_mcp McpClient"], medians["raw mcp.Client"]
    print(
        f"   pytest_mcp McpClient / raw mcp.Client   examples/s {ours[0] / raw[0]:.2f}  CPU per example {ours[1] / raw[1]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1000, help="measured calls per run (default 1000)")
    parser.add_argument("--warmup", type=int, default=50, help="calls before measuring (default 50)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions; medians are reported (default 5)")
    parser.add_argument("--examples", type=int, default=300, help="fuzz examples per run (default 300)")
    parser.add_argument("--only", action="append", choices=[*CONTENDERS, "fuzz"], help="run only these parts")
    parser.add_argument("--child", choices=[*CONTENDERS, *FUZZERS], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "stateful steps":
        print(json.dumps(child_stateful(args.examples)))
        return
    if args.child == "suite fuzz engine":
        print(json.dumps(child_engine(args.examples)))
        return
    if args.child in FUZZERS:
        print(json.dumps(child_fuzz(args.child, args.examples)))
        return
    if args.child == "sdk loop":
        print(json.dumps(child_sdk(args.url, args.calls, args.warmup)))
        return
    if args.child:
        print(json.dumps(child_ours(args.url, args.calls, args.warmup, args.child.split()[1])))
        return

    chosen = args.only or [*CONTENDERS, "fuzz"]
    contenders = [name for name in CONTENDERS if name in chosen]
    if contenders:
        bench_http(contenders, args.calls, args.warmup, args.repeat)
    if "fuzz" in chosen:
        print()
        bench_fuzz(args.examples, args.repeat)


if __name__ == "__main__":
    main()
