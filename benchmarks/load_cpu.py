"""Client CPU per 1,000 MCP tool calls over Streamable HTTP (2026-07-28): our load runner vs Locust vs the SDK.

    python benchmarks/load_cpu.py [--calls 1000] [--warmup 50] [--repeat 3] [--users 1]

One demo server (``python -m tests.servers.demo --http``) serves every contender. Each contender
runs in its own child process, so only the client's CPU is counted (with two or more CPUs the
server is pinned to one and the clients to another, so they do not compete for a core), read from the child's
resource usage (``os.wait4``: user + system seconds). Every contender runs twice per repetition:
once with ``warmup`` calls and once with ``warmup + calls`` calls; the difference is the CPU of
``calls`` calls with start-up, imports and connecting subtracted out. As a cross-check each
child also reports ``time.process_time()`` over just the measured calls.

Contenders, all making the same requests (``server/discover``, ``tools/list``, then
``tools/call add`` over and over, one call in flight per user):

* ``pytest_mcp``: ``pytest_mcp.load.run_load`` (an ``McpClient`` per user, via ``connect``);
* ``sdk loop``: ``mcp.Client(url)`` calling ``call_tool`` in a loop (the floor: what any
  SDK-based client pays);
* ``locust HttpUser`` / ``locust FastHttpUser``: ``pytest_mcp.load.locust.McpUser`` /
  ``FastMcpUser`` (hand-built JSON-RPC over requests / geventhttpclient), headless, no wait.

Targets: pytest_mcp <= Locust, and pytest_mcp <= 1.1 x the SDK loop.
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
CONTENDERS = ("pytest_mcp", "sdk loop", "locust HttpUser", "locust FastHttpUser")
ARGUMENTS = {"a": 1, "b": 2}


# -- the contenders (each runs in a child process: `load_cpu.py --child NAME ...`) ------------


def child_sdk(url: str, calls: int, warmup: int, users: int) -> dict[str, float]:
    """``mcp.Client(url)`` calling the tool ``calls`` times in a loop."""
    import anyio
    from mcp import Client

    if users != 1:
        raise SystemExit("the sdk loop contender runs one client (use --users 1)")
    window: dict[str, float] = {}

    async def main() -> None:
        async with Client(url) as client:
            assert client.protocol_version == "2026-07-28", client.protocol_version
            for number in range(calls):
                if number == warmup:
                    window["start"] = time.process_time()
                result = await client.call_tool("add", ARGUMENTS)
                assert result.structured_content == {"result": 3}, result
            window["end"] = time.process_time()

    anyio.run(main)
    return {"window_cpu": window["end"] - window.get("start", window["end"])}


def child_ours(url: str, calls: int, warmup: int, users: int) -> dict[str, float]:
    """One ``run_load`` of ``calls`` calls by ``users`` users (the window starts at call ``warmup``)."""
    import anyio

    from pytest_mcp.load import call, run_load
    from pytest_mcp.servers import RunningServer
    from pytest_mcp.settings import Settings
    from pytest_mcp.targets import http

    server = RunningServer(http(url), Settings()).start()
    window: dict[str, float] = {}

    def arguments(number: int) -> dict[str, int]:
        if number == warmup:
            window["start"] = time.process_time()
        return ARGUMENTS

    async def main() -> None:
        stats = await run_load(server, [call("add", arguments)], users=users, calls=calls, era="2026-07-28")
        window["end"] = time.process_time()
        assert stats.errors == 0 and stats.calls == calls, stats

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


def run_locust(url: str, calls: int, warmup: int, users: int, base: str) -> tuple[float, dict[str, float]]:
    if users != 1:
        raise SystemExit("the locust contenders run one user (use --users 1)")
    with tempfile.TemporaryDirectory() as directory:
        locustfile = Path(directory) / "locustfile.py"
        locustfile.write_text(textwrap.dedent(LOCUSTFILE.format(base=base)))
        out = Path(directory) / "window.json"
        env = {
            **os.environ,
            "LOAD_CPU_CALLS": str(calls),
            "LOAD_CPU_WARMUP": str(warmup),
            "LOAD_CPU_OUT": str(out),
        }
        command = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", "1", "-r", "1"]
        command += ["-t", "300s", "--host", url, "--only-summary", "--loglevel", "WARNING", "--skip-log-setup"]
        cpu = run_child(command, env)
        return cpu, json.loads(out.read_text())


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


def run_child(command: list[str], env: dict[str, str]) -> float:
    """Run ``command`` to completion; its user + system CPU seconds (from ``os.wait4``)."""
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=pin(cpus()[1])
    )
    output = b""
    assert process.stdout is not None and process.stderr is not None
    output = process.stdout.read()
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"{command} exited with {process.returncode}:\n{output.decode()}\n{errors.decode()[-3000:]}")
    run_child.last_output = output.decode()  # type: ignore[attr-defined]
    return usage.ru_utime + usage.ru_stime


def measure(name: str, url: str, calls: int, warmup: int, users: int) -> tuple[float, float]:
    """(CPU seconds from wait4, CPU seconds inside the measured window) for ``calls`` calls."""
    if name.startswith("locust"):
        base = "FastMcpUser" if "Fast" in name else "McpUser"
        cpu, window = run_locust(url, calls, warmup, users, base)
        return cpu, window["window_cpu"]
    command = [sys.executable, __file__, "--child", name, "--url", url, "--calls", str(calls)]
    command += ["--warmup", str(warmup), "--users", str(users)]
    cpu = run_child(command, dict(os.environ))
    return cpu, json.loads(run_child.last_output.strip().splitlines()[-1])["window_cpu"]  # type: ignore[attr-defined]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1000, help="measured calls per run (default 1000)")
    parser.add_argument("--warmup", type=int, default=50, help="calls before measuring (default 50)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions; medians are reported (default 5)")
    parser.add_argument("--users", type=int, default=1, help="concurrent users (default 1)")
    parser.add_argument("--only", action="append", choices=CONTENDERS, help="run only these contenders")
    parser.add_argument("--child", choices=("pytest_mcp", "sdk loop"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        run = child_ours if args.child == "pytest_mcp" else child_sdk
        print(json.dumps(run(args.url, args.calls, args.warmup, args.users)))
        return

    contenders = args.only or list(CONTENDERS)
    server, url = start_server()
    results: dict[str, dict[str, list[float]]] = {name: {"wait4": [], "window": []} for name in contenders}
    try:
        for repetition in range(args.repeat):
            for name in contenders:
                base_cpu, _ = measure(name, url, args.warmup, args.warmup, args.users)
                full_cpu, window = measure(name, url, args.warmup + args.calls, args.warmup, args.users)
                results[name]["wait4"].append(full_cpu - base_cpu)
                results[name]["window"].append(window)
                print(
                    f"  run {repetition + 1}/{args.repeat} {name:<20} wait4 {full_cpu - base_cpu:6.3f} s "
                    f"(runs: {base_cpu:.3f} s and {full_cpu:.3f} s)  in-process window {window:6.3f} s",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(10)

    per_1000 = 1000 / args.calls
    print()
    print(f"Client CPU seconds per 1,000 tools/call over Streamable HTTP (2026-07-28), {args.users} user(s),")
    print(f"median of {args.repeat}; wait4 = child rusage difference, window = process_time over the calls:")
    print(f"{'contender':<22}{'wait4':>10}{'window':>10}")
    medians = {}
    for name in contenders:
        wait4 = statistics.median(results[name]["wait4"]) * per_1000
        window = statistics.median(results[name]["window"]) * per_1000
        medians[name] = (wait4, window)
        print(f"{name:<22}{wait4:>10.3f}{window:>10.3f}")
    if "pytest_mcp" in medians:
        print()
        ours = medians["pytest_mcp"]
        for name in contenders:
            if name == "pytest_mcp":
                continue
            ratio = (ours[0] / medians[name][0], ours[1] / medians[name][1])
            target = " (target <= 1.10)" if name == "sdk loop" else " (target <= 1.00)"
            print(f"pytest_mcp / {name:<20} wait4 {ratio[0]:.2f}  window {ratio[1]:.2f}{target}")


if __name__ == "__main__":
    main()
