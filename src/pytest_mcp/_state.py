"""Stash keys: the plugin's per-session and per-test state (no globals, no ``config._x``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from .settings import Settings

if TYPE_CHECKING:  # an annotation only: a run that never uses MCP does not import it
    from .transcript import Transcript

SETTINGS_KEY = pytest.StashKey[Settings]()


@dataclass
class ClientRecord:
    """A client a test opened: its transcript and where its server's stderr stood when it started."""

    transcript: Transcript
    server: Any
    stderr_offset: int


TRANSCRIPTS_KEY = pytest.StashKey[list[ClientRecord]]()

DISPATCHER_WRAPPERS_KEY = pytest.StashKey[list[Any]]()
"""Per-test callables ``wrap(dispatcher) -> dispatcher`` that every client of the test is built with (chaos)."""
