"""Raw channels: send exact bytes to a server and see exactly what comes back.

For tests of what the SDK refuses to send or hides: malformed JSON, wrong ids, batches, missing
or bad headers. ``RawStdio`` talks to its own fresh copy of a stdio server (malformed input must
not disturb the shared one); ``RawHttp`` posts to the server's endpoint (or an in-process ASGI
app) with full control of method, headers and body.
"""

from __future__ import annotations

import collections
import contextlib
import queue
import subprocess
import threading
import time
from collections.abc import Mapping
from typing import Any

import anyio

from ..errors import McpConnectionError
from ..protocol import JSON_AND_SSE, Reply, encode, find_response, json_messages, request
from ..protocol.http_failure import explain_http_failure
from ..server.process import ManagedProcess
from .transcript import Transcript

__all__ = ["RawHttp", "RawReply", "RawStdio", "ServerUnreachable", "explain_http_failure", "jsonrpc_request"]


class ServerUnreachable(McpConnectionError, ConnectionError):
    """An HTTP request got no reply at all: refused, unresolvable host, TLS failure, broken connection.

    The message names the URL, the cause and the next step (``explain_http_failure``)."""


RawReply = Reply
"""What came back over a raw channel (``pytest_mcp.protocol.Reply``)."""
jsonrpc_request = request
"""A JSON-RPC 2.0 request object (``pytest_mcp.protocol.request``)."""


