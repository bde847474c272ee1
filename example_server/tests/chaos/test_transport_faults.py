"""Transport faults between client and server (the plugin's ``mcp_chaos``): errors, latency, cuts.

Each test gets a fresh in-process server (``mcp_fresh_server``: an empty in-memory database), so
row counts before and after are the server's own. Faults come from the run's seed (printed in
the report header; ``--mcp-seed=N`` replays a run) or, where a test pins one, from its marker.
The assertions hold for any seed: every failure is a clean, prompt error, the server keeps
serving, and no acknowledged write is lost (``WriteLedger``).
"""

from __future__ import annotations

import pytest

from pytest_mcp import assert_tool_ok
from pytest_mcp.chaos import WriteLedger, assert_clean_error

from ..helpers import SERVER, error_kind

pytestmark = [pytest.mark.anyio, pytest.mark.chaos, pytest.mark.mcp_server(SERVER), pytest.mark.mcp_fresh_server]

ANN = "ann@example.com"
CREATES = ["tools/call:create_assignment"]


async def stored_titles(client, chaos) -> list[str]:
    """Every stored title, read with transport faults paused (bounded paging)."""
    titles: list[str] = []
    cursor = None
    with chaos.paused():
        for _ in range(100):
            page = assert_tool_ok(await client.call("list_assignments", cursor=cursor, page_size=100))
            titles.extend(item["title"] for item in page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                return titles
    raise AssertionError("list_assignments never reached its last page")


async def write_many(client, ledger: WriteLedger, count: int, prefix: str) -> None:
    for n in range(count):
        title = f"{prefix} {n}"
        outcome = await client.outcome("create_assignment", {"title": title, "assignee": ANN})
        ledger.record(outcome, key=title)
        if outcome.kind == "ok" or ledger.unknown[-1:] == [title]:
            continue  # acknowledged, or a cut connection (no answer: the ledger allows either way)
        assert_clean_error(outcome, match=r"^chaos: injected transport error")


@pytest.mark.mcp_timeout(5)
@pytest.mark.mcp_chaos(seed=20260728, latency_ms=(1, 15), error_rate=0.25, disconnect_rate=0.1, methods=CREATES)
async def test_creates_under_errors_latency_and_cuts_lose_no_acknowledged_write(mcp_client, mcp_chaos):
    before = len(await stored_titles(mcp_client, mcp_chaos))
    ledger = WriteLedger()
    await write_many(mcp_client, ledger, 30, "chaos")
    # The pinned seed gives this exact mix every run: some writes failed, most went through.
    assert ledger.acknowledged and (ledger.rejected or ledger.unknown)
    assert len(ledger.rejected) + len(ledger.unknown) == sum(
        1 for _, _, fault in mcp_chaos.fault_sequence if fault != "latency"
    )
    titles = await stored_titles(mcp_client, mcp_chaos)
    ledger.assert_durable(before=before, after=len(titles))
    ledger.assert_present(titles)
    await mcp_chaos.assert_recovers(mcp_client, ("create_assignment", {"title": "after the storm", "assignee": ANN}))


@pytest.mark.mcp_timeout(0.5)
@pytest.mark.mcp_chaos(drop_reply_rate=0.2, methods=CREATES)
async def test_lost_replies_leave_writes_applied_at_most_once(mcp_client, mcp_chaos):
    ledger = WriteLedger()
    for n in range(12):
        title = f"reply {n}"
        outcome = await mcp_client.outcome("create_assignment", {"title": title, "assignee": ANN})
        ledger.record(outcome, key=title)
        assert outcome.kind in ("ok", "timeout"), outcome
    titles = await stored_titles(mcp_client, mcp_chaos)
    ledger.assert_durable(before=0, after=len(titles))
    ledger.assert_present(titles)
    # A lost reply still means the server did the work: the row is there. (A call that timed out on a loaded
    # machine without a fault was cancelled, maybe before its write: the ledger allows either for it.)
    dropped = {f"reply {index - 1}" for index, _, fault in mcp_chaos.fault_sequence if fault == "drop_reply"}
    assert dropped <= set(ledger.unknown)
    assert dropped <= set(titles)


@pytest.mark.mcp_chaos(duplicate_rate=1.0, methods=CREATES)
async def test_duplicated_deliveries_never_duplicate_rows(mcp_client, mcp_chaos):
    for n in range(8):
        outcome = await mcp_client.outcome("create_assignment", {"title": f"twice {n}", "assignee": ANN})
        # The copy and the original race; the loser is refused by the (assignee, title) rule.
        assert outcome.kind == "ok" or error_kind(outcome.result) == "conflict", outcome
    titles = await stored_titles(mcp_client, mcp_chaos)
    assert sorted(titles) == sorted(f"twice {n}" for n in range(8))
    assert [fault for _, _, fault in mcp_chaos.fault_sequence] == ["duplicate"] * 8


async def test_a_corrupted_request_is_refused_cleanly_and_stores_nothing(mcp_client, mcp_chaos):
    mcp_chaos.inject("corrupt", methods=CREATES)
    outcome = await mcp_client.outcome("create_assignment", {"title": "damaged", "assignee": ANN})
    assert_clean_error(outcome)
    ledger = WriteLedger()
    ledger.record(outcome, key="damaged")
    assert ledger.rejected == ["damaged"]
    titles = await stored_titles(mcp_client, mcp_chaos)
    ledger.assert_present(titles)
    assert titles == []
    await mcp_chaos.assert_recovers(
        mcp_client,
        ("create_assignment", {"title": "intact", "assignee": ANN}),
        expect=lambda body: body["title"] == "intact",
    )
