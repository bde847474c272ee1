"""factory-boy factories of tool arguments, derived from a tool's ``inputSchema``.

``ToolArgumentsFactory.for_tool(tool)`` returns a factory class with one declaration per property
of the schema. Values come from Faker (through ``JsonSchemaProvider``, so
``factory.random.reseed_random(seed)`` makes them repeatable): formats such as ``email``,
``date``, ``date-time``, ``uri``, ``uuid`` and ``ipv4`` get realistic values, ``enum``/``const``
pick allowed values, numbers honour ``minimum``/``maximum``/``exclusive*``/``multipleOf``, strings
honour ``minLength``/``maxLength``/``pattern``, arrays ``minItems``/``maxItems``/``uniqueItems``, and
nested objects, ``$ref``, ``anyOf``/``oneOf``/``allOf`` and nullable types are followed.

    AddArgs = ToolArgumentsFactory.for_tool(await mcp_client.tool("add"))
    AddArgs.build()            # {"a": 417, "b": 93}
    AddArgs.build(a=1)         # override one field
    AddArgs.build(b=ToolArgumentsFactory.OMIT)   # leave a field out
    AddArgs.build_batch(10)    # ten argument dicts
"""

from __future__ import annotations

import datetime
import math
import re
import string
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final

from ..extras import require

require("factory", "ToolArgumentsFactory (factories)")
require("faker", "ToolArgumentsFactory (factories)")

from factory.base import Factory, FactoryMetaClass  # noqa: E402
from factory.faker import Faker  # noqa: E402
from faker.providers import BaseProvider  # noqa: E402

__all__ = ["OMIT", "JsonSchemaProvider", "ToolArgumentsFactory"]

MAX_DEPTH: Final = 6
"""Below this nesting depth, objects get only their required properties and arrays their minimum items."""
DEFAULT_SPAN: Final = 100
"""Integers and numbers without an upper (lower) bound stay within this distance of the other bound or 0."""


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT: Final = _Omit()
"""Pass as a field's value to leave that argument out: ``Factory.build(limit=OMIT)``."""


class SchemaValueError(ValueError):
    """No value can be generated for a schema (an unsatisfiable or unsupported construct)."""


def _resolve(schema: Any, root: Mapping[str, Any]) -> Any:
    seen = 0
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str) and seen < 20:
        ref = schema["$ref"]
        if not ref.startswith("#"):
            raise SchemaValueError(f"only local $ref values are supported, not {ref!r}")
        target: Any = root
        for part in ref[1:].lstrip("/").split("/") if ref != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            target = target[int(part)] if isinstance(target, list) else target.get(part)
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **rest} if isinstance(target, Mapping) else target
        seen += 1
    return schema


