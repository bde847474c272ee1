"""The plugin's markers: their signatures (the marker API), help texts and how they combine.

Each marker is validated by binding its arguments to a real function signature below, so a wrong
keyword fails with Python's own ``TypeError`` message, and the help text shows the signature. The
signature functions then check each value with the parsers the options use (``settings.py``), so
``@pytest.mark.mcp_timeout(-5)`` and ``--mcp-timeout=-5`` are refused alike, in one shape:
``@pytest.mark.mcp_timeout(-5): give seconds > 0 as a finite number, not -5``. Every marker a test
carries, the feature packages' too, is checked before the test sets up (``check_item``).

A feature package declares each of its markers once, as an options type: a frozen keyword-only
dataclass in a cheap module whose fields are the marker's keywords (``options_signature``), whose
``__post_init__`` checks their values, and whose instance is what the marker's fixture hands to the
heavy class it builds (``merged_options`` reads the markers of a test; ``extra_keywords()`` declares
a ``**keywords`` catch-all, ``field(kw_only=False)`` a positional argument, with ``POSITIONAL_ONLY``
in its metadata one passed by position only).

The plugin registers only the markers it reads or puts on items itself: the ``mcp_*`` markers and
the suite names its items carry. The generic category markers (``slow``, ``unit``, ...) are
registered only in projects that opt in with ini ``mcp_category_markers = true``, so elsewhere
``--strict-markers`` still catches a project's own unregistered ``@pytest.mark.slow``.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import pytest

from ._docs import docs_url
from .client.options import ClientOptions
from .settings import ERAS, checked, choice, flag, positive_float

DOCS: Final = docs_url("reference/markers.md")

# -- signatures (never called for their effect; they define what a marker accepts) ------------


def mcp_server(*targets: Any, fresh: bool = False) -> dict[str, Any]:
    """Test against these targets (several targets parametrize the test, one id per target)."""
    if not targets:
        raise ValueError(
            "name at least one target: 'pkg.module:attr' (in-process), 'http(s)://...' (a running server) "
            "or a command line (stdio)"
        )
    return {"targets": targets, "fresh": checked(flag, fresh, "fresh")}


def mcp_era(era: str) -> dict[str, Any]:
    """Run the test in this protocol era: auto, 2025-11-25, 2026-07-28 or both."""
    return {"era": checked(choice(ERAS), era)}


def mcp_timeout(seconds: float) -> dict[str, Any]:
    """Per-request timeout for this test, in seconds."""
    return {"seconds": checked(positive_float, seconds)}


def mcp_fresh_server() -> dict[str, Any]:
    """Start a dedicated server for this test and stop it afterwards (isolation over speed)."""
    return {}


PLUGIN_MARKERS: Final[dict[str, Callable[..., Any]]] = {
    "mcp_server": mcp_server,
    "mcp_era": mcp_era,
    "mcp_timeout": mcp_timeout,
    "mcp_fresh_server": mcp_fresh_server,
    "mcp_client": ClientOptions,
}

SUITE_MARKERS: Final = {
    "conformance": "MCP specification conformance checks",
    "fuzz": "property-based / fuzz tests",
    "security": "authentication, authorization and hostile-input tests",
    "stateful": "sequences of tool calls, fuzzed as a state machine",
    "mcp_contract": "expected-surface contract checks (--mcp-contract)",
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


EXTRA_KEYWORDS: Final = "pytest_mcp_extra_keywords"
"""Field metadata of the options-type field that collects the keywords no other field names."""


def extra_keywords() -> Any:
    """An options-type field that takes every other keyword, as a dict (``**claims`` in the signature)."""
    return dataclasses.field(default_factory=dict, metadata={EXTRA_KEYWORDS: True})


POSITIONAL_ONLY: Final = "pytest_mcp_positional_only"
"""Field metadata of an options-type field that is passed by position only (``target, /`` in the signature):
``field(kw_only=False, metadata={POSITIONAL_ONLY: True})``."""


def make_options(spec: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    """An options type built from a call's arguments as its signature binds them (``TypeError`` if they
    don't fit; the ``ValueError`` of a wrong value)."""
    return spec(**options_signature(spec).bind(*args, **kwargs).arguments)


def is_options_type(spec: Any) -> bool:
    """Whether ``spec`` is an options type (a dataclass) rather than a signature function."""
    return isinstance(spec, type) and dataclasses.is_dataclass(spec)


