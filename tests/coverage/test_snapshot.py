"""Snapshots of MCP results: syrupy runs (create, compare, mismatch, update) and the masks."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from pytest_mcp.snapshots.extension import McpMasks, McpSnapshotExtension, to_wire

pytestmark = pytest.mark.snapshot

SERVER = "tests.servers.demo:make_server"
XDIST_ENVIRONMENT = ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID")


@pytest.fixture(autouse=True)
def not_an_xdist_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the pytester sessions as top-level sessions even when this test runs in an xdist worker.

    pytest-xdist marks its workers with environment variables, which in-process pytester runs
    inherit; syrupy reads ``PYTEST_XDIST_WORKER`` and then behaves as a worker (no summary lines,
    no unused-snapshot check), which is not what these runs are.
    """
    for name in XDIST_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


SNAP_TESTS = """
import pytest

pytestmark = pytest.mark.anyio


async def test_add(mcp_client, mcp_snapshot):
    assert await mcp_client.call("add", a=1, b=2) == mcp_snapshot


async def test_echo(mcp_client, mcp_snapshot):
    assert await mcp_client.call("echo", text="{text}") == mcp_snapshot
"""

ADD_SNAPSHOT = """\
{
  "content": [
    {
      "text": "3",
      "type": "text"
    }
  ],
  "isError": false,
  "structuredContent": {
    "result": 3
  }
}
"""


def snapshot_file(pytester: pytest.Pytester, test: str, name: str) -> str:
    return (pytester.path / "__snapshots__" / test / f"{name}.json").read_text()


def test_create_compare_mismatch_and_update(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(test_snap=SNAP_TESTS.replace("{text}", "hello"))

    created = mcp_pytester.runpytest(f"--mcp-server={SERVER}", "--snapshot-update")
    created.assert_outcomes(passed=2)
    created.stdout.fnmatch_lines(["2 snapshots generated."])
    assert snapshot_file(mcp_pytester, "test_snap", "test_add") == ADD_SNAPSHOT
    assert json.loads(snapshot_file(mcp_pytester, "test_snap", "test_echo"))["content"] == [
        {"text": "hello", "type": "text"}
    ]

    compared = mcp_pytester.runpytest(f"--mcp-server={SERVER}")
    compared.assert_outcomes(passed=2)
    compared.stdout.fnmatch_lines(["2 snapshots passed."])

    mcp_pytester.makepyfile(test_snap=SNAP_TESTS.replace("{text}", "goodbye"))
    mismatch = mcp_pytester.runpytest(f"--mcp-server={SERVER}")
    mismatch.assert_outcomes(passed=1, failed=1)
    mismatch.stdout.fnmatch_lines(
        [
            "E       assert [+ received] == [- snapshot]",
            '*-       "text": "hello",',
            '*+       "text": "goodbye",',
        ]
    )
    mismatch.stdout.fnmatch_lines(["1 snapshot failed. 1 snapshot passed."])

    updated = mcp_pytester.runpytest(f"--mcp-server={SERVER}", "--snapshot-update")
    updated.assert_outcomes(passed=2)
    updated.stdout.fnmatch_lines(["1 snapshot passed. 1 snapshot updated."])
    assert '"text": "goodbye"' in snapshot_file(mcp_pytester, "test_snap", "test_echo")
    assert mcp_pytester.runpytest(f"--mcp-server={SERVER}").ret == pytest.ExitCode.OK


def test_with_syrupy_disabled_the_fixture_says_what_to_do(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        """
        def test_it(mcp_snapshot):
            assert {} == mcp_snapshot
        """
    )
    result = mcp_pytester.runpytest("-p", "no:syrupy")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["mcp_snapshot needs syrupy's `snapshot` fixture, and syrupy's plugin is disabled: remove -p no:syrupy. See *"]
    )


