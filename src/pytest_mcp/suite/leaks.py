"""Leak detectors: stack traces, secrets and sensitive file contents in anything a server replies.

The fuzz and security checks pass every reply (tool results, JSON-RPC error messages and data,
resource contents) through a ``LeakDetector``. It looks for

* stack traces of Python, Node.js, Java, Go and Rust programs;
* secrets: credential patterns (``pytest_mcp.redact.SECRET_VALUES`` plus a few more) and the values
  of secret-looking environment variables of the server process, when the plugin knows them;
* contents of system files that a path traversal must never reach (``/etc/passwd``, ``/etc/shadow``,
  ``win.ini``).

A match that also occurs in what the test sent is ignored: a server that echoes its input does not
leak anything. Findings never contain a secret's value, only where it was and which rule matched.

Pure Python (``re`` only), so it is cheap to import.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..redact import SECRET_VALUES, redact_text

__all__ = [
    "FILE_CONTENT_PATTERNS",
    "KINDS",
    "SECRET_ENV_NAME",
    "SECRET_PATTERNS",
    "STACK_TRACE_PATTERNS",
    "Leak",
    "LeakDetector",
    "process_env",
    "reply_texts",
    "secret_env_values",
    "server_env",
]

STACK_TRACE_PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("Python traceback", re.compile(r"Traceback \(most recent call last\):")),
    ("Python stack frame", re.compile(r'File "[^"\n]+", line \d+, in \S+')),
    (
        "Node.js stack frame",
        re.compile(r"^\s*at (?:async )?(?:[\w$.<>\[\] ]+ )?\(?(?:file://)?[^\s()]+:\d+:\d+\)?$", re.M),
    ),
    ("Java stack frame", re.compile(r"\bat (?:[\w$]+\.)+[\w$<>]+\((?:[\w$]+\.(?:java|kt|scala)|Native Method):?\d*\)")),
    ("Java uncaught exception", re.compile(r'Exception in thread "[^"]*" [\w$.]+')),
    ("Go panic", re.compile(r"goroutine \d+ \[[\w ,]+\]:")),
    ("Go stack frame", re.compile(r"^\s+/\S+\.go:\d+ \+0x[0-9a-f]+$", re.M)),
    ("Rust panic", re.compile(r"thread '[^'\n]*' panicked at ")),
)
"""Patterns that only stack traces produce (a frame with a file and line, or a runtime's panic header)."""

SECRET_PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("credential (bearer token, JWT, private key or API key)", SECRET_VALUES),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("OpenAI-style API key", re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}")),
    ("AWS secret access key", re.compile(r"aws_secret_access_key\s*[=:]\s*[A-Za-z0-9/+=]{40}", re.I)),
    ("password in a URL", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s:@]{3,}@[\w.-]+", re.I)),
)
"""Values that are credentials wherever they appear."""

FILE_CONTENT_PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("/etc/passwd contents", re.compile(r"\broot:[x*]?:0:0:")),
    ("/etc/passwd contents", re.compile(r"\b(?:daemon|bin|nobody):[x*]:\d+:\d+:")),
    ("/etc/shadow contents", re.compile(r"\broot:(?:\$\w+\$|[!*]{1,2}):\d*:")),
    ("win.ini contents", re.compile(r"^\[(?:fonts|extensions|mci extensions)\]\s*$", re.M | re.I)),
    ("/proc/self/environ contents", re.compile(r"(?:^|\x00)PATH=/[^\x00]*\x00")),
)
_HIDDEN_FILE_RULES: Final = frozenset({"/etc/shadow contents", "/proc/self/environ contents"})
"""File contents too sensitive to quote even in a failure report."""
"""Contents of files a path traversal payload must never reach."""

SECRET_ENV_NAME: Final = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|AUTH", re.I)
"""Environment variable names whose values are treated as secrets."""

MIN_ENV_SECRET_LENGTH: Final = 8
"""Shorter values (``1``, ``true``, ``none``) would match by chance and are not looked for."""

_NOT_SECRET_SHAPES: Final = re.compile(r"^(?:(?:/|~|\.{1,2}/)\S*|[a-z][a-z0-9+.-]*://[^@\s]*|[\d.:,-]+)$", re.I)
"""Paths, URLs without credentials and numbers: values of secret-looking variables (``XAUTHORITY``,
``AUTH_SERVER``) that a server may show for good reasons, and no secret has."""

