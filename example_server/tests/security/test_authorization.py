"""Authorization: scopes, per-user isolation and the admin-only tool, with tokens per user.

Each user is a client of the same protected server (``mcp_client_factory(token=...)``), so the
tests are about what one identity can do to another's data. Scopes are enforced in two places:
the SDK refuses a request whose token lacks ``ASSIGNMENTS_REQUIRED_SCOPES`` with HTTP 403, and the
tools refuse a missing per-action scope with a ``forbidden`` tool error.
"""

from __future__ import annotations

import pytest

from pytest_mcp import assert_protocol_error, assert_structured, assert_tool_ok

from ..factories import AssignmentArgsFactory, UserFactory
from ..helpers import error_body
from .conftest import INITIALIZE, bearer, protected, raw_http

pytestmark = [pytest.mark.anyio, pytest.mark.security]


def forbidden(scope: str) -> dict[str, str]:
    return {"error": "forbidden", "message": f"this action needs the {scope!r} scope"}


def token_for(issuer, user, scopes=None) -> str:
    return issuer.token(sub=user.subject, scopes=sorted(user.scopes) if scopes is None else scopes)


@pytest.fixture(scope="module")
def scoped_target(mcp_token_issuer):
    """A server whose every request needs assignments:read (SDK-level 403 below that)."""
    return protected(mcp_token_issuer, "required-scopes", required_scopes="assignments:read")


@pytest.mark.parametrize("scopes", ["", "assignments:write", "admin"])
async def test_a_token_without_the_required_scope_is_403(mcp_server_pool, scoped_target, mcp_token_issuer, scopes):
    server = mcp_server_pool.get(scoped_target, "auto")
    async with raw_http(server, **bearer(mcp_token_issuer.token(scopes=scopes))) as http:
        reply = await http.post(INITIALIZE)
    assert reply.status == 403
    challenge = reply.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and 'error="insufficient_scope"' in challenge


async def test_the_required_scope_lets_an_sdk_client_in_and_its_absence_does_not(
    mcp_client_factory, scoped_target, mcp_token_issuer
):
    reader = mcp_token_issuer.token(sub="ann@example.com", scopes="assignments:read")
    async with mcp_client_factory(server=scoped_target, token=reader) as client:
        assert_structured(await client.call("list_assignments", assignee="z@example.com"), subset={"items": []})
        # Past the HTTP gate, the tool still wants assignments:write for writes.
        refused = await client.call("create_assignment", **AssignmentArgsFactory())
        assert error_body(refused) == forbidden("assignments:write")
    with assert_protocol_error():
        async with mcp_client_factory(server=scoped_target, token=mcp_token_issuer.token(scopes="admin")):
            pass


@pytest.mark.parametrize(
    ("tool", "arguments", "scope"),
    [
        ("create_assignment", {"title": "t", "assignee": "a@example.com"}, "assignments:write"),
        ("bulk_create_assignments", {"items": [{"title": "t", "assignee": "a@example.com"}]}, "assignments:write"),
        ("update_assignment", {"assignment_id": 1, "status": "done"}, "assignments:write"),
        ("delete_assignment", {"assignment_id": 1}, "assignments:write"),
        ("get_assignment", {"assignment_id": 1}, "assignments:read"),
        ("list_assignments", {}, "assignments:read"),
        ("delete_all_assignments", {}, "admin"),
    ],
)
async def test_each_tool_checks_its_scope(mcp_client_factory, mcp_token_issuer, tool, arguments, scope):
    everything_else = sorted({"assignments:read", "assignments:write", "admin"} - {scope})
    async with mcp_client_factory(
        token=mcp_token_issuer.token(sub="ann@example.com", scopes=everything_else)
    ) as client:
        assert error_body(await client.call(tool, **arguments)) == forbidden(scope)


async def test_users_never_see_or_touch_each_others_assignments(mcp_client_factory, mcp_token_issuer):
    ann, bob = UserFactory(), UserFactory()
    async with (
        mcp_client_factory(token=token_for(mcp_token_issuer, ann), label=ann.subject) as as_ann,
        mcp_client_factory(token=token_for(mcp_token_issuer, bob), label=bob.subject) as as_bob,
    ):
        secret = assert_tool_ok(await as_ann.call("create_assignment", **AssignmentArgsFactory()))
        not_found = {"error": "not_found", "message": "assignment not found"}
        for tool, extra in [
            ("get_assignment", {}),
            ("update_assignment", {"status": "done"}),
            ("delete_assignment", {}),
        ]:
            # Someone else's id answers exactly like an id that never existed.
            assert error_body(await as_bob.call(tool, assignment_id=secret["id"], **extra)) == not_found
            assert error_body(await as_bob.call(tool, assignment_id=secret["id"] + 10**6, **extra)) == not_found
        assert_structured(await as_bob.call("list_assignments"), {"items": [], "next_cursor": None})
        with assert_protocol_error(code=-32602):
            await as_bob.read_resource(f"assignment://{secret['id']}")
        prompt = await as_bob.get_prompt("open_work_summary", {"assignee": secret["assignee"]})
        assert secret["title"] not in prompt.messages[0].content.text
        # Ann's row is untouched by all of that.
        assert_structured(await as_ann.call("get_assignment", assignment_id=secret["id"]), secret)


async def test_only_an_admin_can_delete_everything(mcp_client_factory, mcp_token_issuer):
    writer, admin = UserFactory(), UserFactory(admin=True)
    async with mcp_client_factory(token=token_for(mcp_token_issuer, writer)) as client:
        assert_tool_ok(await client.call("create_assignment", **AssignmentArgsFactory()))
        assert error_body(await client.call("delete_all_assignments")) == forbidden("admin")
        assert assert_tool_ok(await client.call("list_assignments"))["items"] != []
    async with mcp_client_factory(token=token_for(mcp_token_issuer, admin)) as client:
        deleted = assert_tool_ok(await client.call("delete_all_assignments"))["deleted"]
    assert deleted >= 1  # every owner's rows, not only the admin's own (none)
    async with mcp_client_factory(token=token_for(mcp_token_issuer, writer)) as client:
        assert_structured(await client.call("list_assignments"), {"items": [], "next_cursor": None})


async def test_an_owner_argument_cannot_override_the_tokens_identity(mcp_client_factory, mcp_token_issuer):
    user = UserFactory()
    async with mcp_client_factory(token=token_for(mcp_token_issuer, user)) as client:
        result = await client.call("create_assignment", **AssignmentArgsFactory(), owner="root@example.com")
    # Unknown arguments are dropped by the SDK; the owner always comes from the verified token.
    assert_structured(result, subset={"owner": user.subject})
