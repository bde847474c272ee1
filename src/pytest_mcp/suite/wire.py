"""Era-aware raw JSON-RPC sessions: what the suite's checks use to see exactly what a server sends.

The SDK client validates (and may refuse) what a server sends, and the shared stdio process of
the core rewrites ids; a conformance check must see the bytes. A ``Wire`` speaks JSON-RPC with the
envelope of its era (the ``initialize`` handshake for 2025-11-25; ``_meta`` protocol fields and the
routing headers for 2026-07-28) over one of:

* ``StdioWire``: a stdio server process driven line by line (``pytest_mcp.client.raw.RawStdio``); the
  suite shares one such process per era between checks that leave it healthy, and starts a fresh
  one for checks that abuse it (``fresh=True``);
* ``HttpWire``: POSTs to a Streamable HTTP endpoint (``pytest_mcp.client.raw.RawHttp``), or to an ASGI view
  of an in-process server.

Nothing here imports the MCP SDK at module level.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import anyio

from .. import protocol
from ..client.raw import RawHttp, RawStdio
from ..protocol import HANDSHAKE_ERA, LOG_LEVEL_META, MODERN_ERA, SESSION_ID_HEADER, Reply, find_response, id_key

__all__ = [
    "CLIENT_INFO",
    "HANDSHAKE_ERA",
    "LOG_LEVEL_KEY",
    "MODERN_ERA",
    "Exchange",
    "HttpWire",
    "Line",
    "StdioLink",
    "StdioWire",
    "Wire",
    "envelope_meta",
]

LOG_LEVEL_KEY: Final = LOG_LEVEL_META

CLIENT_INFO: Final = {"name": "pytest-mcp-suite", "version": "0.1.0"}

_ids = itertools.count(1)


def next_id() -> int:
    """A request id unique within this test session (replies to earlier checks can never match)."""
    return 7000 + next(_ids)


def envelope_meta(era: str, capabilities: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``_meta`` protocol fields a 2026-07-28 request of the suite carries (empty for the handshake era)."""
    return protocol.envelope_meta(era, client_info=CLIENT_INFO, capabilities=capabilities)


