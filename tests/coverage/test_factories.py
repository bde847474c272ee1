"""Argument factories: every generated dict is checked against its schema with jsonschema."""

from __future__ import annotations

import datetime
import re
import shutil
from typing import Any
from urllib.parse import urlsplit

import factory
import factory.random
import jsonschema
import pytest

from pytest_mcp.factories.arguments import OMIT, JsonSchemaProvider, SchemaValueError, ToolArgumentsFactory

from ..conftest import NODE_SERVERS

pytestmark = pytest.mark.unit

SEEDS = range(25)

FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri", raises=ValueError)
def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


@FORMATS.checks("hostname")
def _hostname(value: object) -> bool:
    return not isinstance(value, str) or re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*", value) is not None


@FORMATS.checks("time")
def _time(value: object) -> bool:
    return not isinstance(value, str) or re.fullmatch(r"\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", value) is not None


def check(schema: dict[str, Any], value: Any) -> None:
    """Validate with the schema's own draft, checking formats (with stricter checkers for the ones
    jsonschema skips without optional packages)."""
    validator = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    validator(schema, format_checker=FORMATS).validate(value)


RICH = {
    "type": "object",
    "properties": {
        "email": {"type": "string", "format": "email"},
        "when": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "at": {"type": "string", "format": "time"},
        "site": {"type": "string", "format": "uri"},
        "host": {"type": "string", "format": "hostname"},
        "ip4": {"type": "string", "format": "ipv4"},
        "ip6": {"type": "string", "format": "ipv6"},
        "key": {"type": "string", "format": "uuid"},
        "color": {"enum": ["red", "green", "blue"]},
        "version": {"const": 2},
        "count": {"type": "integer", "minimum": 5, "exclusiveMaximum": 9},
        "even": {"type": "integer", "multipleOf": 2, "minimum": -10, "maximum": 10},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "step": {"type": "number", "multipleOf": 0.25, "minimum": -1, "maximum": 1},
        "code": {"type": "string", "pattern": r"^[A-Z]{3}-\d{2,4}(x|y)?$"},
        "slug": {"type": "string", "pattern": r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "maxLength": 20},
        "short": {"type": "string", "minLength": 2, "maxLength": 4},
        "tags": {
            "type": "array",
            "items": {"type": "string", "maxLength": 5},
            "minItems": 2,
            "maxItems": 4,
            "uniqueItems": True,
        },
        "point": {
            "type": "array",
            "prefixItems": [{"type": "number"}, {"type": "number"}],
            "minItems": 2,
            "maxItems": 2,
        },
        "owner": {"$ref": "#/$defs/Person"},
        "maybe": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]},
        "either": {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "boolean"}]},
        "both": {"allOf": [{"type": "integer", "minimum": 0}, {"maximum": 3}]},
        "typed": {"type": ["string", "null"], "minLength": 1},
        "flag": {"type": "boolean"},
        "nothing": {"type": "null"},
        "anything": {},
    },
    "required": ["email", "count", "owner"],
    "additionalProperties": False,
    "$defs": {
        "Person": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "role": {"enum": ["admin", "user"]},
                "friends": {"type": "array", "items": {"$ref": "#/$defs/Person"}, "maxItems": 2},
            },
            "required": ["name", "role"],
        }
    },
}

DRAFT7 = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
        "score": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
        "sort": {"type": "string", "enum": ["asc", "desc"]},
        "q": {"type": "string"},
    },
    "required": ["q"],
}


@pytest.mark.parametrize("schema", [RICH, DRAFT7], ids=["rich-2020-12", "draft-07"])
def test_every_built_dict_is_valid_against_its_schema(schema: dict[str, Any]) -> None:
    arguments = ToolArgumentsFactory.for_schema(schema, name="rich")
    for seed in SEEDS:
        factory.random.reseed_random(seed)
        for value in arguments.build_batch(4):
            check(schema, value)
            arguments.validate(value)


def test_formats_and_enums_get_realistic_values() -> None:
    factory.random.reseed_random(7)
    value = ToolArgumentsFactory.for_schema(RICH).build()
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.\w+", value["email"])
    assert urlsplit(value["site"]).scheme in ("http", "https")
    assert datetime.datetime.fromisoformat(value["when"]).tzinfo is not None
    assert value["color"] in ("red", "green", "blue")
    assert value["version"] == 2
    assert 5 <= value["count"] < 9
    assert value["owner"]["role"] in ("admin", "user")


