"""JSON-RPC base checks (checklist A): ids, response shape, error codes, notifications, batches."""

from __future__ import annotations

from typing import Any, Final

from ..context import CheckContext, shorten
from ..registry import check
from ..wire import HANDSHAKE_ERA, MODERN_ERA, HttpWire, StdioWire
from ._requests import (
    UNKNOWN_NAME,
    answers_after,
    any_request,
    error_problem,
    is_int,
    message_problem,
    response_problem,
    still_serves,
)

JSONRPC_RESERVED: Final = range(-32768, -31999)
RESERVED_2026: Final = range(-32099, -32019)
DEFINED_2026: Final = (-32020, -32021, -32022)


@check(
    "jsonrpc.id-echo-number",
    rule="A response echoes the request id exactly: a number id comes back as the same number (0 included).",
    items=[2],
    spec="basic#responses",
    level="MUST",
)
async def id_echo_number(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        for value in (0, 987654321):
            method, params = any_request(ctx)
            reply = await wire.request(method, params, id=value)
            ctx.expect(reply.answered, f"no reply to {method} with id {value}", sent=reply.sent)
            got = reply.message.get("id") if isinstance(reply.message, dict) else None
            ctx.expect(
                is_int(got) and got == value,
                f"the reply's id is {got!r} ({type(got).__name__}), not the number {value}",
                sent=reply.sent,
                received=reply.describe(),
            )


@check(
    "jsonrpc.id-echo-string",
    rule="A response echoes the request id exactly: a string id (even one that looks like a number) comes back "
    "as the same string.",
    items=[2],
    spec="basic#responses",
    level="MUST",
)
async def id_echo_string(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        for value in ("pytest-mcp-ü-1", "4242"):
            method, params = any_request(ctx)
            reply = await wire.request(method, params, id=value)
            ctx.expect(reply.answered, f"no reply to {method} with id {value!r}", sent=reply.sent)
            got = reply.message.get("id") if isinstance(reply.message, dict) else None
            ctx.expect(
                isinstance(got, str) and got == value,
                f"the reply's id is {got!r} ({type(got).__name__}), not the string {value!r}",
                sent=reply.sent,
                received=reply.describe(),
            )


@check(
    "jsonrpc.response-shape",
    rule='Every response is a JSON-RPC 2.0 object ("jsonrpc": "2.0") with exactly one of result (an object) or '
    'error; every notification or request the server sends has "jsonrpc": "2.0", a string method and object params.',
    items=[1, 2],
    spec="basic#responses",
    level="MUST",
)
async def response_shape(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        method, params = any_request(ctx)
        replies = [await wire.request(method, params), await wire.request(f"pytest-mcp/{UNKNOWN_NAME}", {})]
        if ctx.facts.handshake is not None:
            replies.insert(0, ctx.facts.handshake)
        for reply in replies:
            ctx.expect(reply.answered, f"no reply to {shorten(reply.sent, 80)}", sent=reply.sent)
            problem = response_problem(reply)
            ctx.expect(
                problem is None, f"a response is malformed: {problem}", sent=reply.sent, received=reply.describe()
            )
        others = [line.data for line in wire.lines] if isinstance(wire, StdioWire) else []
        others += [message for reply in replies for message in reply.messages]
        for message in others:
            if isinstance(message, dict) and "method" in message:
                problem = message_problem(message)
                ctx.expect(problem is None, f"a server message is malformed: {problem}", received=message)


@check(
    "jsonrpc.unknown-method",
    bad_input=True,
    rule="A request for a method the server does not know gets error -32601 (Method not found) with an integer code "
    "and a string message; on 2026-07-28 HTTP with status 404.",
    items=[3, 8, 107],
    spec="basic#error-responses",
    level="D",
)
async def unknown_method(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        reply = await wire.request(f"pytest-mcp/{UNKNOWN_NAME}", {})
        ctx.expect(reply.answered, "no reply to a request for an unknown method", sent=reply.sent)
        ctx.expect(
            reply.is_error, "a request for an unknown method succeeded", sent=reply.sent, received=reply.describe()
        )
        problem = error_problem(reply)
        ctx.expect(problem is None, f"the error is malformed: {problem}", sent=reply.sent, received=reply.describe())
        ctx.expect(
            reply.code == -32601,
            f"the error code is {reply.code}, not -32601 (Method not found)",
            sent=reply.sent,
            received=reply.describe(),
        )
        if isinstance(wire, HttpWire) and ctx.era == MODERN_ERA:
            ctx.expect(
                reply.status == 404,
                f"the HTTP status is {reply.status}, not 404",
                sent=reply.sent,
                received=reply.describe(),
            )


@check(
    "jsonrpc.error-codes-2026",
    rule="A 2026-07-28 server never answers with -32002 or -32042 and uses no undefined code in -32020..-32099 "
    "(only -32020, -32021 and -32022 are defined there).",
    items=[12],
    spec="basic#error-codes",
    level="MUST",
    eras=[MODERN_ERA],
)
async def error_codes_2026(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        probes = [
            wire.message(f"pytest-mcp/{UNKNOWN_NAME}", {}),
            wire.message("resources/read", {"uri": "pytest-mcp://no-such-resource/5f2c"}),
            wire.message("prompts/get", {"name": UNKNOWN_NAME}),
            wire.message("tools/call", {"name": UNKNOWN_NAME, "arguments": {}}),
        ]
        for body in probes:
            reply = await wire.send_request(body)
            code = reply.code
            if code is None:
                continue
            bad = code in (-32002, -32042) or (code in RESERVED_2026 and code not in DEFINED_2026)
            ctx.expect(
                not bad,
                f"the server answered with the reserved code {code}",
                sent=reply.sent,
                received=reply.describe(),
            )


@check(
    "jsonrpc.notifications-unanswered",
    rule="The server never responds to a notification, whether it knows the notification or not.",
    items=[4, 22],
    spec="basic#notifications",
    level="MUST",
)
async def notifications_unanswered(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        notifications = [
            wire.message("notifications/pytest-mcp-unknown", {"x": 1}, notification=True),
            wire.message("notifications/cancelled", {"requestId": 999999991, "reason": "test"}, notification=True),
        ]
        if ctx.era == HANDSHAKE_ERA:
            notifications.append(wire.message("notifications/initialized", None, envelope=False, notification=True))
        for body in notifications:
            http_reply = await wire.send_raw(body)
            if isinstance(wire, HttpWire) and http_reply is not None:
                answers = [m for m in http_reply.messages if isinstance(m, dict) and ("result" in m or "error" in m)]
                ctx.expect(
                    not answers,
                    f"the server answered the notification {body['method']}",
                    sent=body,
                    received=http_reply.describe(),
                )
        if isinstance(wire, StdioWire):
            extra = await answers_after(ctx, wire)
            ctx.expect(
                not extra,
                "the server answered a notification (a response it was not asked for)",
                sent=notifications,
                received=extra[0] if extra else None,
            )


@check(
    "jsonrpc.parse-error",
    bad_input=True,
    rule="Unparseable JSON is answered with error -32700 and id null, or not at all; the connection keeps working.",
    items=[6],
    spec="basic#messages",
    level="D",
)
async def parse_error(ctx: CheckContext) -> None:
    async with ctx.wire(abuse=True) as wire:
        garbage = b'{"jsonrpc": "2.0", "id": 1, "method": "ping"'
        reply = await wire.send_raw(garbage)
        answers: list[Any] = []
        if isinstance(wire, StdioWire):
            answers = await answers_after(ctx, wire)
        elif reply is not None:
            answers = [m for m in reply.messages if isinstance(m, dict) and ("result" in m or "error" in m)]
            ctx.expect(
                reply.status is not None and reply.status >= 400,
                f"an unparseable body got HTTP {reply.status}, not an error status",
                sent=garbage,
                received=reply.describe(),
            )
        for answer in answers:
            ok = isinstance(answer, dict) and "error" in answer and answer.get("id") is None
            code = (
                answer.get("error", {}).get("code")
                if isinstance(answer, dict) and isinstance(answer.get("error"), dict)
                else None
            )
            ctx.expect(
                ok and code == -32700,
                f"the answer to unparseable JSON is not error -32700 with id null (code {code!r})",
                sent=garbage,
                received=answer,
            )
        await still_serves(ctx, wire, "the unparseable line")


INVALID_REQUESTS: Final = (
    ("no method", {"jsonrpc": "2.0", "id": 881}),
    ("a method that is a number", {"jsonrpc": "2.0", "id": 882, "method": 5}),
    ("an id that is an object", {"jsonrpc": "2.0", "id": {"a": 1}, "method": "tools/list"}),
)


@check(
    "jsonrpc.invalid-request",
    bad_input=True,
    rule="A structurally invalid request (no method, a non-string method, an object id) is never served: it gets a "
    "JSON-RPC error (ideally -32600) or no answer, and the connection keeps working.",
    items=[7],
    spec="basic#requests",
    level="D",
)
async def invalid_request(ctx: CheckContext) -> None:
    async with ctx.wire(abuse=True) as wire:
        for label, body in INVALID_REQUESTS:
            reply = await wire.send_raw(body)
            answers: list[Any] = []
            if isinstance(wire, StdioWire):
                answers = await answers_after(ctx, wire)
            elif reply is not None:
                answers = [m for m in reply.messages if isinstance(m, dict) and ("result" in m or "error" in m)]
                ctx.expect(
                    (reply.status is not None and reply.status >= 400)
                    or not reply.messages
                    or all("error" in m for m in answers),
                    f"a request with {label} got HTTP {reply.status} and was served",
                    sent=body,
                    received=reply.describe(),
                )
            for answer in answers:
                ctx.expect(
                    isinstance(answer, dict) and "error" in answer and "result" not in answer,
                    f"a request with {label} was served: it got a result",
                    sent=body,
                    received=answer,
                )
                code = answer["error"].get("code") if isinstance(answer["error"], dict) else None
                ctx.expect(
                    is_int(code) and code in JSONRPC_RESERVED,
                    f"a request with {label} got error code {code!r}, not a JSON-RPC error code (-32600 expected)",
                    sent=body,
                    received=answer,
                )
        await still_serves(ctx, wire, "the invalid requests")


@check(
    "jsonrpc.invalid-params",
    bad_input=True,
    rule="A request whose params violate the method's schema (a tools/call, prompts/get or resources/read without "
    "its name or uri) is refused with a JSON-RPC error (-32602 Invalid params recommended), never served.",
    items=[9, 45],
    spec="server/tools#error-handling",
    level="D",
)
async def invalid_params(ctx: CheckContext) -> None:
    probes: list[tuple[str, dict[str, Any]]] = []
    if ctx.declares("tools"):
        probes.append(("tools/call", {"arguments": {}}))
    if ctx.declares("prompts"):
        probes.append(("prompts/get", {"arguments": {}}))
    if ctx.declares("resources"):
        probes.append(("resources/read", {}))
    if not probes:
        ctx.skip("the server declares none of tools, prompts and resources")
    async with ctx.wire() as wire:
        for method, params in probes:
            reply = await wire.request(method, params)
            ctx.expect(reply.answered, f"no reply to {method} without its required parameter", sent=reply.sent)
            ctx.expect(
                reply.is_error,
                f"{method} without its required parameter was served",
                sent=reply.sent,
                received=reply.describe(),
            )
            if reply.code != -32602:
                ctx.note(f"{method} got error {reply.code}; JSON-RPC recommends -32602 (Invalid params)")


@check(
    "jsonrpc.batch-no-harm",
    bad_input=True,
    rule="A JSON-RPC batch (an array; not an MCP message since 2025-06-18) is rejected with an error or ignored, or at "
    "worst answered item by item with correct ids; it never crashes or wedges the server.",
    items=[10],
    spec="basic#messages",
    level="D",
)
async def batch_no_harm(ctx: CheckContext) -> None:
    async with ctx.wire(abuse=True) as wire:
        method, params = any_request(ctx)
        batch = [wire.message(method, params, id=771), wire.message(method, params, id=772)]
        reply = await wire.send_raw(batch)
        answers: list[Any] = []
        if isinstance(wire, StdioWire):
            answers = await answers_after(ctx, wire)
        elif reply is not None:
            answers = list(reply.messages)
        for answer in answers:
            items = answer if isinstance(answer, list) else [answer]
            for item in items:
                ok = isinstance(item, dict) and ("error" in item or ("result" in item and item.get("id") in (771, 772)))
                ctx.expect(
                    ok,
                    "the server answered the batch with something that is neither an error nor a "
                    "response to one of its items",
                    sent=batch,
                    received=answer,
                )
        await still_serves(ctx, wire, "the batch")