_SECRET_NAME: Final = (
    r"api[_-]?key|apikey|secret|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|"
    r"refresh[_-]?token|bearer[_-]?token|password|passwd|pwd|private[_-]?key|db[_-]?password"
)
ASSIGNMENT: Final = re.compile(rf"(?i)(?<![\w-])(?:{_SECRET_NAME})[\"']?\s*[:=]\s*[\"']?([^\s\"',;(){{}}<>\[\]]{{8,}})")
"""``password=hunter2hunter2``, ``"api_key": "abc123..."`` in text: a secret given away with its name."""
SECRET_FIELD: Final = re.compile(rf"(?i)^(?:{_SECRET_NAME})$")
"""A JSON member whose name says it holds a secret (``{"password": "..."}``)."""
_PLACEHOLDER: Final = re.compile(
    r"(?i)^(?:[*x.#-]+|redacted|\[redacted\]|hidden|masked|none|null|nil|undefined|unset|empty|true|false|"
    r"changeme|placeholder|required|optional|string|your[_-]?\w*|example\w*|<.*>|\$\{.*\}|\{\{.*\}\}|«.*»)$"
)

KINDS: Final = ("stack trace", "file contents", "credential", "assignment", "environment")
"""What a scan can look for: stack traces, system file contents, credential patterns, secrets given
away with their name (``password=...``, ``{"api_key": ...}``), and the exact secret values it knows
(the server's secret-looking environment variables, the test's token)."""

_NOT_SECRET_VALUES: Final = frozenset({"true", "false", "none", "null", "undefined", "enabled", "disabled"})
_EXCERPT: Final = 60


@dataclass(frozen=True)
class Leak:
    """One finding: which kind of leak, which rule matched, where, and a safe excerpt."""

    kind: str
    """``"stack trace"``, ``"secret"`` or ``"file contents"``."""
    rule: str
    where: str
    excerpt: str
    """Text around the match; secret values are replaced by ``«secret»``."""

    def describe(self) -> str:
        return f"{self.kind} ({self.rule}) in {self.where}: {self.excerpt}"


def secret_env_values(env: Mapping[str, str]) -> dict[str, str]:
    """The variables of ``env`` whose name looks secret and whose value is long enough to look for."""
    found = {}
    for name, value in env.items():
        if not SECRET_ENV_NAME.search(name):
            continue
        if len(value) < MIN_ENV_SECRET_LENGTH or value.lower() in _NOT_SECRET_VALUES:
            continue
        if _NOT_SECRET_SHAPES.match(value):
            continue
        found[name] = value
    return found


def server_env(server: Any) -> dict[str, str]:
    """The environment the plugin gave the server (a ``RunningServer``), or ``{}`` when unknown.

    In-process and ASGI servers share the test process's ``os.environ``; a started process's
    environment is read from ``/proc/<pid>/environ`` where that exists, else rebuilt from the target
    the way the plugin built it; a server reached by URL runs elsewhere, so nothing is known.
    """
    kind = getattr(server, "kind", "")
    if kind in ("in_process", "asgi"):
        return dict(os.environ)
    process = getattr(server, "process", None)
    if process is None:
        return {}
    found = process_env(process.pid)
    return _rebuilt_env(server) if found is None else found


