"""The mcp_chaos marker and fixture in real pytest sessions: seeds in the report, replays, validation, teardown."""

from __future__ import annotations

import json
import re

import pytest

from pytest_mcp.chaos._policy import derive_seed

pytestmark = pytest.mark.chaos

SEQUENCE_TEST = """
import json
import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("tests.servers.demo:make_server")]


@pytest.mark.mcp_chaos(error_rate=0.2, duplicate_rate=0.2, corrupt_rate=0.2, latency_ms=(0, 3), methods=["tools/call"])
async def test_many_calls(mcp_client, mcp_chaos):
    kinds = []
    for n in range(30):
        kinds.append((await mcp_client.outcome("echo", {"text": f"m{n}"})).kind)
    record = {"seed": mcp_chaos.seed, "faults": mcp_chaos.fault_sequence, "kinds": kinds}
    with open("sequence.jsonl", "a") as out:
        out.write(json.dumps(record) + "\\n")
"""


def _sequences(pytester: pytest.Pytester) -> list[dict[str, object]]:
    lines = (pytester.path / "sequence.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_the_same_seed_replays_the_same_faults_and_another_seed_does_not(chaos_pytester: pytest.Pytester) -> None:
    chaos_pytester.makepyfile(test_sequence=SEQUENCE_TEST)
    for seed in ("4242", "4242", "4243"):
        chaos_pytester.runpytest(f"--mcp-seed={seed}").assert_outcomes(passed=1)
    first, replay, other = _sequences(chaos_pytester)
    assert first == replay
    assert first["faults"], "a 20% rate over 30 calls applied no fault at all"
    assert {fault for _, _, fault in first["faults"]} <= {"error", "duplicate", "corrupt", "latency"}
    assert "protocol_error" in first["kinds"] and "is_error" in first["kinds"]
    nodeid = "test_sequence.py::test_many_calls"
    assert first["seed"] == derive_seed(4242, nodeid)
    assert other["seed"] == derive_seed(4243, nodeid)
    assert other["faults"] != first["faults"]


def test_xdist_workers_share_the_printed_random_seed_and_replay_it_alone(chaos_pytester: pytest.Pytester) -> None:
    chaos_pytester.makepyfile(test_sequence=SEQUENCE_TEST)
    result = chaos_pytester.runpytest_subprocess("-n", "2")
    result.assert_outcomes(passed=1)
    # the controller collects nothing, so the random seed is in the terminal summary (not after collection)
    summary = re.search(
        r"^1 test\(s\) ran with fault injection; base seed (\d+) \(--mcp-seed=\1 replays them\)$",
        result.stdout.str(),
        re.M,
    )
    assert summary, result.stdout.str()
    base = int(summary.group(1))
    chaos_pytester.runpytest(f"--mcp-seed={base}", "-p", "no:xdist").assert_outcomes(passed=1)
    on_worker, alone = _sequences(chaos_pytester)
    assert on_worker["seed"] == derive_seed(base, "test_sequence.py::test_many_calls")
    assert on_worker == alone


def test_the_header_shows_a_given_seed(chaos_pytester: pytest.Pytester) -> None:
    chaos_pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\nmcp_seed = 99\n")
    result = chaos_pytester.runpytest("--collect-only")
    result.stdout.fnmatch_lines(["mcp chaos: base seed 99 (from --mcp-seed/mcp_seed)"])
    result = chaos_pytester.runpytest("--collect-only", "--mcp-seed=0x10")
    result.stdout.fnmatch_lines(["mcp chaos: base seed 16 (from --mcp-seed/mcp_seed)"])


def test_a_bad_seed_is_a_usage_error(chaos_pytester: pytest.Pytester) -> None:
    result = chaos_pytester.runpytest("--mcp-seed=abc")
    result.stderr.fnmatch_lines(["*--mcp-seed: 'abc' is not a whole number (a seed printed by an earlier run)"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_a_failing_chaos_test_reports_its_seed_faults_and_how_to_replay(chaos_pytester: pytest.Pytester) -> None:
    chaos_pytester.makepyfile(
        test_fail="""
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("tests.servers.demo:make_server")]


        @pytest.mark.mcp_chaos(error_rate=1.0, methods=["tools/call"])
        async def test_add(mcp_client):
            await mcp_client.call("add", a=1, b=2)


        @pytest.mark.mcp_chaos(seed=5, latency_ms=1, methods=["tools/call"])
        async def test_pinned(mcp_client):
            await mcp_client.call("add", a=1, b=2)
            assert False, "fails on purpose"


        async def test_without_chaos(mcp_client):
            await mcp_client.call("add", a=1, b=2)
        """
    )
    result = chaos_pytester.runpytest("--mcp-seed=31337")
    result.assert_outcomes(failed=2, passed=1)
    seed = derive_seed(31337, "test_fail.py::test_add")
    result.stdout.fnmatch_lines(
        [
            "mcp chaos: base seed 31337 (from --mcp-seed/mcp_seed)",
            f"*MCPError: chaos: injected transport error on tools/call (fault #1, seed {seed})",
            f"*- MCP chaos (seed {seed}) -*",
            f"seed {seed}: error_rate=1, methods=[[]'tools/call'[]]; 1 request(s) subject to faults",
            "   #1 tools/call 'add': error (answered by the proxy, never delivered)",
            f"replay: pytest test_fail.py::test_add --mcp-seed=31337, or pin it with @pytest.mark.mcp_chaos(seed={seed})",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*- MCP chaos (seed 5) -*",
            "seed 5: latency_ms=1, methods=[[]'tools/call'[]]; 1 request(s) subject to faults",
            "   #1 tools/call 'add': latency +1 ms",
            "replay: the seed is pinned by @pytest.mark.mcp_chaos(seed=5)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*- mcp chaos -*",
            "2 test(s) ran with fault injection; base seed 31337 (--mcp-seed=31337 replays them)",
            f"FAILED test_fail.py::test_add with chaos seed {seed}: replay with pytest test_fail.py::test_add "
            f"--mcp-seed=31337 or @pytest.mark.mcp_chaos(seed={seed})",
            "FAILED test_fail.py::test_pinned with chaos seed 5: *",
        ]
    )
    result.stdout.no_fnmatch_line("*test_without_chaos with chaos seed*")


def test_the_marker_is_registered_with_its_signature(chaos_pytester: pytest.Pytester) -> None:
    result = chaos_pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.mcp_chaos(*, seed: int | None = None, latency_ms: Any = None, *error_rate: float = 0.0, *"]
    )


def test_a_wrong_marker_keyword_or_value_fails_the_test_with_the_signature(chaos_pytester: pytest.Pytester) -> None:
    chaos_pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mcp_chaos(eror_rate=0.5)
        def test_typo(): pass

        @pytest.mark.mcp_chaos(drop_rate=2)
        def test_rate(): pass

        @pytest.mark.mcp_chaos(latency_ms=(50, 10))
        def test_range(): pass
        """
    )
    result = chaos_pytester.runpytest()
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.mcp_chaos: got an unexpected keyword argument 'eror_rate'. Signature: mcp_chaos(*",
            "*drop_rate=2: a rate is a probability between 0 and 1",
            "*latency_ms=(50, 10): a range must be (low, high) with 0 <= low <= high (milliseconds)",
        ]
    )


def test_the_nearest_marker_wins_per_keyword_and_the_fixture_is_optional(chaos_pytester: pytest.Pytester) -> None:
    chaos_pytester.makepyfile(
        """
        import pytest

        pytestmark = [
            pytest.mark.anyio,
            pytest.mark.mcp_server("tests.servers.demo:make_server"),
            pytest.mark.mcp_chaos(error_rate=1.0, methods=["tools/call:count"]),
        ]


        async def test_module_marker_applies_without_asking_for_the_fixture(mcp_client):
            outcome = await mcp_client.outcome("count")
            assert outcome.kind == "protocol_error" and "chaos" in outcome.error.message
            assert (await mcp_client.call("add", a=1, b=1)).structured == {"result": 2}


        @pytest.mark.mcp_chaos(error_rate=0.0)
        async def test_nearest_keyword_wins(mcp_client, mcp_chaos):
            assert mcp_chaos.policy.error_rate == 0.0
            assert mcp_chaos.policy.methods == ("tools/call:count",)
            assert (await mcp_client.outcome("count")).kind == "ok"


        async def test_fixture_listed_after_the_client_still_wraps_it(mcp_client, mcp_chaos):
            assert (await mcp_client.outcome("count")).kind == "protocol_error"
        """
    )
    chaos_pytester.runpytest().assert_outcomes(passed=3)


def test_unused_injected_faults_and_uncalled_backends_are_reported_at_teardown(chaos_pytester: pytest.Pytester) -> None:
    chaos_pytester.makepyfile(
        helpers="def lookup(key):\n    return key\n",
        test_teardown="""
        import pytest

        def test_unused_inject(mcp_chaos):
            mcp_chaos.inject("drop", methods=["tools/call"])

        def test_uncalled_backend(mcp_chaos):
            mcp_chaos.backend("helpers:lookup", fail_rate=1.0)

        def test_backend_restored(mcp_chaos):
            import helpers
            mcp_chaos.backend("helpers:lookup", fail_rate=1.0, require_calls=False)
            with pytest.raises(OSError, match="chaos: injected failure in helpers:lookup"):
                helpers.lookup("k")

        def test_after():
            import helpers
            assert helpers.lookup("k") == "k"
        """,
    )
    result = chaos_pytester.runpytest()
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*mcp_chaos (seed *): inject('drop') was never used: 1 more request(s) matching [[]'tools/call'[]] were expected",
            "*mcp_chaos (seed *): chaos.backend('helpers:lookup') was never called: the server did not reach the patched "
            "name*require_calls=False",
        ]
    )


def test_teardown_restarts_a_killed_session_server_for_the_next_test(chaos_pytester: pytest.Pytester) -> None:
    chaos_pytester.makepyfile(
        """
        import sys
        import pytest
        import pytest_mcp

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server(pytest_mcp.stdio(sys.executable, "-m", "tests.servers.demo"))]
        PIDS = []


        async def test_kill(mcp_client, mcp_chaos):
            PIDS.append((await mcp_client.call("pid")).structured["result"])
            mcp_chaos.kill_server()


        async def test_next(mcp_client):
            pid = (await mcp_client.call("pid")).structured["result"]
            assert pid != PIDS[0]
        """
    )
    chaos_pytester.runpytest().assert_outcomes(passed=2)


def test_reports_work_beside_directory_conftests(chaos_pytester: pytest.Pytester) -> None:
    chaos_pytester.mkpydir("sub")
    (chaos_pytester.path / "sub" / "conftest.py").write_text("import pytest\n")
    (chaos_pytester.path / "sub" / "test_inner.py").write_text("def test_inner(mcp_chaos):\n    pass\n")
    chaos_pytester.makepyfile(test_outer="def test_outer(mcp_chaos):\n    pass\n")
    result = chaos_pytester.runpytest()
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["2 test(s) ran with fault injection; base seed *"])
