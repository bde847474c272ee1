"""Hypothesis strategies for tool arguments: valid ones from a tool's ``inputSchema``, invalid ones, hostile strings.

* ``valid_arguments(schema)``: hypothesis-jsonschema's ``from_schema``, after checking that the
  schema is something it can handle offline; otherwise ``UnsupportedSchema`` with the reason.
* ``invalid_arguments(schema)``: a valid example with one targeted defect (a required property
  missing, a value of the wrong JSON type, a value out of range, an extra property when
  ``additionalProperties`` is false). Every candidate is confirmed invalid with ``jsonschema``, so a
  server that accepts it really accepted an input its own schema forbids.
* ``HOSTILE_STRINGS`` and ``TRAVERSAL_PAYLOADS``: fixed strings that often break servers (empty,
  unicode, control characters, ~1 MB, injection and traversal payloads); ``hostile_choices(schema)``
  puts them, one at a time, into the string properties of the simplest valid example.

Importing this module is cheap; hypothesis, hypothesis-jsonschema and jsonschema load on first use.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Final, cast

from ..protocol.schema import validator_class

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = [
    "HOSTILE_STRINGS",
    "ONE_MEGABYTE",
    "TRAVERSAL_PAYLOADS",
    "InvalidArguments",
    "UnsupportedSchema",
    "hostile_choices",
    "invalid_arguments",
    "is_valid",
    "simpler_arguments",
    "simplest",
    "string_properties",
    "valid_arguments",
    "with_hostile",
]

ONE_MEGABYTE: Final = 1024 * 1024

TRAVERSAL_PAYLOADS: Final[tuple[str, ...]] = (
    "../../../../../../../../etc/passwd",
    "/etc/passwd",
    "file:///etc/passwd",
    "..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%252e%252e%252f%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "....//....//....//....//....//....//etc/passwd",
    "../../../../../../etc/passwd\x00.txt",
    "..\\..\\..\\..\\..\\..\\windows\\win.ini",
    "/proc/self/environ",
)
"""Path traversal payloads; the file contents they aim at are what ``leaks.FILE_CONTENT_PATTERNS`` detects."""

HOSTILE_STRINGS: Final[tuple[tuple[str, str], ...]] = (
    ("empty string", ""),
    ("whitespace only", " \t\n "),
    ("unicode and emoji", "Zoë Ünïcødé 日本語 עברית مرحبا 🎉👩‍👩‍👧‍👦🏳️‍🌈"),
    ("right-to-left override", "abc\u202edcba\u2066x\u2069"),
    ("zero-width and BOM characters", "\ufeff\u200b\u200c\u200d\u2060"),
    ("control characters", "a\x00b\x01c\x07d\x08e\x1b[31mred\x1b[0m\x7f\r\n"),
    ("NUL byte", "\x00"),
    ("very long string (~1 MB)", "A" * ONE_MEGABYTE),
    ("path traversal", "../../../../../../../../etc/passwd"),
    ("windows path traversal", "..\\..\\..\\..\\windows\\win.ini"),
    ("SQL injection", "'; DROP TABLE x;--"),
    ("SQL tautology", "' OR '1'='1' -- "),
    ("script injection", "<script>alert(1)</script>"),
    ("template injection", "{{7*7}}${7*7}<%= 7*7 %>#{7*7}"),
    ("log4shell lookup", "${jndi:ldap://x}"),
    ("shell injection", "$(id); `id` | id && id"),
    ("format string", "%s%s%s%n%x{0}{}"),
    ("JSON breaking", '"}]}{"a":'),
    ("huge number as text", "1" + "0" * 400),
    ("newline injection", "line1\r\nX-Injected: yes\r\n\r\n"),
)
"""``(label, value)`` pairs of strings that must never crash, hang or leak anything."""

_PROBE_KEY: Final = "__pytest_mcp_unexpected__"
_NETWORK_REF: Final = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


class UnsupportedSchema(Exception):
    """The schema cannot be fuzzed (unsupported keyword, network ``$ref``, contradiction ...); ``str()`` says why."""


@dataclass(frozen=True)
class InvalidArguments:
    """An argument object that violates the schema, and how."""

    defect: str
    """``"missing required"``, ``"wrong type"``, ``"out of range"`` or ``"extra property"``."""
    detail: str
    arguments: dict[str, Any]


# -- schema inspection (no hypothesis needed) ---------------------------------------------------
def _refs(schema: Any) -> list[str]:
    found: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            if isinstance(ref, str):
                found.append(ref)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def check_schema(schema: Any) -> dict[str, Any]:
    """The schema as a dict if it can be fuzzed offline; else ``UnsupportedSchema`` saying why."""
    import jsonschema  # type: ignore[import-untyped]

    if not isinstance(schema, Mapping):
        raise UnsupportedSchema(f"inputSchema is {type(schema).__name__}, not a JSON object")
    checked: dict[str, Any] = {str(key): value for key, value in schema.items()}
    if checked.get("type", "object") != "object":
        raise UnsupportedSchema(f"inputSchema has type {checked.get('type')!r}; tool arguments are always an object")
    for ref in _refs(checked):
        if not ref.startswith("#"):
            kind = "a network" if _NETWORK_REF.match(ref) else "an external"
            raise UnsupportedSchema(f"inputSchema has {kind} $ref {ref!r}; the suite never fetches schemas")
    validator = validator_class(checked)
    try:
        validator.check_schema(checked)
    except jsonschema.SchemaError as exc:
        raise UnsupportedSchema(f"inputSchema is not a valid JSON Schema: {exc.message}") from None
    return checked


def _validator(schema: Mapping[str, Any]) -> Any:
    return validator_class(schema)(schema, format_checker=None)


def is_valid(schema: Mapping[str, Any], instance: Any) -> bool:
    """``instance`` conforms to ``schema`` (formats are not asserted, as JSON Schema 2020-12 says)."""
    return bool(_validator(schema).is_valid(instance))


def string_properties(schema: Mapping[str, Any]) -> list[str]:
    """Top-level properties that accept a string (``type`` string, or a union including it)."""
    names = []
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, Mapping) and _accepts_type(prop, "string"):
            names.append(name)
    return names


def _types_of(prop: Mapping[str, Any]) -> set[str] | None:
    """The JSON types a property schema allows, or None when it does not say (no ``type``)."""
    declared = prop.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return {str(item) for item in declared}
    for keyword in ("anyOf", "oneOf"):
        options = prop.get(keyword)
        if isinstance(options, list) and options:
            union: set[str] = set()
            for option in options:
                sub = _types_of(option) if isinstance(option, Mapping) else None
                if sub is None:
                    return None
                union |= sub
            return union
    if "enum" in prop or "const" in prop:
        values = prop.get("enum", [prop.get("const")])
        return {_json_type(value) for value in values} if isinstance(values, list) else None
    return None


def _accepts_type(prop: Mapping[str, Any], json_type: str) -> bool:
    types = _types_of(prop)
    return types is not None and json_type in types and "enum" not in prop and "const" not in prop


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


# -- valid arguments ----------------------------------------------------------------------------
def _compat_hypothesis_jsonschema() -> None:
    """Make hypothesis-jsonschema 0.23 work with Hypothesis >= 6.150, whose ``many`` lost ``more()``.

    hypothesis-jsonschema builds objects with ``while elements.more(): ...``; newer Hypothesis only
    offers ``with many(...) as elements: for _ in elements: ...``. We give hypothesis-jsonschema
    (only it: its module's ``cu`` name) a ``many`` that keeps the old interface on top of the new
    one. Nothing changes when the installed versions already agree.
    """
    import types

    from hypothesis.internal.conjecture import utils as cu
    from hypothesis_jsonschema import _from_schema

    if hasattr(cu.many, "more") or getattr(getattr(_from_schema, "cu", None), "_pytest_mcp_compat", False):
        return

    class OldStyleMany:
        def __init__(self, data: Any, min_size: int, max_size: float, average_size: float) -> None:
            self._many = cu.many(data, min_size=min_size, max_size=max_size, average_size=average_size)
            self._many.__enter__()
            self._elements = iter(self._many)
            self._open = True

        def more(self) -> bool:
            if not self._open:
                return False
            try:
                next(self._elements)
            except StopIteration:
                self._open = False
                self._many.__exit__(None, None, None)
                return False
            return True

        def reject(self, why: str | None = None) -> None:
            self._many.reject(why)

    shim = types.SimpleNamespace(**{name: getattr(cu, name) for name in dir(cu) if not name.startswith("__")})
    shim.many = OldStyleMany
    shim._pytest_mcp_compat = True
    setattr(_from_schema, "cu", shim)  # noqa: B010 - the module does not export it


_SUBSCHEMA_MAPS: Final = ("properties", "$defs", "definitions")
_SUBSCHEMAS: Final = ("items", "additionalItems")


def declared_only(schema: Any) -> Any:
    """A copy of ``schema`` whose objects allow only the properties they name.

    Valid examples then use the tool's real parameters instead of random extra keys (which the
    schema may allow, but which only make examples noisy). Objects inside ``allOf`` / ``anyOf`` /
    ``oneOf`` / ``not`` are left alone, because closing them there could change what is valid.
    """
    if isinstance(schema, list):
        return [declared_only(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    copy = dict(schema)
    if (
        isinstance(copy.get("properties"), Mapping)
        and "additionalProperties" not in copy
        and "patternProperties" not in copy
        and "unevaluatedProperties" not in copy
    ):
        copy["additionalProperties"] = False
    for key in _SUBSCHEMA_MAPS:
        if isinstance(copy.get(key), Mapping):
            copy[key] = {name: declared_only(sub) for name, sub in copy[key].items()}
    for key in _SUBSCHEMAS:
        if key in copy:
            copy[key] = declared_only(copy[key])
    if isinstance(copy.get("prefixItems"), list):
        copy["prefixItems"] = [declared_only(sub) for sub in copy["prefixItems"]]
    return copy


_SIMPLE_OBJECT_KEYS: Final = frozenset(
    {"type", "properties", "required", "additionalProperties", "title", "description", "$schema", "default", "examples"}
)
"""Top-level keywords of an object schema whose properties can be drawn one by one (no cross-property rules)."""


def _compiled_object(schema: Mapping[str, Any]) -> SearchStrategy[dict[str, Any]] | None:
    """``st.fixed_dictionaries`` over the properties of a simple closed object schema, or None.

    hypothesis-jsonschema builds the strategies of an object's properties again on every draw; a
    closed object whose properties do not constrain each other is drawn the same way (each declared
    property valid on its own, required ones always present, optional ones sometimes) from property
    strategies built once. Anything else (``$ref``, ``allOf``, ``dependentRequired``, an open object,
    ...) returns None and goes to hypothesis-jsonschema whole.
    """
    from hypothesis import strategies as st

    properties = schema.get("properties")
    required = schema.get("required") or []
    if (
        set(schema) - _SIMPLE_OBJECT_KEYS
        or schema.get("additionalProperties") is not False
        or not isinstance(properties, Mapping)
        or not isinstance(required, list)
        or not set(required) <= set(properties)
        or _refs(properties)
    ):
        return None
    drawn = {name: _cheap_or_whole(sub) for name, sub in properties.items()}
    if any(strategy.is_empty for strategy in drawn.values()):
        return None
    return st.fixed_dictionaries(
        {name: drawn[name] for name in properties if name in required},
        optional={name: drawn[name] for name in properties if name not in required},
    )


_PATTERN_STRING_KEYS: Final = frozenset(
    {"type", "pattern", "minLength", "maxLength", "title", "description", "default", "examples", "$comment"}
)
_ANNOTATIONS: Final = frozenset({"title", "description", "default", "examples", "$comment"})


def _property_strategy(schema: Any) -> SearchStrategy[Any] | None:
    """A cheaper strategy than hypothesis-jsonschema's for a string ``pattern`` (alone or as an ``anyOf``
    branch, as pydantic writes ``Optional[constr(pattern=...)]``), or None to use hypothesis-jsonschema."""
    from hypothesis import strategies as st

    from .pattern_strings import pattern_text

    if not isinstance(schema, Mapping):
        return None
    branches = schema.get("anyOf")
    if isinstance(branches, list) and branches and set(schema) - _ANNOTATIONS == {"anyOf"}:
        cheap = [_property_strategy(branch) for branch in branches]
        if all(strategy is None for strategy in cheap):
            return None
        return st.one_of([_cheap_or_whole(branch) for branch in branches])
    found = _pattern_string(schema)
    return None if found is None else pattern_text(found[0], min_size=found[1], max_size=found[2])


def _pattern_string(schema: Mapping[str, Any]) -> tuple[str, int, int | None] | None:
    """``(pattern, minLength, maxLength)`` of a string schema constrained by nothing else, or None."""
    if (
        schema.get("type") != "string"
        or not isinstance(schema.get("pattern"), str)
        or set(schema) - _PATTERN_STRING_KEYS
    ):
        return None
    min_size, max_size = schema.get("minLength", 0), schema.get("maxLength")
    if not isinstance(min_size, int) or not (max_size is None or isinstance(max_size, int)):
        return None
    return schema["pattern"], min_size, max_size


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def simpler_arguments(schema: Any, arguments: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """``arguments`` with one pattern-drawn string made simpler (``pattern_strings.simpler_strings``), property by
    property: what the fuzz engine tries after Hypothesis has shrunk a failing example of ``valid_arguments``."""
    from .pattern_strings import simpler_strings

    properties = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(properties, Mapping):
        return
    for name, value in arguments.items():
        sub = properties.get(name)
        if not isinstance(value, str) or not isinstance(sub, Mapping):
            continue
        branches = sub.get("anyOf") if set(sub) - _ANNOTATIONS == {"anyOf"} else [sub]
        for branch in branches if isinstance(branches, list) else []:
            found = _pattern_string(branch) if isinstance(branch, Mapping) else None
            if found is not None and _matches(found[0], value):
                for simpler in simpler_strings(found[0], value, min_size=found[1], max_size=found[2]):
                    yield {**arguments, name: simpler}
                break


def _cheap_or_whole(schema: Any) -> SearchStrategy[Any]:
    """``_property_strategy`` when it applies, else hypothesis-jsonschema's strategy."""
    from hypothesis_jsonschema import from_schema

    cheap = _property_strategy(schema)
    return from_schema(schema) if cheap is None else cheap


