"""Command line: ``python -m example_server [--http [--host H] [--port N]] [--db URL]``.

Without ``--http`` the server speaks MCP over stdio; only JSON-RPC goes to stdout
and all logging goes to stderr. It exits when stdin closes or on SIGTERM/SIGINT.

With ``--http`` it serves Streamable HTTP at ``http://HOST:PORT/mcp`` (default
``127.0.0.1:8000``; ``--port 0`` picks a free port). Once listening it logs
``assignment-server listening on http://HOST:PORT/mcp`` to stderr. SIGTERM/SIGINT
shut it down within a few seconds.

Configuration comes from the ``ASSIGNMENTS_*`` environment variables (see
:mod:`example_server.config`); ``--db`` overrides ``ASSIGNMENTS_DB``.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import logging
import os
import signal
import sys
import threading
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer

from .config import Config
from .server import SERVER_NAME, create_server

logger = logging.getLogger("example_server")

HTTP_PATH = "/mcp"
GRACEFUL_SHUTDOWN_SECONDS = 3
STDIO_EXIT_GRACE_SECONDS = 1.0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m example_server", description="Run the example assignment server.")
    parser.add_argument("--http", action="store_true", help="serve Streamable HTTP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind with --http (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port for --http (default 8000; 0 = any free port)")
    parser.add_argument("--db", help="database URL, overrides ASSIGNMENTS_DB")
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="stderr log level"
    )
    return parser.parse_args(argv)


async def _cancel_on_signal(scope: anyio.CancelScope) -> None:
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for signum in signals:
            logger.info("received %s, shutting down", signal.Signals(signum).name)
            scope.cancel()
            # Cancelling stops the server and closes the database, but the SDK reads stdin
            # on a worker thread that no cancellation can interrupt; don't wait for it.
            watchdog = threading.Timer(STDIO_EXIT_GRACE_SECONDS, os._exit, args=(0,))
            watchdog.daemon = True
            watchdog.start()
            return


async def serve_stdio(server: MCPServer[Any]) -> None:
    async with anyio.create_task_group() as tg:
        tg.start_soon(_cancel_on_signal, tg.cancel_scope)
        await server.run_stdio_async()
        tg.cancel_scope.cancel()  # stdin closed


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def serve_http(server: MCPServer[Any], host: str, port: int) -> None:
    import uvicorn

    app = server.streamable_http_app(streamable_http_path=HTTP_PATH, host=host)
    uvicorn_server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
    )

    async def announce() -> None:
        while not uvicorn_server.started:
            if uvicorn_server.should_exit:
                return
            await anyio.sleep(0.05)
        bound_port = uvicorn_server.servers[0].sockets[0].getsockname()[1]
        shown_host = f"[{host}]" if ":" in host else host
        logger.info("%s listening on http://%s:%s%s", SERVER_NAME, shown_host, bound_port, HTTP_PATH)

    async with anyio.create_task_group() as tg:
        tg.start_soon(announce)
        await uvicorn_server.serve()  # handles SIGTERM/SIGINT itself
        tg.cancel_scope.cancel()


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    try:
        config = Config.from_env()
        if args.db:
            config = dataclasses.replace(config, db_url=args.db)
    except ValueError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2

    server = create_server(config)
    if args.http:
        if not config.auth_enabled and not _is_loopback(args.host):
            logger.warning(
                "serving HTTP on %s without bearer-token auth: every caller acts as %s", args.host, config.user
            )
        anyio.run(serve_http, server, args.host, args.port)
    else:
        anyio.run(serve_stdio, server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