@functools.cache  # a marker's signature never changes; tests that carry markers bind them often
def options_signature(spec: Callable[..., Any]) -> inspect.Signature:
    """What a marker accepts: the fields of an options type (keyword-only unless declared
    ``kw_only=False``; an ``extra_keywords()`` field as ``**name``), or a signature function's parameters."""
    if not is_options_type(spec):
        return inspect.signature(spec).replace(return_annotation=inspect.Signature.empty)
    parameters = []
    for item in dataclasses.fields(spec):  # type: ignore[arg-type]
        if not item.init:
            continue
        if item.metadata.get(EXTRA_KEYWORDS):
            parameters.append(inspect.Parameter(item.name, inspect.Parameter.VAR_KEYWORD, annotation="Any"))
            continue
        kind: inspect._ParameterKind = inspect.Parameter.KEYWORD_ONLY
        if not item.kw_only:
            kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        if item.metadata.get(POSITIONAL_ONLY):
            kind = inspect.Parameter.POSITIONAL_ONLY
        default = item.default
        if item.default_factory is not dataclasses.MISSING:
            default = item.default_factory()
        if default is dataclasses.MISSING:
            default = inspect.Parameter.empty
        parameters.append(inspect.Parameter(item.name, kind, default=default, annotation=item.type))
    return inspect.Signature(sorted(parameters, key=lambda parameter: parameter.kind))


def signature_text(name: str, func: Callable[..., Any], docs: str = DOCS) -> str:
    """A marker's line for ``--markers``: name, signature, docstring and where it is documented."""
    signature = str(options_signature(func)).replace("'", "")  # annotations are strings under postponed evaluation
    summary = " ".join((inspect.getdoc(func) or "").split())  # one line of --markers
    return f"{name}{signature}: {summary} See {docs}."


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
    values: dict[str, Any] = bind(name, marker.args, marker.kwargs)
    return values


def bind(
    name: str,
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    func: Callable[..., Any] | None = None,
    docs: str = DOCS,
) -> Any:
    """The marker's value: its signature function (``func``, default the plugin's own) called with its
    arguments, or its options type built from them; ``UsageError`` with the signature and ``docs`` if
    they don't fit, with the marker as written and the reason if a value is wrong."""
    func = func or PLUGIN_MARKERS[name]
    check_signature(name, args, kwargs, func, docs)
    try:
        if is_options_type(func):
            return make_options(func, args, kwargs)
        return func(*args, **kwargs)
    except ValueError as exc:
        raise pytest.UsageError(f"{call_text(name, args, kwargs)}: {exc}") from None


def check_signature(
    name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any], func: Callable[..., Any], docs: str = DOCS
) -> inspect.BoundArguments:
    """The marker's arguments bound to its signature; ``UsageError`` with the signature if they don't fit."""
    try:
        return options_signature(func).bind(*args, **kwargs)
    except TypeError as exc:
        raise pytest.UsageError(f"@pytest.mark.{name}: {exc}. Signature: {signature_text(name, func, docs)}") from None


def call_text(name: str, args: Iterable[Any], kwargs: Mapping[str, Any]) -> str:
    """The marker as it was written: ``@pytest.mark.mcp_timeout(-5)``."""
    shown = [repr(arg) for arg in args] + [f"{key}={value!r}" for key, value in kwargs.items()]
    return f"@pytest.mark.{name}({', '.join(shown)})"


def merged_kwargs(node: Any, name: str, func: Callable[..., Any] | None = None, docs: str = DOCS) -> dict[str, Any]:
    """Keyword arguments of every ``name`` marker on the node, the nearest marker winning per keyword
    (feature packages pass their marker's options type as ``func``)."""
    return merged_arguments(node, name, func or PLUGIN_MARKERS[name], docs)[1]


