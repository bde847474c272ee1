"""Strings that match a JSON Schema ``pattern``, drawn with one Hypothesis choice.

Hypothesis's ``from_regex`` draws one choice per character, and even one ``st.text`` per repeated
character class leaves an e-mail address at a dozen or more choices (its optional and repeated
groups are lists of tuples): about 1 ms per string here, over half of a fuzz example's drawing.
For the common subset of patterns (literals, character classes, ``.``, ``\\d``, ``\\w``, ``\\s``,
repeats, groups without back-references or inline flags, alternatives, ``^`` and ``$`` at the ends)
``pattern_text`` instead walks the parsed pattern with a seeded ``random.Random`` once, when the
strategy is built, and keeps up to ``POOL_SIZE`` distinct matching strings, shortest and simplest
first: each example is then one ``sampled_from`` choice, and a failing example shrinks by that
index, towards the pool's first strings. The walks include the pattern's simplest string: every
repeat at its minimum, every class its simplest character (``0``, then ``1``..., letters, other
ASCII), every alternative its first. The price: a run draws a pattern's strings from those
``POOL_SIZE`` (the same in every run, since a pool depends only on the pattern and the bounds), not
from all the strings it matches. Because Hypothesis shrinks the index only to a local minimum,
``simpler_strings`` gives the fuzz engine one-character variants of the simplest string to try
after it. A whole anchored pattern that is one repeated character class (``^[^\\x00-\\x1f]*$``)
stays one ``st.text``, which draws any length and character with one choice already. Any other
pattern gives None, and the caller keeps hypothesis-jsonschema's strategy.

Every string is checked with ``re.search`` against the pattern (JSON Schema patterns are not
anchored) and against the length bounds, so an approximate character class can only leave a
string out, never give an invalid example. Imported by ``strategies`` when fuzzing starts.
"""

from __future__ import annotations

import functools
import random
import re
import zlib
from collections.abc import Callable, Sequence
from re import _parser  # type: ignore[attr-defined]
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from hypothesis.strategies import SearchStrategy

__all__ = ["POOL_SIZE", "pattern_pool", "pattern_text", "simpler_strings"]

POOL_SIZE: Final = 256
"""The most distinct strings kept per pattern (a fuzz run draws 25 examples per tool and mode by default)."""
_WALKS: Final = 4 * POOL_SIZE
"""Walks of the pattern tried to fill the pool (strings repeat, or miss the length bounds)."""
_EXTRA_REPEATS: Final = 8
"""How far above its minimum an unbounded repeat (``*``, ``+``, ``{2,}``) may go."""
_MAX_LISTED: Final = 2_000
"""The most characters a class may name one by one (``[a-z]`` names 26); bigger ones fall back."""
_SURROGATES: Final = (0xD800, 0xDFFF)
_SPACES: Final = " \t\n\r\f\v\x1c\x1d\x1e\x1f\x85"
_PALETTE: Final = "".join(chr(point) for point in range(0x20, 0x7F)) + "\t\u00a0é\u00dfЖ中€\u2003😀"
"""Characters drawn for ``.`` and negated classes: printable ASCII and a few beyond (UTF-8 encodable)."""
_CATEGORY_MEMBERS: Final = {
    _parser.CATEGORY_DIGIT: "0123456789\u0663\u096d",
    _parser.CATEGORY_WORD: "0123456789_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzé\u00dfЖ中",
    _parser.CATEGORY_SPACE: " \t\n\r\f\v\u00a0\u2003",
}
"""Characters drawn for ``\\d``, ``\\w`` and ``\\s`` (a sample: Python's ``re`` matches all of them)."""

_Walk = Callable[[random.Random | None], str]
"""Builds one string of a pattern node: random choices from the generator, or the simplest with None."""


class _Unsupported(Exception):
    """The pattern uses something this module does not draw; hypothesis-jsonschema does."""


