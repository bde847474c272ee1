"""What to break and how often: ``ChaosOptions`` (the ``mcp_chaos`` marker's keywords, the fixture's
configuration and ``FaultInjector``'s argument, declared once), latency distributions, request
matching and seed derivation.

Pure Python with no heavy imports: the plugin uses it at configure time to register and check the marker.
"""

from __future__ import annotations

import fnmatch
import hashlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, TypeAlias

from .._docs import docs_url

LatencySpec: TypeAlias = "float | int | tuple[float, float] | Callable[[random.Random], float] | None"
"""Milliseconds: a number (fixed), ``(low, high)`` (uniform), or ``f(rng) -> ms`` (any distribution)."""

FAULTS: Final = ("error", "drop", "disconnect", "corrupt", "duplicate", "reorder", "drop_reply")
"""Transport fault kinds, in precedence order: when several rates fire for one request, the first wins."""

HANDSHAKE_METHODS: Final = frozenset({"initialize", "server/discover", "notifications/initialized"})
DOCS: Final = docs_url("chaos.md")
_MAX_SEED: Final = 2**32


def sample_ms(spec: Any, rng: random.Random, *, limit_ms: float) -> float:
    """One latency sample in milliseconds from ``spec``, clamped to ``[0, limit_ms]`` (every fault is bounded)."""
    if spec is None:
        return 0.0
    if callable(spec):
        value = float(spec(rng))
    elif isinstance(spec, tuple | list):
        low, high = (float(part) for part in spec)
        value = rng.uniform(low, high)
    else:
        value = float(spec)
    if math.isnan(value):
        value = 0.0
    return min(max(value, 0.0), limit_ms)


def exponential(mean_ms: float, *, max_ms: float | None = None) -> Callable[[random.Random], float]:
    """A latency distribution: exponential with mean ``mean_ms`` (a long tail), cut at ``max_ms`` (default 10x mean)."""
    cap = max_ms if max_ms is not None else 10 * mean_ms

    def draw(rng: random.Random) -> float:
        return min(rng.expovariate(1.0 / mean_ms) if mean_ms > 0 else 0.0, cap)

    draw.__qualname__ = f"exponential(mean_ms={mean_ms:g}, max_ms={cap:g})"
    return draw


def normal(mean_ms: float, stdev_ms: float, *, max_ms: float | None = None) -> Callable[[random.Random], float]:
    """A latency distribution: normal around ``mean_ms``, never below 0, cut at ``max_ms`` (default mean + 4 sd)."""
    cap = max_ms if max_ms is not None else mean_ms + 4 * stdev_ms

    def draw(rng: random.Random) -> float:
        return min(max(rng.gauss(mean_ms, stdev_ms), 0.0), cap)

    draw.__qualname__ = f"normal(mean_ms={mean_ms:g}, stdev_ms={stdev_ms:g}, max_ms={cap:g})"
    return draw


def _check_latency(name: str, spec: Any) -> None:
    if spec is None or callable(spec):
        return
    if isinstance(spec, tuple | list):
        if len(spec) != 2 or not all(isinstance(v, int | float) and v >= 0 for v in spec) or spec[0] > spec[1]:
            raise ValueError(f"{name}={spec!r}: a range must be (low, high) with 0 <= low <= high (milliseconds)")
        return
    if not isinstance(spec, int | float) or isinstance(spec, bool) or spec < 0:
        raise ValueError(
            f"{name}={spec!r}: give milliseconds as a number, a (low, high) range or a function rng -> ms "
            "(see pytest_mcp.chaos.exponential / normal)"
        )


