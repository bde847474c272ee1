"""Security probes: path traversal, oversized input, hostile URIs and leaks in error replies.

Each probe sends a bounded, fixed set of requests and passes every reply through a
``leaks.LeakDetector``; a finding is a crash, a hang, or a leak (stack trace, secret, system file
contents). Error replies are fine: refusing a hostile request is the right answer.

* ``traversal_findings``: traversal payloads (``strategies.TRAVERSAL_PAYLOADS``) in each string
  argument of a tool;
* ``oversized_findings``: a ~1 MB string in each string argument of a tool;
* ``resource_traversal_findings``: ``resources/read`` of traversal URIs built from the server's
  resources and resource templates (``file:///../../etc/passwd``, ``%2e%2e`` forms);
* ``error_leak_findings``: requests that must fail (unknown tool, resource and prompt, invalid
  arguments, prompts without their required arguments), their error replies scanned for leaks.

Tools are only called when ``--mcp-fuzz-tools`` allows it (``fuzz.ToolSelection``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urlsplit

from .._docs import docs_url
from ..protocol import Outcome, classify
from .fuzz_engine import FuzzSession
from .leaks import Leak
from .strategies import ONE_MEGABYTE, TRAVERSAL_PAYLOADS

__all__ = [
    "Finding",
    "error_leak_findings",
    "oversized_findings",
    "resource_probe_uris",
    "resource_traversal_findings",
    "traversal_findings",
]

DOCS: Final = docs_url("suite/security.md")
MAX_STRING_PROPERTIES: Final = 5
MAX_RESOURCE_URIS: Final = 40
MAX_BASES: Final = 5
UNKNOWN_TOOL: Final = "pytest-mcp-no-such-tool-5f2c'\"<x>"
UNKNOWN_PROMPT: Final = "pytest-mcp-no-such-prompt-5f2c"
UNKNOWN_URIS: Final = ("pytest-mcp://no-such-resource/5f2c", "file:///pytest-mcp-no-such-dir-5f2c/x.txt")
_TEMPLATE_VAR: Final = re.compile(r"\{([+#./;?&]?)([^}]+)\}")
_DEPTH: Final = 8


@dataclass(frozen=True)
class Finding:
    """One problem a probe found: where, with which payload, and what happened."""

    probe: str
    request: str
    payload: str
    problem: str
    leaks: tuple[Leak, ...] = ()

    def describe(self) -> str:
        return f"{self.request} with {self.payload}: {self.problem}"


# -- one request, judged -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Asked:
    """How one probe ended (``protocol.classify``) and what came back: the result or the exception."""

    outcome: Outcome
    value: Any

    @property
    def kind(self) -> str:
        return self.outcome.kind

    @property
    def text(self) -> str:
        return self.outcome.message


async def _ask(session: FuzzSession, call: Callable[[Any], Awaitable[Any]], timeout: float | None) -> _Asked:
    """Run one request on the session's client; classify how it ended instead of raising."""
    client = session.client
    session.probes += 1
    limit = timeout if timeout is not None else client.timeout
    try:
        async with client.guard("request", "(security probe)", limit):
            value = await call(client)
    except Exception as exc:  # e.g. the SDK refusing a malformed reply: scan it, do not crash
        return _Asked(classify(exc), exc)
    return _Asked(classify(value), value)


async def _judge(
    session: FuzzSession,
    probe: str,
    request: str,
    payload: str,
    sent: Any,
    reply: _Asked,
    findings: list[Finding],
) -> None:
    if reply.kind == "timeout":
        limit = getattr(reply.value, "timeout", None)
        findings.append(
            Finding(probe, request, payload, f"no reply within {limit:g} s (a hang)" if limit else "no reply")
        )
        await session.reconnect()
        return
    if reply.kind == "crash":
        findings.append(Finding(probe, request, payload, f"the server crashed: {reply.text}"))
        await session.reconnect()
        return
    leaks = session.detector.scan(reply.value, sent)
    if leaks:
        problem = "the reply leaks " + "; ".join(leak.describe() for leak in leaks)
        findings.append(Finding(probe, request, payload, problem, tuple(leaks)))


