"""Locust users speaking MCP: short headless and distributed runs on 127.0.0.1, read back as ``LoadStats``.

Locust runs in subprocesses only (``run_locust``, or its command line): importing it patches the
standard library with gevent, which must never happen inside the test process.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mcp.errors import McpAssertionError, McpUsageError
from pytest_mcp.load import LoadStats, LocustError, run_locust

from ..docs_examples import extract
from .conftest import ROOT, HttpServer, child_env

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(
        importlib.util.find_spec("locust") is None, reason="locust is not installed (pip install locust)"
    ),
]

DEMO_LOCUSTFILE = """
from locust import constant, task
from pytest_mcp.load.locust import FastMcpUser, McpUser


class Modern(McpUser):
    wait_time = constant(0.01)

    @task(3)
    def add(self):
        result = self.call_tool("add", {"a": 1, "b": 2})
        assert result is None or result["structuredContent"] == {"result": 3}

    @task
    def echo(self):
        self.call_tool("echo", {"text": "h\\u00e9 \\u2603"})


class Legacy(FastMcpUser):
    era = "2025-11-25"
    wait_time = constant(0.01)

    @task
    def greeting(self):
        self.read_resource("demo://greeting")

    @task
    def prompt(self):
        self.get_prompt("review", {"code": "x = 1"})


class Failing(McpUser):
    wait_time = constant(0.05)

    @task
    def fail(self):
        self.call_tool("fail", {"message": "it broke"})
"""


@pytest.fixture
def demo_locustfile(tmp_path: Path) -> Path:
    path = tmp_path / "locustfile.py"
    path.write_text(DEMO_LOCUSTFILE)
    return path


def test_headless_run_in_both_eras(demo_locustfile: Path, demo_http: HttpServer) -> None:
    started = time.monotonic()
    run = run_locust(
        demo_locustfile,
        "Modern",
        "Legacy",
        host=demo_http.host,
        users=4,
        run_time=3,
        env=child_env(),
        extra_args=("--csv", "out"),
    )
    assert time.monotonic() - started < 3 + 25  # bounded: the run time, plus start-up and stopping
    stats = run.stats
    assert set(stats.tools) >= {
        "server/discover",
        "tools/list",
        "tools/call add",
        "tools/call echo",
        "initialize",
        "notifications/initialized",
        "resources/read demo://greeting",
        "prompts/get review",
    }
    assert stats.source == "locust" and stats.users == 4
    assert stats["add"].calls > stats["echo"].calls > 0  # task weights 3:1
    run.assert_slo(error_rate=0.0, p95_ms=2000, min_calls=50)
    stats.assert_slo(error_rate=0.0, tool="initialize", min_calls=2)
    # The CSV files Locust writes agree with the final JSON up to their last flush.
    from_csv = LoadStats.from_locust_csv(demo_locustfile.parent / "out", target=demo_http.url)
    assert 0 < from_csv.calls <= stats.calls
    assert from_csv.users == 4
    assert from_csv.errors == 0


def test_failures_reach_locust_and_the_slo(demo_locustfile: Path, demo_http: HttpServer) -> None:
    run = run_locust(demo_locustfile, "Failing", host=demo_http.url, run_time=2, env=child_env())
    stats = run.stats
    assert stats["fail"].errors == stats["fail"].calls > 0
    assert stats["fail"].error_samples[0].startswith("is_error: Error executing tool fail"), stats["fail"].error_samples
    assert stats["server/discover"].errors == 0
    with pytest.raises(McpAssertionError) as failure:
        stats.assert_slo(error_rate=0.05)
    message = str(failure.value)
    assert message.startswith("SLO not met by the Locust run against http://127.0.0.1:"), message
    assert re.search(r"error rate \d+\.\d\d% > 5\.00% \(\d+ of \d+ calls failed: \d+ failure\)", message), message
    assert "tools/call fail: is_error: Error executing tool fail (x" in message
    assert "tools/call fail " in message


REGIONS_SERVER = """
import sys
from typing import Annotated

from pydantic import Field
from mcp.server.mcpserver import MCPServer

mcp = MCPServer("regions")


@mcp.tool()
def where(region: Annotated[str, Field(json_schema_extra={"x-mcp-header": "Region"})], n: int = 1) -> str:
    \"\"\"Echo the region (its value must also travel in the Mcp-Param-Region header).\"\"\"
    return f"{region}:{n}"


mcp.run(transport="streamable-http", host="127.0.0.1", port=int(sys.argv[1]))
"""

REGIONS_LOCUSTFILE = """
from locust import constant, task
from pytest_mcp.load.locust import McpUser


