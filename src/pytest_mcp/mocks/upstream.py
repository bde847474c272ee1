"""``FakeUpstream``: a fake MCP server with canned replies, for testing gateways, proxies and clients.

Declare tools, resources and prompts with canned replies, tool errors (``isError`` results),
JSON-RPC errors and delays; serve the fake in-process, over stdio, over Streamable HTTP (a child
process on a free loopback port) or as an in-process ASGI app; then assert on the calls it got.

Every declaration is plain data. For stdio and HTTP the declaration is written as JSON and a child
process runs ``python -m pytest_mcp.mocks.upstream SPEC.json [--http --port N]``; it appends each
call it handles to a JSON-lines file that ``FakeUpstream.calls`` reads back.

The server is the SDK's low-level ``Server``, so a declared reply reaches the client exactly as
declared (no schema generation, no result wrapping). See docs/mocks.md.
"""

from __future__ import annotations

import base64
import json
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, final

from .._docs import docs_url
from ..errors import McpAssertionError, McpUsageError
from .options import FakeUpstreamOptions

__all__ = ["FakeUpstream", "Reply", "UpstreamCall"]

DOCS: Final = docs_url("mocks.md", "mcp_fake_upstream")
TRANSPORTS: Final = ("in_process", "stdio", "http", "asgi")
INVALID_PARAMS: Final = -32602


@dataclass(frozen=True)
class Reply:
    """One canned reply. For a tool: ``text``, ``structured`` and/or ``content`` (MCP content blocks as
    dicts), or ``error`` (an ``isError`` result with that text), or ``rpc_error`` (a JSON-RPC error:
    ``(code, message)`` or ``(code, message, data)``). For a resource: ``text`` or ``blob`` (bytes)
    and ``mime_type``. For a prompt: ``text`` (one user message) or ``messages``
    (``[{"role": "user", "text": ...}]``). ``delay``: seconds to wait before answering.
    """

    text: str | None = None
    structured: Any = None
    content: Sequence[Mapping[str, Any]] | None = None
    error: str | None = None
    rpc_error: tuple[Any, ...] | None = None
    delay: float = 0.0
    blob: bytes | None = None
    mime_type: str | None = None
    messages: Sequence[Mapping[str, Any]] | None = None

    def __post_init__(self) -> None:
        if self.rpc_error is not None:
            if not (isinstance(self.rpc_error, list | tuple) and 2 <= len(self.rpc_error) <= 3):
                raise McpUsageError(
                    f"Reply(rpc_error={self.rpc_error!r}): give (code, message) or (code, message, data)"
                )
            object.__setattr__(self, "rpc_error", tuple(self.rpc_error))
        if self.delay < 0:
            raise McpUsageError(f"Reply(delay={self.delay!r}): a delay is a number of seconds >= 0")

    def to_json(self) -> dict[str, Any]:
        data = {key: value for key, value in asdict(self).items() if value is not None}
        if not self.delay:
            data.pop("delay")
        if self.rpc_error is not None:
            data["rpc_error"] = list(self.rpc_error)
        if self.blob is not None:
            data["blob"] = base64.b64encode(self.blob).decode()
        if self.content is not None:
            data["content"] = [dict(block) for block in self.content]
        if self.messages is not None:
            data["messages"] = [dict(message) for message in self.messages]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reply:
        values = dict(data)
        if "blob" in values:
            values["blob"] = base64.b64decode(values["blob"])
        if "rpc_error" in values:
            values["rpc_error"] = tuple(values["rpc_error"])
        return cls(**values)


_REPLY_FIELDS: Final = frozenset(Reply.__dataclass_fields__)


@dataclass(frozen=True)
class UpstreamCall:
    """A request the fake received: ``method`` (``tools/call``, ``resources/read``, ``prompts/get``,
    ``tools/list``, ...), the tool / prompt name or resource URI, and the arguments."""

    method: str
    name: str | None = None
    arguments: Any = None
    time: float = 0.0
    known: bool = True
    """False for a tool, resource or prompt the fake does not declare (it answered with an error)."""