# -- tools -------------------------------------------------------------------------------------
def _base_arguments(tool: Any) -> tuple[dict[str, Any], list[str]]:
    """A minimal valid argument object and the tool's string properties (``UnsupportedSchema`` if none can be made)."""
    from .strategies import check_schema, minimal_valid, string_properties

    schema = check_schema(tool.input_schema)
    return minimal_valid(schema), string_properties(schema)[:MAX_STRING_PROPERTIES]


async def _probe_strings(
    session: FuzzSession, tool: Any, probe: str, payloads: Sequence[tuple[str, str]], timeout: float | None
) -> list[Finding]:
    from .strategies import UnsupportedSchema

    try:
        base, names = _base_arguments(tool)
    except UnsupportedSchema:
        return []
    findings: list[Finding] = []
    for name in names:
        for label, value in payloads:
            arguments = {**base, name: value}

            async def call(client: Any, arguments: dict[str, Any] = arguments) -> Any:
                return await client.sdk.call_tool(tool.name, arguments)

            reply = await _ask(session, call, timeout)
            await _judge(session, probe, f"tools/call {tool.name!r} ({name})", label, arguments, reply, findings)
    return findings


def has_string_arguments(tool: Any) -> bool:
    """Whether a tool takes a string argument a probe can put payloads into."""
    from .strategies import UnsupportedSchema, check_schema, string_properties

    try:
        return bool(string_properties(check_schema(tool.input_schema)))
    except UnsupportedSchema:
        return False


async def traversal_findings(session: FuzzSession, tool: Any, *, timeout: float | None = None) -> list[Finding]:
    """Send each traversal payload in each string argument of ``tool``; findings are crashes, hangs and leaks."""
    payloads = [(f"traversal payload {value!r}", value) for value in TRAVERSAL_PAYLOADS]
    return await _probe_strings(session, tool, "path traversal", payloads, timeout)


async def oversized_findings(session: FuzzSession, tool: Any, *, timeout: float | None = None) -> list[Finding]:
    """Send a ~1 MB string in each string argument of ``tool``; findings are crashes, hangs and leaks."""
    payloads = [("a 1 MB string", "A" * ONE_MEGABYTE)]
    return await _probe_strings(session, tool, "oversized input", payloads, timeout)


# -- resources ---------------------------------------------------------------------------------
def _traversals(prefix: str) -> list[str]:
    return [
        prefix + "../" * _DEPTH + "etc/passwd",
        prefix + "%2e%2e/" * _DEPTH + "etc/passwd",
        prefix + "..%2f" * _DEPTH + "etc%2fpasswd",
        prefix + "%2e%2e%2f" * _DEPTH + "etc%2fpasswd",
    ]


def resource_probe_uris(resources: Sequence[Any], templates: Sequence[Any]) -> list[str]:
    """Traversal URIs for ``resources/read``, built from the listed resources and templates (bounded)."""
    listed = {str(getattr(item, "uri", "")) for item in resources}
    uris: list[str] = ["file:///" + "../" * _DEPTH + "etc/passwd", "file:///" + "%2e%2e/" * _DEPTH + "etc/passwd"]
    if "file:///etc/passwd" not in listed:
        uris.append("file:///etc/passwd")
    bases: list[str] = []
    for uri in sorted(listed):
        parts = urlsplit(uri)
        if not parts.scheme or not uri.startswith(f"{parts.scheme}://"):
            continue
        root = f"{parts.scheme}://{parts.netloc}/"
        for base in (root, uri.rstrip("/") + "/"):
            if base not in bases:
                bases.append(base)
    for base in bases[:MAX_BASES]:
        uris.extend(_traversals(base)[:2])
    for template in list(templates)[:MAX_BASES]:
        pattern = str(getattr(template, "uri_template", "") or "")
        if not _TEMPLATE_VAR.search(pattern):
            continue
        for value in (
            "../" * _DEPTH + "etc/passwd",
            quote("../" * _DEPTH + "etc/passwd", safe=""),
            "%2e%2e/" * _DEPTH + "etc/passwd",
        ):
            uris.append(_TEMPLATE_VAR.sub(value.replace("\\", "\\\\"), pattern))
    unique = list(dict.fromkeys(uris))
    return unique[:MAX_RESOURCE_URIS]


