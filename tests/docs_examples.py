"""The example projects of the documentation pages: extract them, run them, check their outcome.

A page's example project is made of its fenced code blocks whose first line names a file, in any
language and always written ``# file: PATH`` (``#`` starts a comment in Python, ini files,
``pyproject.toml``, baseline files and locustfiles alike, so the line stays in the file)::

    ```python
    # file: my_server.py
    from mcp.server.mcpserver import MCPServer
    ...
    ```

    ```ini
    # file: pytest.ini
    [pytest]
    pythonpath = .
    ```

The block is written to that path (relative to the project directory; sub-directories are allowed,
``..`` and absolute paths are not), its first line included. Other blocks (shell commands, output,
fragments) are not part of the project.

When a page names the same file twice:

* a test module (``test_*.py`` or ``*_test.py``) is kept beside the earlier one, numbered:
  the second ``test_x.py`` of a page is written as ``test_x_2.py``, the third as ``test_x_3.py``;
* any other file (a server, ``pytest.ini``, ``conftest.py``, ...) is replaced by the later block,
  so a page can show a file growing and the project runs its last version.

``PAGES`` holds, for each page, the runs of its project and the outcome each one must have:
pytest runs (``python -m pytest -p no:cacheprovider [ARGS]`` in the project directory; a command
line with arguments is on the page as ``pytest ARGS``) and the scripts of the page's examples
outside pytest (on the page as ``python SCRIPT``). A page whose run fails on purpose says so on
the page, and its entry expects that outcome. A page whose example shows how the plugin should
work but does not, because of a plugin bug, names the bug's exact error (``Page.known_bug``).

Command line, for CI (a fresh virtualenv with the wheel installed, outside the repository; this
module imports only the standard library)::

    python tests/docs_examples.py docs/getting-started.md docs/mocks.md --requirements --wheel dist/W.whl
    python tests/docs_examples.py docs/getting-started.md docs/mocks.md --into DIR
    python tests/docs_examples.py docs/getting-started.md docs/mocks.md --into DIR --run

``--requirements`` prints what the pages' ``pip install`` lines install, one requirement a line
(with ``--wheel``, ``pytest-mcp-testkit[mocks]`` becomes ``dist/W.whl[mocks]``). ``--into DIR``
writes each page's project to ``DIR/<page>`` (``docs/suite/index.md`` to ``DIR/suite-index``).
``--run`` also runs each project with this interpreter in a clean environment, and exits with
status 1 when a run's outcome differs from ``PAGES`` or the page does not show a run's command
line or output. A page that starts a program ``Page.needs`` names (none does today: every
example uses Python servers on loopback) is skipped when the program is missing.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = [
    "ANY",
    "PAGES",
    "SOME",
    "Page",
    "Run",
    "RunResult",
    "check_outcome",
    "clean_environment",
    "extract",
    "file_blocks",
    "outcome_counts",
    "requirements",
    "run_page",
    "run_project",
    "slug",
    "unshown",
]

ROOT = Path(__file__).resolve().parent.parent
"""The repository (this file is ``tests/docs_examples.py``)."""

ANY = range(0, 1_000_000)
"""An outcome count that may be anything (e.g. the skips of a suite run, which grow with the suite)."""
SOME = range(1, 1_000_000)
"""An outcome count that must be at least 1."""

_FENCE = re.compile(r"^(?P<fence>```+|~~~+)[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
_FILE_LINE = re.compile(r"#\s*file:\s*(?P<path>\S+)\s*$")
_SUMMARY = re.compile(r"(\d+) (passed|failed|skipped|xfailed|xpassed|errors?|warnings?|deselected)\b")
_TEST_MODULE = re.compile(r"^(test_.*|.*_test)\.py$")


@dataclass(frozen=True)
class Run:
    """One run in a page's project, and the outcome the page shows for it.

    A pytest run (``python -m pytest -p no:cacheprovider ARGS``): ``outcomes`` maps ``passed``,
    ``failed``, ``errors``, ``skipped``, ``xfailed`` and ``xpassed`` to an exact count or a
    ``range``; an outcome not listed must not occur (warnings and deselected items are not
    counted). A script run (``script`` set: ``python SCRIPT ARGS``, for the pages' examples
    outside pytest) must exit with ``exit_code``. The standard output of either must contain
    ``prints``, output the page shows.
    """

    args: tuple[str, ...] = ()
    outcomes: Mapping[str, int | range] = field(default_factory=dict)
    exit_code: int = 0
    script: str | None = None
    prints: str = ""

    @property
    def command(self) -> str:
        """The command line as the page shows it."""
        return " ".join(["python", self.script, *self.args] if self.script else ["pytest", *self.args])


@dataclass(frozen=True)
class Page:
    """A documentation page's runs, and the programs besides Python its examples need."""

    runs: tuple[Run, ...]
    needs: tuple[str, ...] = ()
    """Executables (e.g. ``node``) the examples start; without them the page is skipped."""
    known_bug: str | None = None
    """The exact error of a plugin bug that breaks an example the page shows as it should work.

    A run that misses its outcome with this text in its output is an expected failure; a page
    whose runs all succeed while this is set is an error (the bug is fixed: remove the entry)."""