def _merge_all_of(schema: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", []):
        part = _resolve(part, root)
        if not isinstance(part, Mapping):
            continue
        part = _merge_all_of(part, root) if "allOf" in part else part
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = sorted({*merged.get("required", []), *value})
            elif key in ("minimum", "exclusiveMinimum", "minLength", "minItems"):
                merged[key] = max(merged.get(key, value), value)
            elif key in ("maximum", "exclusiveMaximum", "maxLength", "maxItems"):
                merged[key] = min(merged.get(key, value), value)
            else:
                merged.setdefault(key, value)
    return merged


class JsonSchemaProvider(BaseProvider):
    """A Faker provider: ``fake.json_schema_value(schema)`` is a value valid against ``schema``."""

    def json_schema_value(
        self, schema: Any, root: Mapping[str, Any] | None = None, name: str = "", optional: bool = True
    ) -> Any:
        return self._value(
            schema, root if root is not None else (schema if isinstance(schema, Mapping) else {}), name, 0, optional
        )

    # -- dispatch ----------------------------------------------------------------------------
    def _value(self, schema: Any, root: Mapping[str, Any], name: str, depth: int, optional: bool) -> Any:
        schema = _resolve(schema, root)
        if schema is True or schema is None:
            schema = {}
        if schema is False:
            raise SchemaValueError(f"the schema of {name or 'the value'} is `false`: no value is valid")
        if not isinstance(schema, Mapping):
            raise SchemaValueError(f"not a JSON schema: {schema!r}")
        if "allOf" in schema:
            schema = _merge_all_of(schema, root)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self.random_element(schema["enum"])
        for combinator in ("oneOf", "anyOf"):
            branches = schema.get(combinator)
            if isinstance(branches, list) and branches:
                base = {k: v for k, v in schema.items() if k != combinator}
                usable = [b for b in branches if not (isinstance(b, Mapping) and b.get("type") == "null")] or branches
                branch = _resolve(self.random_element(usable), root)
                merged = {**base, **branch} if isinstance(branch, Mapping) else branch
                return self._value(merged, root, name, depth, optional)
        kind = schema.get("type")
        if isinstance(kind, list):
            non_null = [k for k in kind if k != "null"] or kind
            kind = self.random_element(non_null)
        if kind is None:
            if "properties" in schema or "required" in schema:
                kind = "object"
            elif "items" in schema or "prefixItems" in schema:
                kind = "array"
            elif any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
                kind = "number"
            else:
                kind = "string"
        generators: dict[str, Callable[..., Any]] = {
            "string": self._string,
            "integer": self._integer,
            "number": self._number,
            "boolean": lambda s, *_: self.generator.pybool(),
            "null": lambda s, *_: None,
            "array": self._array,
            "object": self._object,
        }
        generate = generators.get(kind)
        if generate is None:
            raise SchemaValueError(f"unknown JSON schema type {kind!r} for {name or 'a value'}")
        return generate(schema, root, name, depth, optional)

    # -- strings -----------------------------------------------------------------------------
    def _string(self, schema: Mapping[str, Any], root: Any, name: str, depth: int, optional: bool) -> str:
        low = int(schema.get("minLength", 0))
        high = int(schema["maxLength"]) if "maxLength" in schema else max(low, 10_000)
        if high < low:
            raise SchemaValueError(f"{name or 'string'}: maxLength {high} < minLength {low}")
        pattern = schema.get("pattern")
        for _ in range(50):
            if pattern:
                value = self._from_regex(pattern)
            else:
                formatted = self._formatted(schema.get("format"), name)
                fits = formatted is not None and low <= len(formatted) <= high
                value = formatted if formatted is not None and fits else self._plain(low, high)
            if low <= len(value) <= high and (not pattern or re.search(pattern, value)):
                return value
        raise SchemaValueError(
            f"could not generate a string for {name or 'a value'} matching {pattern!r} with length {low}..{high}; "
            "pass this field explicitly"
        )

    def _formatted(self, fmt: Any, name: str) -> str | None:
        g = self.generator
        if fmt in ("email", "idn-email"):
            return str(g.email())
        if fmt in ("uri", "iri", "url"):
            return str(g.uri())
        if fmt in ("uri-reference", "iri-reference"):
            return str(g.uri_path())
        if fmt == "date":
            return str(g.date())
        if fmt == "date-time":
            return str(g.date_time(tzinfo=datetime.UTC).isoformat())
        if fmt == "time":
            return str(g.time()) + "Z"
        if fmt == "duration":
            return f"P{self.random_int(1, 30)}DT{self.random_int(0, 23)}H"
        if fmt == "uuid":
            return str(g.uuid4())
        if fmt in ("hostname", "idn-hostname"):
            return str(g.hostname())
        if fmt == "ipv4":
            return str(g.ipv4())
        if fmt == "ipv6":
            return str(g.ipv6())
        if fmt == "json-pointer":
            return "/" + "/".join(g.words(nb=2))
        if fmt == "regex":
            return "^[a-z]+$"
        lowered = name.lower()
        if "email" in lowered:
            return str(g.email())
        if lowered.endswith(("url", "uri")):
            return str(g.url())
        if lowered in ("name", "username", "user", "author", "owner"):
            return str(g.name() if lowered in ("name", "author", "owner") else g.user_name())
        if lowered in ("title", "subject", "summary"):
            return str(g.sentence(nb_words=4)).rstrip(".")
        if lowered in ("text", "description", "body", "content", "message", "comment", "query"):
            return str(g.sentence(nb_words=8))
        return None

    def _plain(self, low: int, high: int) -> str:
        length = self.random_int(low, min(high, max(low, 12)))
        return "".join(self.random_element(string.ascii_letters) for _ in range(length))

    def _from_regex(self, pattern: str) -> str:
        import re._parser as parser  # type: ignore[import-not-found]

        return "".join(self._emit(parser.parse(pattern), {}))

    def _emit(self, parsed: Any, groups: dict[int, str]) -> list[str]:
        import re._constants as c  # type: ignore[import-not-found]

        out: list[str] = []
        for op, arg in parsed:
            if op is c.LITERAL:
                out.append(chr(arg))
            elif op is c.NOT_LITERAL:
                out.append(self._pick_char(lambda ch, a=arg: ord(ch) != a))
            elif op is c.ANY:
                out.append(self._pick_char(lambda ch: ch != "\n"))
            elif op is c.IN:
                out.append(self._pick_in(arg))
            elif op is c.BRANCH:
                out.extend(self._emit(self.random_element(arg[1]), groups))
            elif op is c.SUBPATTERN:
                group, _, _, body = arg
                text = "".join(self._emit(body, groups))
                if group is not None:
                    groups[group] = text
                out.append(text)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
                low, high, body = arg
                high = low + 3 if high == c.MAXREPEAT else high
                for _ in range(self.random_int(low, max(low, high))):
                    out.extend(self._emit(body, groups))
            elif op is c.GROUPREF:
                out.append(groups.get(arg, ""))
            elif op is c.ATOMIC_GROUP:
                out.extend(self._emit(arg, groups))
            elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
                continue  # anchors and lookarounds: the result is checked with re.search afterwards
            else:
                raise SchemaValueError(f"unsupported regular expression construct {op}")
        return out

    def _pick_char(self, accept: Any) -> str:
        pool = string.ascii_letters + string.digits + "-_ "
        candidates = [ch for ch in pool if accept(ch)]
        return str(self.random_element(candidates)) if candidates else "x"

    def _pick_in(self, items: Any) -> str:
        import re._constants as c  # type: ignore[import-not-found]

        negate = bool(items) and items[0][0] is c.NEGATE
        allowed: list[str] = []
        for op, arg in items:
            if op is c.LITERAL:
                allowed.append(chr(arg))
            elif op is c.RANGE:
                low, high = arg
                allowed.extend(chr(code) for code in range(low, min(high, low + 200) + 1))
            elif op is c.CATEGORY:
                allowed.extend(_CATEGORIES.get(str(arg), ""))
        if negate:
            return self._pick_char(lambda ch: ch not in allowed)
        return str(self.random_element(allowed)) if allowed else "x"

    # -- numbers -----------------------------------------------------------------------------
    def _bounds(self, schema: Mapping[str, Any]) -> tuple[float, float]:
        low = schema.get("minimum", -math.inf)
        high = schema.get("maximum", math.inf)
        if isinstance(schema.get("exclusiveMinimum"), int | float) and not isinstance(schema["exclusiveMinimum"], bool):
            low = max(low, schema["exclusiveMinimum"])
        if isinstance(schema.get("exclusiveMaximum"), int | float) and not isinstance(schema["exclusiveMaximum"], bool):
            high = min(high, schema["exclusiveMaximum"])
        if low == -math.inf and high == math.inf:
            low, high = 0, DEFAULT_SPAN
        elif low == -math.inf:
            low = high - DEFAULT_SPAN
        elif high == math.inf:
            high = low + DEFAULT_SPAN
        return low, high

    def _valid_number(self, schema: Mapping[str, Any], value: float) -> bool:
        checks: tuple[tuple[str, Callable[[float], bool]], ...] = (
            ("minimum", lambda bound: value >= bound),
            ("maximum", lambda bound: value <= bound),
            ("exclusiveMinimum", lambda bound: value > bound),
            ("exclusiveMaximum", lambda bound: value < bound),
        )
        for key, check in checks:
            bound = schema.get(key)
            if isinstance(bound, int | float) and not isinstance(bound, bool) and not check(bound):
                return False
        step = schema.get("multipleOf")
        return not step or abs(value / step - round(value / step)) < 1e-9

    def _integer(self, schema: Mapping[str, Any], *_unused: Any) -> int:
        low, high = self._bounds(schema)
        first, last = math.ceil(low), math.floor(high)
        step = schema.get("multipleOf")
        if step:
            first, last = math.ceil(low / step), math.floor(high / step)
        for _ in range(20):
            if last < first:
                break
            value = self.random_int(first, last)
            value = int(value * step) if step else value
            if self._valid_number(schema, value):
                return value
        raise SchemaValueError(f"no integer satisfies {dict(schema)}")

    def _number(self, schema: Mapping[str, Any], *_unused: Any) -> float:
        low, high = self._bounds(schema)
        step = schema.get("multipleOf")
        for _ in range(20):
            if step:
                first, last = math.ceil(low / step), math.floor(high / step)
                if last < first:
                    break
                value = self.random_int(first, last) * step
            else:
                value = round(self.generator.random.uniform(low, high), 3)
            if self._valid_number(schema, value):
                return float(value)
        raise SchemaValueError(f"no number satisfies {dict(schema)}")

    # -- containers --------------------------------------------------------------------------
    def _array(self, schema: Mapping[str, Any], root: Any, name: str, depth: int, optional: bool) -> list[Any]:
        prefix = schema.get("prefixItems") or []
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 3)))
        length = low if depth >= MAX_DEPTH else self.random_int(low, max(low, min(high, low + 3)))
        length = max(length, min(len(prefix), high))
        items_schema = schema.get("items", {})
        unique = bool(schema.get("uniqueItems"))
        values: list[Any] = []
        for _ in range(length * 20 + 20):
            if len(values) >= length:
                break
            index = len(values)
            sub = prefix[index] if index < len(prefix) else items_schema
            value = self._value(sub, root, f"{name}[{index}]", depth + 1, optional)
            if unique and value in values:
                continue
            values.append(value)
        if len(values) < low:
            raise SchemaValueError(f"could not generate {low} unique items for {name or 'an array'}")
        return values

    def _object(self, schema: Mapping[str, Any], root: Any, name: str, depth: int, optional: bool) -> dict[str, Any]:
        properties = schema.get("properties", {}) or {}
        required = set(schema.get("required", []))
        result: dict[str, Any] = {}
        for key, sub in properties.items():
            if key in required or (optional and depth < MAX_DEPTH):
                result[key] = self._value(sub, root, f"{name}.{key}" if name else key, depth + 1, optional)
        for key in sorted(required - set(properties)):
            result[key] = self._plain(1, 8)
        return result


