"""JSON Schema helpers (``jsonschema``): is a schema valid for its dialect, does a value conform."""

from __future__ import annotations

from typing import Any, Final

from ...protocol.schema import validator_class

DEFAULT_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"


def schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not a valid JSON Schema of its dialect (``$schema``, default 2020-12), or None."""
    if not isinstance(schema, dict):
        return f"it is {type(schema).__name__}, not a JSON object"
    import jsonschema  # type: ignore[import-untyped]

    dialect = schema.get("$schema")
    if dialect is not None and not isinstance(dialect, str):
        return f"its $schema is {dialect!r}, not a URI string"
    try:
        cls = validator_class(schema)
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        path = "/".join(str(part) for part in exc.path) or "(root)"
        return f"at {path}: {exc.message}"
    return None


def validation_errors(schema: Any, value: Any, limit: int = 3) -> list[str]:
    """Why ``value`` does not conform to ``schema`` (at most ``limit`` reasons); [] when it does.

    Remote ``$ref`` s are never fetched (the spec forbids auto-dereferencing network references).
    """
    if not isinstance(schema, dict):
        return []
    import jsonschema  # type: ignore[import-untyped]
    from referencing import Registry
    from referencing.exceptions import Unresolvable

    def refuse(uri: str) -> Any:
        raise Unresolvable(uri)

    try:
        cls = validator_class(schema)
        validator = cls(schema, registry=Registry(retrieve=refuse))  # type: ignore[call-arg]
        errors = []
        for error in validator.iter_errors(value):
            path = "/".join(str(part) for part in error.absolute_path) or "(root)"
            errors.append(f"at {path}: {error.message}")
            if len(errors) >= limit:
                break
        return errors
    except (jsonschema.SchemaError, Unresolvable, RecursionError) as exc:
        return [f"the schema cannot be used: {exc}"]
