"""Options: CLI/ini pairs, validation into UsageError, and the report header."""

from __future__ import annotations

import re

import pytest

from pytest_mcp.settings import OPTIONS


def test_every_option_has_a_flag_and_an_ini_key(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    lines = result.stdout.str()
    for option in OPTIONS:
        assert option.flag in lines
        assert option.ini_name in lines


def test_a_server_and_its_settings_share_one_header_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest("--mcp-server=python -m x")
    result.stdout.fnmatch_lines(
        ["mcp: server=python -m x, era=auto, timeout=10s, server-scope=session, transcript=on-failure"]
    )
    assert result.ret == 0


def test_the_command_line_wins_over_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmcp_era = 2025-11-25\nmcp_timeout = 3\nmcp_server = python -m x\n")
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest("--mcp-era=2026-07-28")
    result.stdout.fnmatch_lines(["mcp: server=python -m x, era=2026-07-28, timeout=3s, *"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mcp-era=2024"], "ERROR: --mcp-era: '2024' is not one of: auto, 2025-11-25, 2026-07-28, both"),
        (["--mcp-timeout=0"], "ERROR: --mcp-timeout: give seconds > 0 as a finite number, not '0'"),
        (["--mcp-transcript=sometimes"], "ERROR: --mcp-transcript: 'sometimes' is not one of: on-failure, always, off"),
        (["--mcp-server-scope=module"], "ERROR: --mcp-server-scope: 'module' is not one of: session, function"),
    ],
)
def test_bad_values_are_usage_errors_naming_the_choices(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest(*args)
    result.stderr.fnmatch_lines([message])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_bad_ini_value_names_the_ini_key(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmcp_unsupported_era = ignore\n")
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest()
    result.stderr.fnmatch_lines(["ERROR: ini option mcp_unsupported_era: 'ignore' is not one of: skip, fail"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_every_option_is_documented() -> None:
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "reference" / "options.md").read_text()
    for option in OPTIONS:
        assert f"`{option.flag}=" in text and f"`{option.ini_name}`" in text, option.flag


def test_every_feature_option_is_documented(pytester: pytest.Pytester) -> None:
    """Each --mcp-* flag that ``pytest --help`` lists, and its ini twin, has a row in options.md."""
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "reference" / "options.md").read_text()
    help_text = pytester.runpytest("--help").stdout.str()
    flags = set(re.findall(r"^\s+(--mcp-[a-z-]+)", help_text, re.MULTILINE))
    assert len(flags) > len(OPTIONS)  # the feature packages add theirs
    for flag in sorted(flags):
        ini = "mcp_" + flag.removeprefix("--mcp-").replace("-", "_")
        assert f"`{flag}" in text and f"`{ini}`" in text, flag