_CATEGORIES: Final = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": string.ascii_letters + "_-",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": string.ascii_letters + string.digits,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_NOT_WORD": "-. /",
}

Faker.add_provider(JsonSchemaProvider)  # type: ignore[no-untyped-call]


class _ArgumentsFactoryType(FactoryMetaClass):  # type: ignore[misc]
    """Read-only class properties (factory-boy would take plain class attributes for fields)."""

    @property
    def OMIT(cls) -> _Omit:
        return OMIT

    @property
    def schema(cls) -> dict[str, Any]:
        """The tool's ``inputSchema`` (wire form)."""
        return cls._schema  # type: ignore[attr-defined,no-any-return]

    @property
    def tool_name(cls) -> str:
        return cls._tool_name  # type: ignore[attr-defined,no-any-return]


def _clashes(cls: type, key: str) -> bool:
    """Names factory-boy would not take as a plain field: private, ``Meta``, deep-context ``a__b``, attributes."""
    return (
        key.startswith("_") or "__" in key or key in ("Meta", "Params") or hasattr(cls, key) or hasattr(type(cls), key)
    )


class ToolArgumentsFactory(Factory, metaclass=_ArgumentsFactoryType):  # type: ignore[misc,type-arg]
    """Base of the generated factories; build them with ``for_tool()`` or ``for_schema()``."""

    class Meta:
        abstract = True  # no model here: each generated factory then counts its own ``factory.Sequence``

    _schema: ClassVar[dict[str, Any]] = {}
    _tool_name: ClassVar[str] = ""
    _field_names: ClassVar[dict[str, str]] = {}
    """Argument names that clash with factory attributes (``build``, ``create``...) -> their attribute name."""

    @classmethod
    def for_tool(cls, tool: Any, *, optional: bool = True) -> type[ToolArgumentsFactory]:
        """A factory class for ``tool``: an SDK ``Tool``, or a dict with ``inputSchema`` (and ``name``).

        ``optional=False`` leaves out properties the schema does not require.
        """
        if isinstance(tool, Mapping):
            name = str(tool.get("name", "tool"))
            schema = tool.get("inputSchema", tool.get("input_schema"))
        else:
            name = str(getattr(tool, "name", "tool"))
            schema = getattr(tool, "input_schema", None)
        if not isinstance(schema, Mapping):
            raise TypeError(f"ToolArgumentsFactory.for_tool: {tool!r} has no inputSchema")
        return cls.for_schema(schema, name=name, optional=optional)

    @classmethod
    def for_schema(
        cls, schema: Mapping[str, Any], *, name: str = "arguments", optional: bool = True
    ) -> type[ToolArgumentsFactory]:
        """A factory class for an object schema (a tool's ``inputSchema`` or any other)."""
        root = dict(schema)
        top = _resolve(root, root)
        if isinstance(top, Mapping) and "allOf" in top:
            top = _merge_all_of(top, root)
        if not isinstance(top, Mapping) or top.get("type", "object") != "object":
            raise TypeError(f"ToolArgumentsFactory: the schema of {name!r} does not describe an object: {schema!r}")
        required = set(top.get("required", []))
        attributes: dict[str, Any] = {}
        renames: dict[str, str] = {}
        properties = top.get("properties") or {}
        for index, (key, sub) in enumerate(properties.items()):
            if key not in required and not optional:
                continue
            attribute = key
            if _clashes(cls, key):
                attribute = f"field{index}"
                while attribute in properties:
                    attribute += "_"
                renames[attribute] = key
            attributes[attribute] = Faker(  # type: ignore[no-untyped-call]
                "json_schema_value", schema=sub, root=root, name=key, optional=optional
            )
        for key in sorted(required - set(top.get("properties") or {})):
            attributes[key] = Faker("pystr", min_chars=1, max_chars=8)  # type: ignore[no-untyped-call]
        meta = type("Meta", (), {"model": dict, "rename": renames})
        class_name = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part) or "Tool"
        return type(  # type: ignore[return-value]
            f"{class_name}ArgumentsFactory",
            (cls,),
            {
                "Meta": meta,
                "_schema": root,
                "_tool_name": name,
                "_field_names": {v: k for k, v in renames.items()},
                **attributes,
            },
        )

    @classmethod
    def _generate(cls, strategy: Any, params: dict[str, Any]) -> Any:
        renamed = {cls._field_names.get(key, key): value for key, value in params.items()}
        return super()._generate(strategy, renamed)  # type: ignore[no-untyped-call]

    @classmethod
    def _build(cls, model_class: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {key: value for key, value in kwargs.items() if value is not OMIT}

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return cls._build(model_class, *args, **kwargs)

    @classmethod
    def validate(cls, arguments: Mapping[str, Any]) -> None:
        """Raise ``jsonschema.ValidationError`` unless ``arguments`` is valid against the schema (formats checked)."""
        from ..protocol.schema import validator_class

        dialect = validator_class(cls._schema)
        dialect(cls._schema, format_checker=dialect.FORMAT_CHECKER).validate(dict(arguments))