def pattern_text(pattern: str, *, min_size: int = 0, max_size: int | None = None) -> SearchStrategy[str] | None:
    """Strings matching ``pattern`` (searched, as JSON Schema says) within the length bounds, or None."""
    parsed = _parse(pattern)
    if parsed is None:
        return None
    compiled, body, starts, ends = parsed
    try:
        strategy = _bounded(body, min_size, max_size) if starts and ends else None
        if strategy is not None:
            strategy.validate()  # e.g. a class of surrogates, which no JSON string holds
            return strategy.filter(_matches(compiled))
    except (_Unsupported, HypothesisException):
        return None
    pool = _pool(pattern, min_size, max_size)
    return st.sampled_from(pool) if pool else None  # every string of a pool matches and fits


def pattern_pool(pattern: str, *, min_size: int = 0, max_size: int | None = None) -> list[str]:
    """The walked strings of ``pattern`` within the bounds, shortest and simplest first ([] when the pattern is
    beyond the subset); ``pattern_text`` samples from them unless the pattern is one repeated character class."""
    return list(_pool(pattern, min_size, max_size))


def simpler_strings(pattern: str, failing: str, *, min_size: int = 0, max_size: int | None = None) -> list[str]:
    """Candidates simpler than ``failing`` to try after Hypothesis shrank a pool's index, for a failure that depends
    on one character: for each character of ``failing`` (the least usual first), the simplest string that matches,
    fits and holds it, made from the pattern's simplest string by replacing or inserting one character (the
    simplest string itself is left out: Hypothesis tried it).

    Hypothesis shrinks ``sampled_from`` by its index, which stops at a local minimum: for "fails when the address
    holds a ``+``" it can end at a 97-character address where ``+@0.AA`` fails the same way.
    """
    parsed = _parse(pattern)
    if parsed is None:
        return []
    compiled, body, starts, ends = parsed
    try:
        if starts and ends and _bounded(body, min_size, max_size) is not None:
            return []  # one st.text, which Hypothesis shrinks character by character
    except _Unsupported:
        return []
    pool = _pool(pattern, min_size, max_size)
    if not pool:
        return []
    simplest = pool[0]
    order = _shortest_first(failing)
    candidates: list[str] = []
    for char in sorted(set(failing), key=_simplicity, reverse=True):
        edits = {simplest[:at] + char + simplest[at + cut :] for at in range(len(simplest) + 1) for cut in (0, 1)}
        fitting = [text for text in edits if _fits(text, min_size, max_size) and compiled.search(text)]
        best = min(fitting, key=_shortest_first, default=None)
        if best is not None and best != simplest and best not in candidates and _shortest_first(best) < order:
            candidates.append(best)
    return candidates


@functools.lru_cache(maxsize=256)
def _pool(pattern: str, min_size: int, max_size: int | None) -> tuple[str, ...]:
    """The pool of a pattern (kept for the process: a tool's strategies are built per fuzz mode and check)."""
    parsed = _parse(pattern)
    if parsed is None:
        return ()
    compiled, body, starts, ends = parsed
    try:
        return _Walker(body, starts=starts, ends=ends).pool(compiled, min_size, max_size)
    except _Unsupported:
        return ()


def _parse(pattern: str) -> tuple[re.Pattern[str], list[Any], bool, bool] | None:
    """The compiled pattern, its nodes between the anchors, and whether it starts with ``^`` and ends with ``$``."""
    try:
        compiled = re.compile(pattern)
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    if parsed.state.flags & ~re.UNICODE:
        return None
    items = list(parsed)
    starts = bool(items) and items[0] == (_parser.AT, _parser.AT_BEGINNING)
    ends = bool(items) and items[-1] in ((_parser.AT, _parser.AT_END), (_parser.AT, _parser.AT_END_STRING))
    return compiled, items[int(starts) : len(items) - int(ends)], starts, ends


def _matches(compiled: re.Pattern[str]) -> Any:
    """``compiled.search`` as a plain function: Hypothesis rewrites ``text().filter(pattern.search)``
    into its own (slow) regex strategy, the one this module exists to avoid."""

    def found(text: str) -> bool:
        return compiled.search(text) is not None

    return found


