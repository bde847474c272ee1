"""The security suite's sandbox checks: escapes from the directory a server is confined to, and option injection.

* ``security.tools.sandbox-escape`` plants canaries around the sandbox (``sandbox.plant``) and sends
  each escaping path in every argument that looks like a path; a pass is an error or a refusal, no
  canary in the reply and nothing written outside the sandbox.
* ``security.tools.option-injection`` sends option-shaped values (``injection.option_payloads``) in
  every string argument; a pass is no canary file appearing.

The sandbox is ``--mcp-sandbox=DIR``; without it, a server that asks the client for its roots gets
a directory the suite creates. Inside a sandbox the suite calls tools that are not read-only too
(``tool_selection.sandbox_selection``). User docs: docs/suite/security.md.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Final

from ..registry import check
from ..security import Finding, _ask
from ..wire import HANDSHAKE_ERA
from .fuzz import CLIENT_REPLIES
from .security import SECURITY_CHECK_TIMEOUT, probe_tools, report_findings

__all__ = ["path_properties", "reply_text"]

PATH_NAME: Final = re.compile(r"path|file|dir|folder|root|repo|location|cwd|source|dest", re.IGNORECASE)
PATH_WORDS: Final = re.compile(r"\b(path|file|directory|folder|repository)\b", re.IGNORECASE)
PATH_FORMATS: Final = frozenset({"uri", "uri-reference", "iri", "iri-reference", "path", "file-path"})
REFUSAL: Final = re.compile(
    r"denied|not allowed|outside|forbidden|permission|invalid|not found|no such|does not exist|not exist|"
    r"not a (git )?repo|not a directory|error|refus|cannot|can't|unable|failed",
    re.IGNORECASE,
)
ROOTS_WAIT: Final = 2.0
"""Seconds a 2025-11-25 server gets to ask for the client's roots after connecting (server-everything: 0.35 s)."""
ROOTS_ONLY_IN_REQUESTS: Final = (
    "in 2026-07-28 a server asks for the client's roots only inside a request (an input-required result), "
    "never on connecting"
)
SANDBOX_OPTION: Final = "run with --mcp-sandbox=DIR (the directory the server is confined to)"
MAX_STRING_ARGUMENTS: Final = 8
SANDBOX_HINT: Final = f"{SANDBOX_OPTION} or --mcp-fuzz-tools=all"


# -- which arguments are paths -------------------------------------------------------------------
def _accepts(prop: Any, kind: str) -> bool:
    declared = prop.get("type")
    if isinstance(declared, list):
        return kind in declared
    if declared is None:
        options = [option for key in ("anyOf", "oneOf") for option in prop.get(key) or [] if isinstance(option, dict)]
        return any(_accepts(option, kind) for option in options)
    return bool(declared == kind)


def path_properties(schema: Any) -> list[tuple[str, bool]]:
    """(name, takes a list) of each top-level property that looks like a path: by name, description or format."""
    found = []
    for name, prop in (schema.get("properties") or {}).items() if isinstance(schema, dict) else ():
        if not isinstance(prop, dict):
            continue
        is_list = _accepts(prop, "array") and isinstance(prop.get("items"), dict) and _accepts(prop["items"], "string")
        if not (_accepts(prop, "string") or is_list):
            continue
        described = str(prop.get("description") or "") + str(prop.get("title") or "")
        shaped = prop.get("format") in PATH_FORMATS or (is_list and prop["items"].get("format") in PATH_FORMATS)
        if PATH_NAME.search(name) or PATH_WORDS.search(described) or shaped:
            found.append((name, is_list and not _accepts(prop, "string")))
    return found


def reply_text(value: Any) -> str:
    """Everything a reply carries, as text (to look for canaries in)."""
    dump = getattr(value, "model_dump_json", None)
    if callable(dump):
        try:
            return str(dump())
        except Exception:  # a reply the SDK cannot serialize: its repr still shows the text
            return repr(value)
    return str(value)


# -- one probed call -----------------------------------------------------------------------------
def _judge_call(
    reply: Any, request: str, payload: str, seen: Sequence[tuple[str, str]], wrote: Sequence[str]
) -> list[Finding]:
    """Findings of one call: a crash, a hang, a canary in the reply or a write outside."""
    found = []
    if reply.kind == "crash":
        found.append(Finding("crash", request, payload, f"the server crashed: {reply.text}"))
    elif reply.kind == "timeout":
        found.append(Finding("hang", request, payload, "no reply in time (a hang)"))
    for threat, token in seen:
        found.append(Finding(threat, request, payload, f"the reply shows the {threat} canary {token!r}"))
    if wrote:
        shown = ", ".join(wrote[:3]) + (" ..." if len(wrote) > 3 else "")
        found.append(Finding("write", request, payload, f"the call changed files outside the sandbox: {shown}"))
    return found


