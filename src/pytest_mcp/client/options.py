"""``ClientOptions``: how a client connects (headers, token, replies to the server's requests, log level);
the ``mcp_client`` marker's signature, the fixtures' configuration and ``connect()``'s argument. Cheap to
import: plain data, read when the plugin registers its markers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..protocol.versions import LOG_LEVELS
from ..settings import checked, choice, flag

__all__ = ["ClientOptions"]


@dataclass(frozen=True, kw_only=True)
class ClientOptions:
    """Options of the ``mcp_client`` fixture; the same keywords as ``mcp_client_factory`` and ``connect()``."""

    headers: dict[str, str] | None = None
    token: str | None = None
    sampling: Any = None
    elicitation: Any = None
    roots: Any = None
    log_level: str | None = None
    raise_exceptions: bool = False

    def __post_init__(self) -> None:
        headers = self.headers
        if headers is not None and not (
            isinstance(headers, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
        ):
            raise ValueError(f"headers: give a dict of header names to str values, not {headers!r}")
        if self.token is not None and not isinstance(self.token, str):
            raise ValueError(f"token: give a string, not {self.token!r}")
        if self.log_level is not None:
            object.__setattr__(self, "log_level", checked(choice(LOG_LEVELS), self.log_level, "log_level"))
        object.__setattr__(self, "raise_exceptions", checked(flag, self.raise_exceptions, "raise_exceptions"))

    @classmethod
    def of(cls, options: ClientOptions | None, keywords: Mapping[str, Any]) -> ClientOptions:
        """``options``, or the options these keywords give (a caller takes one or the other)."""
        if options is None:
            return cls(**keywords)
        if keywords:
            raise TypeError("pass either a ClientOptions or its keywords, not both")
        return options
