"""Helpers for the suite's own tests: targets of the test servers, a direct way to run one check, and the
outcomes a run wrote to its junit-xml file."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from pytest_mcp.server.targets import Target, parse_target, spawn_http
from pytest_mcp.settings import Settings
from pytest_mcp.suite.items import Case, run_case
from pytest_mcp.suite.registry import REGISTRY, load_checks
from pytest_mcp.suite.runtime import SuiteOptions, SuiteRuntime

HERE = Path(__file__).resolve().parent
RAW_SERVER = HERE / "broken_servers" / "rawserver.py"
TOOLBED = HERE / "broken_servers" / "toolbed.py"
DEMO_TOOLS = "add,echo,count,pid,log_something"
"""The demo server's tools the fuzz suite may call: not crash, env (they are meant to misbehave), sleep and
progress (a huge valid number keeps them busy or blocks the server), fail (the SDK logs a 1 MB error message
with rich, which blocks the server for minutes) and the sampling/elicitation tools."""


def raw_stdio(*defects: str) -> str:
    """The raw server over stdio, with these defects planted."""
    flags = "".join(f" --defect {name}" for name in defects)
    return f"{sys.executable} {RAW_SERVER}{flags}"


def toolbed(*defects: str, root: Path | None = None) -> str:
    """The toolbed server over stdio, with these defects planted; its workspace tools confined to ``root``
    when given."""
    flags = (f" --root {root}" if root is not None else "") + "".join(f" --defect {name}" for name in defects)
    return f"{sys.executable} {TOOLBED}{flags}"


def raw_http(*defects: str, token: str | None = None) -> Target:
    """The raw server over Streamable HTTP on a free port (started by the suite's pool)."""
    args = ["--http", "--port", "{port}"]
    for name in defects:
        args += ["--defect", name]
    if token:
        args += ["--auth-token", token]
    return spawn_http(sys.executable, str(RAW_SERVER), *args)


def junit_outcomes(path: Path) -> dict[str, str]:
    """Per test case of the junit-xml file at ``path``: ``passed``, ``failure``, ``error`` or ``skipped``."""
    outcomes = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[case.get("name", "")] = kinds[0] if kinds else "passed"
    return outcomes


@dataclass
class Outcome:
    outcome: str
    """``passed``, ``failed``, ``skipped`` or ``xfailed``."""
    message: str = ""


class CheckRunner:
    """Runs single checks against one target, the way a suite item does, and says how each ended."""

    def __init__(
        self,
        target: Any,
        *,
        tools: str = "read-only",
        token: str | None = None,
        timeout: float = 10.0,  # the plugin's default: a stdio server under coverage on a loaded machine starts slowly
        seed: int = 0,
        examples: int = 25,
        sandbox: Path | None = None,
    ) -> None:
        load_checks()
        options = SuiteOptions(
            fuzz_tools=tools,
            auth_token=token,
            seed=seed,
            fuzz_examples=examples,
            sandbox=str(sandbox) if sandbox is not None else None,
        )
        self.runtime = SuiteRuntime(parse_target(target), Settings(timeout=timeout), options)

    def run(self, check_id: str, era: str) -> Outcome:
        case = Case(REGISTRY[check_id], era, self.runtime.transport)
        try:
            run_case(case, self.runtime, None, [])
        except pytest.skip.Exception as exc:
            return Outcome("skipped", str(exc))
        except (AssertionError, pytest.fail.Exception) as exc:  # a check's failure, or the target's (once)
            return Outcome("failed", str(exc))
        return Outcome("passed")

    def close(self) -> None:
        self.runtime.close()


@pytest.fixture
def check_runner() -> Iterator[Any]:
    """``check_runner(target, tools=..., token=...)`` -> a ``CheckRunner`` closed after the test."""
    runners: list[CheckRunner] = []

    def make(target: Any, **options: Any) -> CheckRunner:
        runner = CheckRunner(target, **options)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.close()
