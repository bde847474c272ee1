"""Fixtures of the mock tests.

In-process ``pytester`` runs restore ``sys.modules`` afterwards, so a module first imported inside
one run is imported afresh by the next; respx patches ``httpcore`` classes, and two copies of
``httpcore`` would leave a run patching classes the server never uses. Importing the HTTP stack
here, before any inner run, keeps one copy for the whole session.
"""

from __future__ import annotations

import httpcore
import httpx
import respx

PRELOADED = (httpcore, httpx, respx)
