"""The raw channel: exact bytes in, exact bytes out, over stdio, HTTP and an in-process ASGI app."""

from __future__ import annotations

import pytest

import pytest_mcp
from pytest_mcp import jsonrpc_request

from .conftest import DEMO

pytestmark = pytest.mark.anyio


@pytest.mark.mcp_server(DEMO)
async def test_raw_stdio_sees_what_the_sdk_hides(mcp_client: pytest_mcp.McpClient) -> None:
    raw = mcp_client.raw
    assert isinstance(raw, pytest_mcp.RawStdio)
    await raw.send(b"{not json")
    assert await raw.silent_for(0.3) == []  # the SDK server drops unparseable lines without a reply
    init = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}
    reply = await raw.request(jsonrpc_request("initialize", init, id="abc"))
    assert reply is not None and reply.json["id"] == "abc"
    assert reply.json["result"]["protocolVersion"] == "2025-11-25"
    await raw.close_stdin()
    assert await raw.wait_exit(5) == 0


@pytest.mark.mcp_server(
    pytest_mcp.spawn_http(DEMO + " --http --port {port}"), pytest_mcp.asgi("tests.servers.demo:make_server")
)
async def test_raw_http_shows_status_headers_and_body(mcp_client: pytest_mcp.McpClient) -> None:
    raw = mcp_client.raw
    bad = await raw.post(b"{not json")
    assert bad.status == 400
    assert bad.json["error"]["code"] == -32700
    wrong_accept = await raw.post(jsonrpc_request("ping"), headers={"accept": "text/plain"})
    assert wrong_accept.status == 406
    evil = await raw.post(jsonrpc_request("ping"), headers={"origin": "http://evil.example"})
    assert evil.status == 403


@pytest.mark.mcp_server("tests.servers.demo:make_server")
async def test_in_process_targets_have_no_raw_channel(mcp_client: pytest_mcp.McpClient) -> None:
    with pytest.raises(pytest_mcp.McpUsageError, match="runs in-process without JSON-RPC bytes"):
        mcp_client.raw  # noqa: B018


@pytest.mark.anyio
async def test_a_line_taken_for_a_cancelled_receive_goes_to_the_next_one() -> None:
    import os
    import sys

    import anyio

    from pytest_mcp.client.raw import RawStdio

    script = "import sys, time\nfor word in ('one', 'two'):\n    time.sleep(0.3)\n    print(word, flush=True)\n"
    channel = RawStdio([sys.executable, "-c", script], dict(os.environ), None, timeout=5)
    try:
        with anyio.move_on_after(0.05) as scope:
            await channel.receive(timeout=3)  # cancelled: its waiting thread is left behind
        assert scope.cancelled_caught
        first, second = await channel.receive(timeout=3), await channel.receive(timeout=3)
        assert (first and first.body, second and second.body) == (b"one", b"two")
        assert await channel.receive(timeout=3) is None  # end of stream, and it stays there
        assert await channel.receive(timeout=3) is None
    finally:
        await channel.aclose()


@pytest.mark.anyio
async def test_a_raw_stdio_channel_knows_when_the_server_wrote_its_first_line() -> None:
    import os
    import sys

    from pytest_mcp.client.raw import RawStdio

    script = "import time\ntime.sleep(0.3)\nprint('ready', flush=True)\ninput()\n"
    channel = RawStdio([sys.executable, "-c", script], dict(os.environ), None, timeout=5)
    try:
        assert channel.first_line_at is None  # (it sleeps first)
        line = await channel.receive(timeout=5)
        assert line is not None and line.body == b"ready"
        assert channel.first_line_at is not None and channel.first_line_at - channel.started_at >= 0.3
    finally:
        await channel.aclose()
