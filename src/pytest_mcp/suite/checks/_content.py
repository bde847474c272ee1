"""Content blocks and resource contents: the shapes a result must have."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any, Final

from ..evidence import shorten

if TYPE_CHECKING:
    pass


CONTENT_TYPES: Final = ("text", "image", "audio", "resource_link", "resource")


def is_base64(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def content_problem(block: Any, where: str) -> str | None:
    """What is wrong with one content block (``text``/``image``/``audio``/``resource_link``/``resource``)."""
    if not isinstance(block, dict):
        return f"{where} is {shorten(block, 80)}, not an object"
    kind = block.get("type")
    if kind not in CONTENT_TYPES:
        return f"{where} has type {shorten(kind, 40)}, not one of {', '.join(CONTENT_TYPES)}"
    if kind == "text" and not isinstance(block.get("text"), str):
        return f"{where} is a text block without a string 'text'"
    if kind in ("image", "audio"):
        if not isinstance(block.get("mimeType"), str) or not block.get("mimeType"):
            return f"{where} is an {kind} block without a mimeType"
        if not is_base64(block.get("data")):
            return f"{where} is an {kind} block whose data is not base64: {shorten(block.get('data'), 60)}"
    if kind == "resource_link" and not (isinstance(block.get("uri"), str) and isinstance(block.get("name"), str)):
        return f"{where} is a resource_link without a string uri and name"
    if kind == "resource":
        return resource_contents_problem(block.get("resource"), f"{where}.resource")
    return None


def resource_contents_problem(item: Any, where: str) -> str | None:
    """What is wrong with one ``ResourceContents`` (uri, and exactly one of text / base64 blob)."""
    if not isinstance(item, dict):
        return f"{where} is {shorten(item, 80)}, not an object"
    if not isinstance(item.get("uri"), str) or not item.get("uri"):
        return f"{where} has no string uri"
    has_text, has_blob = "text" in item, "blob" in item
    if has_text == has_blob:
        return f"{where} has {'both text and blob' if has_text else 'neither text nor blob'}"
    if has_text and not isinstance(item["text"], str):
        return f"{where} has a non-string text"
    if has_blob and not is_base64(item["blob"]):
        return f"{where} has a blob that is not base64: {shorten(item['blob'], 60)}"
    return None
