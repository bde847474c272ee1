"""The fixtures against the demo server, over every transport and both eras."""

from __future__ import annotations

import pytest

from .conftest import DEMO

TRANSPORTS = f"""
import pytest, sys, pytest_mcp

DEMO = "{DEMO}"
ALL = (
    pytest_mcp.in_process("tests.servers.demo:make_server"),
    pytest_mcp.stdio(DEMO),
    pytest_mcp.spawn_http(DEMO + " --http --port {{port}}"),
    pytest_mcp.asgi("tests.servers.demo:make_server"),
)
"""


def test_one_test_over_all_transports_and_both_eras(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        TRANSPORTS
        + """
@pytest.mark.anyio
@pytest.mark.mcp_server(*ALL)
@pytest.mark.mcp_era("both")
async def test_add(mcp_client, mcp_era):
    result = await mcp_client.call("add", a=2, b=3)
    assert result.structured == {"result": 5}
    assert mcp_client.protocol_version == mcp_era
"""
    )
    result = mcp_pytester.runpytest("-v")
    result.stdout.fnmatch_lines(
        [
            "*test_add[[]inproc-2025-11-25] PASSED*",
            "*test_add[[]inproc-2026-07-28] PASSED*",
            "*test_add[[]stdio-2025-11-25] PASSED*",
            "*test_add[[]stdio-2026-07-28] PASSED*",
            "*test_add[[]http-2025-11-25] PASSED*",
            "*test_add[[]http-2026-07-28] PASSED*",
            "*test_add[[]asgi-2025-11-25] PASSED*",
            "*test_add[[]asgi-2026-07-28] PASSED*",
        ]
    )
    result.assert_outcomes(passed=8)


def test_era_both_from_the_command_line(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        """
        import pytest
        pytestmark = pytest.mark.anyio

        async def test_era(mcp_client):
            print("ERA", mcp_client.era)

        def test_not_mcp():
            pass
        """
    )
    result = mcp_pytester.runpytest("-v", "-s", "--mcp-era=both", "--mcp-server=tests.servers.demo:make_server")
    result.stdout.fnmatch_lines(["*test_era[[]2025-11-25] ERA 2025-11-25*", "*test_era[[]2026-07-28] ERA 2026-07-28*"])
    result.stdout.fnmatch_lines(["*test_not_mcp PASSED*"])
    result.assert_outcomes(passed=3)


def test_stdio_servers_are_shared_by_the_session_unless_a_test_asks_for_a_fresh_one(
    mcp_pytester: pytest.Pytester,
) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("{DEMO}")]
        PIDS = []

        async def test_one(mcp_client):
            PIDS.append((await mcp_client.call("pid")).structured["result"])

        async def test_two(mcp_client):
            PIDS.append((await mcp_client.call("pid")).structured["result"])
            assert PIDS[0] == PIDS[1]

        @pytest.mark.mcp_fresh_server
        async def test_fresh(mcp_client):
            pid = (await mcp_client.call("pid")).structured["result"]
            assert pid not in PIDS
        """
    )
    mcp_pytester.runpytest().assert_outcomes(passed=3)
    result = mcp_pytester.runpytest("--mcp-server-scope=function")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*assert PIDS[[]0] == PIDS[[]1]*"])


def test_the_factory_gives_several_clients_with_their_own_headers(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest
        pytestmark = [pytest.mark.anyio]

        @pytest.mark.mcp_server("{DEMO} --http --port {{port}}".replace("{DEMO}", "{DEMO}"))
        async def test_placeholder():
            pass
        """
    )
    mcp_pytester.makepyfile(
        test_factory=TRANSPORTS
        + """
pytestmark = pytest.mark.anyio

@pytest.mark.mcp_server(ALL[2])
async def test_two_users(mcp_client_factory):
    async with mcp_client_factory(headers={"X-User": "ada"}) as ada, mcp_client_factory(era="2025-11-25") as bob:
        assert ada.headers["X-User"] == "ada"
        assert (await ada.call("echo", text="a")).text == "a"
        assert (await bob.call("echo", text="b")).text == "b"
        assert (ada.era, bob.era) == ("2026-07-28", "2025-11-25")
"""
    )
    mcp_pytester.runpytest("test_factory.py").assert_outcomes(passed=1)


