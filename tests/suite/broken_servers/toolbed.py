"""A low-level SDK server for the fuzz, security and sandbox checks: correct by default, with switchable defects.

It has two tool sets. By default: ``add``, ``echo`` and ``read`` (and ``files://`` resources), all
annotated read-only so the suite fuzzes them; it validates arguments against its own schemas
(``jsonschema``), confines reads to its ``files/`` folder and keeps errors short. With ``--root
DIR``: a file and repository workspace confined to DIR (``read_file``, ``list_directory``,
``git_log``, and ``diff`` and ``convert``, which run commands), where paths are resolved, symlinks
too, and values reach command lines after ``--``. Either way it passes every check with no
``--defect``; each ``--defect`` plants one departure that a named check must catch
(``tests/suite/test_fuzz_security.py``, ``tests/suite/test_sandbox.py``). The protocol-level
misbehaviour is ``rawserver.py``'s (a hand-written server: the SDK will not send bad JSON-RPC).

    python tests/suite/broken_servers/toolbed.py [--root DIR] [--defect NAME ...]   # stdio
    tests.suite.broken_servers.toolbed:make_server                                  # in-process, no defect
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
import jsonschema
import mcp_types as types
from mcp.server import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

FILES = Path(__file__).resolve().parent / "files"
SECRET_ENV = "TOOLBED_API_KEY"
READ_ONLY = types.ToolAnnotations(read_only_hint=True)

DEFECTS = {
    "no-validation": "tool arguments are not validated: invalid ones succeed",
    "accept-extra": "extra arguments are accepted although additionalProperties is false",
    "wrong-error-code": "invalid arguments get JSON-RPC error -32603 instead of isError or -32602",
    "bad-structured": "add's structuredContent breaks its outputSchema when the sum is above 100",
    "bad-image": "echo answers text longer than 5 characters with an image block whose data is not base64",
    "internal-error": "add answers a negative a (valid input) with JSON-RPC error -32603",
    "crash": "add kills the process when b is 0",
    "hang-on-valid": "add blocks the whole server for a minute when a is 0",
    "crash-on-nul": "echo kills the process when the text contains a NUL character",
    "hang-on-long": "echo blocks the whole server when the text is longer than 100 000 characters",
    "traceback-on-quote": "echo answers text containing a quote with a Python traceback",
    "leak-env": "echo answers an empty text with the value of the server's TOOLBED_API_KEY",
    "traversal": "read does not confine paths to its folder",
    "resource-traversal": "resources/read of files://{name} does not confine names to the folder",
    "traceback-unknown-tool": "an unknown tool name is answered with a Python traceback",
    "secret-in-error": "invalid arguments are answered with the database password in the message",
    "secret-in-description": "the read tool's description carries the server's TOOLBED_API_KEY",
    # the workspace (--root), with the sandbox defects real servers have shipped
    "prefix": "containment by string prefix: /srv/data_evil passes for /srv/data",
    "symlink": "containment of the normalized path, without resolving symlinks",
    "second-repo": "git_log serves any repository it is given",
    "git-option": "diff passes its target to git diff without --",
    "python-option": "convert passes its name to a Python program's argument parser",
    "stop-serving": "a path outside the root makes the server exit (exit code 3)",
}
CONVERTER = (
    "import argparse, pathlib; p = argparse.ArgumentParser(); p.add_argument('name', nargs='?'); p.add_argument('--output'); "
    "a, _ = p.parse_known_args(); a.output and pathlib.Path(a.output).write_text(str(a.name))"
)


def _string_tool(name: str, argument: str, description: str, *, read_only: bool = True) -> types.Tool:
    """A workspace tool that takes one required string."""
    schema = {"type": "object", "properties": {argument: {"type": "string"}}, "required": [argument]}
    return types.Tool(
        name=name, description=description, input_schema=schema, annotations=READ_ONLY if read_only else None
    )


WORKSPACE_TOOLS = [
    _string_tool("read_file", "path", "Read a text file inside the allowed directory."),
    _string_tool("list_directory", "path", "List a directory inside the allowed directory."),
    _string_tool("git_log", "repo_path", "The commit messages of the repository."),
    _string_tool("diff", "target", "Show the changes between the working tree and a commit (a ref).", read_only=False),
    _string_tool("convert", "name", "Convert a named item with the converter program.", read_only=False),
]


class Toolbed:
    """The tools and resources, with ``defects`` planted; the workspace tools instead when ``root`` is given."""

    def __init__(self, defects: set[str], root: Path | None = None) -> None:
        self.defects = defects
        self.confinement = Confinement(root, defects) if root is not None else None
        self.tools = WORKSPACE_TOOLS if root is not None else self.basic_tools()

    def basic_tools(self) -> list[types.Tool]:
        read_description = "Read a text file from the server's files folder."
        if "secret-in-description" in self.defects:
            read_description += f" (upstream key {os.environ.get(SECRET_ENV, '')})"
        return [
            types.Tool(
                name="add",
                description="Add two integers.",
                input_schema={
                    "type": "object",
                    "properties": {"a": {"type": "integer"}, "b": {"type": "integer", "minimum": 0, "maximum": 1000}},
                    "required": ["a", "b"],
                },
                output_schema={"type": "object", "properties": {"sum": {"type": "integer"}}, "required": ["sum"]},
                annotations=READ_ONLY,
            ),
            types.Tool(
                name="echo",
                description="Return the text.",
                input_schema={
                    "type": "object",
                    "properties": {"text": {"type": "string", "maxLength": 2_000_000}},
                    "required": ["text"],
                    "additionalProperties": False,
                },
                annotations=READ_ONLY,
            ),
            types.Tool(
                name="read",
                description=read_description,
                input_schema={"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
                annotations=READ_ONLY,
            ),
        ]

    # -- tools ----------------------------------------------------------------------------------
    async def list_tools(self, ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=self.tools)

    async def call_tool(self, ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        tool = next((tool for tool in self.tools if tool.name == params.name), None)
        if tool is None:
            if "traceback-unknown-tool" in self.defects:
                try:
                    raise KeyError(params.name)
                except KeyError:
                    return _error(traceback.format_exc())
            raise MCPError(-32602, f"Unknown tool: {params.name}")
        arguments = dict(params.arguments or {})
        problem = self.invalid(tool, arguments)
        if problem is not None:
            if "secret-in-error" in self.defects:
                problem += " (while connected as app with password=Tr0ub4dor-3x)"
            if "wrong-error-code" in self.defects:
                raise MCPError(-32603, problem)
            return _error(problem)
        try:
            return await getattr(self, f"tool_{tool.name}")(arguments)
        except (OSError, ValueError, RuntimeError, subprocess.SubprocessError) as exc:  # a workspace refusal, git
            return _error(str(exc))

    def invalid(self, tool: types.Tool, arguments: dict[str, Any]) -> str | None:
        if "no-validation" in self.defects:
            return None
        schema = dict(tool.input_schema)
        if "accept-extra" in self.defects:
            schema.pop("additionalProperties", None)
        error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(arguments))
        return None if error is None else f"invalid arguments: {error.message[:200]}"

    async def tool_add(self, arguments: dict[str, Any]) -> types.CallToolResult:
        a, b = arguments.get("a", 0), arguments.get("b", 0)
        if not isinstance(a, int) or not isinstance(b, int):
            return _text(f"{a}{b}")  # only reached without validation: accepts anything
        if "internal-error" in self.defects and a < 0:
            raise MCPError(-32603, "internal error")
        if "crash" in self.defects and b == 0:
            os._exit(7)
        if "hang-on-valid" in self.defects and a == 0:
            time.sleep(60)  # blocks the event loop: the whole server stops answering
        total = a + b
        structured: dict[str, Any] = {"sum": total}
        if "bad-structured" in self.defects and total > 100:
            structured = {"sum": str(total)}
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=str(total))], structured_content=structured
        )

    async def tool_echo(self, arguments: dict[str, Any]) -> types.CallToolResult:
        text = str(arguments.get("text", ""))
        if "crash-on-nul" in self.defects and "\x00" in text:
            os._exit(9)
        if "hang-on-long" in self.defects and len(text) > 100_000:
            time.sleep(60)
        if "traceback-on-quote" in self.defects and "'" in text:
            try:
                raise ValueError(f"unbalanced quote in {text[:20]}")
            except ValueError:
                return _error(traceback.format_exc())
        if "leak-env" in self.defects and not text:
            return _text(f"nothing to echo; configured with {os.environ.get(SECRET_ENV, '')}")
        if "bad-image" in self.defects and len(text) > 5:
            return types.CallToolResult(
                content=[types.ImageContent(type="image", data="not base64!", mime_type="image/png")]
            )
        return _text(text)

    async def tool_read(self, arguments: dict[str, Any]) -> types.CallToolResult:
        text = self.read_file(str(arguments.get("path", "")), confine="traversal" not in self.defects)
        return _error(f"no such file: {arguments.get('path')!r}"[:200]) if text is None else _text(text)

    def read_file(self, name: str, *, confine: bool = True) -> str | None:
        try:
            path = (FILES / name).resolve()
            if confine and not path.is_relative_to(FILES):
                return None
            return path.read_text(errors="replace")[:4000]
        except (OSError, ValueError):  # a NUL byte, a name too long, not a file
            return None

    # -- the workspace (--root) ------------------------------------------------------------------
    @property
    def confine(self) -> Confinement:
        assert self.confinement is not None, "the workspace tools are served only with a root"
        return self.confinement

    async def tool_read_file(self, arguments: dict[str, Any]) -> types.CallToolResult:
        return _text(self.confine.inside(arguments["path"]).read_text())

    async def tool_list_directory(self, arguments: dict[str, Any]) -> types.CallToolResult:
        return _text("\n".join(sorted(entry.name for entry in self.confine.inside(arguments["path"]).iterdir())))

    async def tool_git_log(self, arguments: dict[str, Any]) -> types.CallToolResult:
        given = arguments["repo_path"]
        if "second-repo" in self.defects:
            return _text(_git("log", "--format=%s", cwd=Path(given)))
        if self.confine.inside(given).resolve() != self.confine.root:
            raise PermissionError(f"{given} is not the served repository")
        return _text(_git("log", "--format=%s", cwd=self.confine.root))

    async def tool_diff(self, arguments: dict[str, Any]) -> types.CallToolResult:
        target = arguments["target"]
        args = ["diff", target] if "git-option" in self.defects else ["diff", "--", target]
        return _text(_git(*args, cwd=self.confine.root))

    async def tool_convert(self, arguments: dict[str, Any]) -> types.CallToolResult:
        name = arguments["name"]
        separator = [] if "python-option" in self.defects else ["--"]
        done = subprocess.run([sys.executable, "-c", CONVERTER, *separator, name], capture_output=True, timeout=20)
        return _text(f"converted {name!r} (exit code {done.returncode})")

    # -- resources ------------------------------------------------------------------------------
    async def list_resources(self, ctx: Any, params: Any) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=[types.Resource(uri="files://notes.txt", name="notes")])

    async def list_templates(self, ctx: Any, params: Any) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(
            resource_templates=[types.ResourceTemplate(uri_template="files://{name}", name="file")]
        )

    async def read_resource(self, ctx: Any, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        uri = str(params.uri)
        text = None
        if uri.startswith("files://"):
            name = unquote(unquote(uri[len("files://") :]))
            text = self.read_file(name, confine="resource-traversal" not in self.defects)
        if text is None:
            raise MCPError(-32602, "Resource not found", data={"uri": uri})
        return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, text=text)])

    def server(self) -> Server:
        if self.confinement is not None:  # a workspace serves its tools only
            return Server(
                "toolbed-workspace", version="1.0.0", on_list_tools=self.list_tools, on_call_tool=self.call_tool
            )
        return Server(
            "toolbed",
            version="1.0.0",
            on_list_tools=self.list_tools,
            on_call_tool=self.call_tool,
            on_list_resources=self.list_resources,
            on_list_resource_templates=self.list_templates,
            on_read_resource=self.read_resource,
        )


class Confinement:
    """Where a workspace path may lead, as each sandbox defect gets it wrong."""

    def __init__(self, root: Path, defects: set[str]) -> None:
        self.root = root.resolve()
        self.defects = defects

    def inside(self, value: str) -> Path:
        """The path ``value`` names, when it lies inside the root; ``PermissionError`` otherwise."""
        given = Path(value)
        path = given if given.is_absolute() else self.root / given
        if "prefix" in self.defects:
            allowed = str(path.resolve()).startswith(str(self.root))
        elif "symlink" in self.defects:
            allowed = Path(os.path.normpath(path)).is_relative_to(self.root)
        else:
            allowed = path.resolve().is_relative_to(self.root)
        if not allowed:
            if "stop-serving" in self.defects:
                os._exit(3)
            raise PermissionError(f"access denied: {value} is outside the allowed directory")
        return path


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20)
    if done.returncode:
        raise RuntimeError(f"git failed: {done.stderr.strip()}")
    return done.stdout


def _text(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)])


def _error(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)


def make_server() -> Server:
    """The correct server (no defect), for in-process targets."""
    return Toolbed(set()).server()


async def serve(defects: set[str], root: Path | None) -> None:
    server = Toolbed(defects, root).server()
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="toolbed")
    parser.add_argument("--root", type=Path, help="serve the workspace tools, confined to this directory")
    parser.add_argument("--defect", action="append", default=[], choices=sorted(DEFECTS))
    args = parser.parse_args(argv)
    anyio.run(serve, set(args.defect), args.root)


if __name__ == "__main__":
    sys.exit(main())
