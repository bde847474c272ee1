"""Subjects: the listed tools, resources, templates and prompts a ``per=`` check runs once for each.

A check registered with ``per="tool"`` becomes one pytest item per tool the server lists, named
``conformance[tools.list.schemas-valid][2025-11-25][http][get-sum]``: a failure names the tool in
its test id, a baseline line can accept one tool's departure (``subject=get-sum``), and ``-k``
selects a tool. The lists are read once per era when the suite's items are collected, and kept
(plain data) for the checks to read again without a request of their own.

Where the subjects cannot be known at collection (the era is not spoken, the capability is not
declared, the list fails or is longer than ``MAX_SUBJECTS``), the check stays one item that runs
over every listed subject, exactly as ``checks_for()`` runs it in a user's test module.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from .options import SuiteOptions

__all__ = ["KINDS", "MAX_SUBJECTS", "SubjectKind", "subject_id", "subject_keys"]

MAX_SUBJECTS: Final = 100
"""More subjects of one kind than this, and the check stays one item over all of them."""
ID_CHARS: Final = 60
_UNSAFE: Final = re.compile(r"\s+|::")


def _always(item: dict[str, Any], options: SuiteOptions) -> bool:
    return True


def _callable(item: dict[str, Any], options: SuiteOptions) -> bool:
    from .checks._tool_calls import may_call

    return may_call(item, options.fuzz_tools)


def _structured(item: dict[str, Any], options: SuiteOptions) -> bool:
    return _callable(item, options) and isinstance(item.get("outputSchema"), dict)


def _with_arguments(item: dict[str, Any], options: SuiteOptions) -> bool:
    arguments = item.get("arguments")
    return isinstance(arguments, list) and any(
        isinstance(argument, dict) and argument.get("required") is True for argument in arguments
    )


@dataclass(frozen=True)
class SubjectKind:
    """Where the subjects of a kind are listed and what names one."""

    name: str
    method: str
    key: str
    """The member of the list result that holds the items (``tools``, ``resourceTemplates``, ...)."""
    field: str
    """The member of an item that names it (``name``, ``uri``, ``uriTemplate``)."""
    capability: str
    label: str
    keep: Callable[[dict[str, Any], SuiteOptions], bool] = _always

    def key_of(self, item: Any) -> str | None:
        value = item.get(self.field) if isinstance(item, dict) else None
        return value if isinstance(value, str) and value else None


KINDS: Final[dict[str, SubjectKind]] = {
    "tool": SubjectKind("tool", "tools/list", "tools", "name", "tools", "tool"),
    "callable-tool": SubjectKind("callable-tool", "tools/list", "tools", "name", "tools", "tool", _callable),
    "structured-tool": SubjectKind("structured-tool", "tools/list", "tools", "name", "tools", "tool", _structured),
    "resource": SubjectKind("resource", "resources/list", "resources", "uri", "resources", "resource"),
    "template": SubjectKind(
        "template", "resources/templates/list", "resourceTemplates", "uriTemplate", "resources", "resource template"
    ),
    "prompt": SubjectKind("prompt", "prompts/list", "prompts", "name", "prompts", "prompt"),
    "prompt-with-arguments": SubjectKind(
        "prompt-with-arguments", "prompts/list", "prompts", "name", "prompts", "prompt", _with_arguments
    ),
}


def subject_keys(kind: SubjectKind, items: list[Any], options: SuiteOptions) -> list[str] | None:
    """The subjects of ``kind`` among listed ``items``, sorted (so every xdist worker collects the same
    items in the same order); None when there are more than ``MAX_SUBJECTS``."""
    keys = sorted({key for item in items if (key := kind.key_of(item)) is not None and kind.keep(item, options)})
    return keys if len(keys) <= MAX_SUBJECTS else None


def subject_id(key: str) -> str:
    """``key`` as it appears in a test id: whitespace and ``::`` replaced, long ones cut and hashed."""
    text = _UNSAFE.sub("_", key)
    if len(text) <= ID_CHARS:
        return text
    digest = hashlib.sha1(key.encode()).hexdigest()[:8]
    return f"{text[: ID_CHARS - 10]}..{digest}"
