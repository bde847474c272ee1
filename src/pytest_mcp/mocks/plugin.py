"""pytest hooks and fixtures of pytest_mcp.mocks, loaded by pytest_mcp.plugin.

Must stay cheap to import: no MCP SDK, pydantic, starlette, httpx or respx at module level.

* ``mcp_http_mock`` / marker ``mcp_http_mock(...)``: an ``HttpMock`` (respx) for the server's httpx calls;
* ``mcp_fake_upstream`` / marker ``mcp_fake_upstream(...)``: a ``FakeUpstream`` MCP server;
* ``mcp_mock_backend`` / marker ``mcp_mock_backend(target, attribute, ...)``: ``BackendMocks``.

Each verifies on teardown (routes never called, requests no route matched, mocks never called),
unless the test itself failed: then its own failure is the story.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

import pytest

from .. import markers
from .._docs import docs_url
from ..extras import fail_if_missing
from ..fixture_injection import EarlyFixture
from .options import BackendPatch, FakeUpstreamOptions, HttpMockOptions

if TYPE_CHECKING:
    from .backend import BackendMocks
    from .http import HttpMock
    from .upstream import FakeUpstream

DOCS: Final = docs_url("mocks.md")
EARLY_FIXTURES: Final = (
    EarlyFixture("_mcp_mocks_early", markers=frozenset({"mcp_http_mock", "mcp_mock_backend", "mcp_fake_upstream"})),
)
"""Install marker-declared mocks before any server or client of the test starts (see ``pytest_mcp.fixture_injection``)."""
CALL_FAILED_KEY: Final = pytest.StashKey[bool]()

MARKERS: Final[dict[str, type]] = {
    "mcp_http_mock": HttpMockOptions,
    "mcp_fake_upstream": FakeUpstreamOptions,
    "mcp_mock_backend": BackendPatch,
}
"""Each marker's options type (``options.py``): its signature, and what its fixture builds from."""


def pytest_configure(config: pytest.Config) -> None:
    for name, options in MARKERS.items():
        config.addinivalue_line("markers", markers.signature_text(name, options, f"{DOCS}#{name}"))


def note_call_failure(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """Remember a failed test body: its mocks' unmet expectations are then not reported on top (a report
    provider, see ``pytest_mcp.reporting``)."""
    if report.when == "call" and report.failed:
        item.stash[CALL_FAILED_KEY] = True


REPORT_PROVIDERS: Final = (note_call_failure,)
"""Added to every report by the core's one report hook (see ``pytest_mcp.reporting``)."""


def _fail_on(request: pytest.FixtureRequest, problems: list[str]) -> None:
    __tracebackhide__ = True
    if problems and not request.node.stash.get(CALL_FAILED_KEY, False):
        pytest.fail("\n".join(problems) + f"\nSee {DOCS}.", pytrace=False)


def _lend_then_verify(request: pytest.FixtureRequest, mock: Any, close: Callable[..., None]) -> Iterator[Any]:
    """Yield ``mock`` to the test; at teardown close it, then fail the test on the ``problems()`` it
    recorded (expectations unmet, requests unmatched) unless the test itself failed."""
    __tracebackhide__ = True
    try:
        yield mock
    finally:
        problems = mock.problems()
        close(verify=False)
    _fail_on(request, problems)


def _options_or_fail(node: Any, name: str) -> Any:
    """The ``name`` markers' options type, nearest winning per keyword (positional arguments too)."""
    __tracebackhide__ = True
    try:
        return markers.merged_options(node, name, MARKERS[name], f"{DOCS}#{name}")
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

    mock = HttpMock(_options_or_fail(request.node, "mcp_http_mock")).start()
    yield from _lend_then_verify(request, mock, mock.stop)


@pytest.fixture
def mcp_fake_upstream(request: pytest.FixtureRequest) -> Iterator[FakeUpstream]:
    """A fake upstream MCP server with canned replies (options: ``@pytest.mark.mcp_fake_upstream``).

    Declare with ``.tool()`` / ``.resource()`` / ``.prompt()``; serve with ``.target``, ``.url``,
    ``.command`` or ``.server``; assert on ``.calls``. Child processes are stopped at teardown.
    """
    from .upstream import FakeUpstream

    options = _options_or_fail(request.node, "mcp_fake_upstream")
    try:
        upstream = FakeUpstream(options)
    except pytest.UsageError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        pytest.fail(message, pytrace=False)
    yield from _lend_then_verify(request, upstream, upstream.close)


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
            name = "mcp_mock_backend"
            mocks.apply(markers.bind(name, marker.args, marker.kwargs, BackendPatch, f"{DOCS}#{name}"))
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
