"""Size limits of what the plugin writes out, and the one way it cuts text that is too long.

A server can write megabytes to stderr or answer a tool call with a 20 MB string; one failing test
must not turn that into a 50 MB terminal log, HTML report or JSONL file. Whatever goes out (a
report section, a transcript row, a JSONL file, an HTML extra) is cut to a limit
(``--mcp-report-limit``): its head and its tail are kept, where a log's start and its last words
usually are, and the middle is replaced by a line that says how much was cut and how to see more.

Cheap to import: the standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Final

DEFAULT_LIMIT: Final = 64 * 1024
"""Bytes per report section and per transcript row (``--mcp-report-limit``)."""
FILE_FACTOR: Final = 16
"""A JSONL file or an HTML extra may hold this many times the limit (1 MiB by default)."""
HINT: Final = "raise it with --mcp-report-limit"
_NOTICE_ROOM: Final = 80
"""Bytes kept free for the notice itself, so a cut text stays within its limit."""


def notice(cut: int, hint: str = HINT) -> str:
    """The words that stand in for the cut middle: ``… 49,998,211 bytes cut (raise it with ...) …``."""
    return f"… {cut:,} bytes cut ({hint}) …"


def file_limit(limit: int) -> int:
    """The cap of a whole JSONL file or HTML extra, for a per-section ``limit`` (0: none)."""
    return limit * FILE_FACTOR


def ends(size: int, limit: int) -> tuple[int, int] | None:
    """How many bytes of the head and of the tail to keep of ``size`` bytes; None if all fit."""
    if limit <= 0 or size <= limit:
        return None
    room = max(limit - _NOTICE_ROOM, 0)
    return room - room // 2, room // 2


def join(head: bytes, cut: int, tail: bytes, hint: str = HINT) -> str:
    """``head`` and ``tail`` (UTF-8, possibly split mid-character) around the notice, on its own line."""
    return f"{head.decode('utf-8', 'ignore')}\n{notice(cut, hint)}\n{tail.decode('utf-8', 'ignore')}"


def clip(text: str | bytes, limit: int, *, hint: str = HINT) -> str:
    """``text`` if it fits in ``limit`` bytes (UTF-8; 0 means no limit), else its head and tail around
    a notice of how many bytes were cut."""
    if isinstance(text, str):
        if limit <= 0 or len(text) * 4 <= limit:  # no character is longer than 4 bytes
            return text
        data = text.encode("utf-8", "replace")
    else:
        data = text
    kept = ends(len(data), limit)
    if kept is None:
        return text if isinstance(text, str) else data.decode("utf-8", "replace")
    head, tail = kept
    return join(data[:head], len(data) - head - tail, data[len(data) - tail :], hint)


def keep_ends(items: Sequence[str], limit: int, notice_for: Callable[[int, int], str]) -> list[str]:
    """Whole ``items`` (lines, table rows) from both ends that fit in ``limit`` bytes together, with
    ``notice_for(cut_items, cut_bytes)`` in place of the ones between (all of them if they fit)."""
    sizes = [len(item.encode("utf-8", "replace")) for item in items]
    if limit <= 0 or sum(sizes) <= limit:
        return list(items)
    budget = max(limit - _NOTICE_ROOM, 0) // 2
    first, used = 0, 0
    while first < len(items) and used + sizes[first] <= budget:
        used += sizes[first]
        first += 1
    last, used = len(items), 0
    while last > first and used + sizes[last - 1] <= budget:
        used += sizes[last - 1]
        last -= 1
    return [*items[:first], notice_for(last - first, sum(sizes[first:last])), *items[last:]]


def clip_payload(payload: Any, limit: int, size: int | None = None) -> Any:
    """A JSON-like ``payload`` whose JSON fits in about ``limit`` bytes: itself if it does, else a copy
    with its long strings clipped, else (many short parts) its clipped JSON text as one string.

    ``size`` is the length of ``json.dumps(payload)`` when the caller has it already.
    """
    if limit <= 0:
        return payload
    if size is None:
        size = len(json.dumps(payload, default=str))
    if size <= limit:
        return payload
    smaller = _clip_strings(payload, max(limit // 4, 1))
    text = json.dumps(smaller, default=str)
    if len(text) <= limit:
        return smaller
    return clip(json.dumps(payload, default=str), limit)


def _clip_strings(value: Any, limit: int) -> Any:
    if isinstance(value, str):
        return clip(value, limit)
    if isinstance(value, dict):
        return {key: _clip_strings(item, limit) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clip_strings(item, limit) for item in value]
    return value
