"""The external assignee directory, mocked with respx through ``mcp_http_mock``.

The server runs in-process with ``ASSIGNMENTS_DIRECTORY_URL`` set, so its ``httpx`` lookups
(``GET {base}/users/{email}``) reach the routes declared here. The fixture fails the test at
teardown for a route that was never called or a request no route matched, so every test also
proves exactly which lookups happened.
"""

from __future__ import annotations

import httpx
import pytest

from example_server.directory import TIMED_OUT, UNAVAILABLE
from pytest_mcp import assert_structured, assert_tool_ok

from ..helpers import configured, error_body

DIRECTORY = "https://directory.example.test"

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


@pytest.fixture
def mcp_server_target():
    return configured(name="with-directory", directory_url=DIRECTORY, directory_timeout=1.0)


async def listed(client) -> list[str]:
    return [item["assignee"] for item in assert_tool_ok(await client.call("list_assignments"))["items"]]


@pytest.mark.mcp_fresh_server
async def test_a_known_assignee_is_accepted(mcp_client, mcp_http_mock):
    route = mcp_http_mock.get(f"{DIRECTORY}/users/known@example.com").respond(200, json={"email": "known@example.com"})
    result = await mcp_client.call("create_assignment", title="t", assignee="Known@Example.com")
    assert_structured(result, subset={"assignee": "known@example.com"})
    assert route.call_count == 1
    assert route.calls.last.request.headers["accept"] == "application/json"


@pytest.mark.mcp_fresh_server
async def test_an_unknown_assignee_is_invalid_input_and_nothing_is_stored(mcp_client, mcp_http_mock):
    mcp_http_mock.get(f"{DIRECTORY}/users/ghost@example.com").respond(404)
    assert error_body(await mcp_client.call("create_assignment", title="t", assignee="ghost@example.com")) == {
        "error": "invalid_input",
        "message": "unknown assignee",
        "details": {"assignee": "is not a known user"},
    }
    assert await listed(mcp_client) == []


@pytest.mark.mcp_fresh_server
@pytest.mark.parametrize(
    "reply",
    [
        pytest.param({"status_code": 503, "text": "upstream trace: db=10.0.0.5"}, id="503"),
        pytest.param({"status_code": 500, "text": "Traceback (most recent call last)"}, id="500"),
        pytest.param({"status_code": 302, "headers": {"location": "http://10.0.0.5/"}}, id="redirect"),
    ],
)
async def test_a_failing_directory_is_a_generic_internal_error(mcp_client, mcp_http_mock, reply):
    mcp_http_mock.get(f"{DIRECTORY}/users/ann@example.com").respond(**reply)
    result = await mcp_client.call("create_assignment", title="t", assignee="ann@example.com")
    assert error_body(result) == {"error": "internal_error", "message": UNAVAILABLE}
    assert "10.0.0.5" not in result.text and "Traceback" not in result.text
    assert await listed(mcp_client) == []


@pytest.mark.mcp_fresh_server
async def test_an_unreachable_directory_is_an_internal_error(mcp_client, mcp_http_mock):
    mcp_http_mock.get(f"{DIRECTORY}/users/ann@example.com").mock(side_effect=httpx.ConnectError("refused 10.0.0.5"))
    result = await mcp_client.call("create_assignment", title="t", assignee="ann@example.com")
    assert error_body(result) == {"error": "internal_error", "message": UNAVAILABLE}


@pytest.mark.mcp_fresh_server
async def test_a_directory_timeout_is_a_timeout_error(mcp_client, mcp_http_mock):
    mcp_http_mock.get(f"{DIRECTORY}/users/slow@example.com").mock(side_effect=httpx.ReadTimeout("read timed out"))
    result = await mcp_client.call("create_assignment", title="t", assignee="slow@example.com")
    assert error_body(result) == {"error": "timeout", "message": TIMED_OUT}
    assert await listed(mcp_client) == []


@pytest.mark.mcp_fresh_server
@pytest.mark.mcp_http_mock(assert_all_called=False)  # the delayed route never gets to answer
async def test_a_directory_slower_than_the_timeout_is_cut_off(mcp_client, mcp_http_mock, mcp_chaos):
    route = mcp_http_mock.get(f"{DIRECTORY}/users/slow@example.com").respond(200)
    slow = mcp_chaos.backend(route, delay_ms=3000)  # the server gives up after directory_timeout=1.0 s
    result = await mcp_client.call("create_assignment", title="t", assignee="slow@example.com")
    assert error_body(result) == {"error": "timeout", "message": TIMED_OUT}
    assert slow.calls == 1


@pytest.mark.mcp_fresh_server
async def test_bulk_looks_each_assignee_up_once_and_a_timeout_wins_over_other_failures(mcp_client, mcp_http_mock):
    known = mcp_http_mock.get(f"{DIRECTORY}/users/ann@example.com").respond(200)
    mcp_http_mock.get(f"{DIRECTORY}/users/bob@example.com").respond(200)
    items = [{"title": f"t{n}", "assignee": "ann@example.com" if n % 2 else "bob@example.com"} for n in range(6)]
    assert assert_tool_ok(await mcp_client.call("bulk_create_assignments", items=items))["created"] == 6
    assert known.call_count == 1

    mcp_http_mock.get(f"{DIRECTORY}/users/down@example.com").respond(503)
    mcp_http_mock.get(f"{DIRECTORY}/users/slow@example.com").mock(side_effect=httpx.ReadTimeout("slow"))
    mixed = [{"title": "a", "assignee": "down@example.com"}, {"title": "b", "assignee": "slow@example.com"}]
    assert error_body(await mcp_client.call("bulk_create_assignments", items=mixed))["error"] == "timeout"


@pytest.mark.mcp_fresh_server
async def test_reads_never_consult_the_directory(mcp_client, mcp_http_mock):
    # No routes: any request would match nothing and fail the test at teardown.
    assert await listed(mcp_client) == []
    assert error_body(await mcp_client.call("get_assignment", assignment_id=1))["error"] == "not_found"
    assert len(mcp_http_mock.calls) == 0


@pytest.mark.mcp_server(configured(name="no-directory"), fresh=True)
async def test_without_a_directory_assignees_are_checked_for_syntax_only(mcp_client, mcp_http_mock):
    assert_tool_ok(await mcp_client.call("create_assignment", title="t", assignee="anyone@example.com"))
    assert len(mcp_http_mock.calls) == 0