def test_scripted_replies_to_sampling_elicitation_and_roots(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest
        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_server("tests.servers.demo:make_server", "{DEMO}")
        @pytest.mark.mcp_era("2025-11-25")
        @pytest.mark.mcp_client(sampling=lambda params: "summary of " + params.messages[0].content.text,
                                elicitation={{"name": "Ada"}})
        async def test_back_channel(mcp_client):
            assert (await mcp_client.call("summarize", text="x")).text == "summary of Summarize: x"
            assert (await mcp_client.call("greet_user")).text == "hello Ada"
            assert [m for m, _ in mcp_client.responder.requests] == ["sampling/createMessage", "elicitation/create"]

        @pytest.mark.mcp_server("tests.servers.demo:make_server")
        @pytest.mark.mcp_era("2025-11-25")
        @pytest.mark.mcp_client(elicitation="decline")
        async def test_decline(mcp_client):
            assert (await mcp_client.call("greet_user")).text == "no name (decline)"
        """
    )
    mcp_pytester.runpytest().assert_outcomes(passed=3)


def test_progress_logs_and_the_sdk_api(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        import pytest
        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_server("tests.servers.demo:make_server", "{DEMO}")
        @pytest.mark.mcp_client(log_level="info")
        async def test_everything(mcp_client):
            seen = []

            async def on_progress(progress, total, message):
                seen.append((progress, total, message))

            result = await mcp_client.call_tool("progress", {{"steps": 2}}, progress_callback=on_progress)
            assert result.text == "done"
            assert seen == [(1, 2, "step 1"), (2, 2, "step 2")]
            await mcp_client.call("log_something")
            assert [m["data"] for m in mcp_client.log_messages] == ["something happened"]
            assert [r.uri for r in await mcp_client.resources()] == ["demo://greeting"]
            assert [t.uri_template for t in await mcp_client.resource_templates()] == ["demo://items/{{item_id}}"]
            assert (await mcp_client.read_resource("demo://items/7")).contents[0].text == "item 7"
            prompt = await mcp_client.get_prompt("review", {{"code": "x = 1"}})
            assert "x = 1" in prompt.messages[0].content.text
            assert mcp_client.server_info.name == "demo-server"
            assert "demo server" in mcp_client.instructions
            assert [m.method for m in mcp_client.transcript.requests("tools/call")] == ["tools/call"] * 2
        """
    )
    mcp_pytester.runpytest().assert_outcomes(passed=2)


def test_stdio_environment_is_inherited_by_default_and_minimal_on_request(
    mcp_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_MCP_PROBE", "from-the-test-process")
    mcp_pytester.makepyfile(
        f"""
        import pytest, pytest_mcp
        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_server("{DEMO}")
        async def test_inherited(mcp_client):
            assert (await mcp_client.call("env", name="PYTEST_MCP_PROBE")).text == "from-the-test-process"

        @pytest.mark.mcp_server(pytest_mcp.stdio("{DEMO}", env={{"EXTRA": "1"}}, inherit_env=False))
        async def test_minimal(mcp_client):
            assert (await mcp_client.call("env", name="PYTEST_MCP_PROBE")).text == ""
            assert (await mcp_client.call("env", name="EXTRA")).text == "1"
        """
    )
    mcp_pytester.runpytest().assert_outcomes(passed=2)
    mcp_pytester.runpytest("--mcp-env=minimal").assert_outcomes(failed=1, passed=1)


def test_a_server_that_lacks_the_requested_era_is_skipped_or_failed(
    mcp_pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    legacy = mcp_pytester.makepyfile(
        legacy_only="""
        from mcp.server import Server
        server = Server("legacy-only")
        """
    )
    assert legacy.exists()
    mcp_pytester.makepyfile(
        """
        import pytest
        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_era("2025-11-25")
        async def test_old(mcp_client):
            pass
        """
    )
    # A low-level Server speaks both eras in-process, so use a stdio command that only answers initialize.
    script = mcp_pytester.makepyfile(
        only_initialize="""
        import json, sys
        for line in sys.stdin:
            message = json.loads(line)
            if "id" not in message:
                continue
            if message["method"] == "initialize":
                result = {"protocolVersion": "2025-11-25", "capabilities": {}, "serverInfo": {"name": "old", "version": "1"}}
                print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}), flush=True)
            else:
                print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "nope"}}), flush=True)
        """
    )
    mcp_pytester.makepyfile(
        test_new=f"""
        import pytest, sys
        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_server(sys.executable + " {script}")
        @pytest.mark.mcp_era("2026-07-28")
        async def test_new(mcp_client):
            pass
        """
    )
    result = mcp_pytester.runpytest("test_new.py", "-rs")
    result.stdout.fnmatch_lines(["SKIPPED*does not speak 2026-07-28*(use --mcp-unsupported-era=fail to fail instead)"])
    result.assert_outcomes(skipped=1)
    result = mcp_pytester.runpytest("test_new.py", "--mcp-unsupported-era=fail")
    result.assert_outcomes(errors=1)


def test_a_parametrized_target_fixture_parametrizes_the_tests(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.anyio

        @pytest.fixture(params=["tests.servers.demo:make_server", "tests.servers.demo:server"], ids=["factory", "object"])
        def mcp_server_target(request):
            return request.param

        async def test_add(mcp_client):
            assert (await mcp_client.call("add", a=1, b=1)).structured == {"result": 2}

        async def test_factory_only(mcp_client_factory):
            async with mcp_client_factory() as client:
                assert (await client.call("add", a=2, b=2)).structured == {"result": 4}
        """
    )
    result = mcp_pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*test_add[[]factory[]] PASSED*", "*test_factory_only[[]object[]] PASSED*"])
