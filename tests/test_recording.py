"""The recording hot path: transcript rows, the recording dispatcher and tool results made in place."""

from __future__ import annotations

import gc
from typing import Any

import anyio
import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult

from pytest_mcp.client.mcp_client import ToolResult
from pytest_mcp.client.recording import RecordingDispatcher
from pytest_mcp.client.transcript import _PACK_EVERY, Transcript, TranscriptMessage
from pytest_mcp.load.runner import TRANSCRIPT_KEEP, _BoundedTranscript

pytestmark = pytest.mark.unit


def test_messages_are_built_when_read_in_the_order_they_were_added() -> None:
    transcript = Transcript(label="t")
    transcript.add("->", "request", "tools/call", 1, {"name": "add"})
    assert len(transcript) == 1
    first = transcript.messages
    assert [(m.direction, m.kind, m.method, m.id) for m in first] == [("->", "request", "tools/call", 1)]
    transcript.add("<-", "response", "tools/call", 1, {"content": []}, elapsed=0.5, note="n")
    assert len(transcript) == 2
    # The same list object grows: a caller holding it sees later messages after reading again.
    assert transcript.messages is first
    last = transcript.messages[-1]
    assert isinstance(last, TranscriptMessage)
    assert (last.kind, last.elapsed, last.note) == ("response", 0.5, "n")
    assert 0 <= first[0].time <= last.time


def test_a_cleared_or_trimmed_message_list_stays_so() -> None:
    transcript = Transcript()
    for index in range(3):
        transcript.add("->", "notification", f"m{index}", None, None)
    del transcript.messages[:2]
    transcript.add("->", "notification", "m3", None, None)
    assert [m.method for m in transcript] == ["m2", "m3"]
    transcript.messages.clear()
    assert len(transcript) == 0
    assert transcript.render() == "(no messages)"


def test_reading_helpers_see_unread_rows() -> None:
    transcript = Transcript()
    transcript.add("->", "request", "tools/list", 1, None)
    transcript.add("->", "request", "tools/call", 2, {"name": "add"})
    assert [m.id for m in transcript.requests("tools/call")] == [2]
    transcript.add("<-", "response", "tools/call", 2, {"isError": False})
    assert transcript.to_jsonl().count("\n") == 3
    assert "tools/call id=2" in transcript.render(last=1)


def test_older_messages_are_packed_out_of_the_garbage_collectors_sight_and_read_back_in_order() -> None:
    transcript = Transcript()
    count = 2 * _PACK_EVERY + 5
    for index in range(count):
        transcript.add("<-", "response", "tools/call", index, {"content": [{"type": "text", "text": str(index)}]})
    assert len(transcript._packed) == 2 and len(transcript._rows) == 5
    assert all(type(snapshot) is bytes and not gc.is_tracked(snapshot) for snapshot in transcript._packed)
    assert len(transcript) == count
    messages = transcript.messages
    assert [m.id for m in messages] == list(range(count))
    assert messages[_PACK_EVERY].payload == {"content": [{"type": "text", "text": str(_PACK_EVERY)}]}
    assert not transcript._packed and not transcript._rows
    del messages[:-3]  # a trimmed list stays trimmed; later messages follow it
    transcript.add("->", "notification", "m", None, None)
    assert [m.id for m in transcript] == [count - 3, count - 2, count - 1, None]


def test_a_payload_that_is_not_plain_data_is_kept_as_the_object() -> None:
    transcript = Transcript()
    marker = object()
    transcript.add("->", "request", "x", 0, {"handle": marker})
    for index in range(1, _PACK_EVERY + 1):
        transcript.add("->", "request", "x", index, {"n": index})
    assert len(transcript) == _PACK_EVERY + 1
    messages = transcript.messages
    assert messages[0].payload["handle"] is marker
    assert [m.id for m in messages] == list(range(_PACK_EVERY + 1))


def test_a_load_transcript_keeps_only_the_latest_messages() -> None:
    transcript = _BoundedTranscript()
    for index in range(2 * TRANSCRIPT_KEEP + 1):
        transcript.add("->", "request", "tools/call", index, None)
    assert len(transcript) == TRANSCRIPT_KEEP
    assert transcript.messages[-1].id == 2 * TRANSCRIPT_KEEP
    assert transcript.messages[0].id == TRANSCRIPT_KEEP + 1


class _Inner:
    """A dispatcher that answers from a script and keeps the options it was given."""

    on_stream_exception = None

    def __init__(self, reply: Any) -> None:
        self.reply = reply
        self.seen: list[dict[str, Any]] = []

    async def send_raw_request(self, method: str, params: Any, opts: Any = None) -> Any:
        self.seen.append(opts)
        if isinstance(self.reply, BaseException):
            raise self.reply
        return self.reply


