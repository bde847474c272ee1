"""Locust users speaking MCP: short headless and distributed runs on 127.0.0.1, read back as ``LoadStats``.

Locust runs in subprocesses only: importing it patches the standard library with gevent, which
must never happen inside the test process.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mcp._process import free_port
from pytest_mcp.errors import McpAssertionError
from pytest_mcp.load import LoadStats

from .conftest import EXAMPLE_HTTP, ROOT, HttpServer, child_env

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(importlib.util.find_spec("locust") is None, reason="locust is not installed (pip install locust)"),
]

LOCUST = (sys.executable, "-m", "locust")
RUN = ("--headless", "--only-summary", "--exit-code-on-error", "0", "--stop-timeout", "2")

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
    wait_time = constant(0.01)

    @task
    def fail(self):
        self.call_tool("fail", {"message": "it broke"})
"""


def run_locust(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*LOCUST, "-f", "locustfile.py", *args],
        cwd=cwd,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"locust exited with {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def test_headless_run_in_both_eras(tmp_path: Path, demo_http: HttpServer) -> None:
    (tmp_path / "locustfile.py").write_text(DEMO_LOCUSTFILE)
    run_locust(
        tmp_path,
        "Modern",
        "Legacy",
        *RUN,
        "-u",
        "4",
        "-r",
        "4",
        "-t",
        "3s",
        "--host",
        demo_http.host,
        "--json-file",
        "out",
        "--csv",
        "out",
    )
    stats = LoadStats.from_locust_json(tmp_path / "out.json", target=demo_http.url)
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
    assert stats["add"].calls > stats["echo"].calls > 0
    stats.assert_slo(error_rate=0.0, p95_ms=2000, min_calls=50)
    stats.assert_slo(error_rate=0.0, tool="initialize", min_calls=2)
    # The CSV Locust writes once a second agrees with the final JSON up to its last second.
    from_csv = LoadStats.from_locust_csv(tmp_path / "out", target=demo_http.url)
    assert 0 < from_csv.calls <= stats.calls
    assert from_csv.users == 4
    assert from_csv.errors == 0


def test_failures_reach_locust_and_the_slo(tmp_path: Path, demo_http: HttpServer) -> None:
    (tmp_path / "locustfile.py").write_text(DEMO_LOCUSTFILE)
    run_locust(tmp_path, "Failing", *RUN, "-u", "1", "-r", "1", "-t", "2s", "--host", demo_http.url, "--json-file", "out")
    stats = LoadStats.from_locust_json(tmp_path / "out.json")
    assert stats["fail"].errors == stats["fail"].calls > 0
    assert stats["server/discover"].errors == 0
    with pytest.raises(McpAssertionError) as failure:
        stats.assert_slo(error_rate=0.05)
    assert "tools/call fail " in str(failure.value)
    assert "error rate" in str(failure.value)


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
        self.call_tool("where", {"region": "eu west"}, name="where (headers)")


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
    run_locust(tmp_path, *RUN, "-u", "2", "-r", "2", "-t", "2s", "--host", regions_http.host, "--json-file", "out")
    stats = LoadStats.from_locust_json(tmp_path / "out.json")
    stats.assert_slo(error_rate=0.0, tool="where (headers)", min_calls=5)
    refused = stats["where (no headers)"]
    assert refused.errors == refused.calls > 0


def test_distributed_run_with_two_workers(tmp_path: Path, demo_http: HttpServer) -> None:
    (tmp_path / "locustfile.py").write_text(DEMO_LOCUSTFILE)
    port = free_port()
    logs = [tmp_path / f"worker{index}.log" for index in range(2)]
    workers = []
    for log in logs:
        with log.open("w") as stderr:
            workers.append(
                subprocess.Popen(
                    [*LOCUST, "-f", "locustfile.py", "Modern", "--worker", "--master-host", "127.0.0.1"]
                    + ["--master-port", str(port)],
                    cwd=tmp_path,
                    env=child_env(),
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            )
    try:
        master = run_locust(
            tmp_path,
            "Modern",
            *RUN,
            "--master",
            "--master-bind-host",
            "127.0.0.1",
            "--master-bind-port",
            str(port),
            "--expect-workers",
            "2",
            "--expect-workers-max-wait",
            "30",
            "-u",
            "4",
            "-r",
            "4",
            "-t",
            "3s",
            "--host",
            demo_http.host,
            "--json-file",
            "out",
        )
        codes = [worker.wait(timeout=30) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(10)
    assert codes == [0, 0], [log.read_text() for log in logs]
    assert "2 workers connected" in master.stderr, master.stderr
    assert "Sending spawn jobs of 4 users at 4.00 spawn rate to 2 ready workers" in master.stderr
    stats = LoadStats.from_locust_json(tmp_path / "out.json", target=demo_http.url)
    stats.assert_slo(error_rate=0.0, min_calls=50)
    assert stats["server/discover"].calls == 4  # one per user, the 4 users spread over both workers


EXAMPLE_LOCUSTFILE = """
import uuid

from locust import constant, task
from pytest_mcp.load.locust import McpUser


class Planner(McpUser):
    wait_time = constant(0.02)

    @task(2)
    def create(self):
        self.call_tool("create_assignment", {"title": f"load {uuid.uuid4().hex}", "assignee": "ann@example.com"})

    @task(3)
    def browse(self):
        self.call_tool("list_assignments", {"page_size": 5})
"""


@pytest.fixture
def example_http() -> Iterator[HttpServer]:
    if not (ROOT / "example_server" / "__main__.py").exists():
        pytest.skip("the example server is not in this checkout")
    server = HttpServer(EXAMPLE_HTTP)
    try:
        yield server
    finally:
        server.stop()


def test_headless_run_against_the_example_server(tmp_path: Path, example_http: HttpServer) -> None:
    (tmp_path / "locustfile.py").write_text(EXAMPLE_LOCUSTFILE)
    run_locust(tmp_path, *RUN, "-u", "3", "-r", "3", "-t", "2s", "--host", example_http.host, "--json-file", "out")
    stats = LoadStats.from_locust_json(tmp_path / "out.json", target=example_http.url)
    stats.assert_slo(error_rate=0.0, min_calls=20)
    assert stats["create_assignment"].calls > 0 and stats["list_assignments"].calls > 0


def test_locust_file_from_the_docs_is_valid(tmp_path: Path, demo_http: HttpServer) -> None:
    """The copy-paste locustfile of docs/load.md runs as written."""
    docs = (ROOT / "docs" / "load.md").read_text()
    start = docs.index("```python\n# locustfile.py") + len("```python\n")
    (tmp_path / "locustfile.py").write_text(textwrap.dedent(docs[start : docs.index("```", start)]))
    run_locust(tmp_path, *RUN, "-u", "2", "-r", "2", "-t", "2s", "--host", demo_http.host, "--json-file", "out")
    LoadStats.from_locust_json(tmp_path / "out.json").assert_slo(error_rate=0.0, min_calls=10)
