"""Each documentation page's example project runs as written, outside the repository.

For every page of ``docs_examples.PAGES``: its ``# file:`` blocks are written to ``tmp_path`` and
``python -m pytest -p no:cacheprovider`` (then each extra command line of the page) runs there in
a subprocess, with a clean environment, and must end with the outcome the page shows.

The subprocess must not find this repository's modules (``tests.servers.demo``,
``example_server``, ...), only what ``pip install pytest-mcp-testkit`` gives a user. A clean
``PYTHONPATH`` is not enough here: the editable install of the development virtualenv puts the
repository root on ``sys.path`` through a ``.pth`` file. So the runs use a virtualenv of this
interpreter made for the purpose: it sees this interpreter's installed packages and the plugin's
source directory, and not the repository root.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import site
import subprocess
import venv
from pathlib import Path

import pytest

import pytest_mcp

from . import docs_examples
from .docs_examples import PAGES, ROOT, check_outcome, extract, file_blocks, requirements, run_page, unshown

REPO_MODULES = ("tests.servers.demo", "example_server")
"""Modules only a checkout has: an example that needs one fails from a pip install."""
REPO_ONLY = re.compile(r"\btests\.[A-Za-z_][\w.]*|\bexample_server\b")


@pytest.fixture(scope="session")
def user_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a user's project: this one's packages and the plugin, not the repository."""
    home = tmp_path_factory.mktemp("user-venv")
    venv.EnvBuilder(with_pip=False, symlinks=True).create(home)
    python = home / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    plugin_dir = Path(pytest_mcp.__file__).resolve().parent.parent
    paths = [*site.getsitepackages(), str(plugin_dir)]
    assert str(ROOT) not in paths, "the plugin must come from site-packages or src/, not the repository root"
    (Path(purelib) / "_docs_examples.pth").write_text("\n".join(dict.fromkeys(paths)) + "\n")
    for module in REPO_MODULES:
        probe = subprocess.run(
            [python, "-c", f"import {module}"],
            cwd=home,
            capture_output=True,
            text=True,
            env=docs_examples.clean_environment(python),
        )
        assert "No module named" in probe.stderr, f"{module} is importable in the user's virtualenv"
    return python


def missing_requirements(page: str) -> list[str]:
    """The page's ``pip install`` requirements that are not installed here."""
    missing = []
    for requirement in requirements((ROOT / page).read_text(encoding="utf-8")):
        name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(requirement)
            continue
        extras = re.search(r"\[(.*)\]", requirement)
        for extra in extras[1].split(",") if extras else ():
            for needed in distribution.requires or ():
                if f'extra == "{extra.strip()}"' in needed:
                    dependency = re.split(r"[\[<>=!~; ]", needed, maxsplit=1)[0]
                    try:
                        importlib.metadata.distribution(dependency)
                    except importlib.metadata.PackageNotFoundError:
                        missing.append(f"{dependency} (extra {extra.strip()})")
    return missing


class KnownPluginBug(AssertionError):
    """A page's example fails with the error of a known plugin bug (``Page.known_bug``)."""


def runnable_pages() -> list[object]:
    """The pages, a page with a known plugin bug as a strict expected failure."""
    return [
        pytest.param(
            page,
            marks=pytest.mark.xfail(raises=KnownPluginBug, strict=True, reason=f"plugin bug: {PAGES[page].known_bug}"),
        )
        if PAGES[page].known_bug
        else page
        for page in sorted(PAGES)
    ]