def test_every_enum_value_turns_up_in_a_batch() -> None:
    factory.random.reseed_random(1)
    colors = {value["color"] for value in ToolArgumentsFactory.for_schema(RICH).build_batch(60)}
    assert colors == {"red", "green", "blue"}


def test_the_same_seed_gives_the_same_values() -> None:
    arguments = ToolArgumentsFactory.for_schema(RICH)
    factory.random.reseed_random(42)
    first = arguments.build_batch(3)
    factory.random.reseed_random(42)
    assert arguments.build_batch(3) == first
    factory.random.reseed_random(43)
    assert arguments.build_batch(3) != first


def test_fields_can_be_overridden_or_left_out() -> None:
    arguments = ToolArgumentsFactory.for_schema(DRAFT7, name="search")
    value = arguments.build(q="cats", limit=OMIT, sort=ToolArgumentsFactory.OMIT)
    assert value["q"] == "cats"
    assert "limit" not in value
    assert "sort" not in value
    assert set(arguments.build_batch(3, q="dogs")[2]) == {"q", "limit", "score", "sort"}
    assert arguments.tool_name == "search"
    assert arguments.schema == DRAFT7


def test_each_generated_factory_counts_its_own_sequence() -> None:
    class Limits(ToolArgumentsFactory.for_schema(DRAFT7, name="a")):  # type: ignore[misc]
        limit = factory.Sequence(lambda n: n + 1)

    class Others(ToolArgumentsFactory.for_schema(DRAFT7, name="b")):  # type: ignore[misc]
        limit = factory.Sequence(lambda n: n + 1)

    assert [value["limit"] for value in Limits.build_batch(5)] == [1, 2, 3, 4, 5]
    assert [value["limit"] for value in Others.build_batch(2)] == [1, 2]  # not 6, 7: no counter shared


def test_optional_false_builds_only_the_required_arguments() -> None:
    assert set(ToolArgumentsFactory.for_schema(DRAFT7, optional=False).build()) == {"q"}
    factory.random.reseed_random(3)
    value = ToolArgumentsFactory.for_schema(RICH, optional=False).build()
    assert set(value) == {"email", "count", "owner"}
    assert set(value["owner"]) == {"name", "role"}
    check(RICH, value)


def test_argument_names_that_clash_with_factory_attributes_still_work() -> None:
    schema = {
        "type": "object",
        "properties": {
            "build": {"type": "boolean"},
            "create": {"type": "integer"},
            "schema": {"type": "string"},
            "_private": {"type": "string"},
            "Meta": {"type": "string"},
            "user-name": {"type": "string"},
            "deep__name": {"type": "string"},
            "field1": {"type": "string"},
        },
        "required": ["build", "create", "schema", "_private", "Meta", "user-name", "deep__name", "field1"],
    }
    arguments = ToolArgumentsFactory.for_schema(schema, name="clash")
    value = arguments.build(build=True, schema="given", **{"user-name": "ada", "deep__name": "d", "_private": "p"})
    assert set(value) == set(schema["properties"])
    assert (value["build"], value["schema"], value["user-name"]) == (True, "given", "ada")
    assert (value["deep__name"], value["_private"]) == ("d", "p")
    check(schema, value)
    assert arguments.build_batch(2)[0].keys() == value.keys()


def test_tools_as_sdk_models_or_wire_dicts() -> None:
    from mcp_types import Tool

    tool = Tool(name="search", input_schema=DRAFT7)
    from_model = ToolArgumentsFactory.for_tool(tool)
    from_dict = ToolArgumentsFactory.for_tool({"name": "search", "inputSchema": DRAFT7})
    assert from_model.__name__ == from_dict.__name__ == "SearchArgumentsFactory"
    check(DRAFT7, from_model.build())
    check(DRAFT7, from_dict.build())


