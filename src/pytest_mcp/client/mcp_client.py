"""``McpClient``: an SDK client that records its traffic, enforces timeouts and explains failures.

It exposes the SDK ``Client`` API (``list_tools``, ``call_tool``, ``read_resource``, ...) with a
per-request timeout, plus conveniences for tests: ``call(tool, **args)``, ``tool(name)`` with a
"did you mean", whole-list helpers that follow pagination, and a ``raw`` channel for exact bytes.
"""

from __future__ import annotations

import difflib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import anyio
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, PARSE_ERROR, REQUEST_TIMEOUT, CallToolResult, Tool
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import PrivateAttr

from ..errors import McpConnectionError, McpServerCrashed, McpTimeoutError, McpUsageError
from ..protocol import HANDSHAKE_ERA, MODERN_ERA, classify
from ..redact import SECRETS
from ..server.running import RunningServer
from ..server.targets import AsgiTarget
from ..settings import positive_float
from .callbacks import Responder
from .deadline import Deadline
from .options import ClientOptions
from .raw import RawHttp, RawStdio
from .recording import record_traffic
from .transcript import Transcript
from .watchdog import abandon

__all__ = ["CallOutcome", "McpClient", "McpEraUnsupported", "ToolResult", "connect"]

MAX_PAGES: Final = 1000


_GUARDED: Final = (TimeoutError, MCPError, anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream)
"""Failures a request can end in that may mean "no reply in time" or "the server died"."""


_set: Final = object.__setattr__
"""Sets pydantic's own slots without going through ``BaseModel.__setattr__``."""


class McpEraUnsupported(McpConnectionError):
    """The server does not speak the protocol era the test asked for."""


class ToolResult(CallToolResult):
    """A ``CallToolResult`` that remembers which server, tool and arguments produced it."""

    _tool: str = PrivateAttr(default="")
    _arguments: Any = PrivateAttr(default=None)
    _server: str = PrivateAttr(default="")

    @classmethod
    def wrap(cls, result: CallToolResult, tool: str, arguments: Any, server: str) -> ToolResult:
        """A copy of ``result`` that knows its tool, arguments and server (``result`` is left as it is).

        What ``model_construct`` does (no second validation: the SDK validated the result), in the
        few steps a result needs: pydantic's ``model_construct`` costs a tool call about 7% more
        (``benchmarks/call_opcodes.py``).
        """
        wrapped = cls.__new__(cls)
        _set(wrapped, "__dict__", dict(result.__dict__))
        _set(wrapped, "__pydantic_fields_set__", set(result.model_fields_set))
        _set(wrapped, "__pydantic_extra__", result.__pydantic_extra__)
        _set(wrapped, "__pydantic_private__", {"_tool": tool, "_arguments": arguments, "_server": server})
        return wrapped

    @property
    def tool(self) -> str:
        return self._tool

    @property
    def arguments(self) -> Any:
        return self._arguments

    @property
    def server(self) -> str:
        return self._server

    @property
    def text(self) -> str:
        """All text content blocks joined by newlines."""
        return "\n".join(getattr(block, "text", "") for block in self.content if getattr(block, "type", "") == "text")

    @property
    def structured(self) -> Any:
        return self.structured_content


@dataclass
class CallOutcome:
    """How a tool call ended, whatever happened: a result, a JSON-RPC error, a timeout or a crash."""

    tool: str
    arguments: Any
    server: str
    result: ToolResult | None = None
    error: BaseException | None = None

    @property
    def kind(self) -> str:
        """``"ok"``, ``"is_error"``, ``"protocol_error"``, ``"timeout"``, ``"crash"``, ``"connection"`` or ``"exception"``."""
        return classify(self.result if self.result is not None else self.error).kind

    @property
    def code(self) -> int | None:
        return self.error.code if isinstance(self.error, MCPError) else None