PAGES: dict[str, Page] = {
    "docs/getting-started.md": Page(
        (
            Run(outcomes={"passed": 7}),
            Run(("--mcp-era=both",), {"passed": 14}),
            Run(("-o", "asyncio_mode=auto"), {"passed": 7}),
            Run(
                ("--mcp-server=my_server:mcp", "--mcp-suite=all", "--mcp-baseline=mcp-python-sdk"),
                {"passed": SOME, "skipped": ANY, "xfailed": 3},
            ),
        )
    ),
    "docs/targets.md": Page((Run(outcomes={"passed": 9}),)),
    "docs/auth.md": Page(
        (
            Run(outcomes={"passed": 13}),
            Run(script="outside_pytest.py", prints="{'sub': 'ann', 'scopes': ['read']}"),
        )
    ),
    "docs/mocks.md": Page(
        (
            Run(outcomes={"passed": 6}),
            Run(script="outside_http_mock.py", prints="{'city': 'Oslo', 'sky': 'clear'}"),
            Run(script="outside_fake_upstream.py", prints="sunny"),
            Run(script="outside_backend_mocks.py", prints="receipt-7"),
        )
    ),
    "docs/chaos.md": Page(
        (
            Run(outcomes={"passed": 4}),
            Run(
                script="outside_pytest.py",
                prints="['protocol_error', 'protocol_error', 'ok', 'protocol_error', 'ok', 'ok']\n"
                "[(1, 'tools/call', 'error'), (2, 'tools/call', 'error'), (3, 'tools/call', 'latency'), "
                "(4, 'tools/call', 'error'), (5, 'tools/call', 'latency'), (6, 'tools/call', 'latency')]\n",
            ),
        )
    ),
    "docs/load.md": Page((Run(outcomes={"passed": 5}),)),
    "docs/coverage.md": Page(
        (
            Run(outcomes={"passed": 3}),
            Run(
                ("--mcp-cov", "--mcp-cov-report=mcp-cov.json", "--mcp-cov-fail-under=80"),
                {"passed": 3},
                exit_code=1,
                prints="""\
server: in-process server surface_server:make_server (3 test(s))
Name                                Items   Hit  Cover  Missing
---------------------------------------------------------------
tool divide                             4     3    75%  success
tool paint                              7     3    43%  error, color="blue", color="green", arg shade
tool ping_me                            2     0     0%  success, error
resource surface://readme               1     0     0%  read
template surface://notes/{note_id}      1     1   100%
prompt greet                            3     2    67%  arg mood
---------------------------------------------------------------
TOTAL                                  18     9    50%
MCP surface coverage JSON written to mcp-cov.json
""",
            ),
        )
    ),
    "docs/contract.md": Page(
        (
            Run(outcomes={"passed": 1}),
            Run(("--mcp-server=shop_server:mcp", "--mcp-contract=mcp-contract.json"), {"passed": 1, "skipped": 2}),
            Run(("--mcp-server=shop_server:mcp", "--mcp-contract=mcp-contract.json"), {"passed": 3}),
        )
    ),
    "docs/factories.md": Page((Run(outcomes={"passed": 8}),)),
    "docs/reports.md": Page(
        (
            Run(outcomes={"passed": 1, "failed": 1}, exit_code=1),
            Run(
                ("--mcp-cov", "--html=report.html", "--self-contained-html", "--junitxml=junit.xml"),
                {"passed": 1, "failed": 1},
                exit_code=1,
            ),
            Run(
                (
                    "--mcp-server=surface_server:make_server",
                    "--mcp-suite=conformance",
                    "--mcp-baseline=mcp-python-sdk",
                    "--junitxml=suite.xml",
                ),
                {"passed": SOME, "failed": 1, "skipped": ANY, "xfailed": SOME},
                exit_code=1,
            ),
        )
    ),
    "docs/suite/index.md": Page(
        (  # the project's test_mcp_suite.py (checks_for) runs in this run too
            Run(
                ("--mcp-server=python my_server.py", "--mcp-suite=all", "--mcp-baseline=mcp-python-sdk"),
                {"passed": SOME, "skipped": ANY, "xfailed": SOME},
            ),
        )
    ),
    "docs/suite/conformance.md": Page((Run(outcomes={"passed": SOME, "skipped": ANY, "xfailed": SOME}),)),
    "docs/suite/fuzz.md": Page(
        (
            Run(
                ("--mcp-server=library_server:mcp", "--mcp-suite=fuzz", "--mcp-fuzz-tools=read-only,add_book"),
                {"passed": 6},
            ),
        )
    ),
    "docs/suite/security.md": Page(
        (Run(("--mcp-server=python docs_server.py", "--mcp-suite=security"), {"passed": 12, "skipped": 2}),)
    ),
    "docs/suite/stateful.md": Page(
        (  # test_notes.py runs once per anyio backend installed (asyncio; trio too where it is installed)
            Run(
                ("--mcp-server=notes_server:mcp", "--mcp-suite=stateful", "--mcp-fuzz-tools=all"),
                {"failed": 2, "passed": SOME},
                exit_code=1,
            ),
            Run(outcomes={"passed": SOME}),
        )
    ),
}
"""Every page whose example project is run, by its path in the repository."""


