"""What the assignment tools mean, over sequences of calls: a ``pytest_mcp.McpStateMachine`` of the example server.

The machine keeps a model of the caller's assignments (id → priority) and checks after every step
that ``get_assignment`` and ``list_assignments`` agree with it. It passes on the real server and
catches the planted lost update and stale list of ``variants``.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from pytest_mcp import McpStateMachine, StatefulFailure

pytestmark = [pytest.mark.anyio, pytest.mark.contract]

VARIANTS = "example_server.tests.stateful.variants"
TITLES = st.text(alphabet="abcdefghij", min_size=1, max_size=8)
PRIORITIES = st.integers(min_value=1, max_value=5)


class AssignmentWorkflows(McpStateMachine):
    """Create, update and delete assignments; what was written is what get and list return."""

    def __init__(self) -> None:
        super().__init__()
        self.priorities: dict[int, int] = {}

    @initialize()
    def learn_what_is_there(self) -> None:
        page = self.call("list_assignments", page_size=100).structured
        self.priorities = {item["id"]: item["priority"] for item in page["items"]}

    @rule(title=TITLES, priority=PRIORITIES)
    def create(self, title: str, priority: int) -> None:
        created = self.call("create_assignment", title=title, assignee="ann@example.com", priority=priority)
        if not created.is_error:  # a title the assignee already has is a conflict
            self.priorities[created.structured["id"]] = priority

    @precondition(lambda self: bool(self.priorities))
    @rule(data=st.data(), priority=PRIORITIES)
    def update(self, data: Any, priority: int) -> None:
        assignment_id = data.draw(st.sampled_from(sorted(self.priorities)))
        updated = self.call("update_assignment", assignment_id=assignment_id, priority=priority)
        assert updated.structured["priority"] == priority
        self.priorities[assignment_id] = priority

    @precondition(lambda self: bool(self.priorities))
    @rule(data=st.data())
    def delete(self, data: Any) -> None:
        assignment_id = data.draw(st.sampled_from(sorted(self.priorities)))
        self.call("delete_assignment", assignment_id=assignment_id)
        del self.priorities[assignment_id]

    @invariant()
    def get_returns_what_was_written(self) -> None:
        for assignment_id, priority in self.priorities.items():
            stored = self.call("get_assignment", assignment_id=assignment_id).structured
            assert stored["priority"] == priority, f"assignment {assignment_id}: priority {stored['priority']}"

    @invariant()
    def list_shows_exactly_what_exists(self) -> None:
        page = self.call("list_assignments", page_size=100).structured
        assert sorted(item["id"] for item in page["items"]) == sorted(self.priorities)


class SlowPairs(McpStateMachine):
    """Two calls a step, with a pause between them longer than the run's whole time budget."""

    PAUSE: ClassVar = 2.5
    finished: ClassVar[list[int]] = []

    @rule()
    def two_calls_with_a_pause(self) -> None:
        self.call("list_assignments", page_size=1)
        time.sleep(self.PAUSE)
        self.call("list_assignments", page_size=1)
        SlowPairs.finished.append(len(self.steps))


@pytest.mark.mcp_server("example_server.app:create_server")
async def test_the_time_budget_never_cuts_a_sequence_short(mcp_client: Any) -> None:
    """The budget is checked before a sequence starts, not between its calls: whether a call runs never
    depends on the clock, so a seed draws the same sequences however slow the machine is."""
    SlowPairs.finished.clear()
    report = await SlowPairs.run(mcp_client, sequences=5, steps=1, seed=1, seconds=SlowPairs.PAUSE * 0.8)
    assert SlowPairs.finished and set(SlowPairs.finished) == {2}, SlowPairs.finished
    assert report.calls == 2 * len(SlowPairs.finished) and report.failure is None, report


@pytest.mark.mcp_server("example_server.app:create_server")
async def test_the_example_server_keeps_what_was_written(mcp_client: Any) -> None:
    report = await AssignmentWorkflows.run(mcp_client, sequences=15, steps=8, seed=1)
    assert report.sequences >= 15 and report.failure is None


@pytest.mark.mcp_server(f"{VARIANTS}:lost_update")
async def test_a_lost_update_is_caught(mcp_client: Any) -> None:
    with pytest.raises(StatefulFailure, match=r"priority \d") as caught:
        await AssignmentWorkflows.run(mcp_client, sequences=30, steps=8, seed=1)
    tools = [step.tool for step in caught.value.steps]
    assert "update_assignment" in tools and tools[-1] == "get_assignment", tools


@pytest.mark.mcp_server(f"{VARIANTS}:stale_list")
async def test_a_stale_list_is_caught(mcp_client: Any) -> None:
    with pytest.raises(StatefulFailure, match="shortest failing sequence") as caught:
        await AssignmentWorkflows.run(mcp_client, sequences=30, steps=8, seed=1)
    assert caught.value.steps[-1].tool == "list_assignments"
    assert any(step.tool in ("create_assignment", "delete_assignment") for step in caught.value.steps)
