import sys

import pytest_mcp

PY = sys.executable
TARGETS = [
    "my_server:mcp",
    f"{PY} my_server.py",
    pytest_mcp.spawn_http(f"{PY} my_server.py --http {{port}}", url="http://127.0.0.1:{port}/mcp"),
]