FOUR_TESTS = """
import pytest

pytestmark = pytest.mark.anyio


async def test_add(mcp_client, mcp_snapshot):
    assert await mcp_client.call("add", a=1, b=2) == mcp_snapshot


@pytest.mark.mcp_snapshot(paths=["content"])
async def test_masked_echo(mcp_client, mcp_snapshot):
    assert await mcp_client.call("echo", text="x") == mcp_snapshot


def test_plain(mcp_snapshot):
    assert {"kept": True} == mcp_snapshot


@pytest.mark.parametrize("word", ["w" * 300], ids=["w" * 300])
def test_long_id(word, mcp_snapshot):
    assert {"length": len(word)} == mcp_snapshot
"""
LEAN = ("-p", "no:locust", "-p", "no:benchmark", "-p", "no:pytest_cov")
"""Plugins the xdist workers of these runs do not need."""


def test_a_missing_snapshot_fails_until_it_is_created(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(test_three=FOUR_TESTS)
    missing = mcp_pytester.runpytest(f"--mcp-server={SERVER}", "-k", "add")
    missing.assert_outcomes(failed=1, deselected=3)
    missing.stdout.fnmatch_lines(["E         Snapshot 'test_add' does not exist!", "E         + {"])
    missing.stdout.fnmatch_lines(["1 snapshot failed."])
    assert not (mcp_pytester.path / "__snapshots__").exists()


@pytest.mark.slow
def test_unused_snapshots_fail_the_run_and_an_update_under_xdist_deletes_them(mcp_pytester: pytest.Pytester) -> None:
    """Unused files are found from the masked extensions of ``mcp_snapshot`` too, also when the
    xdist controller merges its workers' reports; a deselected test's file (here one whose name
    was cut to 255 characters) is kept."""
    pytest.importorskip("xdist")
    mcp_pytester.makepyfile(test_three=FOUR_TESTS)
    created = mcp_pytester.runpytest(f"--mcp-server={SERVER}", "--snapshot-update")
    created.assert_outcomes(passed=4)
    created.stdout.fnmatch_lines(["4 snapshots generated."])
    assert snapshot_file(mcp_pytester, "test_three", "test_masked_echo") == (
        '{\n  "content": "<masked>",\n  "isError": false,\n  "structuredContent": {\n    "result": "x"\n  }\n}\n'
    )

    mcp_pytester.makepyfile(test_three=FOUR_TESTS.replace("def test_plain", "def helper_plain"))
    unused = mcp_pytester.runpytest(f"--mcp-server={SERVER}")
    unused.assert_outcomes(passed=3)
    assert unused.ret == pytest.ExitCode.TESTS_FAILED  # syrupy fails a run that leaves snapshots unused
    unused.stdout.fnmatch_lines(
        ["3 snapshots passed. 1 snapshot unused.", "Re-run pytest with --snapshot-update to delete unused snapshots."]
    )

    deleted = mcp_pytester.runpytest(
        f"--mcp-server={SERVER}", "-n", "2", *LEAN, "--snapshot-update", "-k", "not long_id"
    )
    assert deleted.ret == pytest.ExitCode.OK
    deleted.stdout.fnmatch_lines(["created: 2/2 workers", "2 snapshots passed. 1 unused snapshot deleted."])
    assert sorted(path.name for path in (mcp_pytester.path / "__snapshots__" / "test_three").iterdir()) == [
        "test_add.json",
        ("test_long_id[" + "w" * 300)[:250] + ".json",  # cut to 255 characters
        "test_masked_echo.json",
    ]


def test_a_file_name_is_cut_to_255_characters_with_its_extension(mcp_pytester: pytest.Pytester) -> None:
    """Whatever syrupy cuts the name to (before 7.0.1: 251 characters plus ".json"), the file name
    has at most 255 characters, and the cut name is found again on the next run."""
    mcp_pytester.makepyfile(
        test_long="""
        import pytest

        @pytest.mark.parametrize("word", ["w" * 300], ids=["w" * 300])
        def test_long_id(word, mcp_snapshot):
            assert {"length": len(word)} == mcp_snapshot
        """
    )
    created = mcp_pytester.runpytest("--snapshot-update")
    created.assert_outcomes(passed=1)
    created.stdout.fnmatch_lines(["1 snapshot generated."])
    (stored,) = (mcp_pytester.path / "__snapshots__" / "test_long").iterdir()
    assert stored.name == ("test_long_id[" + "w" * 300)[:250] + ".json"
    assert stored.read_text() == '{\n  "length": 300\n}\n'
    compared = mcp_pytester.runpytest()
    compared.assert_outcomes(passed=1)
    compared.stdout.fnmatch_lines(["1 snapshot passed."])


MASKS_ERAS_AND_ERRORS = """
import pytest
from pytest_mcp.snapshots import McpSnapshotExtension

pytestmark = pytest.mark.anyio

TEXT = "order 123e4567-e89b-12d3-a456-426614174000 at 2024-05-06T07:08:09.123Z by token=abc123"


@pytest.mark.mcp_snapshot(paths=["content[*].text"], patterns={r"token=\\w+": "token=<secret>"})
async def test_masked(mcp_client, mcp_snapshot):
    assert await mcp_client.call("echo", text=TEXT) == mcp_snapshot


@pytest.mark.mcp_snapshot(uuids=False, timestamps=False)
async def test_unmasked(mcp_client, mcp_snapshot):
    assert await mcp_client.call("echo", text=TEXT) == mcp_snapshot


def test_ids_and_time_keys(mcp_snapshot):
    data = {"id": 17, "userId": "u-9", "createdAt": 1714980000, "name": "kept", "items": [{"item_id": 3}]}
    assert data == mcp_snapshot


@pytest.mark.mcp_era("both")
async def test_eras(mcp_client, mcp_snapshot):
    assert await mcp_client.read_resource("demo://items/4") == mcp_snapshot
    assert await mcp_client.call("add", a=2, b=2) == mcp_snapshot


@pytest.mark.mcp_snapshot(envelope=True)
@pytest.mark.mcp_era("2026-07-28")
async def test_envelope(mcp_client, mcp_snapshot):
    assert await mcp_client.read_resource("demo://greeting") == mcp_snapshot


async def test_direct(mcp_client, snapshot):
    snap = snapshot.use_extension(McpSnapshotExtension)
    assert await mcp_client.outcome("fail", {"message": "nope"}) == snap
    assert await mcp_client.outcome("add", {"a": 1, "b": 1}) == snap
    with pytest.raises(Exception) as raised:
        await mcp_client.read_resource("demo://missing")
    assert raised.value == snap


@pytest.mark.mcp_snapshot(path=["x"])
def test_bad_marker(mcp_snapshot):
    assert {} == mcp_snapshot
"""


def test_masks_eras_envelope_errors_and_a_bad_marker(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(test_more=MASKS_ERAS_AND_ERRORS)
    result = mcp_pytester.runpytest(f"--mcp-server={SERVER}", "--snapshot-update")
    result.assert_outcomes(passed=7, errors=1)
    result.stdout.fnmatch_lines(["*UsageError: @pytest.mark.mcp_snapshot: got an unexpected keyword argument 'path'*"])

    def stored(name: str) -> Any:
        return json.loads(snapshot_file(mcp_pytester, "test_more", name))

    masked = stored("test_masked")
    assert masked["content"] == [{"text": "<masked>", "type": "text"}]
    assert masked["structuredContent"] == {"result": "order <uuid> at <timestamp> by token=<secret>"}
    assert stored("test_unmasked")["structuredContent"]["result"].startswith(
        "order 123e4567-e89b-12d3-a456-426614174000 at 2024-05-06T07:08:09.123Z"
    )
    assert stored("test_ids_and_time_keys") == {
        "createdAt": "<timestamp>",
        "id": "<id>",
        "items": [{"item_id": "<id>"}],
        "name": "kept",
        "userId": "<id>",
    }

    # one snapshot content for both eras: the era envelope is left out by default ...
    for suffix in ("", ".1"):
        assert stored(f"test_eras[2025-11-25]{suffix}") == stored(f"test_eras[2026-07-28]{suffix}")
    assert stored("test_eras[2026-07-28]") == {
        "contents": [{"mimeType": "text/plain", "text": "item 4", "uri": "demo://items/4"}]
    }
    # ... and kept with envelope=True
    envelope = stored("test_envelope")
    assert envelope["resultType"] == "complete"
    assert "cacheScope" in envelope
    assert "io.modelcontextprotocol/serverInfo" in envelope["_meta"]

    # tool errors, successes and protocol errors, as CallOutcome / MCPError
    assert stored("test_direct") == {
        "result": {"content": [{"text": "Error executing tool fail", "type": "text"}], "isError": True}
    }
    assert stored("test_direct.1")["result"]["structuredContent"] == {"result": 2}
    assert stored("test_direct.2") == {
        "error": {"code": -32602, "data": {"uri": "demo://missing"}, "message": "Unknown resource: demo://missing"}
    }

    again = mcp_pytester.runpytest(f"--mcp-server={SERVER}")
    again.assert_outcomes(passed=7, errors=1)
    again.stdout.fnmatch_lines(["11 snapshots passed."])


# -- the text copy of a structured result ---------------------------------------------------

ORDERS_SERVER = """
import itertools
import json
import time
import uuid

from pydantic import BaseModel
from mcp.server.mcpserver import MCPServer

NUMBERS = itertools.count(time.time_ns() % 10**9)


class Receipt(BaseModel):
    id: int
    reference: str
    placedAt: float
    item: str
    total: float


class Ticket(BaseModel):
    ticketId: str
    row: str


def make_server():
    mcp = MCPServer("orders")

    @mcp.tool()
    def order(item: str) -> Receipt:
        \"\"\"A new receipt: a new id and reference, and the time it was placed.\"\"\"
        return Receipt(id=next(NUMBERS), reference=uuid.uuid4().hex, placedAt=time.time(), item=item, total=9.5)

    @mcp.tool()
    def tickets(count: int) -> list[Ticket]:
        \"\"\"New tickets (a list: one text block per ticket).\"\"\"
        return [Ticket(ticketId=uuid.uuid4().hex[:8], row="A") for _ in range(count)]

    @mcp.tool()
    def quote(reference: str) -> str:
        \"\"\"A JSON text that is not the JSON of the structured result ({"result": <that text>}).\"\"\"
        return json.dumps({"reference": reference, "note": "kept"})

    return mcp
"""

STRUCTURED_TESTS = """
import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.mcp_snapshot(paths=["**.reference"])]


async def test_order(mcp_client, mcp_snapshot):
    first = await mcp_client.call("order", item="tea")
    second = await mcp_client.call("order", item="tea")
    assert first.content[0].text != second.content[0].text
    assert first == mcp_snapshot
    assert second == mcp_snapshot


async def test_tickets(mcp_client, mcp_snapshot):
    assert await mcp_client.call("tickets", count=2) == mcp_snapshot


async def test_quote(mcp_client, mcp_snapshot):
    assert await mcp_client.call("quote", reference="r-1") == mcp_snapshot
"""

ORDER_SNAPSHOT = """\
{
  "content": [
    {
      "text": "{\\n  \\"id\\": \\"<id>\\",\\n  \\"reference\\": \\"<masked>\\",\\n  \\"placedAt\\": \\"<timestamp>\\",\\n  \\"item\\": \\"tea\\",\\n  \\"total\\": 9.5\\n}",
      "type": "text"
    }
  ],
  "isError": false,
  "structuredContent": {
    "id": "<id>",
    "item": "tea",
    "placedAt": "<timestamp>",
    "reference": "<masked>",
    "total": 9.5
  }
}
"""


def test_masks_of_the_structured_content_cover_its_text_copy(mcp_pytester: pytest.Pytester) -> None:
    """MCPServer sends a structured result also as a text holding its JSON: the same masks apply
    there, so a result whose id, reference and time change on every call has one snapshot."""
    mcp_pytester.makepyfile(orders=ORDERS_SERVER, test_orders=STRUCTURED_TESTS)
    mcp_pytester.syspathinsert()
    server = "--mcp-server=orders:make_server"

    created = mcp_pytester.runpytest(server, "--snapshot-update")
    created.assert_outcomes(passed=3)
    created.stdout.fnmatch_lines(["4 snapshots generated."])
    assert snapshot_file(mcp_pytester, "test_orders", "test_order") == ORDER_SNAPSHOT
    assert snapshot_file(mcp_pytester, "test_orders", "test_order.1") == ORDER_SNAPSHOT

    # one text block per item of a list, each masked as its item is
    tickets = json.loads(snapshot_file(mcp_pytester, "test_orders", "test_tickets"))
    assert tickets["structuredContent"] == {"result": [{"row": "A", "ticketId": "<id>"}] * 2}
    assert [block["text"] for block in tickets["content"]] == ['{\n  "ticketId": "<id>",\n  "row": "A"\n}'] * 2

    # a JSON text that is not the JSON of the structured result is left as it is
    quote = json.loads(snapshot_file(mcp_pytester, "test_orders", "test_quote"))
    assert quote["content"][0]["text"] == '{"reference": "r-1", "note": "kept"}'
    assert quote["structuredContent"] == {"result": '{"reference": "r-1", "note": "kept"}'}

    again = mcp_pytester.runpytest(server)
    again.assert_outcomes(passed=3)
    again.stdout.fnmatch_lines(["4 snapshots passed."])


# -- units ----------------------------------------------------------------------------------


def serialize(data: object, masks: McpMasks | None = None) -> object:
    extension = McpSnapshotExtension.with_masks(masks) if masks is not None else McpSnapshotExtension
    return json.loads(extension().serialize(data))


def test_paths_support_indexes_wildcards_and_any_depth() -> None:
    data = {"a": {"b": [{"c": 1, "d": 2}, {"c": 3}]}, "e": {"f": {"c": 4}}}
    assert serialize(data, McpMasks(paths=["a.b[1].c"])) == {
        "a": {"b": [{"c": 1, "d": 2}, {"c": "<masked>"}]},
        "e": {"f": {"c": 4}},
    }
    assert serialize(data, McpMasks(paths=["$.a.b[*].c"]))["a"]["b"] == [{"c": "<masked>", "d": 2}, {"c": "<masked>"}]
    assert serialize(data, McpMasks(paths=["**.c"])) == {
        "a": {"b": [{"c": "<masked>", "d": 2}, {"c": "<masked>"}]},
        "e": {"f": {"c": "<masked>"}},
    }
    assert serialize(data, McpMasks(paths=["e.*"])) == {**data, "e": {"f": "<masked>"}}


def test_a_syrupy_matcher_runs_after_the_masks() -> None:
    from syrupy.matchers import path_type

    matcher = path_type({"n": (int,)})
    text = McpSnapshotExtension().serialize({"n": 5, "id": "x", "s": "kept"}, matcher=matcher)
    assert json.loads(text) == {"id": "<id>", "n": "int", "s": "kept"}


def test_timestamps_and_uuids_inside_text_are_masked_but_other_numbers_are_not() -> None:
    text = "v1.2.3 on 2024-01-02 10:11:12+02:00, run 550e8400-e29b-41d4-a716-446655440000, count 42"
    assert serialize({"t": text}) == {"t": "v1.2.3 on <timestamp>, run <uuid>, count 42"}
    assert serialize({"t": text}, McpMasks(uuids=False, timestamps=False)) == {"t": text}


def test_keys_are_sorted_and_the_file_ends_with_a_newline() -> None:
    text = McpSnapshotExtension().serialize({"b": 1, "a": {"d": 1, "c": 2}})
    assert text == '{\n  "a": {\n    "c": 2,\n    "d": 1\n  },\n  "b": 1\n}\n'


def test_to_wire_uses_camel_case_and_drops_none() -> None:
    from mcp_types import CallToolResult, TextContent

    result = CallToolResult(
        content=[TextContent(type="text", text="x")], structured_content={"k": None}, is_error=False
    )
    assert to_wire(result) == {
        "content": [{"type": "text", "text": "x"}],
        "structuredContent": {"k": None},
        "isError": False,
        "resultType": "complete",
    }
    assert serialize([result]) == [
        {"content": [{"text": "x", "type": "text"}], "isError": False, "structuredContent": {"k": None}}
    ]


def test_unsupported_objects_and_bad_masks_are_explained() -> None:
    with pytest.raises(TypeError, match=r"McpSnapshotExtension cannot store a object: pass MCP results"):
        to_wire(object())
    with pytest.raises(ValueError, match=re.escape("McpMasks: bad regular expression '(unclosed'")):
        McpMasks(patterns=["(unclosed"])
    with pytest.raises(ValueError, match="empty JSON path"):
        McpMasks(paths=["$"])


def test_masks_take_the_markers_options_type_or_its_keywords() -> None:
    """``SnapshotOptions`` is the ``mcp_snapshot`` marker's signature and what ``McpMasks`` is built from."""
    from pytest_mcp.snapshots.options import SnapshotOptions

    keywords = {"paths": ["a.b"], "patterns": {"x+": "<x>"}, "ids": False, "envelope": True}
    assert McpMasks(SnapshotOptions(**keywords)) == McpMasks(**keywords)
    assert McpMasks(**keywords).patterns == (("x+", "<x>"),)
    with pytest.raises(ValueError, match="either a SnapshotOptions or keywords, not both"):
        McpMasks(SnapshotOptions(), ids=False)
    with pytest.raises(TypeError, match="idz"):
        McpMasks(idz=False)
    with pytest.raises(TypeError, match=r"takes a SnapshotOptions or keywords \(McpMasks\(paths=\[...\]\)\)"):
        McpMasks(["a.b"])  # type: ignore[arg-type]


def tool_result(text: str, structured: Any) -> dict[str, Any]:
    return {"content": [{"text": text, "type": "text"}], "isError": False, "structuredContent": structured}


def stored_text(data: object, masks: McpMasks | None = None) -> str:
    stored = serialize(data, masks)
    assert isinstance(stored, dict)
    text = stored["content"][0]["text"]
    assert isinstance(text, str)
    return text


def test_a_masked_text_copy_is_written_back_in_the_style_it_came_in() -> None:
    structured = {"id": 7, "name": "café", "ratio": 1e-7}
    # FastMCP (pydantic, compact), the TypeScript SDK (JSON.stringify(value, null, 2)), json.dumps; the text's key order
    assert stored_text(tool_result('{"name":"café","id":7,"ratio":1e-7}', structured)) == (
        '{"name":"café","id":"<id>","ratio":1e-7}'
    )
    assert stored_text(tool_result('{\n  "id": 7,\n  "name": "café",\n  "ratio": 1e-07\n}', structured)) == (
        '{\n  "id": "<id>",\n  "name": "café",\n  "ratio": 1e-07\n}'
    )
    assert stored_text(tool_result('{"id": 7, "name": "caf\\u00e9", "ratio": 1e-07}', structured)) == (
        '{"id": "<id>", "name": "caf\\u00e9", "ratio": 1e-07}'
    )


def test_a_text_copy_masked_as_a_whole_is_the_placeholder_and_other_texts_are_kept() -> None:
    wrapped = tool_result("1714980000", {"result": 1714980000})
    assert stored_text(wrapped, McpMasks(paths=["structuredContent.result"])) == "<masked>"
    assert stored_text(wrapped, McpMasks(paths=["structuredContent"])) == "<masked>"
    assert stored_text(wrapped) == "1714980000"  # nothing to mask: the text as it came
    # not the JSON of the structured content: True is not 1, another key, not JSON at all
    assert stored_text(tool_result("1", {"result": True}), McpMasks(paths=["structuredContent.result"])) == "1"
    assert stored_text(tool_result('{"id": 7}', {"id": 8})) == '{"id": 7}'
    assert stored_text(tool_result("id 7", {"id": 7})) == "id 7"


def test_the_assertions_matcher_and_exclude_filter_apply_to_the_text_copy_too() -> None:
    from syrupy.filters import props
    from syrupy.matchers import path_type

    data = tool_result('{\n  "n": 5,\n  "secret": "s",\n  "kept": true\n}', {"n": 5, "secret": "s", "kept": True})
    text = McpSnapshotExtension().serialize(
        data, matcher=path_type({"structuredContent.n": (int,)}), exclude=props("secret")
    )
    stored = json.loads(text)
    assert stored["structuredContent"] == {"kept": True, "n": "int"}
    assert stored["content"][0]["text"] == '{\n  "n": "int",\n  "kept": true\n}'