class WithHeaders(McpUser):
    wait_time = constant(0.02)

    @task
    def where(self):
        self.call_tool("where", {"region": "eu west \\u00e9"}, name="where (headers)")


class WithoutHeaders(McpUser):
    wait_time = constant(0.02)
    list_tools_on_start = False  # never learns the x-mcp-header annotation

    @task
    def where(self):
        self.call_tool("where", {"region": "eu west"}, name="where (no headers)")
"""


@pytest.fixture
def regions_http(tmp_path: Path) -> Iterator[HttpServer]:
    script = tmp_path / "regions.py"
    script.write_text(REGIONS_SERVER)
    server = HttpServer((sys.executable, str(script)))
    try:
        yield server
    finally:
        server.stop()


def test_mcp_param_headers_from_the_tool_schema(tmp_path: Path, regions_http: HttpServer) -> None:
    (tmp_path / "locustfile.py").write_text(REGIONS_LOCUSTFILE)
    run = run_locust(tmp_path / "locustfile.py", host=regions_http.host, users=2, run_time=3, env=child_env())
    run.assert_slo(error_rate=0.0, tool="where (headers)", min_calls=5)
    refused = run.stats["where (no headers)"]
    assert refused.errors == refused.calls > 0


def test_distributed_run_with_two_workers(demo_locustfile: Path, demo_http: HttpServer) -> None:
    started = time.monotonic()
    run = run_locust(demo_locustfile, "Modern", host=demo_http.host, users=4, run_time=3, workers=2, env=child_env())
    assert time.monotonic() - started < 3 + 40
    assert "--master" in run.command and "--expect-workers" in run.command
    assert "2 workers connected" in run.output, run.output
    assert "Sending spawn jobs of 4 users at 4.00 spawn rate to 2 ready workers" in run.output, run.output
    assert len(run.worker_outputs) == 2
    run.assert_slo(error_rate=0.0, min_calls=50)
    assert run.stats["server/discover"].calls == 4  # one per user, the 4 users spread over both workers


def test_locust_failures_are_reported_with_its_output(tmp_path: Path, demo_http: HttpServer) -> None:
    broken = tmp_path / "locustfile.py"
    broken.write_text("from pytest_mcp.load.locust import McpUser\nraise RuntimeError('broken locustfile')\n")
    with pytest.raises(LocustError, match=r"(?s)Locust exited with code \d+:.*RuntimeError: broken locustfile"):
        run_locust(broken, host=demo_http.host, run_time=1, env=child_env())
    with pytest.raises(McpUsageError, match="run_locust: no locustfile at "):
        run_locust(tmp_path / "missing.py", host=demo_http.host)
    with pytest.raises(McpUsageError, match=r"run_locust\(users=0\): give a whole number of users >= 1"):
        run_locust(broken, host=demo_http.host, users=0)


@pytest.fixture
def load_page(tmp_path: Path) -> Iterator[tuple[Path, HttpServer]]:
    """The project of docs/load.md in ``tmp_path``, and its task server over Streamable HTTP."""
    extract(ROOT / "docs" / "load.md", tmp_path)
    server = HttpServer((sys.executable, str(tmp_path / "task_server.py"), "--port"))
    try:
        yield tmp_path, server
    finally:
        server.stop()


def test_the_documented_command_line(load_page: tuple[Path, HttpServer]) -> None:
    """The locustfile of docs/load.md, run with the command line the page shows against the page's
    server, read back from its CSV files (the page's pytest examples run in tests/test_docs_examples.py)."""
    project, server = load_page
    command = re.search(
        r"```bash\n(locust -f locustfile\.py --headless [^\n]*)\n", (ROOT / "docs" / "load.md").read_text()
    )
    assert command is not None
    argv = command[1].split()
    argv[argv.index("--host") + 1] = server.host  # the page's example host is 127.0.0.1:8000
    argv[argv.index("--run-time") + 1] = "2s"
    argv[argv.index("--users") + 1] = argv[argv.index("--spawn-rate") + 1] = "4"
    result = subprocess.run(
        [sys.executable, "-m", *argv], cwd=project, env=child_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    stats = LoadStats.from_locust_csv(project / "results", target=server.url)
    assert stats.users == 4
    stats.assert_slo(error_rate=0.0, min_calls=10)
    # both users of the locustfile ran: Planner (2026-07-28) and HandshakePlanner (2025-11-25)
    assert {"tools/call list_tasks", "tools/call create_task", "server/discover", "initialize"} <= set(stats.tools)
