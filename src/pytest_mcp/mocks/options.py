"""The options types of the mocks markers, declared once, in a module that imports nothing heavy.

Each is its marker's signature (the ``--markers`` line and the check of its arguments), the
fixture's configuration and what the fixture hands to the class it builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..markers import POSITIONAL_ONLY, extra_keywords

__all__ = ["BackendPatch", "FakeUpstreamOptions", "HttpMockOptions"]


@dataclass(frozen=True, kw_only=True)
class HttpMockOptions:
    """Options of the mcp_http_mock fixture: the keywords of HttpMock."""

    assert_all_called: bool = True
    assert_all_mocked: bool = True
    base_url: str | None = None
    pass_through_loopback: bool = True


@dataclass(frozen=True, kw_only=True)
class FakeUpstreamOptions:
    """Options of the mcp_fake_upstream fixture: the arguments of FakeUpstream."""

    name: str = field(default="fake-upstream", kw_only=False)
    transport: str = "in_process"
    version: str = "1.0.0"
    instructions: str | None = None
    tools: dict[str, Any] | None = None
    resources: dict[str, Any] | None = None
    prompts: dict[str, Any] | None = None
    assert_all_called: bool = False


@dataclass(frozen=True, kw_only=True)
class BackendPatch:
    """Replace target.attribute with an autospec mock for the test (repeatable): the arguments of BackendMocks.patch."""

    target: Any = field(kw_only=False, metadata={POSITIONAL_ONLY: True})
    attribute: str | None = field(default=None, kw_only=False, metadata={POSITIONAL_ONLY: True})
    assert_called: bool | None = None
    configure: Mapping[str, Any] = extra_keywords()
