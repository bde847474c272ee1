"""Redaction of secrets before anything leaves the process (reports, JSONL files, messages)."""

from __future__ import annotations

import re
from typing import Any, Final

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
