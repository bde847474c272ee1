"""The argument strategies: valid examples conform, invalid ones never do, hostile ones keep the rest simple."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import Field

from pytest_mcp.suite import strategies
from pytest_mcp.suite.pattern_strings import pattern_text

SCHEMAS = [
    {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer", "minimum": 0}},
        "required": ["a", "b"],
    },
    {
        "type": "object",
        "properties": {"text": {"type": "string", "maxLength": 5}, "mode": {"enum": ["x", "y"]}},
        "required": ["text"],
        "additionalProperties": False,
    },
    {
        "type": "object",
        "properties": {
            "n": {"type": ["number", "null"], "exclusiveMaximum": 10},
            "tags": {"type": "array", "maxItems": 2},
        },
    },
]
FAST = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.mark.parametrize("schema", SCHEMAS)
@FAST
@given(data=st.data())
def test_valid_examples_conform_and_use_declared_properties(schema, data) -> None:
    example = data.draw(strategies.valid_arguments(schema))
    assert strategies.is_valid(schema, example)
    assert set(example) <= set(schema["properties"])


@pytest.mark.parametrize("schema", SCHEMAS)
@FAST
@given(data=st.data())
def test_invalid_examples_never_conform(schema, data) -> None:
    example = data.draw(strategies.invalid_arguments(schema))
    assert not strategies.is_valid(schema, example.arguments), example
    assert example.defect in ("missing required", "wrong type", "out of range", "extra property")


def defects_of(schema: dict) -> set[str]:
    found: set[str] = set()

    # Derandomized: which defects 30 random draws happen to cover varies from run to run.
    @settings(FAST, derandomize=True, max_examples=60)
    @given(strategies.invalid_arguments(schema))
    def collect(example: strategies.InvalidArguments) -> None:
        found.add(example.defect)

    collect()
    return found


def test_an_extra_property_is_only_invalid_when_the_schema_says_so() -> None:
    """Servers built on the SDK drop unknown arguments: that is only wrong under additionalProperties false."""
    open_schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert "extra property" not in defects_of(open_schema)
    assert "extra property" in defects_of({**open_schema, "additionalProperties": False})


def test_a_schema_that_accepts_anything_has_no_invalid_input() -> None:
    with pytest.raises(strategies.UnsupportedSchema, match="accepts any object"):
        strategies.invalid_arguments({"type": "object"})


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"type": "object", "properties": {"doc": {"$ref": "https://example.com/doc.json"}}}, "network \\$ref"),
        ({"type": "object", "properties": {"a": {"type": "integr"}}}, "not a valid JSON Schema"),
        ({"type": "array"}, "always an object"),
        ("nope", "not a JSON object"),
    ],
)
def test_schemas_that_cannot_be_fuzzed_say_why(schema, reason) -> None:
    with pytest.raises(strategies.UnsupportedSchema, match=reason):
        strategies.check_schema(schema)


def test_hostile_strings_go_into_the_simplest_valid_example() -> None:
    schema = {
        "type": "object",
        "properties": {"seconds": {"type": "number", "minimum": 0}, "query": {"type": "string"}},
        "required": ["seconds", "query"],
    }
    base, choices = strategies.hostile_choices(schema)
    assert base["seconds"] == 0
    labels: set[str] = set()

    @FAST
    @given(choices)
    def check(choice: tuple[str, str]) -> None:
        label, name = choice
        arguments = strategies.with_hostile(base, label, name)
        assert name == "query" and arguments == {**base, "query": strategies.HOSTILE_BY_LABEL[label]}
        assert len(repr(choice)) < 200, "a drawn example stays small even for the 1 MB string"
        labels.add(label)

    check()
    assert len(labels) > 5


CROSS_PROPERTY_SCHEMAS = [
    {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "minProperties": 1,
    },
    {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
        "allOf": [{"required": ["a"]}],
    },
    {
        "type": "object",
        "$defs": {"n": {"type": "integer", "minimum": 3}},
        "properties": {"a": {"$ref": "#/$defs/n"}},
        "required": ["a"],
    },
]


@pytest.mark.parametrize("schema", SCHEMAS + CROSS_PROPERTY_SCHEMAS)
def test_simple_object_schemas_are_drawn_property_by_property_and_the_rest_whole(schema) -> None:
    """Property strategies built once (fixed_dictionaries) only where no keyword ties properties together."""
    closed = strategies.declared_only({**schema, "properties": schema.get("properties", {})})
    compiled = strategies._compiled_object(closed)
    assert (compiled is not None) == (schema in SCHEMAS)


@pytest.mark.parametrize("schema", CROSS_PROPERTY_SCHEMAS)
@FAST
@given(data=st.data())
def test_schemas_with_cross_property_rules_still_give_valid_examples(schema, data) -> None:
    assert strategies.is_valid(schema, data.draw(strategies.valid_arguments(schema)))


def test_the_compiled_strategy_draws_optional_properties_sometimes() -> None:
    schema = SCHEMAS[1]
    seen: list[frozenset[str]] = []

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategies.valid_arguments(schema))
    def collect(example) -> None:
        assert strategies.is_valid(schema, example)
        seen.append(frozenset(example))

    collect()
    assert frozenset({"text"}) in seen and frozenset({"text", "mode"}) in seen


# -- patterns drawn from a pool of walked strings, or as one text of a repeated character class --
EMAIL = (
    r"^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$"
)
DRAWN_PATTERNS = [
    (EMAIL, 0, 254),
    (r"^[^\x00-\x1f\x7f-\x9f]*$", 1, 200),
    (r"^\d{4}-\d{2}-\d{2}$", 0, None),
    (r"^(draft|open|closed)$", 0, None),
    (r"^\w+\s?\w*$", 2, 12),
    (r"[a-f0-9]{8}", 0, 20),
    (r"^a.b$", 0, None),
    (r"^$", 0, None),
    (r"x|y", 0, None),
    (r"^[^a]+$", 3, 3),
]


@pytest.mark.parametrize(("pattern", "min_size", "max_size"), DRAWN_PATTERNS)
@FAST
@given(data=st.data())
def test_pattern_strings_match_and_fit(pattern, min_size, max_size, data) -> None:
    import re

    strategy = pattern_text(pattern, min_size=min_size, max_size=max_size)
    assert strategy is not None, f"{pattern!r} should be drawn without hypothesis-jsonschema"
    text = data.draw(strategy)
    assert re.search(pattern, text), (pattern, text)
    assert min_size <= len(text) and (max_size is None or len(text) <= max_size)


def test_a_pattern_pool_is_the_same_each_run_holds_only_matches_and_starts_with_the_simplest_string() -> None:
    import re

    from pytest_mcp.suite.pattern_strings import POOL_SIZE, _pool, pattern_pool

    pool = pattern_pool(EMAIL, max_size=254)
    assert pool[0] == "0@0.AA"  # every repeat at its minimum, every class its simplest character
    assert len(pool) == len(set(pool)) == POOL_SIZE
    assert all(re.search(EMAIL, text) and len(text) <= 254 for text in pool)
    assert [len(text) for text in pool] == sorted(len(text) for text in pool)
    assert any("+" in text for text in pool) and any(text.count(".") > 2 for text in pool)
    assert list(_pool.__wrapped__(EMAIL, 0, 254)) == pool  # walked again, not the process's cached pool
    assert pattern_pool(r"^(draft|open|closed)$") == ["open", "draft", "closed"]
    assert pattern_pool(r"^\d{4}-\d{2}-\d{2}$", max_size=9) == []  # no string fits
    assert pattern_text(r"^\d{4}-\d{2}-\d{2}$", max_size=9) is None


def test_a_failing_pattern_string_shrinks_within_the_pool() -> None:
    """A failure that does not depend on the string shrinks to the simplest one; one that does ends at a string
    of the pool that still fails, not always the shortest such (Hypothesis shrinks the pool's index)."""
    from hypothesis import find

    from pytest_mcp.suite.pattern_strings import pattern_pool

    pool = pattern_pool(EMAIL, max_size=254)
    quick = settings(database=None, max_examples=200)
    assert find(pattern_text(EMAIL, max_size=254), lambda text: True, settings=quick) == "0@0.AA"
    found = find(pattern_text(EMAIL, max_size=254), lambda text: "+" in text, settings=quick)
    assert "+" in found and found in pool


@pytest.mark.parametrize(
    "pattern",
    [
        r"^(a)\1$",
        r"^(?=a)a$",
        r"(?i)^abc$",
        r"^a\bb$",
        r"^[^\d]$",
        "[unclosed",
        r"^[\u0000-\uffff]$",
        r"^[\ud800-\udbff]+$",
    ],
)
def test_patterns_beyond_the_subset_are_left_to_hypothesis_jsonschema(pattern) -> None:
    from pytest_mcp.suite.pattern_strings import pattern_pool

    assert pattern_text(pattern) is None
    assert pattern_pool(pattern) == []


def test_a_pattern_property_is_drawn_cheaply_also_as_an_optional_anyof_branch() -> None:
    """pydantic writes ``Optional[constr(pattern=...)]`` as ``anyOf: [string with pattern, null]``."""
    schema = {
        "type": "object",
        "properties": {
            "assignee": {"anyOf": [{"type": "string", "pattern": EMAIL, "maxLength": 254}, {"type": "null"}]},
            "title": {"type": "string", "pattern": r"^\S+$", "minLength": 1},
        },
        "required": ["title"],
    }
    assert strategies._property_strategy(schema["properties"]["assignee"]) is not None
    seen_null = seen_text = False

    @FAST
    @given(strategies.valid_arguments(schema))
    def check(example) -> None:
        nonlocal seen_null, seen_text
        assert strategies.is_valid(schema, example), example
        seen_null |= "assignee" in example and example["assignee"] is None
        seen_text |= isinstance(example.get("assignee"), str)

    check()
    assert seen_null and seen_text


def _plus_server() -> Any:
    """``invite`` answers an address holding a ``+`` with a JSON-RPC error (valid input: a defect)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.shared.exceptions import MCPError

    server = MCPServer("plus")

    @server.tool(annotations={"readOnlyHint": True})
    def invite(address: Annotated[str, Field(pattern=EMAIL, max_length=254)], seats: int = 1) -> str:
        if "+" in address:
            raise MCPError(-32603, "sub-addresses break the mailer")
        return f"{seats} seat(s) for {address}"

    return server


@pytest.mark.anyio
async def test_fuzzing_reports_the_simplest_address_that_fails_for_one_character() -> None:
    """Hypothesis shrinks the pool's index to a local minimum; the engine then tries one-character variants of the
    pattern's simplest string, so the report shows ``+@0.AA`` rather than a long address holding a ``+``."""
    from pytest_mcp.client.mcp_client import connect
    from pytest_mcp.server.running import RunningServer
    from pytest_mcp.server.targets import in_process
    from pytest_mcp.settings import Settings
    from pytest_mcp.suite.fuzz_engine import FuzzConfig, fuzz_tool

    running = RunningServer(in_process(_plus_server), Settings()).start()
    try:
        async with connect(running, timeout=10) as client:
            tool = next(tool for tool in await client.tools() if tool.name == "invite")
            report = await fuzz_tool(client, tool, "valid", config=FuzzConfig(examples=60, seed=3))
    finally:
        running.stop()
    assert report.failure is not None, "a + is in many addresses of the pool: fuzzing must find it"
    assert report.failure.arguments["address"] == "+@0.AA", report.failure.arguments
    assert "sub-addresses" in report.failure.reply
