"""The stateful suite's machine, built from a server's tools: each callable tool a rule, server-agnostic invariants.

``build_machine(tools, read_resources=...)`` returns an ``McpStateMachine`` subclass with one rule
per tool: arguments drawn from the tool's ``inputSchema``, where values earlier results returned
(``stateful_values.ValuePool``) replace drawn ones whose names fit, as long as the arguments stay
valid. Each sequence starts by calling the creators (tools not read-only, not delete-like, taking no
id) once each, so the tools taking an id have ids to take from the first step on; after a write (a
tool not marked read-only) the read-only tools taking an id read back the ids it returned, at once
(unless the drawn ``READ_BACK`` choice is 0). So the short sequences that break the rules below
(create → rename → read twice, create → delete → read, create → read) come up at any seed.
Every step is held to rules that need no knowledge of the server:

* no JSON-RPC error, crash or hang; a result valid against the tool's ``outputSchema``;
* a read-only tool gives the same result twice in a row (it is called again at once), unless it
  proves to vary on its own (two more calls differ too: then it is noted, not failed);
* an id an earlier step returned is not "not found" / "unknown" to a tool taking it, unless a
  delete-like tool ran in between;
* (with ``read_resources``) the resources ``resources/list`` names can be read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import partial
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

from .stateful_machine import McpStateMachine
from .stateful_replay import RESOURCE_READ
from .stateful_values import PooledValue, is_delete_like, says_not_found
from .strategies import UnsupportedSchema, _validator, valid_arguments

__all__ = ["RESOURCES_READ", "build_machine"]

REUSE_CHOICE: Final = st.tuples(st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=31))
"""Per parameter: whether to reuse an earlier value (1-3: yes, 0: no, where shrinking goes), and which."""
NEWEST_PICKS: Final = 16
"""Picks below this take the newest fitting value (what the last call returned); the others any of them."""
RESOURCES_READ: Final = 3
"""Resources the resource rule reads per step (the first ones of the first page)."""
READ_BACK: Final = st.integers(min_value=0, max_value=3)
"""After a write: whether the read-only tools taking an id read back what it returned (1-3: yes, 0: no, where
shrinking goes). Drawn whatever the write returned, as are the readers' arguments, so the draws stay alike."""


def _read_only(tool: Any) -> bool:
    return getattr(getattr(tool, "annotations", None), "read_only_hint", None) is True


def _same(first: Any, second: Any) -> bool:
    one, two = first.result, second.result
    if one is None or two is None:
        return one is two
    return (one.is_error, one.structured_content, one.text) == (two.is_error, two.structured_content, two.text)


class ServerWorkflows(McpStateMachine):
    """The base of the generated machines: the per-step rules every server must follow."""

    unstable: set[str] = set()
    """Read-only tools seen to vary on their own in this run (exempt from the twice-in-a-row rule)."""

    def call_tool_step(self, tool: Any, arguments: dict[str, Any], sources: dict[str, PooledValue]) -> None:
        __tracebackhide__ = True
        if tool.name in self.runner.report.slow:  # it left a call unanswered: no more sequences wait for it
            return
        outcome = self._send(tool.name, arguments, sources)
        if self.slow(outcome):
            return
        self.judge(outcome, tool)
        self._check_ids(tool, outcome, sources)
        if _read_only(tool) and outcome.kind == "ok" and tool.name not in self.unstable:
            again = self._send(tool.name, arguments, sources)
            if self.slow(again):
                return
            self.judge(again, tool)
            if not _same(outcome, again) and not self._varies_alone(tool, arguments):
                self.fail(
                    f"the read-only tool {tool.name!r} gave two different results for the same arguments twice in a "
                    "row, with no other call between (a stale or inconsistent read); steps "
                    f"{len(self.steps) - 1} and {len(self.steps)} below",
                    kind="unstable",
                )

    def slow(self, outcome: Any) -> bool:
        """Whether ``outcome`` is a call left unanswered while the server kept answering (not judged)."""
        return bool(outcome.kind == "timeout" and outcome.tool in self.runner.report.slow)

    def _varies_alone(self, tool: Any, arguments: dict[str, Any]) -> bool:
        """Two more calls: when they differ too, the tool varies by nature (time, randomness); remember it."""
        first = self.runner.bridge.ask(lambda: self.runner.call(tool.name, arguments))
        second = self.runner.bridge.ask(lambda: self.runner.call(tool.name, arguments))
        if _same(first, second):
            return False
        type(self).unstable.add(tool.name)
        return True

    def _check_ids(self, tool: Any, outcome: Any, sources: dict[str, PooledValue]) -> None:
        """An id-like argument that an earlier step returned, called unknown with nothing deleted since: a failure.

        Only when every id-like argument of the call came from an earlier result (a made-up id may
        rightly be unknown) and the value came from a tool about the same kind of thing.
        """
        if outcome.kind != "is_error" or not says_not_found(outcome.result.text):
            return
        id_like = [name for name in outcome.arguments or {} if _is_id_like(name)]
        if not id_like or any(name not in sources for name in id_like):
            return
        for name in id_like:
            source = sources[name]
            produced_by = self.steps[source.step].tool
            related = source.field == name or _stem(name) in produced_by.lower()
            if related and not self.deleted_since(source.step):
                self.fail(
                    f"tool {tool.name!r} says {name}={source.value!r} is unknown, but step {source.step + 1} "
                    f"({produced_by}) returned it and no delete-like tool ran in between",
                    kind="not-found",
                )

    def reuse(
        self, data: Any, tool: Any, arguments: dict[str, Any], from_step: int | None = None
    ) -> dict[str, PooledValue]:
        """Put values earlier steps returned into id-like ``arguments`` (ids, URIs, keys) where they fit;
        which ones, by parameter. Other fields are not reused: a text written back unchanged hides what it changed.
        ``from_step``: only values that step returned, always taken when one fits (a read-back)."""
        schema = tool.input_schema if isinstance(tool.input_schema, Mapping) else {}
        properties = schema.get("properties") or {}
        validator = _validator(schema)
        sources: dict[str, PooledValue] = {}
        for name in sorted(name for name in properties if _is_id_like(name)):
            # the same draws whatever the pool holds, so a replay draws alike on a server whose state differs
            wanted, pick = data.draw(REUSE_CHOICE)
            candidates = self.pool.candidates(name, properties[name] if isinstance(properties[name], Mapping) else {})
            if from_step is not None:
                candidates, wanted = [item for item in candidates if item.step == from_step], 1
            if not candidates or not wanted:
                continue
            chosen = candidates[-1 - (0 if pick < NEWEST_PICKS else pick % len(candidates))]
            trial = {**arguments, name: chosen.value}
            if validator.is_valid(trial):
                arguments[name] = chosen.value
                sources[name] = chosen
        return sources

    def read_listed_resources(self) -> None:
        __tracebackhide__ = True
        from .stateful_machine import Step

        listed = self.runner.bridge.ask(lambda: self.runner.client.list_resources())
        for resource in list(getattr(listed, "resources", []))[:RESOURCES_READ]:
            uri = str(resource.uri)
            step = Step(RESOURCE_READ, {"uri": uri})
            self.steps.append(step)
            try:
                self.runner.bridge.ask(partial(self.runner.client.read_resource, uri))
            except Exception as exc:
                self.fail(f"resources/list names {uri!r}, but reading it failed: {exc}")


