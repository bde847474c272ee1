# locustfile.py: load the example server with `locust -f locustfile.py --host http://127.0.0.1:8000`
import uuid

from locust import between, task

from pytest_mcp.load.locust import McpUser


class Planner(McpUser):  # era 2026-07-28 (stateless), the default
    wait_time = between(0.01, 0.05)

    @task(3)
    def browse(self):
        self.call_tool("list_assignments", {"page_size": 5})

    @task
    def create(self):
        self.call_tool("create_assignment", {"title": f"load {uuid.uuid4().hex[:8]}", "assignee": "ann@example.com"})


class HandshakePlanner(Planner):
    era = "2025-11-25"  # initialize first, then Mcp-Session-Id on every request
