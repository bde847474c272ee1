"""Syrupy snapshots of MCP results: one sorted, camelCase JSON file per snapshot, with masks.

``assert result == snapshot.use_extension(McpSnapshotExtension)`` stores the result as it travels
on the wire (``by_alias`` camelCase, ``None`` fields left out, keys sorted), after masking what
changes from run to run: UUIDs, ISO-8601 timestamps, id fields, and any JSON paths or regular
expressions you name. A text block that holds the JSON of the structured result (the text copy an
SDK server sends beside ``structuredContent``) is masked as the structured result is. The
era-specific envelope (``resultType: "complete"``, ``cacheScope``, ``ttlMs`` and the
``io.modelcontextprotocol/`` keys of ``_meta``) is left out by default, so one snapshot holds for
both protocol eras. ``pytest --snapshot-update`` writes or rewrites the files.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ..extras import require
from .options import SnapshotOptions

require("syrupy", "McpSnapshotExtension (MCP snapshots)")

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode  # noqa: E402

if TYPE_CHECKING:
    from syrupy.location import PyTestLocation
    from syrupy.types import SnapshotIndex

__all__ = ["McpMasks", "McpSnapshotExtension", "to_wire"]

UUID_PATTERN: Final = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
TIMESTAMP_PATTERN: Final = re.compile(
    r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b(?!:)"
)
ID_KEY: Final = re.compile(r"^(?:id|ID|.*Id|.*_id|.*ID)$")
TIME_KEY: Final = re.compile(r"^(?:timestamp|time|.*At|.*_at|.*Time|.*_time|.*Timestamp|.*_ts)$")
ENVELOPE_META_PREFIX: Final = "io.modelcontextprotocol/"
ENVELOPE_FIELDS: Final = ("cacheScope", "ttlMs")
MAX_FILE_NAME: Final = 255


def to_wire(data: Any) -> Any:
    """Plain JSON data as it travels on the wire: pydantic models by alias without ``None`` fields,
    ``MCPError`` as its JSON-RPC error object, ``CallOutcome`` as ``{"result": ...}`` or ``{"error": ...}``."""
    if hasattr(data, "model_dump") and callable(data.model_dump):
        return data.model_dump(mode="json", by_alias=True, exclude_none=True)
    if type(data).__name__ == "CallOutcome" and hasattr(data, "result") and hasattr(data, "error"):
        if data.error is not None:
            return {"error": to_wire(data.error)}
        return {"result": to_wire(data.result)}
    error = getattr(data, "error", None)
    if isinstance(data, BaseException) and hasattr(error, "model_dump"):
        return {"error": to_wire(error)}
    if isinstance(data, Mapping):
        return {str(key): to_wire(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [to_wire(item) for item in data]
    if isinstance(data, set | frozenset):
        return sorted((to_wire(item) for item in data), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if data is None or isinstance(data, str | int | float | bool):
        return data
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    raise TypeError(
        f"McpSnapshotExtension cannot store a {type(data).__name__}: pass MCP results, pydantic models, "
        "or plain JSON data (dict, list, str, number, bool, None)"
    )


def _strip_envelope(data: Any) -> Any:
    if isinstance(data, dict):
        result = {}
        for key, value in data.items():
            if key in ENVELOPE_FIELDS or (key == "resultType" and value == "complete"):
                continue
            if key == "_meta" and isinstance(value, dict):
                value = {k: v for k, v in value.items() if not k.startswith(ENVELOPE_META_PREFIX)}
                if not value:
                    continue
            result[key] = _strip_envelope(value)
        return result
    if isinstance(data, list):
        return [_strip_envelope(item) for item in data]
    return data


def _parse_path(path: str) -> tuple[str, ...]:
    """``"$.content[0].text"`` / ``"structuredContent.items[*].id"`` / ``"**.etag"`` -> tokens."""
    text = path.strip()
    if text.startswith("$"):
        text = text[1:]
    tokens: list[str] = []
    for match in re.finditer(r"\[(\*|\d+|'[^']*'|\"[^\"]*\")\]|\.?([^.\[\]]+)", text):
        bracket, name = match.group(1), match.group(2)
        if bracket is not None:
            tokens.append(bracket.strip("'\"") if bracket[0] in "'\"" else bracket)
        elif name:
            tokens.append(name)
    if not tokens:
        raise ValueError(f"empty JSON path {path!r}")
    return tuple(tokens)


def _path_matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_path_matches(rest, path[index:]) for index in range(len(path) + 1))
    if not path:
        return False
    return (head == "*" or head == path[0]) and _path_matches(rest, path[1:])


@dataclasses.dataclass(frozen=True)
class McpMasks:
    """What to hide from snapshots. Also a syrupy ``matcher`` (``matcher(data=..., path=...)``).

    * ``paths``: JSON paths whose values become ``"<masked>"``: dotted keys, ``[N]`` indexes,
      ``*`` (any one key or index) and ``**`` (any depth), e.g. ``"structuredContent.items[*].etag"``.
    * ``patterns``: regular expressions replaced by ``"<masked>"`` inside every string (give a
      ``{pattern: replacement}`` mapping to choose the replacement).
    * ``uuids``: UUIDs inside strings become ``"<uuid>"``.
    * ``timestamps``: ISO-8601 date-times inside strings become ``"<timestamp>"``, and numbers under
      time-like keys (``createdAt``, ``updated_at``, ``timestamp``, ...) too.
    * ``ids``: string or number values under id-like keys (``id``, ``userId``, ``request_id``) become ``"<id>"``.
    * ``envelope``: keep the era-specific envelope (default False: leave it out).
    """

    paths: tuple[str, ...] = ()
    patterns: tuple[tuple[str, str], ...] = ()
    uuids: bool = True
    timestamps: bool = True
    ids: bool = True
    envelope: bool = False
    _parsed: tuple[tuple[str, ...], ...] = dataclasses.field(default=(), init=False, repr=False, compare=False)

    def __init__(self, options: SnapshotOptions | None = None, /, **keywords: Any) -> None:
        """The keywords of ``SnapshotOptions`` (the ``mcp_snapshot`` marker's signature), or one ``SnapshotOptions``."""
        if options is None:
            options = SnapshotOptions(**keywords)
        elif not isinstance(options, SnapshotOptions):
            raise TypeError(f"McpMasks takes a SnapshotOptions or keywords (McpMasks(paths=[...])), not {options!r}")
        elif keywords:
            raise ValueError("pass McpMasks either a SnapshotOptions or keywords, not both")
        paths: Iterable[str] = options.paths
        patterns: Iterable[str] | Mapping[str, str] = options.patterns
        if isinstance(paths, str):
            paths = (paths,)
        if isinstance(patterns, str):
            patterns = (patterns,)
        pairs = tuple(patterns.items()) if isinstance(patterns, Mapping) else tuple((p, "<masked>") for p in patterns)
        for pattern, _ in pairs:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"McpMasks: bad regular expression {pattern!r}: {exc}") from None
        given = tuple(paths)
        object.__setattr__(self, "_parsed", tuple(_parse_path(path) for path in given))
        object.__setattr__(self, "paths", given)
        object.__setattr__(self, "patterns", pairs)
        object.__setattr__(self, "uuids", options.uuids)
        object.__setattr__(self, "timestamps", options.timestamps)
        object.__setattr__(self, "ids", options.ids)
        object.__setattr__(self, "envelope", options.envelope)

    def __call__(self, *, data: Any, path: tuple[tuple[Any, type], ...]) -> Any:
        """Mask one value; ``path`` is syrupy's ``((key, type), ...)`` from the root."""
        return self._mask(data, path, strings=True)

    def _mask(self, data: Any, path: tuple[tuple[Any, type], ...], *, strings: bool) -> Any:
        """``strings=False``: only the masks by path and by key, not those inside strings."""
        keys = tuple(str(key) for key, _ in path)
        if any(_path_matches(pattern, keys) for pattern in self._parsed):
            return "<masked>"
        key = keys[-1] if keys else ""
        if self.ids and ID_KEY.match(key) and isinstance(data, str | int) and not isinstance(data, bool):
            return "<id>"
        if self.timestamps and TIME_KEY.match(key) and isinstance(data, int | float) and not isinstance(data, bool):
            return "<timestamp>"
        if strings and isinstance(data, str):
            for pattern, replacement in self.patterns:
                data = re.sub(pattern, replacement, data)
            if self.uuids:
                data = UUID_PATTERN.sub("<uuid>", data)
            if self.timestamps:
                data = TIMESTAMP_PATTERN.sub("<timestamp>", data)
        return data

    def merged(self, **changes: Any) -> McpMasks:
        """A copy with more paths/patterns and the given flags changed."""
        return McpMasks(
            paths=(*self.paths, *changes.pop("paths", ())),
            patterns=dict((*self.patterns, *_pairs(changes.pop("patterns", ())))),
            uuids=changes.pop("uuids", self.uuids),
            timestamps=changes.pop("timestamps", self.timestamps),
            ids=changes.pop("ids", self.ids),
            envelope=changes.pop("envelope", self.envelope),
        )


