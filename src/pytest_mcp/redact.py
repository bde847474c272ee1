"""Redaction of secrets before anything leaves the process (reports, JSONL files, messages).

Two layers hide a secret:

* patterns: values that are secrets wherever they appear (``SECRET_VALUES``: bearer credentials,
  JWTs, private keys, well-known API key shapes), and mapping members whose name says they hold one
  (``SECRET_KEYS``);
* known values: every secret the plugin was given or made is registered in a ``SecretRegistry``
  and hidden verbatim wherever it appears, in its JSON- and HTML-escaped spellings too, and for
  token-like secrets even cut into pieces (pytest shortens long values: ``'eyJhbGciOiJS...tmtvQ'``).

Where secrets are registered (see docs/reports.md, "Secrets"):

* ``SECRETS``, one process-global registry, for secrets that library code meets without a pytest
  config at hand: tokens passed to ``connect(token=...)`` (the ``mcp_client`` marker, factory and
  fixtures), every token a ``TokenIssuer`` mints and every client secret it issues (also issuers a
  test builds itself), secret-named header and environment values of targets (``stdio(env=...)``,
  ``http(headers=...)``, ``spawn_http(...)``, ``asgi(headers=...)``). A process-global registry
  is the only place such code can reach; it is per process, so per xdist worker, and it only ever
  makes reports hide more. It keeps the newest ``MAX_SECRETS`` values.
* ``session_secrets(config)``, one registry per pytest session in ``config.stash``, chained to the
  global one: secrets from the configuration (``--mcp-auth-token`` / ``mcp_auth_token``), and any
  a conftest.py adds with ``session_secrets(config).add(value)``.

``session_secrets(config).redactor()`` is the one redactor every channel uses. It is built lazily
and cached until a secret is added, so tests that report nothing never pay for it.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import pytest

REDACTED: Final = "«redacted»"

SECRET_KEYS: Final = re.compile(
    r"(authorization|cookie|token|secret|password|passwd|api[_-]?key|apikey|private[_-]?key|client[_-]?secret)",
    re.IGNORECASE,
)
"""Mapping keys whose values are always hidden, whatever they look like."""

SECRET_VALUES: Final = re.compile(
    r"(?:Bearer\s+[A-Za-z0-9._~+/=-]{8,})"  # bearer credentials
    r"|(?:eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)"  # JWTs
    r"|(?:-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----)"
    r"|(?:\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,})"  # payment-style API keys
    r"|(?:\bgh[pousr]_[A-Za-z0-9]{20,})"  # GitHub tokens
    r"|(?:\bAKIA[0-9A-Z]{16}\b)"  # AWS access key ids
)
"""Values that are secrets wherever they appear, even inside free text."""

SECRET_NAME: Final = re.compile(
    r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|AUTH|COOKIE", re.IGNORECASE
)
"""Header and environment variable names whose values are registered as secrets
(``Authorization``, ``Cookie``, ``X-Api-Key``, ``GITHUB_TOKEN``, ``DB_PASSWORD`` ...)."""

MIN_SECRET: Final = 6
"""Shorter values are not registered: hiding every ``abc`` of a report would garble it, not protect it."""
MIN_FRAGMENT: Final = 8
"""Pieces of token-like secrets at least this long are hidden too."""
MAX_SECRETS: Final = 10_000
"""Values each registry keeps (the newest): a run minting tokens in a loop stays bounded."""
_FRAGMENT_SOURCES: Final = 512
"""Newest token-like secrets whose pieces are looked for (pieces come from the test at hand)."""

_NOT_SECRETS: Final = frozenset({"true", "false", "none", "null", "undefined", "enabled", "disabled", "bearer"})
_TOKEN_LIKE: Final = re.compile(r"[A-Za-z0-9._~+/=-]{24,}")
_RUN: Final = re.compile(rf"[A-Za-z0-9_-]{{{MIN_FRAGMENT},}}")
_PLAIN_URL: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^@\s]*$")
"""A URL without credentials in it (``OAUTH_ISSUER_URL=http://127.0.0.1:8000``) is not a secret."""
_SCHEME: Final = re.compile(r"^(?:Bearer|Basic|Token|Digest|DPoP)\s+(\S+)$", re.IGNORECASE)


def redact_text(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """Hide credentials in a string (and any exact ``extra_secrets`` values, such as a CLI token)."""
    for secret in extra_secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return SECRET_VALUES.sub(REDACTED, text)


def redact(value: Any, extra_secrets: tuple[str, ...] = ()) -> Any:
    """A deep copy of a JSON-like value with secrets replaced; the input is left untouched."""
    if isinstance(value, dict):
        return {
            key: (
                REDACTED
                if isinstance(key, str) and SECRET_KEYS.search(key) and isinstance(item, str | bytes) and item
                else redact(item, extra_secrets)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item, extra_secrets) for item in value]
    if isinstance(value, str):
        return redact_text(value, extra_secrets)
    return value


class Redactor:
    """Hides a fixed set of known secrets (and ``SECRET_VALUES``) in text, values and pytest reports."""

    def __init__(self, secrets: Iterable[str], fragment_sources: Iterable[str] = ()) -> None:
        spellings: set[str] = set()
        for secret in secrets:
            spellings.update((secret, json.dumps(secret)[1:-1], html.escape(secret)))
        self.secrets: tuple[str, ...] = tuple(sorted(spellings, key=len, reverse=True))
        """Every known secret, longest first (a token before its own signature)."""
        self._haystack = "\n".join(fragment_sources)

    def text(self, value: str) -> str:
        """``value`` with every known secret, credential pattern and piece of a token hidden."""
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        value = SECRET_VALUES.sub(REDACTED, value)
        if self._haystack:
            haystack = self._haystack
            value = _RUN.sub(lambda match: REDACTED if match.group() in haystack else match.group(), value)
        return value

    def value(self, value: Any) -> Any:
        """A deep copy of a JSON-like value with secrets (and members named like secrets) hidden."""
        if isinstance(value, dict):
            return {
                key: (
                    REDACTED
                    if isinstance(key, str) and SECRET_KEYS.search(key) and isinstance(item, str | bytes) and item
                    else self.value(item)
                )
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def report(self, report: pytest.TestReport, *, properties: bool = True) -> None:
        """Redact ``report`` in place: its longrepr (every string of pytest's traceback
        representation, which the terminal, JUnit XML and pytest-html all render from), its
        sections (captured output, MCP transcripts, server stderr) and, with ``properties``, its
        user properties (JUnit ``<property>`` values)."""
        if report.longrepr is not None:
            report.longrepr = self._walk(report.longrepr, set())
        if report.sections:
            report.sections = [(self.text(title), self.text(content)) for title, content in report.sections]
        if properties and report.user_properties:
            report.user_properties = [
                (name, self.text(prop) if isinstance(prop, str) else prop) for name, prop in report.user_properties
            ]

    def _walk(self, value: Any, seen: set[int]) -> Any:
        # pytest's traceback representations are plain (mutable) dataclasses, lists and tuples of
        # strings; they are walked generically, without importing pytest's private modules.
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self._walk(item, seen) for item in value]
        if isinstance(value, tuple):
            return tuple(self._walk(item, seen) for item in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if id(value) in seen:  # the same entry is reachable from a chain and from the outer repr
                return value
            seen.add(id(value))
            names = {item.name for item in dataclasses.fields(value)}
            # ``ReprTracebackNative`` and a few others keep state outside their declared fields.
            names |= {name for name in ("reprentries", "extraline", "lines", "chain") if hasattr(value, name)}
            for name in sorted(names):
                current = getattr(value, name, None)
                walked = self._walk(current, seen)
                if walked is not current:
                    try:
                        setattr(value, name, walked)
                    except dataclasses.FrozenInstanceError:
                        object.__setattr__(value, name, walked)
        return value


class SecretRegistry:
    """Known secret values (thread-safe; the newest ``MAX_SECRETS`` are kept).

    ``parent``: a registry whose secrets count as this one's too (a session's registry is chained
    to the process-global ``SECRETS``).
    """

    def __init__(self, parent: SecretRegistry | None = None) -> None:
        self._parent = parent
        self._values: deque[str] = deque(maxlen=MAX_SECRETS)
        self._known: set[str] = set()
        self._fragment_sources: deque[str] = deque(maxlen=_FRAGMENT_SOURCES)
        self._lock = threading.Lock()
        self._version = 0
        self._cached: tuple[tuple[int, ...], Redactor] | None = None

    def add(self, value: str | None) -> None:
        """Register one secret value (too short or empty values are ignored)."""
        if not isinstance(value, str) or len(value) < MIN_SECRET or value.lower() in _NOT_SECRETS:
            return
        with self._lock:
            if value in self._known:
                return
            if len(self._values) == self._values.maxlen:
                self._known.discard(self._values[0])
            self._values.append(value)
            self._known.add(value)
            if _TOKEN_LIKE.fullmatch(value) and any(char.isdigit() for char in value):  # not a host name
                self._fragment_sources.append(value)
            self._version += 1

    def add_token(self, token: str | None) -> None:
        """Register a bearer token, and on its own the signature of a JWT (it is often shown alone)."""
        if not token:
            return
        self.add(token)
        parts = token.split(".")
        if len(parts) == 3 and len(parts[2]) >= MIN_FRAGMENT:
            self.add(parts[2])

    def add_named(self, items: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        """Register the values of the headers or environment variables whose names look secret
        (``SECRET_NAME``); for ``Authorization: Bearer X`` both the whole value and ``X``."""
        pairs = items.items() if isinstance(items, Mapping) else items
        for name, value in pairs:
            if not isinstance(value, str) or not SECRET_NAME.search(str(name)):
                continue
            credential = _SCHEME.match(value.strip())
            if credential:
                self.add_token(credential.group(1))
            if not (value.startswith("/") or value.isdigit() or _PLAIN_URL.match(value)):  # paths, numbers, URLs
                self.add(value)

    def values(self) -> tuple[str, ...]:
        """Every registered secret, this registry's and its parent's."""
        with self._lock:
            own = tuple(self._values)
        return own + (self._parent.values() if self._parent is not None else ())

    def _fragments(self) -> tuple[str, ...]:
        with self._lock:
            own = tuple(self._fragment_sources)
        return own + (self._parent._fragments() if self._parent is not None else ())

    def _versions(self) -> tuple[int, ...]:
        return (self._version, *(self._parent._versions() if self._parent is not None else ()))

    def redactor(self) -> Redactor:
        """The redactor of every secret known now (cached until one is added)."""
        versions = self._versions()
        cached = self._cached
        if cached is None or cached[0] != versions:
            cached = self._cached = (versions, Redactor(self.values(), self._fragments()))
        return cached[1]


SECRETS: Final = SecretRegistry()
"""The process-global registry (see the module docstring for what goes here, and why)."""


def register_secret(value: str | None) -> None:
    """Hide ``value`` (a token, password, API key ...) in everything pytest_mcp writes from now on."""
    SECRETS.add_token(value)


def session_secrets(config: pytest.Config) -> SecretRegistry:
    """The registry of this pytest session (created on first use, chained to ``SECRETS``)."""
    from .stash_keys import SECRETS_KEY

    registry = config.stash.get(SECRETS_KEY, None)
    if registry is None:
        registry = config.stash[SECRETS_KEY] = SecretRegistry(parent=SECRETS)
        for name in ("mcp_auth_token",):
            registry.add_token(_configured(config, name))
    return registry


def _configured(config: pytest.Config, name: str) -> str | None:
    """The value of option ``--mcp-...`` or ini key ``name``, if that option exists and is set."""
    value = config.getoption(name, default=None)
    if value is None:
        try:
            value = config.getini(name)
        except ValueError:  # the feature plugin that declares it is disabled
            return None
    return str(value).strip() or None if value else None
