"""Load statistics: latency percentiles, throughput and error rate per tool, and SLO checks.

``LoadStats`` is what ``mcp_load`` returns and what ``LoadStats.from_locust_csv`` /
``from_locust_json`` build from a Locust run, so one ``assert_slo(...)`` checks both.
Pure Python, no third-party imports: cheap to import anywhere.

Percentiles of our own runs are exact nearest-rank percentiles of every measured call
(the value below which ``p`` percent of the calls fall). Locust rounds response times
into buckets before it computes percentiles, so figures read from its output are Locust's.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from .._docs import docs_url
from ..errors import McpAssertionError, McpUsageError

__all__ = ["LoadStats", "ToolStats", "percentile"]

DOCS: Final = docs_url("load.md")
TOTAL: Final = "TOTAL"
MAX_ERROR_SAMPLES: Final = 3


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values (``nan`` for no values)."""
    if not sorted_values:
        return math.nan
    rank = math.ceil(pct / 100 * len(sorted_values))
    return sorted_values[min(max(rank, 1), len(sorted_values)) - 1]


@dataclass(frozen=True)
class ToolStats:
    """The figures of one row of the statistics table: one tool (or task), or the total."""

    name: str
    calls: int
    errors: int
    rps: float
    """Completed calls per second of the run's measured duration."""
    min_ms: float
    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors_by_kind: Mapping[str, int] = field(default_factory=dict)
    """How the failed calls failed: ``is_error``, ``protocol_error``, ``timeout``, ``crash``, ``exception``, ..."""
    error_samples: tuple[str, ...] = ()
    """The first few error messages, for the failure report."""

    @property
    def error_rate(self) -> float:
        """Failed calls as a fraction of all calls (0.0 when there were no calls)."""
        return self.errors / self.calls if self.calls else 0.0

    @classmethod
    def from_samples(
        cls,
        name: str,
        latencies_s: Iterable[float],
        duration_s: float,
        errors_by_kind: Mapping[str, int] | None = None,
        error_samples: Sequence[str] = (),
    ) -> ToolStats:
        """Compute a row from every call's latency (seconds, errors included) over ``duration_s``."""
        values = sorted(value * 1000 for value in latencies_s)
        kinds = dict(errors_by_kind or {})
        count = len(values)
        return cls(
            name=name,
            calls=count,
            errors=sum(kinds.values()),
            rps=count / duration_s if duration_s > 0 else 0.0,
            min_ms=values[0] if values else math.nan,
            mean_ms=sum(values) / count if count else math.nan,
            p50_ms=percentile(values, 50),
            p95_ms=percentile(values, 95),
            p99_ms=percentile(values, 99),
            max_ms=values[-1] if values else math.nan,
            errors_by_kind=kinds,
            error_samples=tuple(error_samples[:MAX_ERROR_SAMPLES]),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "calls": self.calls,
            "errors": self.errors,
            "error_rate": self.error_rate,
            "rps": self.rps,
            "min_ms": self.min_ms,
            "mean_ms": self.mean_ms,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "errors_by_kind": dict(self.errors_by_kind),
            "error_samples": list(self.error_samples),
        }


_COLUMNS: Final = (
    ("name", "<"),
    ("calls", ">"),
    ("errors", ">"),
    ("err %", ">"),
    ("calls/s", ">"),
    ("p50 ms", ">"),
    ("p95 ms", ">"),
    ("p99 ms", ">"),
    ("max ms", ">"),
)


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}" if value < 1000 else f"{value:.0f}"


def _row(row: ToolStats) -> tuple[str, ...]:
    return (
        row.name,
        str(row.calls),
        str(row.errors),
        f"{row.error_rate * 100:.2f}",
        f"{row.rps:.1f}",
        _ms(row.p50_ms),
        _ms(row.p95_ms),
        _ms(row.p99_ms),
        _ms(row.max_ms),
    )


