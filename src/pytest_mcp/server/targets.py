"""Target descriptions: which server to test and how to reach it.

A target is plain data; nothing here starts a process or imports the MCP SDK. The same target
string works on the command line, in an ini file, in a marker and in a conftest:

* ``package.module:attr``: an in-process Python server object (``MCPServer``, low-level
  ``Server``, fastmcp's ``FastMCP``, or a zero-argument factory returning one);
* ``http://...`` / ``https://...``: a Streamable HTTP server that is already running;
* anything else: a stdio command line, in any language.

From Python, build targets with ``stdio()``, ``http()``, ``spawn_http()``, ``in_process()`` and
``asgi()``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final, TypeAlias

from ..redact import SECRETS

__all__ = [
    "AsgiTarget",
    "HttpTarget",
    "InProcessTarget",
    "SpawnHttpTarget",
    "StdioTarget",
    "Target",
    "asgi",
    "http",
    "in_process",
    "parse_target",
    "spawn_http",
    "stdio",
]

_IMPORT_PATH: Final = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")

HOW_TO_NAME_A_SERVER: Final = """\
No MCP server to test. Name one in any of these ways (nearest wins):
  1. a marker on the test:      @pytest.mark.mcp_server("python -m my_server")
  2. a fixture in conftest.py:  @pytest.fixture
                                def mcp_server_target(): return pytest_mcp.stdio("python", "-m", "my_server")
  3. the command line:          pytest --mcp-server="python -m my_server"
  4. the ini file:              [pytest] mcp_server = python -m my_server
A target is 'pkg.module:attr' (in-process), 'http://127.0.0.1:PORT/mcp' (running HTTP server) or a command line (stdio)."""


def _frozen_env(env: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    """``env`` (or headers) as a sorted tuple; secret-looking values are registered for redaction."""
    frozen = tuple(sorted((str(k), str(v)) for k, v in (env or {}).items()))
    SECRETS.add_named(frozen)
    return frozen


@dataclass(frozen=True)
class StdioTarget:
    """A server started as a subprocess and spoken to over its stdin/stdout."""

    command: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    cwd: str | None = None
    inherit_env: bool | None = None
    """None: follow ``--mcp-env``; True/False: inherit the test's environment or not."""
    name: str | None = None

    kind: ClassVar[str] = "stdio"

    def describe(self) -> str:
        return f"stdio server `{shlex.join(self.command)}`"

    @property
    def id(self) -> str:
        return self.name or "stdio"


@dataclass(frozen=True)
class HttpTarget:
    """A Streamable HTTP server that is already running at ``url``."""

    url: str
    headers: tuple[tuple[str, str], ...] = ()
    name: str | None = None

    kind: ClassVar[str] = "http"

    def describe(self) -> str:
        return f"HTTP server {self.url}"

    @property
    def id(self) -> str:
        return self.name or "http"


@dataclass(frozen=True)
class SpawnHttpTarget:
    """A Streamable HTTP server the plugin starts, waits for, and stops.

    ``{port}`` in the command and the url is replaced by a free loopback port.
    """

    command: tuple[str, ...]
    url: str
    env: tuple[tuple[str, str], ...] = ()
    cwd: str | None = None
    inherit_env: bool | None = None
    headers: tuple[tuple[str, str], ...] = ()
    name: str | None = None

    kind: ClassVar[str] = "spawn_http"

    def describe(self) -> str:
        return f"HTTP server `{shlex.join(self.command)}` at {self.url}"

    @property
    def id(self) -> str:
        return self.name or "http"


@dataclass(frozen=True)
class InProcessTarget:
    """A Python server object (or a zero-argument factory of one) driven in this process."""

    obj: Any
    """The object itself, or an import path ``'pkg.module:attr'``."""
    name: str | None = None

    kind: ClassVar[str] = "in_process"

    def describe(self) -> str:
        return f"in-process server {self.label}"

    @property
    def label(self) -> str:
        if isinstance(self.obj, str):
            return self.obj
        return getattr(self.obj, "__qualname__", None) or type(self.obj).__name__

    @property
    def id(self) -> str:
        return self.name or "inproc"


@dataclass(frozen=True)
class AsgiTarget:
    """An ASGI application (or zero-argument factory) served in-process over a streaming bridge.

    An ``MCPServer`` or low-level ``Server`` is accepted too: a fresh Streamable HTTP app is built
    from it for each connection (for a ``FastMCP`` server, its own ``http_app()`` at ``path``).
    """

    app: Any
    path: str = "/mcp"
    headers: tuple[tuple[str, str], ...] = ()
    name: str | None = None

    kind: ClassVar[str] = "asgi"

    def describe(self) -> str:
        label = self.app if isinstance(self.app, str) else type(self.app).__name__
        return f"ASGI app {label} at {self.path}"

    @property
    def id(self) -> str:
        return self.name or "asgi"

    @property
    def url(self) -> str:
        return "http://127.0.0.1" + self.path


