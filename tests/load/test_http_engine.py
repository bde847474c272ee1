"""The HTTP engine of ``mcp_load``: hand-built JSON-RPC over keep-alive HTTP/1.1, judged like the SDK engine."""

from __future__ import annotations

import pytest

from pytest_mcp._docs import DOCS_URL

from .conftest import ROOT, everything_server

pytestmark = pytest.mark.load

DEMO_HTTP = 'spawn_http(sys.executable, "-m", "tests.servers.demo", "--http", "--port", "{port}")'


def test_both_engines_agree_in_both_eras(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import sys
        import pytest
        from pytest_mcp import spawn_http
        from pytest_mcp.load import call

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({DEMO_HTTP}), pytest.mark.mcp_era("both")]
        MIX = [
            call("add", {{"a": 1, "b": 2}}, weight=20),
            call("echo", lambda n: {{"text": f"h\\u00e9 {{n}}"}}, weight=20),
            call("fail", {{"message": "it broke"}}),
        ]

        async def test_engines(mcp_load, mcp_era):
            by_engine = {{}}
            for engine in ("auto", "sdk"):
                stats = await mcp_load(MIX, users=3, calls=60, seed=5, engine=engine)
                by_engine[stats.engine] = stats
                assert stats.era == mcp_era
                assert stats.calls == 60
                assert stats["add"].errors == stats["echo"].errors == 0
                assert stats["add"].calls > 0 and stats["echo"].calls > 0
                assert stats["fail"].errors_by_kind == {{"is_error": stats["fail"].calls}}
                if stats["fail"].calls:
                    assert stats["fail"].error_samples == ("is_error: Error executing tool fail",)
            assert set(by_engine) == {{"http", "sdk"}}
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider", "-rp")  # a slow run prints progress lines
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["PASSED *::test_engines[[]2025-11-25]", "PASSED *::test_engines[[]2026-07-28]"])