def _bounded(body: Sequence[Any], min_size: int, max_size: int | None) -> SearchStrategy[str] | None:
    """The whole anchored pattern as one repeated character class, with the length bounds folded in."""
    if len(body) != 1 or body[0][0] not in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT):
        return None
    low, high, sub = body[0][1]
    alphabet = _class_strategy(list(sub))
    if alphabet is None:
        return None
    least = max(low, min_size)
    most = None if high == _parser.MAXREPEAT else high
    if max_size is not None:
        most = max_size if most is None else min(most, max_size)
    if most is not None and least > most:
        return None
    return st.text(alphabet, min_size=least, max_size=most)


def _class_strategy(items: list[Any]) -> SearchStrategy[str] | None:
    """One character of a one-node pattern (a literal, a class, ``.``) as a Hypothesis strategy, or None."""
    if len(items) != 1:
        return None
    code, value = items[0]
    if code == _parser.LITERAL:
        return st.characters(categories=[], include_characters=chr(value))
    if code == _parser.NOT_LITERAL:
        return st.characters(codec="utf-8", exclude_characters=chr(value))
    if code == _parser.ANY:
        return st.characters(codec="utf-8", exclude_characters="\n")
    if code != _parser.IN:
        return None
    negated, listed, categories = _class_members(value)
    if negated:
        return st.characters(codec="utf-8", exclude_characters=listed)
    names: list[Any] = [name for category in categories for name in _UNICODE_CATEGORIES[category]]
    extra = "".join(_CATEGORY_EXTRA[category] for category in categories)
    return st.characters(codec="utf-8", categories=names, include_characters=listed + extra)


_UNICODE_CATEGORIES: Final = {
    _parser.CATEGORY_DIGIT: ("Nd",),
    _parser.CATEGORY_WORD: ("L", "N"),
    _parser.CATEGORY_SPACE: ("Zs", "Zl", "Zp"),
}
_CATEGORY_EXTRA: Final = {_parser.CATEGORY_DIGIT: "", _parser.CATEGORY_WORD: "_", _parser.CATEGORY_SPACE: _SPACES}


# -- the pattern walked with a seeded generator ----------------------------------------------
class _Walker:
    """Strings of a parsed pattern built with ``random.Random`` instead of Hypothesis's choices."""

    def __init__(self, body: Sequence[Any], *, starts: bool, ends: bool) -> None:
        self.walk, self.starts, self.ends = _sequence(body), starts, ends

    def sample(self, rng: random.Random | None) -> str:
        """One string: random choices from ``rng``, or the simplest (with no text around it) for None."""
        text = self.walk(rng)
        if rng is not None and not self.starts and rng.random() < 1 / 2:
            text = _padding(rng) + text
        if rng is not None and not self.ends and rng.random() < 1 / 3:
            text += _padding(rng)
        return text

    def pool(self, compiled: re.Pattern[str], min_size: int, max_size: int | None) -> tuple[str, ...]:
        """Up to ``POOL_SIZE`` distinct strings that match and fit, shortest and simplest first (the same each run).

        Walks stop after ``_WALKS``, or once ``POOL_SIZE`` walks in a row found nothing new (``^(a|b)$``)."""
        rng = random.Random(zlib.crc32(f"{compiled.pattern}\x00{min_size}\x00{max_size}".encode()))
        found: set[str] = set()
        last_new = 0
        for attempt in range(_WALKS):
            text = self.sample(None if attempt == 0 else rng)
            if text not in found and _fits(text, min_size, max_size) and compiled.search(text):
                found.add(text)
                last_new = attempt
                if len(found) >= POOL_SIZE:
                    break
            elif attempt - last_new >= POOL_SIZE:
                break
        return tuple(sorted(found, key=_shortest_first))


def _fits(text: str, min_size: int, max_size: int | None) -> bool:
    return min_size <= len(text) and (max_size is None or len(text) <= max_size)


