"""The run's seed (``--mcp-seed`` / ini ``mcp_seed``): one base seed for everything random in a run (fault
injection, fuzzing, stateful sequences). Without it a random one is chosen; under pytest-xdist the controller
hands its seed to every worker, so a run has one seed and passing it back replays the run."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Final

import pytest

from .settings import Option, read_options

__all__ = ["SEED_OPTION", "RunSeed", "configure", "new_base_seed", "parse_seed", "run_seed"]


def parse_seed(value: str) -> int:
    try:
        number = int(value, 0)
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number (a seed printed by an earlier run)") from None
    if number < 0:
        raise ValueError(f"{value!r} must be >= 0")
    return number


def new_base_seed() -> int:
    """A fresh random base seed for a run that did not pass ``--mcp-seed`` (printed so it can be reused)."""
    return random.SystemRandom().randrange(1, 10**9)


SEED_OPTION: Final = Option(
    "seed",
    parse_seed,
    None,
    "Base seed of the run: fault injection (mcp_chaos), fuzzing and stateful sequences draw from it "
    "(default: a random seed, printed when used). Passing a printed seed replays the same choices.",
    metavar="N",
)
WORKER_INPUT_KEY: Final = "pytest_mcp_seed"


@dataclass(frozen=True)
class RunSeed:
    """The run's base seed, and whether it was given (else chosen at random)."""

    value: int
    explicit: bool

    def replay_hint(self) -> str:
        return f"--mcp-seed={self.value}"


RUN_SEED_KEY: Final = pytest.StashKey[RunSeed]()


class _XdistHooks:
    """Hand the controller's seed to every worker, so a random seed is one seed for the whole run."""

    def __init__(self, seed: RunSeed) -> None:
        self._seed = seed

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[WORKER_INPUT_KEY] = self._seed.value


def configure(config: pytest.Config) -> RunSeed:
    """Decide the run's seed once (the option, else the controller's under xdist, else random)."""
    given = read_options(config, (SEED_OPTION,))["seed"]
    workerinput = getattr(config, "workerinput", None)
    if given is not None:
        seed = RunSeed(given, explicit=True)
    elif workerinput is not None and WORKER_INPUT_KEY in workerinput:
        seed = RunSeed(int(workerinput[WORKER_INPUT_KEY]), explicit=False)
    else:
        seed = RunSeed(new_base_seed(), explicit=False)
    config.stash[RUN_SEED_KEY] = seed
    if config.pluginmanager.hasplugin("xdist") and workerinput is None:
        config.pluginmanager.register(_XdistHooks(seed), "pytest_mcp.run-seed.xdist")
    return seed


def run_seed(config: pytest.Config) -> RunSeed:
    """The run's seed (decided on first use by whichever plugin's ``pytest_configure`` asks first)."""
    seed = config.stash.get(RUN_SEED_KEY, None)
    return seed if seed is not None else configure(config)
