"""MCP surface coverage: what a server advertises, what the tests exercised, and the report.

Pure data and arithmetic, no pytest and no MCP SDK: the plugin feeds it transcripts and listing
payloads (wire-form dicts), workers ship it to the controller as a JSON string, and the report
(terminal table, JSON file, HTML table, fail-under) is computed from the merged data.

Coverage items (the denominator), per server:

* tool ``T``: ``success`` (a ``tools/call`` of ``T`` returned a result without ``isError``),
  ``error`` (a result with ``isError: true`` or a JSON-RPC error reply), one item per argument
  (a top-level property of ``inputSchema``: covered when a call passed it) and one item per enum
  value of an argument (``enum``, ``const``, ``anyOf``/``oneOf`` of those, local ``$ref``, and
  arrays whose items are enums: covered when a call passed that value);
* resource ``U``: ``read`` (a ``resources/read`` of exactly ``U`` succeeded);
* resource template ``T``: ``read`` (a successful ``resources/read`` of a URI matching ``T``);
* prompt ``P``: ``get`` (a ``prompts/get`` of ``P`` succeeded) and one item per prompt argument.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "CoverageData",
    "CoverageReport",
    "Entry",
    "ServerCoverage",
    "ServerReport",
    "Surface",
    "build_report",
    "format_table",
]

FORMAT: Final = "pytest-mcp-coverage/1"
MAX_VALUES_PER_ARGUMENT: Final = 200
"""Distinct scalar values remembered per tool argument (enough for any enum, bounded memory)."""
LIST_METHODS: Final = ("tools/list", "resources/list", "resources/templates/list", "prompts/list")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# -- the advertised surface -----------------------------------------------------------------


@dataclass
class Surface:
    """What a server advertises: tools (with arguments and enum values), resources, templates, prompts."""

    tools: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """``{tool: {argument: [canonical JSON of each enum value]}}`` (an empty list: no enum)."""
    resources: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    prompts: dict[str, list[str]] = field(default_factory=dict)

    def add_listing(self, method: str, result: Any) -> None:
        """Add one ``*/list`` result (a wire-form dict) to the surface."""
        if not isinstance(result, Mapping):
            return
        if method == "tools/list":
            for tool in _dicts(result.get("tools")):
                name = tool.get("name")
                if isinstance(name, str):
                    self.tools[name] = tool_arguments(tool.get("inputSchema"))
        elif method == "resources/list":
            self.resources.update(r["uri"] for r in _dicts(result.get("resources")) if isinstance(r.get("uri"), str))
        elif method == "resources/templates/list":
            self.templates.update(
                t["uriTemplate"]
                for t in _dicts(result.get("resourceTemplates"))
                if isinstance(t.get("uriTemplate"), str)
            )
        elif method == "prompts/list":
            for prompt in _dicts(result.get("prompts")):
                name = prompt.get("name")
                if isinstance(name, str):
                    self.prompts[name] = [
                        a["name"] for a in _dicts(prompt.get("arguments")) if isinstance(a.get("name"), str)
                    ]

    def merge(self, other: Surface) -> None:
        for name, arguments in other.tools.items():
            mine = self.tools.setdefault(name, {})
            for argument, values in arguments.items():
                mine[argument] = sorted({*mine.get(argument, []), *values})
        self.resources |= other.resources
        self.templates |= other.templates
        for name, prompt_arguments in other.prompts.items():
            self.prompts[name] = sorted({*self.prompts.get(name, []), *prompt_arguments})

    def is_empty(self) -> bool:
        return not (self.tools or self.resources or self.templates or self.prompts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tools": self.tools,
            "resources": sorted(self.resources),
            "templates": sorted(self.templates),
            "prompts": self.prompts,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Surface:
        return cls(
            tools={k: {a: list(v) for a, v in args.items()} for k, args in data.get("tools", {}).items()},
            resources=set(data.get("resources", ())),
            templates=set(data.get("templates", ())),
            prompts={k: list(v) for k, v in data.get("prompts", {}).items()},
        )


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def tool_arguments(schema: Any) -> dict[str, list[str]]:
    """``{argument: [canonical enum values]}`` of a tool's ``inputSchema`` (top-level properties)."""
    if not isinstance(schema, Mapping):
        return {}
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return {}
    return {str(name): sorted({_canonical(v) for v in enum_values(prop, schema)}) for name, prop in properties.items()}