def valid_arguments(schema: Any, *, compiled: bool = True) -> SearchStrategy[dict[str, Any]]:
    """Argument objects that conform to ``schema`` (a tool's ``inputSchema``), using only declared properties.

    ``compiled``: draw simple object schemas property by property (``_compiled_object``, several
    times faster); False always uses hypothesis-jsonschema on the whole schema (for comparisons).
    """
    import warnings

    from hypothesis.errors import HypothesisException, HypothesisWarning
    from hypothesis_jsonschema import from_schema

    _compat_hypothesis_jsonschema()
    checked = check_schema(schema)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HypothesisWarning)
            closed = dict(checked)
            if not any(key in closed for key in ("additionalProperties", "patternProperties", "unevaluatedProperties")):
                closed.setdefault("properties", {})
            declared = declared_only(closed)
            fast = _compiled_object(declared) if compiled else None
            # (not ``or``: asking a strategy for its truth is a HypothesisWarning)
            strategy: SearchStrategy[Any] = from_schema(declared) if fast is None else fast
            empty = strategy.is_empty
    except (HypothesisException, ValueError, TypeError, KeyError, RecursionError) as exc:
        raise UnsupportedSchema(f"hypothesis-jsonschema cannot generate from this inputSchema: {exc}") from None
    except Exception as exc:  # jsonschema ref resolution errors and other library failures
        raise UnsupportedSchema(f"hypothesis-jsonschema cannot generate from this inputSchema: {exc!r}") from None
    if empty:
        raise UnsupportedSchema("no value satisfies this inputSchema (its constraints contradict each other)")
    return cast("SearchStrategy[dict[str, Any]]", strategy)


