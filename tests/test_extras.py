"""A feature whose extra is not installed fails with one line naming the extra, at every entry point."""

from __future__ import annotations

import importlib
import sys

import pytest

from pytest_mcp import extras

FIXTURES = {
    "mcp_snapshot": ("syrupy", "mcp_snapshot needs syrupy: pip install 'pytest-mcp-testkit[snapshots]'"),
    "mcp_http_mock": ("respx", "mcp_http_mock needs respx: pip install 'pytest-mcp-testkit[mocks]'"),
    "mcp_benchmark": (
        "pytest_benchmark",
        "mcp_benchmark needs pytest-benchmark: pip install 'pytest-mcp-testkit[benchmark]'",
    ),
    "mcp_arguments_factory": (
        "factory",
        "mcp_arguments_factory needs factory-boy: pip install 'pytest-mcp-testkit[factories]'",
    ),
}

MODULES = {
    "pytest_mcp.snapshots.extension": ("syrupy", "snapshots"),
    "pytest_mcp.factories.arguments": ("factory", "factories"),
    "pytest_mcp.mocks.http": ("respx", "mocks"),
    "pytest_mcp.load.locust": ("locust", "load"),
}


def pretend_missing(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    real = extras.installed
    monkeypatch.setattr(extras, "installed", lambda name: name != module and real(name))


@pytest.mark.parametrize("fixture", list(FIXTURES))
def test_a_fixture_says_which_extra(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fixture: str) -> None:
    module, message = FIXTURES[fixture]
    pretend_missing(monkeypatch, module)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        @pytest.mark.mcp_server("tests.servers.demo:make_server")
        async def test_it({fixture}):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])
    result.stdout.no_fnmatch_line("*ModuleNotFoundError*")
    result.stdout.no_fnmatch_line("*Traceback*")


@pytest.mark.parametrize("name", list(MODULES))
def test_importing_a_feature_module_says_which_extra(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    module, extra = MODULES[name]
    pretend_missing(monkeypatch, module)
    monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(ImportError) as info:
        importlib.import_module(name)
    assert isinstance(info.value, extras.MissingExtraError)
    assert str(info.value).endswith(f": pip install 'pytest-mcp-testkit[{extra}]'")
    assert info.value.name == module


def test_the_public_name_of_a_feature_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytest_mcp

    pretend_missing(monkeypatch, "syrupy")
    monkeypatch.delitem(sys.modules, "pytest_mcp.snapshots.extension", raising=False)
    with pytest.raises(extras.MissingExtraError, match=r"needs syrupy: pip install 'pytest-mcp-testkit\[snapshots\]'"):
        pytest_mcp.McpSnapshotExtension  # noqa: B018


def test_every_extra_module_is_declared_in_pyproject() -> None:
    """The table of extras and pyproject's optional dependencies name the same extras and packages."""
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
    declared = project["optional-dependencies"]
    for package, extra in extras.EXTRAS.values():
        assert any(spec.lower().startswith(package) for spec in declared[extra]), (package, extra)
    assert set(declared["all"][0].split("[")[1].rstrip("]").split(",")) == {e for _, e in extras.EXTRAS.values()}
