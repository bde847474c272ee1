"""Which tools a check may call (``--mcp-fuzz-tools``) and arguments for them from their schemas."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from ...protocol.schema import example_object

if TYPE_CHECKING:
    from ..context import CheckContext


def may_call(tool: Any, spec: str) -> bool:
    """Whether ``--mcp-fuzz-tools`` (``spec``) lets the suite call ``tool`` (a wire dict)."""
    from ..tool_selection import ToolSelection

    if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
        return False
    return ToolSelection.parse(spec).skip_reason(tool) is None


def callable_tools(ctx: CheckContext, tools: list[Any]) -> list[dict[str, Any]]:
    return [tool for tool in tools if may_call(tool, ctx.options.fuzz_tools)]


def no_callable_tools_reason(ctx: CheckContext, what: str = "") -> str:
    return (
        f"no tool the suite may call{what} (--mcp-fuzz-tools={ctx.options.fuzz_tools}: by default only tools "
        "annotated readOnlyHint=true); opt tools in with --mcp-fuzz-tools=NAME,... or all,-DANGEROUS"
    )


def example_arguments(tool: dict[str, Any]) -> dict[str, Any] | None:
    """Valid-looking arguments for a tool (required properties only), or None when they cannot be guessed."""
    value = example_object(tool.get("inputSchema"))
    if value is ...:
        return None
    from ._schemas import validation_errors

    if validation_errors(tool.get("inputSchema"), value):
        return None
    return value  # type: ignore[no-any-return]


DURATION_WORDS: Final = re.compile(r"(second|duration|delay|sleep|wait|timeout|time|ms|millis)", re.IGNORECASE)


COUNT_WORDS: Final = re.compile(r"(steps|count|times|iterations)$|^n$", re.IGNORECASE)


def tuned_arguments(tool: dict[str, Any], *, seconds: float, steps: int = 3) -> dict[str, Any] | None:
    """Example arguments with duration-like numbers set to ``seconds`` (milliseconds when the name says so)
    and count-like integers set to ``steps``, where the schema allows it; None when no arguments fit."""
    arguments = example_arguments(tool)
    if arguments is None:
        return None
    from ._schemas import validation_errors

    schema = tool.get("inputSchema") or {}
    properties: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
    for name, prop in properties.items():
        kind = prop.get("type") if isinstance(prop, dict) else None
        if kind not in ("integer", "number"):
            continue
        if DURATION_WORDS.search(name):
            millis = name.lower().endswith(("ms", "millis", "milliseconds"))
            value: Any = int(seconds * 1000) if millis else (seconds if kind == "number" else max(1, round(seconds)))
        elif COUNT_WORDS.search(name):
            value = steps
        else:
            continue
        candidate = {**arguments, name: value}
        if not validation_errors(schema, candidate):
            arguments = candidate
    return arguments


def duration_property(tool: dict[str, Any]) -> str | None:
    """The name of a tool's duration-like numeric argument (``seconds``, ``duration``, ``delay_ms``, ...)."""
    schema: dict[str, Any] = tool["inputSchema"] if isinstance(tool.get("inputSchema"), dict) else {}
    properties: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
    for name, prop in properties.items():
        if isinstance(prop, dict) and prop.get("type") in ("integer", "number") and DURATION_WORDS.search(name):
            return str(name)
    return None


def find_tool(tools: list[dict[str, Any]], *patterns: str) -> dict[str, Any] | None:
    """The first tool whose name or description matches one of the regular expressions ``patterns``
    (tried in order, case-insensitively; ``-`` and ``_`` in names count as word breaks)."""
    for pattern in patterns:
        for tool in tools:
            name = str(tool.get("name", "")).replace("_", " ").replace("-", " ")
            text = f"{name} {tool.get('description', '')}"
            if re.search(pattern, text, re.IGNORECASE):
                return tool
    return None