def process_env(pid: int) -> dict[str, str] | None:
    """The environment of a running process from ``/proc/<pid>/environ``; None where that cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    pairs = (item.partition(b"=") for item in raw.split(b"\x00") if item)
    return {key.decode("utf-8", "replace"): value.decode("utf-8", "replace") for key, _, value in pairs}


def _rebuilt_env(server: Any) -> dict[str, str]:
    from ..server.process import build_env

    target = server.target
    inherit = target.inherit_env if target.inherit_env is not None else server.settings.env == "inherit"
    return build_env(target.env, inherit=inherit)


def reply_texts(value: Any, where: str = "reply") -> Iterator[tuple[str, str]]:
    """``(where, text)`` for every string inside a reply: results, errors, content blocks, nested data.

    Accepts pydantic models (SDK results), exceptions (their message and ``data``), mappings,
    sequences and scalars. Base64 ``blob`` / ``data`` fields are decoded when they hold text.
    """
    yield from _walk(value, where, depth=0)


def _walk(value: Any, where: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > 20 or value is None or isinstance(value, bool | int | float):
        return
    if isinstance(value, str):
        yield where, value
        return
    if isinstance(value, bytes):
        yield where, value.decode("utf-8", "replace")
        return
    if isinstance(value, BaseException):
        yield where, str(value)
        error = getattr(value, "error", None)
        data = getattr(error, "data", None) if error is not None else None
        if data is not None:
            yield from _walk(data, f"{where}.data", depth + 1)
        return
    if hasattr(value, "model_dump"):
        value = value.model_dump(by_alias=True, exclude_none=True, mode="json")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in ("blob", "data") and isinstance(item, str):
                decoded = _maybe_base64_text(item)
                if decoded is not None:
                    yield f"{where}.{key} (decoded)", decoded
            yield from _walk(item, f"{where}.{key}", depth + 1)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, f"{where}[{index}]", depth + 1)


def _maybe_base64_text(text: str) -> str | None:
    import base64
    import binascii

    if len(text) < 8 or len(text) > 4_000_000:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    decoded = raw.decode("utf-8", "replace")
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in decoded)
    return decoded if decoded and printable / len(decoded) > 0.9 else None


class LeakDetector:
    """Scan replies for leaks; ``env`` is the server's environment (see ``server_env``) if known."""

    def __init__(self, env: Mapping[str, str] | None = None, *, extra_secrets: Iterable[str] = ()) -> None:
        self.env_secrets = secret_env_values(env or {})
        self.extra_secrets = tuple(secret for secret in extra_secrets if secret)

    def scan_text(self, text: str, where: str = "reply", sent: str = "", kinds: Iterable[str] = KINDS) -> list[Leak]:
        """Findings in one string; matches that also occur in ``sent`` (the request) are ignored.

        ``kinds`` (a subset of ``KINDS``) says what to look for.
        """
        kinds = frozenset(kinds)
        leaks: list[Leak] = []
        for kind, patterns in (("stack trace", STACK_TRACE_PATTERNS), ("file contents", FILE_CONTENT_PATTERNS)):
            if kind not in kinds:
                continue
            for rule, pattern in patterns:
                for match in pattern.finditer(text):
                    if match.group(0) and match.group(0) not in sent:
                        hide = rule in _HIDDEN_FILE_RULES
                        leaks.append(Leak(kind, rule, where, _excerpt(text, match.start(), match.end(), hide=hide)))
                        break
        if "credential" in kinds:
            leaks.extend(self._credentials(text, where, sent))
        if "assignment" in kinds:
            leaks.extend(_assignments(text, where, sent))
        if "environment" in kinds:
            leaks.extend(self._known_secrets(text, where, sent))
        return _dedupe(leaks)

    def _credentials(self, text: str, where: str, sent: str) -> list[Leak]:
        leaks = []
        for rule, pattern in SECRET_PATTERNS:
            for match in pattern.finditer(text):
                if match.group(0) not in sent:
                    leaks.append(Leak("secret", rule, where, _excerpt(text, match.start(), match.end(), hide=True)))
                    break
        return leaks

    def _known_secrets(self, text: str, where: str, sent: str) -> list[Leak]:
        leaks = []
        for name, value in self.env_secrets.items():
            position = text.find(value)
            if position >= 0 and value not in sent:
                rule = f"value of the server's environment variable {name}"
                leaks.append(Leak("secret", rule, where, _excerpt(text, position, position + len(value), hide=True)))
        for secret in self.extra_secrets:
            position = text.find(secret)
            if position >= 0 and secret not in sent:
                leaks.append(
                    Leak(
                        "secret",
                        "a credential the test holds",
                        where,
                        _excerpt(text, position, position + len(secret), hide=True),
                    )
                )
        return leaks

    def redact(self, text: str) -> str:
        """``text`` with every secret this detector knows (and credential patterns) replaced."""
        return redact_text(text, (*self.env_secrets.values(), *self.extra_secrets))

    def scan(self, reply: Any, sent: Any = None, where: str = "reply", kinds: Iterable[str] = KINDS) -> list[Leak]:
        """Findings anywhere in a reply (result, exception, mapping ...); ``sent`` is the request's payload."""
        sent_text = _as_text(sent)
        kinds = tuple(kinds)
        leaks: list[Leak] = []
        for place, text in reply_texts(reply, where):
            leaks.extend(self.scan_text(text, place, sent_text, kinds))
        return _dedupe(leaks)


def _is_secret_value(value: str, sent: str) -> bool:
    return (
        len(value) >= MIN_ENV_SECRET_LENGTH
        and len(set(value)) > 2
        and not _PLACEHOLDER.match(value)
        and not _NOT_SECRET_SHAPES.match(value)
        and value not in sent
    )


def _assignments(text: str, where: str, sent: str) -> list[Leak]:
    """``password=...`` in text, or any text under a member named like a secret (``....password``)."""
    field = re.sub(r"\[\d+\]$", "", where.rsplit(".", 1)[-1])
    if SECRET_FIELD.match(field) and _is_secret_value(text.strip(), sent):
        return [Leak("secret", f"a value under the member {field!r}", where, repr("«secret»"))]
    for match in ASSIGNMENT.finditer(text):
        if _is_secret_value(match.group(1), sent):
            name = match.group(0).split(match.group(1))[0].strip(" :='\"")
            return [Leak("secret", f"a secret given with its name ({name})", where, repr("«secret»"))]
    return []


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str) + "\n" + json.dumps(value, default=str)
    except (TypeError, ValueError):
        return str(value)


def _excerpt(text: str, start: int, end: int, *, hide: bool = False) -> str:
    before = text[max(0, start - _EXCERPT // 2) : start]
    if hide:
        return repr("«secret»")
    middle = text[start:end][:_EXCERPT]
    after = text[end : end + _EXCERPT // 2]
    return repr(redact_text(before + middle + after))


def _dedupe(leaks: list[Leak]) -> list[Leak]:
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for leak in leaks:
        key = (leak.kind, leak.rule if leak.kind == "secret" else "", leak.where)
        if key not in seen:
            seen.add(key)
            unique.append(leak)
    return unique
