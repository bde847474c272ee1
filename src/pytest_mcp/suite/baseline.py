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

An entry can pin the failure it accepts: ``code=-32603`` (the JSON-RPC error code in the failure's
evidence; ``code=0,-32603``: either) and/or ``fails="*plain error*"`` (a glob over the finding, quoted when it has spaces).
A pinned check that fails differently is reported as a new failure showing both texts; every
failure report prints its pinned line to copy.
"""

from __future__ import annotations

import difflib
import fnmatch
import glob
import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from .._docs import docs_url
from .registry import ERAS, LEVELS, TRANSPORTS, Check

__all__ = ["Baseline", "BaselineEntry", "entry_line", "failure_codes", "failure_pin", "parse_baseline"]

QUALIFIERS: Final = {
    "era": ERAS,
    "transport": TRANSPORTS,
    "level": LEVELS,
    "subject": None,
    "code": None,
    "fails": None,
}
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
    code: str | None = None
    """The JSON-RPC error code(s) the accepted failure shows (``code=-32603``, ``code=0,-32603``), or None: any."""
    fails: str | None = None
    """A glob the accepted failure's finding matches (``fails="*code 0*"``), or None: any."""
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
    def pinned(self) -> bool:
        return self.code is not None or self.fails is not None

    def accepts(self, found: str, received: Any = None) -> bool:
        """Whether a failure (its finding and evidence) is the one this entry pins (any, when unpinned)."""
        if self.code is not None and not {int(c) for c in self.code.split(",")} & failure_codes(found, received):
            return False
        return self.fails is None or fnmatch.fnmatchcase(found.lower(), self.fails.lower())

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
        try:
            words = shlex.split(body)
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc} (quote a fails= glob with spaces in double quotes)") from None
        if not words:
            continue
        entry = BaselineEntry(words[0], number, raw.strip(), reason=reason.strip())
        for word in words[1:]:
            key, sep, value = word.partition("=")
            if not sep or key not in QUALIFIERS:
                raise ValueError(
                    f"{path}:{number}: {word!r} is not a qualifier; use era=..., transport=..., level=..., "
                    "subject=..., code=... or fails=... after the check id"
                )
            if key == "code" and not re.fullmatch(r"-?\d+(,-?\d+)*", value):
                raise ValueError(
                    f"{path}:{number}: code={value!r} is not a JSON-RPC error code (an integer, or a comma list)"
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


CODE_IN_TEXT: Final = re.compile(r"\b(?:error|code)(?:\s+is)?\s+(-?\d+)\b")
CODE_IN_JSON: Final = re.compile(r'"code"\s*:\s*(-?\d+)')


def failure_codes(found: str, received: Any = None) -> set[int]:
    """The JSON-RPC error codes a failure shows: named in its finding ("error -32603", "code 0") or
    carried by the reply it shows as evidence."""
    codes = {int(code) for code in CODE_IN_TEXT.findall(found)}
    if received is not None:
        text = received if isinstance(received, str) else json.dumps(received, default=str)
        codes.update(int(code) for code in CODE_IN_JSON.findall(text))
    return codes


def failure_pin(found: str, received: Any = None) -> str:
    """The qualifier that pins this failure: its error code when it shows exactly one, else a glob of the
    start of its finding."""
    codes = failure_codes(found, received)
    if len(codes) == 1:
        return f"code={codes.pop()}"
    head = re.sub(r"[\[\]*?\"\\#]", "?", " ".join(found.split())[:60])
    return f'fails="{head}*"'


def _entry_of(value: str, baselines: dict[str, Baseline]) -> BaselineEntry | None:
    """The entry a ``failed:LINE:PATH`` baseline property names."""
    state, _, rest = value.partition(":")
    line, _, path = rest.partition(":")
    baseline = baselines.get(path)
    if state != "failed" or baseline is None or not line.isdigit():
        return None
    return next((entry for entry in baseline.entries if entry.line == int(line)), None)


def changed_failure(error: BaseException | None, properties: Any, baselines: dict[str, Baseline]) -> str | None:
    """For a baselined failure (``error``: the xfail, raised while handling the check's failure): the
    report of a new failure when it is not the one its pinned entry accepts, else None."""
    from .context import CheckFailed

    failure = error.__context__ if error is not None else None
    if not isinstance(failure, CheckFailed):
        return None
    for key, value in properties:
        entry = _entry_of(str(value), baselines) if key == "mcp_baseline_entry" else None
        if entry is None or entry.accepts(failure.found, failure.received):
            continue
        pins = " ".join(f"{name}={getattr(entry, name)}" for name in ("code", "fails") if getattr(entry, name))
        words = [word for word in shlex.split(entry.text.partition("#")[0]) if not word.startswith(("code=", "fails="))]
        return "\n".join(
            [
                f"the check fails differently from what its baseline entry accepts ({entry.text!r}): a new failure.",
                f"Accepted: {pins}",
                f"Now:      {failure.found}",
                *([f"Received: {shorten_evidence(failure.received)}"] if failure.received is not None else []),
                "If the new failure is expected, pin it instead:",
                f"    {' '.join(words)} {failure_pin(failure.found, failure.received)}",
            ]
        )
    return None


def pin_hint(error: BaseException | None) -> str | None:
    """The pinned form of the baseline line a failure report prints (its last line), or None."""
    from .context import CheckFailed

    if not isinstance(error, CheckFailed) or not error.args:
        return None
    last = str(error.args[0]).rstrip().splitlines()[-1].strip()
    if " era=" not in last or " transport=" not in last:
        return None
    pin = failure_pin(error.found, error.received)
    return f"To accept only this failure (a different one is then reported as new), pin it:\n    {last} {pin}"


def shorten_evidence(value: Any) -> str:
    from .context import shorten

    return shorten(value, 400)
