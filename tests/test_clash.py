"""Another distribution installing a ``pytest_mcp`` package, or ``--mcp-*`` options: one line at start-up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def fake_distribution(where: Path, entry_point: str | None) -> None:
    """A distribution "other-mcp-tests 9.9" that ships pytest_mcp files (as some PyPI projects do)."""
    info = where / "other_mcp_tests-9.9.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: other-mcp-tests\nVersion: 9.9\n")
    (info / "RECORD").write_text("pytest_mcp/__init__.py,,\npytest_mcp/transport.py,,\n")
    if entry_point:
        (info / "entry_points.txt").write_text(f"[pytest11]\n{entry_point}\n")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    env_path = os.pathsep.join([str(pytester.path), os.environ.get("PYTHONPATH", "")])
    pytester._monkeypatch.setenv("PYTHONPATH", env_path)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_options_taken_by_another_distribution(pytester: pytest.Pytester) -> None:
    fake_distribution(pytester.path, None)
    pytester.makepyfile(
        other_plugin="def pytest_addoption(parser):\n    parser.getgroup('mcp').addoption('--mcp-server', dest='theirs')\n"
    )
    result = run(pytester, "-p", "other_plugin")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: pytest-mcp-testkit: another plugin already registers its options "
            "(option names {'--mcp-server'} already added); other-mcp-tests 9.9 also installs a package "
            "named pytest_mcp: uninstall it (pip uninstall other-mcp-tests), then reinstall this plugin "
            "(pip install --force-reinstall pytest-mcp-testkit)"
        ]
    )
    assert "Traceback" not in result.stderr.str()


def test_options_taken_by_an_unknown_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        other_plugin="def pytest_addoption(parser):\n    parser.getgroup('mcp').addoption('--mcp-timeout', dest='theirs')\n"
    )
    result = run(pytester, "-p", "other_plugin")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: *already added); run pytest --trace-config to see which, *-p no:NAME"])


def test_our_plugin_loaded_through_another_distribution(pytester: pytest.Pytester) -> None:
    fake_distribution(pytester.path, "mcp = pytest_mcp.plugin")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: pytest-mcp-testkit: its pytest plugin was loaded from other-mcp-tests 9.9 also installs *"]
    )


def test_no_clash_runs_as_usual(pytester: pytest.Pytester) -> None:
    result = run(pytester)
    result.assert_outcomes(passed=1)
