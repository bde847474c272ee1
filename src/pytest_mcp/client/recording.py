"""Record a client's traffic by wrapping the SDK ``Dispatcher`` under its ``ClientSession``.

The dispatcher is the one seam every SDK connection passes through (JSON-RPC over stdio or HTTP,
and the direct in-process dispatch that has no JSON-RPC at all), so one wrapper records all
transports alike. It mints the request ids itself so the transcript shows the ids on the wire.

``mcp.Client`` builds its dispatcher in a private connector and offers no public way to wrap it:
its ``message_handler`` and callbacks see only what the server sends, and a wrapped ``Transport``
sees the streams of stdio and HTTP but not the in-process dispatch. ``record_traffic`` therefore
wraps the client's connector (``Client._connect``), the one private name this relies on.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any

from .transcript import Kind, Transcript


class RecordingDispatcher:
    """Delegates to ``inner`` and writes every request, reply and notification to ``transcript``."""

    def __init__(self, inner: Any, transcript: Transcript) -> None:
        self._inner = inner
        self._transcript = transcript
        self._ids = itertools.count(1)
        if hasattr(inner, "on_stream_exception") and inner.on_stream_exception is None:
            inner.on_stream_exception = self._on_stream_exception

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def _on_stream_exception(self, exc: Exception) -> None:
        self._transcript.add("<-", "event", None, None, str(exc)[:2000], note="unparseable message from server")

    async def send_raw_request(self, method: str, params: Mapping[str, Any] | None, opts: Any = None) -> dict[str, Any]:
        # The hot path of every call: kept to the few steps recording needs (see benchmarks/core.py).
        opts = {**opts} if opts else {}
        request_id = opts.get("request_id")
        if request_id is None:
            request_id = opts["request_id"] = next(self._ids)
        if "on_progress" in opts:
            opts["on_progress"] = self._progress_recorder(request_id, opts["on_progress"])
        add = self._transcript.add
        add("->", "request", method, request_id, params)
        started = perf_counter()
        try:
            result = await self._inner.send_raw_request(method, params, opts)
        except BaseException as exc:
            error = getattr(exc, "error", None)
            payload = error.model_dump(mode="json", exclude_none=True) if error is not None else repr(exc)
            kind: Kind = "error" if error is not None else "event"
            note = "" if error is not None else "no reply"
            add("<-", kind, method, request_id, payload, elapsed=perf_counter() - started, note=note)
            raise
        add("<-", "response", method, request_id, result, elapsed=perf_counter() - started)
        return result  # type: ignore[no-any-return]

    def _progress_recorder(self, request_id: Any, callback: Any) -> Any:
        async def record(progress: float, total: float | None, message: str | None) -> None:
            payload = {"progress": progress, "total": total, "message": message}
            self._transcript.add(
                "<-", "notification", "notifications/progress", None, payload, note=f"for id={request_id}"
            )
            await callback(progress, total, message)

        return record

    async def notify(self, method: str, params: Mapping[str, Any] | None, opts: Any = None) -> None:
        self._transcript.add("->", "notification", method, None, params)
        await self._inner.notify(method, params, opts)

    async def run(self, on_request: Any, on_notify: Any, on_notify_intercept: Any = None, **kwargs: Any) -> None:
        transcript = self._transcript

        async def recorded_request(ctx: Any, method: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
            request_id = getattr(ctx, "request_id", None)
            transcript.add("<-", "request", method, request_id, params)
            started = perf_counter()
            try:
                result = await on_request(ctx, method, params)
            except Exception as exc:
                error = getattr(exc, "error", None)
                payload = error.model_dump(mode="json", exclude_none=True) if error is not None else repr(exc)
                transcript.add("->", "error", method, request_id, payload, elapsed=perf_counter() - started)
                raise
            transcript.add("->", "response", method, request_id, result, elapsed=perf_counter() - started)
            return result  # type: ignore[no-any-return]

        def recorded_intercept(method: str, params: Mapping[str, Any] | None) -> bool:
            if method != "notifications/progress":
                transcript.add("<-", "notification", method, None, params)
            return bool(on_notify_intercept(method, params)) if on_notify_intercept is not None else False

        await self._inner.run(recorded_request, on_notify, recorded_intercept, **kwargs)


def record_traffic(sdk: Any, transcript: Transcript, wrappers: tuple[Callable[[Any], Any], ...] = ()) -> None:
    """Have ``sdk`` (an un-entered ``mcp.Client``) record its traffic to ``transcript`` when it connects;
    ``wrappers`` are applied to its dispatcher in order, under the recorder."""
    connector = sdk._connect

    async def recorded_connector(exit_stack: Any, mode: Any, raise_exceptions: bool) -> Any:
        dispatcher = await connector(exit_stack, mode, raise_exceptions)
        for wrap in wrappers:
            dispatcher = wrap(dispatcher)
        return RecordingDispatcher(dispatcher, transcript)

    sdk._connect = recorded_connector
