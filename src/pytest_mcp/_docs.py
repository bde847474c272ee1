"""Where the documentation lives, for help texts and messages (cheap to import: no dependencies).

A pip install has no ``docs/`` directory, so every help text and message that names a page links
to it online through ``docs_url``, never by its path in the repository.
"""

from __future__ import annotations

from typing import Final

DOCS_URL: Final = "https://github.com/pytest-mcp-testkit/pytest-mcp-testkit/blob/main/docs/"
"""The base URL of the pages under the repository's ``docs/`` directory."""


def docs_url(page: str, anchor: str | None = None) -> str:
    """The URL of ``page`` (a path under ``docs/``, e.g. ``"reference/markers.md"``), at ``anchor`` if given.

    ``page`` may carry its anchor itself (``"load.md#slos"``); an empty page is the docs directory.
    """
    url = DOCS_URL + page.removeprefix("/")
    return f"{url}#{anchor}" if anchor else url
