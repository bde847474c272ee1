"""``--mcp-suite=all`` per reference server: wall time of the whole zero-code suite, and what it found.

For each reference server installed here, ``pytest --mcp-server=TARGET --mcp-suite=all`` runs from
an empty directory with the server's packaged baseline (``--mcp-baseline=NAME``) (the whole pytest
process, start-up included, Python's bytecode cache on), ``--rounds`` times; a warm-up run first
fills the caches. By default the warm-up and the rounds of a server share their directory, so
Hypothesis's ``.hypothesis/`` cache is kept between runs, as in a project: in a cold one Hypothesis
reads the source of every local module for constants, and in this development install (editable)
this plugin's 160 modules count as local, about 3 s of CPU that a user, whose copy sits in
site-packages, does not pay. ``--cold`` runs each in a fresh directory. Printed per server: the median wall seconds, the slowest items of the last round
(``--durations``) and the outcomes, which must hold no failure (a failure is a false finding on a
correct server, or a finding its baseline does not cover: the script then exits 1).

Servers: server-everything over stdio and over Streamable HTTP, server-memory (npm, ``npm ci
--prefix tests/servers``), mcp-server-time (PyPI, ``.venv-servers``, see
docs/dev/third-party-servers.md) and the example server over stdio; a missing one is left out
with a line saying how to install it. Issue 17's target: server-everything over stdio <= 10 s.

``--serial`` adds a row per server with ``--mcp-suite-jobs=1`` (one check at a time: no checks side by
side over HTTP, none in the background over stdio), its rounds alternating with the default's.

Run: ``python benchmarks/suite_all.py [--rounds N] [--only NAME] [--cold] [--serial]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.suite.http_servers import serve_everything  # noqa: E402

NPM = ROOT / "tests" / "servers" / "node_modules" / "@modelcontextprotocol"
SERVERS_VENV = ROOT / ".venv-servers" / "bin"
SUMMARY = re.compile(r"^=* ?(?P<text>(\d+ \w+(, )?)+) in [\d.]+s", re.M)
DURATION = re.compile(r"^\s*(?P<seconds>[\d.]+)s call\s+(?P<item>\S+)", re.M)


@dataclass
class Server:
    name: str
    target: str
    baseline: str | None
    missing: str | None = None


@contextmanager
def servers(stack: ExitStack) -> Iterator[list[Server]]:
    everything = NPM / "server-everything" / "dist" / "index.js"
    memory = NPM / "server-memory" / "dist" / "index.js"
    time_server = SERVERS_VENV / "mcp-server-time"
    node = shutil.which("node")
    listed = []
    npm_hint = "npm ci --prefix tests/servers (and Node.js)"
    if everything.exists() and node:
        listed.append(Server("everything-stdio", f"node {everything} stdio", "server-everything"))
        url = stack.enter_context(serve_everything(everything))
        listed.append(Server("everything-http", url, "server-everything"))
    else:
        listed.append(Server("everything", "", None, npm_hint))
    if memory.exists() and node:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-memory-")))
        os.environ["MEMORY_FILE_PATH"] = str(work / "memory.jsonl")
        listed.append(Server("memory", f"node {memory}", "server-memory"))
    else:
        listed.append(Server("memory", "", None, npm_hint))
    if time_server.exists():
        listed.append(Server("time", f"{time_server} --local-timezone UTC", "mcp-server-time"))
    else:
        listed.append(Server("time", "", None, "docs/dev/third-party-servers.md (.venv-servers)"))
    listed.append(Server("example-stdio", f"{sys.executable} -m example_server", None))
    yield listed


FAILURES = re.compile(r"(?<![\w])\d+ (failed|errors?)\b")
"""A failure or error count in pytest's summary line (not "xfailed")."""


def run_suite(server: Server, work: Path | None, *extra: str) -> tuple[float, str, str]:
    """One ``--mcp-suite=all`` run in ``work`` (a fresh empty directory when None), with ``extra`` options: wall
    seconds, the summary line, the slowest items."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    with ExitStack() as stack:
        if work is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-suite-all-")))
        command = [sys.executable, "-m", "pytest", f"--mcp-server={server.target}", "--mcp-suite=all"]
        command += ["-p", "no:cacheprovider", "-q", "--durations=5", "-rf", *extra]
        if server.baseline:
            command.append(f"--mcp-baseline={server.baseline}")
        started = time.perf_counter()
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=False, timeout=900)
        seconds = time.perf_counter() - started
    found = SUMMARY.search(done.stdout)
    slowest = ", ".join(f"{m['item'].split('::', 1)[-1]} {m['seconds']} s" for m in DURATION.finditer(done.stdout))
    summary = found["text"] if found else f"exit {done.returncode}: {done.stdout[-600:]}{done.stderr[-600:]}"
    return seconds, summary, slowest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="run only this server (a name printed in the table)")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="each run in a fresh directory: Hypothesis's .hypothesis/ cache starts empty",
    )
    parser.add_argument(
        "--serial", action="store_true", help="also run each with --mcp-suite-jobs=1 (one check at a time), alternating"
    )
    args = parser.parse_args()
    status = 0
    with ExitStack() as stack, servers(stack) as listed:
        where = "a fresh directory each" if args.cold else "one directory per server, its .hypothesis/ cache kept"
        print(f"--mcp-suite=all, median wall seconds of {args.rounds} round(s) after a warm-up run ({where})")
        for server in listed:
            if args.only and server.name != args.only:
                continue
            if server.missing:
                print(f"{server.name:18} not installed: {server.missing}")
                continue
            work = None if args.cold else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
            run_suite(server, work)  # warm-up: bytecode caches, Node's compile cache, Hypothesis's cache
            variants = {"": ()} | ({" -j1": ("--mcp-suite-jobs=1",)} if args.serial else {})
            runs: dict[str, list[tuple[float, str, str]]] = {name: [] for name in variants}
            for _ in range(args.rounds):  # the variants alternate, so a slower minute of the machine hits both
                for name, extra in variants.items():
                    runs[name].append(run_suite(server, work, *extra))
            for name, done in runs.items():
                median = statistics.median(seconds for seconds, _, _ in done)
                _, summary, slowest = done[-1]
                print(f"{server.name + name:18} {median:6.1f} s  {summary}")
                print(f"{'':18} slowest: {slowest}")
                if FAILURES.search(summary) or summary.startswith("exit"):
                    status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
