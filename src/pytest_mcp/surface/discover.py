"""Ask a running server once for its whole surface (every page of every listing).

Runs in a short-lived thread with its own event loop, so it works from a synchronous pytest hook
whatever runner (anyio, pytest-asyncio) drives the tests. The SDK loads only when this is called.
"""

from __future__ import annotations

import threading
from typing import Any

from .report import Surface

LISTINGS = (
    ("tools/list", "tools", "tools"),
    ("resources/list", "resources", "resources"),
    ("resources/templates/list", "resource_templates", "resourceTemplates"),
    ("prompts/list", "prompts", "prompts"),
)


def era_of(messages: Any) -> str | None:
    """The era a recorded client connected in ("2025-11-25" or "2026-07-28"), or None if it never did."""
    handshake: str | None = None
    for message in messages:
        if message.direction != "<-" or message.kind != "response":
            continue
        if message.method == "initialize":
            handshake = "2025-11-25"
        elif message.method == "server/discover" and handshake is None:
            handshake = "2026-07-28"
    return handshake


def discover(server: Any, era: str, timeout: float) -> Surface:
    """List everything ``server`` (a ``RunningServer``) offers; raises what connecting or listing raised."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        import anyio

        try:
            outcome["surface"] = anyio.run(_discover, server, era, timeout)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="pytest-mcp-cov-discovery", daemon=True)
    thread.start()
    thread.join(timeout * 3 + 5)
    if thread.is_alive():
        raise TimeoutError(f"listing the {server.describe()} took longer than {timeout * 3 + 5:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["surface"]  # type: ignore[no-any-return]


async def _discover(server: Any, era: str, timeout: float) -> Surface:
    import anyio
    from mcp.shared.exceptions import MCPError

    from ..client.mcp_client import connect
    from ..client.transcript import Transcript

    surface = Surface()
    with anyio.fail_after(timeout * 3):
        async with connect(
            server, era=era, timeout=timeout, transcript=Transcript(label="mcp-cov discovery")
        ) as client:
            for method, helper, key in LISTINGS:
                try:
                    items = await getattr(client, helper)()
                except MCPError:  # the server does not offer this kind of thing (-32601)
                    continue
                payload = [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in items]
                surface.add_listing(method, {key: payload})
    return surface
