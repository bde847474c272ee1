"""Drift between a recorded surface and the current one, each change breaking or compatible.

Breaking: something a client relied on is gone or accepts less — a tool, prompt, resource or
template removed; an argument newly required or removed; a type, enum or bound narrowed; a
capability no longer declared; a tool no longer read-only; a resource's MIME type changed.
Compatible: something was added or accepts more, or only a description changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .schema_drift import schema_changes

__all__ = ["Change", "compare", "describe_changes"]


@dataclass(frozen=True)
class Change:
    """One difference between the recorded contract and the server."""

    breaking: bool
    where: str
    """What changed: ``tool 'add'``, ``capability 'resources.subscribe'``, ``era 2025-11-25``."""
    what: str

    def __str__(self) -> str:
        return f"{'breaking' if self.breaking else 'compatible'}: {self.where}: {self.what}"


def compare(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> list[Change]:
    """Every change from ``recorded`` to ``current`` (two ``surface_of`` values), breaking first."""
    changes = [
        *_capability_changes(recorded.get("capabilities", {}), current.get("capabilities", {})),
        *_named_changes("tool", recorded.get("tools", {}), current.get("tools", {}), _tool_changes),
        *_named_changes("prompt", recorded.get("prompts", {}), current.get("prompts", {}), _prompt_changes),
        *_named_changes("resource", recorded.get("resources", {}), current.get("resources", {}), _resource_changes),
        *_named_changes(
            "resource template",
            recorded.get("resourceTemplates", {}),
            current.get("resourceTemplates", {}),
            _resource_changes,
        ),
    ]
    return sorted(changes, key=lambda change: not change.breaking)


def describe_changes(changes: list[Change]) -> str:
    """The changes as lines, with a count of each kind first."""
    breaking = sum(change.breaking for change in changes)
    head = f"{breaking} breaking and {len(changes) - breaking} compatible change(s)"
    return "\n".join([head, *(f"  {change}" for change in changes)])


ItemChanges = Callable[[str, Mapping[str, Any], Mapping[str, Any]], Iterator[Change]]


def _named_changes(kind: str, old: Mapping[str, Any], new: Mapping[str, Any], each: ItemChanges) -> Iterator[Change]:
    for name in sorted(old.keys() - new.keys()):
        yield Change(True, f"{kind} {name!r}", "removed")
    for name in sorted(new.keys() - old.keys()):
        yield Change(False, f"{kind} {name!r}", "added")
    for name in sorted(old.keys() & new.keys()):
        yield from each(f"{kind} {name!r}", old[name], new[name])


def _tool_changes(where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    for breaking, path, what in schema_changes(old.get("inputSchema", {}), new.get("inputSchema", {}), output=False):
        yield Change(breaking, f"{where} inputSchema {path}", what)
    if "outputSchema" in old and "outputSchema" not in new:
        yield Change(True, where, "no longer declares an outputSchema")
    elif "outputSchema" in new and "outputSchema" not in old:
        yield Change(False, where, "now declares an outputSchema")
    elif "outputSchema" in old:
        for breaking, path, what in schema_changes(old["outputSchema"], new["outputSchema"], output=True):
            yield Change(breaking, f"{where} outputSchema {path}", what)
    yield from _annotation_changes(where, old.get("annotations") or {}, new.get("annotations") or {})
    if old.get("description") != new.get("description"):
        yield Change(False, where, "description changed")


def _annotation_changes(where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    if old.get("readOnlyHint") is True and new.get("readOnlyHint") is not True:
        yield Change(True, where, "no longer annotated read-only (readOnlyHint)")
    if old.get("destructiveHint") is False and new.get("destructiveHint") is not False:
        yield Change(True, where, "may now be destructive (destructiveHint no longer false)")
    for key in sorted((old.keys() | new.keys()) - {"readOnlyHint", "destructiveHint"}):
        if old.get(key) != new.get(key):
            yield Change(False, where, f"annotation {key} changed from {old.get(key)!r} to {new.get(key)!r}")


def _prompt_changes(where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    before, after = old.get("arguments", {}), new.get("arguments", {})
    for name in sorted(before.keys() - after.keys()):
        yield Change(True, f"{where} argument {name!r}", "removed")
    for name in sorted(after.keys() - before.keys()):
        required = after[name].get("required") is True
        yield Change(required, f"{where} argument {name!r}", "added as required" if required else "added")
    for name in sorted(before.keys() & after.keys()):
        was, now = before[name].get("required") is True, after[name].get("required") is True
        if now and not was:
            yield Change(True, f"{where} argument {name!r}", "now required")
        elif was and not now:
            yield Change(False, f"{where} argument {name!r}", "no longer required")


def _resource_changes(where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    if old.get("mimeType") != new.get("mimeType"):
        yield Change(True, where, f"mimeType changed from {old.get('mimeType')!r} to {new.get('mimeType')!r}")
    if old.get("name") != new.get("name"):
        yield Change(False, where, f"name changed from {old.get('name')!r} to {new.get('name')!r}")


def _capability_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    before, after = _flatten(old), _flatten(new)
    for path in sorted(before.keys() - after.keys()):
        if before[path] not in (False, None):
            yield Change(True, f"capability {path!r}", "no longer declared")
    for path in sorted(after.keys() - before.keys()):
        yield Change(False, f"capability {path!r}", "newly declared")
    for path in sorted(before.keys() & after.keys()):
        if before[path] != after[path]:
            lost = bool(before[path]) and not after[path]
            yield Change(lost, f"capability {path!r}", f"changed from {before[path]!r} to {after[path]!r}")


def _flatten(capabilities: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"tools": {"listChanged": True}}`` -> ``{"tools": True, "tools.listChanged": True}``."""
    flat: dict[str, Any] = {}
    for key, value in capabilities.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat[path] = True
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat
