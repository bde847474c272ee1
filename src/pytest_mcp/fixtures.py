"""The plugin's fixtures. Each is thin: read settings and markers, build an object, yield, clean up.

Nothing here imports the MCP SDK at import time; the SDK loads when a test first asks for a
server or client.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any

import pytest

from . import markers
from .async_runners import NO_RUNNER, for_runner, in_one_task, lend_to_anyio, mark_for_pytest_asyncio, runner_of
from .errors import McpUsageError
from .settings import CONCRETE_ERAS, Settings
from .stash_keys import DISPATCHER_WRAPPERS_KEY, SETTINGS_KEY, TRANSCRIPTS_KEY, ClientRecord

if TYPE_CHECKING:
    from .client.mcp_client import McpClient
    from .server.running import RunningServer, ServerPool
    from .server.targets import Target


@pytest.fixture(scope="session")
def mcp_settings(pytestconfig: pytest.Config) -> Settings:
    """The effective ``--mcp-*`` / ``mcp_*`` settings of this run."""
    return pytestconfig.stash[SETTINGS_KEY]


@pytest.fixture
def mcp_server_target(mcp_settings: Settings) -> Target | str | None:
    """The server under test when no marker names one. Override it in a conftest.py to choose a
    target in code (it may be parametrized to run tests against several servers)."""
    return mcp_settings.server


@pytest.fixture
def mcp_era(request: pytest.FixtureRequest, mcp_settings: Settings) -> str:
    """The protocol era of this test: ``auto``, ``2025-11-25`` or ``2026-07-28``."""
    if hasattr(request, "param"):
        return str(request.param)
    with _setup_errors():  # a bad marker's arguments (checked again here for tests set up by hand)
        values = markers.marker_values(request.node, "mcp_era")
    era = values["era"] if values else mcp_settings.era
    return "auto" if era == "both" else era


@pytest.fixture
def mcp_timeout(request: pytest.FixtureRequest, mcp_settings: Settings) -> float:
    """Seconds each request of this test may take (marker ``mcp_timeout`` over ``--mcp-timeout``)."""
    with _setup_errors():
        values = markers.marker_values(request.node, "mcp_timeout")
    return float(values["seconds"]) if values else mcp_settings.timeout


@pytest.fixture
def _mcp_target(request: pytest.FixtureRequest) -> Target | None:
    """Set by parametrization when an ``mcp_server`` marker names several targets."""
    return getattr(request, "param", None)


@pytest.fixture(scope="session")
def mcp_server_pool(mcp_settings: Settings) -> Iterator[ServerPool]:
    """Every server started in this session (per xdist worker); all are stopped at the end."""
    from .server.running import ServerPool

    pool = ServerPool(mcp_settings)
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture
def mcp_server(
    request: pytest.FixtureRequest,
    mcp_settings: Settings,
    mcp_era: str,
    _mcp_target: Target | None,
    mcp_server_pool: ServerPool,
    mcp_server_target: Target | str | None,
) -> Iterator[RunningServer]:
    """The started server under test: shared by the session unless the test asks for a fresh one.

    It asks for ``mcp_server_target`` itself (not on demand), so an override of it that is
    parametrized parametrizes the tests."""
    with _setup_errors():
        target, fresh = _resolve_target(request, _mcp_target, mcp_server_target)
        fresh = fresh or request.node.get_closest_marker("mcp_fresh_server") is not None
        fresh = fresh or mcp_settings.server_scope == "function"
        if not fresh:
            server = mcp_server_pool.get(
                target, mcp_era, user=request.node.nodeid, notify=_replaced_server_notice(request, "setup")
            )
        else:
            from .server.running import RunningServer

            server = RunningServer(target, mcp_settings).start()
    try:
        yield server
    finally:
        if fresh:
            server.stop()
        else:
            mcp_server_pool.release(server, request.node.nodeid)


def _replaced_server_notice(request: pytest.FixtureRequest, when: str) -> Callable[[str], None]:
    """Tell a test that the shared server it asked for had died and was replaced: in its report, and
    as a warning at the test (shown even under ``-W error``: the test did nothing wrong)."""

    def notify(message: str) -> None:
        import warnings

        from .errors import PytestMcpWarning

        item = request.node
        item.add_report_section(when, "MCP server replaced", message)
        with warnings.catch_warnings():
            warnings.simplefilter("always", PytestMcpWarning)
            path, line, _ = item.location  # "at the test": its file (relative to rootdir) and its def line
            warnings.warn_explicit(PytestMcpWarning(message), PytestMcpWarning, path, (line or 0) + 1)

    return notify


@contextmanager
def _setup_errors() -> Iterator[None]:
    """Report set-up problems (no target, bad import path, server that won't start) as a plain
    message on the test instead of a traceback through the plugin's internals."""
    __tracebackhide__ = True
    from .errors import McpConnectionError

    message = None
    try:
        yield
    except (
        pytest.UsageError,
        ImportError,
        AttributeError,
        TypeError,
        OSError,
        RuntimeError,
        TimeoutError,
        McpConnectionError,
    ) as exc:
        message = str(exc)
    if message is not None:
        # raised while the with statement handles the original error: "from None" keeps the report to
        # this one message (no "During handling of the above exception" and the same text again)
        raise pytest.fail.Exception(message, pytrace=False) from None


def _resolve_target(
    request: pytest.FixtureRequest, param: Target | None, chosen: Target | str | None
) -> tuple[Target, bool]:
    values = markers.marker_values(request.node, "mcp_server")
    fresh = bool(values and values["fresh"])
    if param is not None:
        return param, fresh
    if values and values["targets"]:
        return _parse(values["targets"][0], "@pytest.mark.mcp_server"), fresh
    if chosen is None:
        from .server.targets import HOW_TO_NAME_A_SERVER

        raise pytest.UsageError(HOW_TO_NAME_A_SERVER)
    return _parse(chosen, "the mcp_server_target fixture or --mcp-server"), fresh


def _parse(value: Any, origin: str) -> Target:
    from .server.targets import parse_target

    try:
        return parse_target(value)
    except ValueError as exc:
        raise pytest.UsageError(f"{origin}: {exc}") from None


class ClientFactory:
    """Connect more clients in one test: ``async with mcp_client_factory(token=...) as client:``.

    Keywords are those of the ``mcp_client`` marker, plus ``server=`` (another target or
    ``RunningServer``), ``era=`` and ``timeout=``. Each client's transcript joins the test report.
    """

    def __init__(self, request: pytest.FixtureRequest, era: str, timeout: float, settings: Settings) -> None:
        self._request = request
        self._server: RunningServer | None = None  # the test's own server, started on first use
        self._era = era
        self._timeout = timeout
        self._settings = settings

    def __call__(
        self,
        *,
        server: Any = None,
        era: str | None = None,
        timeout: float | None = None,
        label: str | None = None,
        **options: Any,
    ) -> AbstractAsyncContextManager[McpClient]:
        __tracebackhide__ = True
        from .client.mcp_client import check_timeout

        markers.bind("mcp_client", (), options)  # wrong arguments fail here, on the test's own line
        if timeout is not None:
            timeout = check_timeout(timeout, "mcp_client_factory(timeout=...)")
        if era is not None and era not in ("auto", *CONCRETE_ERAS):
            raise McpUsageError(
                f"mcp_client_factory(era={era!r}): {era!r} is not one of: auto, {', '.join(CONCRETE_ERAS)}"
            )
        return self._connect(server=server, era=era, timeout=timeout, label=label, **options)

    @asynccontextmanager
    async def _connect(
        self, *, server: Any, era: str | None, timeout: float | None, label: str | None, **options: Any
    ) -> AsyncIterator[McpClient]:
        from .client.mcp_client import McpEraUnsupported, connect
        from .client.transcript import Transcript

        era = era or self._era
        running = self._running(server, era)
        records = self._request.node.stash.setdefault(TRANSCRIPTS_KEY, [])
        transcript = Transcript(label=label or f"client {len(records) + 1} -> {running.describe()}")
        records.append(ClientRecord(transcript, running, running.stderr_size()))
        try:
            async with connect(
                running,
                era=era,
                timeout=timeout if timeout is not None else self._timeout,
                # A server that was just started may still be importing; give the handshake time.
                connect_timeout=self._settings.connect_timeout(timeout if timeout is not None else self._timeout),
                transcript=transcript,
                dispatcher_wrappers=self._request.node.stash.get(DISPATCHER_WRAPPERS_KEY, []),
                **options,
            ) as client:
                yield client
        except McpEraUnsupported as exc:
            if self._settings.unsupported_era == "skip":
                pytest.skip(f"{exc} (use --mcp-unsupported-era=fail to fail instead)")
            pytest.fail(str(exc), pytrace=False)

    def _running(self, server: Any, era: str) -> RunningServer:
        from .server.running import RunningServer

        if isinstance(server, RunningServer):
            return server
        if server is None:
            if self._server is None:
                # The test's own server, started only when a client of it is asked for.
                self._server = self._request.getfixturevalue("mcp_server")
            if era == self._era or self._server.kind != "stdio":
                return self._server
            server = self._server.target
        pool = self._request.getfixturevalue("mcp_server_pool")
        # A stdio process keeps the era of its first handshake, so each era has its own process.
        user = self._request.node.nodeid
        running: RunningServer = pool.get(
            _parse(server, "mcp_client_factory(server=...)"),
            era,
            user=user,
            notify=_replaced_server_notice(self._request, "call"),
        )
        self._request.addfinalizer(lambda: pool.release(running, user))
        return running


@pytest.fixture
def mcp_client_factory(
    request: pytest.FixtureRequest,
    mcp_era: str,
    mcp_timeout: float,
    mcp_settings: Settings,
    _mcp_target: Target | None,
    mcp_server_target: Target | str | None,  # in the closure, so a parametrized override parametrizes
) -> ClientFactory:
    """A factory of extra clients (several users, sessions, tokens or headers in one test).

    Its clients connect to the test's server (``mcp_server``, started on first use) unless given
    ``server=`` (a target string, a ``Target`` or a ``RunningServer``)."""
    return ClientFactory(request, mcp_era, mcp_timeout, mcp_settings)


@pytest.fixture
@mark_for_pytest_asyncio
async def mcp_client(
    request: pytest.FixtureRequest, mcp_client_factory: ClientFactory, mcp_server: RunningServer
) -> AsyncIterator[McpClient]:
    """A connected, era-negotiated client of the server under test, recording its transcript.

    It runs in the event loop of the test, whichever plugin runs it (anyio's or pytest-asyncio,
    any mode and loop scope): see ``async_runners``."""
    with _setup_errors():
        options = markers.merged_kwargs(request.node, "mcp_client")
    client = mcp_client_factory(label="mcp_client", **options)
    if runner_of(request) == "pytest-asyncio":
        client = in_one_task(client)
    async with AsyncExitStack() as stack:
        with _setup_errors():  # a server that cannot be started or reached: one short setup error
            connected = await stack.enter_async_context(client)
        yield connected


ASYNC_FIXTURES: frozenset[str] = frozenset({"mcp_client"})


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Module | pytest.Class, name: str, obj: object) -> None:
    # Called for every name of every test module: the cheap test first (only async tests matter).
    if (inspect.iscoroutinefunction(obj) or hasattr(obj, "hypothesis")) and collector.istestfunction(obj, name):
        lend_to_anyio(collector, obj)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, Any, Any]:
    """Run the plugin's async fixtures with the plugin that runs the test (``async_runners``)."""
    if fixturedef.argname not in ASYNC_FIXTURES or fixturedef.baseid != "":
        return (yield)
    runner = runner_of(request)
    if runner is None:
        pytest.fail(NO_RUNNER.format(fixture=fixturedef.argname, test=request.node.nodeid), pytrace=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fixturedef, "func", for_runner(fixturedef.func, runner, request))
        return (yield)
