"""Where an in-process ``call_tool`` spends its Python: bytecodes per call, plugin vs raw SDK loops.

CPU-time ratios on a shared machine move by a few percent between runs; the number of Python
bytecodes a call executes does not (with ``PYTHONHASHSEED`` fixed). This counts them with a
``sys.settrace`` opcode hook for the loops of ``core.py`` (1) and prints, for the plugin, the
functions whose counts differ most from the raw loop's.

Run: ``PYTHONHASHSEED=0 python benchmarks/call_opcodes.py`` (CPU time here is meaningless: tracing
slows every bytecode down).
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import anyio

ROOT = Path(__file__).resolve().parent.parent
CALLS = 200


def count(loop: str) -> collections.Counter[str]:
    """Bytecodes per function over ``CALLS`` calls of one loop (after a warm-up)."""
    from mcp import Client

    from pytest_mcp.client.mcp_client import connect
    from pytest_mcp.server.running import RunningServer
    from pytest_mcp.server.targets import in_process
    from pytest_mcp.settings import Settings
    from tests.servers.demo import make_server

    server = make_server()
    running = RunningServer(in_process(server), Settings()).start()
    arguments = {"a": 1, "b": 2}
    counts: collections.Counter[str] = collections.Counter()

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            code = frame.f_code
            counts[f"{Path(code.co_filename).name}:{code.co_name}"] += 1
        return tracer

    async def main() -> None:
        manager: Any = connect(running, timeout=30) if loop == "ours" else Client(server, cache=None)
        async with manager as client:
            timeout = {"read_timeout_seconds": 30} if loop == "raw+sdk timeout" else {}
            for traced in (False, True):
                if traced:
                    sys.settrace(tracer)
                for _ in range(CALLS if traced else 20):
                    if loop == "raw+fail_after":
                        with anyio.fail_after(30):
                            await client.call_tool("add", arguments)
                    else:
                        await client.call_tool("add", arguments, **timeout)
                sys.settrace(None)

    anyio.run(main)
    return counts


def main() -> None:
    sys.path.insert(0, str(ROOT))
    loops = {name: count(name) for name in ("raw", "raw+sdk timeout", "raw+fail_after", "ours")}
    raw = loops["raw"]
    for name, counts in loops.items():
        total = sum(counts.values()) / CALLS
        print(f"{name:16} {total:9.1f} bytecodes/call   {total / (sum(raw.values()) / CALLS):.3f} x raw")
    ours = loops["ours"]
    print("\nfunctions whose counts differ most, pytest_mcp minus raw (bytecodes/call):")
    differences = {name: (ours[name] - raw[name]) / CALLS for name in set(ours) | set(raw)}
    for name, extra in sorted(differences.items(), key=lambda item: -abs(item[1]))[:15]:
        print(f"  {extra:+8.1f}  {name}")


if __name__ == "__main__":
    main()
