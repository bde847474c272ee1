"""Scrub credentials out of a finished test report: its traceback, messages and sections.

The transcript is redacted by the core when it is rendered, but a token can still reach a report
through the test's own code: an assertion that compares it, ``--showlocals``, a ``print``, a
server's stderr or a captured log. For tests that use the token issuer, every string of the
report goes through ``pytest_mcp.redact.redact_text`` (which hides anything JWT-shaped and bearer
credentials) with the issuer's client secrets added.

pytest's traceback representations are plain (mutable) dataclasses, lists and tuples of strings;
they are walked generically, without importing pytest's private modules.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ..redact import redact_text


def scrub_report(report: pytest.TestReport, extra_secrets: tuple[str, ...] = ()) -> None:
    """Redact secrets in ``report`` in place."""
    secrets = tuple(secret for secret in extra_secrets if secret)
    if report.longrepr is not None:
        report.longrepr = _scrub(report.longrepr, secrets, set())
    report.sections = [(title, redact_text(content, secrets)) for title, content in report.sections]


def _scrub(value: Any, secrets: tuple[str, ...], seen: set[int]) -> Any:
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, list):
        return [_scrub(item, secrets, seen) for item in value]
    if isinstance(value, tuple):
        return tuple(_scrub(item, secrets, seen) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if id(value) in seen:  # the same entry is reachable from a chain and from the outer repr
            return value
        seen.add(id(value))
        for item in dataclasses.fields(value):
            current = getattr(value, item.name, None)
            scrubbed = _scrub(current, secrets, seen)
            if scrubbed is not current:
                try:
                    setattr(value, item.name, scrubbed)
                except dataclasses.FrozenInstanceError:
                    object.__setattr__(value, item.name, scrubbed)
        # ``ReprTracebackNative`` and a few others keep state outside their declared fields.
        for name in ("reprentries", "extraline", "lines", "chain"):
            if hasattr(value, name) and name not in {item.name for item in dataclasses.fields(value)}:
                setattr(value, name, _scrub(getattr(value, name), secrets, seen))
    return value
