"""The optional features, the extra of ``pytest-mcp-testkit`` that installs each, and the one-line
message a user sees when a feature's extra is missing (never a raw ``ModuleNotFoundError``).

Cheap to import: nothing here imports the optional packages; ``require`` only looks them up.
"""

from __future__ import annotations

import importlib.util
from typing import Final

import pytest

__all__ = ["DISTRIBUTION", "EXTRAS", "MissingExtraError", "fail_if_missing", "installed", "missing_message", "require"]

DISTRIBUTION: Final = "pytest-mcp-testkit"
"""The distribution to ``pip install`` (its import package is ``pytest_mcp``)."""

EXTRAS: Final = {
    # module imported: (distribution that provides it, extra of ours that installs it)
    "syrupy": ("syrupy", "snapshots"),
    "factory": ("factory-boy", "factories"),
    "faker": ("faker", "factories"),
    "pytest_benchmark": ("pytest-benchmark", "benchmark"),
    "respx": ("respx", "mocks"),
    "httpx": ("httpx", "mocks"),
    "locust": ("locust", "load"),
    "pytest_html": ("pytest-html", "html"),
}


class MissingExtraError(ImportError):
    """A feature was used whose optional dependency is not installed; the message says what to install."""


def missing_message(module: str, feature: str) -> str:
    package, extra = EXTRAS[module]
    return f"{feature} needs {package}: pip install '{DISTRIBUTION}[{extra}]'"


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def require(module: str, feature: str) -> None:
    """Raise ``MissingExtraError`` (an ``ImportError``) naming the extra to install if ``module`` is absent."""
    __tracebackhide__ = True
    if not installed(module):
        raise MissingExtraError(missing_message(module, feature), name=module)


def fail_if_missing(module: str, feature: str) -> None:
    """In a fixture: fail the test with the one-line message if ``module`` is absent."""
    __tracebackhide__ = True
    if not installed(module):
        pytest.fail(missing_message(module, feature), pytrace=False)
