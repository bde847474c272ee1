"""The protocol layer: wire names equal to the SDK's, message builders, SSE reading, outcome classification."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from pytest_mcp import protocol
from pytest_mcp.errors import McpConnectionError, McpServerCrashed, McpTimeoutError
from pytest_mcp.protocol import Reply, classify, classify_reply

SSE = {"content-type": "text/event-stream"}
RESPONSE = b'{"jsonrpc":"2.0","id":1,"result":{"ok":true}}'


def test_the_names_equal_the_sdks() -> None:
    import mcp_types
    from mcp.shared import inbound
    from mcp_types import version

    assert protocol.HANDSHAKE_ERA == version.LATEST_HANDSHAKE_VERSION
    assert protocol.MODERN_ERA == version.LATEST_MODERN_VERSION
    assert protocol.PROTOCOL_VERSION_META == mcp_types.PROTOCOL_VERSION_META_KEY
    assert protocol.CLIENT_INFO_META == mcp_types.CLIENT_INFO_META_KEY
    assert protocol.CLIENT_CAPABILITIES_META == mcp_types.CLIENT_CAPABILITIES_META_KEY
    assert protocol.LOG_LEVEL_META == mcp_types.LOG_LEVEL_META_KEY
    assert protocol.PROTOCOL_VERSION_HEADER == inbound.MCP_PROTOCOL_VERSION_HEADER
    assert protocol.METHOD_HEADER == inbound.MCP_METHOD_HEADER
    assert protocol.NAME_HEADER == inbound.MCP_NAME_HEADER
    assert dict(protocol.NAME_BEARING) == dict(inbound.NAME_BEARING_METHODS)


def test_importing_the_protocol_layer_loads_nothing_heavy() -> None:
    code = textwrap.dedent(
        """
        import sys
        import pytest_mcp.protocol
        heavy = ("mcp", "mcp_types", "pydantic", "httpx2", "jsonschema", "anyio")
        print("LOADED", sorted(name for name in heavy if name in sys.modules))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "LOADED []" in out


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"data: " + RESPONSE + b"\r\r", id="cr-only"),
        pytest.param(b"data: " + RESPONSE + b"\r\n\r\n", id="crlf"),
        pytest.param(b"data: " + RESPONSE + b"\n\n", id="lf"),
        pytest.param(b": keep-alive\n\nevent: ping\ndata: hello\n\ndata: " + RESPONSE + b"\n\n", id="comment-and-ping"),
        pytest.param(b'data: {"jsonrpc":"2.0",\ndata: "id":1,"result":{"ok":true}}\n\n', id="multi-line-data"),
    ],
)
def test_sse_bodies_are_read_as_the_spec_says(body: bytes) -> None:
    reply = Reply(body, 200, SSE)
    assert reply.messages == [{"jsonrpc": "2.0", "id": 1, "result": {"ok": True}}]
    assert reply.read_messages() == reply.messages
    assert classify_reply(reply, 1, "tools/call").kind == "ok"


def test_an_unfinished_sse_event_is_not_a_message() -> None:
    assert Reply(b"data: " + RESPONSE, 200, SSE).messages == []


def test_a_streams_messages_are_shown_one_compact_line_each() -> None:
    body = b"event: ping\ndata: hello\n\ndata: " + RESPONSE + b"\n\ndata: " + RESPONSE + b"\n\n"
    shown = '{"jsonrpc":"2.0","id":1,"result":{"ok":true}}'
    assert Reply(body, 200, SSE).events_text == f"{shown} | {shown}"
    assert Reply(b": keep-alive\n\n", 200, SSE).events_text == "(no events)"


def test_a_message_event_that_is_not_json_is_a_bad_reply() -> None:
    reply = Reply(b"data: {not json\n\n", 200, SSE)
    assert reply.messages == []
    outcome = classify_reply(reply, 1, "ping")
    assert outcome.kind == "bad_reply"
    assert outcome.message.startswith("unparseable body (an SSE event's data is not JSON")


