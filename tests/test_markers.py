"""Markers: registered with signatures, clean under --strict-markers, validated by signature."""

from __future__ import annotations

import pytest


def test_markers_are_listed_with_their_signatures(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.mcp_server(*targets: Any, fresh: bool = False): Test against these targets*",
            "@pytest.mark.mcp_era(era: str): Run the test in this protocol era*",
            "@pytest.mark.mcp_timeout(seconds: float): Per-request timeout*",
            "@pytest.mark.mcp_fresh_server(): Start a dedicated server for this test*",
            "@pytest.mark.mcp_client(*, headers: *token: *sampling: *",
            "@pytest.mark.security: authentication, authorization and hostile-input tests "
            "(registered by pytest_mcp for its suite's items)",
        ]
    )


def test_category_markers_work_with_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmcp_category_markers = true\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.unit
        def test_a(): pass

        @pytest.mark.security
        @pytest.mark.slow
        def test_b(): pass
        """
    )
    result = pytester.runpytest("--strict-markers", "-m", "security and not unit", "-v")
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(["*test_b PASSED*"])


def test_a_project_s_own_category_marker_is_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmcp_category_markers = true\nmarkers =\n    slow: our own meaning of slow\n")
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.slow: our own meaning of slow"])
    result.stdout.no_fnmatch_line("@pytest.mark.slow: tests that take more than*")


def test_a_marker_with_a_wrong_keyword_is_a_usage_error(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(
        """
        import pytest

        @pytest.mark.anyio
        @pytest.mark.mcp_server("tests.servers.demo:make_server")
        @pytest.mark.mcp_client(tokn="x")
        async def test_a(mcp_client): pass
        """
    )
    result = mcp_pytester.runpytest()
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.mcp_client: got an unexpected keyword argument 'tokn'. Signature: mcp_client(*"]
    )
    result.assert_outcomes(errors=1)
