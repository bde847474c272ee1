"""One stdio server process shared by many clients, one after another or at once.

The SDK's ``stdio_client`` starts a process per connection, bound to one event loop. Starting a
Python server costs most of a second, so a suite of a hundred tests would spend its time in
interpreter start-up. This module keeps one process per (target, era) for the whole session and
hands each test a fresh *attachment*: a pair of in-memory SDK streams in the test's own event loop.

* A reader thread parses the server's stdout lines and routes each message; a writer thread feeds
  stdin, so no event loop ever blocks on a pipe.
* Request ids and progress tokens are rewritten to process-wide unique values on the way out and
  restored on the way in, so a late reply to an abandoned request of an earlier test can never
  reach the wrong client.
* The handshake (``initialize`` / ``server/discover``) happens once, for real; later attachments
  get the recorded reply and their ``notifications/initialized`` is not sent again. Per the spec a
  stdio connection is initialized once; this keeps every test's client speaking to an initialized
  server without restarting it.
* Server notifications without a progress token go to every live attachment; server-to-client
  requests go to the newest one.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import queue
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Final

import anyio
import anyio.lowlevel

from .process import ManagedProcess

if TYPE_CHECKING:
    from anyio.streams.memory import MemoryObjectSendStream

HANDSHAKE_METHODS: Final = ("initialize", "server/discover")
_STOP: Final = object()


def _call_soon(token: Any, fn: Callable[..., object], *args: Any) -> None:
    """Schedule ``fn(*args)`` on the event loop of ``token`` from another thread, without waiting."""
    native = getattr(token, "native_token", token)  # an older anyio's token is the loop itself
    if hasattr(native, "call_soon_threadsafe"):  # asyncio loop
        native.call_soon_threadsafe(fn, *args)
    else:  # trio token
        native.run_sync_soon(fn, *args)


class _Attachment:
    def __init__(self, token: Any, sink: MemoryObjectSendStream[Any]) -> None:
        self.token = token
        self.sink = sink
        self.open = True

    def deliver(self, item: Any) -> None:
        if not self.open:
            return

        def put() -> None:
            with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.WouldBlock):
                self.sink.send_nowait(item)

        with contextlib.suppress(RuntimeError):  # the test's loop is already closed
            _call_soon(self.token, put)


class SharedStdioServer:
    """A long-lived stdio server process that many sequential or concurrent clients attach to."""

    def __init__(self, process: ManagedProcess) -> None:
        self.process = process
        self.stdout_noise: deque[str] = deque(maxlen=100)
        """The last stdout lines that were not JSON-RPC (a spec violation worth showing in reports)."""
        self._stdout_closed = False
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._pending: dict[Any, tuple[_Attachment, Any, str]] = {}
        self._tokens: dict[Any, tuple[_Attachment, Any]] = {}
        self._attachments: list[_Attachment] = []
        self._handshakes: dict[str, dict[str, Any]] = {}
        self._initialized_sent = False
        self._outbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._read_loop, name=f"mcp-stdio-reader-{process.pid}", daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name=f"mcp-stdio-writer-{process.pid}", daemon=True)
        self._reader.start()
        self._writer.start()

    @property
    def alive(self) -> bool:
        """Running, with its stdout open (a server that closed it can answer nothing more)."""
        return self.process.returncode is None and not self._stdout_closed

    # -- threads ------------------------------------------------------------------------------
    def _write_loop(self) -> None:
        stdin = self.process.popen.stdin
        assert stdin is not None
        while (data := self._outbox.get()) is not _STOP:
            assert isinstance(data, bytes)  # send() queues encoded lines; only _STOP is not bytes
            try:
                stdin.write(data)
                stdin.flush()
            except (OSError, ValueError):
                return

    def _read_loop(self) -> None:
        stdout = self.process.popen.stdout
        assert stdout is not None
        for raw in stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError:
                self.stdout_noise.append(line[:500])
                continue
            if isinstance(data, dict):
                self._route(data)
            else:
                self.stdout_noise.append(line[:500])
        self._stdout_closed = True
        with self._lock:
            attachments = list(self._attachments)
        for attachment in attachments:
            attachment.deliver(_STOP)

    def _route(self, data: dict[str, Any]) -> None:
        is_response = "method" not in data and ("result" in data or "error" in data)
        with self._lock:
            if is_response:
                entry = self._pending.pop(data.get("id"), None)
                if entry is None:
                    return  # a reply to an attachment that went away: drop it
                attachment, original_id, method = entry
                if method in HANDSHAKE_METHODS:
                    self._handshakes[method] = data
                targets = [(attachment, {**data, "id": original_id})]
            elif "id" in data:  # a server-to-client request
                targets = [(self._attachments[-1], data)] if self._attachments else []
            else:
                targets = self._route_notification(data)
        for attachment, message in targets:
            attachment.deliver(message)

    def _route_notification(self, data: dict[str, Any]) -> list[tuple[_Attachment, dict[str, Any]]]:
        params = data.get("params")
        token = params.get("progressToken") if isinstance(params, dict) else None
        if token is not None and token in self._tokens:
            attachment, original = self._tokens[token]
            return [(attachment, {**data, "params": {**params, "progressToken": original}})]  # type: ignore[dict-item]
        return [(attachment, data) for attachment in self._attachments]

    # -- outgoing -----------------------------------------------------------------------------
    def _send(self, attachment: _Attachment, data: dict[str, Any]) -> None:
        method = data.get("method")
        with self._lock:
            if "id" in data and method is not None:  # a request of ours
                if method in self._handshakes:
                    attachment.deliver({**self._handshakes[method], "id": data["id"]})
                    return
                wire_id = next(self._ids)
                self._pending[wire_id] = (attachment, data["id"], method)
                data = {**data, "id": wire_id}
                data = self._rewrite_progress_token(attachment, data)
            elif method == "notifications/initialized":
                if self._initialized_sent:
                    return
                self._initialized_sent = True
            elif method == "notifications/cancelled":
                data = self._rewrite_cancel(attachment, data)
        self._outbox.put((json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n").encode())

    def _rewrite_progress_token(self, attachment: _Attachment, data: dict[str, Any]) -> dict[str, Any]:
        params = data.get("params")
        meta = params.get("_meta") if isinstance(params, dict) else None
        if not isinstance(meta, dict) or "progressToken" not in meta:
            return data
        wire_token = f"p{data['id']}"
        self._tokens[wire_token] = (attachment, meta["progressToken"])
        return {**data, "params": {**params, "_meta": {**meta, "progressToken": wire_token}}}  # type: ignore[dict-item]

    def _rewrite_cancel(self, attachment: _Attachment, data: dict[str, Any]) -> dict[str, Any]:
        params = data.get("params") or {}
        for wire_id, (owner, original, _method) in self._pending.items():
            if owner is attachment and original == params.get("requestId"):
                return {**data, "params": {**params, "requestId": wire_id}}
        return data

    # -- attachments --------------------------------------------------------------------------
    @asynccontextmanager
    async def attach(self) -> AsyncIterator[tuple[Any, Any]]:
        """Yield SDK transport streams ``(read, write)`` connected to the shared process."""
        from mcp.shared.message import SessionMessage
        from mcp_types import jsonrpc_message_adapter

        to_client, client_read = anyio.create_memory_object_stream[Any](float("inf"))
        client_write, from_client = anyio.create_memory_object_stream[Any](float("inf"))
        raw_in, raw_out = anyio.create_memory_object_stream[Any](float("inf"))
        attachment = _Attachment(anyio.lowlevel.current_token(), raw_in)
        with self._lock:
            self._attachments.append(attachment)
        if not self.alive:
            attachment.deliver(_STOP)

        async def pump_in() -> None:
            async with to_client, raw_out:
                async for item in raw_out:
                    if item is _STOP:
                        return
                    try:
                        message = SessionMessage(jsonrpc_message_adapter.validate_python(item, by_name=False))
                    except ValueError as exc:
                        message = exc  # type: ignore[assignment]
                    try:
                        await to_client.send(message)
                    except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                        return  # the client session has ended; late messages for it are dropped

        async def pump_out() -> None:
            async with from_client:
                async for session_message in from_client:
                    data = session_message.message.model_dump(by_alias=True, mode="json", exclude_unset=True)
                    self._send(attachment, data)

        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(pump_in)
                tg.start_soon(pump_out)
                try:
                    yield client_read, client_write
                finally:
                    tg.cancel_scope.cancel()
        finally:
            attachment.open = False
            with self._lock:
                self._attachments.remove(attachment)
                for key in [k for k, v in self._pending.items() if v[0] is attachment]:
                    del self._pending[key]
                for key in [k for k, v in self._tokens.items() if v[0] is attachment]:
                    del self._tokens[key]
            for stream in (client_read, client_write, raw_in):
                await stream.aclose()

    def close(self) -> None:
        self._outbox.put(_STOP)
        self.process.stop()
        self._reader.join(timeout=2)
        self._writer.join(timeout=2)
