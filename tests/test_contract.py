"""Expected-surface contracts: drift classification, the contract file, ``--mcp-contract`` and ``assert_contract``."""

from __future__ import annotations

import json

import pytest

from pytest_mcp.contract import FORMAT, ContractFileError, compare, load_contract, record_era, surface_of

SCHEMA = {"type": "object", "properties": {"a": {"type": "integer", "maximum": 10}}, "required": ["a"]}


def surface(**changes):
    tool = {"name": "add", "inputSchema": SCHEMA, "annotations": {"readOnlyHint": True}}
    tool.update(changes.pop("tool", {}))
    base = {
        "capabilities": {"tools": {"listChanged": True}, "prompts": {}},
        "tools": [tool],
        "prompts": [{"name": "greet", "arguments": [{"name": "who"}]}],
        "resources": [{"uri": "note://1", "name": "one", "mimeType": "text/plain"}],
        "templates": [],
    }
    base.update(changes)
    return surface_of(**base)


def lines(old, new) -> list[str]:
    return [str(change) for change in compare(old, new)]


def test_an_unchanged_surface_has_no_drift() -> None:
    assert compare(surface(), surface()) == []


def test_removals_and_narrowing_are_breaking() -> None:
    narrowed = {"type": "object", "properties": {"a": {"type": "integer", "maximum": 5}}, "required": ["a"]}
    new = surface(tool={"inputSchema": narrowed, "annotations": {}}, prompts=[], capabilities={"tools": {}})
    assert lines(surface(), new) == [
        "breaking: capability 'prompts': no longer declared",
        "breaking: capability 'tools.listChanged': no longer declared",
        "breaking: tool 'add' inputSchema $.properties.a: maximum changed from 10 to 5",
        "breaking: tool 'add': no longer annotated read-only (readOnlyHint)",
        "breaking: prompt 'greet': removed",
    ]


def test_additions_and_widening_are_compatible() -> None:
    widened = {
        "type": "object",
        "properties": {"a": {"type": ["integer", "string"]}, "b": {"type": "string"}},
        "required": ["a"],
    }
    new = surface(
        tool={"inputSchema": widened, "description": "Adds."},
        resources=[{"uri": "note://1", "name": "one", "mimeType": "text/plain"}, {"uri": "note://2"}],
    )
    assert lines(surface(), new) == [
        "compatible: tool 'add' inputSchema $.properties.b: added",
        "compatible: tool 'add' inputSchema $.properties.a: type string now allowed",
        "compatible: tool 'add' inputSchema $.properties.a: maximum changed from 10 to None",
        "compatible: tool 'add': description changed",
        "compatible: resource 'note://2': added",
    ]


def test_a_new_required_argument_is_breaking_for_tools_and_prompts() -> None:
    required = {**SCHEMA, "properties": {**SCHEMA["properties"], "b": {"type": "string"}}, "required": ["a", "b"]}
    prompts = [{"name": "greet", "arguments": [{"name": "who", "required": True}]}]
    assert lines(surface(), surface(tool={"inputSchema": required}, prompts=prompts)) == [
        "breaking: tool 'add' inputSchema $.properties.b: added as required",
        "breaking: prompt 'greet' argument 'who': now required",
    ]


def test_output_schemas_break_the_other_way() -> None:
    old = {"type": "object", "properties": {"n": {"type": "integer"}, "s": {"type": "string"}}, "required": ["n"]}
    new = {"type": "object", "properties": {"n": {"type": ["integer", "null"]}}, "required": []}
    assert lines(surface(tool={"outputSchema": old}), surface(tool={"outputSchema": new})) == [
        "breaking: tool 'add' outputSchema $.properties.s: removed",
        "breaking: tool 'add' outputSchema $.properties.n: no longer required",
        "breaking: tool 'add' outputSchema $.properties.n: type null now allowed",
    ]


def test_the_file_keeps_each_era_and_refuses_a_foreign_file(tmp_path) -> None:
    path = tmp_path / "contract.json"
    assert load_contract(path) is None
    record_era(path, "2025-11-25", surface())
    record_era(path, "2026-07-28", surface(prompts=[]))
    data = json.loads(path.read_text())
    assert data["format"] == FORMAT and sorted(data["eras"]) == ["2025-11-25", "2026-07-28"]
    assert load_contract(path)["2025-11-25"] == surface()
    path.write_text('{"tools": []}')
    with pytest.raises(ContractFileError, match=r"is not a pytest-mcp-contract/1 file: fix it, or delete it"):
        load_contract(path)