def _padding(rng: random.Random) -> str:
    """Text around an unanchored match (a search matches inside)."""
    return "".join(rng.choice(_PALETTE) for _ in range(rng.randint(1, 8)))


def _sequence(items: Sequence[Any]) -> _Walk:
    parts = [_node(code, value) for code, value in items]
    return lambda rng: "".join(part(rng) for part in parts)


def _node(code: Any, value: Any) -> _Walk:
    if code in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT):
        return _repeat(*value)
    if code == _parser.SUBPATTERN:
        _group, added, removed, sub = value
        if added or removed:
            raise _Unsupported("inline flags")
        return _sequence(list(sub))
    if code == _parser.BRANCH:
        branches = [_sequence(list(branch)) for branch in value[1]]
        return lambda rng: branches[0](None) if rng is None else rng.choice(branches)(rng)
    if code == _parser.ATOMIC_GROUP:
        return _sequence(list(value))
    return _character(code, value)


def _repeat(low: int, high: int, sub: Any) -> _Walk:
    most = low + _EXTRA_REPEATS if high == _parser.MAXREPEAT else high
    part = _sequence(list(sub))

    def walk(rng: random.Random | None) -> str:
        if rng is None:
            count = low
        else:  # the minimum a third of the time, else any count up to the most
            count = low if rng.random() < 1 / 3 else rng.randint(low, most)
        return "".join(part(rng) for _ in range(count))

    return walk


def _character(code: Any, value: Any) -> _Walk:
    """One character of a literal, a class or ``.``: a random candidate, or the simplest (``_simplicity``)."""
    if code == _parser.LITERAL:
        text = chr(value)
        return lambda rng: text
    if code == _parser.NOT_LITERAL:
        candidates = _PALETTE.replace(chr(value), "")
    elif code == _parser.ANY:
        candidates = _PALETTE
    elif code == _parser.IN:
        negated, listed, categories = _class_members(value)
        if negated:
            candidates = "".join(char for char in _PALETTE if char not in listed)
        else:
            candidates = listed + "".join(_CATEGORY_MEMBERS[category] for category in categories)
    else:
        raise _Unsupported(str(code))
    candidates = "".join(char for char in candidates if not _SURROGATES[0] <= ord(char) <= _SURROGATES[1])
    if not candidates:
        raise _Unsupported("a character class with no candidate a JSON string can hold")
    simplest = min(candidates, key=_simplicity)
    return lambda rng: simplest if rng is None else rng.choice(candidates)


def _simplicity(char: str) -> tuple[int, int]:
    """Simpler first: ASCII digits, ASCII letters, other printable ASCII, other ASCII, the rest."""
    point = ord(char)
    if point < 0x80 and char.isdigit():
        return 0, point
    if point < 0x80 and char.isalpha():
        return 1, point
    return (2 if 0x20 <= point < 0x7F else 3 if point < 0x80 else 4), point


def _shortest_first(text: str) -> tuple[int, list[tuple[int, int]]]:
    return len(text), [_simplicity(char) for char in text]


def _class_members(members: list[Any]) -> tuple[bool, str, list[Any]]:
    """A class's negation, the characters it lists, and its ``\\d``/``\\w``/``\\s`` categories."""
    negated = bool(members) and members[0][0] == _parser.NEGATE
    listed: list[str] = []
    categories: list[Any] = []
    for code, value in members[int(negated) :]:
        if code == _parser.LITERAL:
            listed.append(chr(value))
        elif code == _parser.RANGE and value[1] - value[0] < _MAX_LISTED:
            listed.extend(chr(point) for point in range(value[0], value[1] + 1))
        elif code == _parser.CATEGORY and not negated and value in _CATEGORY_MEMBERS:
            categories.append(value)
        else:
            raise _Unsupported(f"character class member {code}")
    if len(listed) > _MAX_LISTED:
        raise _Unsupported("a character class too large to list")
    return negated, "".join(listed), categories
