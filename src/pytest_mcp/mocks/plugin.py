"""pytest hooks and fixtures of pytest_mcp.mocks, loaded by pytest_mcp.plugin.

Must stay cheap to import: no MCP SDK, pydantic, starlette, httpx or respx at module level.

* ``mcp_http_mock`` / marker ``mcp_http_mock(...)``: an ``HttpMock`` (respx) for the server's httpx calls;
* ``mcp_fake_upstream`` / marker ``mcp_fake_upstream(...)``: a ``FakeUpstream`` MCP server;
* ``mcp_mock_backend`` / marker ``mcp_mock_backend(target, attribute, ...)``: ``BackendMocks``.

Each verifies on teardown (routes never called, requests no route matched, mocks never called),
unless the test itself failed: then its own failure is the story.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Final

import pytest

from .._docs import docs_url
from ..early import EarlyFixture
from ..extras import fail_if_missing

if TYPE_CHECKING:
    from .backend import BackendMocks
    from .http import HttpMock
    from .upstream import FakeUpstream

DOCS: Final = docs_url("mocks.md")
EARLY_FIXTURES: Final = (
    EarlyFixture("_mcp_mocks_early", markers=frozenset({"mcp_http_mock", "mcp_mock_backend", "mcp_fake_upstream"})),
)
"""Install marker-declared mocks before any server or client of the test starts (see ``pytest_mcp.early``)."""
CALL_FAILED_KEY: Final = pytest.StashKey[bool]()

# -- marker signatures: the keywords of the classes they build ------------------------------------


def http_mock_marker(
    *,
    assert_all_called: bool = True,
    assert_all_mocked: bool = True,
    base_url: str | None = None,
    pass_through_loopback: bool = True,
) -> dict[str, Any]:
    """Options of the mcp_http_mock fixture: the keywords of HttpMock."""
    return {
        "assert_all_called": assert_all_called,
        "assert_all_mocked": assert_all_mocked,
        "base_url": base_url,
        "pass_through_loopback": pass_through_loopback,
    }


def fake_upstream_marker(
    name: str = "fake-upstream",
    *,
    transport: str = "in_process",
    version: str = "1.0.0",
    instructions: str | None = None,
    tools: dict[str, Any] | None = None,
    resources: dict[str, Any] | None = None,
    prompts: dict[str, Any] | None = None,
    assert_all_called: bool = False,
) -> dict[str, Any]:
    """Options of the mcp_fake_upstream fixture: the arguments of FakeUpstream."""
    return {
        "name": name,
        "transport": transport,
        "version": version,
        "instructions": instructions,
        "tools": tools,
        "resources": resources,
        "prompts": prompts,
        "assert_all_called": assert_all_called,
    }


def mock_backend_marker(
    target: Any, attribute: str | None = None, /, *, assert_called: bool | None = None, **configure: Any
) -> dict[str, Any]:
    """Replace target.attribute with an autospec mock for the test (repeatable): the arguments of BackendMocks.patch."""
    return {"target": target, "attribute": attribute, "assert_called": assert_called, "configure": configure}


MARKERS: Final[dict[str, Callable[..., dict[str, Any]]]] = {
    "mcp_http_mock": http_mock_marker,
    "mcp_fake_upstream": fake_upstream_marker,
    "mcp_mock_backend": mock_backend_marker,
}


def _signature_text(name: str) -> str:
    func = MARKERS[name]
    signature = str(inspect.signature(func).replace(return_annotation=inspect.Signature.empty)).replace("'", "")
    return f"{name}{signature}: {inspect.getdoc(func)} See {DOCS}#{name}."


def _bind(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    try:
        inspect.signature(MARKERS[name]).bind(*args, **kwargs)
    except TypeError as exc:
        raise pytest.UsageError(f"@pytest.mark.{name}: {exc}. Signature: {_signature_text(name)}") from None
    return MARKERS[name](*args, **kwargs)


def _merged(node: Any, name: str) -> dict[str, Any]:
    """The ``name`` markers' arguments, nearest winning per keyword (positional arguments too)."""
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers(name))):
        _bind(name, marker.args, marker.kwargs)
        args = marker.args or args
        kwargs.update(marker.kwargs)
    return _bind(name, args, kwargs)


