"""Option-injection payloads: option-shaped strings that, if a server puts them on a command line, write a canary.

A server that passes a string argument to ``git`` (or any program) without ``--`` in front of it lets a
value like ``--output=FILE`` become an option. Each payload here names its own file in a fresh
temporary directory, so the side effect (the file appears) proves which option was honoured, even
when the reply says nothing. ``CanaryDir.appeared()`` lists what appeared since the last look.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CanaryDir", "option_payloads"]


@dataclass
class CanaryDir:
    """A temporary directory nothing but an honoured option writes into."""

    path: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pytest-mcp-inject-")))
    seen: set[str] = field(default_factory=set)

    def appeared(self) -> list[str]:
        """Files that appeared in the directory since the last call."""
        names = {entry.name for entry in self.path.iterdir()}
        new = sorted(names - self.seen)
        self.seen |= names
        return new

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def option_payloads(canary: Path) -> list[str]:
    """Option-shaped values, each aimed at a file of its own in ``canary``."""
    return [
        f"--output={canary / 'output'}",
        f"-o{canary / 'short-o'}",
        f"--upload-pack=touch {canary / 'upload-pack'}",
        f"--exec=touch {canary / 'exec'}",
        f"-c core.fsmonitor=touch {canary / 'config'}",
        f"--open-files-in-pager=touch {canary / 'open-files-in-pager'}",
        f"--log-file={canary / 'log-file'}",
    ]