async def _call(session: Any, tool: Any, arguments: dict[str, Any], timeout: float) -> Any:
    async def call(client: Any) -> Any:
        return await client.sdk.call_tool(tool.name, arguments)

    reply = await _ask(session, call, timeout)
    if reply.kind in ("crash", "timeout"):
        await session.reconnect()
    return reply


def _base(tool: Any, paths: Sequence[tuple[str, bool]], inside: str) -> dict[str, Any] | None:
    """Minimal valid arguments with every path argument pointing inside the sandbox; None if none can be made."""
    from ..strategies import UnsupportedSchema, check_schema, minimal_valid

    try:
        base = minimal_valid(check_schema(tool.input_schema))
    except UnsupportedSchema:
        return None
    for name, is_list in paths:
        base[name] = [inside] if is_list else inside
    return base


async def escape_findings(session: Any, tool: Any, canaries: Any, timeout: float) -> list[Finding]:
    """Send each escaping path in each path argument of ``tool``; stop at the first crash or hang."""
    paths = path_properties(tool.input_schema)
    base = _base(tool, paths, str(canaries.inside / "probe.txt"))
    if base is None:
        return []
    findings: list[Finding] = []
    for name, is_list in paths:
        for escape in canaries.escapes():
            arguments = {**base, name: [escape.path] if is_list else escape.path}
            reply = await _call(session, tool, arguments, timeout)
            text = reply.text if reply.kind != "ok" else reply_text(reply.value)
            request = f"tools/call {tool.name!r} argument {name!r}"
            payload = f"the {escape.threat} path {escape.path!r}"
            found = _judge_call(reply, request, payload, canaries.seen(text), canaries.changed())
            if reply.kind == "ok" and not found and not REFUSAL.search(text):
                found.append(
                    Finding(escape.threat, request, payload, "the call succeeded (expected an error or a refusal)")
                )
            findings.extend(found)
            if reply.kind in ("crash", "timeout"):
                return findings
    return findings


async def injection_findings(session: Any, tool: Any, canary: Any, root: str | None, timeout: float) -> list[Finding]:
    """Send each option-shaped payload in each string argument of ``tool``; a file in ``canary`` is a finding."""
    from ..injection import option_payloads
    from ..strategies import string_properties

    paths = path_properties(tool.input_schema)
    base = _base(tool, paths if root else [], root or "")
    if base is None:
        return []
    findings: list[Finding] = []
    names = string_properties(tool.input_schema)[:MAX_STRING_ARGUMENTS]
    for name in names:
        for value in option_payloads(canary.path):
            reply = await _call(session, tool, {**base, name: value}, timeout)
            request = f"tools/call {tool.name!r} argument {name!r}"
            found = _judge_call(reply, request, f"the option {value!r}", (), ())
            appeared = canary.appeared()
            if appeared:
                problem = f"the server honoured the option: it created the canary file {canary.path / appeared[0]}"
                found.append(Finding("option injection", request, f"the option {value!r}", problem))
            findings.extend(found)
            if reply.kind in ("crash", "timeout"):
                return findings
    return findings


# -- the checks ----------------------------------------------------------------------------------
async def _asked_for_roots(ctx: Any, client: Any) -> bool:
    """Whether a 2025-11-25 server asked for the client's roots (within ``ROOTS_WAIT`` seconds of connecting).

    The client first says that its roots changed: the clients of a stdio server share its process, and a
    server that asked an earlier one (with other roots) may ask only once per process."""
    import warnings

    import anyio

    try:
        with warnings.catch_warnings():  # (the SDK deprecates roots as of 2026-07-28)
            warnings.simplefilter("ignore", UserWarning)
            await client.sdk.send_roots_list_changed()
    except Exception as exc:  # a notification gets no answer: what refused it is only worth a note
        ctx.note(f"notifications/roots/list_changed could not be sent: {exc}")
    with anyio.move_on_after(ROOTS_WAIT):
        while not any(method == "roots/list" for method, _ in client.responder.requests):
            await anyio.sleep(0.05)
    return any(method == "roots/list" for method, _ in client.responder.requests)


@contextmanager
def _tidy(root: Path | None) -> Iterator[None]:
    """Remove what the probes' calls created at the top of ``root`` (tools act inside a sandbox)."""
    if root is None or not root.is_dir():
        yield
        return
    before = {entry.name for entry in root.iterdir()}
    try:
        yield
    finally:
        for entry in root.iterdir():
            if entry.name in before:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


@asynccontextmanager
async def _sandbox(ctx: Any) -> AsyncIterator[tuple[Path, bool]]:
    """The sandbox root: ``--mcp-sandbox``, or a directory the suite creates (and removes) to hand out as a root."""
    if ctx.options.sandbox:
        root = Path(ctx.options.sandbox).resolve()
        with _tidy(root):
            yield root, True
        return
    made = Path(tempfile.mkdtemp(prefix="pytest-mcp-root-"))
    try:
        yield made, False
    finally:
        shutil.rmtree(made, ignore_errors=True)


