"""SIGKILL the server process mid-stream and start it again: acknowledged writes survive.

The server is ``python -m example_server`` on a SQLite file of the test's own, over stdio and over
Streamable HTTP (a process the plugin spawns). Rows are counted straight from the database file,
not through the server, so the count does not trust the code under test. Over HTTP the kill
happens between requests: the SDK's HTTP client cannot end one in-flight request cleanly when
the process dies (docs/chaos.md, "Server kill and restart").
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import anyio
import pytest

import pytest_mcp
from pytest_mcp import assert_tool_ok
from pytest_mcp.chaos import WriteLedger

pytestmark = [pytest.mark.anyio, pytest.mark.chaos, pytest.mark.mcp_fresh_server, pytest.mark.mcp_timeout(10)]

ENV = {"ASSIGNMENTS_USER": "chaos@example.com"}
ANN = "ann@example.com"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "chaos.db"


@pytest.fixture(params=["stdio", "http"])
def mcp_server_target(request: pytest.FixtureRequest, db_path: Path) -> pytest_mcp.Target:
    db = ["--db", f"sqlite://{db_path}"]
    if request.param == "stdio":
        return pytest_mcp.stdio(sys.executable, "-m", "example_server", *db, env=ENV, name="stdio")
    return pytest_mcp.spawn_http(
        sys.executable, "-m", "example_server", "--http", "--port", "{port}", *db, env=ENV, name="http"
    )


def stored_titles(db_path: Path) -> list[str]:
    """The titles in the database file, read directly (the server may be dead)."""
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute("SELECT title FROM assignments ORDER BY id")]


async def test_acknowledged_writes_survive_sigkill_and_restart(
    mcp_server_target, mcp_server, mcp_client, mcp_client_factory, mcp_chaos, db_path
):
    for n in range(5):
        assert_tool_ok(await mcp_client.call("create_assignment", title=f"before {n}", assignee=ANN))
    before = len(stored_titles(db_path))
    assert before == 5
    ledger = WriteLedger()

    async def keep_writing() -> None:
        """Create assignments until the connection dies (bounded)."""
        for n in range(2000):
            title = f"during {n}"
            if (
                ledger.record(await mcp_client.outcome("create_assignment", {"title": title, "assignee": ANN}), title)
                != "ok"
            ):
                return

    if mcp_server_target.id == "stdio":
        with anyio.fail_after(30):
            await mcp_chaos.kill_during(keep_writing(), after_ms=300)
        assert ledger.acknowledged, "no write finished within 300 ms"
        assert len(ledger.unknown) == 1 and not ledger.rejected  # the one in flight when the process died
    else:
        await keep_writing_some(mcp_client, ledger, 20)
        mcp_chaos.kill_server()
        assert (await mcp_client.outcome("create_assignment", {"title": "to a dead server", "assignee": ANN})).kind in (
            "crash",
            "timeout",
            "protocol_error",
        )
    assert mcp_server.process.returncode is not None  # really dead

    after_kill = stored_titles(db_path)
    ledger.assert_durable(before=before, after=len(after_kill))
    ledger.assert_present(after_kill)

    mcp_chaos.restart_server()
    async with mcp_client_factory() as client:  # the old connection died with the process
        await pytest_mcp.assert_recovers(client, ("list_assignments", {"assignee": ANN, "page_size": 100}), within=10)
        assert_tool_ok(await client.call("create_assignment", title="after restart", assignee=ANN))
        served = await listed_titles(client)
    assert served == [*after_kill, "after restart"]
    assert stored_titles(db_path) == [*after_kill, "after restart"]


async def listed_titles(client) -> list[str]:
    """Every title the server lists, following next_cursor (bounded)."""
    titles: list[str] = []
    cursor = None
    for _ in range(100):
        page = assert_tool_ok(await client.call("list_assignments", cursor=cursor, page_size=100))
        titles.extend(item["title"] for item in page["items"])
        if (cursor := page["next_cursor"]) is None:
            return titles
    raise AssertionError("list_assignments never reached its last page")


async def keep_writing_some(client, ledger: WriteLedger, count: int) -> None:
    for n in range(count):
        title = f"during {n}"
        ledger.record(await client.outcome("create_assignment", {"title": title, "assignee": ANN}), title)
    assert ledger.acknowledged == [f"during {n}" for n in range(count)]
