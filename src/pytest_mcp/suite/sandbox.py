"""Canaries planted around the directory a server is confined to, and the paths that reach them.

``plant(root)`` puts files with unique random contents where a confined server must never reach:

* ``prefix sibling``: a directory next to the root whose name starts with the root's name
  (``data_…`` next to ``data``), caught by string-prefix containment;
* ``symlink``: a link inside the root to a file outside it;
* ``second repository``: another git repository next to the root (for version-control servers);
* ``outside``: a directory next to the root, reached by absolute, relative, non-normalized,
  percent-encoded, ``file://``, case- and Unicode-variant paths.

Each canary directory also holds a file whose *name* is a canary, so a directory listing shows.
``Canaries.escapes()`` lists the paths to send; ``seen(text)`` the canaries a reply shows;
``changed()`` the canary directories a call wrote into. ``Canaries.remove()`` cleans up.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import quote

__all__ = ["Canaries", "Escape", "plant"]

GIT_TIMEOUT: Final = 20.0
CANARY_FILE: Final = "canary.txt"


@dataclass(frozen=True)
class Escape:
    """One path to send: the threat class it belongs to, and the path."""

    threat: str
    path: str


@dataclass
class Canaries:
    """The planted canaries of one check: where they are and what they contain."""

    root: Path
    tag: str
    tokens: dict[str, str] = field(default_factory=dict)
    """Threat class -> its canary string (file contents, and the name of a listed file)."""
    places: dict[str, Path] = field(default_factory=dict)
    """Threat class -> the directory (or link) planted for it."""
    created: list[Path] = field(default_factory=list)
    snapshot: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def inside(self) -> Path:
        """A directory of the suite's own inside the root (arguments that must stay inside point here)."""
        return self.root / f"pytest-mcp-{self.tag}"

    def seen(self, text: str) -> list[tuple[str, str]]:
        """The (threat, canary) pairs whose canary string occurs in ``text``."""
        return [(threat, token) for threat, token in self.tokens.items() if token in text]

    def changed(self) -> list[str]:
        """Files created, changed or removed in the canary places since the last call (then re-snapshots)."""
        now = _snapshot(self._watched())
        differ = sorted(path for path in now.keys() | self.snapshot.keys() if now.get(path) != self.snapshot.get(path))
        self.snapshot = now
        return differ

    def _watched(self) -> list[Path]:
        return [path for path in self.created if path != self.inside and not path.is_symlink() and path.is_dir()]

    def escapes(self) -> list[Escape]:
        """The paths to send, each leading to a canary outside the root."""
        root, outside = self.root, self.places["outside"]
        parent, name = root.parent, outside.name
        target = f"{name}/{CANARY_FILE}"
        found = [
            Escape("prefix sibling", str(self.places["prefix sibling"] / CANARY_FILE)),
            Escape("prefix sibling", str(self.places["prefix sibling"])),
            Escape("symlink", str(self.places["symlink"])),
            Escape("symlink", self.places["symlink"].name),
            Escape("absolute path", str(outside / CANARY_FILE)),
            Escape("absolute path", str(outside)),
            Escape("absolute path", str(outside / f"new-{self.tag}.txt")),
            Escape("relative path", f"../{target}"),
            Escape("relative path", f"{root}/../{target}"),
            Escape("encoded path", f"{root}/..%2F{quote(target, safe='')}"),
            Escape("encoded path", f"%2e%2e/{target}"),
            Escape("encoded path", (parent / outside.name / CANARY_FILE).as_uri()),
            Escape("case variant", f"{parent / root.name.swapcase()}/../{target}"),
            Escape("unicode variant", f"{root}/\uff0e\uff0e/{target}"),
            Escape("unicode variant", f"{root}/..\u2215{target}"),
        ]
        if "second repository" in self.places:
            repository = self.places["second repository"]
            found[4:4] = [
                Escape("second repository", str(repository)),
                Escape("second repository", str(repository / CANARY_FILE)),
            ]
        return found

    def remove(self) -> None:
        """Remove everything planted (links first, never following them)."""
        for path in reversed(self.created):
            if path.is_symlink() or path.is_file():
                path.unlink(missing_ok=True)
            elif path.is_dir():
                shutil.rmtree(path, ignore_errors=True)


def _snapshot(places: list[Path], limit: int = 200) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for place in places:
        for base, dirs, files in os.walk(place):
            dirs[:] = [name for name in dirs if name != ".git"]
            for name in files + dirs:
                path = Path(base) / name
                info = path.lstat()
                found[str(path)] = (info.st_size, info.st_mtime_ns)
                if len(found) >= limit:
                    return found
    return found


def _fill(canaries: Canaries, threat: str, place: Path) -> None:
    token = f"PYTEST-MCP-CANARY-{threat.replace(' ', '-')}-{secrets.token_hex(8)}"
    canaries.tokens[threat] = token
    canaries.places[threat] = place
    place.mkdir()
    canaries.created.append(place)
    (place / CANARY_FILE).write_text(token + "\n")
    (place / f"{token}.txt").write_text("listed\n")


def _repository(canaries: Canaries, place: Path) -> None:
    """A second git repository with a canary file, a canary commit message and a canary untracked file."""
    _fill(canaries, "second repository", place)
    token = canaries.tokens["second repository"]
    identity = ["-c", "user.name=pytest-mcp", "-c", "user.email=pytest-mcp@example.invalid"]
    for command in (
        ["git", "init", "-q"],
        ["git", "add", CANARY_FILE],
        ["git", *identity, "commit", "-q", "-m", token],
    ):
        subprocess.run(command, cwd=place, check=True, capture_output=True, timeout=GIT_TIMEOUT)


def plant(root: str | os.PathLike[str]) -> Canaries:
    """Plant the canaries around ``root`` (an existing directory); ``OSError`` when that is not possible."""
    base = Path(root).resolve()
    if not base.is_dir():
        raise NotADirectoryError(f"{root}: the sandbox must be an existing directory")
    canaries = Canaries(base, secrets.token_hex(4))
    try:
        _fill(canaries, "prefix sibling", base.parent / f"{base.name}_evil-{canaries.tag}")
        _fill(canaries, "outside", base.parent / f"pytest-mcp-outside-{canaries.tag}")
        _fill(canaries, "symlink", base.parent / f"pytest-mcp-linked-{canaries.tag}")
        link = base / f"pytest-mcp-link-{canaries.tag}.txt"
        link.symlink_to(canaries.places["symlink"] / CANARY_FILE)
        canaries.created.append(link)
        canaries.places["symlink"] = link
        canaries.inside.mkdir()
        canaries.created.append(canaries.inside)
        if shutil.which("git"):
            try:
                _repository(canaries, base.parent / f"pytest-mcp-repo-{canaries.tag}")
            except (OSError, subprocess.SubprocessError):
                canaries.places.pop("second repository", None)
                canaries.tokens.pop("second repository", None)
    except BaseException:
        canaries.remove()
        raise
    canaries.snapshot = _snapshot(canaries._watched())
    return canaries
