"""Finding, installing and running the official ``@modelcontextprotocol/conformance`` suite.

The bridge runs a pinned version of the npm package (it needs Node >= 22) against an HTTP URL and
reads the ``checks.json`` files it writes with ``-o DIR``. Nothing here touches pytest; ``official.py``
turns the results into test items.

Where the pieces are looked for (first found wins):

* ``PYTEST_MCP_CONFORMANCE_COMMAND``: a whole command line replacing ``node .../dist/index.js``
  (a wrapper, or a fake runner in tests);
* ``PYTEST_MCP_NODE``: a Node >= 22 executable; else the cache directories below, else ``node`` on PATH;
* ``PYTEST_MCP_CONFORMANCE``: the package directory; else the cache directories, else
  ``<rootdir>/node_modules/@modelcontextprotocol/conformance``.

Cache directories: ``$PYTEST_MCP_CACHE_DIR``, ``<rootdir>/.cache/pytest-mcp`` and
``~/.cache/pytest-mcp`` (``$XDG_CACHE_HOME``). ``python -m pytest_mcp.suite.official_runner install``
fills the last one (or ``--cache-dir``) with npm.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

__all__ = [
    "NODE_PACKAGE",
    "PINNED",
    "OfficialCheck",
    "OfficialRun",
    "Runner",
    "find_runner",
    "install_hint",
    "parse_output",
    "run_official",
]

PINNED: Final = "0.2.0-alpha.12"
"""The version of ``@modelcontextprotocol/conformance`` the bridge runs (the first to know 2026-07-28)."""
PACKAGE: Final = "@modelcontextprotocol/conformance"
NODE_VERSION: Final = "22.23.3"
MIN_NODE_MAJOR: Final = 22
COMMAND_ENV: Final = "PYTEST_MCP_CONFORMANCE_COMMAND"
NODE_ENV: Final = "PYTEST_MCP_NODE"
PACKAGE_ENV: Final = "PYTEST_MCP_CONFORMANCE"
CACHE_ENV: Final = "PYTEST_MCP_CACHE_DIR"
STATUSES: Final = ("SUCCESS", "FAILURE", "WARNING", "SKIPPED", "INFO")
_RESULT_DIR: Final = re.compile(r"^server-(?P<scenario>.+)-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$")


def _node_platform() -> str:
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "win"}.get(platform.system(), platform.system().lower())
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{system}-{arch}"


NODE_PACKAGE: Final = f"node-{_node_platform()}@{NODE_VERSION}"
"""Node 22 as an npm package (a plain binary, no other download)."""


def cache_dirs(rootdir: Path | None) -> list[Path]:
    """Where the installer puts Node and the package, in lookup order."""
    found = []
    if os.environ.get(CACHE_ENV):
        found.append(Path(os.environ[CACHE_ENV]))
    if rootdir is not None:
        found.append(rootdir / ".cache" / "pytest-mcp")
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    found.append(user_cache / "pytest-mcp")
    return found


def install_hint(cache: Path | None = None) -> str:
    """How to install what the bridge needs (shown in skip reasons)."""
    where = cache or cache_dirs(None)[-1]
    return (
        f"Install them with `python -m pytest_mcp.suite.official_runner install` (npm puts Node {NODE_VERSION} and "
        f"{PACKAGE}@{PINNED} into {where}), or by hand: `npm install --prefix {where}/node22 {NODE_PACKAGE}` and "
        f"`npm install --prefix {where}/conformance {PACKAGE}@{PINNED}`"
    )


@dataclass(frozen=True)
class Runner:
    """The command that starts the official suite's CLI (``node .../dist/index.js`` or an override)."""

    command: tuple[str, ...]
    version: str
    """The package version (``PINNED``), or ``"custom"`` for ``PYTEST_MCP_CONFORMANCE_COMMAND``."""

    def describe(self) -> str:
        return shlex.join(self.command)


