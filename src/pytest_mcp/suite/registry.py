"""The check registry: every built-in check is a small async function plus its metadata.

Register a check with the ``@check(...)`` decorator in a module listed in ``CHECK_MODULES``; the
suite imports those modules only when ``--mcp-suite`` (or ``checks_for``) asks for them, so none
of this is loaded in ordinary test runs. This module itself imports nothing heavy.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ..protocol.versions import ERAS
from .options import OPT_IN_SUITES, SUITES

if TYPE_CHECKING:
    from .context import CheckContext

__all__ = [
    "CHECK_MODULES",
    "ERAS",
    "LEVELS",
    "REGISTRY",
    "SUBJECT_KINDS",
    "SUITES",
    "TRANSPORTS",
    "Check",
    "check",
    "checks_in",
    "load_checks",
]


TRANSPORTS: Final = ("stdio", "http", "inproc")
"""``stdio``: a command line; ``http``: a URL or spawned HTTP server (also an ASGI app); ``inproc``: ``module:attr``."""

LEVELS: Final = ("MUST", "SHOULD", "D")
"""MUST / SHOULD from the spec; D: derived (JSON-RPC 2.0, a spec example or the reference SDK)."""

SUBJECT_KINDS: Final = (
    "tool",
    "callable-tool",
    "structured-tool",
    "resource",
    "template",
    "prompt",
    "prompt-with-arguments",
)
"""What a check may run once per listed item of (``per=``): every tool, the tools the suite may call,
those of them with an outputSchema, every resource, resource template or prompt, the prompts with a
required argument."""

SPEC_BASE: Final = "https://modelcontextprotocol.io/specification"

CHECK_MODULES: Final[tuple[str, ...]] = (
    "pytest_mcp.suite.checks.jsonrpc",
    "pytest_mcp.suite.checks.lifecycle",
    "pytest_mcp.suite.checks.session",
    "pytest_mcp.suite.checks.tools",
    "pytest_mcp.suite.checks.pagination",
    "pytest_mcp.suite.checks.resources",
    "pytest_mcp.suite.checks.prompts",
    "pytest_mcp.suite.checks.completion",
    "pytest_mcp.suite.checks.logging",
    "pytest_mcp.suite.checks.progress",
    "pytest_mcp.suite.checks.cancellation",
    "pytest_mcp.suite.checks.concurrency",
    "pytest_mcp.suite.checks.stdio",
    "pytest_mcp.suite.checks.http",
    "pytest_mcp.suite.checks.auth",
    "pytest_mcp.suite.checks.contract",
    "pytest_mcp.suite.checks.liveness",
    "pytest_mcp.suite.checks.fuzz",
    "pytest_mcp.suite.checks.security",
    "pytest_mcp.suite.checks.sandbox",
    "pytest_mcp.suite.checks.stateful",
)

_ID: Final = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")

CheckFunc = Callable[["CheckContext"], Awaitable[None]]


@dataclass(frozen=True)
class Check:
    """One check: what it verifies, where the spec says so, and where it applies."""

    id: str
    """Dotted, lowercase, stable: ``tools.list.pagination-terminates``. Baselines name checks by it."""
    func: CheckFunc
    suite: str
    rule: str
    """The spec rule in one sentence (shown in reports and docs)."""
    items: tuple[int, ...]
    """Numbers of the items of the spec checklist (docs/suite/conformance.md) this check verifies."""
    spec: str
    """Spec page and anchor relative to the era's specification root, e.g. ``server/tools#pagination``."""
    level: str
    eras: tuple[str, ...]
    transports: tuple[str, ...]
    requires: tuple[str, ...]
    """Server capabilities the check needs (``tools``, ``resources.subscribe``, ...): skipped when undeclared."""
    timeout: float
    """Seconds the whole check may take."""
    raw: bool
    """True when the check needs the server's JSON-RPC bytes (stdio, HTTP, or an ASGI view of an in-process server)."""
    auth: bool
    """True for checks of an HTTP server's authorization (they look at unauthenticated requests)."""
    waits: float = 0.0
    """Seconds the check waits by design (a slow call, a window in which nothing may arrive): with
    ``--mcp-suite-jobs`` the checks that wait longest start first."""
    per: str | None = None
    """One of ``SUBJECT_KINDS``: the suite makes one item per listed tool, resource, template or prompt
    (``ctx.subject`` names it); None: one item per era."""
    bad_input: bool = False
    """True when the check sends malformed, unknown or hostile input: the suite then makes sure the
    server still serves afterwards (a fresh session initializes and lists tools), and runs the check
    alone, never side by side."""

    def spec_url(self, era: str) -> str:
        """The spec link of this check in ``era`` (``2025-11-25`` or ``2026-07-28``)."""
        page, _, anchor = self.spec.partition("#")
        version = era if era in ERAS else ERAS[-1]
        return f"{SPEC_BASE}/{version}/{page}" + (f"#{anchor}" if anchor else "")

    @property
    def items_text(self) -> str:
        return ", ".join(f"#{number}" for number in self.items) or "-"


