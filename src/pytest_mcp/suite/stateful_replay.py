"""A failing sequence as text: its steps, one a line, and a ready-to-paste pytest test that replays it.

The replay test calls the same tools with the same arguments through the ``mcp_client`` fixture;
an argument an earlier result supplied is read from that result (``r1.result.structured["id"]``),
so the test also holds on a fresh server whose ids differ. Its last line asserts the rule the
sequence broke (``REPLAY_ASSERTIONS``).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Final

from ..errors import McpAssertionError
from .fuzz_judge import render_arguments, reply_text

if TYPE_CHECKING:
    from .stateful_machine import Step

__all__ = ["REPLAY_ASSERTIONS", "RESOURCE_READ", "StatefulFailure", "render_replay", "render_steps"]

_SHOWN_REPLY: Final = 200
RESOURCE_READ: Final = "resources/read"
"""The ``Step.tool`` of a resource read (the stateful suite's resource rule), replayed with ``read_resource``."""

REPLAY_ASSERTIONS: Final = {
    "judged": 'assert {last}.kind in ("ok", "is_error"), {last}  # no JSON-RPC error, crash or hang',
    "not-found": 'assert not ({last}.kind == "is_error" and NOT_FOUND.search({last}.result.text)), {last}.result.text',
    "unstable": "assert ({last}.result.structured, {last}.result.text) == ({previous}.result.structured, "
    "{previous}.result.text)  # a read-only tool, twice in a row",
}
"""The last line of a replay test, by the kind of rule the sequence broke."""


def render_steps(steps: list[Any]) -> list[str]:
    """``    1. tool {"arg": ...}  -> reply`` lines; reused values say which step returned them."""
    lines = []
    for number, step in enumerate(steps, 1):
        reused = ", ".join(
            f"{name} = {source.field} returned by step {source.step + 1}" for name, source in step.sources.items()
        )
        lines.append(
            f"    {number}. {step.tool} {render_arguments(step.arguments)}" + (f"  ({reused})" if reused else "")
        )
        if step.outcome is not None:
            reply = reply_text(step.outcome) or step.outcome.kind
            lines.append(f"       -> {reply[:_SHOWN_REPLY]}" + ("…" if len(reply) > _SHOWN_REPLY else ""))
    return lines


def _identifier(name: str) -> str:
    return re.sub(r"\W+", "_", name).strip("_").lower() or "machine"


def _argument_source(step: Any) -> str:
    """The arguments as Python source: literals, and earlier results for the values they supplied."""
    parts = []
    for name, value in step.arguments.items():
        source = step.sources.get(name)
        if source is not None and source.path:
            where = "".join(f"[{json.dumps(key)}]" for key in source.path)
            parts.append(f"{json.dumps(name)}: r{source.step + 1}.result.structured{where}")
        else:
            parts.append(f"{json.dumps(name)}: {value!r}")
    return "{" + ", ".join(parts) + "}"


def render_replay(steps: list[Any], problem: str, machine: str, kind: str = "judged") -> list[str]:
    """The lines of a pytest module replaying ``steps`` (run it with the same ``--mcp-server``)."""
    lines = [
        "import re",
        "",
        "import pytest",
        "",
        'NOT_FOUND = re.compile(r"\\b(not[ _-]?found|unknown|no such|does not exist)\\b", re.I)',
        "",
        "",
        "@pytest.mark.anyio",
        f"async def test_replay_{_identifier(machine)}(mcp_client):",
        f"    # {problem.splitlines()[0][:150]}",
    ]
    for number, step in enumerate(steps, 1):
        if step.tool == RESOURCE_READ:  # raises when the read fails: that is the assertion
            lines.append(f"    r{number} = await mcp_client.read_resource({step.arguments['uri']!r})")
        else:
            lines.append(f"    r{number} = await mcp_client.outcome({step.tool!r}, {_argument_source(step)})")
    if steps and steps[-1].tool != RESOURCE_READ:
        last, previous = f"r{len(steps)}", f"r{max(1, len(steps) - 1)}"
        lines.append(
            "    " + REPLAY_ASSERTIONS.get(kind, REPLAY_ASSERTIONS["judged"]).format(last=last, previous=previous)
        )
    return lines


class StatefulFailure(McpAssertionError):
    """The shortest failing sequence found, with how to replay it."""

    def __init__(self, message: str, steps: list[Step], problem: str, seed: int, replay: str) -> None:
        super().__init__(message)
        self.steps, self.problem, self.seed = steps, problem, seed
        self.replay = replay
        """The source of a pytest module that replays the sequence."""
