"""How a JSON Schema changed, seen from a client: narrowed (breaking) or widened (compatible).

The direction matters. For a tool's ``inputSchema`` the client writes the value: a schema that
accepts less (a type, an enum value or a property gone, a property newly required, a tighter bound)
breaks callers. For an ``outputSchema`` the client reads the value: a schema that promises less
(a property gone or no longer required, a type or enum value added, a looser bound) breaks readers.
Changes the rules below do not classify are reported as breaking: a contract errs on the side of
asking.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

__all__ = ["SchemaChange", "schema_changes"]

SchemaChange = tuple[bool, str, str]
"""``(breaking, where, what)``: ``where`` is a JSON path in the schema (``$.properties.limit``)."""

_DOC_KEYS: Final = frozenset({"description", "title", "examples", "default", "$comment", "deprecated"})
_HANDLED: Final = frozenset({"type", "enum", "properties", "required", "items", "additionalProperties"})
_LOWER: Final = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
"""Bounds where a larger value accepts less."""
_UPPER: Final = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
"""Bounds where a smaller value accepts less."""


def schema_changes(old: Any, new: Any, *, output: bool, path: str = "$") -> list[SchemaChange]:
    """Every change from ``old`` to ``new`` at ``path`` and below (``output``: a result schema)."""
    if old == new:
        return []
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return [(True, path, f"changed from {_short(old)} to {_short(new)}")]
    return list(_changes(old, new, output, path))


def _changes(old: Mapping[str, Any], new: Mapping[str, Any], output: bool, path: str) -> Iterator[SchemaChange]:
    yield from _set_change(path, "type", _types(old), _types(new), output)
    if "enum" in old or "enum" in new:
        yield from _set_change(path, "enum value", _enum(old), _enum(new), output)
    yield from _property_changes(old, new, output, path)
    yield from _bound_changes(old, new, output, path)
    if old.get("items") != new.get("items"):
        yield from schema_changes(old.get("items", {}), new.get("items", {}), output=output, path=f"{path}.items")
    if old.get("additionalProperties", True) != new.get("additionalProperties", True):
        closed = new.get("additionalProperties") is False
        yield (closed != output, path, "no longer accepts other properties" if closed else "accepts other properties")
    rest = {key for key in {*old, *new} if key not in _DOC_KEYS | _HANDLED | set(_LOWER) | set(_UPPER)}
    for key in sorted(rest):
        if old.get(key) != new.get(key):
            yield (True, path, f"{key!r} changed from {_short(old.get(key))} to {_short(new.get(key))}")


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    kind = schema.get("type")
    if kind is None:
        return None
    kinds = {kind} if isinstance(kind, str) else {str(item) for item in kind}
    if "number" in kinds:
        kinds.add("integer")  # every integer is a number
    return kinds


def _enum(schema: Mapping[str, Any]) -> set[str] | None:
    values = schema.get("enum")
    return {repr(value) for value in values} if isinstance(values, list) else None


def _set_change(
    path: str, label: str, old: set[str] | None, new: set[str] | None, output: bool
) -> Iterator[SchemaChange]:
    """A set of accepted values (``None``: any) that lost or gained members."""
    if old == new:
        return
    if old is None:
        yield (not output, path, f"{label} now restricted to {_listing(new or set())}")
        return
    if new is None:
        yield (output, path, f"{label} no longer restricted (was {_listing(old)})")
        return
    lost, gained = old - new, new - old
    if lost:
        yield (not output, path, f"{label} {_listing(lost)} no longer allowed")
    if gained:
        yield (output, path, f"{label} {_listing(gained)} now allowed")


def _property_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], output: bool, path: str
) -> Iterator[SchemaChange]:
    before, after = _properties(old), _properties(new)
    was_required, is_required = _required(old), _required(new)
    for name in sorted(before.keys() - after.keys()):
        yield (True, f"{path}.properties.{name}", "removed")
    for name in sorted(after.keys() - before.keys()):
        required = name in is_required
        yield (required and not output, f"{path}.properties.{name}", "added" + (" as required" if required else ""))
    for name in sorted(before.keys() & after.keys()):
        where = f"{path}.properties.{name}"
        if name in is_required and name not in was_required:
            yield (not output, where, "now required")
        elif name in was_required and name not in is_required:
            yield (output, where, "no longer required")
        yield from schema_changes(before[name], after[name], output=output, path=where)


def _properties(schema: Mapping[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties")
    return dict(properties) if isinstance(properties, Mapping) else {}


def _required(schema: Mapping[str, Any]) -> set[str]:
    required = schema.get("required")
    return {name for name in required if isinstance(name, str)} if isinstance(required, list) else set()


def _bound_changes(old: Mapping[str, Any], new: Mapping[str, Any], output: bool, path: str) -> Iterator[SchemaChange]:
    for key in (*_LOWER, *_UPPER):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        numbers = all(isinstance(value, (int, float)) for value in (before, after))
        if numbers:
            tighter = after > before if key in _LOWER else after < before  # type: ignore[operator]
        else:
            tighter = after is not None  # a bound added, or changed to something that is not a number
        yield (tighter != output, path, f"{key} changed from {_short(before)} to {_short(after)}")


def _listing(values: set[str]) -> str:
    return ", ".join(sorted(values))


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
