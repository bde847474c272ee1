"""``HttpMock``: mock the outgoing ``httpx`` calls of an in-process server with respx.

The server under test and the test share the interpreter, so respx (which patches ``httpcore``)
answers the server's ``httpx`` requests with the routes the test declares. The test client's own
MCP traffic is untouched: the MCP SDK speaks HTTP through ``httpx2`` and ``httpcore2``, which respx
does not patch. Plain ``httpx`` requests to loopback (a spawned server, the token issuer's JWKS)
pass through to the network unless a route of the test matches them first.

On exit it checks that every declared route was called and that no request went unmatched, and
names the routes and requests at fault. See docs/mocks.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final, final

from .._docs import docs_url
from ..errors import McpAssertionError, McpUsageError
from ..extras import require
from .options import HttpMockOptions

require("respx", "HttpMock (mcp_http_mock)")

__all__ = ["HttpMock"]

DOCS: Final = docs_url("mocks.md", "mcp_http_mock")
LOOPBACK_HOSTS: Final = ("127.0.0.1", "localhost", "::1", "[::1]")
_LOOPBACK: Final = "pytest-mcp: loopback pass-through"
_UNMATCHED: Final = "pytest-mcp: unmatched"
_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def _router(**options: Any) -> Any:
    """A respx ``MockRouter`` that keeps the plugin's catch-all routes after every route of the test."""
    import respx

    class Router(respx.MockRouter):
        def add(self, route: Any, *, name: str | None = None) -> Any:
            if name in (_LOOPBACK, _UNMATCHED):
                raise McpUsageError(f"the route name {name!r} is reserved by mcp_http_mock")
            added = super().add(route, name=name)
            for tail in (_LOOPBACK, _UNMATCHED):
                kept = self.routes.pop(tail, None)  # type: ignore[no-untyped-call]  # respx leaves RouteList.pop unannotated
                if kept is not None:
                    self.routes.add(kept, name=tail)
            return added

    return Router(**options)


