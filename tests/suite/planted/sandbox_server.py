"""A file and repository server confined to ``--root``, with the sandbox defects real servers have shipped.

``python sandbox_server.py --root DIR [--defect NAME ...]`` serves over stdio (an SDK ``MCPServer``).
Without a defect it is correct: paths are resolved (symlinks too) and must lie inside the root,
the repository tools serve the root only, and values reach command lines after ``--``. Defects:

* ``prefix``: containment by string prefix (``/srv/data_evil`` passes for ``/srv/data``);
* ``symlink``: containment of the normalized path, without resolving symlinks;
* ``second-repo``: ``git_log`` serves any repository it is given;
* ``git-option``: ``diff`` passes its ``target`` to ``git diff`` without ``--``;
* ``python-option``: ``convert`` passes its ``name`` to a Python program's argument parser;
* ``stop-serving``: a path outside the root makes the server exit (exit code 3).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

CONVERTER = (
    "import argparse, pathlib; p = argparse.ArgumentParser(); p.add_argument('name', nargs='?'); p.add_argument('--output'); "
    "a, _ = p.parse_known_args(); a.output and pathlib.Path(a.output).write_text(str(a.name))"
)


class Confinement:
    """Where a path may lead, as each defect gets it wrong."""

    def __init__(self, root: Path, defects: set[str]) -> None:
        self.root = root.resolve()
        self.defects = defects

    def inside(self, value: str) -> Path:
        """The path ``value`` names, when it lies inside the root; ``PermissionError`` otherwise."""
        given = Path(value)
        path = given if given.is_absolute() else self.root / given
        if "prefix" in self.defects:
            allowed = str(path.resolve()).startswith(str(self.root))
        elif "symlink" in self.defects:
            allowed = Path(os.path.normpath(path)).is_relative_to(self.root)
        else:
            allowed = path.resolve().is_relative_to(self.root)
        if not allowed:
            if "stop-serving" in self.defects:
                os._exit(3)
            raise PermissionError(f"access denied: {value} is outside the allowed directory")
        return path


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20)
    if done.returncode:
        raise RuntimeError(f"git failed: {done.stderr.strip()}")
    return done.stdout


def make_server(root: Path, defects: set[str]) -> Any:
    from mcp.server.mcpserver import MCPServer
    from mcp_types import ToolAnnotations

    confine = Confinement(root, defects)
    server = MCPServer("planted-sandbox", version="1.0.0", log_level="CRITICAL")
    read_only = ToolAnnotations(read_only_hint=True)

    @server.tool(annotations=read_only)
    def read_file(path: str) -> str:
        """Read a text file inside the allowed directory."""
        return confine.inside(path).read_text()

    @server.tool(annotations=read_only)
    def list_directory(path: str) -> str:
        """List a directory inside the allowed directory."""
        return "\n".join(sorted(entry.name for entry in confine.inside(path).iterdir()))

    @server.tool(annotations=read_only)
    def git_log(repo_path: str) -> str:
        """The commit messages of the repository."""
        repo = Path(repo_path) if "second-repo" in defects else confine.inside(repo_path)
        if "second-repo" not in defects and repo.resolve() != confine.root:
            raise PermissionError(f"{repo_path} is not the served repository")
        return _git("log", "--format=%s", cwd=repo)

    @server.tool()
    def diff(target: str) -> str:
        """Show the changes between the working tree and a commit (a ref)."""
        args = ["diff", target] if "git-option" in defects else ["diff", "--", target]
        return _git(*args, cwd=confine.root)

    @server.tool()
    def convert(name: str) -> str:
        """Convert a named item with the converter program."""
        args = (
            [sys.executable, "-c", CONVERTER, name]
            if "python-option" in defects
            else [sys.executable, "-c", CONVERTER, "--", name]
        )
        done = subprocess.run(args, capture_output=True, text=True, timeout=20)
        return f"converted {name!r} (exit code {done.returncode})"

    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", required=True, type=Path)
    parser.add_argument("--defect", action="append", default=[])
    args = parser.parse_args()
    make_server(args.root, set(args.defect)).run("stdio")


if __name__ == "__main__":
    main()