def _node_major(node: str) -> tuple[int | None, str]:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"cannot run {node}: {exc}"
    match = re.match(r"v(\d+)\.", out.stdout.strip())
    if not match:
        return None, f"{node} --version printed {out.stdout.strip()[:60]!r}"
    return int(match.group(1)), out.stdout.strip()


def _find_node(rootdir: Path | None) -> tuple[str | None, str]:
    """A Node >= 22 executable, or None and why not."""
    candidates: list[tuple[str, str]] = []
    if os.environ.get(NODE_ENV):
        candidates.append((os.environ[NODE_ENV], f"${NODE_ENV}"))
    for cache in cache_dirs(rootdir):
        binary = cache / "node22" / "node_modules" / f"node-{_node_platform()}" / "bin" / "node"
        if binary.exists():
            candidates.append((str(binary), str(cache)))
    on_path = shutil.which("node")
    if on_path:
        candidates.append((on_path, "PATH"))
    if not candidates:
        return None, "no Node.js found (it needs Node >= 22)"
    reasons = []
    for node, origin in candidates:
        major, text = _node_major(node)
        if major is not None and major >= MIN_NODE_MAJOR:
            return node, text
        reasons.append(f"{node} ({origin}): {text}" + ("" if major is None else f", older than {MIN_NODE_MAJOR}"))
    return None, "no Node >= 22 found: " + "; ".join(reasons)


