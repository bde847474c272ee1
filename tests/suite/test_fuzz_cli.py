"""The fuzz and security suites from the command line, in an empty directory, against real servers."""

from __future__ import annotations

import re

import pytest

from .conftest import toolbed
from .test_real_servers_suite import npm_server


def run(pytester: pytest.Pytester, target: str, *extra: str) -> pytest.RunResult:
    return pytester.runpytest(
        f"--mcp-server={target}", "--mcp-suite=fuzz,security", "-p", "no:cacheprovider", "-q", "-rfEs", *extra
    )


def test_server_everything_passes_with_the_default_read_only_tools(mcp_pytester: pytest.Pytester) -> None:
    everything = f"node {npm_server('server-everything')} stdio"
    # its read-only trigger-long-running-operation takes 10 s by default: tolerated, and --mcp-timeout bounds it
    result = run(mcp_pytester, everything, "--mcp-fuzz-examples=10", "--mcp-timeout=3")
    assert result.ret == 0, result.stdout.str()[-6000:]
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] >= 7  # handshake era; everything does not speak 2026-07-28 (those skip)


def test_the_example_server_passes_with_every_tool_opted_in(mcp_pytester: pytest.Pytester) -> None:
    result = run(mcp_pytester, "example_server.app:create_server", "--mcp-fuzz-tools=all", "-m", "mcp_2026_07_28")
    assert result.ret == 0, result.stdout.str()[-6000:]
    assert result.parseoutcomes()["passed"] >= 7


def test_a_failure_names_the_seed_that_reproduces_it(mcp_pytester: pytest.Pytester) -> None:
    target = toolbed("bad-structured")
    options = ("-m", "fuzz and mcp_2026_07_28", "-k", "valid-inputs", "--mcp-seed=77", "--mcp-fuzz-examples=10")
    first = run(mcp_pytester, target, *options)
    assert first.ret == 1
    first.stdout.fnmatch_lines(["*fuzz.tools.valid-inputs (2026-07-28, stdio)*", "*reproduce: --mcp-seed=77*"])
    shown = re.findall(r"minimal failing arguments: (.*)", first.stdout.str())
    again = run(mcp_pytester, target, *options)
    assert shown and re.findall(r"minimal failing arguments: (.*)", again.stdout.str()) == shown


def test_tools_not_marked_read_only_are_only_fuzzed_on_request(mcp_pytester: pytest.Pytester) -> None:
    demo = "tests.servers.demo:make_server"
    default = run(mcp_pytester, demo, "-k", "fuzz and 2026")
    assert default.ret == 0
    default.stdout.fnmatch_lines(["*SKIPPED*selects none of the server's tools*--mcp-fuzz-tools=all*"])
    chosen = run(mcp_pytester, demo, "-k", "fuzz and 2026", "--mcp-fuzz-tools=add,echo")
    assert chosen.ret == 0
    assert chosen.parseoutcomes()["passed"] == 3
    off = run(mcp_pytester, demo, "-k", "fuzz and 2026", "--mcp-fuzz-tools=add", "--mcp-fuzz-examples=0")
    off.stdout.fnmatch_lines(["*fuzzing is off (--mcp-fuzz-examples=0)*"])
