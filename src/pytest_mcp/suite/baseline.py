"""Baseline files (``--mcp-baseline FILE``): known failures that become xfail, and stale entries.

One entry per line; ``#`` starts a comment (use it for the reason)::

    # the reference SDK's MCPServer answers an unknown prompt with -32603, not -32602
    prompts.get.unknown-name-error
    logging.capability-declared  era=2026-07-28
    http.session.unknown-404     transport=http
    tools.*                      level=SHOULD
    tools.call.result-valid      subject=get-env

The first word is a check id, or a glob of ids (``fnmatch``). Optional ``era=``, ``transport=``,
``level=`` and ``subject=`` qualifiers narrow it; ``subject=`` (a name or URI, or a glob of them)
keeps to the items of one tool, resource, template or prompt of a check that runs per subject. An entry whose checks all pass is *stale*: the run fails
until it is removed, like the official suite's expected-failures file.
"""

from __future__ import annotations

import difflib
import fnmatch
import glob
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from .._docs import docs_url
from .registry import ERAS, LEVELS, TRANSPORTS, Check

__all__ = ["Baseline", "BaselineEntry", "entry_line", "parse_baseline"]

QUALIFIERS: Final = {"era": ERAS, "transport": TRANSPORTS, "level": LEVELS, "subject": None}
"""Each qualifier and its valid values (None: any non-empty text)."""


@dataclass
class BaselineEntry:
    """One line of a baseline file."""

    pattern: str
    line: int
    text: str
    reason: str = ""
    era: str | None = None
    transport: str | None = None
    level: str | None = None
    subject: str | None = None
    matched: int = 0
    failed: int = 0
    passed: int = 0

    def matches(self, check: Check, era: str, transport: str, subject: str | None = None) -> bool:
        return (
            fnmatch.fnmatchcase(check.id, self.pattern)
            and self.era in (None, era)
            and self.transport in (None, transport)
            and self.level in (None, check.level)
            and (self.subject is None or (subject is not None and fnmatch.fnmatchcase(subject, self.subject)))
        )

    @property
    def stale(self) -> bool:
        """Every check it names ran and passed: the known failure is fixed."""
        return self.passed > 0 and self.failed == 0


@dataclass
class Baseline:
    path: str
    entries: list[BaselineEntry] = field(default_factory=list)

    def find(self, check: Check, era: str, transport: str, subject: str | None = None) -> BaselineEntry | None:
        for entry in self.entries:
            if entry.matches(check, era, transport, subject):
                return entry
        return None

    def stale_entries(self) -> list[BaselineEntry]:
        return [entry for entry in self.entries if entry.stale]


PACKAGED: Final = Path(__file__).parent / "baselines"
"""The baselines of the reference servers, shipped with the plugin: ``--mcp-baseline=server-everything``."""


def packaged_baselines() -> list[str]:
    return sorted(path.stem for path in PACKAGED.glob("*.txt"))


def resolve_baseline(path: str | Path) -> Path:
    """A baseline file, or the packaged baseline of that name when no such file exists."""
    given = Path(path)
    if given.exists():
        return given
    packaged = PACKAGED / f"{given.stem if given.suffix == '.txt' else given.name}.txt"
    return packaged if packaged.is_file() else given


def parse_baseline(path: str | Path, known_ids: Iterable[str]) -> Baseline:
    """Read a baseline file (or a packaged one by name); ``ValueError`` (with the line number) on a
    line that cannot be right."""
    known = list(known_ids)
    path = resolve_baseline(path)
    baseline = Baseline(str(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(
            f"cannot read the baseline file {path}: {exc.strerror or exc} "
            f"(baselines shipped with the plugin, by name: {', '.join(packaged_baselines())})"
        ) from None
    for number, raw in enumerate(text.splitlines(), start=1):
        body, _, reason = raw.partition("#")
        words = body.split()
        if not words:
            continue
        entry = BaselineEntry(words[0], number, raw.strip(), reason=reason.strip())
        for word in words[1:]:
            key, sep, value = word.partition("=")
            if not sep or key not in QUALIFIERS:
                raise ValueError(
                    f"{path}:{number}: {word!r} is not a qualifier; use era=..., transport=..., level=... or "
                    "subject=... after the check id"
                )
            valid = QUALIFIERS[key]
            if (valid is not None and value not in valid) or not value:
                choices = ", ".join(valid) if valid is not None else "a name or URI"
                raise ValueError(f"{path}:{number}: {key}={value!r} is not one of {choices}")
            setattr(entry, key, value)
        if not any(fnmatch.fnmatchcase(check_id, entry.pattern) for check_id in known):
            close = difflib.get_close_matches(entry.pattern, known, n=3, cutoff=0.6)
            hint = (
                f" Did you mean {' or '.join(close)}?"
                if close
                else f" See {docs_url('suite/index.md')} for every check id."
            )
            raise ValueError(f"{path}:{number}: no check is called {entry.pattern!r}.{hint}")
        baseline.entries.append(entry)
    return baseline


def entry_line(check: Check, era: str, transport: str, subject: str | None = None) -> str:
    """The baseline line that accepts this one failure (the id, narrowed to the era, the transport
    and the subject, when its name fits in one word)."""
    line = f"{check.id} era={era} transport={transport}"
    if subject is not None and subject.split() == [subject] and "#" not in subject:
        line += f" subject={glob.escape(subject)}"  # a literal name, even with * ? [ in it
    return line
