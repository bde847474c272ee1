"""A small MCP server for the plugin's own tests: every feature a test needs, and some misbehaviour.

Run it as ``python -m tests.servers.demo`` (stdio) or ``python -m tests.servers.demo --http --port N``;
in-process as ``tests.servers.demo:make_server`` (a fresh server per call) or ``tests.servers.demo:server``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import SamplingMessage, TextContent
from pydantic import BaseModel


class Name(BaseModel):
    name: str


def make_server() -> MCPServer:
    """A fresh demo server: its tools, resources and prompt, and a call counter of its own."""
    mcp = MCPServer("demo-server", version="1.0.0", instructions="A demo server for pytest_mcp's tests.")
    _add_argument_tools(mcp)
    _add_context_tools(mcp)
    _add_resources(mcp)
    _add_prompts(mcp)
    return mcp


def _add_argument_tools(mcp: MCPServer) -> None:
    """Tools whose arguments decide what they do: add, echo, count, fail, sleep and crash."""
    counter = {"calls": 0}

    @mcp.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @mcp.tool()
    def echo(text: str) -> str:
        """Return the text unchanged."""
        return text

    @mcp.tool()
    def count() -> int:
        """How many times this tool was called on this server instance."""
        counter["calls"] += 1
        return counter["calls"]

    @mcp.tool()
    def fail(message: str = "it broke") -> str:
        """Raise an error inside the tool (becomes an isError result)."""
        raise ValueError(message)

    @mcp.tool()
    async def sleep(seconds: float) -> str:
        """Sleep, then answer (for timeout tests)."""
        await anyio.sleep(seconds)
        return "awake"

    @mcp.tool()
    def crash(code: int = 3) -> str:
        """Write a last word to stderr and exit the whole process (for crash tests)."""
        print(f"demo server: crashing on purpose with code {code}", file=sys.stderr, flush=True)
        os._exit(code)


def _add_context_tools(mcp: MCPServer) -> None:
    """Tools that reach past their arguments: progress, pid, env, sampling, elicitation and logging."""

    @mcp.tool()
    async def progress(steps: int, ctx: Context) -> str:
        """Report progress steps."""
        for step in range(1, steps + 1):
            await ctx.report_progress(step, steps, f"step {step}")
        return "done"

    @mcp.tool()
    def pid() -> int:
        """The server's process id."""
        return os.getpid()

    @mcp.tool()
    def env(name: str) -> str:
        """An environment variable of the server process (empty when unset)."""
        return os.environ.get(name, "")

    @mcp.tool()
    async def summarize(text: str, ctx: Context) -> str:
        """Ask the client's model for a summary (sampling; handshake era)."""
        result = await ctx.session.create_message(
            messages=[SamplingMessage(role="user", content=TextContent(type="text", text=f"Summarize: {text}"))],
            max_tokens=50,
        )
        return getattr(result.content, "text", "")

    @mcp.tool()
    async def greet_user(ctx: Context) -> str:
        """Ask the user for their name (elicitation; handshake era)."""
        answer = await ctx.elicit("What is your name?", Name)
        return (
            f"hello {answer.data.name}" if answer.action == "accept" and answer.data else f"no name ({answer.action})"
        )

    @mcp.tool()
    async def log_something(ctx: Context) -> str:
        """Send a log message to the client."""
        await ctx.info("something happened")
        return "logged"


def _add_resources(mcp: MCPServer) -> None:
    """A fixed resource and a resource template."""

    @mcp.resource("demo://greeting")
    def greeting() -> str:
        """A fixed text resource."""
        return "hello"

    @mcp.resource("demo://items/{item_id}")
    def item(item_id: str) -> str:
        """One item by id."""
        return f"item {item_id}"


def _add_prompts(mcp: MCPServer) -> None:
    """The code-review prompt."""

    @mcp.prompt()
    def review(code: str) -> str:
        """Ask for a code review."""
        return f"Please review:\n{code}"


server = make_server()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.servers.demo")
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--banner", action="store_true", help="print a non-JSON line to stdout first (a defect)")
    parser.add_argument("--slow-start", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.banner:
        print("demo server starting", flush=True)
    time.sleep(args.slow_start)
    if args.http:
        server.run(transport="streamable-http", host="127.0.0.1", port=args.port)
    else:
        server.run()


if __name__ == "__main__":
    main()
