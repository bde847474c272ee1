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
