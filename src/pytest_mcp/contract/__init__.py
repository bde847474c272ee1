"""Expected-surface contracts: record a server's surface once, then fail when it drifts.

The suite runs it with ``--mcp-contract=FILE`` (``--mcp-contract-update`` re-records); a test uses
``await assert_contract(mcp_client, "contract.json")``. See docs/contract.md.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .drift import Change, compare, describe_changes
from .file import FORMAT, ContractFileError, load_contract, record_era
from .surface import surface_of

if TYPE_CHECKING:
    from ..client.mcp_client import McpClient

__all__ = [
    "FORMAT",
    "Change",
    "ContractDrift",
    "ContractFileError",
    "assert_contract",
    "check_drift",
    "compare",
    "describe_changes",
    "listings",
    "load_contract",
    "record_era",
    "surface_of",
]


class ContractDrift(AssertionError):
    """The server's surface no longer matches its recorded contract in a breaking way."""

    def __init__(self, message: str, changes: list[Change]) -> None:
        super().__init__(message)
        self.changes = changes


def check_drift(
    path: str | os.PathLike[str], era: str, current: dict[str, Any], *, update: bool = False
) -> list[Change] | None:
    """Compare ``current`` with the contract's record of ``era``: None when it recorded ``era`` instead (the
    file or the era was missing, or ``update``), else the changes. Raises ``ContractDrift`` on a breaking
    change; warns (``PytestMcpWarning``) on compatible ones."""
    __tracebackhide__ = True
    from ..errors import PytestMcpWarning

    recorded = (load_contract(path) or {}).get(era)
    if recorded is None or update:
        record_era(path, era, current)
        return None
    changes = compare(recorded, current)
    again = "if intended, record it again: --mcp-contract-update (or update=True)"
    if any(change.breaking for change in changes):
        raise ContractDrift(
            f"the {era} surface drifted from contract {path}: {describe_changes(changes)}\n{again}", changes
        )
    if changes:
        warnings.warn(PytestMcpWarning(f"contract {path} ({era}): {describe_changes(changes)}\n{again}"), stacklevel=2)
    return changes


def listings(recorded: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The contract's surfaces as ``*/list`` results (``(method, result)``, every era), e.g. for the
    surface coverage report to count what the contract expects even where the server no longer lists it."""
    found: list[tuple[str, dict[str, Any]]] = []
    for surface in recorded.values():
        tools = [{"name": name, **item} for name, item in surface.get("tools", {}).items()]
        prompts = [
            {"name": name, "arguments": [{"name": argument} for argument in item.get("arguments", {})]}
            for name, item in surface.get("prompts", {}).items()
        ]
        found += [
            ("tools/list", {"tools": tools}),
            ("prompts/list", {"prompts": prompts}),
            ("resources/list", {"resources": [{"uri": uri} for uri in surface.get("resources", {})]}),
            (
                "resources/templates/list",
                {"resourceTemplates": [{"uriTemplate": t} for t in surface.get("resourceTemplates", {})]},
            ),
        ]
    return found


async def assert_contract(client: McpClient, path: str | os.PathLike[str], *, update: bool = False) -> list[Change]:
    """Fail (``ContractDrift``) when the server behind ``client`` broke its recorded contract at ``path``.

    The first call records the contract (in the client's era); later calls compare with it: breaking
    changes fail, compatible ones warn. ``update=True`` records it again. Returns the changes seen
    (none when it recorded).
    """
    __tracebackhide__ = True
    from .read import read_surface

    return check_drift(path, client.era, await read_surface(client), update=update) or []
