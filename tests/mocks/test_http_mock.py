"""HttpMock and the mcp_http_mock fixture/marker: respx for a server's httpx calls, MCP traffic untouched."""

from __future__ import annotations

import http.server
import sys
import threading

import httpx
import httpx2
import pytest
import respx

from pytest_mcp._docs import DOCS_URL
from pytest_mcp.errors import McpAssertionError, McpUsageError
from pytest_mcp.mocks import HttpMock

WEATHER = "tests.mocks.servers:make_weather_server"


@pytest.fixture(scope="module")
def loopback_url():
    """A plain HTTP server on 127.0.0.1 answering 200 to everything."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_routes_answer_plain_httpx_and_record_calls() -> None:
    with HttpMock() as mock:
        route = mock.get("https://api.example/users/1", name="user").respond(200, json={"id": 1})
        assert httpx.get("https://api.example/users/1").json() == {"id": 1}
        assert route.call_count == 1 and mock["user"] is route
        assert mock.calls.last.request.url == "https://api.example/users/1"
    assert not mock.problems()


def test_a_request_no_route_matches_fails_there_and_is_reported_at_exit() -> None:
    mock = HttpMock()
    with pytest.raises(McpAssertionError) as at_exit:
        with mock:
            mock.get("https://api.example/a").respond(204)
            httpx.get("https://api.example/a")
            with pytest.raises(respx.models.AllMockedAssertionError) as raised:
                httpx.post("https://api.example/b?x=1")
    assert str(raised.value).startswith("mcp_http_mock: no route matches POST https://api.example/b?x=1. Routes:\n")
    assert "  - GET https://api.example/a (called 1 time(s))" in str(raised.value)
    assert str(at_exit.value).splitlines() == [
        "mcp_http_mock: 1 request(s) matched no route:",
        "  - POST https://api.example/b?x=1",
        "amongst the routes:",
        "  - GET https://api.example/a (called 1 time(s))",
        "Mock them, or let unmatched requests through with assert_all_mocked=False.",
        f"See {DOCS_URL}mocks.md#mcp_http_mock.",
    ]


def test_routes_never_called_are_named_at_exit() -> None:
    mock = HttpMock(base_url="https://api.example")
    with pytest.raises(McpAssertionError) as raised:
        with mock:
            mock.get("/used").respond(200)
            mock.post("/orders", name="create-order").respond(201)
            mock.route(host="other.example", path__startswith="/v2").respond(200)
            httpx.get("https://api.example/used")
    assert str(raised.value).splitlines() == [
        "mcp_http_mock: 2 route(s) were never called:",
        "  - POST https://api.example/orders (name 'create-order')",
        "  - route(host='other.example', path__startswith='/v2')",
        "If they are optional, use @pytest.mark.mcp_http_mock(assert_all_called=False) "
        "(or HttpMock(assert_all_called=False)).",
        f"See {DOCS_URL}mocks.md#mcp_http_mock.",
    ]


def test_opt_outs() -> None:
    with HttpMock(assert_all_called=False, assert_all_mocked=False) as mock:
        mock.get("https://api.example/never").respond(200)
        reply = httpx.get("https://unmocked.example/")
        assert (reply.status_code, reply.content) == (200, b""), "respx's auto-mocked empty 200"
    assert mock.problems() == []


def test_exit_after_an_exception_does_not_verify() -> None:
    mock = HttpMock()
    with pytest.raises(ZeroDivisionError), mock:
        mock.get("https://api.example/never").respond(200)
        1 / 0  # noqa: B018
    assert not respx.mock.routes  # stopped: nothing left patched
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://127.0.0.1:9/", timeout=2)


def test_loopback_passes_through_unless_a_route_matches_it(loopback_url: str) -> None:
    with HttpMock() as mock:
        assert httpx.get(loopback_url).text == "ok"
        mock.get(loopback_url + "mocked").respond(200, text="mocked")
        assert httpx.get(loopback_url + "mocked").text == "mocked", "the test's routes come before the pass-through"
        assert httpx.get(loopback_url).text == "ok"


def test_without_loopback_pass_through_loopback_is_unmatched_but_httpx2_is_never_touched(loopback_url: str) -> None:
    mock = HttpMock(pass_through_loopback=False)
    with pytest.raises(McpAssertionError, match=r"1 request\(s\) matched no route"), mock:
        with pytest.raises(AssertionError):
            httpx.get(loopback_url)
        # the MCP SDK's HTTP client: respx does not patch httpx2/httpcore2
        assert httpx2.get(loopback_url).text == "ok"
    assert len(mock.unmatched) == 1


def test_explicit_pass_through_routes_are_not_expected_to_be_called() -> None:
    with HttpMock() as mock:
        route = mock.pass_through(host="never.example")
        assert route.is_pass_through
    assert mock.problems() == []


def test_reserved_names_and_double_start() -> None:
    mock = HttpMock()
    with pytest.raises(McpUsageError, match="reserved"):
        mock.get("https://x.example/", name="pytest-mcp: unmatched")
    with mock, pytest.raises(McpUsageError, match="already started"):
        mock.start()


# -- the fixture and marker, in pytest runs, with an in-process server making the calls ----------

SERVER_CONFTEST = f"""
import pytest

@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"

@pytest.fixture
def mcp_server_target():
    return "{WEATHER}"
