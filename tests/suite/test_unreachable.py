"""A target that cannot be started or reached is one error, said once, where the user looks.

For ``--mcp-suite``: one failing item ``mcp-suite::reach[<transport>]`` names the target, the cause and
the next step; every other item of the target skips with one line pointing at it (``-rs`` folds them
into one line). For a test's fixtures: one short setup error, without chained tracebacks. A URL no
request could reach is refused when the target is parsed (a usage error, exit code 4).
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpcore2  # noqa: F401 - kept loaded: httpx2 maps the classes of the copy it saw first (in-process runs)
import pytest

from pytest_mcp.server.process import free_port

from .conftest import RAW_SERVER, raw_stdio
from .http_servers import serve

MAX_LINES = 30
"""Every run below prints the session header, the one report and the summary: well under this."""

CLIENT_TEST = """
import pytest

@pytest.mark.anyio
async def test_lists_tools(mcp_client):
    await mcp_client.list_tools()
"""


def suite(pytester: pytest.Pytester, target: str, *extra: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", f"--mcp-server={target}", "--mcp-suite=all", "-rs", *extra)


def assert_one_report(result: pytest.RunResult, target: str, cause: list[str]) -> None:
    """One failing reach item whose report is ``cause`` (fnmatch lines), every other item skipped."""
    result.stdout.fnmatch_lines(
        [f"_* reach[[]*[]] - can the suite start and reach {target}? _*", *cause], consecutive=True
    )
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1 and outcomes["skipped"] > 100, outcomes
    result.stdout.fnmatch_lines(
        [
            f"SKIPPED [[]{outcomes['skipped']}[]] *: not run: the {target} cannot be used; mcp-suite::reach[[]*[]] says why"
        ]
    )
    text = result.stdout.str()
    assert len(text.splitlines()) < MAX_LINES, text
    assert "baseline" not in text and "Traceback" not in text and "speaks no protocol era" not in text
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_closed_port_is_one_report(mcp_pytester: pytest.Pytester) -> None:
    url = f"http://127.0.0.1:{free_port()}/mcp"
    result = suite(mcp_pytester, url)
    where = url.split("/")[2]
    assert_one_report(
        result,
        f"HTTP server {url}",
        [
            f"the HTTP server {url} could not be started or reached, so no check of the suite ran:",
            f"  POST {url}: connection refused by {where}: is the server running, on this port?",
            "=* short test summary info =*",
        ],
    )
    assert result.stdout.str().count("connection refused") == 1


def test_a_path_that_404s_names_the_url_and_the_status(mcp_pytester: pytest.Pytester) -> None:
    with serve([sys.executable, str(RAW_SERVER), "--http", "--port", "{port}"]) as endpoint:
        url = endpoint.replace("/mcp", "/wrong")
        result = suite(mcp_pytester, url)
    assert_one_report(
        result,
        f"HTTP server {url}",
        [
            f"the HTTP server {url} could not be started or reached, so no check of the suite ran:",
            f"  POST {url} got HTTP 404 (text/plain: 'Not Found'), not a JSON-RPC reply",
            "Next: nothing serves MCP at this URL: check its path (a Python SDK server serves /mcp)",
        ],
    )
    assert "5 s" not in result.stdout.str()


@pytest.fixture
def self_signed_url(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server on loopback with a throwaway self-signed certificate (it answers 200 to anything)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/mcp"
    finally:
        server.shutdown()
        server.server_close()


def test_a_self_signed_certificate_is_named_as_the_cause(mcp_pytester: pytest.Pytester, self_signed_url: str) -> None:
    result = suite(mcp_pytester, self_signed_url)
    assert_one_report(
        result,
        f"HTTP server {self_signed_url}",
        [
            f"the HTTP server {self_signed_url} could not be started or reached, so no check of the suite ran:",
            f"  POST {self_signed_url}: TLS certificate verification failed (self*signed certificate); trust its "
            "certificate (SSL_CERT_FILE=path/to/ca.pem) or use one the system trusts",
            "=* short test summary info =*",
        ],
    )


def test_a_command_that_exits_at_once_shows_its_exit_code_and_stderr(mcp_pytester: pytest.Pytester) -> None:
    command = raw_stdio("exit-at-start")
    result = suite(mcp_pytester, command)
    assert_one_report(
        result,
        f"stdio server `{command}`",
        [
            f"the stdio server `{command}` could not be started or reached, so no check of the suite ran:",
            "  the server exited with code 3 before answering; its stderr ends:",
            "  rawserver: cannot open the database: /nonexistent/db.sqlite",
            "Next: the command starts, but the server stops at once: run it in a terminal to see why",
        ],
    )
    assert result.stdout.str().count("cannot open the database") == 1


def test_a_missing_program_says_so(mcp_pytester: pytest.Pytester) -> None:
    result = suite(mcp_pytester, "no-such-mcp-server --stdio")
    assert_one_report(
        result,
        "stdio server `no-such-mcp-server --stdio`",
        [
            "the stdio server `no-such-mcp-server --stdio` could not be started or reached, so no check of the suite ran:",
            "  could not start `no-such-mcp-server --stdio`: *No such file or directory*",
            "Next: check the command: run it in a terminal; a program not on PATH needs its full path",
        ],
    )


def test_a_server_that_closes_stdout_says_so(mcp_pytester: pytest.Pytester) -> None:
    command = raw_stdio("close-stdout")
    result = suite(mcp_pytester, command)
    assert_one_report(
        result,
        f"stdio server `{command}`",
        [
            f"the stdio server `{command}` could not be started or reached, so no check of the suite ran:",
            "  it closed its stdout without answering (the process is still running)",
            "Next: a stdio server writes its JSON-RPC messages to stdout and keeps it open",
        ],
    )


def test_a_misspelled_module_attr_is_one_report(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile(my_server="mcp = None\n")
    mcp_pytester.syspathinsert()
    result = suite(mcp_pytester, "my_servr:mcp")
    assert_one_report(
        result,
        "in-process server my_servr:mcp",
        [
            "the in-process server my_servr:mcp could not be started or reached, so no check of the suite ran:",
            "  cannot import module 'my_servr' for the in-process server 'my_servr:mcp': No module named 'my_servr'",
            "Next: check the 'module:attr' spelling, and that the module imports from the directory pytest runs in "
            "(pythonpath = . in the ini file, or pip install -e .)",
        ],
    )


def test_node_ids_and_markers_keep_the_reach_item(mcp_pytester: pytest.Pytester) -> None:
    url = f"http://127.0.0.1:{free_port()}/mcp"
    result = mcp_pytester.runpytest(
        "-p", "no:cacheprovider", f"--mcp-server={url}", "--mcp-suite=all", "-m", "conformance and mcp_must"
    )
    assert result.parseoutcomes()["failed"] == 1
    result.stdout.fnmatch_lines(["FAILED mcp-suite::reach[[]http[]] - the HTTP server*"])
    given = "mcp-suite::conformance[jsonrpc.id-echo-number][2025-11-25][http]"
    result = mcp_pytester.runpytest("-p", "no:cacheprovider", f"--mcp-server={url}", "--mcp-suite=all", given)
    result.assert_outcomes(failed=1, skipped=1)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://", "it has no host (e.g. http://127.0.0.1:8000/mcp)"),
        ("http://[::1/mcp", "Invalid IPv6 URL"),
        ("http://127.0.0.1:99999/mcp", "Port out of range 0-65535"),
    ],
)
def test_an_invalid_url_is_a_usage_error(mcp_pytester: pytest.Pytester, url: str, why: str) -> None:
    result = suite(mcp_pytester, url)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: --mcp-server: {url!r} is not a valid URL: {why}"])
    assert len(result.stderr.lines) < 5 and "Traceback" not in result.stdout.str() + result.stderr.str()


def client_test(pytester: pytest.Pytester, target: str) -> pytest.RunResult:
    pytester.makepyfile(test_client=CLIENT_TEST)
    return pytester.runpytest("-p", "no:cacheprovider", f"--mcp-server={target}")


def assert_one_setup_error(result: pytest.RunResult, lines: list[str]) -> None:
    result.stdout.fnmatch_lines(["_* ERROR at setup of test_lists_tools _*", *lines], consecutive=True)
    result.assert_outcomes(errors=1)
    text = result.stdout.str()
    assert "During handling" not in text and "direct cause" not in text and "Traceback" not in text, text
    assert ".py:" not in text.split("short test summary info")[0], text  # no frames of the plugin or the SDK
    assert len(text.splitlines()) < MAX_LINES, text


def test_a_test_against_a_closed_port_gets_one_setup_error(mcp_pytester: pytest.Pytester) -> None:
    url = f"http://127.0.0.1:{free_port()}/mcp"
    where = url.split("/")[2]
    result = client_test(mcp_pytester, url)
    assert_one_setup_error(
        result,
        [
            f"could not connect to the HTTP server {url}: POST {url}: connection refused by {where}: is the server "
            "running, on this port?",
        ],
    )


def test_a_test_with_a_misspelled_module_attr_gets_one_setup_error(mcp_pytester: pytest.Pytester) -> None:
    result = client_test(mcp_pytester, "my_servr:mcp")
    assert_one_setup_error(
        result,
        ["cannot import module 'my_servr' for the in-process server 'my_servr:mcp': No module named 'my_servr'"],
    )
    # Once in the report; the summary line (which CI=true prints whole) is not counted.
    assert result.stdout.str().split("short test summary info")[0].count("No module named") == 1


def test_a_test_against_a_command_that_exits_gets_one_setup_error(mcp_pytester: pytest.Pytester) -> None:
    command = raw_stdio("exit-at-start")
    result = client_test(mcp_pytester, command)
    assert_one_setup_error(
        result,
        [
            f"*the stdio server `{command}` exited with code 3.",
            "--- last lines of its stderr ---",
            "rawserver: cannot open the database: /nonexistent/db.sqlite",
        ],
    )


def test_a_test_against_a_server_that_closes_stdout_fails_at_once(mcp_pytester: pytest.Pytester) -> None:
    command = raw_stdio("close-stdout")
    started = time.monotonic()
    result = client_test(mcp_pytester, command)
    assert_one_setup_error(
        result,
        [
            # Said by the connect step or by the shared process, whichever sees the closed stdout first.
            f"*stdio server `{command}`*closed its stdout*a stdio server writes its JSON-RPC messages to stdout and "
            "keeps it open",
        ],
    )
    assert time.monotonic() - started < 15  # not the 30 s connect timeout


def test_checks_for_fails_its_first_case_and_skips_the_others(mcp_pytester: pytest.Pytester) -> None:
    url = f"http://127.0.0.1:{free_port()}/mcp"
    mcp_pytester.makepyfile(
        test_mcp_suite=f"from pytest_mcp.suite import checks_for\n\ntest_suite = checks_for('conformance', server={url!r})\n"
    )
    result = mcp_pytester.runpytest("-p", "no:cacheprovider", "-rs")
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1 and outcomes["skipped"] > 100, outcomes
    result.stdout.fnmatch_lines(
        [
            "_* test_suite[[]conformance-*[]] _*",
            f"the HTTP server {url} could not be started or reached, so no check of the suite ran:",
            f"  POST {url}: connection refused by *: is the server running, on this port?",
        ],
        consecutive=True,
    )
    result.stdout.fnmatch_lines(
        [f"SKIPPED [[]*[]] *: not run: the HTTP server {url} cannot be used; conformance[[]*says why"]
    )
    text = result.stdout.str()
    assert text.count("connection refused") == 1 and len(text.splitlines()) < MAX_LINES, text
