"""Which tools the suite may call: ``--mcp-fuzz-tools`` (by default only tools annotated read-only).

Calling a tool with made-up input can change or destroy data on a real server, so the fuzz and
security suites (and the conformance checks that call tools) call a tool only when this selection
allows it, and say how to opt it in when it does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["SuiteTools", "ToolSelection", "is_read_only", "opt_in_reason", "sandbox_selection", "select_tools"]


@dataclass(frozen=True)
class ToolSelection:
    """The parsed ``--mcp-fuzz-tools`` value: which tools the fuzz and security suites may call.

    A comma list of: ``read-only`` (the default: tools annotated ``readOnlyHint: true``), ``all``
    (every tool), ``none``, a tool name or ``fnmatch`` pattern (opt it in) and ``-NAME`` (never call
    it, even if read-only). Example: ``all,-crash,-sleep``. Exclusions win; ``none`` wins over opt-ins.
    The conformance checks that call tools ask it too (``suite.checks._tool_calls.may_call``).
    """

    spec: str = "read-only"

    @classmethod
    def parse(cls, value: str | None) -> ToolSelection:
        """Parse an option value; ``ValueError`` (with the grammar) on an empty item."""
        spec = ",".join(item.strip() for item in (value or "read-only").split(","))
        if not spec.strip() or any(item in ("", "-") for item in spec.split(",")):
            raise ValueError(f"{value!r}: use a comma list of all, read-only, none, TOOL and -TOOL (e.g. all,-crash)")
        return cls(spec)

    @property
    def items(self) -> list[str]:
        return [item for item in self.spec.split(",") if item]

    @property
    def flag(self) -> str:
        return f"--mcp-fuzz-tools={self.spec}"

    def skip_reason(self, tool: Any) -> str | None:
        """Why ``tool`` (an SDK ``Tool`` or a wire dict) must not be called, with how to opt in; None if it may."""
        from fnmatch import fnmatchcase

        name, read_only = _name_and_read_only(tool)
        items = self.items
        excluded = next((item for item in items if item.startswith("-") and fnmatchcase(name, item[1:])), None)
        if excluded is not None:
            return f"tool {name!r} is excluded by {excluded!r} in {self.flag}"
        if "none" in items:
            return f"calling tools is off ({self.flag}); fuzz read-only tools with --mcp-fuzz-tools=read-only"
        if "all" in items:
            return None
        positive = [item for item in items if not item.startswith("-") and item != "read-only"]
        if any(fnmatchcase(name, item) for item in positive):
            return None
        wants_read_only = "read-only" in items or not positive
        if wants_read_only and read_only:
            return None
        why = "is not marked read-only (annotations.readOnlyHint is not true)" if not read_only else "was not selected"
        return (
            f"tool {name!r} {why}, and calling it with generated input could change or destroy data on the "
            f"server; opt in with --mcp-fuzz-tools={name} (this tool) or --mcp-fuzz-tools=all (every tool; "
            f"leave dangerous ones out with -NAME, e.g. all,-{name})"
        )

    def unknown_names(self, tools: Sequence[Any]) -> list[str]:
        """Names (not patterns) in the selection that the server does not offer: probably typos."""
        offered = {_name_and_read_only(tool)[0] for tool in tools}
        named = {item.lstrip("-") for item in self.items if item not in ("all", "none", "read-only")}
        return sorted(name for name in named if not any(ch in name for ch in "*?[") and name not in offered)


def is_read_only(tool: Any) -> bool:
    """Whether ``tool`` (an SDK ``Tool`` or a wire dict) is annotated ``readOnlyHint: true``."""
    return _name_and_read_only(tool)[1]


def _name_and_read_only(tool: Any) -> tuple[str, bool]:
    if isinstance(tool, dict):
        annotations = tool.get("annotations")
        return str(tool.get("name")), isinstance(annotations, dict) and annotations.get("readOnlyHint") is True
    annotations = getattr(tool, "annotations", None)
    return tool.name, getattr(annotations, "read_only_hint", None) is True


@dataclass
class SuiteTools:
    """The tools of the server in one item, split by ``--mcp-fuzz-tools``."""

    chosen: list[Any]
    skipped: dict[str, str]
    unknown: list[str]


def select_tools(tools: Sequence[Any], spec: str) -> SuiteTools:
    """Split ``tools`` into those the suite may call and the others (with each one's skip reason)."""
    selection = ToolSelection.parse(spec)
    chosen, skipped = [], {}
    for tool in tools:
        reason = selection.skip_reason(tool)
        if reason is None:
            chosen.append(tool)
        else:
            skipped[tool.name] = reason
    return SuiteTools(chosen, skipped, selection.unknown_names(tools))


def opt_in_reason(tools: SuiteTools, spec: str) -> str:
    """Why nothing can be called, naming the tools and the exact option values that would opt them in."""
    names = sorted(tools.skipped)
    if not names:
        return "the server offers no tools"
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    if len(names) == 1:
        return next(iter(tools.skipped.values()))
    return (
        f"--mcp-fuzz-tools={spec} selects none of the server's tools ({shown}); by default only tools annotated "
        f"readOnlyHint: true are called, because generated input could change or destroy data. Opt in with "
        f"--mcp-fuzz-tools={names[0]},{names[1]} (named tools) or --mcp-fuzz-tools=all (every tool; leave "
        f"dangerous ones out with -NAME, e.g. all,-{names[0]})"
    )


def sandbox_selection(spec: str) -> str:
    """The selection inside a sandbox (``--mcp-sandbox``): every tool, unless ``spec`` names tools or says none.

    Tools there act on a directory made to be written to, so the read-only default widens to ``all``;
    ``-NAME`` exclusions still hold, and an explicit list of tools or ``none`` is kept as given.
    """
    items = ToolSelection.parse(spec).items
    if "none" in items or any(not item.startswith("-") and item not in ("read-only", "all") for item in items):
        return spec
    return ",".join(["all", *(item for item in items if item.startswith("-"))])
