"""Backend faults inside an in-process server: a slow or failing assignee directory, a failing store.

``mcp_chaos.backend(...)`` makes the server's dependencies misbehave, seeded: the directory's
respx route (declared with ``mcp_http_mock``) and the store's ``Store.create`` method. The server
must turn every such fault into its own clean tool error (``timeout`` or ``internal_error``, no
stack trace, no URL or exception text), answer within its directory timeout, store nothing for a
failed write, and serve normally once the dependency is back.
"""

from __future__ import annotations

import time

import httpx
import pytest

from example_server.directory import TIMED_OUT, UNAVAILABLE
from pytest_mcp import assert_tool_ok
from pytest_mcp.chaos import WriteLedger, assert_clean_error

from ..helpers import configured, error_body

DIRECTORY = "https://directory.example.test"
DIRECTORY_TIMEOUT = 0.3
ANN = "ann@example.com"

pytestmark = [pytest.mark.anyio, pytest.mark.chaos, pytest.mark.mcp_fresh_server, pytest.mark.mcp_timeout(10)]


@pytest.fixture
def mcp_server_target():
    return configured(name="with-directory", directory_url=DIRECTORY, directory_timeout=DIRECTORY_TIMEOUT)


@pytest.fixture
def directory(mcp_http_mock):
    """The assignee directory: every ``GET /users/...`` is a known user."""
    return mcp_http_mock.get(url__startswith=f"{DIRECTORY}/users/").respond(200, json={"known": True})


async def all_titles(client) -> list[str]:
    page = assert_tool_ok(await client.call("list_assignments", page_size=100))
    assert page["next_cursor"] is None
    return [item["title"] for item in page["items"]]


async def test_a_flaky_directory_gives_prompt_clean_errors_and_loses_nothing(mcp_client, mcp_chaos, directory):
    fault = mcp_chaos.backend(
        directory,
        delay_ms=(0, 20),
        timeout_rate=0.25,
        timeout_ms=5000,  # hangs far longer than the server's own directory timeout
        fail_rate=0.25,
        exception=httpx.ConnectError("connection refused by 10.0.0.5"),
    )
    ledger = WriteLedger()
    for n in range(24):
        title = f"flaky {n}"
        started = time.monotonic()
        outcome = await mcp_client.outcome("create_assignment", {"title": title, "assignee": ANN})
        elapsed = time.monotonic() - started
        ledger.record(outcome, key=title)
        assert elapsed < DIRECTORY_TIMEOUT + 2.0, f"{title} took {elapsed:.2f} s"
        if outcome.kind != "ok":
            text = assert_clean_error(outcome)
            assert error_body(outcome.result) in (
                {"error": "timeout", "message": TIMED_OUT},
                {"error": "internal_error", "message": UNAVAILABLE},
            ), text
            assert "10.0.0.5" not in text and DIRECTORY not in text
    assert len(ledger.rejected) == fault.timeouts + fault.failures
    assert fault.calls == 24
    fault.restore()
    titles = await all_titles(mcp_client)
    ledger.assert_durable(before=0, after=len(titles))
    ledger.assert_present(titles)
    await mcp_chaos.assert_recovers(mcp_client, ("create_assignment", {"title": "directory back", "assignee": ANN}))


async def test_a_directory_slower_than_the_timeout_times_out_every_write(mcp_client, mcp_chaos, directory):
    slow = mcp_chaos.backend(directory, delay_ms=1500)
    started = time.monotonic()
    outcome = await mcp_client.outcome("create_assignment", {"title": "slow", "assignee": ANN})
    assert time.monotonic() - started < 1.2  # gave up at its own 0.3 s timeout, not after the 1.5 s reply
    assert_clean_error(outcome, match=TIMED_OUT)
    assert slow.calls == 1
    slow.restore()
    assert await all_titles(mcp_client) == []
    assert_tool_ok(await mcp_client.call("create_assignment", title="fast again", assignee=ANN))


async def test_a_failing_store_answers_internal_error_without_the_cause(mcp_client, mcp_chaos, directory):
    disk = mcp_chaos.backend(
        "example_server.store:Store.create", fail_rate=0.4, exception=OSError("disk full: /var/lib/assignments/db")
    )
    ledger = WriteLedger()
    for n in range(20):
        title = f"disk {n}"
        outcome = await mcp_client.outcome("create_assignment", {"title": title, "assignee": ANN})
        ledger.record(outcome, key=title)
        if outcome.kind != "ok":
            assert error_body(outcome.result) == {"error": "internal_error", "message": "an internal error occurred"}
    assert len(ledger.rejected) == disk.failures
    disk.restore()
    titles = await all_titles(mcp_client)
    ledger.assert_durable(before=0, after=len(titles))
    ledger.assert_present(titles)
