"""The built-in conformance suite vs the official one, against server-everything over Streamable HTTP.

Both run side by side in one process tree, against the same server, alternating per round:

* ours: ``pytest --mcp-server=URL --mcp-suite=conformance`` from an empty directory (the whole
  pytest process, start-up included), with its defaults (checks side by side) and one check after
  another (``--mcp-suite-jobs=1``); both in this development environment (every pytest plugin of ``.[dev]`` loads: hypothesis, faker,
  respx, pytest-html, ... about 0.3 s of imports) and, with the defaults, with the plugins
  a user's ``pip install pytest-mcp-testkit`` brings: the ``pytest11`` entry points of pytest-mcp-testkit's own
  dependency closure (found from the installed metadata: ours and anyio's), loaded with ``-p`` under
  ``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``;
* official: ``node .../@modelcontextprotocol/conformance/dist/index.js server --url URL
  --spec-version 2025-11-25 -o DIR`` (the pinned 0.2.0-alpha.12; server-everything speaks only the
  handshake era, so the 2026-07-28 scenarios would only fail).

pytest runs with Python's default bytecode caching (``PYTHONDONTWRITEBYTECODE`` is removed from its
environment: with it set, pytest re-compiles every plugin module for assertion rewriting on each run,
about a second that no normal installation pays); a warm-up run of each fills the caches.

Also timed, as the floor under every ``pytest`` row: ``pytest -p no:cacheprovider -q`` in an empty directory
(start-up, this environment's plugins, nothing collected).

Printed: median wall seconds, checks run (ours: items that passed, failed or were baselined as
xfail; the official: every check it reported, ``wire-schema-valid`` once per scenario included),
distinct check ids, and the ratios. Targets: time ours/official <= 1.0, checks ours/official >= 2.0.

Needs ``npm ci --prefix tests/servers`` and Node 22 + the official package
(``python -m pytest_mcp.suite.official_runner install``, or ``PYTEST_MCP_CACHE_DIR``).
Run: ``python benchmarks/suite_vs_official.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pytest_mcp.suite.official_runner import find_runner, parse_output  # noqa: E402
from tests.suite.http_servers import serve_everything  # noqa: E402

EVERYTHING = ROOT / "tests" / "servers" / "node_modules" / "@modelcontextprotocol" / "server-everything"
BASELINE = "server-everything"
"""The packaged baseline (``--mcp-baseline=server-everything``)."""


@dataclass
class Run:
    seconds: float
    outcomes: dict[str, int] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)

    @property
    def checks(self) -> int:
        """Checks that ran to a verdict (skips excluded)."""
        return sum(count for outcome, count in self.outcomes.items() if outcome != "skipped")


def user_plugins() -> list[str]:
    """The ``pytest11`` entry points a ``pip install pytest-mcp-testkit`` brings: those of the distributions in
    pytest-mcp-testkit's dependency closure (extras left out), from the installed metadata."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    todo = ["pytest-mcp-testkit"]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    found = metadata.entry_points(group="pytest11")
    return sorted({ep.name for ep in found if ep.dist is not None and canonicalize_name(ep.dist.name) in seen})


def run_ours(url: str, baseline: bool, jobs: int | None = None, plugins: list[str] | None = None) -> Run:
    """``jobs``: ``--mcp-suite-jobs`` (None: the default); ``plugins``: load only these pytest plugins (by
    entry point name) instead of every installed one."""
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as work:
        command = [sys.executable, "-m", "pytest", f"--mcp-server={url}", "--mcp-suite=conformance"]
        if jobs is not None:
            command.append(f"--mcp-suite-jobs={jobs}")
        command += ["-p", "no:cacheprovider", "-q", "--junitxml=j.xml"]
        if baseline:
            command.append(f"--mcp-baseline={BASELINE}")
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        if plugins is not None:
            env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
            for name in plugins:
                command += ["-p", name]
        started = time.perf_counter()
        subprocess.run(command, cwd=work, env=env, capture_output=True, check=False)
        seconds = time.perf_counter() - started
        run = Run(seconds)
        for case in ElementTree.parse(Path(work) / "j.xml").getroot().iter("testcase"):
            kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
            outcome = "passed"
            if kinds:
                skipped = case.find("skipped")
                xfail = skipped is not None and skipped.get("type") == "pytest.xfail"
                outcome = "xfailed" if xfail else ("skipped" if kinds[0] == "skipped" else "failed")
            run.outcomes[outcome] = run.outcomes.get(outcome, 0) + 1
            if outcome != "skipped":
                props = {p.get("name"): p.get("value") for p in case.iter("property")}
                run.ids.add(str(props.get("mcp_check")))
        return run


