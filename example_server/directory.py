"""Client for the assignee directory: does this e-mail address belong to a known user?

The directory answers ``GET {base}/users/{email}`` with 200 (known) or 404
(unknown). Anything else - a timeout, a refused connection, a 5xx, an unexpected
status - is reported as a tool error without leaking the URL or the exception
text: ``timeout`` ("assignee directory timed out") or ``internal_error``
("assignee directory unavailable").

Built on plain ``httpx.AsyncClient`` so tests can mock it with respx.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import anyio
import httpx

from . import errors

logger = logging.getLogger(__name__)

UNAVAILABLE = "assignee directory unavailable"
TIMED_OUT = "assignee directory timed out"


class DirectoryClient:
    """Looks e-mail addresses up in the directory at ``base_url``.

    Pass ``http_client`` to reuse a client you own (it is not closed here);
    otherwise each lookup uses a short-lived client, which keeps the server free
    of long-lived connections to clean up.
    """

    def __init__(self, base_url: str, timeout: float = 2.0, http_client: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http_client = http_client

    def _url(self, email: str) -> str:
        return f"{self.base_url}/users/{quote(email, safe='@')}"

    async def exists(self, email: str) -> bool:
        """True for a known user, False for an unknown one; raises ``ToolFailure`` otherwise."""
        try:
            with anyio.fail_after(self.timeout):
                response = await self._get(self._url(email))
        except (TimeoutError, httpx.TimeoutException):
            logger.warning("assignee directory timed out")
            raise errors.timeout(TIMED_OUT) from None
        except httpx.HTTPError as exc:
            logger.warning("assignee directory request failed: %s", type(exc).__name__)
            raise errors.internal_error(UNAVAILABLE) from None
        if response.status_code == 200:
            return True
        if response.status_code == 404:
            return False
        logger.warning("assignee directory answered HTTP %s", response.status_code)
        raise errors.internal_error(UNAVAILABLE)

    async def _get(self, url: str) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if self._http_client is not None:
            return await self._http_client.get(url, headers=headers, timeout=self.timeout)
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            return await client.get(url, headers=headers)
