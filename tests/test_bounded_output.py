"""Bounded output: a chatty server or a huge tool result does not blow up the reports of one test.

Every report section (server stderr, transcript), transcript row, JSONL file and HTML extra is cut
to ``--mcp-report-limit`` (64 KiB by default; 16 times that for a whole file or extra), keeping its
head and tail and saying how many bytes were cut. The runs below make a server write 50 MB to
stderr and a tool return 20 MB, and check that the terminal output, the JUnit XML, the pytest-html
report and the JSONL transcript each stay under 1 MB (``BOUND``) and say what was cut.
"""

from __future__ import annotations

import base64
import html
import json
import re
import sys
from pathlib import Path

import pytest

from pytest_mcp import _limits
from pytest_mcp.settings import byte_size

BOUND = 1_000_000
"""What one failing test's terminal output, JUnit XML, HTML report or JSONL file may weigh, in bytes."""
MB50 = 50 * 1024 * 1024
NOTICE = re.compile(r"(?:…|\\u2026) ([\d,]+) bytes cut \(raise it with --mcp-report-limit\) (?:…|\\u2026)")
"""The cut notice, as text or inside JSON (where ``…`` is written ``\\u2026``)."""

NOISY_SERVER = f"""
import os, sys
from mcp.server.mcpserver import MCPServer

mcp = MCPServer("noisy")


@mcp.tool()
def shout() -> str:
    lines = ("x" * 1023 + "\\n") * ({MB50} // 1024)
    sys.stderr.write("FIRST-LINE\\n" + lines[11:-10] + "LAST-LINE\\n")  # exactly 50 MiB
    sys.stderr.flush()
    return "shouted"


@mcp.tool()
def crash() -> str:
    sys.stderr.write("START" + "z" * {MB50} + "END\\n")
    sys.stderr.flush()
    os._exit(3)


if __name__ == "__main__":
    mcp.run()
"""

BIG_RESULT_SERVER = """
from mcp.server.mcpserver import MCPServer

mcp = MCPServer("big")


@mcp.tool()
def big(n: int) -> str:
    return "HEAD" + "y" * (n - 8) + "TAIL"
"""


def cut_counts(text: str) -> list[int]:
    """The byte counts of the cut notices in ``text``."""
    return [int(count.replace(",", "")) for count in NOTICE.findall(text)]


def html_texts(path: Path) -> str:
    """What a (self-contained) pytest-html report shows of its tests: each row's log and extras."""
    found = re.search(r'data-jsonblob="([^"]*)"', path.read_text())
    assert found, "no data-jsonblob in the pytest-html report"
    texts = []
    for reports in json.loads(html.unescape(found.group(1)))["tests"].values():
        for report in reports:
            texts.append(report["log"])
            for extra in report.get("extras", []):
                content = extra["content"]
                if content.startswith("data:text/plain;"):
                    content = base64.b64decode(content.split(",", 1)[1]).decode("utf-8")
                texts.append(content)
    return "\n".join(texts)


@pytest.fixture
def noisy(mcp_pytester: pytest.Pytester) -> pytest.Pytester:
    mcp_pytester.makepyfile(noisy_server=NOISY_SERVER)
    mcp_pytester.makepyfile(
        test_noisy=f"""
        import pytest
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server({f"{sys.executable} noisy_server.py"!r})]

        async def test_noisy(mcp_client):
            assert (await mcp_client.call("shout")).text == "shouted"
            assert False, "boom"

        @pytest.mark.mcp_server({f"{sys.executable} noisy_server.py"!r}, fresh=True)
        async def test_crash(mcp_client):
            await mcp_client.call("crash")
        """
    )
    return mcp_pytester


