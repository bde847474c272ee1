"""A stand-in for the official conformance CLI (``conformance server --url U --spec-version V -o DIR``).

It writes ``checks.json`` files the way ``@modelcontextprotocol/conformance`` does, one folder per
scenario, so the bridge's translation can be tested without Node. ``FAKE_CONFORMANCE_LOG`` (a file)
receives each command line as a JSON line; ``FAKE_CONFORMANCE_MODE=silent`` writes nothing and exits 3.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

SPEC = [{"id": "MCP-Ping", "url": "https://modelcontextprotocol.io/specification/2025-11-25/basic/utilities/ping"}]

SCENARIOS = {
    "ping": [
        {"id": "ping", "name": "Ping", "description": "Server responds to ping", "status": "SUCCESS"},
        {
            "id": "wire-schema-valid",
            "name": "WireSchemaValid",
            "description": "Messages are valid",
            "status": "SUCCESS",
        },
    ],
    "tools-call-image": [
        {
            "id": "tools-call-image",
            "name": "ToolsCallImage",
            "description": "Tool returns image content",
            "status": "FAILURE",
            "errorMessage": "Tool test_image_content not found",
            "details": {"result": {"isError": True}},
            "logs": ["called tools/call test_image_content"],
        },
        {
            "id": "wire-schema-valid",
            "name": "WireSchemaValid",
            "description": "Messages are valid",
            "status": "SUCCESS",
        },
    ],
    "dns-rebinding-protection": [
        {"id": "localhost-host-valid-accepted", "status": "WARNING", "description": "Accepts localhost Host"},
        {"id": "note", "status": "INFO", "description": "an informational line"},
        {"id": "note", "status": "INFO", "description": "the same id twice in one scenario"},
    ],
    "tools-call-sampling": [
        {"id": "tools-call-sampling", "status": "SKIPPED", "errorMessage": "the server has no sampling tool"},
    ],
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command")
    parser.add_argument("--url", required=True)
    parser.add_argument("--spec-version", required=True)
    parser.add_argument("--timeout")
    parser.add_argument("-o", "--output-dir", required=True)
    args = parser.parse_args()
    log = os.environ.get("FAKE_CONFORMANCE_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(sys.argv[1:]) + "\n")
    if os.environ.get("FAKE_CONFORMANCE_MODE") == "silent":
        print("conformance: could not connect", file=sys.stderr)
        return 3
    for index, (scenario, checks) in enumerate(SCENARIOS.items()):
        folder = Path(args.output_dir) / f"server-{scenario}-2026-01-0{index + 1}T10-00-00-000Z"
        folder.mkdir(parents=True)
        rows = [{**check, "timestamp": "2026-01-01T10:00:00.000Z", "specReferences": SPEC} for check in checks]
        (folder / "checks.json").write_text(json.dumps(rows), encoding="utf-8")
    print(f"Total: {sum(len(c) for c in SCENARIOS.values())} checks")
    return 1


if __name__ == "__main__":
    sys.exit(main())
