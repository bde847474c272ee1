"""FakeUpstream and the mcp_fake_upstream fixture/marker: canned replies over every transport, recorded calls."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest

from pytest_mcp._docs import DOCS_URL
from pytest_mcp.client.mcp_client import connect
from pytest_mcp.errors import McpAssertionError, McpUsageError
from pytest_mcp.mocks import FakeUpstream, Reply, UpstreamCall
from pytest_mcp.server.running import RunningServer
from pytest_mcp.server.targets import http, stdio
from pytest_mcp.settings import Settings

pytestmark = pytest.mark.anyio

TRANSPORTS = ("in_process", "asgi", "stdio", "http")


def declare(upstream: FakeUpstream) -> FakeUpstream:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    upstream.tool("forecast", text="sunny", structured={"temp": 21}, input_schema=schema, description="Weather")
    upstream.tool("forecast", text="rain", when={"city": "Paris"})
    upstream.tool("flaky", Reply(error="upstream down"), Reply(text="recovered"))
    upstream.tool("broken", rpc_error=(-32603, "database on fire", {"retry": False}))
    upstream.tool("slow", text="late", delay=0.3)
    upstream.tool(
        "image", content=[{"type": "image", "data": base64.b64encode(b"png").decode(), "mimeType": "image/png"}]
    )
    upstream.resource("file:///notes.txt", text="hello", mime_type="text/plain", name="notes")
    upstream.resource("file:///logo.png", blob=b"\x89PNG", mime_type="image/png")
    upstream.prompt("greet", text="Say hello", arguments=["who"], description="Greeting")
    return upstream


def serve_fake(upstream: FakeUpstream) -> RunningServer:
    """The fake as a started server, reached the way a gateway would reach it for each transport."""
    if upstream.transport == "http":
        url = upstream.url  # starts the child process, which close() stops
        assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp")
        return RunningServer(http(url), Settings()).start()
    if upstream.transport == "stdio":
        return RunningServer(stdio(*upstream.command), Settings()).start()
    return RunningServer(upstream.target, Settings()).start()


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_declared_replies_reach_a_client_over_every_transport(transport: str) -> None:
    with declare(FakeUpstream("weather", transport=transport, instructions="fake!")) as upstream:
        server = serve_fake(upstream)
        try:
            async with connect(server, timeout=10, era="2025-11-25") as client:
                assert client.server_info.name == "weather" and client.instructions == "fake!"
                tools = {tool.name: tool for tool in await client.tools()}
                assert list(tools) == ["forecast", "flaky", "broken", "slow", "image"]
                assert tools["forecast"].description == "Weather"
                assert tools["forecast"].input_schema["required"] == ["city"]

                sunny = await client.call("forecast", city="Oslo")
                assert (sunny.text, sunny.structured, sunny.is_error) == ("sunny", {"temp": 21}, False)
                assert (await client.call("forecast", city="Paris")).text == "rain"

                first, second, third = [await client.call("flaky") for _ in range(3)]
                assert (first.is_error, first.text) == (True, "upstream down")
                assert (second.is_error, second.text, third.text) == (False, "recovered", "recovered")

                broken = await client.outcome("broken", {})
                assert (broken.kind, broken.code, broken.error.error.data) == (
                    "protocol_error",
                    -32603,
                    {"retry": False},
                )
                assert broken.error.error.message == "database on fire"
                unknown = await client.outcome("nope", {})
                assert (unknown.kind, unknown.code) == ("protocol_error", -32602)

                started = time.monotonic()
                assert (await client.call("slow")).text == "late"
                assert time.monotonic() - started >= 0.3

                image = await client.call("image")
                assert (image.content[0].type, image.content[0].mime_type) == ("image", "image/png")

                notes = (await client.read_resource("file:///notes.txt")).contents[0]
                assert (notes.text, notes.mime_type) == ("hello", "text/plain")
                logo = (await client.read_resource("file:///logo.png")).contents[0]
                assert base64.b64decode(logo.blob) == b"\x89PNG"
                assert [r.name for r in await client.resources()] == ["notes", "file:///logo.png"]

                prompt = await client.get_prompt("greet", {"who": "Ann"})
                assert prompt.messages[0].content.text == "Say hello" and prompt.description == "Greeting"
                assert [p.arguments[0].name for p in await client.prompts()] == ["who"]
        finally:
            server.stop()
        calls = [(call.method, call.name, call.arguments, call.known) for call in upstream.calls if call.name]
        assert calls[:3] == [
            ("tools/call", "forecast", {"city": "Oslo"}, True),
            ("tools/call", "forecast", {"city": "Paris"}, True),
            ("tools/call", "flaky", {}, True),
        ]
        assert ("tools/call", "nope", {}, False) in calls
        assert upstream.call_count("flaky") == 3
        assert [call.method for call in upstream.calls_to("file:///notes.txt")] == ["resources/read"]
        assert upstream.calls_to("greet", "prompts/get")[0].arguments == {"who": "Ann"}
        child, workdir = upstream._running, upstream._dir
    if transport == "http":
        assert child.process.returncode is not None, "close() stops the child process"
    if transport in ("http", "stdio"):
        assert not workdir.exists(), "close() removes the declaration and call files"


def test_the_target_of_a_subprocess_fake() -> None:
    """``target`` of a stdio fake is a core stdio target running the same command."""
    with FakeUpstream("s", transport="stdio", tools={"ping": {"text": "pong", "delay": 0.01}}) as upstream:
        target = upstream.target
        assert list(target.command) == upstream.command and target.id == "upstream-s"
        assert upstream.command[1:3] == ["-m", "pytest_mcp.mocks.upstream"]
        spec = json.loads(Path(upstream.command[3]).read_text())
        assert [item["key"] for item in spec["declared"]] == ["ping"]
        assert spec["declared"][0]["replies"] == [{"text": "pong", "delay": 0.01}]
    http_target = FakeUpstream("h", transport="http").target
    assert http_target.command[-3:] == ("--http", "--port", "{port}")


def test_declaring_after_a_child_process_read_the_declaration_is_an_error() -> None:
    upstream = FakeUpstream("late", transport="stdio")
    upstream.tool("early", text="ok")
    upstream.target  # noqa: B018 - writes the declaration
    with pytest.raises(McpUsageError, match="declare tool 'late' before the stdio server starts"):
        upstream.tool("late", text="too late")
    upstream.close()


def test_in_process_fakes_see_later_declarations() -> None:
    upstream = FakeUpstream()
    server = upstream.server
    upstream.tool("added-later", text="ok")
    assert upstream.server is server
    assert [item.key for item in upstream._declared] == ["added-later"]


def test_the_options_type_is_the_constructors_signature() -> None:
    """``FakeUpstreamOptions`` is the marker's signature and the constructor's: a name and its keywords, or one
    options object, build the same fake."""
    from pytest_mcp.mocks import FakeUpstreamOptions

    options = FakeUpstreamOptions("w", version="2.0", tools={"t": "x"}, assert_all_called=True)
    for upstream in (FakeUpstream(options), FakeUpstream("w", version="2.0", tools={"t": "x"}, assert_all_called=True)):
        assert (upstream.name, upstream.version, upstream.assert_all_called) == ("w", "2.0", True)
        assert [item.key for item in upstream._declared] == ["t"]
    assert FakeUpstream().name == FakeUpstreamOptions().name == "fake-upstream"
    with pytest.raises(McpUsageError, match="either a FakeUpstreamOptions or a name and keywords, not both"):
        FakeUpstream(options, version="3")
    with pytest.raises(TypeError, match="transprot"):
        FakeUpstream("w", transprot="stdio")


def test_bad_declarations_are_usage_errors() -> None:
    with pytest.raises(McpUsageError, match="choose one of in_process, stdio, http, asgi"):
        FakeUpstream(transport="websocket")
    with pytest.raises(McpUsageError, match=r"tool 'x': unknown keyword\(s\) txt; a reply takes"):
        FakeUpstream().tool("x", txt="typo")
    with pytest.raises(McpUsageError, match=r"give \(code, message\) or \(code, message, data\)"):
        Reply(rpc_error=(-32000,))
    with pytest.raises(McpUsageError, match="delay is a number of seconds >= 0"):
        Reply(delay=-1)
    with pytest.raises(McpUsageError, match="a reply is a Reply"):
        FakeUpstream().tool("x", 42)  # type: ignore[arg-type]
    with pytest.raises(McpUsageError, match="url needs 'http'"):
        FakeUpstream().url  # noqa: B018


def test_the_declaration_round_trips_through_json() -> None:
    upstream = declare(FakeUpstream("w"))
    spec = json.loads(json.dumps(upstream.spec()))
    from pytest_mcp.mocks.upstream import _Declared

    again = [_Declared.from_json(item).to_json() for item in spec["declared"]]
    assert again == spec["declared"]
    blob = next(item for item in spec["declared"] if item["key"] == "file:///logo.png")
    assert base64.b64decode(blob["replies"][0]["blob"]) == b"\x89PNG"
    assert Reply.from_json(Reply(structured=0, text="").to_json()) == Reply(structured=0, text="")
    upstream.close()


def test_assert_all_called_names_what_was_never_called() -> None:
    upstream = FakeUpstream("strict", assert_all_called=True, tools={"used": "x", "unused": "y"}, prompts={"p": "z"})
    upstream._calls.append(UpstreamCall("tools/call", "used", {}))
    with pytest.raises(McpAssertionError) as raised:
        upstream.close()
    assert str(raised.value) == (
        "FakeUpstream 'strict': declared but never called: prompt 'p', tool 'unused'. Calls it got: tools/call used. "
        f"Use assert_all_called=False if they are optional. See {DOCS_URL}mocks.md#mcp_fake_upstream."
    )


# -- a gateway under test, in pytest runs ---------------------------------------------------------

GATEWAY_CONFTEST = """
import pytest, pytest_mcp
from tests.mocks.servers import make_gateway