def test_50_mb_of_server_stderr_stay_out_of_the_terminal_junit_and_html(noisy: pytest.Pytester) -> None:
    pytest.importorskip("pytest_html")
    result = noisy.runpytest("--junitxml=junit.xml", "--html=report.html", "--self-contained-html")
    result.assert_outcomes(failed=2)
    terminal = result.stdout.str()
    junit = (noisy.path / "junit.xml").read_text()
    report = noisy.path / "report.html"
    sizes = {"terminal": len(terminal.encode()), "junit": len(junit.encode()), "html": report.stat().st_size}
    assert all(size < BOUND for size in sizes.values()), sizes
    # The stderr section of test_noisy: the head and the tail of what `shout` wrote, the middle cut.
    section = terminal.split("MCP server stderr", 1)[1].split("\n", 1)[1].split("\n___", 1)[0]
    head, count, tail = re.split(f"\n{NOTICE.pattern}\n", section)
    tail = tail.rstrip("\n") + "\n"  # what the server wrote ends with one newline
    assert head.startswith("FIRST-LINE\nxxx") and tail.endswith("xxxLAST-LINE\n")
    assert len(head) + int(count.replace(",", "")) + len(tail) == MB50  # the cut is counted exactly
    # The crash message (in all three): the end of its one 50 MB line, cut to the limit.
    for name, text in (("terminal", terminal), ("junit", junit), ("html", html_texts(report))):
        assert "ZEND" in text.replace("z", "Z"), name
        assert any(MB50 - _limits.DEFAULT_LIMIT < count < MB50 + 100 for count in cut_counts(text)), name