def with_envelope(era: str, params: Mapping[str, Any] | None, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``params`` with the era's ``_meta`` fields merged in (explicit ``meta`` keys win)."""
    merged = protocol.with_envelope(params, envelope_meta(era))
    if meta:
        merged["_meta"] = {**dict(merged.get("_meta") or {}), **dict(meta)}
    return merged


@dataclass
class Line:
    """One line a stdio server wrote to stdout, with its JSON value (``invalid`` when not JSON)."""

    raw: bytes
    data: Any = None
    invalid: bool = False
    at: float = 0.0

    @property
    def is_response(self) -> bool:
        return isinstance(self.data, dict) and "method" not in self.data and "id" in self.data

    @property
    def is_notification(self) -> bool:
        return isinstance(self.data, dict) and "method" in self.data and "id" not in self.data

    @property
    def is_request(self) -> bool:
        return isinstance(self.data, dict) and "method" in self.data and "id" in self.data

    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")


@dataclass
class Exchange:
    """One request and what came back: the JSON-RPC response to it (or None when none came in time), every
    message that came with it, and the reply they arrived in (``protocol.Reply``: the exact bytes, and the
    HTTP status and headers), or None."""

    sent: Any
    message: Any = None
    reply: Reply | None = None
    messages: list[Any] = field(default_factory=list)
    """Every JSON value that came with the reply (an SSE stream's notifications, then the response)."""
    elapsed: float = 0.0

    @property
    def raw(self) -> bytes:
        return self.reply.body if self.reply is not None else b""

    @property
    def status(self) -> int | None:
        return self.reply.status if self.reply is not None else None

    @property
    def headers(self) -> dict[str, str]:
        return self.reply.headers if self.reply is not None else {}

    @property
    def answered(self) -> bool:
        return self.message is not None

    @property
    def result(self) -> Any:
        return self.message.get("result") if isinstance(self.message, dict) else None

    @property
    def error(self) -> Any:
        return self.message.get("error") if isinstance(self.message, dict) else None

    @property
    def is_result(self) -> bool:
        return isinstance(self.message, dict) and "result" in self.message and "error" not in self.message

    @property
    def is_error(self) -> bool:
        return isinstance(self.message, dict) and "error" in self.message

    @property
    def code(self) -> Any:
        error = self.error
        return error.get("code") if isinstance(error, dict) else None

    @property
    def notifications(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if isinstance(m, dict) and "method" in m and "id" not in m]

    def describe(self) -> str:
        """The reply for a report: the HTTP status line if any, then the bytes (an SSE stream's messages)."""
        head = f"HTTP {self.status} " if self.status is not None else ""
        if not self.raw and self.message is None:
            return head + "(nothing)"
        if self.reply is not None and self.reply.is_sse:
            return f"{head}text/event-stream: {self.reply.events_text}"
        text = self.raw.decode("utf-8", "replace") if self.raw else json.dumps(self.message)
        return head + text


class Wire:
    """Base of the raw sessions: JSON-RPC with the envelope of ``era``; subclasses move the bytes."""

    transport: str = ""

    def __init__(self, era: str, timeout: float) -> None:
        self.era = era
        self.timeout = timeout
        self.init_reply: Exchange | None = None
        """The reply to ``initialize`` (handshake era) this session started with."""
        self.exchanges: list[tuple[str, str]] = []
        """``(direction, text)`` of everything sent and received, for failure reports."""

    # -- evidence ---------------------------------------------------------------------------
    def _log(self, direction: str, data: Any) -> None:
        if isinstance(data, bytes):
            text = data.decode("utf-8", "replace")
        elif isinstance(data, str):
            text = data
        else:
            text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        self.exchanges.append((direction, text.rstrip("\n")))

    # -- building messages --------------------------------------------------------------------
    def message(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        id: Any = None,
        envelope: bool = True,
        meta: Mapping[str, Any] | None = None,
        notification: bool = False,
    ) -> dict[str, Any]:
        """A JSON-RPC request (or notification) with this era's ``_meta`` fields unless ``envelope=False``."""
        body: dict[str, Any] = {"jsonrpc": "2.0"}
        if not notification:
            body["id"] = next_id() if id is None else id
        body["method"] = method
        merged = with_envelope(self.era, params, meta) if envelope else dict(params or {})
        if merged or params is not None:
            body["params"] = merged
        return body

    async def request(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        id: Any = None,
        envelope: bool = True,
        meta: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Exchange:
        """Send a request and return its reply (``reply.message`` is None when none came in time)."""
        body = self.message(method, params, id=id, envelope=envelope, meta=meta)
        return await self.send_request(body, headers=headers, timeout=timeout)

    async def send_request(
        self, body: Any, *, headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> Exchange:
        raise NotImplementedError

    async def notify(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        envelope: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> Exchange | None:
        """Send a notification; over HTTP the reply to the POST, over stdio None."""
        body = self.message(method, params, envelope=envelope, notification=True)
        return await self.send_raw(body, headers=headers)

    async def send_raw(self, data: Any, *, headers: Mapping[str, str] | None = None) -> Exchange | None:
        """Send exact bytes (or a JSON value as it is); over HTTP return the HTTP reply."""
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


# -- stdio ------------------------------------------------------------------------------------------


class StdioLink:
    """One stdio server process driven line by line, with a buffer of what it wrote."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: str | None, *, timeout: float) -> None:
        self.channel = RawStdio(command, env, cwd, timeout=timeout)
        self.backlog: list[Line] = []
        self.init_reply: Exchange | None = None
        self.discover_reply: Exchange | None = None
        self.closed = False
        self.eof = False
        """The server closed its stdout (nothing more can come)."""

    @property
    def alive(self) -> bool:
        return not self.closed and self.channel.process.returncode is None

    async def read_line(self, timeout: float) -> Line | None:
        """The next line (from the backlog first), or None when nothing came in ``timeout`` / stdout closed."""
        if self.backlog:
            return self.backlog.pop(0)
        try:
            reply = await self.channel.receive(timeout=max(timeout, 0.001))
        except TimeoutError:
            return None
        if reply is None:
            self.eof = True
            return None
        raw = reply.body
        try:
            data = json.loads(raw)
        except ValueError:
            return Line(raw, None, invalid=True, at=time.monotonic())
        return Line(raw, data, at=time.monotonic())

    async def drain(self) -> list[Line]:
        """Whatever is already waiting (late replies of earlier checks), without blocking."""
        found = list(self.backlog)
        self.backlog.clear()
        while (line := await self.read_line(0.001)) is not None:
            found.append(line)
        return found

    async def aclose(self) -> None:
        if not self.closed:
            self.closed = True
            await self.channel.aclose()


class StdioWire(Wire):
    """A raw session over a ``StdioLink`` (shared between checks, or fresh for one check)."""

    transport = "stdio"

    def __init__(self, link: StdioLink, era: str, timeout: float, *, owned: bool) -> None:
        super().__init__(era, timeout)
        self.link = link
        self.owned = owned
        self.lines: list[Line] = []
        """Every line the server wrote during this session, in order (responses, notifications, noise)."""
        self._unclaimed: dict[Any, Line] = {}

    async def send_raw(self, data: Any, *, headers: Mapping[str, str] | None = None) -> None:
        self._log("->", data)
        if isinstance(data, bytes | str):
            payload = data.encode() if isinstance(data, str) else data
            await self.link.channel.send(payload, newline=not payload.endswith(b"\n"))
        else:
            await self.link.channel.send(data)
        return None

    async def _take(self, timeout: float) -> Line | None:
        line = await self.link.read_line(timeout)
        if line is not None:
            self.lines.append(line)
            self._log("<-", line.raw)
            if line.is_response:
                self._unclaimed[id_key(line.data.get("id"))] = line
        return line

    async def wait_reply(self, id: Any, timeout: float | None = None) -> Line | None:
        """The response line whose id equals ``id`` (same value and JSON type), or None in time."""
        key = id_key(id)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            if key in self._unclaimed:
                return self._unclaimed.pop(key)
            left = deadline - time.monotonic()
            if left <= 0 or ((not self.link.alive or self.link.eof) and not self.link.backlog):
                # one last look: lines may still be queued after the process exited
                line = await self._take(0.05)
                if line is None:
                    return self._unclaimed.pop(key, None)
                continue
            await self._take(min(left, 0.25))

    async def send_request(
        self, body: Any, *, headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> Exchange:
        started = time.monotonic()
        await self.send_raw(body)
        id = body.get("id") if isinstance(body, dict) else None
        line = await self.wait_reply(id, timeout)
        if line is None:
            return Exchange(sent=body, elapsed=time.monotonic() - started)
        return Exchange(
            sent=body, message=line.data, reply=Reply(line.raw), messages=[line.data], elapsed=line.at - started
        )

    async def collect(self, seconds: float) -> list[Line]:
        """Every line that arrives within ``seconds`` (an empty list: the server stayed silent)."""
        seen: list[Line] = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            line = await self._take(min(left, 0.25))
            if line is None:
                if not self.link.alive or self.link.eof:
                    break
                continue
            seen.append(line)
        return seen

    @property
    def notifications(self) -> list[dict[str, Any]]:
        return [line.data for line in self.lines if line.is_notification]

    async def aclose(self) -> None:
        if self.owned:
            await self.link.aclose()


async def stdio_handshake(wire: StdioWire, timeout: float) -> Exchange:
    """Run the ``initialize`` handshake on a fresh stdio process (handshake era)."""
    reply = await wire.request(
        "initialize",
        {"protocolVersion": HANDSHAKE_ERA, "capabilities": {}, "clientInfo": dict(CLIENT_INFO)},
        envelope=False,
        timeout=timeout,
    )
    if reply.is_result:
        await wire.notify("notifications/initialized", envelope=False)
    return reply


# -- HTTP -------------------------------------------------------------------------------------------


class HttpWire(Wire):
    """A raw session over Streamable HTTP (a real endpoint, or an ASGI view of an in-process server)."""

    transport = "http"

    def __init__(
        self,
        raw: RawHttp,
        era: str,
        timeout: float,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(era, timeout)
        self.raw = raw
        self.base_headers = dict(headers or {})
        self.session_id: str | None = None
        self.protocol_version: str | None = MODERN_ERA if era == MODERN_ERA else None

    @property
    def url(self) -> str:
        return self.raw.url

    def routing_headers(self, body: Any) -> dict[str, str]:
        """The headers a well-behaved client sends with ``body`` in this era and session."""
        routing = protocol.routing_headers(
            self.era, body, protocol_version=self.protocol_version, session_id=self.session_id
        )
        return {**self.base_headers, **routing}

    async def post(
        self,
        data: Any,
        *,
        headers: Mapping[str, str] | None = None,
        routing: bool = True,
        default_headers: bool = True,
        timeout: float | None = None,
    ) -> Reply:
        """POST ``data`` with the routing headers (unless ``routing=False``) updated by ``headers``."""
        return await self.http(
            "POST", data, headers=headers, routing=routing, default_headers=default_headers, timeout=timeout
        )

    async def send_request(
        self, body: Any, *, headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> Exchange:
        started = time.monotonic()
        try:
            reply = await self.post(body, headers=headers, timeout=timeout)
        except TimeoutError:
            return Exchange(sent=body, elapsed=time.monotonic() - started)
        return _http_reply(body, reply, time.monotonic() - started)

    async def send_raw(self, data: Any, *, headers: Mapping[str, str] | None = None) -> Exchange:
        started = time.monotonic()
        reply = await self.post(data, headers=headers)
        return _http_reply(data, reply, time.monotonic() - started)

    async def http(
        self,
        method: str,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        routing: bool = True,
        default_headers: bool = True,
        timeout: float | None = None,
    ) -> Reply:
        """Any HTTP request to the endpoint (GET, DELETE, PUT, ...), with this session's headers; the log shows
        a POST as its body alone (a JSON-RPC exchange), other methods with the URL and headers."""
        sent = self.routing_headers(body) if routing else dict(self.base_headers)
        sent.update({k.lower(): v for k, v in (headers or {}).items()})
        sent = {k: v for k, v in sent.items() if v is not None}
        self._log(
            "->", body if method == "POST" else f"{method} {self.url} {json.dumps(sent)} {'' if body is None else body}"
        )
        reply = await self.raw.request(
            method,
            body,
            headers=sent,
            default_headers=default_headers,
            timeout=self.timeout if timeout is None else timeout,
        )
        self._log("<-", _http_text(reply))
        return reply

    async def aclose(self) -> None:
        if self.session_id:
            with contextlib.suppress(Exception):
                with anyio.move_on_after(2):
                    await self.http("DELETE", timeout=2)
            self.session_id = None


def _http_text(reply: Reply) -> str:
    if reply.is_sse:
        return f"HTTP {reply.status} text/event-stream: {reply.events_text}"
    return f"HTTP {reply.status} {reply.content_type or '(no content-type)'} {reply.text[:1500]}"


def _http_reply(sent: Any, reply: Reply, elapsed: float) -> Exchange:
    messages = reply.messages
    wanted = sent.get("id") if isinstance(sent, dict) else None
    return Exchange(sent=sent, message=find_response(messages, wanted), reply=reply, messages=messages, elapsed=elapsed)


async def http_handshake(wire: HttpWire, timeout: float) -> Exchange:
    """``initialize`` + ``notifications/initialized`` over HTTP; keeps the session id it was given."""
    body = wire.message(
        "initialize",
        {"protocolVersion": HANDSHAKE_ERA, "capabilities": {}, "clientInfo": dict(CLIENT_INFO)},
        envelope=False,
    )
    reply = await wire.send_request(body, timeout=timeout)
    if reply.is_result:
        wire.session_id = reply.headers.get(SESSION_ID_HEADER) or None
        version = reply.result.get("protocolVersion") if isinstance(reply.result, dict) else None
        wire.protocol_version = version if isinstance(version, str) else HANDSHAKE_ERA
        await wire.notify("notifications/initialized", envelope=False)
    return reply
