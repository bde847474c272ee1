"""Evidence in a check's report: any JSON value or bytes as one line of text, cut to a readable length."""

from __future__ import annotations

import json
from typing import Any, Final

__all__ = ["SHOWN_CHARS", "shorten"]

SHOWN_CHARS: Final = 1200


def shorten(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A JSON value or bytes as one line of text, cut to ``limit`` characters."""
    if isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    text = text.replace("\r\n", "\n").replace("\n", "⏎")
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"