@pytest.mark.parametrize("page", runnable_pages())
def test_the_page_example_project_runs_as_written(page: str, tmp_path: Path, user_python: Path) -> None:
    assert not tmp_path.resolve().is_relative_to(ROOT), "the project must be outside the repository"
    absent = [program for program in PAGES[page].needs if shutil.which(program) is None]
    if absent:
        pytest.skip(f"{page} starts {', '.join(absent)}, which is not installed")
    missing = missing_requirements(page)
    if missing:
        pytest.skip(f"{page} needs {', '.join(missing)}, not installed here")
    assert extract(ROOT / page, tmp_path), f"{page} has no '# file:' block"
    assert not unshown(ROOT / page), f"{page} does not show " + ", ".join(unshown(ROOT / page))
    for done in run_page(ROOT / page, tmp_path, python=user_python):
        if done.known_bug:
            raise KnownPluginBug(f"{page}: `{done.run.command}`: {PAGES[page].known_bug}: " + "; ".join(done.problems))
        assert not done.problems, (
            f"{page}: `{done.run.command}`: "
            + "; ".join(done.problems)
            + "\n"
            + done.process.stdout[-6000:]
            + done.process.stderr[-3000:]
        )


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_page_shows_its_whole_project(page: str) -> None:
    """The page shows its server, makes it importable, and uses nothing of this repository."""
    blocks = file_blocks((ROOT / page).read_text(encoding="utf-8"))
    names = {name for name, _ in blocks}
    assert "pytest.ini" in names, f"{page} has no pytest.ini block"
    ini = [text for name, text in blocks if name == "pytest.ini"]
    assert all(re.search(r"^pythonpath = \.$", text, re.M) for text in ini), (
        f"{page}: pytest.ini without pythonpath = ."
    )
    assert any("MCPServer(" in text or "Server(" in text for _, text in blocks), f"{page} shows no server"
    for name, text in blocks:
        for module in REPO_ONLY.findall(text):
            pytest.fail(f"{page}: {name} uses {module}, which only this repository has")


def test_extract_numbers_repeated_test_modules_and_replaces_other_files(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```python\n# file: test_a.py\nfirst\n```\n\ntext\n\n```ini\n# file: pytest.ini\n[pytest]\n```\n\n"
        "```python\n# file: test_a.py\nsecond\n```\n\n```python\nnot a file\n```\n\n"
        "```ini\n# file: pytest.ini\n[pytest]\npythonpath = .\n```\n\n```text\n# file: sub/data.txt\nx\n```\n"
    )
    files = extract(page, tmp_path / "out")
    assert [path.relative_to(tmp_path / "out").as_posix() for path in files] == [
        "test_a.py",
        "pytest.ini",
        "test_a_2.py",
        "sub/data.txt",
    ]
    assert (tmp_path / "out" / "test_a_2.py").read_text() == "# file: test_a.py\nsecond\n"
    assert (tmp_path / "out" / "pytest.ini").read_text() == "# file: pytest.ini\n[pytest]\npythonpath = .\n"
    with pytest.raises(ValueError, match="inside the project"):
        file_blocks("```python\n# file: ../escape.py\n```\n")


def test_summary_lines_are_read_and_judged() -> None:
    output = "...\n===== 3 passed, 1 failed, 2 skipped, 1 error, 4 warnings in 2.51s =====\n"
    assert docs_examples.outcome_counts(output) == {"passed": 3, "failed": 1, "skipped": 2, "errors": 1, "warnings": 4}
    done = subprocess.CompletedProcess([], 1, stdout="x\n2 passed, 1 failed in 0.1s\n", stderr="")
    assert check_outcome(docs_examples.Run(outcomes={"passed": 2, "failed": 1}, exit_code=1), done) == []
    assert check_outcome(docs_examples.Run(outcomes={"passed": docs_examples.SOME}), done) == [
        "failed: 1, expected 0",
        "exit status 1, expected 0",
    ]
    missing = subprocess.CompletedProcess([], 4, stdout="E   ModuleNotFoundError: No module named 'tests'\n", stderr="")
    assert check_outcome(docs_examples.Run(), missing) == [
        "an import failed: E   ModuleNotFoundError: No module named 'tests'",
        "no pytest summary line in the output",
    ]


def test_requirements_come_from_the_pages_pip_install_lines() -> None:
    page = "```bash\npip install 'pytest-mcp-testkit[mocks]'   # the extra\npip install -e .\n```\n"
    assert requirements(page) == ["pytest-mcp-testkit[mocks]"]