def enum_values(schema: Any, root: Mapping[str, Any], depth: int = 0) -> list[Any]:
    """The finite set of values a property schema allows, or ``[]`` when it is not an enumeration."""
    if not isinstance(schema, Mapping) or depth > 8:
        return []
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(target, Mapping) else None
        return enum_values(target, root, depth + 1)
    if isinstance(schema.get("enum"), list):
        return [v for v in schema["enum"] if v is not None]
    if "const" in schema:
        return [schema["const"]] if schema["const"] is not None else []
    for combinator in ("anyOf", "oneOf"):
        branches = schema.get(combinator)
        if isinstance(branches, list):
            values: list[Any] = []
            for branch in branches:
                if isinstance(branch, Mapping) and branch.get("type") == "null":
                    continue
                branch_values = enum_values(branch, root, depth + 1)
                if not branch_values:
                    return []  # one open branch makes the whole property open
                values.extend(branch_values)
            return values
    if schema.get("type") == "array":
        return enum_values(schema.get("items"), root, depth + 1)
    return []


_TEMPLATE_EXPRESSION: Final = re.compile(r"\{([+#./;?&]?)([^}]*)\}")


def template_regex(template: str) -> re.Pattern[str]:
    """A regex matching the URIs an RFC 6570 template can expand to (levels 1-4, loosely)."""
    parts: list[str] = []
    position = 0
    for match in _TEMPLATE_EXPRESSION.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        operator = match.group(1)
        if operator in ("+", "#"):
            parts.append(("#" if operator == "#" else "") + ".*")
        elif operator in ("?", "&"):
            parts.append(r"(?:[?&][^#]*)?")
        elif operator in (".", "/", ";"):
            parts.append(f"(?:{re.escape(operator)}[^/?#]*)*")
        else:
            parts.append(r"[^/?#]+")
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts))


# -- what the tests exercised -----------------------------------------------------------------

CONNECTION_CLOSED: Final = -32000
REQUEST_TIMEOUT: Final = -32001


def _client_side_error(error: Any) -> bool:
    """An error the client made up because no reply came (the connection closed, the request timed out)."""
    if not isinstance(error, Mapping):
        return False
    message = str(error.get("message", "")).lower()
    code = error.get("code")
    return (code == CONNECTION_CLOSED and "connection closed" in message) or (
        code == REQUEST_TIMEOUT and "time" in message
    )


