"""The sandbox checks catch each planted class of escape and option injection, and pass a correct server.

``broken_servers/toolbed.py --root DIR`` is confined to DIR; each ``--defect`` plants one class of bug
real servers have shipped. A failure must name the class, the tool, the argument and the canary seen.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from pytest_mcp.suite.checks import sandbox as sandbox_checks
from pytest_mcp.suite.checks.sandbox import path_properties
from pytest_mcp.suite.sandbox import plant
from pytest_mcp.suite.tool_selection import sandbox_selection

from ..conftest import DEMO
from .conftest import CheckRunner, toolbed

ERA = "2026-07-28"
ESCAPE, INJECTION = "security.tools.sandbox-escape", "security.tools.option-injection"

PLANTED = [
    # (defect, check id, phrases the failure must show: the class, the tool, the argument, the canary)
    ("prefix", ESCAPE, ["(prefix sibling)", "'read_file' argument 'path'", "PYTEST-MCP-CANARY-prefix-sibling-"]),
    ("symlink", ESCAPE, ["(symlink)", "'read_file' argument 'path'", "PYTEST-MCP-CANARY-symlink-"]),
    (
        "second-repo",
        ESCAPE,
        ["(second repository)", "'git_log' argument 'repo_path'", "PYTEST-MCP-CANARY-second-repository-"],
    ),
    ("git-option", INJECTION, ["(option injection)", "'diff' argument 'target'", "created the canary file", "output"]),
    ("python-option", INJECTION, ["(option injection)", "'convert' argument 'name'", "created the canary file"]),
    ("stop-serving", ESCAPE, ["(crash)", "'read_file' argument 'path'", "the server crashed", "exited with code 3"]),
]


def planted(root: Path, *defects: str) -> str:
    return toolbed(*defects, root=root)


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """A git repository with one commit: the directory the planted server is confined to."""
    root = tmp_path / "data"
    root.mkdir()
    (root / "a.txt").write_text("inside\n")
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["git", "init", "-q"], ["git", "add", "a.txt"], ["git", *identity, "commit", "-qm", "init"]):
        subprocess.run(command, cwd=root, check=True, capture_output=True, timeout=30)
    return root


def run_check(target: str, check_id: str, *, sandbox: Path | None, tools: str = "read-only") -> tuple[str, str]:
    """(outcome, message) of one check run the way a suite item runs it."""
    runner = CheckRunner(target, tools=tools, sandbox=sandbox)
    try:
        done = runner.run(check_id, ERA)
    finally:
        runner.close()
    return done.outcome, done.message


@pytest.mark.parametrize(("defect", "check_id", "phrases"), PLANTED, ids=[d for d, _, _ in PLANTED])
def test_each_planted_class_is_caught(sandbox: Path, defect: str, check_id: str, phrases: list[str]) -> None:
    outcome, message = run_check(planted(sandbox, defect), check_id, sandbox=sandbox)
    assert outcome == "failed", message
    for phrase in phrases:
        assert phrase in message, message
    assert "the suite called tools that are not read-only too" in message
    assert sorted(path.name for path in sandbox.parent.iterdir()) == ["data"], "the canaries must be cleaned up"
    assert sorted(path.name for path in sandbox.iterdir()) == [".git", "a.txt"]


@pytest.mark.parametrize("check_id", [ESCAPE, INJECTION])
def test_the_correct_server_passes_inside_its_sandbox(sandbox: Path, check_id: str) -> None:
    assert run_check(planted(sandbox), check_id, sandbox=sandbox) == ("passed", "")


def test_without_a_sandbox_the_skips_say_which_option_enables_the_probes(
    sandbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planted server does not ask for roots, and its command-running tools are not read-only. In 2026-07-28
    a server cannot ask unprompted, so the check skips without waiting; in 2025-11-25 it waits, then skips."""
    waits: list[str] = []
    asked = sandbox_checks._asked_for_roots

    async def counted(ctx: Any, client: Any) -> bool:
        waits.append(ctx.era)
        return await asked(ctx, client)

    monkeypatch.setattr(sandbox_checks, "_asked_for_roots", counted)
    outcome, message = run_check(planted(sandbox, "git-option"), ESCAPE, sandbox=None)
    assert outcome == "skipped"
    assert message.endswith(
        "in 2026-07-28 a server asks for the client's roots only inside a request (an input-required result), "
        "never on connecting, so its sandbox is unknown: run with --mcp-sandbox=DIR "
        "(the directory the server is confined to)"
    )
    assert waits == [], "no wait for a roots/list that cannot come"
    runner = CheckRunner(planted(sandbox, "git-option"), tools="read-only")
    try:
        done = runner.run(ESCAPE, "2025-11-25")
    finally:
        runner.close()
    assert (done.outcome, waits) == ("skipped", ["2025-11-25"])
    assert done.message.endswith(
        "the server did not ask for the client's roots, so its sandbox is unknown: run with --mcp-sandbox=DIR "
        "(the directory the server is confined to)"
    )
    outcome, message = run_check(planted(sandbox, "git-option"), INJECTION, sandbox=None, tools="diff,convert")
    assert outcome == "failed" and "'diff' argument 'target'" in message
    outcome, message = run_check(planted(sandbox), INJECTION, sandbox=None, tools="none")
    assert outcome == "skipped" and "--mcp-sandbox=DIR" in message and "--mcp-fuzz-tools=all" in message