@dataclass(frozen=True)
class LoadStats:
    """The result of a load run: one ``ToolStats`` per tool or task, and their total.

    The total's figures are also available directly: ``stats.p95_ms``, ``stats.error_rate``,
    ``stats.rps``, ... ``stats["add"]`` is the row of the tool (or task label) ``add``.
    """

    tools: Mapping[str, ToolStats]
    total: ToolStats
    duration_s: float
    users: int
    target: str = ""
    era: str = ""
    source: str = "pytest_mcp"
    """``pytest_mcp`` for ``mcp_load`` runs, ``locust`` for statistics read from Locust's output."""
    stopped_by: str = ""
    """Why the run ended: ``duration``, ``calls`` or ``deadline`` (empty for Locust)."""
    engine: str = ""
    """Which client made the calls: ``http`` or ``sdk`` (see docs/load.md#engines; empty for Locust)."""

    # -- the total's figures ------------------------------------------------------------------
    @property
    def calls(self) -> int:
        return self.total.calls

    @property
    def errors(self) -> int:
        return self.total.errors

    @property
    def error_rate(self) -> float:
        return self.total.error_rate

    @property
    def rps(self) -> float:
        return self.total.rps

    @property
    def p50_ms(self) -> float:
        return self.total.p50_ms

    @property
    def p95_ms(self) -> float:
        return self.total.p95_ms

    @property
    def p99_ms(self) -> float:
        return self.total.p99_ms

    @property
    def max_ms(self) -> float:
        return self.total.max_ms

    @property
    def mean_ms(self) -> float:
        return self.total.mean_ms

    def __getitem__(self, name: str) -> ToolStats:
        return self.tool(name)

    def tool(self, name: str) -> ToolStats:
        """The row called ``name``; for Locust statistics ``"add"`` also finds ``"tools/call add"``."""
        for candidate in (name, f"tools/call {name}"):
            if candidate in self.tools:
                return self.tools[candidate]
        if name == TOTAL:
            return self.total
        names = ", ".join(self.tools) or "(none)"
        raise KeyError(f"no load statistics for {name!r}; the rows are: {names}")

    # -- rendering ----------------------------------------------------------------------------
    def describe(self) -> str:
        """One line saying what was loaded, how hard and for how long."""
        parts = [f"{self.users} user{'s' if self.users != 1 else ''}", f"{self.duration_s:.1f} s"]
        if self.era:
            parts.append(f"era {self.era}")
        if self.engine:
            parts.append(f"{self.engine} engine")
        if self.stopped_by:
            parts.append(f"stopped by {self.stopped_by}")
        if self.source == "locust":
            return f"Locust run{' against ' + self.target if self.target else ''} ({', '.join(parts)})"
        where = f" on the {self.target}" if self.target else ""
        source = "load"
        return f"{source}{where} ({', '.join(parts)})"

    def table(self) -> str:
        """The statistics table: one row per tool or task, then the total."""
        rows = [tuple(name for name, _ in _COLUMNS), *(_row(r) for r in self.tools.values()), _row(self.total)]
        widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
        lines = []
        for row in rows:
            cells = [f"{cell:{align}{width}}" for cell, (_, align), width in zip(row, _COLUMNS, widths, strict=True)]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)

    def summary(self) -> str:
        """The total in one line, e.g. for a progress report or a log."""
        t = self.total
        return (
            f"{t.calls} calls, {t.rps:.1f} calls/s, p50 {_ms(t.p50_ms)} ms, p95 {_ms(t.p95_ms)} ms, "
            f"p99 {_ms(t.p99_ms)} ms, max {_ms(t.max_ms)} ms, errors {t.errors} ({t.error_rate * 100:.2f}%)"
        )

    def __str__(self) -> str:
        return f"{self.describe()}\n{self.table()}"

    def as_dict(self) -> dict[str, Any]:
        """Everything as JSON-ready data (for CI artifacts or trend tracking)."""
        return {
            "target": self.target,
            "era": self.era,
            "source": self.source,
            "engine": self.engine,
            "users": self.users,
            "duration_s": self.duration_s,
            "stopped_by": self.stopped_by,
            "total": self.total.as_dict(),
            "tools": {name: row.as_dict() for name, row in self.tools.items()},
        }

    # -- SLOs ---------------------------------------------------------------------------------
    def slo_violations(
        self,
        *,
        p50_ms: float | None = None,
        p95_ms: float | None = None,
        p99_ms: float | None = None,
        max_ms: float | None = None,
        error_rate: float | None = None,
        min_rps: float | None = None,
        min_calls: int | None = None,
        tool: str | None = None,
    ) -> list[str]:
        """What ``assert_slo`` would complain about (an empty list when every objective is met)."""
        if error_rate is not None and not 0 <= error_rate <= 1:
            raise McpUsageError(f"assert_slo(error_rate={error_rate!r}): give a fraction between 0 and 1 (0.01 = 1%)")
        row = self.tool(tool) if tool is not None else self.total
        where = f" of {row.name!r}" if tool is not None else ""
        if row.calls == 0:
            return [f"no calls{where} completed, so no objective can be met"]
        problems = []
        for label, limit, value in (
            ("p50", p50_ms, row.p50_ms),
            ("p95", p95_ms, row.p95_ms),
            ("p99", p99_ms, row.p99_ms),
            ("max", max_ms, row.max_ms),
        ):
            if limit is not None and value > limit:
                problems.append(f"{label} latency{where} {_ms(value)} ms > {limit:g} ms")
        if error_rate is not None and row.error_rate > error_rate:
            kinds = ", ".join(f"{count} {kind}" for kind, count in row.errors_by_kind.items())
            problems.append(
                f"error rate{where} {row.error_rate * 100:.2f}% > {error_rate * 100:.2f}% "
                f"({row.errors} of {row.calls} calls failed{': ' + kinds if kinds else ''})"
            )
        if min_rps is not None and row.rps < min_rps:
            problems.append(f"throughput{where} {row.rps:.1f} calls/s < {min_rps:g} calls/s")
        if min_calls is not None and row.calls < min_calls:
            problems.append(f"only {row.calls} calls{where} completed, fewer than {min_calls}")
        return problems

    def assert_slo(
        self,
        *,
        p50_ms: float | None = None,
        p95_ms: float | None = None,
        p99_ms: float | None = None,
        max_ms: float | None = None,
        error_rate: float | None = None,
        min_rps: float | None = None,
        min_calls: int | None = None,
        tool: str | None = None,
    ) -> LoadStats:
        """Fail with the statistics table unless every given objective holds (for the total, or one ``tool``).

        Latencies are in milliseconds, ``error_rate`` is a fraction (0.01 = 1%), ``min_rps`` is
        completed calls per second. Returns the statistics, so calls can be chained.
        """
        __tracebackhide__ = True
        problems = self.slo_violations(
            p50_ms=p50_ms,
            p95_ms=p95_ms,
            p99_ms=p99_ms,
            max_ms=max_ms,
            error_rate=error_rate,
            min_rps=min_rps,
            min_calls=min_calls,
            tool=tool,
        )
        if problems:
            raise McpAssertionError(self._failure(problems))
        return self

    def _failure(self, problems: list[str]) -> str:
        lines = [f"SLO not met by the {self.describe()}:"]
        lines.extend(f"  {problem}" for problem in problems)
        lines.append("")
        lines.extend(f"  {line}" for line in self.table().splitlines())
        samples = [(row.name, sample) for row in self.tools.values() for sample in row.error_samples]
        if samples:
            lines.append("  first errors:")
            lines.extend(f"    {name}: {sample}" for name, sample in samples[: MAX_ERROR_SAMPLES * 2])
        lines.append(f"  (see {DOCS}#slos)")
        return "\n".join(lines)

    # -- Locust -------------------------------------------------------------------------------
    @classmethod
    def from_locust_csv(cls, prefix: str | Path, *, target: str = "") -> LoadStats:
        """Read ``locust --csv PREFIX`` output: ``PREFIX_stats.csv`` (and ``_failures.csv``,
        ``_stats_history.csv`` when present). ``prefix`` may also be the ``_stats.csv`` path itself."""
        stats_path = Path(prefix)
        if not stats_path.name.endswith("_stats.csv"):
            stats_path = stats_path.with_name(stats_path.name + "_stats.csv")
        base = str(stats_path)[: -len("_stats.csv")]
        try:
            rows = list(csv.DictReader(stats_path.read_text(encoding="utf-8").splitlines()))
        except FileNotFoundError:
            raise McpUsageError(
                f"no Locust statistics at {stats_path}: run locust with --csv {base} (see {DOCS}#locust)"
            ) from None
        samples = _locust_failures(Path(base + "_failures.csv"))
        tools: dict[str, ToolStats] = {}
        total: ToolStats | None = None
        for row in rows:
            name = row["Name"]
            stats = ToolStats(
                name=name if name != "Aggregated" else TOTAL,
                calls=int(row["Request Count"]),
                errors=int(row["Failure Count"]),
                rps=_number(row["Requests/s"]),
                min_ms=_number(row["Min Response Time"]),
                mean_ms=_number(row["Average Response Time"]),
                p50_ms=_number(row["50%"]),
                p95_ms=_number(row["95%"]),
                p99_ms=_number(row["99%"]),
                max_ms=_number(row["Max Response Time"]),
                errors_by_kind={"failure": int(row["Failure Count"])} if int(row["Failure Count"]) else {},
                error_samples=tuple(samples.get(name, ())[:MAX_ERROR_SAMPLES]),
            )
            if name == "Aggregated":
                total = stats
            else:
                tools[name] = stats
        if total is None:
            raise McpUsageError(f"{stats_path} has no 'Aggregated' row: is it a Locust _stats.csv file?")
        users = _locust_users(Path(base + "_stats_history.csv"))
        duration = total.calls / total.rps if total.rps else 0.0
        return cls(tools=tools, total=total, duration_s=duration, users=users, target=target, source="locust")

    @classmethod
    def from_locust_json(
        cls,
        source: str | Path | Sequence[Mapping[str, Any]],
        *,
        target: str = "",
        errors: Mapping[str, Sequence[str]] | None = None,
    ) -> LoadStats:
        """Read Locust's ``--json`` / ``--json-file`` output (a file path, JSON text or the parsed list).

        Percentiles are computed from Locust's response-time histogram (its rounded buckets).
        ``errors`` maps a row's name to its first error messages (Locust's JSON has none).
        """
        if isinstance(source, str | Path):
            text = str(source)
            if not text.lstrip().startswith("["):
                path = Path(source)
                if not path.exists() and path.with_suffix(".json").exists():
                    path = path.with_suffix(".json")
                text = path.read_text(encoding="utf-8")
            entries = json.loads(text)
        else:
            entries = list(source)
        tools: dict[str, ToolStats] = {}
        starts, ends = [], []
        for entry in entries:
            if entry.get("num_requests", 0):
                starts.append(float(entry["start_time"]))
                ends.append(float(entry["last_request_timestamp"]))
        duration = max(ends) - min(starts) if starts else 0.0
        all_times: dict[float, int] = {}
        total_time = 0.0
        for entry in entries:
            histogram = {float(ms): int(count) for ms, count in entry.get("response_times", {}).items()}
            for ms, count in histogram.items():
                all_times[ms] = all_times.get(ms, 0) + count
            total_time += float(entry.get("total_response_time", 0.0))
            tools[entry["name"]] = _row_from_histogram(
                entry["name"],
                histogram,
                int(entry["num_requests"]),
                int(entry["num_failures"]),
                float(entry.get("total_response_time", 0.0)),
                entry.get("min_response_time"),
                entry.get("max_response_time"),
                duration,
            )
        for name, messages in (errors or {}).items():
            if name in tools:
                tools[name] = dataclasses.replace(tools[name], error_samples=tuple(messages[:MAX_ERROR_SAMPLES]))
        calls = sum(row.calls for row in tools.values())
        total = _row_from_histogram(
            TOTAL,
            all_times,
            calls,
            sum(row.errors for row in tools.values()),
            total_time,
            min((row.min_ms for row in tools.values() if row.calls), default=None),
            max((row.max_ms for row in tools.values() if row.calls), default=None),
            duration,
        )
        return cls(tools=tools, total=total, duration_s=duration, users=0, target=target, source="locust")