def simplest(strategy: Any) -> Any:
    """The simplest example of ``strategy``, the same every time (Hypothesis's shrunk first example);
    ``HypothesisException`` when it has none."""
    from hypothesis import HealthCheck, Phase, find, settings

    chosen = settings(
        database=None,
        derandomize=True,
        max_examples=50,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    return find(strategy, lambda _: True, settings=chosen)


def minimal_valid(schema: Any) -> dict[str, Any]:
    """A simple valid argument object, deterministically: ``protocol.example_object``'s guess when the
    schema accepts it, else Hypothesis's shrunk example."""
    from hypothesis.errors import HypothesisException

    from ..protocol.schema import example_object

    strategy = valid_arguments(schema)
    guess = example_object(schema)
    if isinstance(guess, dict) and is_valid(schema, guess):
        return guess
    try:
        return simplest(strategy)  # type: ignore[no-any-return]
    except HypothesisException as exc:
        raise UnsupportedSchema(f"could not build a valid example from this inputSchema: {exc}") from None


# -- invalid arguments --------------------------------------------------------------------------
_NUMERIC_TEXT: Final = re.compile(r"^\s*[-+]?(\d|\.\d|inf|nan)", re.I)
_BOOLEAN_WORDS: Final = frozenset({"true", "false", "yes", "no", "on", "off", "t", "f", "y", "n", "1", "0"})


def _wrong_values(prop: Mapping[str, Any]) -> SearchStrategy[Any] | None:
    """Values of a JSON type ``prop`` does not allow, leaving out lossless coercions (see docs/suite/fuzz.md)."""
    from hypothesis import strategies as st

    allowed = _types_of(prop)
    if allowed is None:
        return None
    if "number" in allowed:
        allowed = allowed | {"integer"}
    words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12).filter(
        lambda text: text not in _BOOLEAN_WORDS and not _NUMERIC_TEXT.match(text) and text not in ("infinity", "nan")
    )
    by_type: dict[str, SearchStrategy[Any]] = {
        "string": words,
        "integer": st.integers(min_value=2, max_value=10**6),
        "number": st.floats(min_value=2.5, max_value=1e6, allow_nan=False).filter(lambda x: not x.is_integer()),
        "array": st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=3),
        "object": st.dictionaries(words, st.integers(min_value=0, max_value=9), min_size=1, max_size=2),
        "null": st.none(),
        "boolean": st.booleans(),
    }
    coercible = {"boolean"} if allowed & {"integer", "number"} else set()
    choices = [strategy for name, strategy in by_type.items() if name not in allowed and name not in coercible]
    return st.one_of(choices) if choices else None


