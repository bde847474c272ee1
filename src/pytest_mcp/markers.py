"""The plugin's markers: their signatures (the marker API), help texts and how they combine.

Each marker is validated by binding its arguments to a real function signature below, so a wrong
keyword fails with Python's own ``TypeError`` message, and the help text shows the signature.

The plugin registers only the markers it reads or puts on items itself: the ``mcp_*`` markers and
the suite names its items carry. The generic category markers (``slow``, ``unit``, ...) are
registered only in projects that opt in with ini ``mcp_category_markers = true``, so elsewhere
``--strict-markers`` still catches a project's own unregistered ``@pytest.mark.slow``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, Final

import pytest

from ._docs import docs_url

DOCS: Final = docs_url("reference/markers.md")

# -- signatures (never called for their effect; they define what a marker accepts) ------------


def mcp_server(*targets: Any, fresh: bool = False) -> dict[str, Any]:
    """Test against these targets (several targets parametrize the test, one id per target)."""
    return {"targets": targets, "fresh": fresh}


def mcp_era(era: str) -> dict[str, Any]:
    """Run the test in this protocol era: auto, 2025-11-25, 2026-07-28 or both."""
    return {"era": era}


def mcp_timeout(seconds: float) -> dict[str, Any]:
    """Per-request timeout for this test, in seconds."""
    return {"seconds": seconds}


def mcp_fresh_server() -> dict[str, Any]:
    """Start a dedicated server for this test and stop it afterwards (isolation over speed)."""
    return {}


def mcp_client(
    *,
    headers: dict[str, str] | None = None,
    token: str | None = None,
    sampling: Any = None,
    elicitation: Any = None,
    roots: Any = None,
    log_level: str | None = None,
    raise_exceptions: bool = False,
) -> dict[str, Any]:
    """Options of the ``mcp_client`` fixture; the same keywords as ``mcp_client_factory``."""
    return {
        "headers": headers,
        "token": token,
        "sampling": sampling,
        "elicitation": elicitation,
        "roots": roots,
        "log_level": log_level,
        "raise_exceptions": raise_exceptions,
    }


PLUGIN_MARKERS: Final[dict[str, Callable[..., dict[str, Any]]]] = {
    "mcp_server": mcp_server,
    "mcp_era": mcp_era,
    "mcp_timeout": mcp_timeout,
    "mcp_fresh_server": mcp_fresh_server,
    "mcp_client": mcp_client,
}

SUITE_MARKERS: Final = {
    "conformance": "MCP specification conformance checks",
    "fuzz": "property-based / fuzz tests",
    "security": "authentication, authorization and hostile-input tests",
}
"""Markers the built-in suite puts on its items (``--mcp-suite``, ``checks_for``), so ``-m`` selects them:
always registered."""

CATEGORY_MARKERS: Final = {
    "unit": "fast tests of single units, with collaborators mocked",
    "integration": "tests against real collaborators (database, processes)",
    "e2e": "end-to-end workflows against a server in a subprocess",
    "contract": "protocol and schema contract tests",
    "chaos": "fault-injection and resilience tests",
    "benchmark": "performance benchmarks",
    "load": "load and SLO tests",
    "snapshot": "snapshot tests",
    "slow": "tests that take more than a second or so",
}
"""Generic category markers for ``-m`` selection, registered only with ini ``mcp_category_markers = true``."""


def signature_text(name: str, func: Callable[..., Any], docs: str = DOCS) -> str:
    """A marker's line for ``--markers``: name, signature, docstring and where it is documented."""
    bare = inspect.signature(func).replace(return_annotation=inspect.Signature.empty)
    signature = str(bare).replace("'", "")  # annotations are strings under postponed evaluation
    return f"{name}{signature}: {inspect.getdoc(func)} See {docs}."


REGISTERED_BY_PLUGINS: Final = {"benchmark": "benchmark"}
"""Category markers that another plugin registers itself, by that plugin's name (pytest-benchmark
registers ``benchmark`` in a ``trylast`` ``pytest_configure``, possibly after ours, so its line cannot
be looked up)."""


def register(config: pytest.Config, categories: bool = False) -> None:
    """Register the plugin's own markers (each with its signature and docs URL), the markers of the suite's
    items and, if ``categories``, the generic category markers; a shared name only if the project (ini,
    conftest) or another plugin has not registered it already."""
    for name, func in PLUGIN_MARKERS.items():
        config.addinivalue_line("markers", signature_text(name, func))
    declared = {line.split(":")[0].split("(")[0].strip() for line in config.getini("markers")}
    declared |= {name for name, plugin in REGISTERED_BY_PLUGINS.items() if config.pluginmanager.hasplugin(plugin)}
    for name, help_text in SUITE_MARKERS.items():
        if name not in declared:
            config.addinivalue_line("markers", f"{name}: {help_text} (registered by pytest_mcp for its suite's items)")
    if categories:
        for name, help_text in CATEGORY_MARKERS.items():
            if name not in declared:
                line = f"{name}: {help_text} (registered by pytest_mcp: mcp_category_markers)"
                config.addinivalue_line("markers", line)


def marker_values(node: pytest.Item | Any, name: str) -> dict[str, Any] | None:
    """The closest ``name`` marker's arguments, bound to its signature (``UsageError`` if they don't fit)."""
    marker = node.get_closest_marker(name)
    if marker is None:
        return None
    return bind(name, marker.args, marker.kwargs)


def bind(
    name: str,
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    func: Callable[..., dict[str, Any]] | None = None,
    docs: str = DOCS,
) -> dict[str, Any]:
    """Call the marker's signature function (``func``, default the plugin's own) with its arguments;
    ``UsageError`` with the signature and ``docs`` if they don't fit."""
    func = func or PLUGIN_MARKERS[name]
    try:
        inspect.signature(func).bind(*args, **kwargs)
    except TypeError as exc:
        raise pytest.UsageError(f"@pytest.mark.{name}: {exc}. Signature: {signature_text(name, func, docs)}") from None
    return func(*args, **kwargs)


def merged_kwargs(
    node: Any, name: str, func: Callable[..., dict[str, Any]] | None = None, docs: str = DOCS
) -> dict[str, Any]:
    """Keyword arguments of every ``name`` marker on the node, the nearest marker winning per keyword
    (feature packages pass their marker's signature function as ``func``)."""
    merged: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers(name))):
        bind(name, marker.args, marker.kwargs, func, docs)
        merged.update(marker.kwargs)
    return merged
