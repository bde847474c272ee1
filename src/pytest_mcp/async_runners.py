"""Which async plugin runs a test, so the plugin's async fixtures run in that test's event loop.

A connected client holds streams and tasks bound to one event loop. Its fixture must therefore be
run by the plugin that runs the test, in the same loop:

* **anyio's plugin** (``@pytest.mark.anyio``, ``anyio_mode = auto``, or any test asking for
  ``anyio_backend``) wraps every async fixture of such a test itself; nothing to do. The fixture
  does not ask for ``anyio_backend`` on its own: that would pull pytest-asyncio's tests into
  anyio's runner (their fixture in one loop, the test in another) and add a ``[trio]`` copy of
  each of them when trio is installed.
* **pytest-asyncio** (``@pytest.mark.asyncio``, or ``asyncio_mode = auto``, which then also runs
  tests marked for anyio): in strict mode it runs only fixtures declared with
  ``pytest_asyncio.fixture``, and in either mode it would run a fixture in the loop of the
  fixture's own loop scope, not necessarily the test's. The fixture's set-up and tear-down are
  run here instead, in the loop pytest-asyncio (1.0 or later) keeps for the test's loop scope.
  They run as two separate tasks, while anyio's cancel scopes (the SDK client's task groups) must
  be left in the task that entered them: ``in_one_task`` keeps the client's life in one task.
* Anything else (a synchronous test, no async plugin) fails at once with what to change.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

import pytest

if TYPE_CHECKING:
    import asyncio

__all__ = ["NO_RUNNER", "TOO_OLD", "for_runner", "in_one_task", "lend_to_anyio", "mark_for_pytest_asyncio", "runner_of"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

TOO_OLD: Final = (
    "{fixture}: this pytest-asyncio has no event loop runner for loop scope {scope!r}; "
    "pytest_mcp's async fixtures need pytest-asyncio 1.0 or later (pip install -U pytest-asyncio), "
    "or run the test with anyio's plugin (@pytest.mark.anyio)."
)

NO_RUNNER: Final = (
    "{fixture} is an async fixture, and no async plugin runs {test}. Make the test an async def and "
    "mark it @pytest.mark.anyio (anyio's plugin, installed with the MCP SDK) or @pytest.mark.asyncio "
    "(pytest-asyncio), or set anyio_mode = auto / asyncio_mode = auto in your pytest configuration."
)


def lend_to_anyio(collector: pytest.Module | pytest.Class, obj: object) -> None:
    """An unmarked ``async def`` test asking for ``mcp_client`` that pytest-asyncio will not run is
    run by anyio's plugin, as if marked ``@pytest.mark.anyio`` (the fixture used to ask for
    ``anyio_backend`` itself, which had that effect; tests written that way keep working)."""
    function = getattr(getattr(obj, "hypothesis", None), "inner_test", obj)
    if not inspect.iscoroutinefunction(function) or "mcp_client" not in inspect.signature(function).parameters:
        return
    config = collector.config
    if collector.get_closest_marker("anyio") or any(
        m.name in ("anyio", "asyncio") for m in getattr(obj, "pytestmark", ())
    ):
        return
    if config.pluginmanager.has_plugin("asyncio") and (
        collector.get_closest_marker("asyncio") or _ini(config, "asyncio_mode") == "auto"
    ):
        return
    if _ini(config, "anyio_mode") == "auto":
        return
    pytest.mark.usefixtures("anyio_backend")(obj)


def _ini(config: pytest.Config, name: str) -> object:
    try:
        return config.getoption(name, default=None) or config.getini(name)
    except ValueError:
        return None


def runner_of(request: pytest.FixtureRequest) -> Literal["anyio", "pytest-asyncio"] | None:
    """The plugin that runs the requesting test, or None when no async plugin runs it.

    pytest-asyncio first: in its auto mode it also runs tests marked for anyio (it replaces the
    test function before anyio's plugin sees it)."""
    if request.config.pluginmanager.has_plugin("asyncio"):
        import pytest_asyncio

        if pytest_asyncio.is_async_test(request.node):
            return "pytest-asyncio"
    if "anyio_backend" in request.fixturenames:
        return "anyio"
    return None


def _test_loop_scope(item: pytest.Item) -> str:
    """The loop scope pytest-asyncio gives this test: its marker's, else the ini default."""
    marker = item.get_closest_marker("asyncio")
    scope = (marker.kwargs.get("loop_scope") or marker.kwargs.get("scope")) if marker is not None else None
    if scope:
        return str(scope)
    try:
        return str(item.config.getini("asyncio_default_test_loop_scope") or "function")
    except ValueError:  # an older pytest-asyncio without the option: tests run in function-scoped loops
        return "function"


def mark_for_pytest_asyncio(func: F) -> F:
    """Mark an async fixture function as pytest-asyncio's (what ``pytest_asyncio.fixture`` sets),
    so its strict mode does not warn about it; ``for_runner`` decides who really runs it."""
    func._force_asyncio_fixture = True  # type: ignore[attr-defined]
    return func


def for_runner(func: Callable[..., Any], runner: str, request: pytest.FixtureRequest) -> Callable[..., Any]:
    """The fixture function to set up for the requesting test.

    For anyio: a copy without pytest-asyncio's mark (anyio's plugin wraps it). For pytest-asyncio:
    a generator that runs the async generator's set-up and tear-down in the test's own loop (the
    runner pytest-asyncio keeps per loop scope), which neither plugin wraps again.
    """
    if runner == "anyio":
        copy = types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__)
        copy.__kwdefaults__ = func.__kwdefaults__
        copy.__dict__.update({k: v for k, v in func.__dict__.items() if k != "_force_asyncio_fixture"})
        return copy
    scope = _test_loop_scope(request.node)
    try:
        loop_runner = request.getfixturevalue(f"_{scope}_scoped_runner")
    except pytest.FixtureLookupError:
        raise pytest.UsageError(TOO_OLD.format(fixture=func.__name__, scope=scope)) from None

    @functools.wraps(func)
    def in_test_loop(**kwargs: Any) -> Iterator[Any]:
        generator = func(**kwargs)
        yield loop_runner.run(generator.__anext__())
        with suppress(StopAsyncIteration):
            loop_runner.run(generator.__anext__())

    return in_test_loop


@asynccontextmanager
async def in_one_task(manager: AbstractAsyncContextManager[T]) -> AsyncIterator[T]:
    """Enter and leave ``manager`` in one task of the running asyncio loop of its own.

    The caller may enter this in one task and leave it in another (pytest-asyncio's fixture set-up
    and tear-down); an error of the manager's set-up or tear-down is raised to the caller.
    """
    import asyncio

    loop = asyncio.get_running_loop()
    entered: asyncio.Future[T] = loop.create_future()
    leave = asyncio.Event()

    async def host() -> None:
        try:
            async with manager as value:
                entered.set_result(value)
                await leave.wait()
        except BaseException as exc:
            if entered.done():
                raise
            if isinstance(exc, asyncio.CancelledError):
                entered.cancel()
            else:
                entered.set_exception(exc)

    task = loop.create_task(host())
    try:
        value = await entered
    except BaseException:
        await asyncio.gather(task, return_exceptions=True)
        raise
    try:
        yield value
    finally:
        leave.set()
        await task
