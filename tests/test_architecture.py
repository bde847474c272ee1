"""The package's layers, enforced: what each part may import, no import cycle anywhere (imports inside
functions included: they hide a cycle until the function runs), and every module importable on its own.

The layers (docs/dev/architecture.md), lowest first; a module may import its own layer and those below:

* foundation: ``protocol`` (the MCP wire, spelled once), ``errors``, ``settings``, ``redact``,
  ``stash_keys`` and the small private helpers (``_docs``, ``_limits``, ``extras``);
* ``server``: targets, starting, pooling and stopping servers, processes;
* ``client``: the client, its deadlines, recording, transcript, raw channel and callbacks;
* the pytest layer: ``plugin``, ``fixtures``, ``markers``, ``reporting``, ``assertions``, ``run_seed`` and
  their helpers;
* the feature packages (``suite``, ``auth``, ``mocks``, ``chaos``, ``load``, ``contract``, ``surface``,
  ``snapshots``, ``factories``, ``reports``): any layer below, never ``plugin``, and another feature package only where
  ``FEATURE_IMPORTS`` allows it.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pytest_mcp

PACKAGE = Path(pytest_mcp.__file__).parent
FOUNDATION = {"protocol", "errors", "settings", "redact", "stash_keys", "_docs", "_limits", "_lazy", "extras"}
PYTEST_LAYER = {
    "plugin",
    "fixtures",
    "markers",
    "reporting",
    "assertions",
    "async_runners",
    "fixture_injection",
    "clash",
    "run_seed",
    "__init__",
}
FEATURES = {"suite", "auth", "mocks", "chaos", "load", "contract", "surface", "snapshots", "factories", "reports"}
LAYERS = {"foundation": 0, "server": 1, "client": 2, "pytest": 3, "feature": 4}
FEATURE_IMPORTS = {("suite", "contract"), ("suite", "auth"), ("surface", "contract"), ("reports", "surface")}
"""Feature package -> feature package imports allowed (the suite runs the contract check and reads the auth
package's --mcp-auth-token; surface coverage counts what a contract expects; the HTML report shows the surface
coverage table)."""
PROTOCOL_MAY_IMPORT = {"protocol", "errors"}
"""The wire layer stays free of everything else (no settings, no pytest)."""


def part_of(module: str) -> str:
    """``pytest_mcp.server.process`` -> ``server``; ``pytest_mcp.errors`` -> ``errors``; the package -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(part: str) -> str:
    if part in FOUNDATION:
        return "foundation"
    if part in ("server", "client"):
        return part
    if part in PYTEST_LAYER:
        return "pytest"
    assert part in FEATURES, f"pytest_mcp.{part} belongs to no layer: add it to this test and to the architecture doc"
    return "feature"


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["pytest_mcp", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def run_time_imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules ``module`` imports when it runs: at the top or in a function, not under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            source = ".".join(part for part in (base, node.module or "") if part)
            names = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source for alias in node.names]
        found.update(name for name in names if name in known and name != module)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    return {module: run_time_imports(module, path, set(found)) for module, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_finder_sees_imports_inside_functions_but_not_typing_ones(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from .b import X\nif TYPE_CHECKING:\n    from .c import Y\nfrom . import d\n")
    known = {"p.b", "p.c", "p.d", "p.m"}
    assert run_time_imports("p.m", module, known) == {"p.b", "p.d"}


def test_no_import_cycle_in_the_package() -> None:
    assert cycles(graph()) == []


def test_each_layer_imports_only_itself_and_the_layers_below() -> None:
    wrong = []
    for module, imported in graph().items():
        source = part_of(module)
        for target_module in imported:
            target = part_of(target_module)
            if source == target or (target == "__init__" and source in FEATURES):
                continue  # within a part; a feature reading the package's __version__
            if source == "protocol" and target not in PROTOCOL_MAY_IMPORT:
                wrong.append(f"{module} -> {target_module} (the wire layer imports nothing else)")
            elif target == "plugin":
                wrong.append(f"{module} -> {target_module} (nothing imports the entry module)")
            elif layer_of(target) == layer_of(source) == "feature" and (source, target) not in FEATURE_IMPORTS:
                wrong.append(f"{module} -> {target_module} (a feature package importing another)")
            elif LAYERS[layer_of(target)] > LAYERS[layer_of(source)]:
                wrong.append(f"{module} -> {target_module} ({layer_of(source)} importing {layer_of(target)})")
    assert not wrong, "\n".join(sorted(wrong))


def test_every_module_imports_on_its_own_in_a_fresh_interpreter() -> None:
    """Each module first in a clean ``sys.modules`` (an order-dependent cycle shows here)."""
    names = sorted(modules())
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {names!r}:\n"
        "    for loaded in [m for m in sys.modules if m == 'pytest_mcp' or m.startswith('pytest_mcp.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as exc:\n"
        "        if 'needs' not in str(exc) or 'pip install' not in str(exc):  # a missing extra says so\n"
        "            failed.append(f'{name}: {exc!r}')\n"
        "print('\\n'.join(failed))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", done.stdout


@pytest.mark.parametrize("module", ["pytest_mcp.protocol", "pytest_mcp.settings", "pytest_mcp.markers"])
def test_the_cheap_modules_stay_cheap(module: str) -> None:
    """What plugin start-up and the wire layer import loads neither the MCP SDK nor pydantic."""
    script = f"import sys, {module}; print(sorted(m for m in ('mcp', 'mcp_types', 'pydantic') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_no_file_of_the_package_is_ignored_by_git() -> None:
    """A package directory whose name a .gitignore pattern matches (``reports/``) would be left out of every clone,
    sdist and wheel while the working copy still imports it."""
    if shutil.which("git") is None or not (PACKAGE.parents[1] / ".git").exists():
        pytest.skip("not a git checkout: nothing can be ignored")
    files = [str(path) for path in PACKAGE.rglob("*") if path.is_file() and "__pycache__" not in path.parts]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        input="\n".join(files),
        cwd=PACKAGE.parents[1],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: nothing ignored
    assert done.stdout.strip() == "", f"ignored by .gitignore, so missing from clones and wheels:\n{done.stdout}"