def test_impossible_or_unsupported_schemas_are_explained() -> None:
    with pytest.raises(TypeError, match="does not describe an object"):
        ToolArgumentsFactory.for_schema({"type": "string"}, name="odd")
    with pytest.raises(TypeError, match="has no inputSchema"):
        ToolArgumentsFactory.for_tool({"name": "x"})
    impossible = ToolArgumentsFactory.for_schema(
        {"type": "object", "properties": {"n": {"type": "integer", "minimum": 3, "maximum": 2}}, "required": ["n"]}
    )
    with pytest.raises(SchemaValueError, match="no integer satisfies"):
        impossible.build()
    remote = ToolArgumentsFactory.for_schema(
        {"type": "object", "properties": {"r": {"$ref": "https://example.com/s.json"}}, "required": ["r"]}
    )
    with pytest.raises(SchemaValueError, match="only local \\$ref values are supported"):
        remote.build()


def test_the_provider_works_with_a_plain_faker() -> None:
    from faker import Faker

    fake = Faker()
    fake.add_provider(JsonSchemaProvider)
    fake.seed_instance(5)
    for _ in range(20):
        check(RICH, fake.json_schema_value(RICH))


# -- real servers' tools ----------------------------------------------------------------------


async def _tools(target: str) -> list[Any]:
    from pytest_mcp.client.mcp_client import connect
    from pytest_mcp.server.running import RunningServer
    from pytest_mcp.server.targets import parse_target
    from pytest_mcp.settings import Settings

    server = RunningServer(parse_target(target), Settings()).start()
    try:
        async with connect(server, timeout=15) as client:
            return await client.tools()
    finally:
        server.stop()


def check_every_tool(tools: list[Any]) -> None:
    """Arguments built for each tool, with a few seeds, are valid against its inputSchema."""
    for tool in tools:
        arguments = ToolArgumentsFactory.for_tool(tool)
        for seed in range(5):
            factory.random.reseed_random(seed)
            for value in arguments.build_batch(3):
                check(tool.input_schema, value)


@pytest.mark.anyio
async def test_arguments_for_every_demo_server_tool_are_valid() -> None:
    tools = await _tools("tests.servers.demo:make_server")
    assert {"add", "echo", "sleep", "fail"} <= {tool.name for tool in tools}
    check_every_tool(tools)


@pytest.mark.integration
@pytest.mark.anyio
async def test_arguments_for_every_everything_server_tool_are_valid() -> None:
    script = NODE_SERVERS / "server-everything" / "dist" / "index.js"
    if not script.exists() or shutil.which("node") is None:
        pytest.skip("server-everything is not installed: run `npm ci --prefix tests/servers`")
    tools = await _tools(f"node {script} stdio")
    assert len(tools) >= 10
    with_enums = [tool.name for tool in tools if "enum" in str(tool.input_schema)]
    assert with_enums, "the everything server should have tools with enum arguments"
    check_every_tool(tools)


def test_the_fixture_builds_arguments_the_server_accepts(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        test_args="""
        import factory.random
        import pytest

        pytestmark = pytest.mark.anyio

        async def test_add_many(mcp_client, mcp_arguments_factory):
            factory.random.reseed_random(11)
            Add = await mcp_arguments_factory("add")
            for args in Add.build_batch(10):
                result = await mcp_client.call_tool("add", args)
                assert result.structured_content == {"result": args["a"] + args["b"]}
            assert (await mcp_client.call_tool("add", Add.build(a=40, b=2))).structured_content == {"result": 42}

        @pytest.mark.parametrize("text", ["x", "longer text"])
        async def test_echo(mcp_client, mcp_arguments_factory, text):
            Echo = await mcp_arguments_factory("echo")
            assert (await mcp_client.call_tool("echo", Echo.build(text=text))).text == text

        async def test_typo(mcp_arguments_factory):
            await mcp_arguments_factory("ad")
        """
    )
    result = mcp_pytester.runpytest("--mcp-server=tests.servers.demo:make_server")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*has no tool 'ad'. Did you mean 'add'*"])


def test_the_fixture_explains_a_missing_factory_boy(
    mcp_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_mcp import extras

    installed = extras.installed
    monkeypatch.setattr(extras, "installed", lambda module: module != "factory" and installed(module))
    mcp_pytester.makepyfile(
        """
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("tests.servers.demo:make_server")]

        async def test_it(mcp_arguments_factory):
            await mcp_arguments_factory("add")
        """
    )
    result = mcp_pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["mcp_arguments_factory needs factory-boy: pip install 'pytest-mcp-testkit[factories]'"]
    )
    result.stdout.no_fnmatch_line("*Traceback*")
