"""Resilience assertions: a clean error in time, service again afterwards, no acknowledged write lost."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from .._docs import docs_url
from ..errors import McpAssertionError
from ..protocol import classify

if TYPE_CHECKING:
    from ..client.mcp_client import McpClient

__all__ = ["WriteLedger", "assert_clean_error", "assert_recovers"]

DOCS: Final = docs_url("chaos.md")
_LEAKS: Final = (
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r'File "[^"]+", line \d+'),
    re.compile(r"\bat [\w.$]+\([\w.]+:\d+\)"),  # Java/JS stack frames
)
_LIMIT: Final = 600


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= _LIMIT else text[:_LIMIT] + f"… ({len(text)} chars)"


def _fail(headline: str, details: list[str], anchor: str) -> McpAssertionError:
    lines = [headline, *("  " + line.replace("\n", "\n    ") for line in details)]
    lines.append(f"  (use -v for the whole JSON-RPC transcript; see {DOCS}#{anchor})")
    return McpAssertionError("\n".join(lines))


def _describe(outcome: Any) -> tuple[str, str, str, Any]:
    """(kind, text, what-was-called, error) of a ``CallOutcome``, ``ToolResult`` or exception."""
    from ..client.mcp_client import CallOutcome

    if isinstance(outcome, CallOutcome):
        what = f"tools/call {outcome.tool!r} on the {outcome.server}"
        if outcome.result is not None:
            return outcome.kind, outcome.result.text, what, None
        error = outcome.error
        return outcome.kind, str(getattr(error, "message", None) or error), what, error
    if isinstance(outcome, BaseException):
        return classify(outcome).kind, str(getattr(outcome, "message", None) or outcome), "the request", outcome
    text = "\n".join(getattr(b, "text", "") for b in getattr(outcome, "content", []) or [])
    return classify(outcome).kind, text, f"tools/call {getattr(outcome, 'tool', '') or '(tool)'!r}", None


def assert_clean_error(outcome: Any, *, match: str | None = None, code: int | None = None) -> str:
    """Assert the server answered a failure cleanly: an ``isError`` result or a JSON-RPC error, in time.

    Fails on a success, a timeout (no answer within the timeout), a crash, a lost connection, and on
    error text that leaks a stack trace. ``match`` is a regex searched in the error text; ``code``
    requires that JSON-RPC error code. Returns the error text.
    """
    __tracebackhide__ = True
    from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT

    kind, text, what, error = _describe(outcome)
    if kind == "ok":
        raise _fail(
            f"{what} succeeded, but a clean error was expected",
            [f"result: {_short(text)}"],
            "assert_clean_error",
        )
    if kind in ("timeout", "crash", "connection", "exception") or getattr(error, "code", None) in (
        CONNECTION_CLOSED,
        REQUEST_TIMEOUT,
    ):
        reason = {
            "timeout": "the server did not answer within the timeout",
            "crash": "the server process died",
        }.get(kind, "the request never got an answer from the server")
        raise _fail(
            f"{what} did not end in a clean error: {reason}",
            [f"got: {type(error).__name__}: {_short(text)}", "expected: an isError result or a JSON-RPC error reply"],
            "assert_clean_error",
        )
    data = getattr(error, "data", None)
    for source in (text, _short(data) if data is not None else ""):
        for pattern in _LEAKS:
            found = pattern.search(source)
            if found:
                raise _fail(
                    f"{what} answered with an error that leaks internals ({found.group(0)!r})",
                    [f"error text: {_short(source)}", "expected: a message for the client, without a stack trace"],
                    "assert_clean_error",
                )
    if code is not None and getattr(error, "code", None) != code:
        got = f"JSON-RPC error {error.code}" if error is not None else "an isError result"
        raise _fail(
            f"{what} answered with the wrong kind of error",
            [f"expected: JSON-RPC error code {code}", f"got: {got}: {_short(text)}"],
            "assert_clean_error",
        )
    if match is not None and not re.search(match, text):
        raise _fail(
            f"{what} answered with an unexpected error message",
            [f"expected text matching: {match!r}", f"got: {_short(text)}"],
            "assert_clean_error",
        )
    return text


def _probe_call(probe: Any) -> tuple[str, Callable[[McpClient, float], Awaitable[Any]]]:
    """A description and an ``async f(client, timeout)`` for each accepted probe form."""
    if probe is None:

        async def list_tools(client: McpClient, timeout: float) -> Any:
            async with client.guard("tools/list", timeout=timeout):
                return await client.sdk.list_tools()

        return "tools/list", list_tools
    if isinstance(probe, str | tuple):
        name, arguments = (probe, {}) if isinstance(probe, str) else probe

        async def call(client: McpClient, timeout: float) -> Any:
            from ..assertions import assert_tool_ok

            return assert_tool_ok(await client.call_tool(name, arguments, timeout=timeout))

        return f"tools/call {name!r}", call
    if callable(probe):

        async def custom(client: McpClient, timeout: float) -> Any:
            import anyio

            with anyio.fail_after(timeout):
                return await probe(client)

        return getattr(probe, "__name__", "probe"), custom
    raise TypeError(f"probe={probe!r}: give a tool name, (tool, arguments), or an async function of the client")


async def assert_recovers(
    client: McpClient,
    probe: Any = None,
    *,
    within: float = 5.0,
    interval: float = 0.1,
    expect: Any = None,
) -> Any:
    """Assert the server serves again: ``probe`` succeeds within ``within`` seconds (retried every ``interval``).

    ``probe`` is a tool name, ``(tool, arguments)``, an ``async f(client)``, or None for ``tools/list``.
    ``expect`` is a value the probe's result must equal, or a predicate it must satisfy. Returns the
    first good result.
    """
    __tracebackhide__ = True
    import anyio

    label, call = _probe_call(probe)
    deadline = time.monotonic() + within
    attempts = 0
    last = "no attempt finished"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        attempts += 1
        try:
            value = await call(client, remaining)
        except Exception as exc:  # every failure of a probe is a reason to retry
            last = f"{type(exc).__name__}: {_short(str(exc))}"
        else:
            ok = expect(value) if callable(expect) else (expect is None or value == expect)
            if ok:
                return value
            last = f"result {_short(value)} did not match expect={expect!r}"
        await anyio.sleep(min(interval, max(deadline - time.monotonic(), 0)))
    raise _fail(
        f"the {client.describe()} did not recover within {within:g} s",
        [f"probe: {label} ({attempts} attempt(s))", f"last attempt: {last}"],
        "assert_recovers",
    )


@dataclass
class WriteLedger:
    """Which writes the server acknowledged, to prove that faults lost none of them.

    Record each write's ``CallOutcome``; afterwards compare with what the server (or its database)
    holds: every acknowledged write must be there, and nothing beyond the writes whose fate is
    unknown (timeouts, crashes, lost connections)::

        ledger = WriteLedger()
        before = await count_rows()
        for n in range(20):
            ledger.record(await client.outcome("create", {"title": f"t{n}"}), key=f"t{n}")
        ledger.assert_durable(before=before, after=await count_rows())
        ledger.assert_present(await titles_now_stored())
    """

    acknowledged: list[Any] = field(default_factory=list)
    """Keys of writes the server confirmed (an ok result)."""
    rejected: list[Any] = field(default_factory=list)
    """Keys of writes the server refused with a clean error (must not be stored)."""
    unknown: list[Any] = field(default_factory=list)
    """Keys of writes with no answer (timeout, crash, lost connection): stored or not, both are fine."""

    def record(self, outcome: Any, key: Any = None) -> str:
        """File one write's outcome under ``key`` (default: its position); returns the outcome kind."""
        kind = _describe(outcome)[0]
        key = key if key is not None else len(self.acknowledged) + len(self.rejected) + len(self.unknown)
        if kind == "ok":
            self.acknowledged.append(key)
        elif kind == "is_error" or (kind == "protocol_error" and not _no_answer(outcome)):
            self.rejected.append(key)
        else:
            self.unknown.append(key)
        return kind

    def assert_durable(self, *, before: int, after: int) -> None:
        """Row counts: ``before + acknowledged <= after <= before + acknowledged + unknown``."""
        __tracebackhide__ = True
        low = before + len(self.acknowledged)
        high = low + len(self.unknown)
        summary = (
            f"{len(self.acknowledged)} acknowledged, {len(self.unknown)} unanswered, "
            f"{len(self.rejected)} rejected write(s); rows before {before}, after {after}"
        )
        if after < low:
            raise _fail(
                f"{low - after} acknowledged write(s) were lost",
                [summary, f"expected at least {low} rows"],
                "writeledger",
            )
        if after > high:
            raise _fail(
                f"{after - high} more row(s) than writes that may have succeeded",
                [summary, f"expected at most {high} rows (a rejected write was stored, or a write was applied twice)"],
                "writeledger",
            )

    def assert_present(self, stored: Any) -> None:
        """Every acknowledged key is in ``stored`` (the keys read back after the faults), and no rejected one."""
        __tracebackhide__ = True
        stored_set = set(stored)
        missing = [key for key in self.acknowledged if key not in stored_set]
        if missing:
            raise _fail(
                f"{len(missing)} acknowledged write(s) are missing",
                [f"missing: {_short(missing)}", f"acknowledged: {len(self.acknowledged)}"],
                "writeledger",
            )
        stored_rejected = [key for key in self.rejected if key in stored_set]
        if stored_rejected:
            raise _fail(
                f"{len(stored_rejected)} write(s) the server rejected were stored anyway",
                [f"stored although rejected: {_short(stored_rejected)}"],
                "writeledger",
            )


def _no_answer(outcome: Any) -> bool:
    from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT

    error = getattr(outcome, "error", outcome)
    return getattr(error, "code", None) in (CONNECTION_CLOSED, REQUEST_TIMEOUT)
