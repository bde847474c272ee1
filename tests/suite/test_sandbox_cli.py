"""``--mcp-sandbox``, its ini twin ``mcp_sandbox`` and ``checks_for(..., sandbox=...)`` in real pytest sessions."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import INI
from .test_sandbox import planted

SELECT = ("-k", "sandbox or injection", "-m", "mcp_2026_07_28", "-p", "no:cacheprovider", "-q", "-rfEs")


def make_root(pytester: pytest.Pytester) -> Path:
    root = pytester.path / "data"
    root.mkdir()
    (root / "a.txt").write_text("inside\n")
    return root


def test_the_option_confines_the_probes_and_names_the_escape(mcp_pytester: pytest.Pytester) -> None:
    root = make_root(mcp_pytester)
    result = mcp_pytester.runpytest(
        f"--mcp-server={planted(root, 'prefix')}", "--mcp-suite=security", f"--mcp-sandbox={root}", *SELECT
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*tools/call 'read_file' argument 'path' with the prefix sibling path *data_evil-*canary.txt*: "
            "the reply shows the prefix sibling canary 'PYTEST-MCP-CANARY-prefix-sibling-*",
            "FAILED mcp-suite::security?security.tools.sandbox-escape??2026-07-28??stdio?*",
        ]
    )
    assert sorted(path.name for path in root.iterdir()) == ["a.txt"]


def test_the_ini_option_is_read_relative_to_the_ini_file(mcp_pytester: pytest.Pytester) -> None:
    root = make_root(mcp_pytester)
    mcp_pytester.makeini(INI + "mcp_sandbox = data\n")
    result = mcp_pytester.runpytest(f"--mcp-server={planted(root, 'symlink')}", "--mcp-suite=security", *SELECT)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*the reply shows the symlink canary 'PYTEST-MCP-CANARY-symlink-*"])


def test_checks_for_takes_the_sandbox(mcp_pytester: pytest.Pytester) -> None:
    root = make_root(mcp_pytester)
    mcp_pytester.makepyfile(
        test_security=f"""
        from pytest_mcp.suite import checks_for

        test_confined = checks_for("security", server={planted(root, "python-option")!r}, sandbox={str(root)!r})
        """
    )
    result = mcp_pytester.runpytest(*SELECT)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*tools/call 'convert' argument 'name' with the option '--output=*': the server honoured the option*",
            "FAILED test_security.py::test_confined?security-security.tools.option-injection-2026-07-28-stdio?*",
        ]
    )