SERVER = """
import os
from mcp.server.mcpserver import MCPServer

mcp = MCPServer("contracted", version="1.0")


@mcp.tool()
def add(a: int, b: int) -> int:
    \"\"\"Add two integers.\"\"\"
    return a + b


if not os.environ.get("SHRINK"):
    @mcp.tool()
    def subtract(a: int, b: int) -> int:
        \"\"\"Subtract b from a.\"\"\"
        return a - b
"""


@pytest.fixture
def contracted(mcp_pytester: pytest.Pytester) -> pytest.Pytester:
    mcp_pytester.makepyfile(contracted_server=SERVER)
    mcp_pytester.syspathinsert()
    return mcp_pytester


def run_contract(pytester: pytest.Pytester, *extra: str) -> pytest.RunResult:
    options = ("--mcp-server=contracted_server:mcp", "--mcp-contract=contract.json", "-p", "no:cacheprovider")
    return pytester.runpytest_subprocess(*options, "-rA", *extra)


def test_the_suite_records_then_fails_on_a_vanished_tool(contracted: pytest.Pytester, monkeypatch) -> None:
    first = run_contract(contracted)
    first.assert_outcomes(skipped=2)
    first.stdout.fnmatch_lines(
        ["*nothing to compare: recorded the 2025-11-25 surface in contract contract.json (commit it)*"]
    )
    recorded = json.loads((contracted.path / "contract.json").read_text())
    assert sorted(recorded["eras"]["2026-07-28"]["tools"]) == ["add", "subtract"]

    monkeypatch.setenv("SHRINK", "1")
    second = run_contract(contracted)
    second.assert_outcomes(failed=2)
    second.stdout.fnmatch_lines(
        [
            "*the 2026-07-28 surface drifted from contract contract.json: 1 breaking and 0 compatible change(s)*",
            "*breaking: tool 'subtract': removed*",
            "*if intended, record it again: --mcp-contract-update*",
        ]
    )

    run_contract(contracted, "--mcp-contract-update").assert_outcomes(skipped=2)
    run_contract(contracted).assert_outcomes(passed=2)


def test_contract_update_without_a_contract_is_a_usage_error(contracted: pytest.Pytester) -> None:
    result = contracted.runpytest("--mcp-server=contracted_server:mcp", "--mcp-contract-update")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mcp-contract-update records the contract file: give it with --mcp-contract=FILE"])


def test_assert_contract_in_a_users_test(contracted: pytest.Pytester, monkeypatch) -> None:
    contracted.makepyfile(
        """
        import pytest
        from pytest_mcp import assert_contract

        @pytest.mark.anyio
        async def test_surface(mcp_client):
            await assert_contract(mcp_client, "surface.json")
        """
    )
    options = ("--mcp-server=contracted_server:mcp", "-p", "no:cacheprovider")
    contracted.runpytest_subprocess(*options).assert_outcomes(passed=1)
    assert (contracted.path / "surface.json").exists()
    monkeypatch.setenv("SHRINK", "1")
    result = contracted.runpytest_subprocess(*options)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*ContractDrift: the 2026-07-28 surface drifted*", "*breaking: tool 'subtract': removed*"]
    )


def test_surface_coverage_counts_what_the_contract_expects(contracted: pytest.Pytester, monkeypatch) -> None:
    run_contract(contracted).assert_outcomes(skipped=2)  # records both tools
    contracted.makepyfile(
        """
        import pytest

        @pytest.mark.anyio
        async def test_add(mcp_client):
            assert (await mcp_client.call("add", a=1, b=2)).structured == {"result": 3}
        """
    )
    monkeypatch.setenv("SHRINK", "1")  # the server no longer lists subtract
    options = ("--mcp-server=contracted_server:mcp", "-p", "no:cacheprovider", "--mcp-cov")
    without = contracted.runpytest_subprocess(*options)
    without.assert_outcomes(passed=1)
    assert "subtract" not in without.stdout.str()
    result = contracted.runpytest_subprocess(*options, "--mcp-cov-contract=contract.json")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["tool subtract * 0%*success, error*"])


def test_a_missing_coverage_contract_is_a_usage_error(contracted: pytest.Pytester) -> None:
    result = contracted.runpytest("--mcp-server=contracted_server:mcp", "--mcp-cov-contract=none.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--mcp-cov-contract: there is no contract at *none.json: record one with --mcp-contract=*none.json"]
    )