class RawStdio:
    """A dedicated copy of a stdio server, driven line by line."""

    def __init__(
        self,
        command: list[str],
        env: dict[str, str],
        cwd: str | None,
        *,
        timeout: float,
        transcript: Transcript | None = None,
    ) -> None:
        self.timeout = timeout
        self.transcript = transcript
        self.started_at = time.monotonic()
        self.process = ManagedProcess(command, env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.first_line_at: float | None = None
        """``time.monotonic()`` when the server wrote its first line (None before it did)."""
        self._lines: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        # A receive waits for a line in a worker thread. If the receive is cancelled, its thread is
        # abandoned and may still take a line: it leaves it in ``_taken`` for the next receive, so no
        # line is lost. ``_taker`` lets one thread at a time wait on ``_lines``, so an abandoned waiter
        # and a new one never both block on the queue.
        self._taken: collections.deque[bytes | None] = collections.deque()
        self._taker = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True, name=f"mcp-raw-stdio-{self.process.pid}")
        self._reader.start()

    def _read(self) -> None:
        stdout = self.process.popen.stdout
        assert stdout is not None
        for line in stdout:
            if self.first_line_at is None:
                self.first_line_at = time.monotonic()
            self._lines.put(line)
        self._lines.put(None)

    def _take(self, limit: float) -> None:
        """In a worker thread: move the next line that comes within ``limit`` seconds to ``_taken``."""
        limit = max(limit, 0.0)
        deadline = time.monotonic() + limit
        if not self._taker.acquire(timeout=limit):
            return
        try:
            if not self._taken:
                with contextlib.suppress(queue.Empty):
                    self._taken.append(self._lines.get(timeout=max(deadline - time.monotonic(), 0)))
        finally:
            self._taker.release()

    async def send(self, message: bytes | str | Mapping[str, Any] | list[Any], *, newline: bool = True) -> None:
        """Write ``message`` (bytes as they are; dicts and lists as compact JSON) plus a newline."""
        data = encode(message) + (b"\n" if newline else b"")
        if self.transcript is not None:
            self.transcript.add("->", "event", None, None, data.decode("utf-8", "replace"), note="raw")
        stdin = self.process.popen.stdin
        assert stdin is not None

        def write() -> None:
            stdin.write(data)
            stdin.flush()

        await anyio.to_thread.run_sync(write, abandon_on_cancel=True)

    async def receive(self, timeout: float | None = None) -> RawReply | None:
        """The next stdout line, or None when stdout closed. Raises ``TimeoutError`` when none came in time."""
        limit = self.timeout if timeout is None else timeout
        if not self._taken:
            await anyio.to_thread.run_sync(self._take, limit, abandon_on_cancel=True)
        if not self._taken:
            raise TimeoutError(f"no line on stdout within {limit:g} s")
        line = self._taken[0]
        if line is None:
            return None  # stays at the end of the stream for later calls
        self._taken.popleft()
        if self.transcript is not None:
            self.transcript.add("<-", "event", None, None, line.decode("utf-8", "replace").rstrip("\n"), note="raw")
        return RawReply(body=line.rstrip(b"\r\n"))

    async def request(
        self, message: bytes | str | Mapping[str, Any] | list[Any], *, timeout: float | None = None
    ) -> RawReply | None:
        """Send and return the reply to it: the first line that is a response (notifications are skipped)."""
        await self.send(message)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while (left := deadline - time.monotonic()) > 0:
            try:
                reply = await self.receive(timeout=left)
            except TimeoutError:
                return None
            if reply is None:
                return None
            data = reply.json
            if not (isinstance(data, dict) and "method" in data and "id" not in data):
                return reply
        return None

    async def silent_for(self, seconds: float) -> list[RawReply]:
        """Everything the server wrote within ``seconds`` (an empty list means it stayed silent)."""
        seen: list[RawReply] = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                reply = await self.receive(timeout=left)
            except TimeoutError:
                break
            if reply is None:
                break
            seen.append(reply)
        return seen

    async def close_stdin(self) -> None:
        stdin = self.process.popen.stdin
        if stdin is not None:
            with contextlib.suppress(OSError):
                stdin.close()

    async def wait_exit(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` seconds for the process to exit; its exit code, or None if still running."""
        with anyio.move_on_after(timeout):
            while self.process.returncode is None:
                await anyio.sleep(0.02)
        return self.process.returncode

    def stderr_text(self) -> str:
        return self.process.stderr_text()

    async def aclose(self) -> None:
        await anyio.to_thread.run_sync(self.process.stop)
        self.process.close_stderr()


class RawHttp:
    """Exact HTTP requests to a Streamable HTTP endpoint."""

    def __init__(self, client: Any, url: str, *, timeout: float, transcript: Transcript | None = None) -> None:
        self._client = client
        self.url = url
        self.timeout = timeout
        self.transcript = transcript

    async def request(
        self,
        method: str = "POST",
        body: bytes | str | Mapping[str, Any] | list[Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        url: str | None = None,
        default_headers: bool = True,
        timeout: float | None = None,
    ) -> RawReply:
        """Send one HTTP request and read the whole reply (SSE streams until they end or time out)."""
        import httpx2

        sent_headers: dict[str, str] = {}
        if default_headers and method == "POST":
            sent_headers = {"accept": JSON_AND_SSE, "content-type": "application/json"}
        sent_headers.update({k.lower(): v for k, v in (headers or {}).items()})
        content = None if body is None else encode(body)
        if self.transcript is not None:
            shown = content.decode("utf-8", "replace") if content else ""
            self.transcript.add("->", "event", method, None, {"headers": sent_headers, "body": shown}, note="raw http")
        limit = self.timeout if timeout is None else timeout
        chunks: list[bytes] = []
        status, reply_headers = None, {}
        with anyio.move_on_after(limit):
            try:
                async with self._client.stream(
                    method, url or self.url, content=content, headers=sent_headers, timeout=httpx2.Timeout(limit)
                ) as response:
                    status, reply_headers = response.status_code, {k.lower(): v for k, v in response.headers.items()}
                    async for chunk in response.aiter_bytes():
                        chunks.append(chunk)
                        if _sse_done(b"".join(chunks), reply_headers):
                            break
            except (httpx2.TransportError, httpx2.InvalidURL) as exc:
                if (
                    status is None
                    and isinstance(exc, httpx2.TimeoutException)
                    and not isinstance(exc, httpx2.ConnectTimeout)
                ):
                    raise TimeoutError(f"no HTTP reply to {method} {url or self.url} within {limit:g} s") from None
                if status is None or isinstance(exc, httpx2.ConnectError):
                    raise ServerUnreachable(explain_http_failure(exc, method, url or self.url)) from None
                # the body broke off after the status line: keep what came
        if status is None:
            raise TimeoutError(f"no HTTP reply to {method} {url or self.url} within {limit:g} s")
        reply = RawReply(body=b"".join(chunks), status=status, headers=reply_headers)
        if self.transcript is not None:
            self.transcript.add(
                "<-", "event", method, None, {"status": status, "body": reply.text[:2000]}, note="raw http"
            )
        return reply

    async def post(self, body: bytes | str | Mapping[str, Any] | list[Any], **kwargs: Any) -> RawReply:
        return await self.request("POST", body, **kwargs)

    async def get(self, **kwargs: Any) -> RawReply:
        return await self.request("GET", None, **kwargs)

    async def delete(self, **kwargs: Any) -> RawReply:
        return await self.request("DELETE", None, **kwargs)


def _sse_done(body: bytes, headers: Mapping[str, str]) -> bool:
    """True once an SSE body holds a JSON-RPC response (the stream may stay open after it)."""
    if not headers.get("content-type", "").startswith("text/event-stream"):
        return False
    return find_response(json_messages(body)) is not None
