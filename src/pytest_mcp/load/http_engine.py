"""The load runner's HTTP engine: a lean MCP client on one keep-alive HTTP/1.1 connection.

For a run of plain tool calls against a Streamable HTTP server, each virtual user speaks
JSON-RPC itself (``McpWire``: the same requests the Locust users send) over one ``anyio`` TCP
connection, instead of going through the MCP SDK's client stack. That costs a fraction of the
client CPU per call (see benchmarks/load_cpu.py), so the load generator is not the bottleneck.

It negotiates the era like the SDK's client (``server/discover``, else the ``initialize``
handshake), sends each tool's ``Mcp-Param-*`` headers, and judges replies like the SDK engine
(``is_error``, ``protocol_error``, ``timeout``, ``crash``, ``connection``). What it does not do
(``engine="sdk"`` does): answer server requests (sampling, elicitation, roots; such a call
counts as ``input_required`` or times out), validate ``structuredContent`` against the tool's
``outputSchema``, speak HTTPS, or record a transcript.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import anyio

from .. import __version__
from ..errors import McpConnectionError
from ..protocol import Outcome
from .wire import HANDSHAKE_ERA, MODERN_ERA, McpWire

if TYPE_CHECKING:
    from anyio.abc import SocketStream

    from ..server.running import RunningServer

__all__ = ["HttpEngineUser", "ProtocolError"]

CLIENT_INFO: Final = {"name": "pytest-mcp-load", "version": __version__}
AUTH_STATUSES: Final = (401, 403)
AUTH_HINT: Final = " (give the load users a token: @pytest.mark.mcp_client(token=...) or client={'token': ...})"
MAX_HEAD: Final = 64 * 1024
READ_SIZE: Final = 65536


class ProtocolError(Exception):
    """The server's HTTP response could not be read."""


class _Closed(Exception):
    """The connection closed before the response was complete."""


class HttpEngineUser:
    """One virtual user: a connection, its era, and ``call_tool`` returning ``(error kind or None, message)``."""

    def __init__(
        self,
        server: RunningServer,
        *,
        era: str,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        describe: str = "",
    ) -> None:
        assert server.url is not None
        parts = urlsplit(server.url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"the HTTP engine needs a plain http:// URL, not {server.url!r}")
        self.server = server
        self.host = parts.hostname
        self.port = parts.port or 80
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.host_header = parts.netloc
        self.requested_era = era
        self.timeout = timeout
        self.headers = {**server.headers, **(headers or {})}
        self.describe = describe or server.describe()
        self.wire = McpWire(MODERN_ERA, client_info=CLIENT_INFO, headers=self.headers)
        self._stream: SocketStream | None = None
        self._buffer = b""

    @property
    def era(self) -> str:
        return self.wire.era

    # -- life cycle ---------------------------------------------------------------------------
    async def connect(self) -> None:
        """Negotiate the era (and, in 2026-07-28, learn the tools' ``Mcp-Param-*`` headers)."""
        from ..client.mcp_client import McpEraUnsupported

        if self.requested_era in (MODERN_ERA, "auto"):
            discovered = await self._request("server/discover")
            _refuse_unauthorized(discovered)
            versions = (discovered.result or {}).get("supportedVersions") if discovered.ok else None
            if discovered.ok and (not isinstance(versions, list) or MODERN_ERA in versions):
                self.wire.learn_tools((await self._connect_step("tools/list")).result)
                return
            if self.requested_era == MODERN_ERA:
                why = discovered.message if not discovered.ok else f"it supports only {versions}"
                raise McpEraUnsupported(f"the {self.describe} refused the {MODERN_ERA} connection: {why}")
        self.wire = McpWire(HANDSHAKE_ERA, client_info=CLIENT_INFO, headers=self.headers)
        request_id, body, headers = self.wire.request("initialize", self.wire.initialize_params())
        status, response_headers, content = await self._exchange("POST", body, headers, "initialize")
        reply = self.wire.reply("initialize", request_id, status, response_headers.get("content-type", ""), content)
        _refuse_unauthorized(reply)
        if not reply.ok:
            error = McpEraUnsupported if reply.kind == "protocol_error" else McpConnectionError
            raise error(f"the {self.describe} refused the {HANDSHAKE_ERA} connection (initialize): {reply.message}")
        self.wire.adopt_initialize(reply.result or {}, response_headers.get("mcp-session-id"))
        body, headers = self.wire.notification("notifications/initialized")
        await self._exchange("POST", body, headers, "notifications/initialized")

    async def aclose(self) -> None:
        """End the session (a DELETE in the handshake era) and close the connection."""
        try:
            if self.wire.era == HANDSHAKE_ERA and self.wire.session_id and self._stream is not None:
                with anyio.move_on_after(self.timeout):
                    await self._exchange("DELETE", b"", self.wire.base_headers(), "DELETE")
        except (OSError, anyio.BrokenResourceError, anyio.EndOfStream, _Closed, ProtocolError):
            pass
        finally:
            await self._drop()

    # -- calls --------------------------------------------------------------------------------
    async def call_tool(self, tool: str, arguments: Mapping[str, Any] | None) -> tuple[str | None, str]:
        """One ``tools/call``; ``(None, "")`` on success, else the error kind and message."""
        params: dict[str, Any] = {"name": tool}
        if arguments is not None:
            params["arguments"] = arguments
        try:
            reply = await self._request("tools/call", params)
        except TimeoutError:
            await self._drop()
            return await self._crash_or(
                "timeout", f"no reply to tools/call {tool!r} within {self.timeout:g} s from the {self.describe}"
            )
        except (OSError, anyio.BrokenResourceError, anyio.EndOfStream, _Closed, ProtocolError) as exc:
            await self._drop()
            return await self._crash_or("connection", f"tools/call {tool!r}: {_describe_error(exc)}")
        return (None, "") if reply.ok else (reply.kind, reply.message)

    async def _connect_step(self, method: str) -> Outcome:
        reply = await self._request(method)
        if not reply.ok:
            raise McpConnectionError(f"{method} failed while connecting to the {self.describe}: {reply.message}")
        return reply

    async def _request(self, method: str, params: Mapping[str, Any] | None = None) -> Outcome:
        request_id, body, headers = self.wire.request(method, params)
        status, response_headers, content = await self._exchange("POST", body, headers, method)
        return self.wire.reply(method, request_id, status, response_headers.get("content-type", ""), content)

    async def _crash_or(self, kind: str, message: str) -> tuple[str, str]:
        crash = self.server.crash_report()
        if crash is None and self.server.process is not None:
            crash = await self.server.wait_crash_report(0.2)
        if crash is not None:
            return "crash", crash.splitlines()[0]
        return kind, message

    # -- HTTP/1.1 -----------------------------------------------------------------------------
    async def _exchange(
        self, verb: str, body: bytes, headers: Mapping[str, str], what: str
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request and read its response, within the timeout (``TimeoutError`` otherwise)."""
        with anyio.fail_after(self.timeout):
            if self._stream is None:
                self._stream = await anyio.connect_tcp(self.host, self.port)
                self._buffer = b""
            lines = [f"{verb} {self.path} HTTP/1.1\r\nHost: {self.host_header}\r\n"]
            lines.extend(f"{name}: {value}\r\n" for name, value in headers.items())
            lines.append(f"Content-Length: {len(body)}\r\n\r\n")
            await self._stream.send("".join(lines).encode("latin-1") + body)
            status, response_headers, content, reusable = await self._read_response()
        if not reusable:
            await self._drop()
        return status, response_headers, content

    async def _read_response(self) -> tuple[int, dict[str, str], bytes, bool]:
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            while end < 0:
                if len(self._buffer) > MAX_HEAD:
                    raise ProtocolError(f"response headers longer than {MAX_HEAD} bytes")
                await self._receive()
                end = self._buffer.find(b"\r\n\r\n")
            head, self._buffer = self._buffer[:end].decode("latin-1"), self._buffer[end + 4 :]
            lines = head.split("\r\n")
            try:
                status = int(lines[0].split(" ", 2)[1])
            except (IndexError, ValueError):
                raise ProtocolError(f"not an HTTP status line: {lines[0][:100]!r}") from None
            if status >= 200 or status == 101:
                break  # 1xx interim responses (100 Continue, 103 Early Hints) precede the real one
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        reusable = headers.get("connection", "").lower() != "close"
        if status in (204, 304):
            return status, headers, b"", reusable
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return status, headers, await self._read_chunked(), reusable
        length = headers.get("content-length")
        if length is not None:
            size = int(length)
            while len(self._buffer) < size:
                await self._receive()
            content, self._buffer = self._buffer[:size], self._buffer[size:]
            return status, headers, content, reusable
        while True:  # no length: the body ends when the server closes the connection
            try:
                await self._receive()
            except _Closed:
                content, self._buffer = self._buffer, b""
                return status, headers, content, False

    async def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            line = await self._read_line()
            try:
                size = int(line.split(b";", 1)[0], 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size line {line[:50]!r}") from None
            if size == 0:
                while await self._read_line():  # trailers, up to the empty line
                    pass
                return bytes(body)
            while len(self._buffer) < size + 2:
                await self._receive()
            body += self._buffer[:size]
            self._buffer = self._buffer[size + 2 :]

    async def _read_line(self) -> bytes:
        end = self._buffer.find(b"\r\n")
        while end < 0:
            await self._receive()
            end = self._buffer.find(b"\r\n")
        line, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
        return line

    async def _receive(self) -> None:
        assert self._stream is not None
        try:
            self._buffer += await self._stream.receive(READ_SIZE)
        except anyio.EndOfStream:
            raise _Closed("the server closed the connection before the response was complete") from None

    async def _drop(self) -> None:
        stream, self._stream, self._buffer = self._stream, None, b""
        if stream is not None:
            with anyio.CancelScope(shield=True):
                await stream.aclose()


def _refuse_unauthorized(reply: Outcome) -> None:
    if reply.status in AUTH_STATUSES:
        raise McpConnectionError(f"{reply.message}{AUTH_HINT}")


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, anyio.BrokenResourceError | anyio.EndOfStream):
        return "the connection broke"
    return str(exc) or type(exc).__name__