def run_pytest_alone() -> Run:
    """pytest with nothing to run, from an empty directory, with this environment's plugins: the floor under any
    ``pytest --mcp-suite=...`` run here (start-up, plugin imports, an empty collection, the summary)."""
    with tempfile.TemporaryDirectory(prefix="bench-pytest-") as work:
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        started = time.perf_counter()
        subprocess.run(command, cwd=work, env=env, capture_output=True, check=False)
        return Run(time.perf_counter() - started)


def run_official(command: tuple[str, ...], url: str) -> Run:
    with tempfile.TemporaryDirectory(prefix="bench-official-") as out:
        argv = [*command, "server", "--url", url, "--spec-version", "2025-11-25", "-o", out]
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        seconds = time.perf_counter() - started
        run = Run(seconds)
        for check in parse_output(Path(out)):
            outcome = {"SUCCESS": "passed", "FAILURE": "failed", "SKIPPED": "skipped"}.get(check.status, "passed")
            run.outcomes[outcome] = run.outcomes.get(outcome, 0) + 1
            if outcome != "skipped":
                run.ids.add(check.id)
        return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true", help="run ours without the server-everything baseline")
    args = parser.parse_args()
    if not (EVERYTHING / "dist" / "index.js").exists():
        print("server-everything is missing: npm ci --prefix tests/servers", file=sys.stderr)
        return 2
    os.environ.setdefault("PYTEST_MCP_CACHE_DIR", str(ROOT / ".cache" / "pytest-mcp"))
    runner = find_runner(ROOT)
    if isinstance(runner, str):
        print(runner, file=sys.stderr)
        return 2
    baseline = not args.no_baseline
    plugins = user_plugins()
    contenders: dict[str, Callable[[str], Run]] = {
        "ours (default)": lambda url: run_ours(url, baseline),
        "ours -j1": lambda url: run_ours(url, baseline, 1),
        "ours, user install": lambda url: run_ours(url, baseline, None, plugins),
        "pytest alone, no tests": lambda url: run_pytest_alone(),
        "official": lambda url: run_official(runner.command, url),
    }
    runs: dict[str, list[Run]] = {name: [] for name in contenders}
    with serve_everything(EVERYTHING / "dist" / "index.js") as url:
        for contender in contenders.values():
            contender(url)  # warm-up: Node's caches, the server's JIT, pytest's bytecode
        for index in range(args.rounds):
            names = list(contenders) if index % 2 == 0 else list(reversed(contenders))
            for name in names:
                runs[name].append(contenders[name](url))
    medians = {name: statistics.median(run.seconds for run in done) for name, done in runs.items()}
    official, t_official = runs["official"][-1], medians["official"]
    print(f"server-everything over Streamable HTTP, {args.rounds} rounds, medians of wall time")
    print(f"user install: only the pytest plugins of pytest-mcp's dependencies load (-p {' -p '.join(plugins)})")
    print(f"{'':24} {'wall s':>7} {'checks run':>11} {'distinct ids':>13}  outcomes")
    for name, done in runs.items():
        run = done[-1]
        print(
            f"{name:24} {medians[name]:7.2f} {run.checks:11d} {len(run.ids):13d}  "
            f"{json.dumps(run.outcomes, sort_keys=True)}"
        )
    for name in contenders:
        if name != "official":
            target = "   (target <= 1.00)" if name.startswith("ours") else "   (the floor of any pytest run here)"
            print(f"time   {name}/official = {medians[name] / t_official:.2f}{target}")
    mine = runs["ours (default)"][-1]
    print(f"checks ours/official = {mine.checks / official.checks:.2f}   (target >= 2.00)")
    print(f"distinct check ids ours/official = {len(mine.ids) / len(official.ids):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
