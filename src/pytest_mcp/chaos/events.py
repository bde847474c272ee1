"""``ChaosEvent``: one fault a ``FaultInjector`` or a backend fault applied, as reports and replays show it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ChaosEvent"]


@dataclass(frozen=True)
class ChaosEvent:
    """One fault the injector applied (or a kill/restart/backend fault), for reports and replays."""

    index: int
    """The request's number among the requests subject to faults (1-based); 0 for server kills/restarts."""
    method: str
    target: str | None
    fault: str
    detail: str = ""
    latency_ms: float = 0.0

    def render(self) -> str:
        what = f"{self.method} {self.target!r}" if self.target else self.method
        number = f"#{self.index}" if self.index else "--"
        delay = f" +{self.latency_ms:.0f} ms" if self.latency_ms else ""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{number:>5} {what}: {self.fault}{delay}{detail}"
