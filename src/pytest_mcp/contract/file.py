"""The contract file: one recorded surface per protocol era, as sorted, indented JSON (diff-friendly).

::

    {"format": "pytest-mcp-contract/1",
     "eras": {"2025-11-25": {"capabilities": {...}, "tools": {...}, ...}, "2026-07-28": {...}}}
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

__all__ = ["FORMAT", "ContractFileError", "load_contract", "record_era"]

FORMAT: Final = "pytest-mcp-contract/1"


class ContractFileError(ValueError):
    """The contract file cannot be read: the message says which file and what to do."""


def load_contract(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The recorded surfaces by era, or None when the file does not exist."""
    file = Path(path)
    if not file.exists():
        return None
    hint = "fix it, or delete it and record it again (--mcp-contract-update)"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractFileError(f"contract {file} cannot be read ({exc}): {hint}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("eras"), dict):
        raise ContractFileError(f"contract {file} is not a {FORMAT} file: {hint}")
    return dict(data["eras"])


def record_era(path: str | os.PathLike[str], era: str, surface: dict[str, Any]) -> None:
    """Write ``surface`` as the recorded surface of ``era``, keeping the other eras' records."""
    file = Path(path)
    try:
        eras = load_contract(file) or {}
    except ContractFileError:
        eras = {}  # re-recording replaces an unreadable file
    eras[era] = surface
    file.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"format": FORMAT, "eras": eras}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    temporary = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(file)