def test_routing_headers_per_era() -> None:
    body = protocol.request("tools/call", {"name": "añadir"}, id=3)
    modern = protocol.routing_headers(protocol.MODERN_ERA, body, protocol_version=protocol.MODERN_ERA)
    assert modern == {
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
        "mcp-name": "=?base64?YcOxYWRpcg==?=",
    }
    handshake = protocol.routing_headers(
        protocol.HANDSHAKE_ERA, body, protocol_version=protocol.HANDSHAKE_ERA, session_id="s1"
    )
    assert handshake == {"mcp-session-id": "s1", "mcp-protocol-version": "2025-11-25"}


def test_the_envelope_keeps_the_callers_meta() -> None:
    fields = protocol.envelope_meta(protocol.MODERN_ERA, client_info={"name": "t", "version": "1"})
    merged = protocol.with_envelope({"_meta": {protocol.PROTOCOL_VERSION_META: "x"}, "a": 1}, fields)
    assert merged["a"] == 1
    assert merged["_meta"][protocol.PROTOCOL_VERSION_META] == "x"
    assert merged["_meta"][protocol.CLIENT_INFO_META] == {"name": "t", "version": "1"}
    assert protocol.envelope_meta(protocol.HANDSHAKE_ERA, client_info={}) == {}


def test_classify_exceptions_and_results() -> None:
    from mcp.shared.exceptions import MCPError

    timeout = McpTimeoutError("no reply to ping within 1 s (raise it with --mcp-timeout)", method="ping", timeout=1)
    assert classify(timeout) == protocol.Outcome("timeout", "no reply to ping within 1 s")
    crashed = McpServerCrashed("the server exited\nstderr: boom", returncode=1, stderr_tail="boom")
    assert classify(crashed) == protocol.Outcome("crash", "the server exited")
    assert classify(MCPError(-32602, "bad params")) == protocol.Outcome("protocol_error", "bad params (code -32602)")
    assert classify(McpConnectionError("refused")).kind == "connection"
    assert classify(ValueError("odd")) == protocol.Outcome("exception", "ValueError: odd")
    error_result = {"isError": True, "content": [{"type": "text", "text": "no such city"}]}
    assert classify(error_result) == protocol.Outcome("is_error", "no such city", error_result)
    assert classify({"content": []}).ok


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (500, b"oops", "http_error"),
        (200, b'{"jsonrpc":"2.0","id":2,"result":{}}', "bad_reply"),
        (200, b'{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"nope"}}', "protocol_error"),
        (200, b'{"jsonrpc":"2.0","id":1,"result":{"resultType":"input_required"}}', "input_required"),
        (200, b'{"jsonrpc":"2.0","id":1,"result":{"isError":true,"content":[]}}', "is_error"),
    ],
)
def test_classify_an_http_reply(status: int, body: bytes, kind: str) -> None:
    reply = Reply(body, status, {"content-type": "application/json"})
    assert classify_reply(reply, 1, "tools/call").kind == kind


def test_example_values_from_a_schema() -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string", "minLength": 6}, "days": {"type": "integer", "minimum": 3}},
        "required": ["city", "days"],
    }
    assert protocol.example_object(schema) == {"city": "tttttt", "days": 3}
    assert protocol.example_value({"type": "string", "pattern": "^a+$"}) is ...


def test_the_fuzzers_minimal_arguments_are_the_schema_example() -> None:
    from pytest_mcp.suite.strategies import minimal_valid

    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 2}},
        "required": ["city", "days"],
    }
    assert minimal_valid(schema) == protocol.example_object(schema) == {"city": "test", "days": 2}


def test_a_call_outcome_is_classified_by_what_it_holds() -> None:
    from pytest_mcp.client.mcp_client import CallOutcome

    def outcome(error: BaseException) -> str:
        return CallOutcome("t", {}, "server", error=error).kind

    assert outcome(McpTimeoutError("no reply", method="tools/call", timeout=1)) == "timeout"
    assert outcome(McpConnectionError("refused")) == "connection"
    assert outcome(RuntimeError("odd")) == "exception"
