"""Opaque page cursors for keyset pagination.

A cursor is URL-safe base64 of ``{"v": 1, "after": <last id on the page>}``. Pages
are ordered by id and each asks for ids greater than ``after``, so walking the
pages visits every row at most once and always terminates, even while rows are
inserted or deleted. Anything that does not decode to exactly that shape is
rejected, which surfaces as ``invalid_input`` for a tampered cursor.
"""

from __future__ import annotations

import base64
import binascii
import json

_VERSION = 1
_MAX_CURSOR_LENGTH = 200
_MAX_ID = 2**63 - 1


class InvalidCursor(ValueError):
    """The cursor was not produced by :func:`encode_cursor`."""


def encode_cursor(after_id: int) -> str:
    raw = json.dumps({"v": _VERSION, "after": after_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode_cursor(cursor: str) -> int:
    """The last id of the previous page."""
    if not cursor or len(cursor) > _MAX_CURSOR_LENGTH:
        raise InvalidCursor
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise InvalidCursor from None
    if not isinstance(data, dict) or set(data) != {"v", "after"} or data["v"] != _VERSION:
        raise InvalidCursor
    after = data["after"]
    if not isinstance(after, int) or isinstance(after, bool) or not 0 < after <= _MAX_ID:
        raise InvalidCursor
    if encode_cursor(after) != cursor:  # only the canonical spelling is accepted
        raise InvalidCursor
    return after