def test_timeouts_and_crashes_over_http(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import sys
        import pytest
        from pytest_mcp import spawn_http
        from pytest_mcp.load import call

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({DEMO_HTTP}, fresh=True)]

        @pytest.mark.mcp_timeout(0.3)
        async def test_timeout(mcp_load):
            stats = await mcp_load([call("sleep", {{"seconds": 2}}), call("add", {{"a": 1, "b": 1}})], users=2, calls=6, seed=3)
            assert stats.engine == "http"
            slow = stats["sleep"]
            assert slow.errors_by_kind == {{"timeout": slow.calls}} and slow.calls > 0
            assert slow.error_samples[0].startswith("timeout: no reply to tools/call 'sleep' within 0.3 s from the HTTP server http://127.0.0.1:")
            # a timed-out connection is dropped and the user reconnects for its next call
            assert stats["add"].errors == 0 and stats["add"].calls > 0

        @pytest.mark.mcp_timeout(3)
        async def test_crash(mcp_load):
            stats = await mcp_load({{"crash": {{"code": 3}}}}, users=1, calls=2)
            assert stats.engine == "http"
            assert stats["crash"].errors_by_kind == {{"crash": 2}}
            assert "exited with code 3" in stats["crash"].error_samples[0]
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_engine_choice_and_refusals(load_pytester: pytest.Pytester) -> None:
    load_pytester.makepyfile(
        f"""
        import sys
        import pytest
        from pytest_mcp import spawn_http
        from pytest_mcp.load import call, scenario

        pytestmark = pytest.mark.anyio

        async def add_twice(client):
            await client.call("add", a=1, b=2)
            return await client.call("add", a=3, b=4)

        @pytest.mark.mcp_server({DEMO_HTTP})
        async def test_scenarios_take_the_sdk_engine(mcp_load):
            stats = await mcp_load([scenario(add_twice), call("add", {{"a": 1, "b": 2}})], calls=4)
            assert stats.engine == "sdk" and stats.errors == 0

        @pytest.mark.mcp_server({DEMO_HTTP})
        async def test_http_engine_refuses_scenarios(mcp_load):
            await mcp_load([scenario(add_twice)], calls=1, engine="http")

        @pytest.mark.mcp_server("tests.servers.demo:make_server")
        async def test_in_process_takes_the_sdk_engine(mcp_load):
            assert (await mcp_load({{"add": {{"a": 1, "b": 2}}}}, calls=2)).engine == "sdk"
            await mcp_load({{"add": {{"a": 1, "b": 2}}}}, calls=1, engine="http")

        @pytest.mark.mcp_server("tests.servers.demo:make_server")
        async def test_unknown_engine(mcp_load):
            await mcp_load({{"add": {{"a": 1, "b": 2}}}}, calls=1, engine="fast")
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(
        [
            "E * pytest_mcp.errors.McpUsageError: mcp_load(engine='http') cannot load this run: scenarios (add_twice) need a full "
            "client. Use engine='sdk'",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "E * pytest_mcp.errors.McpUsageError: mcp_load(engine='http') cannot load this run: the in-process server "
            "tests.servers.demo:make_server is not a Streamable HTTP server. Use engine='sdk'",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            f"E * pytest_mcp.errors.McpUsageError: mcp_load(engine='fast'): choose one of auto, http, sdk (see {DOCS_URL}load.md#engines)"
        ]
    )


GUARDED_SERVER = """
import sys
from typing import Annotated

import uvicorn
from pydantic import Field
from mcp.server.mcpserver import MCPServer

mcp = MCPServer("guarded")


@mcp.tool()
def where(region: Annotated[str, Field(json_schema_extra={"x-mcp-header": "Region"})]) -> str:
    \"\"\"Echo the region (its value must also travel in the Mcp-Param-Region header).\"\"\"
    return region


inner = mcp.streamable_http_app()


async def app(scope, receive, send):
    \"\"\"Refuse every HTTP request without the bearer token t0k.\"\"\"
    if scope["type"] == "http" and (b"authorization", b"Bearer t0k") not in scope["headers"]:
        await send({"type": "http.response.start", "status": 401, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"missing token"})
        return
    await inner(scope, receive, send)


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def test_tokens_and_param_headers_over_http(load_pytester: pytest.Pytester) -> None:
    (load_pytester.path / "guarded.py").write_text(GUARDED_SERVER)
    load_pytester.makepyfile(
        """
        import sys
        import pytest
        from pytest_mcp import spawn_http
        from pytest_mcp.load import call

        GUARDED = spawn_http(sys.executable, "guarded.py", "{port}")
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server(GUARDED), pytest.mark.mcp_era("2026-07-28")]

        @pytest.mark.mcp_client(token="t0k")
        async def test_with_token(mcp_load):
            stats = await mcp_load([call("where", lambda n: {"region": f"eu west {n}"})], users=2, calls=20)
            assert stats.engine == "http"
            stats.assert_slo(error_rate=0.0, min_calls=20)

        async def test_token_per_run(mcp_load):
            stats = await mcp_load({"where": {"region": "\\u00e9"}}, calls=3, client={"headers": {"Authorization": "Bearer t0k"}})
            stats.assert_slo(error_rate=0.0, min_calls=3)

        async def test_without_token(mcp_load):
            await mcp_load({"where": {"region": "x"}}, calls=1)
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * pytest_mcp.errors.McpConnectionError: load user 1 of 1 could not connect to the HTTP server "
            "http://127.0.0.1:*/mcp (connection): HTTP 401: missing token (give "
            "the load users a token: @pytest.mark.mcp_client(token=...) or client={'token': ...})",
        ]
    )


def test_a_node_server_over_http_in_the_handshake_era(load_pytester: pytest.Pytester) -> None:
    """server-everything (Express, SSE replies, handshake era only): ``auto`` falls back to ``initialize``."""
    everything = everything_server()
    load_pytester.makepyfile(
        f"""
        import pytest
        from pytest_mcp import spawn_http
        from pytest_mcp.load import call

        EVERYTHING = spawn_http(
            "node", "--import", {str(ROOT / "tests" / "servers" / "loopback.mjs")!r}, {str(everything)!r},
            "streamableHttp", env={{"PORT": "{{port}}"}},
        )
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server(EVERYTHING)]

        async def test_auto(mcp_load):
            stats = await mcp_load([call("get-sum", {{"a": 2, "b": 3}}), call("echo", {{"message": "h\\u00e9"}})], users=3, calls=60)
            assert (stats.engine, stats.era) == ("http", "2025-11-25")
            stats.assert_slo(error_rate=0.0, min_calls=60)

        @pytest.mark.mcp_era("2026-07-28")
        async def test_modern(mcp_load):
            await mcp_load({{"echo": {{"message": "hi"}}}}, calls=1)
        """
    )
    result = load_pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED * refused the 2026-07-28 connection: HTTP 400: * (use --mcp-unsupported-era=fail *"]
    )
