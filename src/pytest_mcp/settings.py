"""Command-line and ini options: declared once, parsed once into a frozen ``Settings``.

Each setting is an ini key ``mcp_<name>`` with a ``--mcp-<name>`` twin; the command line wins over
the ini file. Values are validated when pytest configures itself, so a typo is a ``UsageError``
naming the valid choices before any test runs. ``Settings`` holds only picklable primitives so it
can cross into pytest-xdist workers.

A path given in an ini file is relative to that file's directory (like pytest's own ``testpaths``),
so a run from a subdirectory writes where the project said; on the command line it is relative to
the directory pytest was started in. On/off settings are ``Switch``es: a bool ini key whose flag
turns it on.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pytest

from ._docs import docs_url
from .protocol.versions import ERAS as ERAS_OF_THE_PROTOCOL

ERAS: Final = ("auto", "2025-11-25", "2026-07-28", "both")
"""Values of ``--mcp-era``: negotiate like a real client, pin one era, or run every test in both."""

CONCRETE_ERAS: Final = ERAS_OF_THE_PROTOCOL
TRANSCRIPT_MODES: Final = ("on-failure", "always", "off")
SERVER_SCOPES: Final = ("session", "function")
UNSUPPORTED_ERA_ACTIONS: Final = ("skip", "fail")
ENV_MODES: Final = ("inherit", "minimal")


def choice(choices: Sequence[str]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not isinstance(value, str) or value not in choices:
            raise ValueError(f"{value!r} is not one of: {', '.join(choices)}")
        return value

    return parse


SECONDS_HINT: Final = "give seconds > 0 as a finite number"


def positive_float(value: Any) -> float:
    """Seconds: a finite number greater than 0 (a string from an option or ini key, or a marker's number).

    ``inf`` and ``nan`` are refused, like 0 and negative numbers: a request must end some time.
    The same parser checks options, ini keys, markers and keyword arguments, so each says the same.
    """
    try:
        number = math.nan if isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{SECONDS_HINT}, not {value!r}")
    return number


def flag(value: Any) -> bool:
    """An on/off keyword of a marker: ``True`` or ``False`` only (a string like ``"no"`` would be truthy)."""
    if not isinstance(value, bool):
        raise ValueError(f"give True or False, not {value!r}")
    return value


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"{value!r} must be a whole number >= 1")
    return number


def non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"{value!r} must be a whole number >= 0")
    return number


def byte_size(value: str) -> int:
    """A size in bytes: a whole number >= 0, optionally with a KiB/MiB/GiB suffix (``64k``, ``1M``, ``2GiB``)."""
    text = value.strip().lower().removesuffix("ib").removesuffix("b")
    factor = {"k": 1024, "m": 1024**2, "g": 1024**3}.get(text[-1:], 1)
    try:
        number = int(text[:-1] if factor > 1 else text) * factor
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f"{value!r} must be a number of bytes >= 0, like 65536, 64k or 1M (0: no limit)")
    return number


def percent(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 100:
        raise ValueError(f"{value!r} must be a percentage between 0 and 100")
    return number


def text(value: str) -> str:
    return value


class _Named:
    """The two spellings of a setting named ``field``: ini key ``mcp_<field>``, flag ``--mcp-<field>``."""

    field: str

    @property
    def ini_name(self) -> str:
        return f"mcp_{self.field}"

    @property
    def flag(self) -> str:
        return "--mcp-" + self.field.replace("_", "-")


@dataclass(frozen=True)
class Option(_Named):
    """One setting: its ``Settings`` field, how to parse it, its default and its help text."""

    field: str
    parse: Callable[[str], Any]
    default: str | None
    help: str
    metavar: str = "VALUE"
    choices: Sequence[str] = ()
    path: bool = False
    """A file or directory: an ini value is resolved against the ini file's directory."""


OPTIONS: Final[tuple[Option, ...]] = (
    Option(
        "server",
        text,
        None,
        "The MCP server to test: 'pkg.module:attr' (in-process), 'http(s)://...' (running Streamable HTTP server) "
        "or a command line (stdio server, any language).",
        metavar="TARGET",
    ),
    Option(
        "era",
        choice(ERAS),
        "auto",
        "Protocol era: 'auto' negotiates like a real client, '2025-11-25' forces the initialize handshake, "
        "'2026-07-28' the stateless protocol, 'both' runs every MCP test once per era.",
        metavar="ERA",
        choices=ERAS,
    ),
    Option(
        "timeout",
        positive_float,
        "10",
        "Seconds to wait for each reply before failing the test (default 10).",
        metavar="SECONDS",
    ),
    Option(
        "startup_timeout",
        positive_float,
        "30",
        "Seconds to wait for a started server to accept connections and answer the handshake (default 30).",
        metavar="SECONDS",
    ),
    Option(
        "transcript",
        choice(TRANSCRIPT_MODES),
        "on-failure",
        "When to add the JSON-RPC transcript to a test's report: on-failure (default), always, off.",
        metavar="WHEN",
        choices=TRANSCRIPT_MODES,
    ),
    Option(
        "transcript_dir",
        text,
        None,
        "Also write each test's transcript as a JSONL file into this directory (for CI artifacts).",
        metavar="DIR",
        path=True,
    ),
    Option(
        "server_scope",
        choice(SERVER_SCOPES),
        "session",
        "How long a started server process lives: one per test session (default) or one per test.",
        metavar="SCOPE",
        choices=SERVER_SCOPES,
    ),
    Option(
        "unsupported_era",
        choice(UNSUPPORTED_ERA_ACTIONS),
        "skip",
        "What to do when the server does not speak the requested era: skip the test (default) or fail it.",
        metavar="ACTION",
        choices=UNSUPPORTED_ERA_ACTIONS,
    ),
    Option(
        "env",
        choice(ENV_MODES),
        "inherit",
        "Environment of stdio and spawned servers: 'inherit' the test process's environment (default) or "
        "'minimal' (only HOME, PATH, ... like the MCP SDK); per-target env= values are added on top.",
        metavar="MODE",
        choices=ENV_MODES,
    ),
    Option(
        "transcript_lines",
        non_negative_int,
        "40",
        "How many of the last transcript messages a failure report shows (default 40; -v shows all).",
        metavar="N",
    ),
    Option(
        "report_limit",
        byte_size,
        "64k",
        "Size cap of each report section (server stderr, transcript) and each transcript row, in bytes "
        "(default 64k; k/M suffixes allowed); a JSONL file or HTML extra may hold 16 times as much. What is "
        "longer keeps its head and tail, the cut said with its byte count. 0: no limit.",
        metavar="BYTES",
    ),
)

OPTIONS_BY_FIELD: Final = {option.field: option for option in OPTIONS}


@dataclass(frozen=True)
class Switch(_Named):
    """An on/off setting: a bool ini key ``mcp_<field>`` and a ``--mcp-<field>`` flag that turns it on."""

    field: str
    help: str

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    def is_on(self, config: pytest.Config) -> bool:
        """The flag, else the ini key (``true``/``false``; off by default)."""
        return bool(config.getoption(self.dest, default=None) or config.getini(self.ini_name))


CATEGORY_MARKERS_SWITCH: Final = Switch(
    "category_markers",
    "Register the generic category markers unit, integration, e2e, contract, chaos, benchmark, load, snapshot "
    "and slow for -m selection (off by default, so --strict-markers still catches a project's own unregistered "
    f"ones). See {docs_url('reference/markers.md', 'category-markers')}",
)
SWITCHES: Final[tuple[Switch, ...]] = (CATEGORY_MARKERS_SWITCH,)


@dataclass(frozen=True)
class Settings:
    """The effective plugin settings of a test session (CLI over ini over defaults)."""

    server: str | None = None
    era: str = "auto"
    timeout: float = 10.0
    startup_timeout: float = 30.0
    transcript: str = "on-failure"
    transcript_dir: str | None = None
    server_scope: str = "session"
    unsupported_era: str = "skip"
    env: str = "inherit"
    transcript_lines: int = 40
    report_limit: int = 64 * 1024

    @classmethod
    def from_config(cls, config: pytest.Config) -> Settings:
        """Read every option, CLI first then ini, and validate it; raise ``UsageError`` on a bad value."""
        return cls(**read_options(config, OPTIONS))

    def connect_timeout(self, timeout: float) -> float:
        """Seconds a connect may take with calls bounded by ``timeout``: a new process must start first."""
        return max(timeout, self.startup_timeout)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def header_lines(self) -> list[str]:
        """What ``pytest_report_header`` shows: one ``mcp:`` line, so a run's log says how it talked to servers.

        With a session server (``--mcp-server`` / ``mcp_server``) the line gives it and the settings
        that shape every conversation; without one, only the settings changed from their defaults,
        and nothing at all when none is (a project whose tests do not use MCP gets no line).
        """
        default = Settings()
        parts = [
            f"{name}={mine}"
            for name, mine, theirs in (
                ("era", self.era, default.era),
                ("timeout", f"{self.timeout:g}s", f"{default.timeout:g}s"),
                ("server-scope", self.server_scope, default.server_scope),
                ("transcript", self.transcript, default.transcript),
            )
            if self.server is not None or mine != theirs
        ]
        if self.server is not None:
            parts.insert(0, f"server={self.server}")
        if self.transcript_dir:
            parts.append(f"transcript-dir={self.transcript_dir}")
        return ["mcp: " + ", ".join(parts)] if parts else []


def read_options(config: pytest.Config, options: Sequence[Option]) -> dict[str, Any]:
    """Parse ``options`` (CLI over ini over default) into ``{field: value}``; ``UsageError`` on a bad value.

    Feature modules with their own option tables (the suite, load, coverage, ...) use this too, so
    every option of the plugin follows the same rules.
    """
    values: dict[str, Any] = {}
    for option in options:
        raw = config.getoption(option.flag.lstrip("-").replace("-", "_"), default=None)
        source = option.flag
        if raw is None:
            ini = config.getini(option.ini_name)
            raw = ini if ini not in ("", None) else None
            source = f"ini option {option.ini_name}"
            if raw is not None and option.path:
                raw = ini_path(config, str(raw).strip())
        if raw is None:
            raw = option.default
            source = "default"
        if raw is None:
            values[option.field] = None
            continue
        try:
            values[option.field] = option.parse(str(raw).strip())
        except ValueError as exc:
            raise pytest.UsageError(f"{source}: {exc}") from None
    return values


def ini_path(config: pytest.Config, value: str) -> str:
    """``value`` of a path ini option, resolved against the ini file's directory (as pytest does for
    ``type="paths"`` options; the invocation directory when there is no ini file)."""
    base = config.inipath.parent if config.inipath is not None else config.invocation_params.dir
    return os.path.normpath(os.path.join(base, os.path.expanduser(value)))


def add_options(parser: pytest.Parser, options: Sequence[Option] = OPTIONS, switches: Sequence[Switch] = ()) -> None:
    """Declare every option as a ``--mcp-*`` flag plus an ``mcp_*`` ini key, and every switch as a
    ``--mcp-*`` flag plus a bool ``mcp_*`` ini key."""
    group = parser.getgroup("mcp", "MCP server testing (pytest_mcp)")
    for option in options:
        dest = option.flag.lstrip("-").replace("-", "_")
        extra = f" Choices: {', '.join(option.choices)}." if option.choices else ""
        if option.path:
            extra += " In an ini file, relative to the ini file's directory."
        group.addoption(option.flag, dest=dest, default=None, metavar=option.metavar, help=option.help + extra)
        parser.addini(option.ini_name, help=option.help + extra, default="")
    for switch in switches:
        group.addoption(switch.flag, dest=switch.dest, action="store_true", default=None, help=switch.help)
        parser.addini(switch.ini_name, type="bool", default=False, help=switch.help + f" (like {switch.flag})")


def checked(parse: Callable[[Any], Any], value: Any, keyword: str = "") -> Any:
    """``parse(value)``; its ``ValueError`` names ``keyword`` (a marker's keyword argument) if given."""
    try:
        return parse(value)
    except ValueError as exc:
        if not keyword:
            raise
        raise ValueError(f"{keyword}: {exc}") from None