@final
class HttpMock:
    """respx routes for an in-process server's ``httpx`` calls: ``with HttpMock() as http: http.get(url).respond(200)``.

    ``assert_all_called``: on exit, fail if a declared route was never requested.
    ``assert_all_mocked``: a request no route matches fails (the call raises respx's
    ``AllMockedAssertionError``, and exit reports it); with False it gets an empty 200, as in respx.
    ``base_url``: prefix of every route's URL. ``pass_through_loopback``: let requests to
    127.0.0.1/localhost/::1 that no route matches reach the network.
    """

    def __init__(self, options: HttpMockOptions | None = None, /, **keywords: Any) -> None:
        """``options``, or the same as keywords (``base_url=...``: see ``HttpMockOptions``)."""
        if options is None:
            options = HttpMockOptions(**keywords)
        elif keywords:
            raise McpUsageError("pass HttpMock either an HttpMockOptions or keywords, not both")
        self.assert_all_called = options.assert_all_called
        self.assert_all_mocked = options.assert_all_mocked
        self.base_url = options.base_url
        self.pass_through_loopback = options.pass_through_loopback
        self.router = _router(assert_all_called=False, assert_all_mocked=False, base_url=options.base_url)
        """The underlying ``respx.MockRouter`` (for anything respx offers that this class does not wrap)."""
        self.unmatched: list[Any] = []
        """Requests no route of the test matched (``httpx.Request`` objects)."""
        self._descriptions: dict[int, str] = {}
        self._started = False
        self._install_tail()

    def _install_tail(self) -> None:
        import respx

        if self.pass_through_loopback:
            loopback = respx.Route(host__in=LOOPBACK_HOSTS).pass_through()
            self.router.routes.add(loopback, name=_LOOPBACK)
        if self.assert_all_mocked:
            self.router.routes.add(respx.Route().mock(side_effect=self._unmatched), name=_UNMATCHED)

    def _unmatched(self, request: Any) -> Any:
        import respx

        self.unmatched.append(request)
        raise respx.models.AllMockedAssertionError(
            f"mcp_http_mock: no route matches {request.method} {request.url}. Routes:\n{self._route_lines()}\n"
            f"Add one (mcp_http_mock.{request.method.lower()}({str(request.url)!r}).respond(...)) or use "
            f"assert_all_mocked=False. See {DOCS}."
        )

    # -- declaring routes -----------------------------------------------------------------------
    def route(self, *patterns: Any, name: str | None = None, **lookups: Any) -> Any:
        """A respx route for any patterns/lookups (``route(host="api.example", path__regex=...)``)."""
        route = self.router.route(*patterns, name=name, **lookups)
        shown = ", ".join([*map(repr, patterns), *(f"{key}={value!r}" for key, value in lookups.items())])
        self._descriptions[id(route)] = f"route({shown})"
        return route

    def request(self, method: str, url: str | None = None, *, name: str | None = None, **lookups: Any) -> Any:
        """A route for ``method`` and ``url`` (both optional patterns); configure it with ``.respond(...)``."""
        route = self.router.request(method, url, name=name, **lookups)
        extra = "".join(f" {key}={value!r}" for key, value in lookups.items())
        shown = url or "*"
        if self.base_url and not shown.startswith(("http://", "https://")):
            shown = self.base_url.rstrip("/") + "/" + shown.lstrip("/")
        self._descriptions[id(route)] = f"{method.upper()} {shown}{extra}"
        return route

    def get(self, url: str | None = None, *, name: str | None = None, **lookups: Any) -> Any:
        return self.request("GET", url, name=name, **lookups)

    def post(self, url: str | None = None, *, name: str | None = None, **lookups: Any) -> Any:
        return self.request("POST", url, name=name, **lookups)

    def put(self, url: str | None = None, *, name: str | None = None, **lookups: Any) -> Any:
        return self.request("PUT", url, name=name, **lookups)

    def patch(self, url: str | None = None, *, name: str | None = None, **lookups: Any) -> Any:
        return self.request("PATCH", url, name=name, **lookups)

    def delete(self, url: str | None = None, *, name: str | None = None, **lookups: Any) -> Any:
        return self.request("DELETE", url, name=name, **lookups)

    def head(self, url: str | None = None, *, name: str | None = None, **lookups: Any) -> Any:
        return self.request("HEAD", url, name=name, **lookups)

    def options(self, url: str | None = None, *, name: str | None = None, **lookups: Any) -> Any:
        return self.request("OPTIONS", url, name=name, **lookups)

    def pass_through(self, *patterns: Any, name: str | None = None, **lookups: Any) -> Any:
        """Let matching requests reach the network (never counted as 'not called')."""
        route = self.route(*patterns, name=name, **lookups).pass_through()
        self._descriptions[id(route)] = "pass-through " + self._descriptions[id(route)]
        return route

    def __getitem__(self, name: str) -> Any:
        """The route named ``name``."""
        return self.router[name]

    # -- facts ----------------------------------------------------------------------------------
    @property
    def calls(self) -> Any:
        """Every request respx saw (``respx.CallList``: ``.last.request``, ``.call_count``, ...)."""
        return self.router.calls

    def routes(self) -> Iterator[Any]:
        """The test's routes, in matching order (without the plugin's pass-through and catch-all)."""
        return (route for route in self.router.routes if route.name not in (_LOOPBACK, _UNMATCHED))

    def describe(self, route: Any) -> str:
        text = self._descriptions.get(id(route)) or repr(route.pattern)
        return f"{text} (name {route.name!r})" if route.name else text

    def _route_lines(self) -> str:
        lines = [f"  - {self.describe(route)} (called {route.call_count} time(s))" for route in self.routes()]
        return "\n".join(lines) if lines else "  (none)"

    def problems(self) -> list[str]:
        """What ``verify()`` would complain about, one paragraph per problem."""
        found = []
        if self.unmatched:
            requests = "\n".join(f"  - {request.method} {request.url}" for request in self.unmatched)
            found.append(
                f"mcp_http_mock: {len(self.unmatched)} request(s) matched no route:\n{requests}\n"
                f"amongst the routes:\n{self._route_lines()}\n"
                f"Mock them, or let unmatched requests through with assert_all_mocked=False."
            )
        if self.assert_all_called:
            missed = [route for route in self.routes() if not route.called and not route.is_pass_through]
            if missed:
                lines = "\n".join(f"  - {self.describe(route)}" for route in missed)
                found.append(
                    f"mcp_http_mock: {len(missed)} route(s) were never called:\n{lines}\n"
                    f"If they are optional, use @pytest.mark.mcp_http_mock(assert_all_called=False) "
                    f"(or HttpMock(assert_all_called=False))."
                )
        return found

    def verify(self) -> None:
        """Raise ``McpAssertionError`` naming uncalled routes and unmatched requests."""
        __tracebackhide__ = True
        found = self.problems()
        if found:
            raise McpAssertionError("\n".join(found) + f"\nSee {DOCS}.")

    # -- life cycle -----------------------------------------------------------------------------
    def start(self) -> HttpMock:
        if self._started:
            raise McpUsageError("this HttpMock is already started")
        self.router.start()
        self._started = True
        return self

    def stop(self, *, verify: bool = True) -> None:
        """Stop patching; first check the routes unless ``verify=False``."""
        __tracebackhide__ = True
        if not self._started:
            return
        found = self.problems() if verify else []
        self._started = False
        self.router.stop(clear=False, reset=False, quiet=True)
        if found:
            raise McpAssertionError("\n".join(found) + f"\nSee {DOCS}.")

    def __enter__(self) -> HttpMock:
        return self.start()

    def __exit__(self, exc_type: Any, *exc_info: object) -> None:
        __tracebackhide__ = True
        self.stop(verify=exc_type is None)

    async def __aenter__(self) -> HttpMock:
        return self.start()

    async def __aexit__(self, exc_type: Any, *exc_info: object) -> None:
        __tracebackhide__ = True
        self.stop(verify=exc_type is None)

    def __repr__(self) -> str:
        return f"<HttpMock {len(list(self.routes()))} routes, {self.calls.call_count} calls>"