def _package_version(directory: Path) -> str | None:
    try:
        return str(json.loads((directory / "package.json").read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _find_package(rootdir: Path | None) -> tuple[Path | None, str]:
    """The pinned package directory, or None and why not."""
    candidates: list[Path] = []
    if os.environ.get(PACKAGE_ENV):
        given = Path(os.environ[PACKAGE_ENV])
        candidates.append(given.parent.parent if given.name == "index.js" else given)
    for cache in cache_dirs(rootdir):
        candidates.append(cache / "conformance" / "node_modules" / PACKAGE)
    if rootdir is not None:
        candidates.append(rootdir / "node_modules" / PACKAGE)
    wrong = []
    for directory in candidates:
        version = _package_version(directory)
        if version == PINNED and (directory / "dist" / "index.js").exists():
            return directory, version
        if version is not None:
            wrong.append(f"{directory} has version {version}")
    if wrong:
        return None, f"{PACKAGE} is not the pinned {PINNED}: " + "; ".join(wrong)
    return None, f"{PACKAGE}@{PINNED} is not installed"


def find_runner(rootdir: Path | None = None) -> Runner | str:
    """The official suite's command, or a sentence saying what is missing and how to install it."""
    override = os.environ.get(COMMAND_ENV, "").strip()
    if override:
        return Runner(tuple(shlex.split(override)), "custom")
    node, node_text = _find_node(rootdir)
    package, package_text = _find_package(rootdir)
    if node is None or package is None:
        missing = "; ".join(text for ok, text in ((node, node_text), (package, package_text)) if ok is None)
        return f"the official conformance suite cannot run: {missing}. {install_hint()}"
    return Runner((node, str(package / "dist" / "index.js")), PINNED)


# -- results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficialCheck:
    """One check of one scenario of the official suite, as its ``checks.json`` reports it."""

    scenario: str
    id: str
    status: str
    name: str = ""
    description: str = ""
    error: str = ""
    spec: tuple[str, ...] = ()
    details: Any = None
    logs: Any = None


@dataclass
class OfficialRun:
    """One run of the official suite for one spec version."""

    era: str
    command: list[str]
    returncode: int | None
    checks: list[OfficialCheck] = field(default_factory=list)
    output: str = ""
    """The end of what the runner printed (stdout and stderr), for reports."""
    seconds: float = 0.0
    timed_out: bool = False

    def problem(self) -> str | None:
        """Why this run produced no usable result, or None."""
        if self.timed_out:
            return f"the official suite did not finish within the time limit ({self.seconds:.0f} s)"
        if not self.checks:
            return f"the official suite exited with {self.returncode} and reported no checks"
        return None


def _check_from(scenario: str, raw: Any) -> OfficialCheck | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        return None
    refs: list[Any] = raw["specReferences"] if isinstance(raw.get("specReferences"), list) else []
    return OfficialCheck(
        scenario=scenario,
        id=raw["id"],
        status=str(raw.get("status", "")).upper(),
        name=str(raw.get("name") or ""),
        description=str(raw.get("description") or ""),
        error=str(raw.get("errorMessage") or ""),
        spec=tuple(str(ref["url"]) for ref in refs if isinstance(ref, dict) and isinstance(ref.get("url"), str)),
        details=raw.get("details"),
        logs=raw.get("logs"),
    )


def parse_output(directory: Path) -> list[OfficialCheck]:
    """Every check of every ``server-<scenario>-<timestamp>/checks.json`` under ``directory``, by scenario."""
    checks: list[OfficialCheck] = []
    for folder in sorted(path for path in directory.iterdir() if path.is_dir()):
        match = _RESULT_DIR.match(folder.name)
        scenario = match.group("scenario") if match else folder.name
        try:
            data = json.loads((folder / "checks.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows: list[Any] = data if isinstance(data, list) else []
        for raw in rows:
            check = _check_from(scenario, raw)
            if check is not None:
                checks.append(check)
    return checks


def run_official(
    runner: Runner, url: str, era: str, *, scenario_timeout: float = 30.0, total_timeout: float = 600.0
) -> OfficialRun:
    """Run ``conformance server --url URL --spec-version ERA -o TMP`` and read its checks."""
    with tempfile.TemporaryDirectory(prefix="pytest-mcp-official-") as out:
        command = [
            *runner.command,
            "server",
            "--url",
            url,
            "--spec-version",
            era,
            "--timeout",
            str(int(scenario_timeout * 1000)),
            "-o",
            out,
        ]
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        timed_out = False
        try:
            output, _ = process.communicate(timeout=total_timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(process)
            output, _ = process.communicate()
        text = output.decode("utf-8", "replace")
        run = OfficialRun(
            era,
            command,
            process.returncode,
            output="\n".join(text.splitlines()[-40:]),
            seconds=time.monotonic() - started,
            timed_out=timed_out,
        )
        run.checks = parse_output(Path(out))
        return run


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


# -- installer --------------------------------------------------------------------------------------


def install(cache: Path) -> int:
    """``npm install`` Node 22 and the pinned package into ``cache``; the npm exit code."""
    npm = shutil.which("npm")
    if npm is None:
        print("npm is not on PATH: install Node.js (any version) to get npm, then run this again", file=sys.stderr)
        return 1
    for folder, package in (("node22", NODE_PACKAGE), ("conformance", f"{PACKAGE}@{PINNED}")):
        command = [npm, "install", "--prefix", str(cache / folder), "--no-audit", "--no-fund", package]
        print("$", shlex.join(command), flush=True)
        code = subprocess.call(command)
        if code:
            return code
    os.environ[CACHE_ENV] = str(cache)
    found = find_runner(None)
    print(found if isinstance(found, str) else f"ready: {found.describe()}")
    if cache not in cache_dirs(None)[1:]:
        print(f"(set {CACHE_ENV}={cache} so the plugin finds this directory)")
    return 0 if not isinstance(found, str) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_mcp.suite.official_runner",
        description=f"Install or locate the official MCP conformance suite ({PACKAGE}@{PINNED}, Node >= 22).",
    )
    parser.add_argument("action", choices=("install", "where"), help="install with npm, or show what would run")
    parser.add_argument("--cache-dir", type=Path, default=None, help="where to install (default: ~/.cache/pytest-mcp)")
    args = parser.parse_args(argv)
    cache = args.cache_dir or cache_dirs(None)[-1]
    if args.action == "install":
        return install(cache)
    found = find_runner(Path.cwd())
    print(found if isinstance(found, str) else found.describe())
    return 1 if isinstance(found, str) else 0


if __name__ == "__main__":
    sys.exit(main())
