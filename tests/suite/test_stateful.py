"""The stateful suite in real pytest sessions: planted sequence bugs fail with the shrunk sequence and a replay
test that fails the same way; correct servers pass."""

from __future__ import annotations

import re

import pytest

ITEMS_SERVER = """
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp.types import ToolAnnotations
from pydantic import BaseModel

READ_ONLY = ToolAnnotations(readOnlyHint=True)


class Item(BaseModel):
    item_id: int
    name: str
    version: int = 1


def make(defect=None):
    mcp = MCPServer("items")
    items, deleted, stale, versions = {}, set(), {}, {}

    @mcp.tool()
    def create_item(name: str) -> Item:
        item_id = len(items) + len(deleted) + 1
        items[item_id] = name
        return Item(item_id=item_id, name=name)

    @mcp.tool(annotations=READ_ONLY)
    def get_item(item_id: int) -> Item:
        if defect == "crash-after-delete" and item_id in deleted:
            raise MCPError(-32603, "internal error: dangling row")
        key = item_id + 1 if defect == "id-rejected" else item_id
        if key not in items:
            raise ToolError(f"item {item_id} not found")
        if defect == "stale-read" and item_id in stale:
            return Item(item_id=item_id, name=stale.pop(item_id), version=versions[item_id] - 1)
        return Item(item_id=item_id, name=items[key], version=versions.get(key, 1))

    @mcp.tool()
    def rename_item(item_id: int, name: str) -> Item:
        if item_id not in items:
            raise ToolError(f"item {item_id} not found")
        stale[item_id] = items[item_id]
        items[item_id] = name
        versions[item_id] = versions.get(item_id, 1) + 1
        return Item(item_id=item_id, name=name, version=versions[item_id])

    @mcp.resource("items://summary")
    def summary() -> str:
        if defect == "unreadable-resource":
            raise RuntimeError("summary table missing")
        return f"{len(items)} item(s)"

    @mcp.tool()
    def delete_item(item_id: int) -> Item:
        if item_id not in items:
            raise ToolError(f"item {item_id} not found")
        deleted.add(item_id)
        return Item(item_id=item_id, name=items.pop(item_id))

    return mcp


def correct():
    return make()


def crash_after_delete():
    return make("crash-after-delete")


def id_rejected():
    return make("id-rejected")


def stale_read():
    return make("stale-read")


def unreadable_resource():
    return make("unreadable-resource")
"""


SEEDS = (1, 2, 3, 4, 5)
"""Every planted bug must be found at each of these seeds, with the default number of sequences."""


def run(pytester: pytest.Pytester, factory: str, *extra: str, seed: int = 1) -> pytest.RunResult:
    pytester.makepyfile(items_server=ITEMS_SERVER)
    return pytester.runpytest(
        f"--mcp-server=items_server:{factory}",
        "--mcp-suite=stateful",
        "--mcp-fuzz-tools=all",
        "-m",
        "mcp_2026_07_28",
        "-p",
        "no:cacheprovider",
        "-q",
        "-rfEs",
        f"--mcp-seed={seed}",
        *extra,
    )


def replay_of(result: pytest.RunResult) -> str:
    """The replay test the failure printed, dedented."""
    text = result.stdout.str()
    block = text.split("replay it with this test (paste it into a test module):\n", 1)[1].split("  (see ", 1)[0]
    return "\n".join(line[4:] for line in block.splitlines()) + "\n"


def shortest_sequence(result: pytest.RunResult) -> str:
    """The shrunk sequence the failure printed (calls and replies)."""
    text = result.stdout.str()
    return text.split("shortest failing sequence (shrunk by Hypothesis):\n", 1)[1].split("  reproduce: ", 1)[0]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("factory", "problem", "last_call"),
    [
        ("crash_after_delete", "*valid arguments got JSON-RPC error -32603*", "*. get_item {*item_id*"),
        ("id_rejected", "*tool 'get_item' says item_id=* is unknown, but step * returned it*", "*. get_item {*"),
        ("stale_read", "*the read-only tool 'get_item' gave two different results*", "*. get_item {*"),
        (
            "unreadable_resource",
            "*resources/list names 'items://summary', but reading it failed*",
            "*. resources/read {*",
        ),
    ],
)
def test_a_planted_sequence_bug_fails_with_its_shortest_sequence_and_a_replay_that_fails_alike(
    mcp_pytester: pytest.Pytester, factory: str, problem: str, last_call: str, seed: int
) -> None:
    result = run(mcp_pytester, factory, seed=seed)
    assert result.ret == 1, result.stdout.str()[-4000:]
    result.stdout.fnmatch_lines(
        [
            "*stateful.tools.workflows (2026-07-28, inproc): stateful: a sequence of * call(s)*broke a rule",
            f"  problem: {problem}",
            "  shortest failing sequence (shrunk by Hypothesis):",
            f"*reproduce: --mcp-seed={seed}; replay it with this test*",
        ]
    )
    calls = re.findall(r"^    \d+\. ([\w/]+) ", result.stdout.str(), re.M)
    # Shrinking stops after 30 s: on a quiet machine these shrink to 2-6 calls; under coverage on a loaded CI
    # machine a stale read kept 8 (create, rename, get, get, twice). Bounded by one sequence's steps (10).
    assert calls and len(calls) <= 10, calls
    result.stdout.fnmatch_lines([last_call])
    mcp_pytester.makepyfile(test_replay=replay_of(result))
    replayed = mcp_pytester.runpytest(
        f"--mcp-server=items_server:{factory}", "test_replay.py", "-p", "no:cacheprovider", "-q"
    )
    replayed.assert_outcomes(failed=1)
    correct = mcp_pytester.runpytest("--mcp-server=items_server:correct", "test_replay.py", "-p", "no:cacheprovider")
    correct.assert_outcomes(passed=1)


