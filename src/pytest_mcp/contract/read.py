"""Read a connected client's surface (for ``assert_contract`` in a user's test)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .surface import surface_of

if TYPE_CHECKING:
    from ..client.mcp_client import McpClient

__all__ = ["read_surface"]


async def read_surface(client: McpClient) -> dict[str, Any]:
    """The surface of the server behind ``client`` in the client's era (every page of every list)."""
    capabilities = _wire(client.server_capabilities) or {}
    declared = set(capabilities)
    tools = await client.tools() if "tools" in declared else []
    prompts = await client.prompts() if "prompts" in declared else []
    resources = await client.resources() if "resources" in declared else []
    templates = await client.resource_templates() if "resources" in declared else []
    return surface_of(
        capabilities=capabilities,
        tools=[_wire(item) for item in tools],
        prompts=[_wire(item) for item in prompts],
        resources=[_wire(item) for item in resources],
        templates=[_wire(item) for item in templates],
    )


def _wire(model: Any) -> Any:
    """An SDK model as the server sent it (aliases, no unset fields)."""
    if hasattr(model, "model_dump"):
        return model.model_dump(by_alias=True, exclude_none=True, mode="json")
    return model