@dataclass
class ToolUse:
    calls: int = 0
    success: int = 0
    error: int = 0
    arguments: dict[str, int] = field(default_factory=dict)
    values: dict[str, set[str]] = field(default_factory=dict)

    def merge(self, other: ToolUse) -> None:
        self.calls += other.calls
        self.success += other.success
        self.error += other.error
        for name, count in other.arguments.items():
            self.arguments[name] = self.arguments.get(name, 0) + count
        for name, values in other.values.items():
            mine = self.values.setdefault(name, set())
            mine.update(sorted(values)[: max(0, MAX_VALUES_PER_ARGUMENT - len(mine))])

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "success": self.success,
            "error": self.error,
            "arguments": self.arguments,
            "values": {k: sorted(v) for k, v in self.values.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ToolUse:
        return cls(
            data.get("calls", 0),
            data.get("success", 0),
            data.get("error", 0),
            dict(data.get("arguments", {})),
            {k: set(v) for k, v in data.get("values", {}).items()},
        )


@dataclass
class ServerCoverage:
    """One server's advertised surface and everything the run did to it."""

    surface: Surface = field(default_factory=Surface)
    discovered: bool = False
    """True once a complete listing was fetched from the server itself (not only from transcripts)."""
    discovery_error: str | None = None
    tests: int = 0
    tools: dict[str, ToolUse] = field(default_factory=dict)
    reads: dict[str, list[int]] = field(default_factory=dict)
    """``{uri: [successes, errors]}``"""
    prompts: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``{prompt: {"ok": n, "error": n, "arguments": {name: n}}}``"""

    def add_transcript(self, messages: Iterable[Any]) -> None:
        """Record one client transcript: its requests, their outcomes, and any listings it received."""
        requests: dict[Any, Any] = {}
        for message in messages:
            if message.direction == "->" and message.kind == "request":
                requests[message.id] = message
                if message.method == "tools/call":
                    self._tool_request(message.payload)
                elif message.method == "prompts/get":
                    self._prompt_request(message.payload)
            elif message.direction == "<-" and message.kind in ("response", "error"):
                request = requests.pop(message.id, None)
                if request is None or request.method != message.method:
                    continue
                if message.kind == "error" and _client_side_error(message.payload):
                    continue  # no reply from the server: counts for the arguments, for neither outcome
                self._outcome(request, message.kind == "response", message.payload)

    def _tool_request(self, params: Any) -> None:
        if not isinstance(params, Mapping) or not isinstance(params.get("name"), str):
            return
        use = self.tools.setdefault(params["name"], ToolUse())
        use.calls += 1
        arguments = params.get("arguments")
        if not isinstance(arguments, Mapping):
            return
        for name, value in arguments.items():
            use.arguments[name] = use.arguments.get(name, 0) + 1
            seen = use.values.setdefault(name, set())
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str | int | float | bool) and len(seen) < MAX_VALUES_PER_ARGUMENT:
                    seen.add(_canonical(item))

    def _prompt_request(self, params: Any) -> None:
        if not isinstance(params, Mapping) or not isinstance(params.get("name"), str):
            return
        use = self.prompts.setdefault(params["name"], {"ok": 0, "error": 0, "arguments": {}})
        arguments = params.get("arguments")
        if isinstance(arguments, Mapping):
            for name in arguments:
                use["arguments"][name] = use["arguments"].get(name, 0) + 1

    def _outcome(self, request: Any, replied: bool, result: Any) -> None:
        params = request.payload if isinstance(request.payload, Mapping) else {}
        if request.method == "tools/call" and isinstance(params.get("name"), str):
            use = self.tools[params["name"]]
            failed = not replied or (isinstance(result, Mapping) and result.get("isError") is True)
            if failed:
                use.error += 1
            else:
                use.success += 1
        elif request.method == "resources/read" and isinstance(params.get("uri"), str):
            counts = self.reads.setdefault(params["uri"], [0, 0])
            counts[0 if replied else 1] += 1
        elif request.method == "prompts/get" and isinstance(params.get("name"), str):
            self.prompts[params["name"]]["ok" if replied else "error"] += 1
        elif request.method in LIST_METHODS and replied:
            self.surface.add_listing(request.method, result)

    def merge(self, other: ServerCoverage) -> None:
        self.surface.merge(other.surface)
        self.discovered = self.discovered or other.discovered
        if not self.discovered:
            self.discovery_error = self.discovery_error or other.discovery_error
        else:
            self.discovery_error = None
        self.tests += other.tests
        for name, use in other.tools.items():
            self.tools.setdefault(name, ToolUse()).merge(use)
        for uri, (ok, error) in other.reads.items():
            counts = self.reads.setdefault(uri, [0, 0])
            counts[0] += ok
            counts[1] += error
        for name, prompt in other.prompts.items():
            mine = self.prompts.setdefault(name, {"ok": 0, "error": 0, "arguments": {}})
            mine["ok"] += prompt["ok"]
            mine["error"] += prompt["error"]
            for argument, count in prompt["arguments"].items():
                mine["arguments"][argument] = mine["arguments"].get(argument, 0) + count

    def to_dict(self) -> dict[str, Any]:
        return {
            "surface": self.surface.to_dict(),
            "discovered": self.discovered,
            "discovery_error": self.discovery_error,
            "tests": self.tests,
            "tools": {k: v.to_dict() for k, v in self.tools.items()},
            "reads": self.reads,
            "prompts": self.prompts,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ServerCoverage:
        return cls(
            surface=Surface.from_dict(data.get("surface", {})),
            discovered=bool(data.get("discovered")),
            discovery_error=data.get("discovery_error"),
            tests=int(data.get("tests", 0)),
            tools={k: ToolUse.from_dict(v) for k, v in data.get("tools", {}).items()},
            reads={k: list(v) for k, v in data.get("reads", {}).items()},
            prompts={
                k: {"ok": v["ok"], "error": v["error"], "arguments": dict(v["arguments"])}
                for k, v in data.get("prompts", {}).items()
            },
        )


@dataclass
class CoverageData:
    """Every server's coverage in one test process (or merged from all xdist workers)."""

    servers: dict[str, ServerCoverage] = field(default_factory=dict)

    def server(self, key: str) -> ServerCoverage:
        return self.servers.setdefault(key, ServerCoverage())

    def merge(self, other: CoverageData) -> None:
        for key, server in other.servers.items():
            self.server(key).merge(server)

    def dumps(self) -> str:
        """A JSON string (what an xdist worker sends to the controller)."""
        return json.dumps({"format": FORMAT, "servers": {k: v.to_dict() for k, v in self.servers.items()}})

    @classmethod
    def loads(cls, text: str) -> CoverageData:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"not {FORMAT} data: format {data.get('format')!r}")
        return cls({k: ServerCoverage.from_dict(v) for k, v in data["servers"].items()})