@dataclass
class _Declared:
    kind: str  # "tool", "resource", "prompt"
    key: str  # tool or prompt name, resource URI
    replies: list[Reply]
    meta: dict[str, Any] = field(default_factory=dict)
    when: dict[str, Any] | None = None
    served: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "replies": [reply.to_json() for reply in self.replies],
            "meta": self.meta,
            "when": self.when,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> _Declared:
        replies = [Reply.from_json(reply) for reply in data["replies"]]
        return cls(data["kind"], data["key"], replies, dict(data["meta"]), data.get("when"))

    def next_reply(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


def _replies(kind: str, key: str, replies: Sequence[Reply | str], shortcut: Mapping[str, Any]) -> list[Reply]:
    unknown = set(shortcut) - _REPLY_FIELDS
    if unknown:
        raise McpUsageError(
            f"{kind} {key!r}: unknown keyword(s) {', '.join(sorted(unknown))}; a reply takes {', '.join(sorted(_REPLY_FIELDS))}"
        )
    built = [Reply(text=reply) if isinstance(reply, str) else reply for reply in replies]
    if shortcut:
        built.append(Reply(**shortcut))
    for reply in built:
        if not isinstance(reply, Reply):
            raise McpUsageError(f"{kind} {key!r}: a reply is a Reply(...) or a string, not {reply!r}")
    return built or [Reply(text="")]


# -- the server, built from the declarations (here and in the child process) ---------------------


class _Spec:
    """The declarations a server answers from, and where its calls go."""

    def __init__(
        self,
        name: str,
        version: str,
        instructions: str | None,
        declared: list[_Declared],
        record: Callable[[UpstreamCall], None],
    ) -> None:
        self.name, self.version, self.instructions = name, version, instructions
        self.declared = declared
        self.record = record
        self.lock = threading.Lock()

    def of_kind(self, kind: str) -> list[_Declared]:
        seen: dict[str, _Declared] = {}
        for item in self.declared:
            if item.kind == kind:
                seen.setdefault(item.key, item)
        return list(seen.values())

    def find(self, kind: str, key: str, arguments: Mapping[str, Any] | None) -> _Declared | None:
        candidates = [item for item in self.declared if item.kind == kind and item.key == key]
        given = dict(arguments or {})
        for item in [c for c in candidates if c.when is not None] + [c for c in candidates if c.when is None]:
            if item.when is None or all(given.get(name, _MISSING) == value for name, value in item.when.items()):
                return item
        return None

    def take(self, kind: str, key: str, method: str, arguments: Any) -> Reply | None:
        with self.lock:
            item = self.find(kind, key, arguments if isinstance(arguments, Mapping) else None)
            reply = item.next_reply() if item is not None else None
        self.record(UpstreamCall(method, key, arguments, time.time(), known=item is not None))
        return reply


_MISSING: Final = object()


async def _answer(reply: Reply) -> Reply:
    """Wait the reply's ``delay``, then raise its ``rpc_error`` or hand it back."""
    import anyio
    from mcp.shared.exceptions import MCPError

    if reply.delay:
        await anyio.sleep(reply.delay)
    if reply.rpc_error is not None:
        raise MCPError(*reply.rpc_error)
    return reply


def _tool_handlers(spec: _Spec) -> dict[str, Any]:
    """``on_list_tools`` and ``on_call_tool``: the canned tools and their replies."""
    import mcp_types as types
    from mcp.shared.exceptions import MCPError
    from pydantic import TypeAdapter

    blocks = TypeAdapter(list[types.ContentBlock])

    async def list_tools(ctx: Any, params: Any) -> Any:
        spec.record(UpstreamCall("tools/list", time=time.time()))
        tools = [
            types.Tool(
                name=item.key,
                description=item.meta.get("description"),
                input_schema=item.meta.get("input_schema") or {"type": "object"},
                output_schema=item.meta.get("output_schema"),
            )
            for item in spec.of_kind("tool")
        ]
        return types.ListToolsResult(tools=tools)

    async def call_tool(ctx: Any, params: Any) -> Any:
        reply = spec.take("tool", params.name, "tools/call", params.arguments)
        if reply is None:
            raise MCPError(INVALID_PARAMS, f"Unknown tool: {params.name}")
        reply = await _answer(reply)
        if reply.error is not None:
            return types.CallToolResult(content=[types.TextContent(type="text", text=reply.error)], is_error=True)
        content: list[Any] = []
        if reply.text is not None:
            content.append(types.TextContent(type="text", text=reply.text))
        if reply.content is not None:
            content.extend(blocks.validate_python([dict(block) for block in reply.content]))
        if not content and reply.structured is not None:
            content.append(types.TextContent(type="text", text=json.dumps(reply.structured)))
        return types.CallToolResult(content=content, structured_content=reply.structured, is_error=False)

    return {"on_list_tools": list_tools, "on_call_tool": call_tool}


def _resource_handlers(spec: _Spec) -> dict[str, Any]:
    """``on_list_resources`` and ``on_read_resource``: the canned resources and their contents."""
    import mcp_types as types
    from mcp.shared.exceptions import MCPError

    async def list_resources(ctx: Any, params: Any) -> Any:
        spec.record(UpstreamCall("resources/list", time=time.time()))
        resources = [
            types.Resource(
                uri=item.key,
                name=item.meta.get("name") or item.key,
                description=item.meta.get("description"),
                mime_type=item.meta.get("mime_type"),
            )
            for item in spec.of_kind("resource")
        ]
        return types.ListResourcesResult(resources=resources)

    async def read_resource(ctx: Any, params: Any) -> Any:
        uri = str(params.uri)
        reply = spec.take("resource", uri, "resources/read", None)
        if reply is None:
            raise MCPError(INVALID_PARAMS, f"Resource not found: {uri}", {"uri": uri})
        reply = await _answer(reply)
        mime = reply.mime_type or spec.find("resource", uri, None).meta.get("mime_type")  # type: ignore[union-attr]
        if reply.blob is not None:
            contents: Any = types.BlobResourceContents(
                uri=uri, blob=base64.b64encode(reply.blob).decode(), mime_type=mime
            )
        else:
            contents = types.TextResourceContents(uri=uri, text=reply.text or "", mime_type=mime)
        return types.ReadResourceResult(contents=[contents])

    return {"on_list_resources": list_resources, "on_read_resource": read_resource}


def _prompt_handlers(spec: _Spec) -> dict[str, Any]:
    """``on_list_prompts`` and ``on_get_prompt``: the canned prompts and their messages."""
    import mcp_types as types
    from mcp.shared.exceptions import MCPError

    async def list_prompts(ctx: Any, params: Any) -> Any:
        spec.record(UpstreamCall("prompts/list", time=time.time()))
        prompts = [
            types.Prompt(
                name=item.key,
                description=item.meta.get("description"),
                arguments=[
                    types.PromptArgument(name=argument, required=True) for argument in item.meta.get("arguments", [])
                ],
            )
            for item in spec.of_kind("prompt")
        ]
        return types.ListPromptsResult(prompts=prompts)

    async def get_prompt(ctx: Any, params: Any) -> Any:
        reply = spec.take("prompt", params.name, "prompts/get", params.arguments)
        if reply is None:
            raise MCPError(INVALID_PARAMS, f"Unknown prompt: {params.name}")
        reply = await _answer(reply)
        raw = reply.messages if reply.messages is not None else [{"role": "user", "text": reply.text or ""}]
        messages = [
            types.PromptMessage.model_validate(
                {"role": message.get("role", "user"), "content": types.TextContent(type="text", text=message["text"])}
            )
            for message in raw
        ]
        description = spec.find("prompt", params.name, None).meta.get("description")  # type: ignore[union-attr]
        return types.GetPromptResult(messages=messages, description=description)

    return {"on_list_prompts": list_prompts, "on_get_prompt": get_prompt}


def build_server(spec: _Spec) -> Any:
    """A low-level SDK ``Server`` answering from ``spec``."""
    from mcp.server import Server

    return Server(
        spec.name,
        version=spec.version,
        instructions=spec.instructions,
        **_tool_handlers(spec),
        **_resource_handlers(spec),
        **_prompt_handlers(spec),
    )


# -- the public class -----------------------------------------------------------------------------


@final
class FakeUpstream:
    """A fake MCP server: ``with FakeUpstream("weather") as up: up.tool("forecast", text="sunny")``.

    ``transport``: how ``target`` serves it: ``in_process`` (default), ``stdio``, ``http`` (a child
    process on a free loopback port) or ``asgi``. ``tools`` / ``resources`` / ``prompts`` declare
    replies up front as ``{name: "text" | Reply(...) | {tool() keywords}}`` (what a marker can
    carry). ``assert_all_called``: on ``close()``, fail if a declared tool, resource or prompt was
    never called. The arguments are those of ``FakeUpstreamOptions`` (the marker's signature too),
    or one ``FakeUpstreamOptions``.
    """

    def __init__(self, options: FakeUpstreamOptions | str | None = None, /, **keywords: Any) -> None:
        if isinstance(options, FakeUpstreamOptions):
            if keywords:
                raise McpUsageError("pass FakeUpstream either a FakeUpstreamOptions or a name and keywords, not both")
        else:
            options = FakeUpstreamOptions(**keywords) if options is None else FakeUpstreamOptions(options, **keywords)
        if options.transport not in TRANSPORTS:
            raise McpUsageError(f"FakeUpstream(transport={options.transport!r}): choose one of {', '.join(TRANSPORTS)}")
        self.name = options.name
        self.transport = options.transport
        self.version = options.version
        self.instructions = options.instructions
        self.assert_all_called = options.assert_all_called
        self._declared: list[_Declared] = []
        self._calls: list[UpstreamCall] = []
        self._server: Any = None
        self._dir: Path | None = None
        self._running: Any = None
        self._frozen = False
        for kind, table in (("tool", options.tools), ("resource", options.resources), ("prompt", options.prompts)):
            for key, value in (table or {}).items():
                self._declare_from_table(kind, key, value)

    def _declare_from_table(self, kind: str, key: str, value: Any) -> None:
        method = getattr(self, kind)
        if isinstance(value, Mapping):
            method(key, **value)
        elif isinstance(value, Sequence) and not isinstance(value, str):
            method(key, *value)
        else:
            method(key, value)

    # -- declarations ---------------------------------------------------------------------------
    def _add(self, item: _Declared) -> None:
        if self._frozen:
            raise McpUsageError(
                f"FakeUpstream {self.name!r}: declare {item.kind} {item.key!r} before the {self.transport} server "
                "starts (before taking .target, .url or .command): the child process has already read its declaration"
            )
        self._declared.append(item)

    def tool(
        self,
        name: str,
        *replies: Reply | str,
        description: str | None = None,
        input_schema: Mapping[str, Any] | None = None,
        output_schema: Mapping[str, Any] | None = None,
        when: Mapping[str, Any] | None = None,
        **reply: Any,
    ) -> FakeUpstream:
        """Declare a tool. Replies: positional ``Reply``/strings (successive calls get successive
        replies, the last one repeats) or the keywords of one ``Reply`` (``text=``, ``error=``, ...).
        ``when={"city": "Paris"}`` answers only calls with those arguments (checked before
        declarations without ``when``)."""
        meta = {"description": description, "input_schema": dict(input_schema) if input_schema else None}
        meta["output_schema"] = dict(output_schema) if output_schema else None
        built = _replies("tool", name, replies, reply)
        self._add(_Declared("tool", name, built, meta, dict(when) if when is not None else None))
        return self

    def resource(
        self,
        uri: str,
        *replies: Reply | str,
        name: str | None = None,
        description: str | None = None,
        mime_type: str | None = None,
        **reply: Any,
    ) -> FakeUpstream:
        """Declare a resource answering ``text=`` / ``blob=`` (or ``rpc_error=``, ``delay=``)."""
        meta = {"name": name, "description": description, "mime_type": mime_type}
        self._add(_Declared("resource", uri, _replies("resource", uri, replies, reply), meta))
        return self

    def prompt(
        self,
        name: str,
        *replies: Reply | str,
        description: str | None = None,
        arguments: Sequence[str] = (),
        **reply: Any,
    ) -> FakeUpstream:
        """Declare a prompt answering ``text=`` (one user message) or ``messages=[{"role", "text"}]``."""
        meta = {"description": description, "arguments": list(arguments)}
        self._add(_Declared("prompt", name, _replies("prompt", name, replies, reply), meta))
        return self

    # -- serving --------------------------------------------------------------------------------
    @property
    def server(self) -> Any:
        """The in-process low-level SDK ``Server`` (for ``mcp.Client(upstream.server)``)."""
        if self._server is None:
            spec = _Spec(self.name, self.version, self.instructions, self._declared, self._calls.append)
            self._server = build_server(spec)
        return self._server

    def spec(self) -> dict[str, Any]:
        """The declaration as JSON data (what a child process serves)."""
        return {
            "name": self.name,
            "version": self.version,
            "instructions": self.instructions,
            "declared": [item.to_json() for item in self._declared],
            "calls_file": str(self._workdir() / "calls.jsonl"),
        }

    def _workdir(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="pytest-mcp-upstream-"))
        return self._dir

    def _spec_file(self) -> str:
        path = self._workdir() / "spec.json"
        if not self._frozen:
            path.write_text(json.dumps(self.spec()))
            (self._workdir() / "calls.jsonl").touch()
            self._frozen = True
        return str(path)

    @property
    def command(self) -> list[str]:
        """The stdio command line of this fake (for a gateway that spawns its upstreams itself)."""
        return [sys.executable, "-m", "pytest_mcp.mocks.upstream", self._spec_file()]

    @property
    def target(self) -> Any:
        """A core ``Target`` serving this fake over its ``transport`` (for ``mcp_client_factory(server=...)``)."""
        from ..server.targets import asgi, in_process, spawn_http, stdio

        label = f"upstream-{self.name}"
        if self.transport == "in_process":
            return in_process(self.server, name=label)
        if self.transport == "asgi":
            return asgi(self.server, name=label)
        if self.transport == "stdio":
            return stdio(*self.command, name=label)
        return spawn_http(*self.command, "--http", "--port", "{port}", name=label)

    @property
    def url(self) -> str:
        """The Streamable HTTP URL of the running fake (``transport="http"``; starts it on first use)."""
        if self.transport != "http":
            raise McpUsageError(f"FakeUpstream {self.name!r} has transport={self.transport!r}; url needs 'http'")
        if self._running is None:
            from ..server.running import RunningServer
            from ..settings import Settings

            self._running = RunningServer(self.target, Settings()).start()
        return str(self._running.url)

    # -- what happened --------------------------------------------------------------------------
    @property
    def calls(self) -> list[UpstreamCall]:
        """Every request the fake handled, in order (from every process serving it)."""
        if not self._frozen:
            return list(self._calls)
        path = self._workdir() / "calls.jsonl"
        lines = path.read_text().splitlines() if path.exists() else []
        return [*self._calls, *(UpstreamCall(**json.loads(line)) for line in lines if line.strip())]

    def calls_to(self, name: str, method: str | None = None) -> list[UpstreamCall]:
        """The calls of tool / prompt ``name`` or resource URI ``name`` (optionally of one ``method``)."""
        return [call for call in self.calls if call.name == name and (method is None or call.method == method)]

    def call_count(self, name: str) -> int:
        return len(self.calls_to(name))

    def problems(self) -> list[str]:
        if not self.assert_all_called:
            return []
        called = {call.name for call in self.calls if call.known}
        missed = sorted({f"{item.kind} {item.key!r}" for item in self._declared if item.key not in called})
        if not missed:
            return []
        return [
            f"FakeUpstream {self.name!r}: declared but never called: {', '.join(missed)}. Calls it got: "
            f"{', '.join(f'{c.method} {c.name}' for c in self.calls if c.name) or '(none)'}. "
            "Use assert_all_called=False if they are optional."
        ]

    def verify(self) -> None:
        __tracebackhide__ = True
        found = self.problems()
        if found:
            raise McpAssertionError("\n".join(found) + f" See {DOCS}.")

    # -- life cycle -----------------------------------------------------------------------------
    def start(self) -> FakeUpstream:
        """Start the child process of an ``http`` fake now (others start when a client connects)."""
        if self.transport == "http":
            self.url  # noqa: B018 - starts it
        return self

    def close(self, *, verify: bool = True) -> None:
        """Stop a child process started by ``url``/``start()``, remove temp files, then verify."""
        __tracebackhide__ = True
        found = self.problems() if verify else []
        running, self._running = self._running, None
        if running is not None:
            running.stop()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
        if found:
            raise McpAssertionError("\n".join(found) + f" See {DOCS}.")

    def __enter__(self) -> FakeUpstream:
        return self.start()

    def __exit__(self, exc_type: Any, *exc_info: object) -> None:
        __tracebackhide__ = True
        self.close(verify=exc_type is None)

    async def __aenter__(self) -> FakeUpstream:
        return self.start()

    async def __aexit__(self, exc_type: Any, *exc_info: object) -> None:
        __tracebackhide__ = True
        self.close(verify=exc_type is None)

    def __repr__(self) -> str:
        kinds = {
            kind: len({i.key for i in self._declared if i.kind == kind}) for kind in ("tool", "resource", "prompt")
        }
        return f"<FakeUpstream {self.name!r} {self.transport} tools={kinds['tool']} resources={kinds['resource']} prompts={kinds['prompt']}>"