REGISTRY: Final[dict[str, Check]] = {}
"""Every registered check by id, in registration order."""


def check(
    id: str,
    *,
    rule: str,
    items: Sequence[int],
    spec: str,
    level: str,
    suite: str = "conformance",
    eras: Iterable[str] = ERAS,
    transports: Iterable[str] = TRANSPORTS,
    requires: Iterable[str] = (),
    timeout: float = 30.0,
    raw: bool = True,
    auth: bool = False,
    per: str | None = None,
    waits: float = 0.0,
    bad_input: bool = False,
) -> Callable[[CheckFunc], CheckFunc]:
    """Register ``async def func(ctx: CheckContext) -> None`` as a check of the suite.

    The function fails with ``ctx.fail(...)`` (or ``ctx.expect(...)``), skips with ``ctx.skip(...)``,
    and passes by returning. Registering two checks with one id is an error. With ``per=KIND`` the
    check runs once per listed subject of that kind (see ``SUBJECT_KINDS``) and keeps to
    ``ctx.pick(items)``; where the subjects cannot be listed it runs once over all of them.
    """
    eras, transports, requires = tuple(eras), tuple(transports), tuple(requires)
    if not _ID.match(id):
        raise ValueError(f"check id {id!r}: use lowercase words joined by '.' or '-'")
    if suite not in SUITES + OPT_IN_SUITES:
        raise ValueError(f"check {id}: suite {suite!r} is not one of {', '.join(SUITES + OPT_IN_SUITES)}")
    if level not in LEVELS:
        raise ValueError(f"check {id}: level {level!r} is not one of {', '.join(LEVELS)}")
    if not eras or set(eras) - set(ERAS):
        raise ValueError(f"check {id}: eras must be a non-empty subset of {ERAS}")
    if not transports or set(transports) - set(TRANSPORTS):
        raise ValueError(f"check {id}: transports must be a non-empty subset of {TRANSPORTS}")
    if per is not None and per not in SUBJECT_KINDS:
        raise ValueError(f"check {id}: per={per!r} is not one of {', '.join(SUBJECT_KINDS)}")
    if not rule.strip():
        raise ValueError(f"check {id}: give the spec rule in one sentence")

    def register(func: CheckFunc) -> CheckFunc:
        existing = REGISTRY.get(id)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"check id {id!r} is registered twice ({existing.func.__module__} and {func.__module__})")
        REGISTRY[id] = Check(
            id=id,
            func=func,
            suite=suite,
            rule=" ".join(rule.split()),
            items=tuple(items),
            spec=spec,
            level=level,
            eras=eras,
            transports=transports,
            requires=requires,
            timeout=timeout,
            raw=raw,
            auth=auth,
            per=per,
            waits=waits,
            bad_input=bad_input,
        )
        return func

    return register


def load_checks(modules: Iterable[str] = CHECK_MODULES) -> dict[str, Check]:
    """Import the check modules and return the registry."""
    for name in modules:
        importlib.import_module(name)
    return REGISTRY


def checks_in(suites: Iterable[str]) -> list[Check]:
    """The registered checks of these suites, in registration order (call ``load_checks`` first)."""
    wanted = set(suites)
    return sorted((item for item in REGISTRY.values() if item.suite in wanted), key=_position)


def _position(item: Check) -> tuple[int, int]:
    """Where a check is written: its module's place in ``CHECK_MODULES``, then its line (an order that does
    not depend on which module some caller imported first)."""
    module = item.func.__module__
    rank = CHECK_MODULES.index(module) if module in CHECK_MODULES else len(CHECK_MODULES)
    code = getattr(item.func, "__code__", None)
    return rank, code.co_firstlineno if code is not None else 0
