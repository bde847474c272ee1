"""The wire transcript: every JSON-RPC message a test exchanged, in order, with timing.

Messages are stored as they were seen and redacted only when rendered or written out, so
recording stays cheap on the hot path: ``add`` appends a plain tuple, and the ``TranscriptMessage``
objects are built the first time somebody reads ``messages`` (most transcripts of passing tests
are never read).

Recorded messages are kept out of Python's cyclic garbage collector: the newest few as they are,
and every ``_PACK_EVERY`` of them as one ``marshal`` snapshot (bytes), unpacked into fresh copies
when read. Payload dicts and lists kept alive for a whole test are traced by every collection
they survive, and their numbers trigger full collections of the whole heap (in a long run, that
cost more than all the rest of recording); bytes are not traced at all. A payload that is not
plain data (an object marshal refuses) is kept as the object itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from marshal import dumps as _pack
from marshal import loads as _unpack
from pathlib import Path
from time import perf_counter
from typing import Any, Final, Literal

from .. import _limits
from ..redact import redact

__all__ = ["Transcript", "TranscriptMessage"]

Direction = Literal["->", "<-"]
"""``->`` client to server, ``<-`` server to client."""
Kind = Literal["request", "response", "error", "notification", "event"]

_PREVIEW_CHARS: Final = 160
_PACK_EVERY: Final = 32
"""Messages packed together (few enough that most die young, enough to pack cheaply)."""


@dataclass(slots=True)  # one per message of every client: no __dict__, no frozen-init cost
class TranscriptMessage:
    """One message (or transport event) of a conversation."""

    direction: Direction
    kind: Kind
    method: str | None
    id: int | str | None
    payload: Any
    time: float
    """Seconds since the transcript started."""
    elapsed: float | None = None
    """For responses and errors: seconds since the matching request."""
    note: str = ""

    def as_dict(self, secrets: tuple[str, ...] = (), *, limit: int = 0) -> dict[str, Any]:
        """The message as one JSONL row; with a ``limit``, a payload whose JSON is longer is cut to
        about that many bytes (``size`` still says how long it was)."""
        payload = redact(self.payload, secrets)
        size = len(json.dumps(payload, default=str))
        data: dict[str, Any] = {
            "t": round(self.time, 6),
            "dir": self.direction,
            "kind": self.kind,
            "method": self.method,
            "id": self.id,
            "size": size,
            "payload": _limits.clip_payload(payload, limit, size),
        }
        if self.elapsed is not None:
            data["elapsed_ms"] = round(self.elapsed * 1000, 3)
        if self.note:
            data["note"] = self.note
        return data

    def render(self, secrets: tuple[str, ...] = (), *, full: bool = False, limit: int = 0) -> str:
        data = self.as_dict(secrets)
        body = json.dumps(data["payload"], default=str, ensure_ascii=False)
        if not full and len(body) > _PREVIEW_CHARS:
            body = body[:_PREVIEW_CHARS] + f"… ({data['size']} bytes)"
        body = _limits.clip(body, limit)
        head = f"{self.time * 1000:9.1f} ms {self.direction} {self.kind:<12}"
        label = " ".join(part for part in (self.method or "", f"id={self.id}" if self.id is not None else "") if part)
        timing = f" [{self.elapsed * 1000:.1f} ms]" if self.elapsed is not None else ""
        note = f" ({self.note})" if self.note else ""
        return f"{head} {label}{timing}{note}: {body}"


@dataclass
class Transcript:
    """An ordered record of one client's traffic (one per ``mcp_client``)."""

    label: str = ""
    secrets: tuple[str, ...] = ()
    """Extra exact values to hide (tokens given on the command line, for example)."""
    _start: float = field(default_factory=perf_counter)
    _messages: list[TranscriptMessage] = field(default_factory=list, repr=False)
    _packed: list[bytes] = field(default_factory=list, repr=False)
    """The oldest unread messages (recorded since ``messages`` was last read), ``_PACK_EVERY`` per
    snapshot of their ``TranscriptMessage`` arguments."""
    _rows: list[tuple[Any, ...]] = field(default_factory=list, repr=False)
    """The newest unread messages (fewer than ``_PACK_EVERY``), as ``TranscriptMessage`` arguments."""

    @property
    def messages(self) -> list[TranscriptMessage]:
        """Every message so far, oldest first (a list the caller may trim or clear)."""
        if self._rows or self._packed:
            self._build()
        return self._messages

    def _build(self) -> None:
        """Turn the unread rows, packed and not, into ``TranscriptMessage``s."""
        for snapshot in self._packed:
            self._messages.extend([TranscriptMessage(*row) for row in _unpack(snapshot)])
        self._messages.extend([TranscriptMessage(*row) for row in self._rows])
        self._packed.clear()
        self._rows.clear()

    def now(self) -> float:
        return perf_counter() - self._start

    def add(
        self,
        direction: Direction,
        kind: Kind,
        method: str | None,
        id: int | str | None,
        payload: Any,
        *,
        elapsed: float | None = None,
        note: str = "",
    ) -> None:
        rows = self._rows
        rows.append((direction, kind, method, id, payload, perf_counter() - self._start, elapsed, note))
        if len(rows) >= _PACK_EVERY:
            self._pack()

    def _pack(self) -> None:
        try:
            self._packed.append(_pack(self._rows))
        except ValueError:  # a payload that is not plain data: keep the objects, as messages
            self._build()
            return
        self._rows.clear()

    def __iter__(self) -> Iterator[TranscriptMessage]:
        return iter(self.messages)

    def __len__(self) -> int:
        return len(self._messages) + _PACK_EVERY * len(self._packed) + len(self._rows)

    def requests(self, method: str | None = None) -> list[TranscriptMessage]:
        """The requests sent, optionally only those of one method."""
        return [m for m in self.messages if m.kind == "request" and (method is None or m.method == method)]

    def render(self, last: int | None = None, *, full: bool = False, limit: int = 0) -> str:
        """One line per message (the ``last`` few, or all); with a ``limit``, each line and the whole
        text are cut to that many bytes, keeping head and tail."""
        shown = self.messages if not last else self.messages[-last:]
        lines = [m.render(self.secrets, full=full, limit=limit) for m in shown]
        skipped = len(self.messages) - len(shown)
        if skipped:
            lines.insert(0, f"… {skipped} earlier messages (use -v to show all)")
        return _limits.clip("\n".join(lines), limit) if lines else "(no messages)"

    def to_jsonl(self, limit: int = 0) -> str:
        """One JSON object a line. With a ``limit``, each row's payload is cut to about ``limit``
        bytes, and the whole text to ``_limits.file_limit(limit)``: rows from both ends are kept,
        and one ``{"cut": {"rows": N, "bytes": B}, "note": ...}`` row stands for those between."""
        rows = [json.dumps(m.as_dict(self.secrets, limit=limit), default=str) + "\n" for m in self.messages]
        return "".join(_limits.keep_ends(rows, _limits.file_limit(limit), _cut_row))

    def write_jsonl(self, path: str | Path, limit: int = 0) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.to_jsonl(limit), encoding="utf-8")
        return target


def _cut_row(rows: int, size: int) -> str:
    """The JSONL row that stands for the rows cut from the middle of a transcript file."""
    return json.dumps({"cut": {"rows": rows, "bytes": size}, "note": _limits.notice(size)}, ensure_ascii=False) + "\n"