def _paired(name: str, value: Any) -> tuple[str, Any]:
    return name, value


def _x_times(base: int, extra: int) -> str:
    return "x" * (base + extra)


def _defect(kind: str, name: str) -> Callable[[Any], tuple[str, str, Any]]:
    """``value -> (kind, name, value)``: tag a drawn value with the defect it makes."""

    def tag(value: Any) -> tuple[str, str, Any]:
        return kind, name, value

    return tag


def _out_of_range(prop: Mapping[str, Any]) -> list[tuple[str, SearchStrategy[Any]]]:
    from hypothesis import strategies as st

    found: list[tuple[str, SearchStrategy[Any]]] = []
    integral = _types_of(prop) == {"integer"}
    step = st.integers(min_value=1, max_value=1000) if integral else st.sampled_from([1, 0.5, 1000.25])
    minimum, maximum = prop.get("minimum"), prop.get("maximum")
    exclusive_min, exclusive_max = prop.get("exclusiveMinimum"), prop.get("exclusiveMaximum")
    if isinstance(minimum, int | float) and not isinstance(minimum, bool):
        found.append((f"below minimum {minimum}", step.map(partial(operator.sub, minimum))))
    if isinstance(maximum, int | float) and not isinstance(maximum, bool):
        found.append((f"above maximum {maximum}", step.map(partial(operator.add, maximum))))
    if isinstance(exclusive_min, int | float) and not isinstance(exclusive_min, bool):
        found.append((f"at exclusiveMinimum {exclusive_min}", st.just(exclusive_min)))
    if isinstance(exclusive_max, int | float) and not isinstance(exclusive_max, bool):
        found.append((f"at exclusiveMaximum {exclusive_max}", st.just(exclusive_max)))
    min_length, max_length = prop.get("minLength"), prop.get("maxLength")
    if isinstance(min_length, int) and min_length > 0:
        found.append((f"shorter than minLength {min_length}", st.text(max_size=min_length - 1)))
    if isinstance(max_length, int) and max_length < 10_000:
        found.append((f"longer than maxLength {max_length}", st.integers(1, 50).map(partial(_x_times, max_length))))
    enum = prop.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(item, str) for item in enum):
        found.append(("not one of the enum values", st.text(min_size=1, max_size=20).filter(lambda s: s not in enum)))
    max_items = prop.get("maxItems")
    if isinstance(max_items, int) and max_items < 1000:
        found.append((f"more than maxItems {max_items}", st.just(list(range(max_items + 1)))))
    return found