Target: TypeAlias = StdioTarget | HttpTarget | SpawnHttpTarget | InProcessTarget | AsgiTarget
HTTP_KINDS: Final = ("http", "spawn_http", "asgi")


def _command(command: str | Any, args: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(command, str) and not args:
        parts = tuple(shlex.split(command))
    else:
        parts = (str(command), *map(str, args))
    if not parts:
        raise ValueError("a stdio or spawned server needs a non-empty command")
    return parts


def stdio(
    command: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: str | Any | None = None,
    inherit_env: bool | None = None,
    name: str | None = None,
) -> StdioTarget:
    """A stdio server: ``stdio("python -m my_server")`` or ``stdio("node", "dist/index.js")``.

    A single string with no ``args`` is split like a shell would; pass ``args`` to avoid quoting.
    ``env`` adds to the environment (see ``--mcp-env``); ``inherit_env`` overrides it per target.
    """
    return StdioTarget(
        _command(command, args),
        env=_frozen_env(env),
        cwd=None if cwd is None else str(cwd),
        inherit_env=inherit_env,
        name=name,
    )


def http(url: str, *, headers: Mapping[str, str] | None = None, name: str | None = None) -> HttpTarget:
    """A running Streamable HTTP server, e.g. ``http("http://127.0.0.1:8000/mcp")``."""
    check_url(url)
    return HttpTarget(url, headers=_frozen_env(headers), name=name)


def check_url(url: str, what: str = "an HTTP target") -> None:
    """Refuse a URL no request could be sent to (``ValueError`` saying what is wrong with it)."""
    from urllib.parse import urlsplit

    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{what} needs an http:// or https:// URL, got {url!r}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in 0-65535
    except ValueError as exc:
        raise ValueError(f"{url!r} is not a valid URL: {exc}") from None
    if not parts.hostname:
        raise ValueError(f"{url!r} is not a valid URL: it has no host (e.g. http://127.0.0.1:8000/mcp)")
    if any(char.isspace() for char in url):
        raise ValueError(f"{url!r} is not a valid URL: it contains whitespace")


def spawn_http(
    command: str,
    *args: str,
    url: str = "http://127.0.0.1:{port}/mcp",
    env: Mapping[str, str] | None = None,
    cwd: str | Any | None = None,
    inherit_env: bool | None = None,
    headers: Mapping[str, str] | None = None,
    name: str | None = None,
) -> SpawnHttpTarget:
    """Start ``command`` and talk Streamable HTTP to ``url`` once its port answers.

    ``{port}`` anywhere in the command, its arguments, ``env`` values or ``url`` is replaced by a
    free port on 127.0.0.1, so parallel workers never collide.
    """
    check_url(url.replace("{port}", "1"), "spawn_http")
    return SpawnHttpTarget(
        _command(command, args),
        url=url,
        env=_frozen_env(env),
        cwd=None if cwd is None else str(cwd),
        inherit_env=inherit_env,
        headers=_frozen_env(headers),
        name=name,
    )


def in_process(obj: Any, *, name: str | None = None) -> InProcessTarget:
    """An in-process server: ``MCPServer``/``Server``/``FastMCP``, a zero-argument factory, or ``'pkg.mod:attr'``."""
    if isinstance(obj, str) and not _IMPORT_PATH.match(obj):
        raise ValueError(f"an in-process target needs 'package.module:attribute', got {obj!r}")
    return InProcessTarget(obj, name=name)


def asgi(
    app: Any, *, path: str = "/mcp", headers: Mapping[str, str] | None = None, name: str | None = None
) -> AsgiTarget:
    """An ASGI app (Starlette, FastAPI, ``MCPServer``, ``FastMCP``, a factory or ``'pkg.mod:attr'``), socket-free."""
    return AsgiTarget(app, path=path, headers=_frozen_env(headers), name=name)


def parse_target(value: str | Target | Callable[[], Any]) -> Target:
    """Turn a target string (or object) into a ``Target``.

    ``'pkg.mod:attr'`` is in-process, ``http(s)://`` is a running HTTP server, anything else is a
    stdio command line. Server objects and factories are in-process targets.
    """
    if isinstance(value, StdioTarget | HttpTarget | SpawnHttpTarget | InProcessTarget | AsgiTarget):
        return value
    if not isinstance(value, str):
        return in_process(value)
    text = value.strip()
    if not text:
        raise ValueError("an empty string is not an MCP server target")
    if text.startswith(("http://", "https://")):
        return http(text)
    if _IMPORT_PATH.match(text):
        return in_process(text)
    return stdio(text)
