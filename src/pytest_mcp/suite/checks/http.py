"""Streamable HTTP checks (checklist N, P 117): status codes, content types, sessions, headers, DNS rebinding."""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import urlsplit

from ..context import CheckContext
from ..registry import check
from ..wire import HANDSHAKE_ERA, MODERN_ERA, HttpWire
from ._requests import LEAVE_OUT, UNKNOWN_NAME, any_request

HTTP: Final = ["http"]
VISIBLE_ASCII: Final = re.compile(r"^[\x21-\x7e]+$")
LOOPBACK: Final = ("127.0.0.1", "localhost", "::1", "[::1]")
STREAM_SECONDS: Final = 0.3
"""How long a GET stream is read (what it carries within that time is checked)."""


def _sessions_used(ctx: CheckContext, wire: HttpWire) -> None:
    __tracebackhide__ = True
    if not wire.session_id:
        ctx.skip("the server issued no Mcp-Session-Id (it does not use sessions)")


@check(
    "http.accept-406",
    rule="A POST whose Accept header allows neither application/json nor text/event-stream is refused with 406 Not "
    "Acceptable.",
    items=[96],
    spec="basic/transports#sending-messages-to-the-server",
    level="D",
    transports=HTTP,
)
async def accept_406(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        method, params = any_request(ctx)
        body = wire.message(method, params)
        reply = await wire.post(body, headers={"accept": "text/plain"})
        ctx.expect(
            reply.status == 406,
            f"a POST with Accept: text/plain got HTTP {reply.status}, not 406",
            sent=body,
            received=reply.describe(),
        )


@check(
    "http.response-content-type",
    rule="A POSTed request is answered with Content-Type application/json (one response) or text/event-stream.",
    items=[94],
    spec="basic/transports#sending-messages-to-the-server",
    level="MUST",
    transports=HTTP,
)
async def response_content_type(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        method, params = any_request(ctx)
        replies = [await wire.request(method, params)]
        if ctx.declares("tools"):
            replies.append(await wire.request("tools/list", {}))
        for reply in replies:
            kind = reply.headers.get("content-type", "").split(";")[0].strip().lower()
            ctx.expect(
                kind in ("application/json", "text/event-stream"),
                f"a request got Content-Type {kind or '(none)'!r}",
                sent=reply.sent,
                received=reply.describe(),
            )


@check(
    "http.notification-202",
    rule="A POSTed notification that the server accepts is answered with 202 Accepted and no body.",
    items=[95],
    spec="basic/transports#sending-messages-to-the-server",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
)
async def notification_202(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        body = wire.message(
            "notifications/cancelled", {"requestId": 987650002, "reason": "pytest-mcp"}, notification=True
        )
        reply = await wire.post(body)
        if reply.status is not None and 400 <= reply.status < 500:
            return  # refusing a notification with a 4xx is allowed
        ctx.expect(
            reply.status == 202 and not reply.body.strip(),
            f"a notification got HTTP {reply.status} with {len(reply.body)} body bytes, not 202 with no body",
            sent=body,
            received=reply.describe(),
        )


@check(
    "http.session.id-visible-ascii",
    rule="A session id issued in Mcp-Session-Id consists only of visible ASCII characters (0x21 to 0x7E).",
    items=[99],
    spec="basic/transports#session-management",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
)
async def session_id_visible_ascii(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        _sessions_used(ctx, wire)
        ctx.expect(
            VISIBLE_ASCII.match(wire.session_id or "") is not None,
            f"the session id {wire.session_id!r} has characters outside visible ASCII",
        )


@check(
    "http.session.missing-400",
    rule="A server that uses sessions answers a request without Mcp-Session-Id (other than initialize) with 400 Bad "
    "Request.",
    items=[100],
    spec="basic/transports#session-management",
    level="SHOULD",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
)
async def session_missing_400(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        _sessions_used(ctx, wire)
        body = wire.message("ping", None, envelope=False)
        reply = await wire.post(body, headers={"mcp-session-id": LEAVE_OUT})
        ctx.expect(
            reply.status == 400,
            f"a request without Mcp-Session-Id got HTTP {reply.status}, not 400",
            sent=body,
            received=reply.describe(),
        )


@check(
    "http.session.unknown-404",
    rule="A request with a session id the server never issued (or has terminated) is answered with 404 Not Found.",
    items=[100],
    spec="basic/transports#session-management",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
)
async def session_unknown_404(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        _sessions_used(ctx, wire)
        body = wire.message("ping", None, envelope=False)
        reply = await wire.post(body, headers={"mcp-session-id": "pytest-mcp-unknown-session-0000"})
        ctx.expect(
            reply.status == 404,
            f"a request with an unknown session id got HTTP {reply.status}, not 404",
            sent=body,
            received=reply.describe(),
        )


@check(
    "http.session.deleted-404",
    rule="After DELETE with its session id (2xx, or 405 when the server does not allow it), the same session id "
    "gets 404 Not Found.",
    items=[101],
    spec="basic/transports#session-management",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
)
async def session_deleted_404(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        _sessions_used(ctx, wire)
        session = wire.session_id
        deleted = await wire.http("DELETE")
        if deleted.status == 405:
            ctx.skip("the server does not let clients end sessions (DELETE got 405)")
        ctx.expect(
            deleted.status is not None and 200 <= deleted.status < 300,
            f"DELETE with the session id got HTTP {deleted.status}, not 2xx or 405",
            received=deleted.describe(),
        )
        wire.session_id = None  # already ended
        body = wire.message("ping", None, envelope=False)
        reply = await wire.post(body, headers={"mcp-session-id": session or ""})
        ctx.expect(
            reply.status == 404,
            f"a request with a deleted session id got HTTP {reply.status}, not 404",
            sent=body,
            received=reply.describe(),
        )


def _guessable(ids: list[str]) -> str | None:
    if len(set(ids)) < len(ids):
        return "two sessions got the same id"
    short = [value for value in ids if len(value) < 16]
    if short:
        return f"the session id {short[0]!r} is shorter than 16 characters"
    numbers = [re.sub(r"\D", "", value) for value in ids]
    stems = {re.sub(r"\d+", "#", value) for value in ids}
    if len(stems) == 1 and all(numbers):
        values = sorted(int(n) for n in numbers)
        if values[-1] - values[0] <= 10 * len(values):
            return f"the session ids {ids} differ only by a small counter"
    prefix = len(_common_prefix(ids))
    if min(len(value) for value in ids) - prefix < 8:
        return f"the session ids {ids} share all but {min(len(v) for v in ids) - prefix} characters"
    return None


def _common_prefix(values: list[str]) -> str:
    first, last = min(values), max(values)
    index = 0
    while index < min(len(first), len(last)) and first[index] == last[index]:
        index += 1
    return first[:index]


@check(
    "http.session.unguessable",
    rule="Session ids are secure and non-deterministic: distinct, long, not sequential.",
    items=[99, 117],
    spec="basic/security_best_practices#session-hijacking",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
)
async def session_unguessable(ctx: CheckContext) -> None:
    ids = []
    for _ in range(3):
        async with ctx.http() as wire:
            _sessions_used(ctx, wire)
            ids.append(wire.session_id or "")
    problem = _guessable(ids)
    ctx.expect(problem is None, problem or "")


@check(
    "http.protocol-version-400",
    rule="A request with an invalid or unsupported MCP-Protocol-Version header is answered with 400 Bad Request.",
    items=[102],
    spec="basic/transports#protocol-version-header",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
)
async def protocol_version_400(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        body = wire.message("ping", None, envelope=False)
        reply = await wire.post(body, headers={"mcp-protocol-version": "1999-01-01"})
        ctx.expect(
            reply.status == 400,
            f"a request with MCP-Protocol-Version: 1999-01-01 got HTTP {reply.status}, not 400",
            sent=body,
            received=reply.describe(),
        )


@check(
    "http.origin-403",
    rule="A request with an invalid Origin header is refused with 403 Forbidden (DNS rebinding protection).",
    items=[103],
    spec="basic/transports#security-warning",
    level="MUST",
    transports=HTTP,
)
async def origin_403(ctx: CheckContext) -> None:
    async with ctx.http(handshake=False) as wire:
        if ctx.era == HANDSHAKE_ERA:
            body = wire.message(
                "initialize",
                {
                    "protocolVersion": HANDSHAKE_ERA,
                    "capabilities": {},
                    "clientInfo": {"name": "pytest-mcp", "version": "0"},
                },
                envelope=False,
            )
        else:
            body = wire.message("server/discover", {})
        reply = await wire.post(body, headers={"origin": "http://evil.example"})
        if reply.status == 200 and reply.headers.get("mcp-session-id"):
            wire.session_id = reply.headers["mcp-session-id"]  # so it is cleaned up
        ctx.expect(
            reply.status == 403,
            f"a request with Origin: http://evil.example got HTTP {reply.status}, not 403",
            sent=body,
            received=reply.describe(),
        )


@check(
    "http.host-rebinding",
    rule="A server on a loopback address refuses a request whose Host header names another host (421 or 403), "
    "so DNS rebinding cannot reach it.",
    items=[103, 118],
    spec="basic/transports#security-warning",
    level="D",
    transports=HTTP,
)
async def host_rebinding(ctx: CheckContext) -> None:
    async with ctx.http(handshake=False) as wire:
        host = urlsplit(wire.url).hostname or ""
        if host not in LOOPBACK:
            ctx.skip(f"the server is not on a loopback address ({host}); DNS rebinding targets local servers")
        if ctx.era == HANDSHAKE_ERA:
            body = wire.message(
                "initialize",
                {
                    "protocolVersion": HANDSHAKE_ERA,
                    "capabilities": {},
                    "clientInfo": {"name": "pytest-mcp", "version": "0"},
                },
                envelope=False,
            )
        else:
            body = wire.message("server/discover", {})
        reply = await wire.post(body, headers={"host": "evil.example"})
        if reply.status == 200 and reply.headers.get("mcp-session-id"):
            wire.session_id = reply.headers["mcp-session-id"]
        ctx.expect(
            reply.status is not None and 400 <= reply.status < 500,
            f"a request with Host: evil.example got HTTP {reply.status}, not 421 or 403",
            sent=body,
            received=reply.describe(),
        )


@check(
    "http.get-stream-or-405",
    rule="GET on the endpoint (with the session id) opens a text/event-stream or is refused with 405 Method Not "
    "Allowed.",
    items=[93, 97],
    spec="basic/transports#listening-for-messages-from-the-server",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
    waits=STREAM_SECONDS,
)
async def get_stream_or_405(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        reply = await wire.http("GET", headers={"accept": "text/event-stream"}, timeout=STREAM_SECONDS)
        kind = reply.content_type
        ok = reply.status == 405 or (reply.status == 200 and kind == "text/event-stream")
        ctx.expect(
            ok,
            f"GET got HTTP {reply.status} {kind or '(no content-type)'}, not a text/event-stream or 405",
            received=reply.describe(),
        )
        if reply.status != 200:
            return  # a 405 may explain itself in any body (a JSON-RPC error too): only a stream is looked into
        for message in reply.messages:
            ctx.expect(
                not (isinstance(message, dict) and ("result" in message or "error" in message)),
                "the GET stream carried a response",
                received=message,
            )


@check(
    "http.modern.get-delete-405",
    rule="A 2026-07-28 server answers GET and DELETE on the endpoint with 405 Method Not Allowed.",
    items=[104],
    spec="basic/transports/streamable-http#earlier-streamable-http-revisions",
    level="SHOULD",
    eras=[MODERN_ERA],
    transports=HTTP,
    waits=2 * STREAM_SECONDS,
)
async def modern_get_delete_405(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        for verb in ("GET", "DELETE"):
            reply = await wire.http(verb, headers={"accept": "text/event-stream"}, timeout=STREAM_SECONDS)
            ctx.expect(reply.status == 405, f"{verb} got HTTP {reply.status}, not 405", received=reply.describe())


@check(
    "http.modern.no-session-id",
    rule="A 2026-07-28 server never mints or echoes Mcp-Session-Id.",
    items=[104],
    spec="basic/transports/streamable-http#earlier-streamable-http-revisions",
    level="SHOULD",
    eras=[MODERN_ERA],
    transports=HTTP,
)
async def modern_no_session_id(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        reply = await wire.request("server/discover", {}, headers={"mcp-session-id": "pytest-mcp-session"})
        ctx.expect(
            "mcp-session-id" not in reply.headers,
            f"a 2026-07-28 reply carries Mcp-Session-Id: {reply.headers.get('mcp-session-id')!r}",
            sent=reply.sent,
            received=reply.describe(),
        )


@check(
    "http.modern.missing-headers",
    rule="A 2026-07-28 request without the Mcp-Method header, or a tools/call without Mcp-Name, is refused with "
    "400 and error -32020.",
    items=[105],
    spec="basic/transports/streamable-http#server-validation",
    level="MUST",
    eras=[MODERN_ERA],
    transports=HTTP,
)
async def modern_missing_headers(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        probes: list[tuple[str, dict[str, Any], dict[str, str]]] = [("server/discover", {}, {"mcp-method": LEAVE_OUT})]
        if ctx.declares("tools"):
            probes.append(("tools/call", {"name": UNKNOWN_NAME, "arguments": {}}, {"mcp-name": LEAVE_OUT}))
        for method, params, headers in probes:
            body = wire.message(method, params)
            reply = await wire.send_request(body, headers=headers)
            missing = next(iter(headers))
            ctx.expect(
                reply.status == 400 and reply.code == -32020,
                f"{method} without the {missing} header got HTTP {reply.status} (code {reply.code}), not 400 "
                "with -32020",
                sent=body,
                received=reply.describe(),
            )


@check(
    "http.modern.header-mismatch",
    rule="A 2026-07-28 request whose Mcp-Method, Mcp-Name or MCP-Protocol-Version header disagrees with its body is "
    "refused with 400 and error -32020.",
    items=[106],
    spec="basic/transports/streamable-http#server-validation",
    level="MUST",
    eras=[MODERN_ERA],
    transports=HTTP,
)
async def modern_header_mismatch(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        probes: list[tuple[str, dict[str, Any], dict[str, str]]] = [
            ("server/discover", {}, {"mcp-method": "tools/list"})
        ]
        if ctx.declares("tools"):
            probes.append(("tools/call", {"name": UNKNOWN_NAME, "arguments": {}}, {"mcp-name": "another-tool"}))
        for method, params, headers in probes:
            body = wire.message(method, params)
            reply = await wire.send_request(body, headers=headers)
            ctx.expect(
                reply.status == 400 and reply.code == -32020,
                f"{method} with a mismatching {next(iter(headers))} header got HTTP {reply.status} (code "
                f"{reply.code}), not 400 with -32020",
                sent=body,
                received=reply.describe(),
            )


@check(
    "http.protocol-version-absent",
    rule="A request without the MCP-Protocol-Version header (inside a session) is accepted: the server assumes "
    "2025-03-26 rather than refusing it.",
    items=[102],
    spec="basic/transports#protocol-version-header",
    level="SHOULD",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
)
async def protocol_version_absent(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        body = wire.message("ping", None, envelope=False)
        reply = await wire.post(body, headers={"mcp-protocol-version": LEAVE_OUT})
        answer = reply.json
        ctx.expect(
            reply.status == 200 and isinstance(answer, dict) and "result" in answer,
            f"a ping without MCP-Protocol-Version got HTTP {reply.status}, not a result",
            sent=body,
            received=reply.describe(),
        )


@check(
    "http.response-post-202",
    rule="A POSTed JSON-RPC response (here one to a request the server never sent) is answered with 202 Accepted and "
    "no body if accepted, or with an HTTP error status if not.",
    items=[95],
    spec="basic/transports#sending-messages-to-the-server",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
)
async def response_post_202(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        body = {"jsonrpc": "2.0", "id": "pytest-mcp-never-asked", "result": {}}
        reply = await wire.post(body)
        accepted = reply.status == 202 and not reply.body.strip()
        ctx.expect(
            accepted or (reply.status is not None and reply.status >= 400),
            f"a POSTed response got HTTP {reply.status} with {len(reply.body)} body bytes, not 202 with no body "
            "or an error status",
            sent=body,
            received=reply.describe(),
        )


@check(
    "http.session.id-stable",
    rule="A session id is assigned only on the InitializeResult response: later responses of the session never "
    "carry a different Mcp-Session-Id.",
    items=[99],
    spec="basic/transports#session-management",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
)
async def session_id_stable(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        _sessions_used(ctx, wire)
        replies = [await wire.request("ping", None, envelope=False)]
        if ctx.declares("tools"):
            replies.append(await wire.request("tools/list", {}))
        for reply in replies:
            given = reply.headers.get("mcp-session-id")
            ctx.expect(
                given in (None, wire.session_id),
                f"a response in session {wire.session_id!r} carries another session id {given!r}",
                sent=reply.sent,
                received=reply.describe(),
            )


def _event_ids(body: bytes) -> list[str]:
    lines = body.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
    return [line[3:].lstrip(" ") for line in lines if line.startswith("id:")]


@check(
    "http.sse-event-ids-unique",
    rule="SSE event ids, when the server sends them, are unique across all streams of a session.",
    items=[98],
    spec="basic/transports#resumability-and-redelivery",
    level="MUST",
    eras=[HANDSHAKE_ERA],
    transports=HTTP,
)
async def sse_event_ids_unique(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        ids: list[str] = []
        streams = 0
        for _ in range(3):
            method, params = any_request(ctx)
            reply = await wire.request(method, params)
            if reply.headers.get("content-type", "").startswith("text/event-stream"):
                streams += 1
                ids.extend(value for value in _event_ids(reply.raw) if value)
        if not streams:
            ctx.skip("the server answered with application/json, not SSE streams")
        if not ids:
            ctx.skip("the server's SSE events carry no ids (it does not offer resumption)")
        repeated = sorted({value for value in ids if ids.count(value) > 1})
        ctx.expect(not repeated, f"the SSE event id {repeated[0] if repeated else ''!r} was used twice in one session")


@check(
    "http.modern.last-event-id-ignored",
    rule="A 2026-07-28 server ignores Last-Event-ID (resumption was removed): a request carrying it is served as usual.",
    items=[104],
    spec="basic/transports/streamable-http#earlier-streamable-http-revisions",
    level="SHOULD",
    eras=[MODERN_ERA],
    transports=HTTP,
)
async def modern_last_event_id_ignored(ctx: CheckContext) -> None:
    async with ctx.http() as wire:
        reply = await wire.request("server/discover", {}, headers={"last-event-id": "pytest-mcp-0"})
        ctx.expect(
            reply.status == 200 and reply.is_result,
            f"server/discover with Last-Event-ID got HTTP {reply.status}, not a result",
            sent=reply.sent,
            received=reply.describe(),
        )
