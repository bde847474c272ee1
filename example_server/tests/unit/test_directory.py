"""DirectoryClient against a respx-mocked directory."""

from __future__ import annotations

import anyio
import httpx
import pytest
import respx

from example_server.directory import TIMED_OUT, UNAVAILABLE, DirectoryClient
from example_server.errors import ErrorKind, ToolFailure

pytestmark = [pytest.mark.anyio, pytest.mark.unit]

BASE = "https://directory.example.test/api/"


async def failure_of(client: DirectoryClient, email: str) -> ToolFailure:
    with pytest.raises(ToolFailure) as info:
        await client.exists(email)
    return info.value


@respx.mock
async def test_known_and_unknown():
    known = respx.get("https://directory.example.test/api/users/ann@example.com").respond(200, json={})
    respx.get("https://directory.example.test/api/users/bob@example.com").respond(404)
    client = DirectoryClient(BASE)
    assert await client.exists("ann@example.com") is True
    assert await client.exists("bob@example.com") is False
    assert known.calls.last.request.headers["accept"] == "application/json"


@respx.mock
async def test_email_is_quoted_into_the_path():
    route = respx.get("https://directory.example.test/api/users/a+b%25c@example.com").respond(200)
    assert await DirectoryClient(BASE).exists("a+b%c@example.com") is True
    assert route.called


@pytest.mark.parametrize("status", [500, 502, 503, 301, 401, 403, 204])
@respx.mock
async def test_unexpected_statuses_are_internal_errors(status):
    respx.get(url__startswith=BASE).respond(status, text="stack trace at 10.1.2.3")
    failure = await failure_of(DirectoryClient(BASE), "ann@example.com")
    assert (failure.kind, failure.message, failure.details) == (ErrorKind.INTERNAL_ERROR, UNAVAILABLE, {})


@pytest.mark.parametrize(
    "error", [httpx.ConnectError("refused"), httpx.RemoteProtocolError("eof"), httpx.ReadError("reset")]
)
@respx.mock
async def test_transport_errors_are_internal_errors(error):
    respx.get(url__startswith=BASE).mock(side_effect=error)
    failure = await failure_of(DirectoryClient(BASE), "ann@example.com")
    assert (failure.kind, failure.message) == (ErrorKind.INTERNAL_ERROR, UNAVAILABLE)


@respx.mock
async def test_httpx_timeouts_are_timeouts():
    respx.get(url__startswith=BASE).mock(side_effect=httpx.ConnectTimeout("slow"))
    failure = await failure_of(DirectoryClient(BASE), "ann@example.com")
    assert (failure.kind, failure.message) == (ErrorKind.TIMEOUT, TIMED_OUT)


@respx.mock
async def test_overall_deadline_bounds_a_slow_directory():
    async def slow(request):
        await anyio.sleep(5)
        return httpx.Response(200)

    respx.get(url__startswith=BASE).mock(side_effect=slow)
    with anyio.fail_after(2):
        failure = await failure_of(DirectoryClient(BASE, timeout=0.1), "ann@example.com")
    assert failure.kind is ErrorKind.TIMEOUT


@respx.mock
async def test_shared_http_client_is_used_and_left_open():
    respx.get(url__startswith=BASE).respond(200)
    async with httpx.AsyncClient() as http_client:
        assert await DirectoryClient(BASE, http_client=http_client).exists("ann@example.com") is True
        assert not http_client.is_closed