def merged_arguments(
    node: Any, name: str, func: Callable[..., Any], docs: str = DOCS
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The positional arguments of the nearest ``name`` marker that has some, and the keyword arguments
    of all of them, the nearest winning per keyword; each marker is checked against the signature."""
    args: tuple[Any, ...] = ()
    merged: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers(name))):
        check_signature(name, marker.args, marker.kwargs, func, docs)
        args = marker.args or args
        merged.update(marker.kwargs)
    return args, merged


def merged_options(node: Any, name: str, options: Callable[..., Any], docs: str = DOCS) -> Any:
    """The ``options`` type built from every ``name`` marker on the node, the nearest winning per keyword
    (the defaults without a marker); ``UsageError`` naming the signature or the wrong value."""
    args, kwargs = merged_arguments(node, name, options, docs)
    return bind(name, args, kwargs, options, docs)


FEATURE_MARKERS: Final = {
    "mcp_token": ("pytest_mcp.auth.plugin", "pytest_mcp.auth.options:TokenOptions"),
    "mcp_chaos": ("pytest_mcp.chaos.plugin", "pytest_mcp.chaos._policy:ChaosOptions"),
    "mcp_load": ("pytest_mcp.load.plugin", "pytest_mcp.load.options:LoadOptions"),
    "mcp_snapshot": ("pytest_mcp.snapshots.plugin", "pytest_mcp.snapshots.options:SnapshotOptions"),
    "mcp_http_mock": ("pytest_mcp.mocks.plugin", "pytest_mcp.mocks.options:HttpMockOptions"),
    "mcp_fake_upstream": ("pytest_mcp.mocks.plugin", "pytest_mcp.mocks.options:FakeUpstreamOptions"),
    "mcp_mock_backend": ("pytest_mcp.mocks.plugin", "pytest_mcp.mocks.options:BackendPatch"),
}
"""The feature packages' markers: the plugin module that registers each, and its options type.
Their fixtures bind them and check what only they know (a rate between 0 and 1, a known algorithm);
``check_item`` checks the types their signatures declare, and seconds, before the test sets up."""

SECONDS_KEYWORDS: Final = frozenset({"seconds", "timeout", "duration"})
"""Keywords of feature markers that are seconds: checked like ``--mcp-timeout``."""

_TYPES: Final[dict[str, tuple[Any, str]]] = {
    "None": (type(None), "None"),
    "bool": (bool, "True or False"),
    "int": (int, "a whole number"),
    "float": ((int, float), "a number"),
    "str": (str, "a string"),
    "list": (list, "a list"),
    "tuple": (tuple, "a tuple"),
    "dict": (dict, "a dict"),
    "Mapping": (Mapping, "a dict"),
    "Sequence": ((list, tuple), "a list or tuple"),
}
"""The annotations ``check_item`` understands; a parameter with any other type is not checked."""


def check_item(item: pytest.Item) -> str | None:
    """The problem with the first plugin marker on ``item`` whose arguments are wrong, else None.

    The plugin's own markers are bound to their signatures (``bind``); a feature package's marker,
    when that package is active, has its values checked against the types its signature declares.
    """
    for marker in item.iter_markers():
        name = marker.name
        if name in PLUGIN_MARKERS:
            try:
                bind(name, marker.args, marker.kwargs)
            except pytest.UsageError as exc:
                return str(exc)
        elif name in FEATURE_MARKERS:
            plugin, path = FEATURE_MARKERS[name]
            if item.config.pluginmanager.get_plugin(plugin) is None:
                continue
            module, _, attribute = path.partition(":")
            problem = value_problem(getattr(importlib.import_module(module), attribute), marker.args, marker.kwargs)
            if problem:
                return f"{call_text(name, marker.args, marker.kwargs)}: {problem}"
    return None


def value_problem(func: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    """What is wrong with an argument whose type ``func``'s signature declares, or None.

    Arguments that do not bind are left to the marker's own fixture, which names its signature."""
    signature = options_signature(func)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    for keyword, value in bound.arguments.items():
        parameter = signature.parameters[keyword]
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if keyword in SECONDS_KEYWORDS and value is not None:
            try:
                positive_float(value)
            except ValueError as exc:
                return f"{keyword}: {exc}"
        expected = _expected(parameter.annotation)
        if expected and not any(_is(value, kind) for kind, _ in expected):
            return f"{keyword}: give {' or '.join(words for _, words in expected)}, not {value!r}"
    return None


def _expected(annotation: Any) -> list[tuple[Any, str]] | None:
    """The types of a (string) annotation such as ``float | tuple[float, float] | None``; None if one is
    not in ``_TYPES`` (then the parameter is not checked)."""
    if not isinstance(annotation, str):
        return None
    parts, depth, start = [], 0, 0
    for index, char in enumerate(annotation + "|"):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(annotation[start:index].strip().split("[")[0])
            start = index + 1
    if not all(part in _TYPES for part in parts):
        return None
    return [_TYPES[part] for part in parts]


def _is(value: Any, kind: Any) -> bool:
    if isinstance(value, bool):
        return kind is bool  # True is an int to Python, not a number of seconds or users to a test
    return isinstance(value, kind)
