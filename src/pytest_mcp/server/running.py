"""Start, share and stop the servers named by targets.

``ServerPool`` (one per test session) starts each target at most once per era and stops
everything at the end; ``RunningServer`` knows how to hand an SDK ``Client`` a connection to it
and how to open a raw channel for byte-level tests.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import shlex
import subprocess
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Final
from urllib.parse import urlsplit

from .._docs import docs_url
from ..settings import Settings
from .process import ManagedProcess, build_env, free_port, resolve_command, wait_for_port
from .targets import AsgiTarget, HttpTarget, InProcessTarget, SpawnHttpTarget, StdioTarget, Target

__all__ = ["RunningServer", "ServerPool", "load_object"]


def load_object(spec: Any, *, what: str = "server") -> Any:
    """Import ``'pkg.module:attr'`` (or take an object) and call it if it is a zero-argument factory."""
    obj = spec
    if isinstance(spec, str):
        module_name, _, attr_path = spec.partition(":")
        try:
            obj = importlib.import_module(module_name)
        except ImportError as exc:
            raise ImportError(
                f"cannot import module {module_name!r} for the in-process {what} {spec!r}: {exc}"
            ) from exc
        for attr in attr_path.split("."):
            try:
                obj = getattr(obj, attr)
            except AttributeError:
                names = ", ".join(sorted(n for n in dir(obj) if not n.startswith("_"))[:20])
                raise AttributeError(f"{spec!r}: {module_name!r} has no attribute {attr!r} (it has: {names})") from None
    if _is_server(obj):
        return obj
    if callable(obj) and not inspect.isclass(obj):
        return obj()
    return obj


def _is_server(obj: Any) -> bool:
    if _is_fastmcp(obj):
        return True
    from mcp.server import Server
    from mcp.server.mcpserver import MCPServer

    return isinstance(obj, MCPServer | Server)


_FASTMCP_CLASS: Final = ("fastmcp.server.server", "FastMCP")


def _is_fastmcp(obj: Any) -> bool:
    """Whether ``obj`` is a ``fastmcp.FastMCP`` server (the third-party framework, 4.x) or a subclass.

    Recognised by its class's module and name, so this never imports fastmcp: the plugin works
    without it, and only a server that is one has fastmcp loaded already.
    """
    return any((cls.__module__, cls.__qualname__) == _FASTMCP_CLASS for cls in type(obj).__mro__)


FASTMCP_AUTH_IN_PROCESS: Final = (
    "{target} is a FastMCP server with auth={auth}: fastmcp checks bearer tokens on HTTP requests, and "
    "an in-process connection sends none, so its tools would run unauthenticated (or, where they have "
    "auth checks of their own, be refused). Test it over HTTP without a socket, where its http_app() "
    "checks the token a test sends (mcp_client_factory(token=...) or the mcp_token marker, see "
    f"{docs_url('auth.md')}): @pytest.mark.mcp_server(pytest_mcp.asgi({{spec}})); or over stdio "
    "(`fastmcp run server.py:mcp`), where fastmcp trusts the local process and skips auth checks."
)


def _check_server(obj: Any, target: Target) -> Any:
    if not _is_server(obj):
        raise TypeError(
            f"{target.describe()} resolved to {obj.__name__ if inspect.isclass(obj) else type(obj).__name__}, not an MCP server. An in-process target must be "
            "an mcp MCPServer or low-level Server, a fastmcp FastMCP server, or a zero-argument function returning one."
        )
    if _is_fastmcp(obj) and obj.auth is not None:
        from ..errors import McpUsageError

        spec = repr(target.obj) if isinstance(target, InProcessTarget) and isinstance(target.obj, str) else "server"
        raise McpUsageError(
            FASTMCP_AUTH_IN_PROCESS.format(target=target.describe(), auth=type(obj.auth).__name__, spec=spec)
        )
    return obj


def _fastmcp_sdk_server(obj: Any) -> Any:
    """What ``mcp.Client(...)`` connects to in-process for a ``FastMCP`` server: its low-level SDK ``Server``.

    fastmcp builds that ``Server`` itself, and everything it does in production hangs off it: its
    lifespan is fastmcp's lifespan manager (the server's ``lifespan=``, the lifespans of mounted
    servers and providers, extensions), and its middleware list carries fastmcp's ``Middleware``
    chain. fastmcp has no public accessor for it: ``_mcp_server`` is private, and is what fastmcp's
    own in-memory transport (``fastmcp.client.transports.memory``) connects to.
    """
    return obj._mcp_server


class RunningServer:
    """A started target. Processes live until ``stop()``; in-process objects need no stopping."""

    def __init__(self, target: Target, settings: Settings) -> None:
        self.target = target
        self.settings = settings
        self.process: ManagedProcess | None = None
        self.url: str | None = None
        self.headers: dict[str, str] = {}
        self._obj: Any = None
        self._sdk_server: Any = None  # what mcp.Client(...) connects to in-process
        self._shared_stdio: Any = None
        self._stopped = False
        self.last_user: str | None = None
        """The node id of the last test the pool handed this (shared) server to."""
        self.died_during: str | None = None
        """The node id of the test at whose end this (shared) server's process was found dead."""
        self.alive_after: str | None = None
        """The node id of the last test at whose end this (shared) server's process was still running."""

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> RunningServer:
        target = self.target
        if isinstance(target, InProcessTarget):
            self._obj = _check_server(load_object(target.obj), target)
            self._sdk_server = _fastmcp_sdk_server(self._obj) if _is_fastmcp(self._obj) else self._obj
        elif isinstance(target, AsgiTarget):
            self._obj = load_object(target.app, what="ASGI app") if isinstance(target.app, str) else target.app
            self.url = _asgi_url(target.path)
            self.headers = dict(target.headers)
        elif isinstance(target, HttpTarget):
            self.url = target.url
            self.headers = dict(target.headers)
        elif isinstance(target, SpawnHttpTarget):
            self._start_spawn_http(target)
        elif isinstance(target, StdioTarget):
            self._start_shared_stdio(target)
        return self

    def _env(self, target: StdioTarget | SpawnHttpTarget, port: int | None = None) -> tuple[list[str], dict[str, str]]:
        inherit = target.inherit_env if target.inherit_env is not None else self.settings.env == "inherit"
        extra = [(k, v.replace("{port}", str(port)) if port else v) for k, v in target.env]
        command = [part.replace("{port}", str(port)) if port else part for part in target.command]
        return resolve_command(command), build_env(extra, inherit=inherit)

    def _start_spawn_http(self, target: SpawnHttpTarget) -> None:
        port = free_port()
        command, env = self._env(target, port)
        self.url = target.url.replace("{port}", str(port))
        self.headers = dict(target.headers)
        self.process = ManagedProcess(command, env=env, cwd=target.cwd)
        parts = urlsplit(self.url)
        try:
            wait_for_port(
                parts.hostname or "127.0.0.1",
                parts.port or (443 if parts.scheme == "https" else 80),
                process=self.process,
                timeout=self.settings.startup_timeout,
            )
        except BaseException:
            self.stop()
            raise

    def _start_shared_stdio(self, target: StdioTarget) -> None:
        import subprocess

        from .shared_stdio import SharedStdioServer

        command, env = self._env(target)
        self.process = ManagedProcess(command, env=env, cwd=target.cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._shared_stdio = SharedStdioServer(self.process)

    def restart(self) -> RunningServer:
        """Stop this server (even if it was killed) and start the same target again, in place."""
        self.stop()
        self.process, self._shared_stdio, self._obj, self._sdk_server, self._stopped = None, None, None, None, False
        self.died_during = self.alive_after = None  # what the pool knew of the process that is gone
        return self.start()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self._shared_stdio is not None:
            self._shared_stdio.close()
        elif self.process is not None:
            self.process.stop()
        if self.process is not None:
            self.process.close_stderr()

    # -- facts for messages and reports -------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.target.kind

    def describe(self) -> str:
        if isinstance(self.target, SpawnHttpTarget) and self.process is not None:
            return f"HTTP server `{shlex.join(self.process.command)}` at {self.url}"
        return self.target.describe()

    @property
    def stdout_noise(self) -> list[str]:
        """Lines a stdio server printed to stdout that were not JSON-RPC messages."""
        return list(self._shared_stdio.stdout_noise) if self._shared_stdio is not None else []

    def stderr_text(self, start: int = 0, limit: int = 0) -> str:
        """Its process's stderr from byte ``start`` on, cut to ``limit`` bytes (head and tail) if given."""
        return self.process.stderr_text(start, limit) if self.process is not None else ""

    def stderr_size(self) -> int:
        """Bytes its process wrote to stderr so far (0 without a process)."""
        return self.process.stderr_size() if self.process is not None else 0

    def crash_report(self) -> str | None:
        """If the server process has exited, say how, with the end of its stderr; else None."""
        process = self.process
        if process is None or process.returncode is None:
            return None
        return (
            f"the {self.describe()} {process.describe_exit()}.\n"
            f"--- last lines of its stderr ---\n{process.stderr_tail(limit=self.settings.report_limit) or '(empty)'}"
        )

    async def wait_crash_report(self, grace: float = 1.0) -> str | None:
        """Like ``crash_report``, but give a dying process ``grace`` seconds to be reaped first."""
        import anyio

        if self.process is None:
            return None
        with anyio.move_on_after(grace):
            while self.process.returncode is None:
                await anyio.sleep(0.01)
        return self.crash_report()

    # -- connections --------------------------------------------------------------------------
    @asynccontextmanager
    async def sdk_target(self, *, headers: Mapping[str, str] | None = None) -> AsyncIterator[Any]:
        """Yield what ``mcp.Client(...)`` needs to reach this server: a server object or a transport."""
        all_headers = {**self.headers, **(headers or {})}
        if isinstance(self.target, InProcessTarget):
            yield self._sdk_server
        elif isinstance(self.target, StdioTarget):
            if self._shared_stdio is None or not self._shared_stdio.alive:
                raise ConnectionError(
                    self.crash_report()
                    or f"the {self.describe()} closed its stdout without answering (the process is still running); "
                    "a stdio server writes its JSON-RPC messages to stdout and keeps it open"
                )
            yield self._shared_stdio.attach()
        elif isinstance(self.target, AsgiTarget):
            from .asgi_bridge import ASGI_BASE_URL

            async with self.asgi_http_client(headers=all_headers) as client:
                yield _http_transport(ASGI_BASE_URL + self.target.path, client)
        else:
            import httpx2

            assert self.url is not None
            transport = _transport_errors_as_responses(httpx2.AsyncHTTPTransport())
            async with httpx2.AsyncClient(
                headers=all_headers, timeout=httpx2.Timeout(30, read=300), transport=transport
            ) as client:
                yield _http_transport(self.url, client)

    @asynccontextmanager
    async def asgi_http_client(self, *, headers: Mapping[str, str] | None = None) -> AsyncIterator[Any]:
        """An ``httpx2.AsyncClient`` wired to a fresh instance of the in-process ASGI app."""
        import httpx2

        from .asgi_bridge import ASGI_BASE_URL, serve_asgi

        path = self.target.path if isinstance(self.target, AsgiTarget) else "/mcp"
        async with serve_asgi(_fresh_asgi_app(self._obj, path)) as transport:
            async with httpx2.AsyncClient(
                transport=transport, base_url=ASGI_BASE_URL, headers=dict(headers or {})
            ) as client:
                yield client

    def stdio_command(self) -> tuple[list[str], dict[str, str], str | None]:
        """The command, environment and cwd a fresh copy of this stdio server starts with."""
        assert isinstance(self.target, StdioTarget)
        command, env = self._env(self.target)
        return command, env, self.target.cwd


def _transport_errors_as_responses(inner: Any) -> Any:
    """Wrap an ``httpx2`` transport so a dead or unreachable server becomes a 502 reply.

    The SDK's HTTP client lets a connection error escape from a background task, which cancels
    the whole test instead of failing the one request. As a 502 carrying a "connection closed"
    JSON-RPC error it fails just that request, and the client then reports the crash with the
    server's exit code and stderr (or the connection error, if the server is still alive).
    """
    import httpx2
    from mcp_types import CONNECTION_CLOSED

    class BodyErrorsAsStreamErrors(httpx2.AsyncByteStream):
        """A reply body that breaks off raises ``StreamError``, which the SDK turns into an
        error of that one request (a ``TransportError`` would escape its background task)."""

        def __init__(self, stream: Any) -> None:
            self._stream = stream

        async def __aiter__(self) -> AsyncIterator[bytes]:
            try:
                async for chunk in self._stream:
                    yield chunk
            except httpx2.TransportError as exc:
                raise httpx2.StreamError(f"the HTTP reply broke off ({type(exc).__name__})") from exc

        async def aclose(self) -> None:
            await self._stream.aclose()

    class TransportErrorsAsResponses(httpx2.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            try:
                response: httpx2.Response = await inner.handle_async_request(request)
            except httpx2.TransportError as exc:
                from ..protocol.http_failure import explain_http_failure

                message = explain_http_failure(exc, request.method, str(request.url))
                error = {"code": CONNECTION_CLOSED, "message": message}
                return httpx2.Response(502, json={"jsonrpc": "2.0", "id": None, "error": error})
            response.stream = BodyErrorsAsStreamErrors(response.stream)
            return response

        async def aclose(self) -> None:
            await inner.aclose()

    return TransportErrorsAsResponses()


def _http_transport(url: str, client: Any) -> Any:
    from mcp.client.streamable_http import streamable_http_client

    return streamable_http_client(url, http_client=client)


def _asgi_url(path: str) -> str:
    from .asgi_bridge import ASGI_BASE_URL

    return ASGI_BASE_URL + path


def _fresh_asgi_app(obj: Any, path: str = "/mcp") -> Any:
    """An ASGI app for one connection: MCP servers get a new Streamable HTTP app (its session
    manager can only run once), factories are called, plain apps are used as they are.

    A ``FastMCP`` server gets its own ``http_app()`` at ``path``, the app ``run(transport="http")``
    serves: with its ``auth=`` provider, custom routes and HTTP settings.
    """
    from mcp.server import Server
    from mcp.server.mcpserver import MCPServer

    if _is_fastmcp(obj):
        return obj.http_app(path=path, transport="http")
    if isinstance(obj, MCPServer | Server):
        return obj.streamable_http_app()
    if callable(obj) and not _looks_like_asgi_app(obj):
        return _fresh_asgi_app(obj(), path)
    return obj


def _looks_like_asgi_app(obj: Any) -> bool:
    call = obj if inspect.isfunction(obj) or inspect.ismethod(obj) else getattr(obj, "__call__", None)  # noqa: B004
    if call is None:
        return False
    try:
        params = [
            p
            for p in inspect.signature(call).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return True
    return len(params) == 3


SERVER_REPLACED: Final = (
    "the shared {server} (pid {pid}) {how} {when}; this test got a fresh one.\n"
    "Tests that share a server share its crashes: give the test that kills it a server of its own with "
    "@pytest.mark.mcp_fresh_server, or isolate every test with --mcp-server-scope=function ({docs}).\n"
    "--- last lines of its stderr ---\n{stderr}"
)
"""What the first test after a shared server died is told (a warning and a report section)."""


def _obituary(server: RunningServer) -> str:
    process = server.process
    assert process is not None
    if server.died_during is not None:
        when = f"during {server.died_during}"
    elif server.alive_after is not None and server.alive_after == server.last_user:
        when = f"after {server.alive_after} ended (it was still running then)"
    elif server.last_user is not None:
        when = f"during or after {server.last_user}, the last test that used it"
    else:
        when = "before any test used it"
    return SERVER_REPLACED.format(
        server=server.describe(),
        pid=process.pid,
        how=process.describe_exit(),
        when=when,
        docs=docs_url("targets.md", "lifetimes"),
        stderr=process.stderr_tail(10, limit=server.settings.report_limit) or "(empty)",
    )


class ServerPool:
    """The session's started servers, keyed by (target, era); stops all of them at the end.

    A shared server whose process has died is replaced by a fresh one for the next test that asks
    for it, and that test is told which test it died in (``SERVER_REPLACED``).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._servers: dict[tuple[Any, str], RunningServer] = {}
        self._failures: dict[tuple[Any, str], BaseException] = {}

    def get(
        self, target: Target, era: str, *, user: str | None = None, notify: Callable[[str], None] | None = None
    ) -> RunningServer:
        """The shared server of ``target`` for ``era``, started on first use or when the last one died.

        ``user`` is the node id of the test asking; ``notify`` receives the message that says a
        dead server was replaced.
        """
        # HTTP servers and in-process objects serve every era from one instance; a stdio process is
        # initialized once per connection, so each era gets its own.
        key = (target, era if isinstance(target, StdioTarget) else "*")
        if key in self._failures:
            raise self._failures[key]
        server = self._servers.get(key)
        if server is not None and server.process is not None and server.process.exited():
            with contextlib.suppress(subprocess.TimeoutExpired):  # a zombie: reap it, so its exit code can be told
                server.process.popen.wait(timeout=5)
            message = _obituary(server)
            del self._servers[key]
            server.stop()  # reap what is left of its process group
            if notify is not None:
                notify(message)
            server = None
        if server is None:
            try:
                server = RunningServer(target, self.settings).start()
            except BaseException as exc:
                if not isinstance(exc, KeyboardInterrupt):
                    self._failures[key] = exc
                raise
            self._servers[key] = server
        if user is not None:
            server.last_user = user
        return server

    def release(self, server: RunningServer, user: str) -> None:
        """Test ``user`` has ended: note whether ``server`` died during it (for the next test's message)."""
        if server.process is None:
            return
        if server.process.returncode is None:
            server.alive_after = user
        elif server.died_during is None and server.alive_after != user:
            server.died_during = user

    def stop_all(self) -> None:
        errors = []
        for server in self._servers.values():
            try:
                server.stop()
            except Exception as exc:  # keep stopping the others
                errors.append(exc)
        self._servers.clear()
        if errors:
            raise errors[0]

    def describe(self) -> list[str]:
        return [
            f"{server.describe()} (pid {server.process.pid})" if server.process else server.describe()
            for server in self._servers.values()
        ]