def file_blocks(markdown: str) -> list[tuple[str, str]]:
    """The ``(path, text)`` of each fenced block of ``markdown`` whose first line is ``# file: PATH``."""
    found = []
    for match in _FENCE.finditer(markdown):
        body = match["body"]
        first = _FILE_LINE.fullmatch(body.split("\n", 1)[0].strip())
        if first is None:
            continue
        path = PurePosixPath(first["path"])
        if path.is_absolute() or ".." in path.parts:
            raise ValueError(f"a file block must name a path inside the project, not {first['path']!r}")
        found.append((str(path), body))
    return found


def extract(page: str | Path, into: str | Path) -> list[Path]:
    """Write the project of the page ``page`` into the directory ``into``; the files written, in page order."""
    into = Path(into)
    written: dict[str, Path] = {}
    seen: dict[str, int] = {}
    for name, text in file_blocks(Path(page).read_text(encoding="utf-8")):
        seen[name] = seen.get(name, 0) + 1
        target = name
        if seen[name] > 1 and _TEST_MODULE.match(PurePosixPath(name).name):
            stem = PurePosixPath(name)
            target = str(stem.with_name(f"{stem.stem}_{seen[name]}{stem.suffix}"))
        path = into / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written[target] = path
    return list(written.values())


def requirements(markdown: str) -> list[str]:
    """What the page's ``pip install`` commands install (editable installs of a checkout left out)."""
    found: list[str] = []
    for match in _FENCE.finditer(markdown):
        for line in match["body"].splitlines():
            if not line.lstrip().startswith("pip install "):
                continue
            for word in shlex.split(line, comments=True)[2:]:
                if not word.startswith("-") and word not in found and not word.startswith((".", "/")):
                    found.append(word)
    return found


def slug(page: str | Path) -> str:
    """The directory name of a page's project: ``docs/suite/index.md`` gives ``suite-index``."""
    parts = PurePosixPath(_page_key(page)).with_suffix("").parts
    if parts and parts[0] == "docs":
        parts = parts[1:]
    return "-".join(parts)


def clean_environment(python: str | Path | None = None) -> dict[str, str]:
    """An environment for a page's run: the search path, home and locale only.

    Nothing else of the caller's environment leaks in (``PYTHONPATH``, ``PYTEST_ADDOPTS``, ``CI``,
    coverage settings, ...). ``python``'s directory goes first on ``PATH``.
    """
    env = {name: os.environ[name] for name in ("PATH", "HOME", "TMPDIR", "SYSTEMROOT") if name in os.environ}
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    if python is not None:
        env["PATH"] = os.pathsep.join([str(Path(python).parent), env.get("PATH", "")])
    return env


