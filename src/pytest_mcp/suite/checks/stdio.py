"""stdio transport checks (checklist M): only JSON-RPC on stdout, one message per line, robustness, EOF."""

from __future__ import annotations

from typing import Final

import anyio

from ..context import CheckContext
from ..registry import check
from ..wire import HANDSHAKE_ERA, MODERN_ERA, StdioWire
from ._requests import answers_after, any_request, still_serves

STDIO: Final = ["stdio"]


def _is_jsonrpc(value: object) -> bool:
    return isinstance(value, dict) and value.get("jsonrpc") == "2.0" and ("method" in value or "id" in value)


@check(
    "stdio.stdout-only-jsonrpc",
    rule="A stdio server writes only JSON-RPC messages to stdout: no banners, prints or log lines (logs go to stderr).",
    items=[86, 88],
    spec="basic/transports#stdio",
    level="MUST",
    transports=STDIO,
)
async def stdout_only_jsonrpc(ctx: CheckContext) -> None:
    async with ctx.wire(fresh=True) as wire:
        assert isinstance(wire, StdioWire)
        method, params = any_request(ctx)
        await wire.request(method, params)
        for capability, list_method in (
            ("tools", "tools/list"),
            ("prompts", "prompts/list"),
            ("resources", "resources/list"),
        ):
            if ctx.declares(capability):
                await wire.request(list_method, {})
        await wire.collect(0.2)
        for line in wire.lines:
            ctx.expect(
                not line.invalid and _is_jsonrpc(line.data),
                f"the server wrote a line to stdout that is not a JSON-RPC message: {line.text()[:200]!r}",
            )


@check(
    "stdio.one-message-per-line",
    rule="Each stdout line holds exactly one JSON-RPC message (no batches, no embedded raw newlines), in UTF-8.",
    items=[87],
    spec="basic/transports#stdio",
    level="MUST",
    transports=STDIO,
)
async def one_message_per_line(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        assert isinstance(wire, StdioWire)
        method, params = any_request(ctx)
        await wire.request(method, params)
        if ctx.declares("tools"):
            await wire.request("tools/list", {})
        for line in wire.lines:
            try:
                line.raw.decode("utf-8")
            except UnicodeDecodeError:
                ctx.fail(f"a stdout line is not UTF-8: {line.raw[:120]!r}")
            ctx.expect(not line.invalid, f"a stdout line is not one JSON value: {line.text()[:200]!r}")
            ctx.expect(
                isinstance(line.data, dict),
                f"a stdout line holds {type(line.data).__name__}, not one JSON-RPC object: {line.text()[:200]!r}",
            )


@check(
    "stdio.survives-malformed-lines",
    bad_input=True,
    rule="Malformed lines (not JSON, JSON that is not JSON-RPC, invalid UTF-8) do not stop a stdio server; any answer "
    "is an error with id null.",
    items=[6, 86],
    spec="basic/transports#stdio",
    level="D",
    transports=STDIO,
)
async def survives_malformed_lines(ctx: CheckContext) -> None:
    async with ctx.wire(abuse=True) as wire:
        assert isinstance(wire, StdioWire)
        for junk in (b"hello, server", b'"just a string"', b"{}", b"\xff\xfe not utf-8", b"[]", b"null"):
            await wire.send_raw(junk)
        answers = await answers_after(ctx, wire)
        for answer in answers:
            ok = isinstance(answer, dict) and "error" in answer and answer.get("id") is None
            ctx.expect(
                ok,
                "the server answered a malformed line with something other than an error with id null",
                received=answer,
            )


@check(
    "stdio.exits-on-eof",
    rule="A stdio server exits promptly once its stdin is closed.",
    items=[90],
    spec="basic/lifecycle#shutdown",
    level="SHOULD",
    transports=STDIO,
)
async def exits_on_eof(ctx: CheckContext) -> None:
    async with ctx.wire(fresh=True) as wire:
        assert isinstance(wire, StdioWire)
        await still_serves(ctx, wire)
        await wire.link.channel.close_stdin()
        code = await wire.link.channel.wait_exit(5.0)
        ctx.expect(code is not None, "the server was still running 5 s after its stdin was closed")


@check(
    "stdio.no-requests-modern",
    rule="On a 2026-07-28 connection the server never writes a JSON-RPC request to stdout (server-to-client "
    "requests do not exist in the stateless protocol).",
    items=[89],
    spec="basic/transports/stdio#receiving-messages",
    level="MUST",
    eras=[MODERN_ERA],
    transports=STDIO,
)
async def no_requests_modern(ctx: CheckContext) -> None:
    async with ctx.wire() as wire:
        assert isinstance(wire, StdioWire)
        await wire.request("server/discover", {})
        if ctx.declares("tools"):
            await wire.request("tools/list", {})
        await wire.collect(0.3)
        requests = [line for line in wire.lines if line.is_request]
        ctx.expect(
            not requests,
            "the server sent a request on a 2026-07-28 connection",
            received=requests[0].text() if requests else None,
        )


@check(
    "stdio.discover-answered",
    rule="server/discover sent first on a fresh stdio connection gets an answer (a result or an error) and does not "
    "hang the server, whether or not it speaks 2026-07-28.",
    items=[92],
    spec="basic/transports/stdio#backward-compatibility",
    level="SHOULD",
    eras=[HANDSHAKE_ERA],
    transports=STDIO,
)
async def discover_answered(ctx: CheckContext) -> None:
    async with ctx.wire(fresh=True, handshake=False) as wire:
        assert isinstance(wire, StdioWire)
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "server/discover",
            "params": {
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": MODERN_ERA,
                    "io.modelcontextprotocol/clientCapabilities": {},
                }
            },
        }
        reply = await wire.send_request(body, timeout=5)
        ctx.expect(reply.answered, "server/discover sent first got no answer within 5 s", sent=body)
        with anyio.fail_after(10):
            init = await wire.request(
                "initialize",
                {"protocolVersion": HANDSHAKE_ERA, "capabilities": {}, "clientInfo": {"name": "x", "version": "0"}},
                envelope=False,
            )
        ctx.expect(init.answered, "after server/discover, initialize got no answer (the server hangs)", sent=init.sent)