def test_the_recorder_mints_ids_keeps_given_ones_and_leaves_the_callers_options_alone() -> None:
    inner = _Inner({"tools": []})
    transcript = Transcript()
    recorder = RecordingDispatcher(inner, transcript)
    given: dict[str, Any] = {"timeout": 3}

    async def main() -> None:
        assert await recorder.send_raw_request("tools/list", None, given) == {"tools": []}
        await recorder.send_raw_request("tools/list", None)
        await recorder.send_raw_request("tools/list", None, {"request_id": "mine"})

    anyio.run(main)
    assert given == {"timeout": 3}
    assert [opts["request_id"] for opts in inner.seen] == [1, 2, "mine"]
    assert inner.seen[0]["timeout"] == 3
    assert [(m.direction, m.kind, m.id) for m in transcript] == [
        ("->", "request", 1),
        ("<-", "response", 1),
        ("->", "request", 2),
        ("<-", "response", 2),
        ("->", "request", "mine"),
        ("<-", "response", "mine"),
    ]
    assert all(m.elapsed is not None and m.elapsed >= 0 for m in transcript if m.direction == "<-")


def test_the_recorder_records_errors_and_lost_replies() -> None:
    transcript = Transcript()

    async def send(reply: BaseException) -> None:
        with pytest.raises(type(reply)):
            await RecordingDispatcher(_Inner(reply), transcript).send_raw_request("tools/call", {"name": "x"})

    anyio.run(send, MCPError(code=-32602, message="bad arguments"))
    anyio.run(send, ConnectionResetError("gone"))
    error, lost = transcript.messages[1], transcript.messages[3]
    assert (error.kind, error.payload) == ("error", {"code": -32602, "message": "bad arguments"})
    assert (lost.kind, lost.note, lost.payload) == ("event", "no reply", "ConnectionResetError('gone')")


def _result() -> CallToolResult:
    return CallToolResult.model_validate(
        {"content": [{"type": "text", "text": "3"}], "structuredContent": {"result": 3}, "isError": False}
    )


def test_wrap_copies_and_leaves_the_result_as_it_was() -> None:
    raw = _result()
    wrapped = ToolResult.wrap(raw, "add", {"a": 1}, "srv")
    assert type(raw) is CallToolResult
    assert wrapped is not raw
    assert (wrapped.tool, wrapped.arguments, wrapped.server, wrapped.text) == ("add", {"a": 1}, "srv", "3")


def test_a_wrapped_result_behaves_like_the_sdk_one_and_keeps_its_fields_set_and_extras() -> None:
    raw = CallToolResult.model_validate(
        {"content": [{"type": "text", "text": "3"}], "structuredContent": {"result": 3}, "vendorField": 7}
    )
    wrapped = ToolResult.wrap(raw, "add", {"a": 1}, "srv")
    assert type(wrapped) is ToolResult and type(raw) is CallToolResult
    assert (wrapped.text, wrapped.structured, wrapped.is_error) == ("3", {"result": 3}, False)
    assert wrapped.model_fields_set == raw.model_fields_set
    assert wrapped.model_dump(by_alias=True, exclude_unset=True) == raw.model_dump(by_alias=True, exclude_unset=True)
    assert wrapped == ToolResult.wrap(raw, "add", {"a": 1}, "srv")


def test_a_result_of_another_type_is_wrapped_as_a_tool_result() -> None:
    class Subclass(CallToolResult):
        pass

    raw = Subclass.model_validate({"content": [], "isError": True})
    wrapped = ToolResult.wrap(raw, "x", None, "srv")
    assert type(raw) is Subclass
    assert (type(wrapped), wrapped.is_error, wrapped.tool) == (ToolResult, True, "x")


def test_record_traffic_wraps_the_dispatcher_of_an_sdk_client_under_the_recorder() -> None:
    from mcp import Client

    from pytest_mcp.client.recording import record_traffic
    from tests.servers.demo import make_server

    transcript = Transcript()
    seen: list[str] = []

    def wrapper(inner: Any) -> Any:
        seen.append(type(inner).__name__)
        return inner

    async def main() -> None:
        sdk = Client(make_server(), cache=None)
        record_traffic(sdk, transcript, (wrapper,))
        async with sdk:
            await sdk.call_tool("add", {"a": 1, "b": 2})

    anyio.run(main)
    assert seen == ["DirectDispatcher"]
    calls = [(m.direction, m.kind, m.method) for m in transcript.messages if m.method == "tools/call"]
    assert calls == [("->", "request", "tools/call"), ("<-", "response", "tools/call")]