def test_a_seed_explores_the_same_sequences_in_every_run(mcp_pytester: pytest.Pytester) -> None:
    """The same seed finds the same shortest sequence, with the same replies, whatever ran before it."""
    first = run(mcp_pytester, "stale_read", seed=3)
    run(mcp_pytester, "id_rejected", seed=3)
    again = run(mcp_pytester, "stale_read", seed=3)
    assert first.ret == again.ret == 1, again.stdout.str()[-4000:]
    assert shortest_sequence(first) == shortest_sequence(again)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_correct_items_server_passes(mcp_pytester: pytest.Pytester, seed: int) -> None:
    result = run(mcp_pytester, "correct", seed=seed)
    assert result.ret == 0, result.stdout.str()[-4000:]
    assert result.parseoutcomes()["passed"] == 1


def test_the_example_server_passes_with_every_tool_opted_in(mcp_pytester: pytest.Pytester) -> None:
    result = mcp_pytester.runpytest(
        "--mcp-server=example_server.app:create_server",
        "--mcp-suite=stateful",
        "--mcp-fuzz-tools=all",
        "--mcp-fuzz-examples=15",
        "-p",
        "no:cacheprovider",
        "-q",
    )
    assert result.ret == 0, result.stdout.str()[-4000:]
    result.assert_outcomes(passed=2)


def test_an_sdk_mcpserver_passes_with_its_harmless_tools(mcp_pytester: pytest.Pytester) -> None:
    result = mcp_pytester.runpytest(
        "--mcp-server=tests.servers.demo:make_server",
        "--mcp-suite=stateful",
        "--mcp-fuzz-tools=add,echo,count,pid,log_something",
        "--mcp-fuzz-examples=10",
        "-p",
        "no:cacheprovider",
        "-q",
    )
    assert result.ret == 0, result.stdout.str()[-4000:]
    result.assert_outcomes(passed=2)


def test_by_default_only_read_only_tools_are_driven(mcp_pytester: pytest.Pytester) -> None:
    """Without --mcp-fuzz-tools only get_item is called, so the bug behind delete_item stays out of reach."""
    mcp_pytester.makepyfile(items_server=ITEMS_SERVER)
    result = mcp_pytester.runpytest(
        "--mcp-server=items_server:crash_after_delete", "--mcp-suite=stateful", "-p", "no:cacheprovider", "-q"
    )
    assert result.ret == 0, result.stdout.str()[-4000:]
    result.assert_outcomes(passed=2)


SLOW_SERVER = """
import anyio
from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

mcp = MCPServer("slow")


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
async def wait(seconds: float) -> str:
    await anyio.sleep(60 if seconds > 1 else 0)
    return "done"


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
def echo(text: str) -> str:
    return text
"""


def run_slow_server(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """The suite against ``SLOW_SERVER`` in the 2026-07-28 era, with a 4 s timeout and every item's notes."""
    pytester.makepyfile(slow_server=SLOW_SERVER)
    return pytester.runpytest(
        "--mcp-server=slow_server:mcp",
        *args,
        "-m",
        "mcp_2026_07_28",
        "--mcp-timeout=4",
        "-p",
        "no:cacheprovider",
        "-rP",
    )


def test_a_tool_slow_for_valid_input_is_noted_and_left_out_not_failed(mcp_pytester: pytest.Pytester) -> None:
    """A call unanswered after 1 s, on a server that still answers tools/list, is slow: not a hang."""
    result = run_slow_server(mcp_pytester, "--mcp-suite=stateful")
    assert result.ret == 0, result.stdout.str()[-4000:]
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*tool 'wait' left a call unanswered for 1 s while the server kept answering (slow for such input, not a*"]
    )


def test_a_tool_fuzzing_found_slow_is_left_out_of_the_sequences_without_waiting_again(
    mcp_pytester: pytest.Pytester,
) -> None:
    """Fuzzing runs first and learns that 'wait' leaves valid calls unanswered; the stateful item of the same
    run and era does not wait for it again."""
    result = run_slow_server(
        mcp_pytester, "--mcp-suite=fuzz,stateful", "-k", "(valid-inputs and not invalid) or workflows"
    )
    assert result.ret == 0, result.stdout.str()[-4000:]
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*tool 'wait': 1 valid example(s) got no reply within 1 s *; fuzzing this tool stopped there",
            "*not in the sequences: tool 'wait' left valid calls unanswered earlier in this run while the server kept "
            "answering (slow for such input, not a failure)",
        ]
    )
    assert "left a call unanswered for" not in result.stdout.str()
