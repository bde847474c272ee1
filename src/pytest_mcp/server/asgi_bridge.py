"""Serve an ASGI app in-process to an ``httpx2`` client, streaming responses as they are produced.

``httpx2.ASGITransport`` collects a whole response body before returning it, so a Streamable HTTP
server answering over Server-Sent Events never completes through it. This bridge starts the app as
a task, returns the response as soon as its headers are sent, and streams the body chunk by chunk.
It also runs the app's lifespan, which is where the MCP SDK starts its session manager.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import httpx2

ASGI_BASE_URL = "http://127.0.0.1:8000"
"""The origin requests to an in-process app use; the port keeps DNS-rebinding checks satisfied."""


class _BodyStream(httpx2.AsyncByteStream):
    def __init__(self, chunks: Any, on_close: anyio.Event) -> None:
        self._chunks = chunks
        self._on_close = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            yield chunk

    async def aclose(self) -> None:
        self._on_close.set()
        await self._chunks.aclose()


class StreamingAsgiTransport(httpx2.AsyncBaseTransport):
    """An ``httpx2`` transport that runs each request as a task of ``task_group``."""

    def __init__(self, app: Any, task_group: anyio.abc.TaskGroup) -> None:
        self._app = app
        self._tg = task_group

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = b"".join([chunk async for chunk in request.stream])  # type: ignore[union-attr]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(key.lower(), value) for key, value in request.headers.raw],
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port or 80),
            "client": ("127.0.0.1", 50000),
            "root_path": "",
        }
        send_chunk, receive_chunk = anyio.create_memory_object_stream[bytes](math.inf)
        started = anyio.Event()
        disconnected = anyio.Event()
        head: dict[str, Any] = {}
        request_sent = False

        async def receive() -> dict[str, Any]:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await disconnected.wait()
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                head["status"] = message["status"]
                head["headers"] = message.get("headers", [])
                started.set()
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                    if chunk:
                        await send_chunk.send(chunk)
                    if not message.get("more_body", False):
                        await send_chunk.aclose()

        async def run_app() -> None:
            try:
                await self._app(scope, receive, send)
            except Exception as exc:  # the app crashed: answer 500 like a real server would
                if not started.is_set():
                    head.update(status=500, headers=[(b"content-type", b"text/plain")])
                    started.set()
                    with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                        await send_chunk.send(f"ASGI app raised {type(exc).__name__}".encode())
            finally:
                if not started.is_set():
                    head.update(status=500, headers=[])
                    started.set()
                await send_chunk.aclose()

        self._tg.start_soon(run_app)
        await started.wait()
        return httpx2.Response(head["status"], headers=head["headers"], stream=_BodyStream(receive_chunk, disconnected))


@asynccontextmanager
async def serve_asgi(app: Any) -> AsyncIterator[StreamingAsgiTransport]:
    """Run ``app``'s lifespan around the block and yield a transport bound to it."""
    async with anyio.create_task_group() as tg:
        async with _lifespan(app, tg):
            yield StreamingAsgiTransport(app, tg)
        tg.cancel_scope.cancel()


@asynccontextmanager
async def _lifespan(app: Any, tg: anyio.abc.TaskGroup) -> AsyncIterator[None]:
    to_app, app_inbox = anyio.create_memory_object_stream[dict[str, Any]](math.inf)
    app_outbox, from_app = anyio.create_memory_object_stream[dict[str, Any]](math.inf)
    unsupported = anyio.Event()

    async def run() -> None:
        async def receive() -> dict[str, Any]:
            return await app_inbox.receive()

        async def send(message: dict[str, Any]) -> None:
            await app_outbox.send(message)

        try:
            await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
        except Exception:
            unsupported.set()  # apps without lifespan support raise on the scope type
        finally:
            unsupported.set()

    tg.start_soon(run)
    await to_app.send({"type": "lifespan.startup"})
    reply = await _next_or_none(from_app, unsupported)
    if reply is not None and reply["type"] == "lifespan.startup.failed":
        raise RuntimeError(f"the ASGI app's lifespan startup failed: {reply.get('message', '')}")
    try:
        yield
    finally:
        if reply is not None:
            await to_app.send({"type": "lifespan.shutdown"})
            with anyio.move_on_after(5):
                await _next_or_none(from_app, unsupported)
        for stream in (to_app, app_inbox, app_outbox, from_app):
            await stream.aclose()


async def _next_or_none(stream: Any, done: anyio.Event) -> dict[str, Any] | None:
    result: dict[str, Any] | None = None
    async with anyio.create_task_group() as tg:

        async def wait_message() -> None:
            nonlocal result
            with contextlib.suppress(anyio.EndOfStream, anyio.ClosedResourceError):
                result = await stream.receive()
            tg.cancel_scope.cancel()

        async def wait_done() -> None:
            await done.wait()
            tg.cancel_scope.cancel()

        tg.start_soon(wait_message)
        tg.start_soon(wait_done)
    return result