def _pairs(patterns: Iterable[str] | Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    if isinstance(patterns, str):
        patterns = (patterns,)
    return tuple(patterns.items()) if isinstance(patterns, Mapping) else tuple((p, "<masked>") for p in patterns)


class McpSnapshotExtension(SingleFileSnapshotExtension):
    """Syrupy extension: ``assert result == snapshot.use_extension(McpSnapshotExtension)``.

    Masks with the class's ``masks`` (the defaults: UUIDs, timestamps, ids, no era envelope);
    ``McpSnapshotExtension.with_masks(paths=..., patterns=..., ...)`` makes a configured subclass.
    A syrupy ``matcher`` given to the assertion (``syrupy.matchers.path_type``, or an ``McpMasks``)
    runs after the class's masks; ``exclude``/``include`` filters work as in syrupy's JSON extension.
    The masks, the matcher and ``exclude`` also apply inside a text block that is the JSON of the
    ``structuredContent`` beside it, which is then written back in the style it came in.
    """

    _write_mode = WriteMode.TEXT
    file_extension = "json"
    _file_extension = "json"  # the same attribute under syrupy 4.x's name
    masks: ClassVar[McpMasks] = McpMasks()

    @classmethod
    def with_masks(cls, masks: McpMasks | None = None, /, **options: Any) -> type[McpSnapshotExtension]:
        """A subclass masking with ``masks`` or ``McpMasks(**options)`` (cached: equal masks, same class)."""
        return _masked_extension(cls, masks if masks is not None else McpMasks(**options))

    @classmethod
    def get_snapshot_name(cls, *, test_location: PyTestLocation, index: SnapshotIndex = 0) -> str:
        # A file name has at most 255 characters, ".json" included; syrupy before 7.0.1 cut the
        # name before the extension to 255 - len("json") = 251 (one too many).
        return super().get_snapshot_name(test_location=test_location, index=index)[: MAX_FILE_NAME - len(".json")]

    def serialize(self, data: Any, *, exclude: Any = None, include: Any = None, matcher: Any = None) -> str:
        wire = to_wire(data)
        if not self.masks.envelope:
            wire = _strip_envelope(wire)
        cleaned = _walk(wire, (), self.masks, matcher, exclude, include)
        return json.dumps(cleaned, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@functools.lru_cache(maxsize=256)
def _masked_extension(base: type[McpSnapshotExtension], masks: McpMasks) -> type[McpSnapshotExtension]:
    # Same name and qualname as the base: syrupy's xdist controller re-imports extension classes by
    # name (to find unused snapshot files), and the base class serves that purpose just as well.
    return type(
        base.__name__, (base,), {"masks": masks, "__qualname__": base.__qualname__, "__module__": base.__module__}
    )


def _walk(
    data: Any,
    path: tuple[tuple[Any, type], ...],
    masks: McpMasks,
    extra: Any,
    exclude: Any,
    include: Any,
    *,
    strings: bool = True,
) -> Any:
    if path:
        data = masks._mask(data, path, strings=strings)
        if extra is not None:
            data = extra(data=data, path=path)
    if isinstance(data, dict):
        copies = _text_copies(data, path, masks, extra, exclude) if strings else {}
        result = {}
        for key, value in data.items():
            if exclude is not None and exclude(prop=key, path=path):
                continue
            if include is not None and not include(prop=key, path=path):
                continue
            if key == "content" and copies:
                value = [
                    {**block, "text": copies[index]} if index in copies else block for index, block in enumerate(value)
                ]
            result[key] = _walk(value, (*path, (key, type(value))), masks, extra, exclude, include, strings=strings)
        return result
    if isinstance(data, list):
        return [
            _walk(v, (*path, (index, type(v))), masks, extra, exclude, include, strings=strings)
            for index, v in enumerate(data)
        ]
    if data is None or isinstance(data, str | int | float | bool):
        return data
    return repr(data)  # what a syrupy matcher put in place of a value (``path_type`` gives the type's name)


# -- the text copy of a structured tool result ----------------------------------------------
#
# An SDK server sends a structured tool result twice: as ``structuredContent`` and as a text block
# holding its JSON (the Python SDK's MCPServer: ``pydantic_core.to_json(value, indent=2)``; a
# non-object return value is wrapped as ``{"result": value}`` and only the value is in the text, a
# list one text block per item). Masks of the structured content apply to such a text too: it is
# parsed, masked under the structured content's paths, and written back in the style it came in.
# The masks inside strings (UUIDs, timestamps, patterns) then run over the whole text as before.


def _text_copies(
    result: dict[str, Any], path: tuple[tuple[Any, type], ...], masks: McpMasks, extra: Any, exclude: Any
) -> dict[int, str]:
    """The masked texts of the blocks of ``result["content"]`` that are the JSON form of its
    ``structuredContent`` (or of the part of it they hold), by index; texts masking leaves alone are left out."""
    structured, content = result.get("structuredContent"), result.get("content")
    if structured is None or not isinstance(content, list):
        return {}
    copies = {}
    for index, block in enumerate(content):
        if not (isinstance(block, dict) and block.get("type") == "text" and isinstance(block.get("text"), str)):
            continue
        text = block["text"]
        try:
            parsed = json.loads(text)
        except ValueError:
            continue
        for keys in _copy_candidates(structured, index, len(content)):
            if not _same_json(parsed, _descend(structured, keys)):
                continue
            masked = _mask_copy(
                parsed, structured, keys, (*path, ("structuredContent", type(structured))), masks, extra, exclude
            )
            if not _same_json(masked, parsed):
                copies[index] = _render(masked, parsed, text)
            break
    return copies


def _copy_candidates(structured: Any, index: int, blocks: int) -> list[tuple[str | int, ...]]:
    """Where in the structured content the text block ``index`` of ``blocks`` may come from."""
    candidates: list[tuple[str | int, ...]] = [()]
    if isinstance(structured, dict) and list(structured) == ["result"]:
        candidates.append(("result",))
        if isinstance(structured["result"], list) and len(structured["result"]) == blocks:
            candidates.append(("result", index))
    return candidates


def _descend(data: Any, keys: tuple[str | int, ...]) -> Any:
    for key in keys:
        data = data[key]
    return data


def _same_json(left: Any, right: Any) -> bool:
    """Equal as JSON (``True`` is not ``1``, ``1`` is not ``1.0``; key order does not matter)."""
    return json.dumps(left, sort_keys=True, default=repr) == json.dumps(right, sort_keys=True, default=repr)


def _mask_copy(
    parsed: Any,
    structured: Any,
    keys: tuple[str | int, ...],
    root: tuple[tuple[Any, type], ...],
    masks: McpMasks,
    extra: Any,
    exclude: Any,
) -> Any:
    """``parsed`` (the text's JSON) masked as the structured content's value at ``keys`` is: by
    path and by key, and by the assertion's matcher and ``exclude`` filter (not ``include``: the
    text is kept or left out as a whole)."""
    path, value = root, structured
    for key in keys:
        # A mask on a container of the copied part (``structuredContent`` for a wrapped result,
        # ``structuredContent.result`` for one item of a list) covers the whole copy.
        replaced = masks._mask(value, path, strings=False)
        if extra is not None:
            replaced = extra(data=replaced, path=path)
        if not _same_json(replaced, value):
            return replaced if replaced is None or isinstance(replaced, str | int | float | bool) else repr(replaced)
        value = value[key]
        path = (*path, (key, type(value)))
    return _walk(parsed, path, masks, extra, exclude, None, strings=False)


def _render(masked: Any, parsed: Any, text: str) -> str:
    """``masked`` as JSON in the style ``text`` (the JSON of ``parsed``) was written in."""
    if isinstance(masked, str) and not isinstance(parsed, str):
        return masked  # masked as a whole: the placeholder itself, as a masked text reads
    for dump in _json_styles():
        if dump(parsed) == text:
            return dump(masked)
    return _json_styles()[0 if "\n" in text else 1](masked)


@functools.cache
def _json_styles() -> tuple[Callable[[Any], str], ...]:
    """How servers write a structured result as text, the most common first: pydantic's JSON
    (the Python SDK's MCPServer indented, FastMCP compact), then ``JSON.stringify`` and ``json.dumps``."""
    import pydantic_core

    return (
        lambda value: pydantic_core.to_json(value, indent=2).decode(),
        lambda value: pydantic_core.to_json(value).decode(),
        lambda value: json.dumps(value, indent=2, ensure_ascii=False),
        lambda value: json.dumps(value, separators=(",", ":"), ensure_ascii=False),
        lambda value: json.dumps(value, indent=2),
        lambda value: json.dumps(value),
    )
