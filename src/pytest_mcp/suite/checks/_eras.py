"""Verdicts on a server's opening exchange of each era: spoken, cleanly not spoken, or broken.

An era counts as "not spoken" only on a clean signal: ``initialize`` answered with a JSON-RPC
error that refuses the method or the version, or with another protocol version; ``server/discover``
refused the same way, or unanswered (the spec's legacy signal), or listing other versions. Anything
else (no reply to ``initialize``, an internal error, a result that is not an object, a discover
result without ``supportedVersions``) is a broken opening, which ``lifecycle.eras`` reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from ..wire import HANDSHAKE_ERA, MODERN_ERA

if TYPE_CHECKING:
    from ..runtime import EraFacts

__all__ = ["CLEAN_REFUSALS", "ERA_CHOICES", "era_problem", "missing_required", "parse_required_eras"]

CLEAN_REFUSALS: Final = {
    -32601: "method not found",
    -32602: "invalid params (the version or method is refused)",
    -32600: "invalid request (not this protocol)",
    -32022: "unsupported protocol version",
    -32000: "the transport refuses the request (no session)",
}
"""JSON-RPC error codes that say "I do not speak this era" when they answer its opening request."""

ERA_CHOICES: Final = (HANDSHAKE_ERA, MODERN_ERA)


def era_problem(facts: EraFacts) -> str | None:
    """Why the opening exchange of ``facts.era`` is broken rather than a clean "not spoken"; None when
    the era is spoken, cleanly refused, or could not be judged (the server was not reached, or needs
    authorization: other reports cover those)."""
    if facts.supported or facts.auth_required or not facts.reached or facts.handshake is None:
        return None
    reply = facts.handshake
    method = "initialize" if facts.era == HANDSHAKE_ERA else "server/discover"
    if reply.status is not None and 400 <= reply.status < 500:
        return None  # refused at the HTTP level (an unknown route, a missing session): a clean signal
    if not reply.answered:
        if reply.status is not None:
            return f"{method} in {facts.era}: {facts.reason}"
        if facts.era == MODERN_ERA:
            return None  # a legacy server may leave server/discover unanswered (dual-era detection)
        return f"{method} in {facts.era}: {facts.reason}"
    sent_id = reply.sent.get("id") if isinstance(reply.sent, dict) else None
    if isinstance(reply.message, dict) and reply.message.get("id") != sent_id:
        return f"{method} in {facts.era}: {facts.reason}"  # answered with another id
    if reply.is_error:
        code = reply.code
        if code in CLEAN_REFUSALS:
            return None
        return (
            f"{method} in {facts.era} was answered with error {code!r}, which is not a refusal of the era "
            f"(one of {', '.join(str(c) for c in CLEAN_REFUSALS)}): {facts.reason}"
        )
    if facts.era == MODERN_ERA:
        result = reply.result if isinstance(reply.result, dict) else None
        versions = result.get("supportedVersions") if result is not None else None
        if isinstance(versions, list) and versions and all(isinstance(v, str) for v in versions):
            return None  # it lists other versions: a clean "not this one"
        return f"server/discover returned a result without a supportedVersions array of strings ({facts.reason})"
    return None  # initialize negotiated another version (2026-07-28): a clean signal


def parse_required_eras(value: str) -> tuple[str, ...]:
    """``--mcp-require-era``: ``both``, ``none`` or a comma list of eras -> the eras, in canonical order."""
    names = [part.strip() for part in value.split(",") if part.strip()]
    if names == ["none"]:
        return ()
    if "both" in names:
        return ERA_CHOICES
    unknown = [name for name in names if name not in ERA_CHOICES]
    if unknown or not names:
        raise ValueError(
            f"{value!r}: give both, none, or a comma list of the eras {', '.join(ERA_CHOICES)} "
            "(e.g. 2025-11-25,2026-07-28)"
        )
    return tuple(era for era in ERA_CHOICES if era in names)


def missing_required(required: Iterable[str], facts: dict[str, EraFacts]) -> list[str]:
    """The required eras whose facts say the server does not speak them, each with why."""
    missing = []
    for era in required:
        item = facts.get(era)
        if item is not None and not item.supported:
            missing.append(f"{era} ({item.reason})")
    return missing
