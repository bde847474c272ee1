"""The examples of docs/load.md run as written (each block that starts with ``# file:``, and its locustfile)."""

from __future__ import annotations

import importlib.util
import re

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.load

DOC = ROOT / "docs" / "load.md"
BLOCK = re.compile(r"```python\n# file: (?P<name>\S+)\n(?P<body>.*?)```", re.S)
LOCUSTFILE = re.compile(r"```python\n(# locustfile\.py.*?)```", re.S)


def blocks() -> dict[str, str]:
    return {m["name"]: m["body"] for m in BLOCK.finditer(DOC.read_text())}


def test_the_page_has_the_examples_these_tests_run() -> None:
    assert set(blocks()) == {"test_load_quickstart.py", "test_benchmark_quickstart.py", "test_locust_quickstart.py"}


def test_the_locustfile_is_the_example_servers() -> None:
    found = LOCUSTFILE.search(DOC.read_text())
    assert found is not None
    assert found[1] == (ROOT / "example_server" / "tests" / "load" / "locustfile.py").read_text()


@pytest.mark.parametrize(
    ("name", "outcomes", "args"),
    [
        ("test_load_quickstart.py", {"passed": 1}, ()),
        ("test_benchmark_quickstart.py", {"passed": 2}, ("--benchmark-max-time=0.05", "--benchmark-min-rounds=3")),
        ("test_locust_quickstart.py", {"passed": 1, "deselected": 1}, ("-k", "headless")),
        ("test_locust_quickstart.py", {"passed": 1, "deselected": 1}, ("-k", "distributed")),
    ],
    ids=["load", "benchmark", "locust-headless", "locust-distributed"],
)
def test_the_documented_example_passes(
    load_pytester: pytest.Pytester, name: str, outcomes: dict[str, int], args: tuple[str, ...]
) -> None:
    if name == "test_locust_quickstart.py":
        if importlib.util.find_spec("locust") is None:
            pytest.skip("locust is not installed")
        locustfile = LOCUSTFILE.search(DOC.read_text())
        assert locustfile is not None
        (load_pytester.path / "locustfile.py").write_text(locustfile[1])
    (load_pytester.path / name).write_text(blocks()[name])
    result = load_pytester.runpytest("-p", "no:cacheprovider", *args)
    result.assert_outcomes(**outcomes)
