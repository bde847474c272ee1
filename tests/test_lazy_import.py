"""Loading the plugin must not import the MCP SDK, pydantic or starlette (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

HEAVY = ("mcp", "mcp_types", "pydantic", "starlette", "httpx2", "hypothesis", "jsonschema")
OURS_ON_FIRST_USE = ("pytest_mcp.client.mcp_client", "pytest_mcp.client.transcript", "pytest_mcp.server.running")
"""Our own modules that a run which never touches MCP must not load either (each costs start-up time)."""


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        import pytest_mcp, pytest_mcp.plugin
        loaded = sorted(name for name in {HEAVY!r} if name in sys.modules)
        print("LOADED", loaded)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "LOADED []" in out


def test_a_pytest_run_that_never_touches_mcp_does_not_pay_for_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "test_plain.py").write_text(
        textwrap.dedent(
            f"""
            import sys

            def test_nothing_heavy_loaded():
                loaded = [name for name in {HEAVY + OURS_ON_FIRST_USE!r} if name in sys.modules]
                assert loaded == []
            """
        )
    )
    # Only our plugin (and pytest's own) are loaded, so other installed plugins cannot import these first.
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "pytest_mcp.plugin", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_every_public_name_resolves() -> None:
    import pytest_mcp

    missing = [name for name in pytest_mcp.__all__ if getattr(pytest_mcp, name, None) is None]
    assert missing == []
