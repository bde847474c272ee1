"""Stash keys: the plugin's per-session and per-test state (no globals, no ``config._x``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from .settings import Settings

if TYPE_CHECKING:  # annotations only: a run that never uses MCP does not import these
    from .client.transcript import Transcript
    from .redact import SecretRegistry

SETTINGS_KEY = pytest.StashKey[Settings]()

SESSION_KEY = pytest.StashKey[pytest.Session]()
"""The finished session, for its final exit status at ``pytest_unconfigure``."""

OPEN_CONFIGS: list[pytest.Config] = []
"""The pytest runs of this process in progress, outermost first (pytester runs nest in one process).
Only the outermost may end the process (``client.watchdog.end_if_stuck``): a process-wide fact, so a global."""

SECRETS_KEY: pytest.StashKey[SecretRegistry] = pytest.StashKey()
"""The session's registry of known secrets (``pytest_mcp.redact.session_secrets``)."""


@dataclass
class ClientRecord:
    """A client a test opened: its transcript and where its server's stderr stood when it started
    (``stderr_offset``, in bytes)."""

    transcript: Transcript
    server: Any
    stderr_offset: int


TRANSCRIPTS_KEY = pytest.StashKey[list[ClientRecord]]()

DISPATCHER_WRAPPERS_KEY = pytest.StashKey[list[Any]]()
"""Per-test callables ``wrap(dispatcher) -> dispatcher`` that every client of the test is built with (chaos)."""