def pytest_configure(config: pytest.Config) -> None:
    for name in MARKERS:
        config.addinivalue_line("markers", _signature_text(name))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[CALL_FAILED_KEY] = True
    return report


def _fail_on(request: pytest.FixtureRequest, problems: list[str]) -> None:
    __tracebackhide__ = True
    if problems and not request.node.stash.get(CALL_FAILED_KEY, False):
        pytest.fail("\n".join(problems) + f"\nSee {DOCS}.", pytrace=False)


def _options_or_fail(node: Any, name: str) -> dict[str, Any]:
    __tracebackhide__ = True
    try:
        return _merged(node, name)
    except pytest.UsageError as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)


@pytest.fixture
def mcp_http_mock(request: pytest.FixtureRequest) -> Iterator[HttpMock]:
    """respx routes for the outgoing ``httpx`` calls of an in-process server (options: ``@pytest.mark.mcp_http_mock``).

    Teardown fails for routes never called and for requests no route matched.
    """
    fail_if_missing("respx", "mcp_http_mock")
    from .http import HttpMock

    mock = HttpMock(**_options_or_fail(request.node, "mcp_http_mock")).start()
    try:
        yield mock
    finally:
        problems = mock.problems()
        mock.stop(verify=False)
    _fail_on(request, problems)


@pytest.fixture
def mcp_fake_upstream(request: pytest.FixtureRequest) -> Iterator[FakeUpstream]:
    """A fake upstream MCP server with canned replies (options: ``@pytest.mark.mcp_fake_upstream``).

    Declare with ``.tool()`` / ``.resource()`` / ``.prompt()``; serve with ``.target``, ``.url``,
    ``.command`` or ``.server``; assert on ``.calls``. Child processes are stopped at teardown.
    """
    from .upstream import FakeUpstream

    options = _options_or_fail(request.node, "mcp_fake_upstream")
    try:
        upstream = FakeUpstream(options.pop("name"), **options)
    except pytest.UsageError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        pytest.fail(message, pytrace=False)
    try:
        yield upstream
    finally:
        problems = upstream.problems()
        upstream.close(verify=False)
    _fail_on(request, problems)


@pytest.fixture
def mcp_mock_backend(request: pytest.FixtureRequest) -> Iterator[BackendMocks]:
    """Replace backend objects with autospec'd mocks: ``mcp_mock_backend(target, "attr", return_value=...)``.

    Every ``@pytest.mark.mcp_mock_backend(...)`` of the test is applied first (get those mocks with
    ``mcp_mock_backend["pkg.mod:name"]``). Teardown restores the originals and fails for mocks
    nothing called.
    """
    from .backend import BackendMocks

    mocks = BackendMocks()
    message = ""
    try:
        for marker in reversed(list(request.node.iter_markers("mcp_mock_backend"))):
            values = _bind("mcp_mock_backend", marker.args, marker.kwargs)
            mocks.patch(
                values["target"], values["attribute"], assert_called=values["assert_called"], **values["configure"]
            )
    except pytest.UsageError as exc:
        message = str(exc)
    if message:
        mocks.undo(verify=False)
        pytest.fail(message, pytrace=False)
    try:
        yield mocks
    finally:
        problems = mocks.problems()
        mocks.undo(verify=False)
    _fail_on(request, problems)


@pytest.fixture
def _mcp_mocks_early(request: pytest.FixtureRequest) -> None:
    """Install marker-declared mocks before any server or client of the test starts."""
    for name in ("mcp_http_mock", "mcp_mock_backend", "mcp_fake_upstream"):
        if request.node.get_closest_marker(name) is not None:
            request.getfixturevalue(name)