# -- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One advertised tool, resource, template or prompt, and which of its items the run covered."""

    kind: str
    name: str
    items: tuple[tuple[str, bool], ...]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def hit(self) -> int:
        return sum(1 for _, covered in self.items if covered)

    @property
    def missing(self) -> list[str]:
        return [item for item, covered in self.items if not covered]


@dataclass(frozen=True)
class ServerReport:
    server: str
    entries: tuple[Entry, ...]
    unadvertised: dict[str, list[str]]
    surface_known: bool
    discovery_error: str | None
    tests: int

    @property
    def total(self) -> int:
        return sum(entry.total for entry in self.entries)

    @property
    def hit(self) -> int:
        return sum(entry.hit for entry in self.entries)

    @property
    def percent(self) -> float:
        return percent(self.hit, self.total)


@dataclass(frozen=True)
class CoverageReport:
    servers: tuple[ServerReport, ...]

    @property
    def total(self) -> int:
        return sum(server.total for server in self.servers)

    @property
    def hit(self) -> int:
        return sum(server.hit for server in self.servers)

    @property
    def percent(self) -> float:
        return percent(self.hit, self.total)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "totals": _totals(self.hit, self.total),
            "servers": [
                {
                    "server": server.server,
                    "tests": server.tests,
                    "surface_known": server.surface_known,
                    "discovery_error": server.discovery_error,
                    "totals": _totals(server.hit, server.total),
                    "entries": [
                        {
                            "kind": entry.kind,
                            "name": entry.name,
                            "totals": _totals(entry.hit, entry.total),
                            "items": {item: covered for item, covered in entry.items},
                            "missing": entry.missing,
                        }
                        for entry in server.entries
                    ],
                    "unadvertised": server.unadvertised,
                }
                for server in self.servers
            ],
        }


def percent(hit: int, total: int) -> float:
    return 100.0 * hit / total if total else 100.0


def display_percent(value: float) -> str:
    """Whole percent, never rounded up to 100 nor down to 0 (like coverage.py)."""
    if 0 < value < 1:
        return "1%"
    if 99 < value < 100:
        return "99%"
    return f"{round(value)}%"


def _totals(hit: int, total: int) -> dict[str, Any]:
    return {"items": total, "covered": hit, "missing": total - hit, "percent": round(percent(hit, total), 2)}