@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"

@pytest.fixture
def mcp_server_target(mcp_fake_upstream):
    upstream = mcp_fake_upstream
    upstream.tool("search", text="3 results", when={"q": "mcp"})
    upstream.tool("search", error="no results")
    upstream.resource("mem://readme", text="read me")
    where = {"in_process": lambda: upstream.server, "http": lambda: upstream.url, "stdio": lambda: upstream.command}
    return pytest_mcp.in_process(make_gateway(where[upstream.transport]()))
"""


def test_a_gateway_tested_against_a_fake_upstream_on_each_transport(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makeconftest(GATEWAY_CONFTEST)
    mcp_pytester.makepyfile(
        """
        import pytest
        pytestmark = pytest.mark.anyio

        @pytest.mark.parametrize("transport", ["in_process", "stdio", "http"])
        async def test_relay(request, transport):
            request.node.add_marker(pytest.mark.mcp_fake_upstream("search-engine", transport=transport))
            upstream = request.getfixturevalue("mcp_fake_upstream")
            client_cm = request.getfixturevalue("mcp_client_factory")
            async with client_cm() as mcp_client:
                assert (await mcp_client.call("upstream_tools")).structured == {"result": ["search"]}
                hit = await mcp_client.call("relay", tool="search", arguments={"q": "mcp"})
                assert hit.structured == {"text": "3 results", "structured": None, "is_error": False}
                miss = await mcp_client.call("relay", tool="search", arguments={"q": "xyz"})
                assert miss.structured["is_error"] is True and miss.structured["text"] == "no results"
                missing = await mcp_client.call("relay", tool="gone")
                assert missing.structured == {"rpc_error": -32602, "message": "Unknown tool: gone"}
                assert (await mcp_client.call("read", uri="mem://readme")).structured == {"result": "read me"}
            searches = [call.arguments for call in upstream.calls_to("search")]
            assert searches == [{"q": "mcp"}, {"q": "xyz"}]
            assert [(c.name, c.known) for c in upstream.calls if c.method == "tools/call"][-1] == ("gone", False)
        """
    )
    result = mcp_pytester.runpytest("-v")
    result.stdout.fnmatch_lines(
        ["*test_relay[[]in_process] PASSED*", "*test_relay[[]stdio] PASSED*", "*test_relay[[]http] PASSED*"]
    )


def test_the_marker_declares_the_fake_and_teardown_verifies_it(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def anyio_backend():
            return "asyncio"
        """
    )
    mcp_pytester.makepyfile(
        """
        import pytest
        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_fake_upstream("billing", tools={"charge": {"structured": {"ok": True}}, "refund": "done"},
                                       assert_all_called=True)
        async def test_one_unused_tool(mcp_fake_upstream, mcp_client_factory):
            async with mcp_client_factory(server=mcp_fake_upstream.target) as client:
                assert (await client.call("charge", cents=5)).structured == {"ok": True}

        @pytest.mark.mcp_fake_upstream(transport="carrier-pigeon")
        def test_bad_transport(mcp_fake_upstream):
            pass

        @pytest.mark.mcp_fake_upstream(tool={"x": "y"})
        def test_bad_keyword(mcp_fake_upstream):
            pass
        """
    )
    result = mcp_pytester.runpytest("-v")
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_one_unused_tool*",
            "FakeUpstream 'billing': declared but never called: tool 'refund'. Calls it got: tools/call charge. "
            "Use assert_all_called=False if they are optional.",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*FakeUpstream(transport='carrier-pigeon'): choose one of in_process, stdio, http, asgi*"]
    )
    result.stdout.fnmatch_lines(["*@pytest.mark.mcp_fake_upstream: got an unexpected keyword argument 'tool'*"])
    result.assert_outcomes(passed=1, errors=3)
