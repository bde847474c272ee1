"""The tools as a client sees them, with the database mocked away (``mcp_mock_backend``).

The server runs in-process (``mcp_server("example_server.app:create_server")``) and every test
replaces the ``Store`` method the tool ends in with an autospec'd mock, so what is checked is the
tool layer alone: arguments validated and normalised before the store is reached, the caller's
identity passed as the owner, store results and failures turned into results and error objects.
The mocks are verified at teardown: a store method declared but never reached fails the test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from unittest.mock import ANY

import pytest

from example_server.errors import conflict
from example_server.models import Assignment, AssignmentChanges, ListQuery, NewAssignment
from example_server.pagination import encode_cursor
from pytest_mcp import assert_structured, assert_tool_error, assert_tool_ok

from ..helpers import SERVER, error_body

pytestmark = [pytest.mark.anyio, pytest.mark.unit, pytest.mark.mcp_server(SERVER)]

OWNER = "dev@example.com"  # the identity of the zero-argument server
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
CREATE = "example_server.store:Store.create"


def stored(owner: str, item: NewAssignment, id: int = 7) -> Assignment:
    """What a real store would return for ``item``."""
    return Assignment(
        id=id,
        owner=owner,
        title=item.title,
        assignee=item.assignee,
        priority=item.priority,
        status="open",
        due_date=item.due_date,
        created_at=NOW,
        updated_at=NOW,
    )


def echo_store(_store, owner, item):
    return stored(owner, item)


SAMPLE = stored(OWNER, NewAssignment("Write docs", "ann@example.com", 2, date(2030, 5, 1)))
SAMPLE_JSON = SAMPLE.model_dump(mode="json")


@pytest.mark.mcp_era("both")
async def test_create_validates_then_hands_the_owner_and_clean_values_to_the_store(mcp_client, mcp_mock_backend):
    create = mcp_mock_backend(CREATE, return_value=SAMPLE)
    result = await mcp_client.call(
        "create_assignment", title="  Write docs  ", assignee="Ann@Example.COM", priority=2, due_date="2030-05-01"
    )
    assert_structured(result, SAMPLE_JSON)
    create.assert_called_once_with(ANY, OWNER, NewAssignment("Write docs", "ann@example.com", 2, date(2030, 5, 1)))


async def test_priority_defaults_to_3(mcp_client, mcp_mock_backend):
    create = mcp_mock_backend(CREATE, side_effect=echo_store)
    assert_structured(
        await mcp_client.call("create_assignment", title="t", assignee="a@example.com"), subset={"priority": 3}
    )
    assert create.call_args.args[2].priority == 3


@pytest.mark.parametrize(
    ("priority", "problem"),
    [
        pytest.param(0, "must be at least 1", id="0"),
        pytest.param(1, None, id="1"),
        pytest.param(5, None, id="5"),
        pytest.param(6, "must be at most 5", id="6"),
        pytest.param(-1, "must be at least 1", id="-1"),
        pytest.param(True, "must be an integer", id="true"),
        pytest.param(3.0, "must be an integer", id="3.0"),
        pytest.param("3", "must be an integer", id="string"),
    ],
)
async def test_priority_boundaries(mcp_client, mcp_mock_backend, priority, problem):
    create = mcp_mock_backend(CREATE, side_effect=echo_store, assert_called=problem is None)
    result = await mcp_client.call("create_assignment", title="t", assignee="a@example.com", priority=priority)
    if problem is None:
        assert_structured(result, subset={"priority": priority})
    else:
        assert error_body(result) == {
            "error": "invalid_input",
            "message": "invalid input",
            "details": {"priority": problem},
        }
        create.assert_not_called()


@pytest.mark.parametrize(
    ("assignee", "stored_as"),
    [
        ("ann@example.com", "ann@example.com"),
        ("Bob.Smith+work@Sub.Example.ORG", "bob.smith+work@sub.example.org"),
        ("a" * 64 + "@example.com", "a" * 64 + "@example.com"),
        ("plain", None),
        ("a@b", None),
        ("a@@example.com", None),
        ("a b@example.com", None),
        ("ä@example.com", None),
        ("a" * 65 + "@example.com", None),
        ("<script>@example.com", None),
    ],
)
async def test_assignee_emails(mcp_client, mcp_mock_backend, assignee, stored_as):
    create = mcp_mock_backend(CREATE, side_effect=echo_store, assert_called=stored_as is not None)
    result = await mcp_client.call("create_assignment", title="t", assignee=assignee)
    if stored_as is not None:
        assert_structured(result, subset={"assignee": stored_as})
    else:
        assert error_body(result)["details"] == {"assignee": "must be a valid e-mail address"}
        create.assert_not_called()


@pytest.mark.parametrize(
    ("title", "outcome"),
    [
        pytest.param("x", "x", id="one-char"),
        pytest.param("t" * 200, "t" * 200, id="200-chars"),
        pytest.param("  padded  ", "padded", id="stripped"),
        pytest.param("日本語のタイトル", "日本語のタイトル", id="unicode"),
        pytest.param("t" * 201, "must be at most 200 characters", id="201-chars"),
        pytest.param("   ", "must not be empty", id="blank"),
        pytest.param("a\nb", "must not contain control characters", id="newline"),
        pytest.param("\x1b[31mred", "must not contain control characters", id="ansi-escape"),
        pytest.param("a\x85b", "must not contain control characters", id="c1-control"),
    ],
)
async def test_titles(mcp_client, mcp_mock_backend, title, outcome):
    valid = not outcome.startswith("must ")
    create = mcp_mock_backend(CREATE, side_effect=echo_store, assert_called=valid)
    result = await mcp_client.call("create_assignment", title=title, assignee="a@example.com")
    if valid:
        assert_structured(result, subset={"title": outcome})
    else:
        assert error_body(result)["details"] == {"title": outcome}
        create.assert_not_called()


async def test_every_bad_field_is_reported_at_once(mcp_client, mcp_mock_backend):
    create = mcp_mock_backend(CREATE, assert_called=False)
    result = await mcp_client.call("create_assignment", title="", assignee="nope", priority=9, due_date="2025-02-30")
    assert error_body(result)["details"] == {
        "title": "must not be empty",
        "assignee": "must be a valid e-mail address",
        "priority": "must be at most 5",
        "due_date": "must be a real calendar date",
    }
    create.assert_not_called()


async def test_a_missing_required_argument_is_refused_before_the_tool_runs(mcp_client, mcp_mock_backend):
    create = mcp_mock_backend(CREATE, assert_called=False)
    assert_tool_error(await mcp_client.outcome("create_assignment", {"title": "t"}), match="assignee")
    create.assert_not_called()


async def test_a_store_conflict_becomes_a_conflict_error(mcp_client, mcp_mock_backend):
    mcp_mock_backend(CREATE, side_effect=conflict("an assignment with this title already exists for this assignee"))
    result = await mcp_client.call("create_assignment", title="t", assignee="a@example.com")
    assert error_body(result) == {
        "error": "conflict",
        "message": "an assignment with this title already exists for this assignee",
    }


async def test_an_unexpected_store_failure_is_a_generic_internal_error(mcp_client, mcp_mock_backend, caplog):
    mcp_mock_backend(
        "example_server.store:Store.get", side_effect=RuntimeError("SELECT * FROM users -- password=hunter2")
    )
    result = await mcp_client.call("get_assignment", assignment_id=1)
    assert error_body(result) == {"error": "internal_error", "message": "an internal error occurred"}
    assert "hunter2" not in result.model_dump_json()
    assert "hunter2" in caplog.text  # the details stay in the server's own log


async def test_get_of_an_id_the_store_does_not_have_is_not_found(mcp_client, mcp_mock_backend):
    get = mcp_mock_backend("example_server.store:Store.get", return_value=None)
    result = await mcp_client.call("get_assignment", assignment_id=42)
    assert error_body(result) == {"error": "not_found", "message": "assignment not found"}
    get.assert_called_once_with(ANY, OWNER, 42)


@pytest.mark.parametrize(
    ("assignment_id", "problem"),
    [
        (0, "must be at least 1"),
        (-1, "must be at least 1"),
        (2**63, f"must be at most {2**63 - 1}"),
        ("7", "must be an integer"),
        (1.5, "must be an integer"),
        (True, "must be an integer"),
    ],
)
async def test_ids_must_be_positive_64_bit_integers(mcp_client, mcp_mock_backend, assignment_id, problem):
    get = mcp_mock_backend("example_server.store:Store.get", assert_called=False)
    result = await mcp_client.call("get_assignment", assignment_id=assignment_id)
    assert error_body(result)["details"] == {"assignment_id": problem}
    get.assert_not_called()


async def test_list_forwards_the_query_and_builds_the_next_cursor(mcp_client, mcp_mock_backend):
    first = SAMPLE.model_copy(update={"id": 3})
    second = SAMPLE.model_copy(update={"id": 9, "title": "other"})
    page = mcp_mock_backend("example_server.store:Store.page", return_value=([first, second], True))
    body = assert_tool_ok(
        await mcp_client.call("list_assignments", status="open", assignee="Ann@Example.com", page_size=2)
    )
    assert [item["id"] for item in body["items"]] == [3, 9]
    assert body["next_cursor"] == encode_cursor(9)
    page.assert_called_once_with(ANY, OWNER, ListQuery(status="open", assignee="ann@example.com", page_size=2))

    page.return_value = ([], False)
    assert_structured(
        await mcp_client.call("list_assignments", cursor=body["next_cursor"]), {"items": [], "next_cursor": None}
    )
    assert page.call_args.args[2] == ListQuery(after_id=9)


@pytest.mark.parametrize(
    ("arguments", "details"),
    [
        ({"page_size": 0}, {"page_size": "must be at least 1"}),
        ({"page_size": 101}, {"page_size": "must be at most 100"}),
        ({"page_size": "10"}, {"page_size": "must be an integer"}),
        ({"status": "closed"}, {"status": "must be one of 'open', 'in_progress' or 'done'"}),
        ({"cursor": "bm90IGEgY3Vyc29y"}, {"cursor": "is not a cursor returned by list_assignments"}),
    ],
)
async def test_list_rejects_bad_queries(mcp_client, mcp_mock_backend, arguments, details):
    page = mcp_mock_backend("example_server.store:Store.page", assert_called=False)
    assert error_body(await mcp_client.call("list_assignments", **arguments))["details"] == details
    page.assert_not_called()


async def test_update_sends_only_the_given_fields(mcp_client, mcp_mock_backend):
    update = mcp_mock_backend(
        "example_server.store:Store.update", return_value=SAMPLE.model_copy(update={"status": "done"})
    )
    assert_structured(
        await mcp_client.call("update_assignment", assignment_id=7, status="done"), subset={"status": "done"}
    )
    update.assert_called_once_with(ANY, OWNER, 7, AssignmentChanges(status="done"))


async def test_an_update_without_changes_is_refused(mcp_client, mcp_mock_backend):
    update = mcp_mock_backend("example_server.store:Store.update", assert_called=False)
    assert error_body(await mcp_client.call("update_assignment", assignment_id=7)) == {
        "error": "invalid_input",
        "message": "nothing to update: give at least one field to change",
    }
    update.assert_not_called()


async def test_delete(mcp_client, mcp_mock_backend):
    delete = mcp_mock_backend("example_server.store:Store.delete", side_effect=[True, False])
    assert_structured(await mcp_client.call("delete_assignment", assignment_id=7), {"id": 7, "deleted": True})
    assert error_body(await mcp_client.call("delete_assignment", assignment_id=7))["error"] == "not_found"
    assert delete.call_count == 2


async def test_delete_all_reports_the_store_count(mcp_client, mcp_mock_backend):
    mcp_mock_backend("example_server.store:Store.delete_all", return_value=12)
    assert_structured(await mcp_client.call("delete_all_assignments"), {"deleted": 12})