def _selection(ctx: Any, given: bool) -> str:
    from ..tool_selection import sandbox_selection

    return sandbox_selection(ctx.options.fuzz_tools) if given else ctx.options.fuzz_tools


def _tool_notes(ctx: Any, tools: Any, given: bool) -> None:
    if given:
        ctx.note(f"inside the sandbox {ctx.options.sandbox} the suite called tools that are not read-only too")
    for reason in tools.skipped.values():
        ctx.note(f"not probed: {reason}")


@check(
    "security.tools.sandbox-escape",
    rule="A server confined to a directory (--mcp-sandbox, or the root the client gives) refuses every path that "
    "leaves it: a sibling sharing the root's name prefix, a symlink inside pointing out, another repository, "
    "absolute, relative, percent-encoded, case- and Unicode-variant paths; no reply shows a canary planted "
    "outside and nothing outside is written.",
    items=[44, 49],
    spec="client/roots#security-considerations",
    level="MUST",
    suite="security",
    requires=("tools",),
    timeout=SECURITY_CHECK_TIMEOUT,
    raw=False,
    bad_input=True,
)
async def tools_sandbox_escape(ctx: Any) -> None:
    from ..sandbox import plant
    from ..tool_selection import select_tools

    async with _sandbox(ctx) as (root, given):
        try:
            canaries = plant(root)
        except OSError as exc:
            ctx.skip(
                f"no canaries could be planted around {root} ({exc}): give --mcp-sandbox an existing directory "
                "whose parent directory is writable"
            )
        try:
            async with ctx.client(**{**CLIENT_REPLIES, "roots": [root]}) as client:
                every = await client.tools()
                tools = select_tools(every, _selection(ctx, given))
                targets = [tool for tool in tools.chosen if path_properties(tool.input_schema)]
                if not targets:  # (known before waiting for the server to ask for the roots)
                    offered = [tool.name for tool in every if path_properties(tool.input_schema)]
                    if offered:
                        ctx.skip(f"no callable path-taking tool ({', '.join(offered)} not callable): {SANDBOX_HINT}")
                    ctx.skip("no tool takes an argument that looks like a path (by name, description or format)")
                if not given and ctx.era != HANDSHAKE_ERA:
                    ctx.skip(f"{ROOTS_ONLY_IN_REQUESTS}, so its sandbox is unknown: {SANDBOX_OPTION}")
                if not given and not await _asked_for_roots(ctx, client):
                    ctx.skip(
                        f"the server did not ask for the client's roots, so its sandbox is unknown: {SANDBOX_OPTION}"
                    )
                findings, sent = await probe_tools(
                    ctx, client, targets, lambda session, tool: escape_findings(session, tool, canaries, ctx.timeout)
                )
        finally:
            canaries.remove()
    _tool_notes(ctx, tools, given)
    report_findings(ctx, f"escaping paths in {len(targets)} tool(s) confined to {root}", findings, sent)


@check(
    "security.tools.option-injection",
    rule="Option-shaped values (--output=FILE, -oFILE, --upload-pack=CMD, -c key=value, a leading '-') in a "
    "tool's string arguments are never honoured as options of a command the server runs: no canary file appears.",
    items=[44],
    spec="server/tools#security-considerations",
    level="MUST",
    suite="security",
    requires=("tools",),
    timeout=SECURITY_CHECK_TIMEOUT,
    raw=False,
    bad_input=True,
)
async def tools_option_injection(ctx: Any) -> None:
    from ..injection import CanaryDir

    given = bool(ctx.options.sandbox)
    root = str(Path(ctx.options.sandbox).resolve()) if given else None
    canary = CanaryDir()
    with _tidy(Path(root) if root else None):
        return await _injection_run(ctx, canary, root, given)


async def _injection_run(ctx: Any, canary: Any, root: str | None, given: bool) -> None:
    __tracebackhide__ = True
    from ..strategies import string_properties
    from ..tool_selection import opt_in_reason, select_tools

    try:
        async with ctx.client(**{**CLIENT_REPLIES, "roots": [root] if root else []}) as client:
            tools = select_tools(await client.tools(), _selection(ctx, given))
            if not tools.chosen:
                ctx.skip(f"{opt_in_reason(tools, ctx.options.fuzz_tools)}; or {SANDBOX_HINT}")
            targets = [tool for tool in tools.chosen if string_properties(tool.input_schema)]
            if not targets:
                ctx.skip(f"none of the tools the suite may call takes a string argument: {SANDBOX_HINT}")
            findings, sent = await probe_tools(
                ctx, client, targets, lambda session, tool: injection_findings(session, tool, canary, root, ctx.timeout)
            )
    finally:
        canary.remove()
    _tool_notes(ctx, tools, given)
    report_findings(ctx, f"option-shaped values in {len(targets)} tool(s)", findings, sent)