def _is_id_like(parameter: str) -> bool:
    lowered = parameter.lower()
    return lowered.endswith(("id", "uri")) or lowered in ("key", "slug", "handle")


def _takes_an_id(tool: Any) -> bool:
    schema = tool.input_schema if isinstance(tool.input_schema, Mapping) else {}
    return any(_is_id_like(name) for name in schema.get("properties") or {})


def _stem(parameter: str) -> str:
    """``assignment`` of ``assignment_id`` / ``assignmentId``: the kind of thing the parameter names."""
    return re.sub(r"[_-]?id$", "", parameter, flags=re.I).lower() or parameter.lower()


def _tool_rule(tool: Any, strategy: Any, readers: list[tuple[Any, Any]], *, first: bool = False) -> Any:
    """The rule calling ``tool``; after a write, ``readers`` (read-only tools taking an id, with their
    strategies) read back the ids it returned. ``first``: a rule run once at the start of each sequence."""

    def step(self: ServerWorkflows, data: Any) -> None:
        __tracebackhide__ = True
        arguments = dict(data.draw(strategy))
        sources = self.reuse(data, tool, arguments)
        self.call_tool_step(tool, arguments, sources)
        if _read_only(tool) or not readers or not data.draw(READ_BACK):
            return
        written = len(self.steps) - 1
        for reader, reader_strategy in readers:
            # drawn whatever the write returned; called only when an id it returned fits the reader
            reader_arguments = dict(data.draw(reader_strategy))
            reader_sources = self.reuse(data, reader, reader_arguments, from_step=written)
            if reader_sources:
                self.call_tool_step(reader, reader_arguments, reader_sources)

    step.__name__ = ("create_" if first else "call_") + re.sub(r"\W", "_", tool.name)
    return (initialize if first else rule)(data=st.data())(step)


def build_machine(tools: list[Any], *, read_resources: bool = False) -> tuple[type[ServerWorkflows], dict[str, str]]:
    """A machine with a rule per tool (and one reading resources); also the tools left out, with why."""
    members: dict[str, Any] = {"unstable": set()}
    skipped: dict[str, str] = {}
    usable: list[tuple[Any, Any]] = []
    for tool in tools:
        try:
            usable.append((tool, valid_arguments(tool.input_schema)))
        except UnsupportedSchema as exc:
            skipped[tool.name] = f"tool {tool.name!r}: {exc}"
    readers = [(tool, strategy) for tool, strategy in usable if _read_only(tool) and _takes_an_id(tool)]
    for tool, strategy in usable:
        safe_name = re.sub(r"\W", "_", tool.name)
        members[f"call_{len(members)}_{safe_name}"] = _tool_rule(tool, strategy, readers)
        if not _read_only(tool) and not is_delete_like(tool) and not _takes_an_id(tool):
            members[f"create_{len(members)}_{safe_name}"] = _tool_rule(tool, strategy, readers, first=True)
    if read_resources:
        members["read_resources"] = rule()(ServerWorkflows.read_listed_resources)
    return type("ServerWorkflows", (ServerWorkflows,), members), skipped
