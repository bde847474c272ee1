"""Resilience assertions against a resilient and a fragile toy server, under backend faults.

The assertions must pass on the resilient server and fail, with a message that says why, on the
fragile one: it leaks a stack trace, stops answering, and loses writes it acknowledged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from pytest_mcp import McpAssertionError, in_process
from pytest_mcp.chaos import FaultInjector, WriteLedger, assert_clean_error, assert_recovers
from pytest_mcp.client.mcp_client import CallOutcome, McpClient
from pytest_mcp.errors import McpTimeoutError
from pytest_mcp.server.running import RunningServer
from pytest_mcp.settings import Settings

pytestmark = [pytest.mark.anyio, pytest.mark.chaos]

WRITE = "tests.chaos.toy_servers:Storage.write"


@asynccontextmanager
async def toy(name: str, chaos: FaultInjector) -> AsyncIterator[McpClient]:
    server = RunningServer(in_process(f"tests.chaos.toy_servers:{name}"), Settings()).start()
    async with chaos.connect(server, timeout=1.0) as client:
        yield client


async def save_all(client: McpClient, keys: list[str], ledger: WriteLedger) -> list[str]:
    return [ledger.record(await client.outcome("save", {"key": key}), key=key) for key in keys]


async def stored(client: McpClient) -> tuple[int, list[str]]:
    count = (await client.call("count")).structured["result"]
    keys = (await client.call("keys")).structured["result"]
    return count, keys


async def test_the_resilient_server_passes_every_resilience_assertion() -> None:
    with FaultInjector(seed=2024) as chaos:
        async with toy("make_resilient", chaos) as client:
            before, _ = await stored(client)
            fault = chaos.backend(WRITE, fail_rate=0.4, exception=OSError("disk full"))
            ledger = WriteLedger()
            outcomes = [await client.outcome("save", {"key": f"k{n}"}) for n in range(20)]
            for n, outcome in enumerate(outcomes):
                ledger.record(outcome, key=f"k{n}")
            assert ledger.acknowledged and ledger.rejected and not ledger.unknown
            assert len(ledger.rejected) == fault.failures
            for outcome in outcomes:
                if outcome.kind != "ok":
                    assert "storage is unavailable" in assert_clean_error(outcome)
            fault.restore()
            await assert_recovers(client, "count", within=2)
            after, keys = await stored(client)
            ledger.assert_durable(before=before, after=after)
            ledger.assert_present(keys)


async def test_the_fragile_server_fails_each_resilience_assertion_with_the_reason() -> None:
    with FaultInjector(seed=2024) as chaos:
        async with toy("make_fragile", chaos) as client:
            before, _ = await stored(client)
            ledger = WriteLedger()
            await save_all(client, ["a", "b"], ledger)
            fault = chaos.backend(WRITE, fail_rate=1.0, exception=OSError("disk full"))
            outcome = await client.outcome("save", {"key": "c"})
            ledger.record(outcome, key="c")
            fault.restore()
            with pytest.raises(McpAssertionError, match=r"answered with an error that leaks internals \('Traceback"):
                assert_clean_error(outcome)
            wedged = await client.outcome("save", {"key": "d"}, timeout=0.3)
            with pytest.raises(McpAssertionError, match="did not end in a clean error: the server did not answer"):
                assert_clean_error(wedged)
            with pytest.raises(McpAssertionError) as failure:
                await assert_recovers(client, "count", within=0.5, interval=0.1)
            message = str(failure.value)
            assert "did not recover within 0.5 s" in message
            assert "probe: tools/call 'count'" in message and "McpTimeoutError" in message
    assert ledger.acknowledged == ["a", "b"]
    assert ledger.rejected == ["c"]
    with pytest.raises(McpAssertionError, match="2 acknowledged write\\(s\\) were lost"):
        ledger.assert_durable(before=before, after=before)
    with pytest.raises(McpAssertionError, match="2 acknowledged write\\(s\\) are missing"):
        ledger.assert_present([])


def outcome_of(result: Any = None, error: BaseException | None = None) -> CallOutcome:
    return CallOutcome(tool="save", arguments={"key": "k"}, server="toy", result=result, error=error)


async def test_assert_clean_error_rejects_successes_and_no_answers() -> None:
    from mcp.shared.exceptions import MCPError
    from mcp_types import CONNECTION_CLOSED, INVALID_PARAMS

    from pytest_mcp.client.mcp_client import ToolResult

    ok = ToolResult.model_validate({"content": [{"type": "text", "text": "saved"}], "isError": False})
    with pytest.raises(McpAssertionError, match="succeeded, but a clean error was expected"):
        assert_clean_error(outcome_of(result=ok))
    lost = MCPError(code=CONNECTION_CLOSED, message="Connection closed")
    with pytest.raises(McpAssertionError, match="never got an answer from the server"):
        assert_clean_error(outcome_of(error=lost))
    timeout = McpTimeoutError("no reply", method="tools/call", timeout=1)
    with pytest.raises(McpAssertionError, match="did not answer within the timeout"):
        assert_clean_error(outcome_of(error=timeout))
    refused = MCPError(code=INVALID_PARAMS, message="bad key")
    assert assert_clean_error(outcome_of(error=refused), code=INVALID_PARAMS, match="bad") == "bad key"
    with pytest.raises(McpAssertionError, match="expected: JSON-RPC error code -32603"):
        assert_clean_error(outcome_of(error=refused), code=-32603)
    with pytest.raises(McpAssertionError, match="expected text matching: 'quota'"):
        assert_clean_error(outcome_of(error=refused), match="quota")
    leaky = MCPError(code=INVALID_PARAMS, message="bad", data='File "/srv/app.py", line 3, in save')
    with pytest.raises(McpAssertionError, match="leaks internals"):
        assert_clean_error(leaky)


def test_the_ledger_counts_unanswered_writes_as_maybe_stored_and_catches_extra_rows() -> None:
    from mcp.shared.exceptions import MCPError
    from mcp_types import REQUEST_TIMEOUT

    from pytest_mcp.client.mcp_client import ToolResult

    ok = ToolResult.model_validate({"content": [], "isError": False})
    ledger = WriteLedger()
    assert ledger.record(outcome_of(result=ok)) == "ok"
    assert ledger.record(outcome_of(error=McpTimeoutError("t", method="tools/call", timeout=1))) == "timeout"
    assert ledger.record(outcome_of(error=MCPError(code=REQUEST_TIMEOUT, message="lost"))) == "protocol_error"
    assert (ledger.acknowledged, ledger.unknown, ledger.rejected) == ([0], [1, 2], [])
    for after in (11, 12, 13):
        ledger.assert_durable(before=10, after=after)
    with pytest.raises(McpAssertionError, match="1 more row\\(s\\) than writes that may have succeeded"):
        ledger.assert_durable(before=10, after=14)
    ledger.rejected.append("r")
    with pytest.raises(McpAssertionError, match="rejected were stored anyway"):
        ledger.assert_present([0, "r"])


async def test_assert_recovers_accepts_a_custom_probe_and_an_expectation() -> None:
    with FaultInjector(seed=1) as chaos:
        async with toy("make_resilient", chaos) as client:
            await client.call("save", key="one")

            async def stored_keys(c: McpClient) -> list[str]:
                return (await c.call("keys")).structured["result"]  # type: ignore[no-any-return]

            assert await assert_recovers(client, stored_keys, expect=["one"]) == ["one"]
            assert await assert_recovers(client, expect=lambda tools: len(tools.tools) == 3)
            with pytest.raises(McpAssertionError, match="did not match expect=\\['two'\\]"):
                await assert_recovers(client, stored_keys, expect=["two"], within=0.2, interval=0.05)
            with chaos.faults(error_rate=1.0):
                await chaos.assert_recovers(client, "count", within=0.5)
                with pytest.raises(McpAssertionError, match="chaos: injected transport error"):
                    await assert_recovers(client, "count", within=0.2, interval=0.05)
