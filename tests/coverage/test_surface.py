"""Units of the coverage arithmetic: enum extraction, template matching, recording, merging, rendering."""

from __future__ import annotations

import pytest

from pytest_mcp.client.transcript import Transcript
from pytest_mcp.surface.report import (
    CoverageData,
    ServerCoverage,
    Surface,
    build_report,
    display_percent,
    enum_values,
    format_table,
    template_regex,
    tool_arguments,
)

pytestmark = pytest.mark.unit

SCHEMA = {
    "type": "object",
    "properties": {
        "color": {"$ref": "#/$defs/Color"},
        "size": {"anyOf": [{"enum": ["s", "m"]}, {"const": "l"}, {"type": "null"}]},
        "tags": {"type": "array", "items": {"enum": ["a", "b"]}},
        "mode": {"oneOf": [{"const": 1}, {"type": "string"}]},
        "flag": {"type": "boolean"},
    },
    "$defs": {"Color": {"enum": ["red", "blue", None]}},
}


def test_enum_values_follow_refs_unions_consts_and_array_items() -> None:
    assert tool_arguments(SCHEMA) == {
        "color": ['"blue"', '"red"'],
        "size": ['"l"', '"m"', '"s"'],
        "tags": ['"a"', '"b"'],
        "mode": [],  # one open branch (any string) makes the argument open
        "flag": [],
    }
    assert enum_values({"type": "string"}, {}) == []
    assert tool_arguments({"type": "object"}) == {}
    assert tool_arguments(None) == {}


@pytest.mark.parametrize(
    ("template", "uri", "matches"),
    [
        ("demo://items/{id}", "demo://items/42", True),
        ("demo://items/{id}", "demo://items/4/2", False),
        ("file:///{+path}", "file:///a/b/c.txt", True),
        ("search://q{?term,page}", "search://q?term=x&page=2", True),
        ("search://q{?term,page}", "search://q", True),
        ("repo://{owner}/{name}", "repo://ada/engine", True),
        ("repo://{owner}/{name}", "repo://ada", False),
    ],
)
def test_template_regex(template: str, uri: str, matches: bool) -> None:
    assert bool(template_regex(template).fullmatch(uri)) is matches


def transcript() -> Transcript:
    t = Transcript()
    t.add("->", "request", "tools/call", 1, {"name": "paint", "arguments": {"color": "red", "tags": ["a", "z"]}})
    t.add("<-", "response", "tools/call", 1, {"content": [], "isError": False})
    t.add("->", "request", "tools/call", 2, {"name": "paint", "arguments": {"color": "blue"}})
    t.add("<-", "error", "tools/call", 2, {"code": -32602, "message": "bad"})
    t.add("->", "request", "tools/call", 3, {"name": "paint", "arguments": {"size": "s"}})
    t.add("<-", "error", "tools/call", 3, {"code": -32000, "message": "Connection closed"})
    t.add("->", "request", "resources/read", 4, {"uri": "demo://items/9"})
    t.add("<-", "response", "resources/read", 4, {"contents": []})
    t.add("->", "request", "resources/read", 5, {"uri": "demo://static"})
    t.add("<-", "error", "resources/read", 5, {"code": -32602, "message": "missing"})
    t.add("->", "request", "tools/list", 6, {})
    t.add("<-", "response", "tools/list", 6, {"tools": [{"name": "paint", "inputSchema": SCHEMA}]})
    t.add("->", "request", "resources/templates/list", 7, None)
    t.add(
        "<-", "response", "resources/templates/list", 7, {"resourceTemplates": [{"uriTemplate": "demo://items/{id}"}]}
    )
    t.add("->", "event", None, None, "raw bytes", note="raw")
    return t


def test_a_transcript_records_calls_outcomes_reads_and_listings() -> None:
    coverage = ServerCoverage()
    coverage.add_transcript(transcript().messages)
    use = coverage.tools["paint"]
    assert (use.calls, use.success, use.error) == (3, 1, 1)  # the closed connection is no outcome
    assert use.arguments == {"color": 2, "tags": 1, "size": 1}
    assert use.values["tags"] == {'"a"', '"z"'}
    assert coverage.reads == {"demo://items/9": [1, 0], "demo://static": [0, 1]}
    assert set(coverage.surface.tools) == {"paint"}
    assert coverage.surface.templates == {"demo://items/{id}"}


def test_report_items_and_unadvertised_reads() -> None:
    data = CoverageData()
    data.server("s").add_transcript(transcript().messages)
    (server,) = build_report(data).servers
    (paint, template) = server.entries
    assert paint.kind == "tool"
    assert paint.missing == ["arg flag", "arg mode", 'size="l"', 'size="m"', 'tags="b"']
    assert template.missing == []
    assert server.unadvertised == {"resources": ["demo://static"]}
    assert (paint.hit, paint.total) == (9, 14)
    assert (server.hit, server.total) == (10, 15)


def test_data_survives_the_trip_to_the_xdist_controller_and_merges() -> None:
    one = CoverageData()
    one.server("s").add_transcript(transcript().messages)
    one.server("s").tests = 1
    two = CoverageData()
    two.server("s").surface.merge(Surface(tools={"paint": {"flag": []}}, resources={"demo://static"}))
    two.server("s").discovered = True
    two.server("s").tools.setdefault("paint", type(one.server("s").tools["paint"])()).arguments["flag"] = 1
    two.server("s").tests = 2
    merged = CoverageData.loads(one.dumps())
    merged.merge(CoverageData.loads(two.dumps()))
    server = merged.servers["s"]
    assert server.tests == 3
    assert server.discovered
    assert server.tools["paint"].arguments == {"color": 2, "tags": 1, "size": 1, "flag": 1}
    assert server.surface.resources == {"demo://static"}
    assert CoverageData.loads(merged.dumps()).dumps() == merged.dumps()
    with pytest.raises(ValueError, match="not pytest-mcp-coverage/1 data"):
        CoverageData.loads('{"format": "other"}')


def test_percentages_never_round_to_a_misleading_0_or_100() -> None:
    assert [display_percent(v) for v in (0, 0.4, 50, 99.6, 100)] == ["0%", "1%", "50%", "99%", "100%"]


def test_several_servers_get_a_grand_total_and_an_unknown_surface_says_why() -> None:
    data = CoverageData()
    data.server("b").add_transcript(transcript().messages)
    data.server("a").discovery_error = "McpServerCrashed: gone"
    lines = format_table(build_report(data))
    assert lines[0] == "server: a (0 test(s))"
    assert lines[1] == "  surface unknown (the server could not be listed: McpServerCrashed: gone)"
    assert lines[2] == "server: b (0 test(s))"
    assert lines[-1] == "TOTAL (all servers): 10/15 items, 67%"
