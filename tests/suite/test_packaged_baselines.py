"""The reference servers' baselines ship with the plugin and are named without a path."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mcp.suite.baseline import PACKAGED, packaged_baselines, parse_baseline, resolve_baseline
from pytest_mcp.suite.registry import load_checks


def test_every_reference_server_has_a_packaged_baseline() -> None:
    assert packaged_baselines() == [
        "fastmcp",
        "mcp-python-sdk",
        "mcp-server-git",
        "mcp-server-time",
        "server-everything",
        "server-filesystem",
        "server-memory",
    ]


@pytest.mark.parametrize("name", ["server-everything", "server-everything.txt"])
def test_a_name_resolves_to_the_packaged_file(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_baseline(name) == PACKAGED / "server-everything.txt"
    assert resolve_baseline(tmp_path / name) == PACKAGED / "server-everything.txt"


def test_a_file_of_the_user_wins(tmp_path: Path) -> None:
    own = tmp_path / "server-everything.txt"
    own.write_text("# nothing accepted\n")
    assert resolve_baseline(own) == own


def test_every_packaged_baseline_parses() -> None:
    known = list(load_checks())
    for name in packaged_baselines():
        assert parse_baseline(name, known).entries, name


def test_an_unknown_name_lists_the_packaged_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"by name: fastmcp, mcp-python-sdk, mcp-server-git, .*server-memory\)"):
        parse_baseline(tmp_path / "no-such-server", [])


def test_a_pinned_line_parses_and_accepts_only_its_failure(tmp_path: Path) -> None:
    path = tmp_path / "pins.txt"
    path.write_text(
        'prompts.get.unknown-name code=0,-32603  # plain errors\ntools.call.structured-text fails="*holding the same JSON"\n'
    )
    codes, text = parse_baseline(path, load_checks()).entries
    assert (codes.code, codes.fails, text.code, text.fails) == ("0,-32603", None, None, "*holding the same JSON")
    assert codes.accepts("the error code is -32603, not -32602")
    assert codes.accepts("prompts/get failed", received={"error": {"code": 0, "message": "boom"}})
    assert not codes.accepts("the error code is -32601, not -32602")
    assert text.accepts("tool 'x' returned structuredContent without a text block holding the same JSON")
    assert not text.accepts("tool 'x': isError is 'yes', not a boolean")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("prompts.get.unknown-name code=minus-one", "code='minus-one' is not a JSON-RPC error code"),
        ('prompts.get.unknown-name fails="*unclosed', "No closing quotation"),
    ],
)
def test_a_bad_pin_is_a_usage_error_with_its_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(f"# first line\n{line}\n")
    with pytest.raises(ValueError, match=rf"bad.txt:2: .*{message}"):
        parse_baseline(path, load_checks())


def test_the_packaged_baselines_pin_their_failures() -> None:
    """Each entry of a reference server's baseline names the failure it accepts, except the HTTP ones whose
    findings have no code (an HTTP status, a missing check) and the per-tool lines of server-filesystem."""
    known = list(load_checks())
    unpinned = [
        (name, entry.text)
        for name in packaged_baselines()
        for entry in parse_baseline(name, known).entries
        if not entry.pinned and entry.transport != "http" and entry.subject is None
    ]
    assert not unpinned
