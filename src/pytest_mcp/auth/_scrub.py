"""Scrub credentials out of a finished test report: its traceback, messages and sections.

The transcript is redacted by the core when it is rendered, but a token can still reach a report
through the test's own code: an assertion that compares it, ``--showlocals``, a ``print``, a
server's stderr or a captured log. For tests that use the token issuer, every string of the
report is redacted twice:

1. ``pytest_mcp.redact.redact_text``: anything JWT-shaped, bearer credentials, and the known
   secrets verbatim;
2. fragments: pytest shortens long values (``'eyJhbGciOiJS...DojvhSfitmtvQ'``), so a token can
   appear cut in two. Every run of at least ``MIN_FRAGMENT`` base64url characters that occurs in a
   known token or secret is hidden too.

pytest's traceback representations are plain (mutable) dataclasses, lists and tuples of strings;
they are walked generically, without importing pytest's private modules.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Final

import pytest

from ..redact import REDACTED, redact_text

MIN_FRAGMENT: Final = 8
_RUN: Final = re.compile(rf"[A-Za-z0-9_-]{{{MIN_FRAGMENT},}}")


class _Scrubber:
    def __init__(self, secrets: tuple[str, ...]) -> None:
        self.secrets = tuple(secret for secret in secrets if secret)
        self.haystack = "\n".join(self.secrets)

    def text(self, value: str) -> str:
        value = redact_text(value, self.secrets)
        if not self.haystack:
            return value
        return _RUN.sub(lambda match: REDACTED if match.group() in self.haystack else match.group(), value)


def scrub_report(report: pytest.TestReport, secrets: tuple[str, ...] = ()) -> None:
    """Redact tokens, their fragments and ``secrets`` in ``report``, in place."""
    scrubber = _Scrubber(secrets)
    if report.longrepr is not None:
        report.longrepr = _scrub(report.longrepr, scrubber, set())
    report.sections = [(title, scrubber.text(content)) for title, content in report.sections]


def _scrub(value: Any, scrubber: _Scrubber, seen: set[int]) -> Any:
    if isinstance(value, str):
        return scrubber.text(value)
    if isinstance(value, list):
        return [_scrub(item, scrubber, seen) for item in value]
    if isinstance(value, tuple):
        return tuple(_scrub(item, scrubber, seen) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if id(value) in seen:  # the same entry is reachable from a chain and from the outer repr
            return value
        seen.add(id(value))
        names = {item.name for item in dataclasses.fields(value)}
        # ``ReprTracebackNative`` and a few others keep state outside their declared fields.
        names |= {name for name in ("reprentries", "extraline", "lines", "chain") if hasattr(value, name)}
        for name in sorted(names):
            current = getattr(value, name, None)
            scrubbed = _scrub(current, scrubber, seen)
            if scrubbed is not current:
                try:
                    setattr(value, name, scrubbed)
                except dataclasses.FrozenInstanceError:
                    object.__setattr__(value, name, scrubbed)
    return value