# -- the child process ----------------------------------------------------------------------------


def _file_recorder(path: str) -> Callable[[UpstreamCall], None]:
    lock = threading.Lock()

    def record(call: UpstreamCall) -> None:
        line = json.dumps(asdict(call), default=str) + "\n"
        with lock, open(path, "a", encoding="utf-8") as handle:
            handle.write(line)

    return record


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m pytest_mcp.mocks.upstream SPEC.json [--http --port N]``."""
    import argparse

    import anyio

    parser = argparse.ArgumentParser(prog="python -m pytest_mcp.mocks.upstream", description=__doc__)
    parser.add_argument("spec", help="the JSON declaration written by FakeUpstream")
    parser.add_argument("--http", action="store_true", help="serve Streamable HTTP instead of stdio")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    data = json.loads(Path(args.spec).read_text())
    declared = [_Declared.from_json(item) for item in data["declared"]]
    spec = _Spec(data["name"], data["version"], data["instructions"], declared, _file_recorder(data["calls_file"]))
    server = build_server(spec)
    if args.http:
        import uvicorn

        app = server.streamable_http_app(host="127.0.0.1")
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
        return

    async def serve_stdio() -> None:
        from mcp.server.stdio import stdio_server

        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(serve_stdio)


if __name__ == "__main__":
    main()