def build_report(data: CoverageData) -> CoverageReport:
    return CoverageReport(tuple(_server_report(key, data.servers[key]) for key in sorted(data.servers)))


def _server_report(key: str, cov: ServerCoverage) -> ServerReport:
    surface = cov.surface
    entries: list[Entry] = []
    for name in sorted(surface.tools):
        use = cov.tools.get(name, ToolUse())
        items: list[tuple[str, bool]] = [("success", use.success > 0), ("error", use.error > 0)]
        for argument in sorted(surface.tools[name]):
            items.append((f"arg {argument}", use.arguments.get(argument, 0) > 0))
            seen = use.values.get(argument, set())
            items.extend((f"{argument}={value}", value in seen) for value in surface.tools[name][argument])
        entries.append(Entry("tool", name, tuple(items)))
    reads_ok = {uri for uri, (ok, _) in cov.reads.items() if ok}
    for uri in sorted(surface.resources):
        entries.append(Entry("resource", uri, (("read", uri in reads_ok),)))
    patterns = {template: template_regex(template) for template in surface.templates}
    for template in sorted(surface.templates):
        hit = any(patterns[template].fullmatch(uri) for uri in reads_ok - surface.resources)
        entries.append(Entry("template", template, (("read", hit),)))
    for name in sorted(surface.prompts):
        prompt = cov.prompts.get(name, {"ok": 0, "arguments": {}})
        items = [("get", prompt["ok"] > 0)]
        items.extend((f"arg {a}", prompt["arguments"].get(a, 0) > 0) for a in sorted(surface.prompts[name]))
        entries.append(Entry("prompt", name, tuple(items)))
    unadvertised: dict[str, list[str]] = {}
    surface_known = cov.discovered or not surface.is_empty()
    if surface_known:
        tools = sorted(set(cov.tools) - set(surface.tools))
        uris = sorted(
            uri
            for uri in cov.reads
            if uri not in surface.resources and not any(p.fullmatch(uri) for p in patterns.values())
        )
        prompts = sorted(set(cov.prompts) - set(surface.prompts))
        unadvertised = {k: v for k, v in (("tools", tools), ("resources", uris), ("prompts", prompts)) if v}
    return ServerReport(key, tuple(entries), unadvertised, surface_known, cov.discovery_error, cov.tests)


# -- rendering --------------------------------------------------------------------------------


def format_table(report: CoverageReport, *, missing: bool = True) -> list[str]:
    """The terminal table: one block per server, ``Name Items Hit Cover [Missing]``, and a TOTAL."""
    lines: list[str] = []
    for server in report.servers:
        lines.append(f"server: {server.server} ({server.tests} test(s))")
        if not server.surface_known:
            why = f": {server.discovery_error}" if server.discovery_error else ""
            lines.append(f"  surface unknown (the server could not be listed{why})")
            continue
        rows = [
            (f"{e.kind} {e.name}", e.total, e.hit, percent(e.hit, e.total), ", ".join(e.missing))
            for e in server.entries
        ]
        if not missing:
            rows = []
        width = max([len("Name"), len("TOTAL"), *(len(row[0]) for row in rows)])
        header = f"{'Name':<{width}}  Items   Hit  Cover"
        if missing:
            header += "  Missing"
        rule = "-" * len(header)
        lines.append(header)
        lines.append(rule)
        for name, total, hit, value, gaps in rows:
            line = f"{name:<{width}}  {total:>5}  {hit:>4}  {display_percent(value):>5}"
            lines.append(f"{line}  {gaps}" if gaps else line)
        if rows:
            lines.append(rule)
        lines.append(f"{'TOTAL':<{width}}  {server.total:>5}  {server.hit:>4}  {display_percent(server.percent):>5}")
        for kind, names in server.unadvertised.items():
            lines.append(f"not advertised but used: {kind} {', '.join(names)}")
    if len(report.servers) > 1:
        lines.append(f"TOTAL (all servers): {report.hit}/{report.total} items, {display_percent(report.percent)}")
    return lines