def invalid_arguments(schema: Any) -> SearchStrategy[InvalidArguments]:
    """Argument objects with exactly one deliberate defect; ``UnsupportedSchema`` if none can be made."""
    from hypothesis import assume
    from hypothesis import strategies as st

    checked = check_schema(schema)
    valid = valid_arguments(checked)
    properties = {name: prop for name, prop in (checked.get("properties") or {}).items() if isinstance(prop, Mapping)}
    required = [name for name in checked.get("required") or [] if isinstance(name, str)]
    mutations: list[SearchStrategy[tuple[str, str, Any]]] = []

    if required:
        mutations.append(st.sampled_from(required).map(lambda name: ("missing required", name, None)))
    for name, prop in sorted(properties.items()):
        wrong = _wrong_values(prop)
        if wrong is not None:
            mutations.append(wrong.map(_defect("wrong type", name)))
        for what, values in _out_of_range(prop):
            mutations.append(values.map(partial(_paired, name)).map(_defect("out of range", f"{name} {what}")))
    if checked.get("additionalProperties") is False and not checked.get("patternProperties"):
        extra = st.sampled_from([_PROBE_KEY, "unexpected", "admin"]).filter(lambda key: key not in properties)
        mutations.append(extra.map(lambda key: ("extra property", key, True)))
    if not mutations:
        raise UnsupportedSchema(
            "the inputSchema accepts any object (no required or typed properties, additional properties allowed), "
            "so no invalid input exists"
        )
    validator = _validator(checked)
    defects = st.one_of(mutations)  # built once: a strategy made inside ``build`` is validated on every draw

    @st.composite
    def build(draw: Any) -> InvalidArguments:
        arguments = dict(draw(valid))
        defect, detail, value = draw(defects)
        if defect == "missing required":
            arguments.pop(detail, None)
            detail = f"required property {detail!r} left out"
        elif defect == "wrong type":
            arguments[detail] = value
            detail = f"{detail!r} set to a {_json_type(value)}"
        elif defect == "out of range":
            arguments[value[0]] = value[1]
        else:
            arguments[detail] = value
            detail = f"extra property {detail!r} (additionalProperties is false)"
        assume(not validator.is_valid(arguments))
        return InvalidArguments(defect, detail, arguments)

    return build()


# -- hostile strings ----------------------------------------------------------------------------
HOSTILE_BY_LABEL: Final = dict(HOSTILE_STRINGS)


def hostile_choices(schema: Any) -> tuple[dict[str, Any], SearchStrategy[tuple[str, str]]]:
    """The simplest valid arguments, and ``(label, property)`` pairs: which hostile string goes where.

    The other arguments stay at their simplest valid values, so a slow or failing reply is caused by
    the hostile string and not by, say, a huge number in another argument. The drawn pairs stay small
    (the ~1 MB string is looked up by its label), so Hypothesis never prints a 1 MB example.
    """
    from hypothesis import strategies as st

    checked = check_schema(schema)
    names = string_properties(checked)
    if not names:
        raise UnsupportedSchema("the inputSchema has no string property to put hostile strings into")
    base = minimal_valid(checked)
    labels = [label for label, _ in HOSTILE_STRINGS]
    return base, st.tuples(st.sampled_from(labels), st.sampled_from(names))


def with_hostile(base: Mapping[str, Any], label: str, name: str) -> dict[str, Any]:
    """``base`` with the hostile string called ``label`` in property ``name``."""
    return {**base, name: HOSTILE_BY_LABEL[label]}
