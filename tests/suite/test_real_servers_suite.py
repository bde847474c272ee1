"""The conformance suite against correct real servers: exit 0, with only the documented baselines.

``pytest --mcp-server=TARGET --mcp-suite=conformance`` runs from an empty directory (pytester) against
server-everything over stdio and Streamable HTTP and the example server in-process and over a spawned
HTTP server; then against server-filesystem, server-memory, mcp-server-time and mcp-server-git where
they are installed. Each run must exit 0, pass at least a floor of checks, and xfail exactly the
departures its packaged baseline (src/pytest_mcp/suite/baselines/) documents (so a baseline that hides more, or a
reference server that fixed a departure, shows up here).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import NODE_SERVERS
from .http_servers import ROOT, serve_everything

BASELINES = ROOT / "src" / "pytest_mcp" / "suite" / "baselines"
SERVERS_VENV = ROOT / ".venv-servers" / "bin"
IN_CI = bool(os.environ.get("CI"))


def npm_server(package: str) -> Path:
    """An npm reference server's entry script: CI installs them (npm ci), elsewhere a skip says how."""
    script = NODE_SERVERS / package / "dist" / "index.js"
    if script.exists() and shutil.which("node"):
        return script
    message = f"{package} is not installed: run `npm ci --prefix tests/servers` (and install Node.js)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def pypi_server(name: str) -> str:
    """A PyPI server's executable (``.venv-servers/bin`` or PATH), or a skip saying how to install it."""
    for candidate in (SERVERS_VENV / name, shutil.which(name)):
        if candidate and Path(candidate).exists():
            return str(candidate)
    pytest.skip(
        f"{name} is not installed: python -m venv .venv-servers && "
        f".venv-servers/bin/pip install {name}==2026.10.19 (or put {name} on PATH)"
    )


def run_suite(pytester: pytest.Pytester, target: str, baseline: str | None, *extra: str) -> dict[str, int]:
    args = [f"--mcp-server={target}", "--mcp-suite=conformance", "-p", "no:cacheprovider", "-q", "-rfE", *extra]
    if baseline:
        args.append(f"--mcp-baseline={BASELINES / baseline}")
    result = pytester.runpytest(*args)
    assert result.ret == 0, result.stdout.str()[-6000:]
    return result.parseoutcomes()


@pytest.fixture(scope="module")
def everything_url() -> Iterator[str]:
    with serve_everything(npm_server("server-everything")) as url:
        yield url


def test_server_everything_over_stdio(mcp_pytester: pytest.Pytester) -> None:
    outcomes = run_suite(mcp_pytester, f"node {npm_server('server-everything')} stdio", "server-everything.txt")
    assert outcomes["passed"] >= 45
    assert outcomes["xfailed"] == 2  # the two departures of the baseline that apply to stdio


def test_server_everything_over_streamable_http(mcp_pytester: pytest.Pytester, everything_url: str) -> None:
    outcomes = run_suite(mcp_pytester, everything_url, "server-everything.txt")
    assert outcomes["passed"] >= 50
    assert outcomes["xfailed"] == 6  # and the four HTTP ones (sessions 400 not 404, no Origin/Host checks)


def test_example_server_in_process_needs_no_baseline(mcp_pytester: pytest.Pytester) -> None:
    outcomes = run_suite(mcp_pytester, "example_server.app:create_server", None, "--mcp-fuzz-tools=all")
    assert outcomes["passed"] >= 75
    assert "xfailed" not in outcomes


def test_example_server_spawned_over_http_from_a_test_module(mcp_pytester: pytest.Pytester) -> None:
    """The way to test a server the plugin starts over HTTP: ``checks_for`` with a ``spawn_http`` target."""
    mcp_pytester.makepyfile(
        test_suite="""
        import pytest_mcp
        from pytest_mcp.suite import checks_for

        test_example = checks_for(
            "conformance", server=pytest_mcp.spawn_http("python -m example_server --http --port {port}")
        )
        """
    )
    result = mcp_pytester.runpytest("-p", "no:cacheprovider", "-q", "-rfE", "--mcp-fuzz-tools=all")
    assert result.ret == 0, result.stdout.str()[-6000:]
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] >= 95
    assert "xfailed" not in outcomes


@pytest.fixture
def git_repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README").write_text("a repository for mcp-server-git\n")
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "README"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init"],
    ):
        subprocess.run(command, cwd=repo, check=True, capture_output=True)
    return repo


