"""A server's surface as plain JSON: what a contract file records and what drift is computed from.

``surface_of`` takes wire-form listings (dicts as the server sent them) and keeps what a client
depends on: capabilities; each tool's description, ``inputSchema``, ``outputSchema`` and
annotations; each prompt's arguments; each resource's and template's name and MIME type.
Titles, icons and ``_meta`` are left out: they change without breaking anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

__all__ = ["SURFACE_KEYS", "surface_of"]

SURFACE_KEYS: Final = ("capabilities", "tools", "prompts", "resources", "resourceTemplates")
_TOOL_KEYS: Final = ("description", "inputSchema", "outputSchema", "annotations")
_RESOURCE_KEYS: Final = ("name", "mimeType")


def surface_of(
    *,
    capabilities: Mapping[str, Any] | None,
    tools: Iterable[Any] = (),
    prompts: Iterable[Any] = (),
    resources: Iterable[Any] = (),
    templates: Iterable[Any] = (),
) -> dict[str, Any]:
    """The surface of one era of a server, from its capabilities and its listed items (wire form)."""
    return {
        "capabilities": dict(capabilities or {}),
        "tools": _by_key(tools, "name", _TOOL_KEYS),
        "prompts": {name: {"arguments": _arguments(item)} for name, item in _named(prompts, "name")},
        "resources": _by_key(resources, "uri", _RESOURCE_KEYS),
        "resourceTemplates": _by_key(templates, "uriTemplate", _RESOURCE_KEYS),
    }


def _named(items: Iterable[Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
    return sorted((item[key], item) for item in items if isinstance(item, Mapping) and isinstance(item.get(key), str))


def _by_key(items: Iterable[Any], key: str, kept: tuple[str, ...]) -> dict[str, Any]:
    return {
        name: {field: item[field] for field in kept if item.get(field) is not None} for name, item in _named(items, key)
    }


def _arguments(prompt: Mapping[str, Any]) -> dict[str, Any]:
    arguments = prompt.get("arguments")
    if not isinstance(arguments, list):
        return {}
    return {
        argument["name"]: {"required": argument.get("required") is True}
        for argument in arguments
        if isinstance(argument, Mapping) and isinstance(argument.get("name"), str)
    }