@dataclass(repr=False)
class McpClient:
    """A connected, era-negotiated client for one test (see ``mcp_client``)."""

    sdk: Client
    server: RunningServer
    transcript: Transcript
    timeout: float
    responder: Responder
    exit_stack: AsyncExitStack
    headers: dict[str, str] = field(default_factory=dict)
    _tools: list[Tool] | None = None
    _raw: Any = None
    _description: str | None = None

    @property
    def notifications(self) -> list[dict[str, Any]]:
        """Every notification the server sent this client, as ``{"method": ..., "params": ...}``."""
        return [
            {"method": m.method, "params": m.payload}
            for m in self.transcript.messages
            if m.kind == "notification" and m.direction == "<-"
        ]

    @property
    def log_messages(self) -> list[dict[str, Any]]:
        """The params of every ``notifications/message`` (log message) the server sent."""
        return [n["params"] for n in self.notifications if n["method"] == "notifications/message"]

    def __repr__(self) -> str:
        try:
            version = self.protocol_version
        except RuntimeError:
            version = "not connected"
        return f"<McpClient {self.describe()} protocol={version}>"

    # -- connection facts ---------------------------------------------------------------------
    @property
    def protocol_version(self) -> str:
        return self.sdk.protocol_version

    @property
    def era(self) -> str:
        """``"2026-07-28"`` for the stateless protocol, ``"2025-11-25"`` for the handshake era."""
        return MODERN_ERA if self.protocol_version in MODERN_PROTOCOL_VERSIONS else HANDSHAKE_ERA

    @property
    def server_info(self) -> Any:
        return self.sdk.server_info

    @property
    def server_capabilities(self) -> Any:
        return self.sdk.server_capabilities

    @property
    def instructions(self) -> str | None:
        return self.sdk.instructions

    @property
    def session(self) -> Any:
        return self.sdk.session

    def describe(self) -> str:
        if self._description is None:
            self._description = self.server.describe()
        return self._description

    # -- the timeout / crash guard ------------------------------------------------------------
    @asynccontextmanager
    async def guard(self, method: str, label: str = "", timeout: float | None = None) -> AsyncIterator[None]:
        """Bound the block by ``timeout`` (default: the client's), the one deadline of every request
        on every transport (``_deadline.Deadline``). Fails with a readable error when the server does
        not answer in time or has died."""
        __tracebackhide__ = True
        limit = self.timeout if timeout is None else check_timeout(timeout, "timeout=...")
        deadline = Deadline(limit)
        try:
            async with deadline:
                yield
        except _GUARDED as exc:
            replacement = await self._explain(TimeoutError() if deadline.fired else exc, method, label, limit)
            if replacement is None:
                raise
            raise replacement from None
        if deadline.fired:  # also when the code inside swallowed the cancellation and went on, late
            raise await self._late(method, label, limit)

    async def _late(self, method: str, label: str, limit: float) -> BaseException:
        """The error for a request whose deadline passed."""
        replacement = await self._explain(TimeoutError(), method, label, limit)
        assert replacement is not None  # a timeout always has its explanation
        return replacement

    async def _explain(self, exc: BaseException, method: str, label: str, limit: float) -> BaseException | None:
        """The readable error for a request that timed out or whose server died; None to keep ``exc``."""
        what = f"{method} {label}".strip()
        if isinstance(exc, McpTimeoutError):
            return None
        if isinstance(exc, TimeoutError) or (isinstance(exc, MCPError) and exc.code == REQUEST_TIMEOUT):
            crash = self.server.crash_report()
            if crash:
                process = self.server.process
                assert process is not None
                return McpServerCrashed(
                    f"no reply to {what}: {crash}", returncode=process.returncode, stderr_tail=process.stderr_tail()
                )
            if self.server.kind in ("in_process", "asgi"):  # its handler may be stuck on a thread: see _watchdog
                abandon(f"{what} of the {self.describe()}")
            return McpTimeoutError(
                f"no reply to {what} within {limit:g} s from the {self.describe()} "
                "(raise it with --mcp-timeout, ini mcp_timeout or @pytest.mark.mcp_timeout(seconds))",
                method=method,
                timeout=limit,
            )
        if isinstance(exc, MCPError) and exc.code not in (CONNECTION_CLOSED, PARSE_ERROR):
            return None  # a parse error may be a reply cut short by the server's death: look
        crash = await self.server.wait_crash_report()
        if crash is None:
            return None
        process = self.server.process
        assert process is not None
        return McpServerCrashed(
            f"{what} failed because {crash}", returncode=process.returncode, stderr_tail=process.stderr_tail()
        )

    # -- tools ------------------------------------------------------------------------------
    async def list_tools(self, cursor: str | None = None, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        async with self.guard("tools/list"):
            return await self.sdk.list_tools(cursor=cursor, **kwargs)

    async def tools(self) -> list[Tool]:
        """Every tool the server offers, following ``nextCursor`` through all pages."""
        __tracebackhide__ = True
        self._tools = await self._all_pages("tools/list", self.sdk.list_tools, "tools")
        return self._tools

    async def tool(self, name: str) -> Tool:
        """The tool called ``name``; a typo fails with the closest names the server offers."""
        __tracebackhide__ = True
        tools = self._tools if self._tools is not None else await self.tools()
        for tool in tools:
            if tool.name == name:
                return tool
        names = [tool.name for tool in tools]
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        offered = ", ".join(names) if names else "(no tools)"
        raise McpUsageError(f"the {self.describe()} has no tool {name!r}.{hint} It offers: {offered}")

    async def call_tool(
        self,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        *,
        progress_callback: Any = None,
        meta: Any = None,
        timeout: float | None = None,
        input_responses: Any = None,
        request_state: str | None = None,
    ) -> ToolResult:
        """Call a tool; returns the result (with ``is_error`` set for tool errors). Raises on protocol errors.

        ``progress_callback``, ``meta``, ``input_responses`` and ``request_state`` go to the SDK's
        ``Client.call_tool``; ``timeout`` bounds the call (default: the client's).
        """
        __tracebackhide__ = True
        args = dict(arguments) if arguments is not None else None
        limit = self.timeout if timeout is None else check_timeout(timeout, "call_tool(timeout=...)")
        # The hot path of every test and load run: what ``guard`` does, written out (no generator).
        deadline = Deadline(limit)
        try:
            async with deadline:
                result = await self.sdk.call_tool(
                    name,
                    args,
                    progress_callback=progress_callback,
                    input_responses=input_responses,
                    request_state=request_state,
                    meta=meta,
                )
        except _GUARDED as exc:
            replacement = await self._explain(
                TimeoutError() if deadline.fired else exc, "tools/call", repr(name), limit
            )
            if replacement is None:
                raise
            raise replacement from None
        if deadline.fired:  # no reply in time, or the handler swallowed the cancellation and answered late
            raise await self._late("tools/call", repr(name), limit)
        return ToolResult.wrap(result, name, args, self.describe())

    async def call(self, name: str, /, **arguments: Any) -> ToolResult:
        """``await mcp_client.call("add", a=1, b=2)``: call a tool with keyword arguments."""
        __tracebackhide__ = True
        return await self.call_tool(name, arguments)

    async def outcome(
        self, name: str, arguments: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> CallOutcome:
        """Call a tool and capture how it ended instead of raising (for ``assert_tool_error``)."""
        __tracebackhide__ = True
        args = dict(arguments) if arguments is not None else None
        outcome = CallOutcome(tool=name, arguments=args, server=self.describe())
        try:
            outcome.result = await self.call_tool(name, args, timeout=timeout)
        except (MCPError, McpConnectionError) as exc:
            outcome.error = exc
        return outcome

    # -- resources, prompts, completion --------------------------------------------------------
    async def list_resources(self, cursor: str | None = None, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        async with self.guard("resources/list"):
            return await self.sdk.list_resources(cursor=cursor, **kwargs)

    async def resources(self) -> list[Any]:
        __tracebackhide__ = True
        return await self._all_pages("resources/list", self.sdk.list_resources, "resources")

    async def list_resource_templates(self, cursor: str | None = None, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        async with self.guard("resources/templates/list"):
            return await self.sdk.list_resource_templates(cursor=cursor, **kwargs)

    async def resource_templates(self) -> list[Any]:
        __tracebackhide__ = True
        return await self._all_pages("resources/templates/list", self.sdk.list_resource_templates, "resource_templates")

    async def read_resource(self, uri: str, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        async with self.guard("resources/read", repr(uri)):
            return await self.sdk.read_resource(uri, **kwargs)

    async def list_prompts(self, cursor: str | None = None, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        async with self.guard("prompts/list"):
            return await self.sdk.list_prompts(cursor=cursor, **kwargs)

    async def prompts(self) -> list[Any]:
        __tracebackhide__ = True
        return await self._all_pages("prompts/list", self.sdk.list_prompts, "prompts")

    async def get_prompt(self, name: str, arguments: Mapping[str, str] | None = None, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        async with self.guard("prompts/get", repr(name)):
            return await self.sdk.get_prompt(name, dict(arguments) if arguments is not None else None, **kwargs)

    async def complete(
        self, ref: Any, argument: Mapping[str, str], context_arguments: Mapping[str, str] | None = None
    ) -> Any:
        __tracebackhide__ = True
        async with self.guard("completion/complete"):
            return await self.sdk.complete(ref, dict(argument), dict(context_arguments) if context_arguments else None)

    async def ping(self) -> Any:
        """``ping`` (handshake era only; removed in 2026-07-28)."""
        __tracebackhide__ = True
        async with self.guard("ping"):
            return await self.sdk.session.send_ping()

    async def set_logging_level(self, level: str) -> Any:
        """``logging/setLevel`` (handshake era only)."""
        __tracebackhide__ = True
        async with self.guard("logging/setLevel", repr(level)):
            return await self.sdk.session.set_logging_level(level)  # type: ignore[arg-type]

    async def _all_pages(self, method: str, fetch: Any, attribute: str) -> list[Any]:
        __tracebackhide__ = True
        items: list[Any] = []
        seen: set[str] = set()
        cursor = None
        for _ in range(MAX_PAGES):
            async with self.guard(method, f"(cursor={cursor!r})" if cursor else ""):
                page = await fetch(cursor=cursor)
            items.extend(getattr(page, attribute))
            cursor = page.next_cursor
            if not cursor:
                return items
            if cursor in seen:
                raise McpUsageError(
                    f"{method} on the {self.describe()} returned the cursor {cursor!r} twice: pagination never ends"
                )
            seen.add(cursor)
        raise McpUsageError(f"{method} on the {self.describe()} returned more than {MAX_PAGES} pages")

    # -- raw channel --------------------------------------------------------------------------
    @property
    def raw(self) -> RawHttp | RawStdio:
        """Exact bytes to the server: ``RawStdio`` (a fresh copy of a stdio server) or ``RawHttp``."""
        if self._raw is None:
            self._raw = self._open_raw()
        return self._raw  # type: ignore[no-any-return]

    def _open_raw(self) -> RawHttp | RawStdio:
        kind = self.server.kind
        if kind == "stdio":
            command, env, cwd = self.server.stdio_command()
            channel = RawStdio(command, env, cwd, timeout=self.timeout, transcript=self.transcript)
            self.exit_stack.push_async_callback(channel.aclose)
            return channel
        if kind in ("http", "spawn_http"):
            import httpx2

            http_client = httpx2.AsyncClient(headers=self.headers)
            self.exit_stack.push_async_callback(http_client.aclose)
            assert self.server.url is not None
            return RawHttp(http_client, self.server.url, timeout=self.timeout, transcript=self.transcript)
        if kind == "asgi":
            return _LazyAsgiRaw(self)
        raise McpUsageError(
            f"mcp_client.raw needs a stdio or HTTP target; the {self.describe()} runs in-process without JSON-RPC "
            "bytes. Use an asgi(...) or stdio(...) target of the same server for byte-level tests."
        )


class _LazyAsgiRaw(RawHttp):
    """A ``RawHttp`` whose in-process ASGI app starts on first use (starting it needs an await)."""

    def __init__(self, owner: McpClient) -> None:
        from ..server.asgi_bridge import ASGI_BASE_URL

        target = owner.server.target
        assert isinstance(target, AsgiTarget)
        super().__init__(None, ASGI_BASE_URL + target.path, timeout=owner.timeout, transcript=owner.transcript)
        self._owner = owner

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        if self._client is None:
            self._client = await self._owner.exit_stack.enter_async_context(
                self._owner.server.asgi_http_client(headers=self._owner.headers)
            )
        return await super().request(*args, **kwargs)


@asynccontextmanager
async def connect(
    server: RunningServer,
    *,
    era: str = "auto",
    timeout: float = 10.0,
    connect_timeout: float | None = None,
    transcript: Transcript | None = None,
    dispatcher_wrappers: Sequence[Callable[[Any], Any]] = (),
    options: ClientOptions | None = None,
    **keywords: Any,
) -> AsyncIterator[McpClient]:
    """Connect to a started server in the requested era and yield an ``McpClient``.

    ``options`` (a ``ClientOptions``), or its keywords here (``headers``, ``token``, ``sampling``,
    ``elicitation``, ``roots``, ``log_level``, ``raise_exceptions``): the ``mcp_client`` marker's.
    ``dispatcher_wrappers`` are applied in order to the SDK dispatcher, under the transcript
    recorder (fault injection uses this seam; see docs/chaos.md).
    """
    options = ClientOptions.of(options, keywords)
    timeout = check_timeout(timeout, "connect(timeout=...)")
    limit = timeout if connect_timeout is None else check_timeout(connect_timeout, "connect(connect_timeout=...)")
    transcript = transcript if transcript is not None else Transcript(label=server.describe())
    all_headers = _request_headers(options.headers, options.token, transcript)
    responder = Responder(sampling=options.sampling, elicitation=options.elicitation, roots=options.roots)
    # When the connect deadline passes, on the transcript's clock (taken before the deadline is armed):
    # what happened after it (a request cancelled into an error, a fallback sent then) is no answer in time.
    due = transcript.now() + limit
    # The deadline covers connecting only; it stays entered (lifted) for the client's life, because
    # under trio it is a cancel scope, and the SDK client opens task groups that must nest inside it.
    deadline = Deadline(limit)
    connected = False
    try:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(deadline)
            sdk_server = await stack.enter_async_context(server.sdk_target(headers=all_headers))
            sdk = _sdk_client(sdk_server, era, options, responder)
            record_traffic(sdk, transcript, tuple(dispatcher_wrappers))
            client = McpClient(sdk, server, transcript, timeout, responder, stack, all_headers)
            await _open(stack, sdk, server, era, deadline)
            if deadline.fired:
                raise _timed_out(server, transcript, era, limit, due)  # connected, but too late
            deadline.lift()
            _check_era(server, era, client)
            connected = True
            yield client
    except BaseException as raised:
        # The SDK's task groups wrap whatever crosses them (our own errors, the test's assertion,
        # pytest.skip); hand the single real exception on so reports show it, not a group.
        if deadline.fired and not connected:
            raise _timed_out(server, transcript, era, limit, due) from None
        leaf = _single_exception(raised) if isinstance(raised, BaseExceptionGroup) else raised
        if leaf is None or leaf is raised:
            raise
        raise leaf from None
    if not connected:  # the deadline's cancellation ended connecting, and the scope caught it
        raise _timed_out(server, transcript, era, limit, due)


def _sdk_client(sdk_server: Any, era: str, options: ClientOptions, responder: Responder) -> Client:
    """The SDK client for ``sdk_server`` (a server object or a transport), not yet connected."""
    return Client(
        sdk_server,
        mode="legacy" if era == HANDSHAKE_ERA else "auto",
        raise_exceptions=options.raise_exceptions,
        cache=None,
        log_level=options.log_level,  # type: ignore[arg-type]
        **responder.callbacks(),
    )


def _request_headers(headers: Mapping[str, str] | None, token: str | None, transcript: Transcript) -> dict[str, str]:
    """The HTTP headers of every request, with ``token`` as a bearer; their secrets kept out of reports."""
    all_headers = dict(headers or {})
    SECRETS.add_named(all_headers)
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
        transcript.secrets = (*transcript.secrets, token)
        SECRETS.add_token(token)
    return all_headers


async def _open(stack: AsyncExitStack, sdk: Client, server: RunningServer, era: str, deadline: Deadline) -> None:
    """Enter the SDK client on ``stack`` (transport, then discovery or the handshake); a failure
    that is not the connect deadline's is explained: a crash, a refused era, an unreachable server."""
    try:
        await stack.enter_async_context(sdk)
    except BaseException as raised:
        exc = _single_exception(raised) if isinstance(raised, BaseExceptionGroup) else raised
        if not isinstance(exc, MCPError) or deadline.fired:
            raise  # a cancellation by the deadline is reported as the timeout by connect
        crash = await server.wait_crash_report()
        if crash:
            raise _crashed_while_connecting(server, crash) from exc
        if era in (HANDSHAKE_ERA, MODERN_ERA) and exc.code != CONNECTION_CLOSED:
            raise McpEraUnsupported(
                f"the {server.describe()} refused the {era} connection: {exc.error.message} (code {exc.code})"
            ) from exc
        unreachable = _unreachable(server, exc)
        if unreachable is not None:
            raise unreachable from None
        raise


def _check_era(server: RunningServer, era: str, client: McpClient) -> None:
    """Fail when the test asked for the modern era and the server negotiated an older one."""
    if era == MODERN_ERA and client.era != MODERN_ERA:
        raise McpEraUnsupported(
            f"the {server.describe()} does not speak {MODERN_ERA}: it answered server/discover with no modern "
            f"version and negotiated {client.protocol_version} instead"
        )


def _timed_out(server: RunningServer, transcript: Transcript, era: str, limit: float, due: float) -> BaseException:
    """The error for connecting that did not finish within ``limit``: the crash, if the server died."""
    crash = server.crash_report()
    if crash:
        return _crashed_while_connecting(server, crash)
    return _connect_timeout(server, transcript, era, limit, due)


CONNECT_TIMEOUT_HINT: Final = "connecting may take the larger of --mcp-timeout and --mcp-startup-timeout"


def _connect_timeout(
    server: RunningServer, transcript: Transcript, era: str, limit: float, due: float
) -> McpTimeoutError:
    """The error for connecting that did not finish in time: it names the request that got no reply
    (the last one sent and not answered before the deadline, ``due`` on the transcript's clock) and
    the step of connecting it was."""
    pending: dict[Any, str] = {}
    answered: list[str] = []
    refused: dict[str, Any] = {}  # method -> the error code it was answered with
    for message in transcript.messages:
        if message.time >= due:
            break
        if message.kind == "request" and message.direction == "->":
            pending[message.id] = message.method or "?"
        elif message.kind in ("response", "error") and message.direction == "<-" and message.id in pending:
            answered.append(pending.pop(message.id))
            if message.kind == "error":
                refused[answered[-1]] = message.payload.get("code") if isinstance(message.payload, dict) else None
    where = f"within {limit:g} s from the {server.describe()}"
    if not pending:
        sent = f"every request was answered, the last {answered[-1]}" if answered else "no request was sent"
        return McpTimeoutError(
            f"connecting did not finish {where}: {sent} ({CONNECT_TIMEOUT_HINT})", method="", timeout=limit
        )
    method = list(pending.values())[-1]
    if method == "server/discover":
        step = f"connecting: {MODERN_ERA} discovery" + (", auto mode" if era == "auto" else "")
    elif method == "initialize":
        after = ""
        if "server/discover" in refused:
            after = f", after server/discover was answered with error {refused['server/discover']}"
        elif "server/discover" in answered:
            after = ", after server/discover was answered"
        step = f"connecting: {HANDSHAKE_ERA} handshake{after}"
    else:
        step = "connecting"
    return McpTimeoutError(
        f"no reply to {method} ({step}) {where} ({CONNECT_TIMEOUT_HINT})", method=method, timeout=limit
    )


def check_timeout(value: Any, where: str) -> float:
    """A timeout given in code, checked like ``--mcp-timeout``: ``McpUsageError`` unless finite and > 0."""
    __tracebackhide__ = True
    try:
        return positive_float(value)
    except ValueError as exc:
        raise McpUsageError(f"{where.replace('...', repr(value))}: {exc}") from None


def _unreachable(server: RunningServer, exc: MCPError) -> McpConnectionError | None:
    """The error for a connection that failed before the server said a word: no HTTP reply (refused,
    DNS, TLS), an HTTP error status with no JSON-RPC message (a wrong path), a closed stdout."""
    message = exc.error.message
    where = f"could not connect to the {server.describe()}"
    if exc.code == CONNECTION_CLOSED:
        if server.kind == "stdio":
            return McpConnectionError(
                f"{where}: it closed its stdout without answering (the process is still running); a stdio server "
                "writes its JSON-RPC messages to stdout and keeps it open"
            )
        return McpConnectionError(f"{where}: {message}")
    if server.kind in ("http", "spawn_http") and message in ("Not Found", "Server returned an error response"):
        status = "HTTP 404 Not Found" if message == "Not Found" else "an HTTP error status"
        return McpConnectionError(
            f"{where}: POST {server.url} got {status} with no JSON-RPC message: nothing serves MCP at this URL; "
            "check its path (a Python SDK server serves /mcp)"
        )
    return None


def _crashed_while_connecting(server: RunningServer, crash: str) -> McpServerCrashed:
    """The error for a server whose process died during connecting (``crash`` is its crash report)."""
    process = server.process
    assert process is not None  # only a server process has a crash report
    return McpServerCrashed(
        f"connecting failed because {crash}", returncode=process.returncode, stderr_tail=process.stderr_tail()
    )


def _single_exception(error: BaseException) -> BaseException | None:
    """The one exception inside nested single-member exception groups, or None if there are several."""
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return None if isinstance(error, BaseExceptionGroup) else error