def test_a_20_mb_tool_result_stays_out_of_the_html_report_and_the_jsonl(mcp_pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_html")
    mcp_pytester.makepyfile(big_server=BIG_RESULT_SERVER)
    mcp_pytester.makepyfile(
        """
        import pytest
        pytestmark = [pytest.mark.anyio, pytest.mark.mcp_server("big_server:mcp")]

        async def test_big(mcp_client):
            assert len((await mcp_client.call("big", n=20_000_000)).text) == 20_000_000
            assert False, "boom"
        """
    )
    mcp_pytester.syspathinsert()
    result = mcp_pytester.runpytest("--html=report.html", "--self-contained-html", "--mcp-transcript-dir=out")
    result.assert_outcomes(failed=1)
    report = mcp_pytester.path / "report.html"
    assert report.stat().st_size < BOUND
    shown = html_texts(report)
    assert len(cut_counts(shown)) >= 2  # the table's payload and the JSONL extra
    (jsonl,) = (mcp_pytester.path / "out").glob("*.jsonl")
    assert jsonl.stat().st_size < _limits.file_limit(_limits.DEFAULT_LIMIT)
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    (reply,) = [row for row in rows if row["method"] == "tools/call" and row["kind"] == "response"]
    assert reply["size"] > 40_000_000  # the text and the structured content, 20 MB each
    row = json.dumps(reply, ensure_ascii=False)
    assert len(row.encode()) < _limits.DEFAULT_LIMIT + 1000
    assert "HEAD" in row and "TAIL" in row
    assert all(19_000_000 < count < 20_000_000 for count in cut_counts(row)) and cut_counts(row)


SMALLER = 300_000
"""Big enough to be cut at the default limit, small enough to be shown whole under --mcp-report-limit=1M."""


@pytest.fixture
def smaller(mcp_pytester: pytest.Pytester) -> pytest.Pytester:
    mcp_pytester.makepyfile(big_server=BIG_RESULT_SERVER)
    mcp_pytester.makepyfile(
        chatty_server=f"""
        import sys
        from mcp.server.mcpserver import MCPServer

        mcp = MCPServer("chatty")

        @mcp.tool()
        def talk() -> str:
            sys.stderr.write("x" * {SMALLER} + "\\n")
            sys.stderr.flush()
            return "said"

        if __name__ == "__main__":
            mcp.run()
        """
    )
    mcp_pytester.makepyfile(
        test_smaller=f"""
        import pytest
        pytestmark = pytest.mark.anyio

        @pytest.mark.mcp_server({f"{sys.executable} chatty_server.py"!r})
        async def test_talk(mcp_client):
            await mcp_client.call("talk")
            assert False, "boom"

        @pytest.mark.mcp_server("big_server:mcp")
        async def test_big(mcp_client):
            await mcp_client.call("big", n={SMALLER})
            assert False, "boom"
        """
    )
    mcp_pytester.syspathinsert()
    return mcp_pytester


def jsonl_text(pytester: pytest.Pytester) -> str:
    return "".join(path.read_text() for path in sorted((pytester.path / "out").glob("*.jsonl")))


def test_the_option_and_its_ini_twin_raise_the_limit(smaller: pytest.Pytester) -> None:
    result = smaller.runpytest("--mcp-transcript-dir=out")
    result.assert_outcomes(failed=2)
    assert "x" * SMALLER not in result.stdout.str()
    assert len(cut_counts(result.stdout.str())) == 1  # the stderr section; the transcript shows previews
    assert len(cut_counts(jsonl_text(smaller))) == 2  # the text and the structured content

    for args in (["--mcp-report-limit=1M"], ["--mcp-report-limit=0"], ["-o", "mcp_report_limit=2M"]):
        result = smaller.runpytest("--mcp-transcript-dir=out", *args)
        result.assert_outcomes(failed=2)
        assert "x" * SMALLER in result.stdout.str(), args
        assert "y" * (SMALLER - 8) in jsonl_text(smaller), args
        assert "bytes cut" not in result.stdout.str() + jsonl_text(smaller), args


def test_a_smaller_limit_cuts_more(smaller: pytest.Pytester) -> None:
    result = smaller.runpytest("--mcp-report-limit=1k", "-v", "-k", "big")
    result.assert_outcomes(failed=1)
    section = result.stdout.str().split("MCP transcript", 1)[1].split("short test summary", 1)[0]
    assert len(section.encode()) < 4_000  # the section, cut to 1 KiB, and its framing


def test_a_bad_limit_is_a_usage_error(mcp_pytester: pytest.Pytester) -> None:
    mcp_pytester.makepyfile("def test_nothing(): pass")
    result = mcp_pytester.runpytest("--mcp-report-limit=lots")
    result.stderr.fnmatch_lines(["ERROR: --mcp-report-limit: 'lots' must be a number of bytes >= 0*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


# -- the cutting itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0), ("65536", 65536), ("64k", 65536), ("64KiB", 65536), ("1M", 1 << 20), ("2g", 2 << 30)],
)
def test_byte_sizes(value: str, expected: int) -> None:
    assert byte_size(value) == expected


@pytest.mark.parametrize("value", ["", "k", "-1", "-1k", "1.5M", "lots"])
def test_bad_byte_sizes(value: str) -> None:
    with pytest.raises(ValueError, match="must be a number of bytes >= 0"):
        byte_size(value)


def test_clip_keeps_the_head_and_the_tail_and_says_how_much_was_cut() -> None:
    text = "HEAD" + "é" * 100_000 + "TAIL"  # 200,008 bytes of UTF-8
    cut = _limits.clip(text, 1000)
    assert cut.startswith("HEAD") and cut.endswith("TAIL")
    assert len(cut.encode()) <= 1000
    (count,) = cut_counts(cut)
    head, _, tail = cut.partition("\n" + _limits.notice(count) + "\n")
    assert len(head.encode()) + count + len(tail.encode()) in range(200_008 - 2, 200_009)  # a split é is dropped
    assert _limits.clip(text, 0) is text
    assert _limits.clip("short", 1000) == "short"
    assert _limits.clip(b"\xff" * 10, 1000) == "\ufffd" * 10


def test_keep_ends_keeps_whole_items_from_both_ends() -> None:
    items = [f"{i:04d}\n" for i in range(1000)]  # 5 bytes each
    kept = _limits.keep_ends(items, 500, lambda count, size: f"[{count} items, {size} bytes]\n")
    assert kept[0] == "0000\n" and kept[-1] == "0999\n"
    (marker,) = [item for item in kept if item.startswith("[")]
    assert marker == f"[{1000 - len(kept) + 1} items, {5 * (1000 - len(kept) + 1)} bytes]\n"
    assert len("".join(kept)) <= 500
    assert _limits.keep_ends(items, 0, lambda count, size: "") == items


def test_clip_payload_cuts_long_strings_then_the_whole() -> None:
    payload = {"content": [{"type": "text", "text": "a" * 100_000}], "isError": False}
    smaller = _limits.clip_payload(payload, 4096)
    assert smaller["isError"] is False and smaller["content"][0]["type"] == "text"
    assert len(json.dumps(smaller)) <= 4096
    assert _limits.clip_payload(payload, 0) is payload
    many = list(range(100_000))
    whole = _limits.clip_payload(many, 4096)
    assert isinstance(whole, str) and len(whole) <= 4096 and cut_counts(whole)
