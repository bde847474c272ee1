"""Another distribution that installs a top-level ``pytest_mcp`` or ``--mcp-*`` options: one line at
start-up naming it and what to do, instead of a crash deep in the plugin.

Other PyPI projects ship a package named ``pytest_mcp`` too; installed beside ours, their files and
ours overwrite each other. Finding which distribution that is means reading every installed
distribution's metadata (tens of milliseconds), so it is done only once something is wrong: the
plugin registered from another distribution's entry point, or an ``--mcp-*`` option taken.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .extras import DISTRIBUTION

__all__ = ["check_plugin_distribution", "clashing_distributions", "option_clash"]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def clashing_distributions() -> list[str]:
    """Installed distributions, other than ours, that ship ``pytest_mcp`` or a pytest plugin in it."""
    from importlib.metadata import distributions

    found = []
    for dist in distributions():
        name = dist.metadata["Name"] or ""
        if _canonical(name) == DISTRIBUTION:
            continue
        ships_package = any(str(path).startswith("pytest_mcp/") for path in dist.files or ())
        plugs_in = any(ep.group == "pytest11" and ep.value.startswith("pytest_mcp") for ep in dist.entry_points)
        if ships_package or plugs_in:
            found.append(f"{name} {dist.version}")
    return sorted(set(found))


def _what_to_do(found: list[str]) -> str:
    names = " ".join(entry.split()[0] for entry in found)
    return (
        f"{', '.join(found)} also installs a package named pytest_mcp: uninstall it (pip uninstall {names}), "
        f"then reinstall this plugin (pip install --force-reinstall {DISTRIBUTION})"
    )


def option_clash(error: ValueError) -> pytest.UsageError:
    """The usage error for an ``--mcp-*`` option another plugin registered first."""
    found = clashing_distributions()
    if found:
        return pytest.UsageError(
            f"{DISTRIBUTION}: another plugin already registers its options ({error}); {_what_to_do(found)}"
        )
    return pytest.UsageError(
        f"{DISTRIBUTION}: another plugin already registers its options ({error}); "
        "run pytest --trace-config to see which, and disable it with -p no:NAME"
    )


def check_plugin_distribution(config: pytest.Config, plugin: Any) -> None:
    """Fail when our plugin module was loaded through another distribution's entry point."""
    for loaded, dist in config.pluginmanager.list_plugin_distinfo():
        if loaded is plugin and _canonical(dist.project_name) != DISTRIBUTION:
            found = clashing_distributions() or [f"{dist.project_name} {dist.version}"]
            raise pytest.UsageError(f"{DISTRIBUTION}: its pytest plugin was loaded from {_what_to_do(found)}")