async def resource_traversal_findings(
    session: FuzzSession, uris: Sequence[str], *, timeout: float | None = None
) -> list[Finding]:
    """``resources/read`` each URI; findings are crashes, hangs and leaks (file contents above all)."""
    findings: list[Finding] = []
    for uri in uris:

        async def call(client: Any, uri: str = uri) -> Any:
            return await client.sdk.read_resource(uri)

        reply = await _ask(session, call, timeout)
        await _judge(session, "resource traversal", f"resources/read {uri!r}", "a traversal URI", uri, reply, findings)
    return findings


# -- error replies -----------------------------------------------------------------------------
def _minimal_invalid(tool: Any) -> tuple[str, dict[str, Any]] | None:
    from hypothesis.errors import HypothesisException

    from .strategies import UnsupportedSchema, invalid_arguments, simplest

    try:
        example = simplest(invalid_arguments(tool.input_schema))
    except (UnsupportedSchema, HypothesisException):
        return None
    return f"invalid arguments ({example.defect}: {example.detail})", example.arguments


def _calls(method: str, *args: Any) -> Callable[[Any], Awaitable[Any]]:
    """``client -> client.sdk.<method>(*args)``: one request of a probe, made later on whichever client is live."""

    def call(client: Any) -> Awaitable[Any]:
        return getattr(client.sdk, method)(*args)  # type: ignore[no-any-return]

    return call


async def error_leak_findings(
    session: FuzzSession,
    tools: Sequence[Any],
    prompts: Sequence[Any] | None,
    *,
    resources: bool,
    timeout: float | None = None,
) -> tuple[list[Finding], int]:
    """Provoke error replies and scan them for leaks; returns the findings and how many requests were sent.

    ``tools`` are the tools the suite may call (they get invalid arguments, which a server must
    refuse before doing anything); ``prompts`` are all prompts (asked for without their required
    arguments; None when the server has no prompts); ``resources`` says whether to read unknown URIs.
    """
    requests: list[tuple[str, str, Any, Callable[[Any], Awaitable[Any]]]] = []

    def add(request: str, payload: str, sent: Any, call: Callable[[Any], Awaitable[Any]]) -> None:
        requests.append((request, payload, sent, call))

    add(
        f"tools/call {UNKNOWN_TOOL!r}",
        "an unknown tool name",
        UNKNOWN_TOOL,
        lambda client: client.sdk.call_tool(UNKNOWN_TOOL, {}),
    )
    for tool in tools:
        invalid = _minimal_invalid(tool)
        if invalid is None:
            continue
        label, arguments = invalid
        add(f"tools/call {tool.name!r}", label, arguments, _calls("call_tool", tool.name, arguments))
    if resources:
        for uri in UNKNOWN_URIS:
            add(f"resources/read {uri!r}", "an unknown URI", uri, _calls("read_resource", uri))
    if prompts is not None:
        add(
            f"prompts/get {UNKNOWN_PROMPT!r}",
            "an unknown prompt name",
            UNKNOWN_PROMPT,
            _calls("get_prompt", UNKNOWN_PROMPT, {}),
        )
        for prompt in prompts:
            required = [arg.name for arg in (getattr(prompt, "arguments", None) or []) if arg.required]
            if required:
                add(
                    f"prompts/get {prompt.name!r}",
                    f"required argument(s) {', '.join(required)} left out",
                    {},
                    _calls("get_prompt", prompt.name, {}),
                )
    findings: list[Finding] = []
    for request, payload, sent, call in requests:
        reply = await _ask(session, call, timeout)
        await _judge(session, "error reply", request, payload, sent, reply, findings)
    return findings, len(requests)


def render_findings(findings: Sequence[Finding], *, limit: int = 20) -> str:
    """The findings as report lines: one per request and kind of problem (with how many payloads caused it)."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        kind = "; ".join(f"{leak.kind} ({leak.rule})" for leak in finding.leaks) or finding.problem
        groups.setdefault((finding.request, kind), []).append(finding)
    lines = []
    for same in list(groups.values())[:limit]:
        more = f" (and {len(same) - 1} more payload(s) with the same result)" if len(same) > 1 else ""
        lines.append(f"  - {same[0].describe()}{more}")
    if len(groups) > limit:
        lines.append(f"  ... and {len(groups) - limit} more")
    return "\n".join(lines)


# -- the security suite's checks --------------------------------------------------------------------
# Registered in the suite's registry (suite/registry.py, CHECK_MODULES); loaded only by --mcp-suite.