"""


def test_the_fixture_mocks_the_servers_calls(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makeconftest(SERVER_CONFTEST)
    mcp_pytester.makepyfile(
        """
        import pytest
        pytestmark = pytest.mark.anyio

        async def test_forecast(mcp_client, mcp_http_mock):
            route = mcp_http_mock.get("https://weather.example/v1/forecast", params={"city": "Oslo"})
            route.respond(200, json={"city": "Oslo", "sky": "snow"})
            result = await mcp_client.call("forecast", city="Oslo")
            assert result.structured == {"city": "Oslo", "sky": "snow"}
            assert route.calls.last.request.url.params["city"] == "Oslo"

        async def test_upstream_failure_becomes_a_tool_error(mcp_client, mcp_http_mock):
            route = mcp_http_mock.get("https://weather.example/v1/forecast").respond(503)
            result = await mcp_client.call("forecast", city="Oslo")
            assert result.is_error and result.text == "Error executing tool forecast"  # the SDK hides the cause
            assert route.calls.last.response.status_code == 503
        """
    )
    mcp_pytester.runpytest().assert_outcomes(passed=2)


def test_teardown_names_uncalled_routes_and_unmatched_requests(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makeconftest(SERVER_CONFTEST)
    mcp_pytester.makepyfile(
        """
        import pytest
        pytestmark = pytest.mark.anyio

        async def test_uncalled(mcp_client, mcp_http_mock):
            mcp_http_mock.get("https://weather.example/v1/forecast").respond(200, json={})
            mcp_http_mock.post("https://geo.example/lookup", name="geo").respond(200, json={})
            await mcp_client.call("forecast", city="Oslo")

        async def test_unmatched(mcp_client, mcp_http_mock):
            result = await mcp_client.call("geocode", place="Oslo")
            assert result.is_error  # the server saw the failed request as an exception

        @pytest.mark.mcp_http_mock(assert_all_called=False)
        async def test_opted_out(mcp_client, mcp_http_mock):
            mcp_http_mock.post("https://geo.example/lookup").respond(200, json={})

        async def test_failing_test_gets_no_extra_teardown_error(mcp_client, mcp_http_mock):
            mcp_http_mock.post("https://geo.example/lookup").respond(200, json={})
            assert False, "the test's own failure"
        """
    )
    result = mcp_pytester.runpytest("-v")
    result.stdout.fnmatch_lines(
        [
            "*test_uncalled PASSED*",
            "*test_uncalled ERROR*",
            "*test_unmatched PASSED*",
            "*test_unmatched ERROR*",
            "*test_opted_out PASSED*",
            "*test_failing_test_gets_no_extra_teardown_error FAILED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_uncalled*",
            "mcp_http_mock: 1 route(s) were never called:",
            "  - POST https://geo.example/lookup (name 'geo')",
            "If they are optional, use @pytest.mark.mcp_http_mock(assert_all_called=False) "
            "(or HttpMock(assert_all_called=False)).",
            f"See {DOCS_URL}mocks.md.",
        ],
        consecutive=False,
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_unmatched*",
            "mcp_http_mock: 1 request(s) matched no route:",
            "  - POST https://geo.example/lookup",
            "amongst the routes:",
            "  (none)",
        ]
    )
    result.assert_outcomes(passed=3, failed=1, errors=2)


@pytest.mark.slow  # spawns a Python HTTP server (about 3 s of imports on a loaded machine)
def test_mcp_traffic_over_http_is_untouched(mcp_pytester: pytest.Pytester) -> None:
    """A spawned HTTP server reached through httpx2, while every plain-httpx request must be mocked."""
    mcp_pytester.makepyfile(
        f"""
        import pytest, pytest_mcp
        pytestmark = [
            pytest.mark.anyio,
            pytest.mark.mcp_server(pytest_mcp.spawn_http("{sys.executable} -m tests.servers.demo --http --port {{port}}")),
            pytest.mark.mcp_http_mock(pass_through_loopback=False, assert_all_called=False),
        ]

        async def test_it(mcp_client, mcp_http_mock):
            assert (await mcp_client.call("add", a=1, b=2)).structured == {{"result": 3}}
            assert mcp_http_mock.calls.call_count == 0
        """
    )
    mcp_pytester.runpytest().assert_outcomes(passed=1)


def test_marker_keywords_are_checked(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mcp_http_mock(assert_all_caled=False)
        def test_typo(mcp_http_mock):
            pass

        @pytest.mark.mcp_http_mock(base_url="https://api.example")
        def test_marker_alone_installs_the_mock(request):
            import httpx
            mock = request.getfixturevalue("mcp_http_mock")
            mock.get("/x").respond(200, text="from marker")
            assert httpx.get("https://api.example/x").text == "from marker"
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.mcp_http_mock: got an unexpected keyword argument 'assert_all_caled'. "
            "Signature: mcp_http_mock(*, assert_all_called: bool = True,*"
        ]
    )
    result.assert_outcomes(passed=1, errors=1)


def test_the_marker_s_options_type_configures_http_mock() -> None:
    from pytest_mcp.mocks import HttpMockOptions

    by_options = HttpMock(HttpMockOptions(base_url="https://api.example", assert_all_called=False))
    by_keywords = HttpMock(base_url="https://api.example", assert_all_called=False)
    for mock in (by_options, by_keywords):
        assert (mock.base_url, mock.assert_all_called, mock.assert_all_mocked) == ("https://api.example", False, True)
    with pytest.raises(McpUsageError, match="either an HttpMockOptions or keywords, not both"):
        HttpMock(HttpMockOptions(), base_url="https://api.example")
    with pytest.raises(TypeError, match="unexpected keyword argument 'base'"):
        HttpMock(base="https://api.example")
