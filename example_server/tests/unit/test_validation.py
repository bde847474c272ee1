"""Boundaries of every argument type, and how a refusal reads: one message per field, all at once."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from example_server import arguments, validation
from example_server.arguments import BulkItem, BulkItems
from example_server.errors import ErrorKind, ToolFailure

pytestmark = pytest.mark.unit


def accepted(kind, value):
    return validation.checked(TypeAdapter(kind), "field", value)


def refusal(kind, value) -> str:
    with pytest.raises(ToolFailure) as info:
        validation.checked(TypeAdapter(kind), "field", value)
    assert info.value.kind is ErrorKind.INVALID_INPUT and list(info.value.details) == ["field"]
    return info.value.details["field"]


@pytest.mark.parametrize("value", [1, 2, 5])
def test_priority_accepts_1_to_5(value):
    assert accepted(arguments.Priority, value) == value


@pytest.mark.parametrize(
    ("value", "problem"), [(0, "must be at least 1"), (-1, "must be at least 1"), (6, "must be at most 5")]
)
def test_priority_out_of_range(value, problem):
    assert refusal(arguments.Priority, value) == problem


@pytest.mark.parametrize("value", [True, False, 3.0, "3", None, [3]])
def test_priority_must_be_a_real_integer(value):
    assert refusal(arguments.Priority, value) == "must be an integer"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a@b.co", "a@b.co"),
        ("first.last+tag@sub.example.org", "first.last+tag@sub.example.org"),
        ("Bob@Example.COM", "bob@example.com"),
        ("x_y%z-1@a-b.example", "x_y%z-1@a-b.example"),
        ("a" * 64 + "@example.com", "a" * 64 + "@example.com"),
    ],
)
def test_valid_emails(value, expected):
    assert accepted(arguments.Assignee, value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plain",
        "a@b",
        "a@@b.co",
        "@b.co",
        "a@",
        ".a@b.co",
        "a.@b.co",
        "a..b@c.co",
        "a@-b.co",
        "a@b-.co",
        "a@b..co",
        "a b@c.co",
        "a@b.co\n",
        " a@b.co",
        "a@b.c",
        "a@b.co1",
        "ä@b.co",
        "a@bü.co",
        "a<script>@b.co",
        "a" * 65 + "@example.com",
    ],
)
def test_invalid_emails(value):
    assert refusal(arguments.Assignee, value) == "must be a valid e-mail address"


def test_email_length_boundary():
    at_limit = "a" * 64 + "@" + "d" * 63 + "." + "e" * 63 + "." + "f" * 57 + ".com"
    assert len(at_limit) == 254 and accepted(arguments.Assignee, at_limit) == at_limit
    assert refusal(arguments.Assignee, "x" + at_limit) == "must be at most 254 characters"


@pytest.mark.parametrize("value", [None, 5, ["a@b.co"]])
def test_email_must_be_a_string(value):
    assert refusal(arguments.Assignee, value) == "must be a string"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("x", "x"), ("  padded  ", "padded"), ("t" * 200, "t" * 200), ("é" * 200, "é" * 200), ("日本語", "日本語")],
)
def test_valid_titles(value, expected):
    assert accepted(arguments.Title, value) == expected


def test_title_length_limit_is_200():
    assert refusal(arguments.Title, "t" * 201) == "must be at most 200 characters"


@pytest.mark.parametrize("value", ["", " ", "   \u3000 "])
def test_title_must_not_be_blank(value):
    assert refusal(arguments.Title, value) == "must not be empty"


@pytest.mark.parametrize(
    "value", ["a\x00b", "a\tb", "a\nb", "line\r", "\x1b[31mred", "a\x7fb", "a\x80b", "a\x85b", "a\x9fb", " x\n"]
)
def test_title_rejects_control_characters(value):
    assert refusal(arguments.Title, value) == "must not contain control characters"


def test_title_rejects_lone_surrogates():
    assert refusal(arguments.Title, "bad \ud800 text") == "must be valid Unicode text"


@pytest.mark.parametrize(
    "value", ["<script>alert(1)</script>", "'; DROP TABLE assignments; --", "../../etc/passwd", "{{7*7}} %s %n"]
)
def test_hostile_looking_titles_are_plain_text(value):
    assert accepted(arguments.Title, value) == value


@pytest.mark.parametrize("value", [None, 1, ["x"]])
def test_title_must_be_a_string(value):
    assert refusal(arguments.Title, value) == "must be a string"


@pytest.mark.parametrize("value", ["open", "in_progress", "done", None])
def test_valid_status_filters(value):
    assert accepted(arguments.StatusFilter, value) == value


@pytest.mark.parametrize("value", ["Open", "closed", "", 1])
def test_invalid_statuses(value):
    assert refusal(arguments.StatusFilter, value) == "must be one of 'open', 'in_progress' or 'done'"


@pytest.mark.parametrize(("value", "expected"), [("2025-02-28", date(2025, 2, 28)), ("2024-02-29", date(2024, 2, 29))])
def test_valid_due_dates(value, expected):
    assert accepted(arguments.DueDate, value) == expected


@pytest.mark.parametrize("value", ["2025-02-29", "2025-13-01", "2025-00-10"])
def test_due_date_must_exist(value):
    assert refusal(arguments.DueDate, value) == "must be a real calendar date"


@pytest.mark.parametrize(
    "value",
    ["2025-1-01", "20250101", "2025-01-01T00:00", "2025-01-01 ", "\uff12\uff10\uff12\uff15-01-01", 20250101, None],
)
def test_due_date_format(value):
    assert refusal(arguments.DueDate, value) == "must be a date in YYYY-MM-DD format"


@pytest.mark.parametrize(
    ("value", "problem"), [(0, "must be at least 1"), (101, "must be at most 100"), ("10", "must be an integer")]
)
def test_page_size_is_1_to_100(value, problem):
    assert accepted(arguments.PageSize, 100) == 100
    assert refusal(arguments.PageSize, value) == problem


def test_the_largest_id_is_accepted_and_one_more_is_not():
    assert accepted(arguments.AssignmentId, arguments.MAX_ID) == 2**63 - 1
    assert refusal(arguments.AssignmentId, arguments.MAX_ID + 1) == f"must be at most {2**63 - 1}"
    assert refusal(arguments.AssignmentId, 0) == "must be at least 1"


class _Create(BaseModel):  # the shape of create_assignment's arguments
    title: arguments.Title
    assignee: arguments.Assignee
    priority: arguments.Priority = 3
    due_date: arguments.DueDate | None = None


class _Bulk(BaseModel):
    items: BulkItems


def failure_of(model: type[BaseModel], data: dict) -> ToolFailure:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return validation.invalid_arguments(info.value)


def test_all_field_errors_are_reported_at_once():
    failure = failure_of(_Create, {"title": "\x00", "assignee": "nope", "priority": True, "due_date": "tomorrow"})
    assert failure.details == {
        "title": "must not contain control characters",
        "assignee": "must be a valid e-mail address",
        "priority": "must be an integer",
        "due_date": "must be a date in YYYY-MM-DD format",
    }
    assert failure.payload() == {"error": "invalid_input", "message": "invalid input", "details": failure.details}


def test_missing_arguments_are_named():
    assert failure_of(_Create, {}).details == {"title": "is required", "assignee": "is required"}


@pytest.mark.parametrize(
    ("items", "problem"),
    [
        (None, "must be a list"),
        ("items", "must be a list"),
        ([], "must hold at least 1 item(s)"),
        ([{"title": "t", "assignee": "a@b.co"}] * 101, "must hold at most 100 items"),
    ],
)
def test_bulk_items_shape(items, problem):
    assert failure_of(_Bulk, {"items": items}).details == {"items": problem}


def test_bulk_items_report_every_item_by_index():
    items = [
        {"title": "ok", "assignee": "a@b.co"},
        "not an object",
        {"title": "", "assignee": "a@b.co", "priority": 9},
        {"assignee": "a@b.co", "colour": "red"},
    ]
    assert failure_of(_Bulk, {"items": items}).details == {
        "items[1]": "must be an object",
        "items[2].title": "must not be empty",
        "items[2].priority": "must be at most 5",
        "items[3].title": "is required",
        "items[3].colour": "unknown field",
    }


def test_bulk_items_are_normalised():
    [item] = TypeAdapter(BulkItems).validate_python(
        [{"title": " Write ", "assignee": "Ann@Example.com", "due_date": "2030-01-31"}]
    )
    assert item == BulkItem(title="Write", assignee="ann@example.com", priority=3, due_date=date(2030, 1, 31))


def test_a_rule_without_its_own_words_keeps_pydantics():
    assert (
        validation.problem({"type": "url_parsing", "msg": "Input should be a valid URL", "ctx": None})
        == "Input should be a valid URL"
    )
    assert validation.field_name(("items", 0, "due_date")) == "items[0].due_date"
