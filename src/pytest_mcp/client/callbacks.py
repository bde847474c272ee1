"""Scripted answers to the requests a server sends the client: sampling, elicitation, roots.

A reply is a value or a callable (sync or async) that receives the request's params. Values are
shorthand: a string answers a sampling request with that assistant text; a dict accepts an
elicitation with that content (``"decline"``/``"cancel"`` refuse it); a list of URIs or paths
answers ``roots/list``. Every request is kept in ``requests`` so a test can assert on it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from mcp.client.session import ElicitationFnT, ListRootsFnT, SamplingFnT

__all__ = ["Responder"]


class ClientCallbacks(TypedDict, total=False):
    """The SDK ``Client`` keyword arguments a ``Responder`` fills in."""

    sampling_callback: SamplingFnT
    elicitation_callback: ElicitationFnT
    list_roots_callback: ListRootsFnT


@dataclass
class Responder:
    """Holds the scripted replies of one client and the requests it received."""

    sampling: Any = None
    elicitation: Any = None
    roots: Any = None
    requests: list[tuple[str, Any]] = field(default_factory=list)

    def callbacks(self) -> ClientCallbacks:
        """The SDK ``Client`` keyword arguments for the replies that were scripted."""
        found: ClientCallbacks = {}
        if self.sampling is not None:
            found["sampling_callback"] = self._on_sampling
        if self.elicitation is not None:
            found["elicitation_callback"] = self._on_elicitation
        if self.roots is not None:
            found["list_roots_callback"] = self._on_roots
        return found

    async def _reply(self, reply: Any, params: Any) -> Any:
        if callable(reply):
            value = reply(params)
            return await value if inspect.isawaitable(value) else value
        return reply

    async def _on_sampling(self, context: Any, params: Any) -> Any:
        from mcp_types import CreateMessageResult, TextContent

        self.requests.append(("sampling/createMessage", params))
        value = await self._reply(self.sampling, params)
        if isinstance(value, str):
            return CreateMessageResult(
                role="assistant", content=TextContent(type="text", text=value), model="pytest-mcp"
            )
        return value

    async def _on_elicitation(self, context: Any, params: Any) -> Any:
        from mcp_types import ElicitResult

        self.requests.append(("elicitation/create", params))
        value = await self._reply(self.elicitation, params)
        if value in ("decline", "cancel"):
            return ElicitResult(action=value)
        if isinstance(value, dict):
            return ElicitResult(action="accept", content=value)
        return value

    async def _on_roots(self, context: Any) -> Any:
        from mcp_types import ListRootsResult, Root

        self.requests.append(("roots/list", None))
        value = await self._reply(self.roots, None)
        if isinstance(value, list | tuple):
            roots = []
            for item in value:
                if isinstance(item, Root):
                    roots.append(item)
                    continue
                uri = item.as_uri() if isinstance(item, Path) else str(item)
                if "://" not in uri:
                    uri = Path(uri).resolve().as_uri()
                roots.append(Root.model_validate({"uri": uri}))
            return ListRootsResult(roots=roots)
        return value
