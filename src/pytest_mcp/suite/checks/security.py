"""The security suite's checks: traversal payloads, 1 MB strings, traversal URIs and leaks in error replies.

The probes and their findings are ``suite.security``; sandbox escapes and option injection are in
``checks.sandbox``. Registered in ``registry.CHECK_MODULES``; loaded only by ``--mcp-suite``.
User docs: docs/suite/security.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from ..registry import check
from ..security import (
    DOCS,
    Finding,
    error_leak_findings,
    has_string_arguments,
    oversized_findings,
    render_findings,
    resource_probe_uris,
    resource_traversal_findings,
    traversal_findings,
)
from .fuzz import CLIENT_REPLIES, tools_or_skip

if TYPE_CHECKING:
    from ..fuzz_engine import FuzzSession
    from ..leaks import Leak

SECURITY_CHECK_TIMEOUT: Final = 300.0


def _detector(ctx: Any, client: Any) -> Any:
    from ..leaks import LeakDetector, server_env

    return LeakDetector(server_env(client.server), extra_secrets=(ctx.token,) if ctx.token else ())


def report_findings(ctx: Any, what: str, findings: Sequence[Finding], sent: int) -> None:
    """Fail the check with the findings (the kinds of probe that found them first), or note how much was sent."""
    __tracebackhide__ = True
    if findings:
        threats = sorted({finding.probe for finding in findings})
        ctx.fail(
            f"{len(findings)} finding(s) ({', '.join(threats)}) from {what}:\n{render_findings(findings)}\n"
            f"  (see {DOCS})"
        )
    ctx.note(f"{what}: {sent} request(s), no finding")


async def probe_tools(
    ctx: Any, client: Any, targets: Sequence[Any], probe: Callable[[FuzzSession, Any], Awaitable[list[Finding]]]
) -> tuple[list[Finding], int]:
    """Run ``probe(session, tool)`` on each of ``targets`` through one ``FuzzSession`` (its leak detector knows the
    server's secrets and the token); the findings, and how many requests the probes sent."""
    from ..fuzz_engine import FuzzConfig, FuzzSession

    findings: list[Finding] = []
    config = FuzzConfig(call_timeout=ctx.timeout)
    async with FuzzSession(client, config=config, detector=_detector(ctx, client)) as session:
        for tool in targets:
            findings.extend(await probe(session, tool))
        return findings, session.probes


async def _tool_probe(ctx: Any, probe: Callable[..., Awaitable[list[Finding]]], what: str) -> None:
    __tracebackhide__ = True
    async with ctx.client(**CLIENT_REPLIES) as client:
        tools = await tools_or_skip(ctx, client)
        targets = [tool for tool in tools.chosen if has_string_arguments(tool)]
        if not targets:
            names = ", ".join(tool.name for tool in tools.chosen)
            ctx.skip(f"none of the tools the suite may call ({names}) takes a string argument")
        findings, sent = await probe_tools(
            ctx, client, targets, lambda session, tool: probe(session, tool, timeout=ctx.timeout)
        )
    for reason in tools.skipped.values():
        ctx.note(f"not probed: {reason}")
    report_findings(ctx, f"{what} in {len(targets)} tool(s)", findings, sent)


@check(
    "security.tools.path-traversal",
    rule="Path traversal payloads (../../etc/passwd, %2e%2e, encoded and Windows forms) in a tool's string arguments "
    "never reach system files, crash or hang the server, or leak stack traces or secrets.",
    items=[44, 49],
    spec="server/tools#security-considerations",
    level="MUST",
    suite="security",
    requires=("tools",),
    timeout=SECURITY_CHECK_TIMEOUT,
    raw=False,
)
async def tools_path_traversal(ctx: Any) -> None:
    await _tool_probe(ctx, traversal_findings, "traversal payloads")


@check(
    "security.tools.oversized-input",
    bad_input=True,
    rule="A ~1 MB string in a tool's string argument gets an answer (a result or an error) in time, without a "
    "crash or a leak.",
    items=[44],
    spec="server/tools#security-considerations",
    level="D",
    suite="security",
    requires=("tools",),
    timeout=SECURITY_CHECK_TIMEOUT,
    raw=False,
)
async def tools_oversized_input(ctx: Any) -> None:
    await _tool_probe(ctx, oversized_findings, "1 MB strings")


@check(
    "security.resources.path-traversal",
    rule="resources/read of traversal URIs (file:///../../etc/passwd, %2e%2e forms, traversal inside the server's "
    "own URIs and templates) never returns system files, crashes or hangs the server, or leaks.",
    items=[56],
    spec="server/resources#security-considerations",
    level="MUST",
    suite="security",
    requires=("resources",),
    timeout=SECURITY_CHECK_TIMEOUT,
    raw=False,
)
async def resources_path_traversal(ctx: Any) -> None:
    from ..fuzz_engine import FuzzConfig, FuzzSession

    async with ctx.client(**CLIENT_REPLIES) as client:
        resources = await client.resources()
        templates = await client.resource_templates()
        uris = resource_probe_uris(resources, templates)
        async with FuzzSession(
            client, config=FuzzConfig(call_timeout=ctx.timeout), detector=_detector(ctx, client)
        ) as session:
            findings = await resource_traversal_findings(session, uris, timeout=ctx.timeout)
    report_findings(ctx, f"{len(uris)} traversal URI(s)", findings, len(uris))


@check(
    "security.errors.no-leaks",
    rule="Error replies (unknown tool, resource or prompt; invalid tool arguments; missing prompt arguments) "
    "contain no stack trace, secret or system file contents.",
    items=[9, 73],
    spec="server/tools#error-handling",
    level="D",
    suite="security",
    timeout=SECURITY_CHECK_TIMEOUT,
    raw=False,
)
async def errors_no_leaks(ctx: Any) -> None:
    from ..fuzz_engine import FuzzConfig, FuzzSession
    from ..tool_selection import select_tools

    async with ctx.client(**CLIENT_REPLIES) as client:
        tools = select_tools(await client.tools(), ctx.options.fuzz_tools).chosen if ctx.declares("tools") else []
        prompts = await client.prompts() if ctx.declares("prompts") else None
        async with FuzzSession(
            client, config=FuzzConfig(call_timeout=ctx.timeout), detector=_detector(ctx, client)
        ) as session:
            findings, sent = await error_leak_findings(
                session, tools, prompts, resources=ctx.declares("resources"), timeout=ctx.timeout
            )
    report_findings(ctx, "error replies", findings, sent)


# -- leaks in ordinary replies --------------------------------------------------------------------
METADATA_KINDS: Final = ("stack trace", "file contents", "credential", "environment")
"""Lists and the opening reply describe the server: none of these ever belongs in them."""
CONTENT_KINDS: Final = ("environment",)
"""Resource contents may quote stack traces, key formats or system files on purpose (a log, a doc, a
file the server serves); only the exact secrets the test knows are a leak there."""
MAX_READS: Final = 10
LISTS: Final = (
    ("tools", "tools/list", "tools"),
    ("prompts", "prompts/list", "prompts"),
    ("resources", "resources/list", "resources"),
    ("resources", "resources/templates/list", "resourceTemplates"),
)


def _prompt_arguments(prompt: dict[str, Any]) -> dict[str, str]:
    """A plain value for each required argument of a listed prompt."""
    arguments = listed if isinstance(listed := prompt.get("arguments"), list) else []
    return {
        str(argument["name"]): "test"
        for argument in arguments
        if isinstance(argument, dict) and argument.get("required") is True and isinstance(argument.get("name"), str)
    }


def wire_env(ctx: Any, wire: Any) -> dict[str, str]:
    """The environment of the server behind a raw wire, when the plugin can know it."""
    import os

    from ..leaks import process_env, server_env
    from ..wire import StdioWire

    if isinstance(wire, StdioWire):
        return process_env(wire.link.channel.process.pid) or {}
    if ctx.transport == "inproc":
        return dict(os.environ)
    try:
        return server_env(ctx.runtime.server("*"))
    except Exception:  # a URL target runs elsewhere: nothing is known
        return {}


@check(
    "security.replies.no-leaks",
    rule="The server's ordinary replies (the opening initialize / server/discover result, every tools, prompts, "
    "resources and templates list, reads of listed resources and prompts) contain no stack trace, credential or system "
    "file contents in what describes the server, and no secret value of its environment anywhere.",
    items=[49],
    spec="server/tools#security-considerations",
    level="D",
    suite="security",
    timeout=SECURITY_CHECK_TIMEOUT,
)
async def replies_no_leaks(ctx: Any) -> None:
    from ..leaks import LeakDetector
    from ._listing import list_all

    found: list[tuple[str, Leak]] = []
    scanned = 0
    async with ctx.wire() as wire:
        detector = LeakDetector(wire_env(ctx, wire), extra_secrets=(ctx.token,) if ctx.token else ())

        def scan(what: str, value: Any, kinds: Sequence[str]) -> None:
            found.extend((what, leak) for leak in detector.scan(value, where="result", kinds=kinds))

        handshake = ctx.facts.handshake
        if handshake is not None and handshake.is_result:
            scan(f"the {handshake.sent.get('method')} result", handshake.result, METADATA_KINDS)
            scanned += 1
        resources: list[Any] = []
        prompts: list[Any] = []
        for capability, method, key in LISTS:
            if not ctx.declares(capability):
                continue
            listing = await list_all(wire, method, key)
            scanned += len(listing.replies)
            for reply in listing.replies:
                if reply.is_result:
                    scan(f"the {method} result", reply.result, METADATA_KINDS)
            if method == "resources/list":
                resources = listing.items
            if method == "prompts/list":
                prompts = listing.items
        for item in resources[:MAX_READS]:
            uri = item.get("uri") if isinstance(item, dict) else None
            if not isinstance(uri, str):
                continue
            reply = await wire.request("resources/read", {"uri": uri})
            scanned += 1
            if reply.is_result:
                scan(f"resources/read {uri!r}", reply.result, CONTENT_KINDS)
        for item in prompts[:MAX_READS]:
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            reply = await wire.request("prompts/get", {"name": name, "arguments": _prompt_arguments(item)})
            scanned += 1
            if reply.is_result:
                scan(f"prompts/get {name!r}", reply.result, CONTENT_KINDS)
    if found:
        lines = [f"  - {what}: {leak.describe()}" for what, leak in found[:20]]
        ctx.fail(f"{len(found)} leak(s) in ordinary replies:\n" + "\n".join(lines) + f"\n  (see {DOCS})")
    known = len(detector.env_secrets) + len(detector.extra_secrets)
    ctx.note(f"{scanned} reply(ies) scanned; {known} secret value(s) of the server's environment known to the scan")
