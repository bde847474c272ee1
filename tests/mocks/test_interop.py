"""The mocks against the example server: its assignee directory (plain httpx) mocked two ways."""

from __future__ import annotations

import json

import pytest

from pytest_mcp.client.mcp_client import connect
from pytest_mcp.mocks import BackendMocks, HttpMock
from pytest_mcp.server.running import RunningServer
from pytest_mcp.server.targets import in_process
from pytest_mcp.settings import Settings

app = pytest.importorskip("example_server.app", reason="the example server is not in this checkout")
config = pytest.importorskip("example_server.config")

pytestmark = pytest.mark.anyio

DIRECTORY = "https://directory.example"


def server() -> RunningServer:
    settings = config.Config(directory_url=DIRECTORY)
    return RunningServer(in_process(lambda: app.create_server(settings)), Settings()).start()


async def create(client, assignee: str):
    return await client.call("create_assignment", title="Write docs", assignee=assignee)


async def test_http_mock_answers_the_directory() -> None:
    with HttpMock() as http:
        known = http.get(f"{DIRECTORY}/users/ann@example.com").respond(200)
        http.get(f"{DIRECTORY}/users/bob@example.com").respond(404)
        async with connect(server(), timeout=10) as client:
            created = await create(client, "ann@example.com")
            assert not created.is_error, created.text
            refused = await create(client, "bob@example.com")
        assert refused.is_error
        assert json.loads(refused.text)["error"] == "invalid_input"
        assert known.call_count == 1


async def test_http_mock_outage_becomes_a_clean_tool_error() -> None:
    with HttpMock() as http:
        http.get(path__startswith="/users/").respond(503)
        async with connect(server(), timeout=10) as client:
            failed = await create(client, "ann@example.com")
    assert failed.is_error
    assert json.loads(failed.text)["error"] == "internal_error"
    assert DIRECTORY not in failed.text, "the server does not leak the directory URL"


async def test_backend_mock_replaces_the_directory_client() -> None:
    with BackendMocks() as mocks:
        exists = mocks.patch("example_server.directory:DirectoryClient.exists", return_value=False)
        async with connect(server(), timeout=10) as client:
            refused = await create(client, "carol@example.com")
        assert json.loads(refused.text)["error"] == "invalid_input"
        assert exists.await_args.args[1] == "carol@example.com"