def _number(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "", "N/A") else math.nan  # type: ignore[arg-type]
    except ValueError:
        return math.nan


def _locust_failures(path: Path) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    found: dict[str, list[str]] = {}
    for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines()):
        found.setdefault(row["Name"], []).append(f"{row['Error']} (x{row['Occurrences']})")
    return found


def _locust_users(path: Path) -> int:
    if not path.exists():
        return 0
    counts = [int(row["User Count"]) for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines())]
    return max(counts, default=0)


def _row_from_histogram(
    name: str,
    histogram: Mapping[float, int],
    calls: int,
    errors: int,
    total_ms: float,
    min_ms: float | None,
    max_ms: float | None,
    duration: float,
) -> ToolStats:
    ordered = sorted(histogram.items())
    counted = sum(count for _, count in ordered)

    def pct(p: float) -> float:
        if not counted:
            return math.nan
        rank = max(math.ceil(p / 100 * counted), 1)
        seen = 0
        for ms, count in ordered:
            seen += count
            if seen >= rank:
                return ms
        return ordered[-1][0]

    return ToolStats(
        name=name,
        calls=calls,
        errors=errors,
        rps=calls / duration if duration > 0 else 0.0,
        min_ms=float(min_ms) if min_ms is not None else math.nan,
        mean_ms=total_ms / counted if counted else math.nan,
        p50_ms=pct(50),
        p95_ms=pct(95),
        p99_ms=pct(99),
        max_ms=float(max_ms) if max_ms is not None else math.nan,
        errors_by_kind={"failure": errors} if errors else {},
    )
