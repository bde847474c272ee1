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


# -- the marker engine: one options type is a marker's signature, check and value ----------------

ENGINE_CONFTEST = '''
import dataclasses
from dataclasses import dataclass, field

import pytest

from pytest_mcp import markers


@dataclass(frozen=True, kw_only=True)
class ProbeOptions:
    """Probe a thing for this test."""

    target: str = field(kw_only=False, metadata={markers.POSITIONAL_ONLY: True})
    rate: float = 0.5
    labels: dict = markers.extra_keywords()

    def __post_init__(self):
        if not 0 <= self.rate <= 1:
            raise ValueError(f"rate={self.rate!r}: give a probability between 0 and 1")


def pytest_configure(config):
    config.addinivalue_line("markers", markers.signature_text("probe", ProbeOptions, "https://example.invalid/probe"))


@pytest.fixture
def probe(request):
    return markers.merged_options(request.node, "probe", ProbeOptions, "https://example.invalid/probe")
'''


def test_an_options_type_is_the_marker_s_signature_check_and_value(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(ENGINE_CONFTEST)
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.probe("far", rate=0.25, colour="red")

        @pytest.mark.probe("near", size="xl")
        def test_nearest_wins_per_keyword(probe):
            assert (probe.target, probe.rate, probe.labels) == ("near", 0.25, {"colour": "red", "size": "xl"})

        @pytest.mark.probe(target="by-name")
        def test_positional_only(probe):
            pass

        @pytest.mark.probe("x", rate=2)
        def test_bad_value(probe):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "E * pytest.UsageError: @pytest.mark.probe: 'target' parameter is positional only, but was passed as a "
            "keyword. Signature: "
            "probe(target: str, /, *, rate: float = 0.5, **labels: Any): Probe a thing for this test. "
            "See https://example.invalid/probe.",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "E * pytest.UsageError: @pytest.mark.probe('x', rate=2, colour='red'): rate=2: give a probability "
            "between 0 and 1",
        ]
    )
    listed = pytester.runpytest("--markers")
    listed.stdout.fnmatch_lines(
        [
            "@pytest.mark.probe(target: str, /, *, rate: float = 0.5, **labels: Any): Probe a thing for this test. "
            "See https://example.invalid/probe."
        ]
    )


def test_client_options_check_their_values_and_take_options_or_keywords() -> None:
    from pytest_mcp.markers import ClientOptions

    assert ClientOptions(log_level="debug", raise_exceptions=True).log_level == "debug"
    with pytest.raises(ValueError, match=r"^log_level: "):
        ClientOptions(log_level="loud")
    with pytest.raises(ValueError, match=r"^headers: give a dict of header names to str values, not"):
        ClientOptions(headers={"X-Count": 3})  # type: ignore[dict-item]
    given = ClientOptions(token="t")
    assert ClientOptions.of(given, {}) is given
    assert ClientOptions.of(None, {"token": "t"}) == given
    with pytest.raises(TypeError, match="either a ClientOptions or its keywords, not both"):
        ClientOptions.of(given, {"token": "u"})