@dataclass(frozen=True, kw_only=True)
class ChaosOptions:
    """Seeded transport faults for this test's clients (the ``mcp_chaos`` marker, fixture and ``FaultInjector``)."""

    seed: int | None = None
    latency_ms: Any = None
    latency_rate: float = 1.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    drop_reply_rate: float = 0.0
    duplicate_rate: float = 0.0
    reorder_rate: float = 0.0
    corrupt_rate: float = 0.0
    disconnect_rate: float = 0.0
    methods: Sequence[str] | None = None
    handshake: bool = False
    reorder_window_ms: float = 1000.0
    disconnect_after_ms: Any = (0.0, 50.0)
    max_hold_ms: float = 30000.0

    def __post_init__(self) -> None:
        for name in ("latency_rate", *(f"{fault}_rate" for fault in FAULTS)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValueError(f"{name}={value!r}: a rate is a probability between 0 and 1")
        _check_latency("latency_ms", self.latency_ms)
        _check_latency("disconnect_after_ms", self.disconnect_after_ms)
        for name in ("reorder_window_ms", "max_hold_ms"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"{name}={value!r}: give a number of milliseconds greater than 0")
        if isinstance(self.methods, str):
            object.__setattr__(self, "methods", (self.methods,))
        elif self.methods is not None:
            object.__setattr__(self, "methods", tuple(self.methods))

    def replace(self, **changes: Any) -> ChaosOptions:
        return replace(self, **changes)

    def rate(self, fault: str) -> float:
        return float(getattr(self, f"{fault}_rate"))

    @property
    def active(self) -> bool:
        return self.latency_ms is not None or any(self.rate(fault) > 0 for fault in FAULTS)

    def applies_to(self, method: str, params: Any) -> bool:
        return method_matches(method, params, self.methods, handshake=self.handshake)

    def describe(self) -> str:
        parts = []
        if self.latency_ms is not None:
            spec = self.latency_ms
            shown = getattr(spec, "__qualname__", repr(spec)) if callable(spec) else repr(spec)
            parts.append(f"latency_ms={shown}" + (f" at rate {self.latency_rate:g}" if self.latency_rate < 1 else ""))
        parts += [f"{fault}_rate={self.rate(fault):g}" for fault in FAULTS if self.rate(fault) > 0]
        if self.methods is not None:
            parts.append(f"methods={list(self.methods)}")
        return ", ".join(parts) or "no faults"


def method_matches(method: str, params: Any, patterns: Sequence[str] | None, *, handshake: bool = False) -> bool:
    """Whether a request is subject to faults: ``patterns`` are fnmatch globs of ``method`` or ``method:name``.

    ``name`` is the tool/prompt name or resource URI of the request. With no patterns, every request
    but the connection handshake matches (``handshake=True`` includes it).
    """
    if method in HANDSHAKE_METHODS and not handshake:
        return False
    if patterns is None:
        return True
    target = request_target(params)
    qualified = f"{method}:{target}" if target is not None else method
    return any(fnmatch.fnmatchcase(method, p) or fnmatch.fnmatchcase(qualified, p) for p in patterns)


def request_target(params: Any) -> str | None:
    if not isinstance(params, dict):
        return None
    for key in ("name", "uri"):
        value = params.get(key)
        if isinstance(value, str):
            return value
    return None


def derive_seed(base: int, *parts: str) -> int:
    """A stable 32-bit seed from a base seed and names (a test id, a backend target)."""
    digest = hashlib.sha256(":".join((str(base), *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") % _MAX_SEED


@dataclass(frozen=True, kw_only=True)
class BackendFaultOptions:
    """How a patched backend target misbehaves (``FaultInjector.backend(target, **options)``): seeded
    failures, delays and hangs, and whether closing requires that the target was called."""

    fail_rate: float = 0.0
    exception: Any = None
    delay_ms: Any = None
    delay_rate: float = 1.0
    timeout_rate: float = 0.0
    timeout_ms: float = 1000.0
    require_calls: bool = True

    def __post_init__(self) -> None:
        rates = (("fail_rate", self.fail_rate), ("delay_rate", self.delay_rate), ("timeout_rate", self.timeout_rate))
        for name, rate in rates:
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
                raise ValueError(f"{name}={rate!r} must be a probability between 0 and 1")
        if isinstance(self.timeout_ms, bool) or not isinstance(self.timeout_ms, int | float) or self.timeout_ms <= 0:
            raise ValueError(f"timeout_ms={self.timeout_ms!r} must be a number of ms > 0")
        sample_ms(self.delay_ms, random.Random(0), limit_ms=1)  # validates the spec early
