"""``BackendMocks``: replace a server's backend object or function with an autospec'd mock.

For the unit style of testing: the tool under test runs for real (in-process), and what it calls
(a database layer, an API client, a service function) is replaced by a mock built with
``unittest.mock.create_autospec``, so a call with the wrong arguments fails like the real thing
would, and ``async def`` functions and methods become awaitable mocks. Every replacement is undone
by ``undo()``, in reverse order. See docs/mocks.md.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, final

from .._docs import docs_url
from ..errors import McpAssertionError, McpUsageError
from ..markers import make_options
from .options import BackendPatch

__all__ = ["BackendMocks"]

DOCS: Final = docs_url("mocks.md", "mcp_mock_backend")


@dataclass
class _Patch:
    label: str
    owner: Any
    attribute: str
    original: Any
    had_own: bool
    mock: Any
    assert_called: bool
    spec: Any


def _import(path: str) -> Any:
    try:
        return importlib.import_module(path)
    except ImportError as exc:
        raise McpUsageError(f"mcp_mock_backend: cannot import {path!r}: {exc}") from None


def _resolve(target: Any, attribute: str | None) -> tuple[Any, str, str]:
    """``(owner, attribute, label)`` for ``(obj, "attr")``, ``("pkg.mod", "attr")``, ``"pkg.mod:a.b"``, ``"pkg.mod.attr"``."""
    if isinstance(target, str):
        if attribute is None:
            if ":" in target:
                module, _, path = target.partition(":")
                owner, *parts = [_import(module), *path.split(".")]
            else:
                module, _, name = target.rpartition(".")
                if not module:
                    raise McpUsageError(
                        f"mcp_mock_backend({target!r}): name what to replace, e.g. 'pkg.module:function', "
                        "'pkg.module:Class.method', or ('pkg.module', 'function')"
                    )
                owner, parts = _import(module), [name]
            label = target
        else:
            owner, parts, label = _import(target.replace(":", ".")), [attribute], f"{target}:{attribute}"
    else:
        if attribute is None:
            raise McpUsageError("mcp_mock_backend(obj, attribute): name the attribute of the object to replace")
        owner, parts = target, [attribute]
        label = f"{getattr(target, '__qualname__', None) or getattr(target, '__name__', None) or type(target).__name__}.{attribute}"
    for part in parts[:-1]:
        owner = _attribute(owner, part, label)
    _attribute(owner, parts[-1], label)
    return owner, parts[-1], label


def _attribute(owner: Any, name: str, label: str) -> Any:
    try:
        return getattr(owner, name)
    except AttributeError:
        names = ", ".join(sorted(n for n in dir(owner) if not n.startswith("_"))[:25])
        raise McpUsageError(
            f"mcp_mock_backend({label!r}): {owner!r} has no attribute {name!r} (it has: {names})"
        ) from None


def _autospec(original: Any) -> Any:
    from unittest.mock import create_autospec

    if inspect.isclass(original):
        return create_autospec(original)
    if inspect.isroutine(original) or isinstance(original, staticmethod | classmethod):
        return create_autospec(original)
    return create_autospec(original, instance=not callable(original))


@final
class BackendMocks:
    """Autospec'd replacements, undone at exit: ``with BackendMocks() as mocks: m = mocks.patch(obj, "fetch")``.

    ``assert_all_called``: at exit, fail for a replacement nothing called (usually a patch of the
    wrong name: patch where the code under test looks the name up).
    """

    def __init__(self, *, assert_all_called: bool = True) -> None:
        self.assert_all_called = assert_all_called
        self._patches: list[_Patch] = []

    def patch(self, *args: Any, **keywords: Any) -> Any:
        """Replace ``target.attribute`` with an autospec'd mock and return the mock: the arguments of a
        ``BackendPatch`` (``patch(target, attribute=None, /, *, assert_called=None, **configure)``).

        ``target``: an object (module, class, instance) with ``attribute``, a module path with
        ``attribute``, or one string ``'pkg.module:name.attr'`` / ``'pkg.module.name'``.
        ``configure``: passed to ``mock.configure_mock`` (``return_value=``, ``side_effect=``,
        ``**{"method.return_value": ...}``). ``assert_called``: override ``assert_all_called``.
        """
        try:
            request = make_options(BackendPatch, args, keywords)
        except TypeError as exc:
            raise McpUsageError(
                f"mcp_mock_backend: {exc}; the arguments are (target, attribute=None, /, *, "
                "assert_called=None, **configure)"
            ) from None
        return self.apply(request)

    def apply(self, request: BackendPatch) -> Any:
        """Make the replacement ``request`` describes (what ``patch`` and the marker do) and return the mock."""
        target, attribute, configure = request.target, request.attribute, request.configure
        owner, name, label = _resolve(target, attribute)
        had_own = name in getattr(owner, "__dict__", {})
        original = inspect.getattr_static(owner, name) if had_own else getattr(owner, name)
        earlier = next((p for p in reversed(self._patches) if p.owner is owner and p.attribute == name), None)
        spec = earlier.spec if earlier is not None else getattr(owner, name)  # never spec a mock with a mock
        mock = _autospec(spec)
        if configure:
            try:
                # an autospec'd function is a real function wrapping its mock in ``.mock``
                getattr(mock, "mock", mock).configure_mock(**configure)
            except AttributeError as exc:
                raise McpUsageError(f"mcp_mock_backend({label!r}): cannot configure {exc}") from None
        setattr(owner, name, mock)
        check = self.assert_all_called if request.assert_called is None else request.assert_called
        self._patches.append(_Patch(label, owner, name, original, had_own, mock, check, spec))
        return mock

    __call__ = patch

    def __getitem__(self, label: str) -> Any:
        """The mock that replaced ``label`` (as passed to ``patch``, e.g. ``'pkg.mod:Class.method'``)."""
        for item in reversed(self._patches):
            if item.label == label:
                return item.mock
        known = ", ".join(repr(item.label) for item in self._patches) or "(none)"
        raise KeyError(f"no backend mock {label!r}; replaced so far: {known}")

    def __iter__(self) -> Iterator[Any]:
        return (item.mock for item in self._patches)

    def __len__(self) -> int:
        return len(self._patches)

    def problems(self) -> list[str]:
        missed = [item.label for item in self._patches if item.assert_called and not item.mock.mock_calls]
        if not missed:
            return []
        return [
            f"mcp_mock_backend: replaced but never called: {', '.join(repr(label) for label in missed)}. "
            "If the code under test imported the name with `from module import name`, patch it where it is "
            "used; if the call is optional, pass assert_called=False (or assert_all_called=False)."
        ]

    def undo(self, *, verify: bool = True) -> None:
        """Restore every original, newest first; then fail for mocks nobody called (unless ``verify=False``)."""
        __tracebackhide__ = True
        found = self.problems() if verify else []
        while self._patches:
            item = self._patches.pop()
            if item.had_own:
                setattr(item.owner, item.attribute, item.original)
            else:
                delattr(item.owner, item.attribute)
        if found:
            raise McpAssertionError("\n".join(found) + f" See {DOCS}.")

    def __enter__(self) -> BackendMocks:
        return self

    def __exit__(self, exc_type: Any, *exc_info: object) -> None:
        __tracebackhide__ = True
        self.undo(verify=exc_type is None)

    def __repr__(self) -> str:
        return f"<BackendMocks {[item.label for item in self._patches]}>"
