"""LoadStats: percentiles, the table, SLO checks and reading Locust's CSV and JSON output."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pytest_mcp._docs import DOCS_URL
from pytest_mcp.errors import McpAssertionError, McpUsageError
from pytest_mcp.load import LoadStats, ToolStats, percentile

pytestmark = pytest.mark.unit


def make_stats(add_ms: list[float], fail_ms: list[float], duration: float = 2.0) -> LoadStats:
    add = ToolStats.from_samples("add", [ms / 1000 for ms in add_ms], duration)
    fail = ToolStats.from_samples(
        "fail", [ms / 1000 for ms in fail_ms], duration, {"is_error": len(fail_ms)}, ["is_error: it broke"]
    )
    total = ToolStats.from_samples(
        "TOTAL", [ms / 1000 for ms in add_ms + fail_ms], duration, {"is_error": len(fail_ms)}
    )
    return LoadStats({"add": add, "fail": fail}, total, duration, users=3, target="HTTP server x", era="2026-07-28")


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7
    assert percentile([1.0, 2.0], 50) == 1
    assert math.isnan(percentile([], 50))


def test_tool_stats_from_samples() -> None:
    row = ToolStats.from_samples("add", [0.004, 0.001, 0.002, 0.003], 2.0, {"timeout": 1})
    assert (row.calls, row.errors, row.error_rate) == (4, 1, 0.25)
    assert row.rps == 2.0
    assert (row.min_ms, row.p50_ms, row.max_ms) == pytest.approx((1.0, 2.0, 4.0))
    assert row.mean_ms == pytest.approx(2.5)


def test_table_has_one_row_per_tool_and_a_total() -> None:
    stats = make_stats([1.0] * 90 + [10.0] * 10, [2.0] * 20)
    lines = stats.table().splitlines()
    assert lines[0].split() == [
        "name",
        "calls",
        "errors",
        "err",
        "%",
        "calls/s",
        "p50",
        "ms",
        "p95",
        "ms",
        "p99",
        "ms",
        "max",
        "ms",
    ]
    assert lines[1].split() == ["add", "100", "0", "0.00", "50.0", "1.0", "10.0", "10.0", "10.0"]
    assert lines[2].split() == ["fail", "20", "20", "100.00", "10.0", "2.0", "2.0", "2.0", "2.0"]
    assert lines[3].split() == ["TOTAL", "120", "20", "16.67", "60.0", "1.0", "10.0", "10.0", "10.0"]
    assert stats["add"].calls == 100
    assert stats.tool("TOTAL") is stats.total
    assert (stats.calls, stats.errors, stats.p95_ms) == (120, 20, 10.0)


def test_assert_slo_passes_and_returns_the_stats() -> None:
    stats = make_stats([1.0] * 100, [])
    assert stats.assert_slo(p50_ms=1, p95_ms=2, p99_ms=2, max_ms=2, error_rate=0.0, min_rps=40, min_calls=100) is stats


def test_assert_slo_failure_lists_every_broken_objective_and_the_table() -> None:
    stats = make_stats([1.0] * 90 + [10.0] * 10, [2.0] * 20)
    with pytest.raises(McpAssertionError) as failure:
        stats.assert_slo(p95_ms=5, error_rate=0.01, min_rps=100, p50_ms=5)
    assert str(failure.value).splitlines() == [
        "SLO not met by the load on the HTTP server x (3 users, 2.0 s, era 2026-07-28):",
        "  p95 latency 10.0 ms > 5 ms",
        "  error rate 16.67% > 1.00% (20 of 120 calls failed: 20 is_error)",
        "  throughput 60.0 calls/s < 100 calls/s",
        "",
        "  name   calls  errors   err %  calls/s  p50 ms  p95 ms  p99 ms  max ms",
        "  add      100       0    0.00     50.0     1.0    10.0    10.0    10.0",
        "  fail      20      20  100.00     10.0     2.0     2.0     2.0     2.0",
        "  TOTAL    120      20   16.67     60.0     1.0    10.0    10.0    10.0",
        "  first errors:",
        "    fail: is_error: it broke",
        f"  (see {DOCS_URL}load.md#slos)",
    ]


def test_assert_slo_for_one_tool() -> None:
    stats = make_stats([1.0] * 100, [2.0] * 20)
    stats.assert_slo(tool="add", error_rate=0.0, p99_ms=1)
    with pytest.raises(McpAssertionError, match=r"error rate of 'fail' 100.00% > 0.00%"):
        stats.assert_slo(tool="fail", error_rate=0.0)
    with pytest.raises(KeyError, match="no load statistics for 'nope'; the rows are: add, fail"):
        stats.assert_slo(tool="nope", error_rate=0.0)


def test_no_calls_fail_every_objective() -> None:
    stats = make_stats([], [])
    with pytest.raises(McpAssertionError, match="no calls completed, so no objective can be met"):
        stats.assert_slo(error_rate=1.0)


def test_error_rate_is_a_fraction() -> None:
    with pytest.raises(McpUsageError, match=r"give a fraction between 0 and 1 \(0.01 = 1%\)"):
        make_stats([1.0], []).assert_slo(error_rate=5)


def test_as_dict_is_json_ready() -> None:
    data = json.loads(json.dumps(make_stats([1.0, 2.0], [3.0]).as_dict()))
    assert data["total"]["calls"] == 3
    assert data["tools"]["fail"]["errors_by_kind"] == {"is_error": 1}


# Locust 2.x writes these columns (copied from a real `locust --csv` run of 2.47).
STATS_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def write_locust_csv(prefix: Path) -> None:
    prefix.with_name(prefix.name + "_stats.csv").write_text(
        STATS_HEADER
        + "\n"
        + "POST,server/discover,2,0,8,8.4,6.1,10.2,397.0,1.0,0.0,8,8,8,8,10,10,10,10,10,10,10\n"
        + "POST,tools/call add,200,2,4,4.5,1.2,30.5,236.0,100.0,1.0,4,5,5,6,8,12,20,25,30,30,30\n"
        + ",Aggregated,202,2,4,4.6,1.2,30.5,237.0,101.0,1.0,4,5,5,6,8,12,20,25,30,30,30\n"
    )
    prefix.with_name(prefix.name + "_failures.csv").write_text(
        "Method,Name,Error,Occurrences,First Seen,Last Seen\n"
        "POST,tools/call add,CatchResponseError('JSON-RPC error -32602: bad'),2,2026-01-01T00:00:00Z,"
        "2026-01-01T00:00:01Z\n"
    )
    prefix.with_name(prefix.name + "_stats_history.csv").write_text(
        "Timestamp,User Count,Type,Name,Requests/s\n1,0,,Aggregated,0\n2,4,,Aggregated,90\n3,4,,Aggregated,101\n"
    )


def test_from_locust_csv(tmp_path: Path) -> None:
    write_locust_csv(tmp_path / "run")
    stats = LoadStats.from_locust_csv(tmp_path / "run", target="demo")
    assert stats.source == "locust"
    assert stats.users == 4
    assert list(stats.tools) == ["server/discover", "tools/call add"]
    add = stats["add"]  # "add" finds the row "tools/call add"
    assert (add.calls, add.errors, add.p95_ms, add.max_ms, add.rps) == (200, 2, 12, 30.5, 100)
    assert add.error_samples == ("CatchResponseError('JSON-RPC error -32602: bad') (x2)",)
    assert stats.duration_s == pytest.approx(2.0, rel=0.01)
    assert LoadStats.from_locust_csv(tmp_path / "run_stats.csv").calls == 202
    stats.assert_slo(p95_ms=20, error_rate=0.01, tool="add")
    with pytest.raises(McpAssertionError) as failure:
        stats.assert_slo(p95_ms=10, error_rate=0.001)
    message = str(failure.value)
    assert message.startswith(
        "SLO not met by the Locust run against demo (4 users, 2.0 s):\n  p95 latency 12.0 ms > 10 ms"
    )
    assert "    tools/call add: CatchResponseError('JSON-RPC error -32602: bad') (x2)" in message


def test_from_locust_csv_explains_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(McpUsageError, match=r"no Locust statistics at .*nope_stats.csv: run locust with --csv"):
        LoadStats.from_locust_csv(tmp_path / "nope")


def test_from_locust_json_computes_percentiles_from_the_histogram(tmp_path: Path) -> None:
    entries = [
        {
            "name": "tools/call add",
            "method": "POST",
            "start_time": 100.0,
            "last_request_timestamp": 102.0,
            "num_requests": 100,
            "num_failures": 1,
            "total_response_time": 90 * 2.0 + 10 * 50.0,
            "min_response_time": 1.5,
            "max_response_time": 52.0,
            "response_times": {"2": 90, "50": 10},
        },
        {
            "name": "tools/list",
            "method": "POST",
            "start_time": 100.5,
            "last_request_timestamp": 101.0,
            "num_requests": 2,
            "num_failures": 0,
            "total_response_time": 8.0,
            "min_response_time": 3.0,
            "max_response_time": 5.0,
            "response_times": {"3": 1, "5": 1},
        },
    ]
    (tmp_path / "run.json").write_text(json.dumps(entries))
    stats = LoadStats.from_locust_json(tmp_path / "run")
    add = stats["add"]
    assert (add.calls, add.errors, add.p50_ms, add.p95_ms, add.max_ms) == (100, 1, 2, 50, 52)
    assert add.mean_ms == pytest.approx(6.8)
    assert stats.duration_s == 2.0
    assert (stats.calls, stats.errors, stats.rps) == (102, 1, 51.0)
    assert stats.total.min_ms == 1.5
    assert LoadStats.from_locust_json(json.dumps(entries)).calls == 102
    assert LoadStats.from_locust_json(entries).p99_ms == 50
    with_errors = LoadStats.from_locust_json(entries, errors={"tools/call add": ["is_error: boom (x1)"], "gone": ["x"]})
    assert with_errors["add"].error_samples == ("is_error: boom (x1)",)
    assert with_errors["tools/list"].error_samples == ()