def run_project(
    directory: str | Path, run: Run = Run(), *, python: str | Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Do ``run`` in ``directory`` with ``python`` (default: this interpreter) and a clean environment."""
    python = python or sys.executable
    command = [str(python), run.script] if run.script else [str(python), "-m", "pytest", "-p", "no:cacheprovider"]
    return subprocess.run(
        [*command, *run.args],
        cwd=directory,
        env=clean_environment(python),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def outcome_counts(output: str) -> dict[str, int]:
    """The counts of pytest's last summary line (``3 passed, 1 failed in 2.1s``), with plural keys
    for errors and warnings."""
    lines = [line for line in output.splitlines() if re.search(r"\bin [\d.]+s\b", line) and _SUMMARY.search(line)]
    if not lines:
        raise ValueError("no pytest summary line in the output")
    counts = {}
    for number, word in _SUMMARY.findall(lines[-1]):
        counts[{"error": "errors", "warning": "warnings"}.get(word, word)] = int(number)
    return counts


def check_outcome(run: Run, result: subprocess.CompletedProcess[str]) -> list[str]:
    """What is wrong with ``result`` for ``run`` (nothing: an empty list)."""
    output = result.stdout + result.stderr
    problems = []
    if "No module named" in output:
        problems.append("an import failed: " + next(line for line in output.splitlines() if "No module named" in line))
    if run.prints not in result.stdout:
        problems.append(f"the output lacks {run.prints!r}")
    if run.script:
        if result.returncode != run.exit_code:
            problems.append(f"exit status {result.returncode}, expected {run.exit_code}")
        return problems
    try:
        counts = outcome_counts(result.stdout)
    except ValueError as exc:
        return [*problems, str(exc)]
    for name in sorted(set(counts) | set(run.outcomes)):
        if name in ("warnings", "deselected"):
            continue
        got, wanted = counts.get(name, 0), run.outcomes.get(name, 0)
        if (got not in wanted) if isinstance(wanted, range) else (got != wanted):
            problems.append(f"{name}: {got}, expected {_describe(wanted)}")
    if result.returncode != run.exit_code:
        problems.append(f"exit status {result.returncode}, expected {run.exit_code}")
    return problems


def _page_key(page: str | Path) -> str:
    """A page's key in ``PAGES``: its path from the repository root."""
    path = Path(page).resolve()
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return Path(page).as_posix()


def _describe(wanted: int | range) -> str:
    if not isinstance(wanted, range):
        return str(wanted)
    return "any number" if wanted.start == 0 else f"at least {wanted.start}"


@dataclass(frozen=True)
class RunResult:
    """A run of a page's project, what it did, and what is wrong with it."""

    run: Run
    process: subprocess.CompletedProcess[str]
    problems: list[str]
    known_bug: bool
    """The problems come with the page's known plugin bug (an expected failure)."""


def run_page(page: str | Path, directory: str | Path, *, python: str | Path | None = None) -> list[RunResult]:
    """Every run ``PAGES`` declares for ``page``, in the project already extracted to ``directory``."""
    entry = PAGES[_page_key(page)]
    results = []
    for run in entry.runs:
        process = run_project(directory, run, python=python)
        problems = check_outcome(run, process)
        known = bool(problems and entry.known_bug and entry.known_bug in process.stdout + process.stderr)
        results.append(RunResult(run, process, problems, known))
    return results


def unshown(page: str | Path) -> list[str]:
    """The command lines and outputs of the page's runs that the page does not show."""
    text = Path(page).read_text(encoding="utf-8")
    missing = []
    for run in PAGES[_page_key(page)].runs:
        if (run.args or run.script) and run.command not in text.replace('"', ""):
            missing.append(f"the command line {run.command!r}")
        if run.prints not in text:
            missing.append(f"the output {run.prints!r}")
    return missing


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0], prog="python tests/docs_examples.py")
    parser.add_argument("pages", nargs="+", metavar="PAGE", help="markdown pages, e.g. docs/getting-started.md")
    parser.add_argument("--into", metavar="DIR", help="write each page's project to DIR/<page>")
    parser.add_argument("--run", action="store_true", help="run each project and check its outcome (needs --into)")
    parser.add_argument("--requirements", action="store_true", help="print what the pages' pip install lines install")
    parser.add_argument(
        "--wheel", metavar="WHEEL", help="with --requirements: print WHEEL[extras] for pytest-mcp-testkit"
    )
    options = parser.parse_args(list(argv) if argv is not None else None)
    if options.requirements:
        found: list[str] = []
        for page in options.pages:
            for requirement in requirements(Path(page).read_text(encoding="utf-8")):
                if options.wheel and re.match(r"pytest-mcp-testkit\b", requirement):
                    requirement = options.wheel + requirement.removeprefix("pytest-mcp-testkit")
                if requirement not in found:
                    found.append(requirement)
        print("\n".join(found))
    if options.into is None:
        if options.run:
            parser.error("--run needs --into DIR")
        return 0
    failed = False
    for page in options.pages:
        directory = Path(options.into) / slug(page)
        files = extract(page, directory)
        print(f"{page}: {len(files)} file(s) in {directory}")
        if not options.run:
            continue
        if _page_key(page) not in PAGES:
            print(f"  no runs are declared for {_page_key(page)} in PAGES")
            failed = True
            continue
        entry = PAGES[_page_key(page)]
        absent = [program for program in entry.needs if shutil.which(program) is None]
        if absent:
            print(f"  skipped: it starts {', '.join(absent)}, which is not installed")
            continue
        for problem in unshown(page):
            print(f"  the page does not show {problem}")
            failed = True
        results = run_page(page, directory)
        for done in results:
            if done.known_bug:
                print(f"  {done.run.command}: known plugin bug ({entry.known_bug}): " + "; ".join(done.problems))
                continue
            print(f"  {done.run.command}: {'; '.join(done.problems) or 'ok'}")
            if done.problems:
                failed = True
                print(done.process.stdout[-5000:] + done.process.stderr[-2000:])
        if entry.known_bug and not any(done.known_bug for done in results):
            print(f"  the known plugin bug of {_page_key(page)} is gone: remove known_bug from its entry in PAGES")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
