"""Values that tool results hand back (ids, URIs, fields), kept so later calls of a sequence can reuse them.

A ``ValuePool`` harvests the scalar fields of each result's ``structuredContent`` (and the URIs of
its resource links) under their field names; ``candidates(parameter)`` names the values that fit a
parameter of a later call: the same name (``assignment_id`` ← ``assignment_id``), an ``…_id``
parameter fed by an ``id`` field, a ``…uri`` parameter fed by any URI. Each value remembers the
step that produced it, so a "not found" for it can be judged against what happened since.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["DELETE_WORDS", "PooledValue", "ValuePool", "is_delete_like", "says_not_found"]

DELETE_WORDS: Final = ("delete", "remove", "destroy", "purge", "drop", "clear", "reset", "revoke", "archive")
"""Words in a tool name that make it delete-like: after it, an earlier id may rightly be unknown."""
_NOT_FOUND: Final = re.compile(r"\b(not[ _-]?found|unknown|no such|does not exist|doesn't exist)\b", re.I)
_MAX_VALUES: Final = 32
"""Values kept per field name (the newest ones)."""
_MAX_DEPTH: Final = 3


@dataclass(frozen=True)
class PooledValue:
    """One value a result returned: where it came from (step and field) and the value."""

    step: int
    field: str
    value: Any
    path: tuple[str | int, ...] = ()
    """Where the value sits in the step's ``structuredContent`` (empty for a resource link's URI)."""


@dataclass
class ValuePool:
    """The values earlier steps returned, by field name."""

    by_field: dict[str, list[PooledValue]] = field(default_factory=dict)

    def harvest(self, step: int, structured: Any, content: list[Any] | None = None) -> None:
        """Keep the scalar fields of ``structured`` (nested objects and lists too) and resource-link URIs."""
        for path, value in _scalars(structured, _MAX_DEPTH, ()):
            self._keep(PooledValue(step, str(path[-1]), value, path))
        for block in content or []:
            uri = getattr(block, "uri", None)
            if getattr(block, "type", "") in ("resource_link", "resource") and uri is not None:
                self._keep(PooledValue(step, "uri", str(uri)))

    def _keep(self, item: PooledValue) -> None:
        kept = self.by_field.setdefault(item.field, [])
        kept[:] = [old for old in kept if old.value != item.value][-(_MAX_VALUES - 1) :]
        kept.append(item)

    def candidates(self, parameter: str, schema: Mapping[str, Any] | None = None) -> list[PooledValue]:
        """Values that fit ``parameter`` (by name, or by format ``uri``), newest last."""
        names = _fitting_fields(parameter, schema or {})
        found = [item for name in names for item in self.by_field.get(name, ())]
        return sorted(found, key=lambda item: item.step)


def _fitting_fields(parameter: str, schema: Mapping[str, Any]) -> list[str]:
    lowered = parameter.lower()
    names = [parameter]
    if lowered.endswith(("_id", "id")) and lowered != "id":
        names.append("id")
    if lowered.endswith("uri") or schema.get("format") in ("uri", "uri-reference"):
        names.append("uri")
    return list(dict.fromkeys(names))


def _scalars(node: Any, depth: int, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], Any]]:
    """``(path, value)`` of the string and integer fields of ``node``, nested up to ``depth`` levels."""
    found: list[tuple[tuple[str | int, ...], Any]] = []
    if depth < 0:
        return found
    if isinstance(node, Mapping):
        for key, value in node.items():
            if isinstance(value, str | int) and not isinstance(value, bool):
                found.append(((*path, str(key)), value))
            else:
                found.extend(_scalars(value, depth - 1, (*path, str(key))))
    elif isinstance(node, list):
        for index, item in enumerate(node[:_MAX_VALUES]):
            found.extend(_scalars(item, depth - 1, (*path, index)))
    return found


def is_delete_like(tool: Any) -> bool:
    """Whether calling ``tool`` may rightly make earlier ids unknown (its name says it deletes)."""
    name = str(getattr(tool, "name", tool)).lower()
    return any(word in name for word in DELETE_WORDS)


def says_not_found(text: str) -> bool:
    """Whether an error text says the thing asked for does not exist."""
    return bool(_NOT_FOUND.search(text))