def test_a_server_without_path_tools_skips_without_waiting_to_be_asked_for_roots(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def never(ctx: object, client: object) -> bool:
        raise AssertionError("waited for the server to ask for roots")

    monkeypatch.setattr(sandbox_checks, "_asked_for_roots", never)
    outcome, message = run_check(DEMO, ESCAPE, sandbox=None)
    assert outcome == "skipped"
    assert message.endswith("no tool takes an argument that looks like a path (by name, description or format)")


def test_canaries_surround_the_root_and_are_removed(tmp_path: Path) -> None:
    root = tmp_path / "srv"
    root.mkdir()
    canaries = plant(root)
    threats = {escape.threat for escape in canaries.escapes()}
    assert {"prefix sibling", "symlink", "second repository", "absolute path", "relative path"} <= threats
    assert {"encoded path", "case variant", "unicode variant"} <= threats
    sibling = canaries.places["prefix sibling"]
    assert sibling.name.startswith("srv") and sibling.parent == tmp_path
    assert canaries.places["symlink"].is_symlink() and canaries.places["symlink"].parent == root
    token = canaries.tokens["symlink"]
    assert canaries.seen(f"... {token} ...") == [("symlink", token)]
    assert canaries.changed() == []
    (canaries.places["outside"] / "written.txt").write_text("x")
    assert canaries.changed() == [str(canaries.places["outside"] / "written.txt")]
    canaries.remove()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["srv"] and list(root.iterdir()) == []


def test_path_arguments_are_found_by_name_description_and_format() -> None:
    schema = {
        "type": "object",
        "properties": {
            "path": {"type": "string"},
            "paths": {"type": "array", "items": {"type": "string"}},
            "where": {"type": "string", "description": "The directory to search"},
            "uri": {"type": "string", "format": "uri"},
            "message": {"type": "string", "description": "Text to echo"},
            "count": {"type": "integer"},
        },
    }
    assert path_properties(schema) == [("path", False), ("paths", True), ("where", False), ("uri", False)]


@pytest.mark.parametrize(
    ("given", "inside"),
    [("read-only", "all"), ("read-only,-rm", "all,-rm"), ("all,-rm", "all,-rm"), ("none", "none"), ("a,b", "a,b")],
)
def test_a_sandbox_widens_the_read_only_default_only(given: str, inside: str) -> None:
    assert sandbox_selection(given) == inside


def test_a_sandbox_that_does_not_exist_is_skipped_with_what_to_do(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    outcome, message = run_check(planted(tmp_path), ESCAPE, sandbox=missing)
    assert outcome == "skipped"
    assert f"no canaries could be planted around {missing}" in message and "an existing directory" in message