@pytest.mark.parametrize("server", ["filesystem", "memory", "time", "git"])
def test_other_reference_servers_where_installed(
    mcp_pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    server: str,
    request: pytest.FixtureRequest,
) -> None:
    """server-filesystem and server-memory (npm, installed in CI), mcp-server-time and mcp-server-git (PyPI)."""
    if server == "filesystem":
        root = tmp_path / "files"
        root.mkdir()
        (root / "a.txt").write_text("hello\n")
        target, floor = f"node {npm_server('server-filesystem')} {root}", 30
    elif server == "memory":
        monkeypatch.setenv("MEMORY_FILE_PATH", str(tmp_path / "memory.jsonl"))
        target, floor = f"node {npm_server('server-memory')}", 35
    elif server == "time":
        target, floor = f"{pypi_server('mcp-server-time')} --local-timezone UTC", 75
    else:
        repo = request.getfixturevalue("git_repository")
        target, floor = f"{pypi_server('mcp-server-git')} --repository {repo}", 75
    baseline = {"filesystem": "server-filesystem.txt", "memory": "server-memory.txt"}.get(
        server, f"mcp-server-{server}.txt"
    )
    outcomes = run_suite(mcp_pytester, target, baseline)
    assert outcomes["passed"] >= floor
    assert outcomes["xfailed"] == {"filesystem": 2, "memory": 1, "time": 3, "git": 3}[server]


SANDBOX_SERVERS = [
    *("filesystem", "filesystem-roots", "git"),  # in their sandbox (the roots one: a directory the suite gives)
    *("everything", "everything-http", "memory", "time", "example"),
]


@pytest.mark.parametrize("server", SANDBOX_SERVERS)
def test_sandbox_checks_pass_on_correct_servers(
    mcp_pytester: pytest.Pytester, tmp_path: Path, server: str, request: pytest.FixtureRequest
) -> None:
    """The sandbox-escape and option-injection checks, each server in its sandbox where it has one."""
    root = tmp_path / "files"
    root.mkdir()
    (root / "a.txt").write_text("hello\n")
    extra: list[str] = []
    if server == "filesystem":
        target, extra = f"node {npm_server('server-filesystem')} {root}", [f"--mcp-sandbox={root}"]
    elif server == "filesystem-roots":  # no directory on its command line: it asks the client for roots
        target = f"node {npm_server('server-filesystem')}"
    elif server == "git":
        root = request.getfixturevalue("git_repository")
        target, extra = f"{pypi_server('mcp-server-git')} --repository {root}", [f"--mcp-sandbox={root}"]
    elif server == "everything":
        target = f"node {npm_server('server-everything')} stdio"
    elif server == "everything-http":
        target = request.getfixturevalue("everything_url")
    elif server == "memory":
        target = f"node {npm_server('server-memory')}"
        extra = ["--mcp-fuzz-tools=read-only"]
    elif server == "time":
        target = f"{pypi_server('mcp-server-time')} --local-timezone UTC"
    else:
        target, extra = "example_server.app:create_server", ["--mcp-fuzz-tools=all"]
    before = sorted(path.name for path in root.iterdir())
    result = mcp_pytester.runpytest(
        f"--mcp-server={target}", "--mcp-suite=security", "-k", "sandbox or injection", "-p", "no:cacheprovider",
        "-q", "-rA", "--mcp-timeout=10", *extra,
    )  # fmt: skip
    assert result.ret == 0, result.stdout.str()[-6000:]
    assert "failed" not in result.parseoutcomes()
    assert result.parseoutcomes()["passed"] >= 1
    assert sorted(path.name for path in root.iterdir()) == before, "the probes must leave the sandbox as it was"
    if server in ("filesystem", "filesystem-roots", "git"):
        # passed, not skipped: the escaping paths were sent to its path-taking tools
        result.stdout.fnmatch_lines(["PASSED mcp-suite::security?security.tools.sandbox-escape??2025-11-25??stdio?"])


def test_sandbox_escape_is_probed_on_a_stdio_process_that_earlier_clients_shared(mcp_pytester: pytest.Pytester) -> None:
    """server-everything asks a process's first client for its roots, once; the suite's clients of a stdio server
    share its process. The check says that its roots changed, so the server asks again and the paths are probed."""
    target = f"node {npm_server('server-everything')} stdio"
    result = mcp_pytester.runpytest(
        f"--mcp-server={target}", "--mcp-suite=security", "-k", "2025 and (oversized or sandbox)",
        "-p", "no:cacheprovider", "-rA",
    )  # fmt: skip
    result.stdout.fnmatch_lines(
        [
            "PASSED mcp-suite::security?security.tools.oversized-input??2025-11-25??stdio?",
            "PASSED mcp-suite::security?security.tools.sandbox-escape??2025-11-25??stdio?",
        ]
    )
