"""JSON Schemas of the wire: the validator of a schema's dialect, and example values without a generator.

``validator_class`` is the one place the dialect is chosen (``$schema``; 2020-12 when absent, as
MCP says), importing ``jsonschema`` only when called. ``example_value`` reads the common keywords
(``const``, ``enum``, ``default``, ``examples``, combinators, types and their bounds) and returns
``...`` when it cannot guess; callers confirm the guess with a validator.
"""

from __future__ import annotations

from typing import Any

__all__ = ["example_object", "example_value", "validator_class"]


def validator_class(schema: Any) -> Any:
    """The ``jsonschema`` validator class of ``schema``'s dialect (``$schema``; JSON Schema 2020-12 without one)."""
    import jsonschema  # type: ignore[import-untyped]  # jsonschema ships no type hints

    return jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)


def example_value(schema: Any, depth: int = 0) -> Any:
    """A simple value valid for ``schema`` (common keywords only); ``...`` when no guess is possible."""
    if depth > 6 or not isinstance(schema, dict):
        return ...
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            for option in schema[key]:
                value = example_value(option, depth + 1)
                if value is not ...:
                    return value
    if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
        return example_value(schema["allOf"][0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if kind == "string":
        length = schema.get("minLength", 1)
        text = "test" if not isinstance(length, int) or length <= 4 else "t" * length
        fmt = schema.get("format")
        if fmt == "uri":
            return "https://example.com/"
        if fmt == "date-time":
            return "2025-01-01T00:00:00Z"
        if fmt == "date":
            return "2025-01-01"
        if fmt == "email":
            return "test@example.com"
        if "pattern" in schema:
            return ...
        return text
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        value = 1 if low is None else (low + 1 if "exclusiveMinimum" in schema else low)
        high = schema.get("maximum")
        if high is not None and value > high:
            value = high
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "array":
        count = schema.get("minItems", 0)
        if not count:
            return []
        item = example_value(schema.get("items", {}), depth + 1)
        return ... if item is ... else [item] * int(count)
    if kind == "object" or "properties" in schema:
        return example_object(schema, depth + 1)
    return ...


def example_object(schema: Any, depth: int = 0) -> Any:
    """Arguments for an object schema: its required properties with simple valid values."""
    if not isinstance(schema, dict):
        return ...
    properties: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
    required: list[Any] = schema["required"] if isinstance(schema.get("required"), list) else []
    result: dict[str, Any] = {}
    for name in required:
        value = example_value(properties.get(name, {}), depth + 1)
        if value is ...:
            return ...
        result[name] = value
    return result
