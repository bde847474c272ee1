"""The feature plugins' early fixtures reach only the tests that ask for them, ahead of their clients."""

from __future__ import annotations

import pytest

from pytest_mcp.fixture_injection import EarlyFixture, add_early_fixtures

EARLY = ("_mcp_auth", "_mcp_chaos_early", "_mcp_mocks_early")


def test_a_plain_test_gets_none_of_them(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        f"""
        def test_plain(request):
            assert not set({EARLY!r}) & set(request.fixturenames), request.fixturenames
        """
    )
    mcp_pytester.runpytest_inprocess("-q").assert_outcomes(passed=1)


def test_markers_and_fixtures_bring_theirs_in_before_the_client(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        """
        import pytest

        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("tests.servers.demo:make_server")]

        @pytest.fixture(scope="session")
        def wide():
            return 1

        @pytest.mark.mcp_chaos(seed=7)
        async def test_chaos_marker(wide, mcp_client, request):
            names = request.fixturenames
            assert names.index("wide") < names.index("_mcp_chaos_early") < names.index("mcp_client"), names
            assert "_mcp_auth" not in names and "_mcp_mocks_early" not in names

        async def test_chaos_fixture(mcp_client, mcp_chaos, request):
            names = request.fixturenames
            assert names.index("_mcp_chaos_early") < names.index("mcp_client"), names

        @pytest.mark.mcp_token(scopes=["read"])
        async def test_token_marker(mcp_client, request):
            names = request.fixturenames
            assert names.index("_mcp_auth") < names.index("mcp_client"), names

        @pytest.mark.mcp_http_mock(assert_all_called=False)
        class TestMocked:
            async def test_class_marker(self, mcp_client, request):
                names = request.fixturenames
                assert names.index("_mcp_mocks_early") < names.index("mcp_client"), names
        """
    )
    result = mcp_pytester.runpytest_inprocess("-q", "-p", "no:randomly")
    result.assert_outcomes(passed=4)


def test_the_helper_keeps_existing_names_and_skips_non_functions() -> None:
    class Item:
        def __init__(self, names: list[str], marks: tuple[str, ...] = ()) -> None:
            self.fixturenames = names
            self._marks = marks

        def iter_markers(self):  # type: ignore[no-untyped-def]
            return [pytest.Mark(name, (), {}, _ispytest=True) for name in self._marks]

    spec = EarlyFixture("early", markers=frozenset({"m"}), uses=frozenset({"f"}))
    marked, using, already, neither = Item(["a"], ("m",)), Item(["f"]), Item(["early", "f"]), Item(["x"], ("other",))
    no_names = object()
    add_early_fixtures([marked, using, already, neither, no_names], [spec])
    assert marked.fixturenames == ["early", "a"]
    assert using.fixturenames == ["early", "f"]
    assert already.fixturenames == ["early", "f"]
    assert neither.fixturenames == ["x"]
