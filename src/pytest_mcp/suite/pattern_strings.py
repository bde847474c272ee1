"""Strings that match a JSON Schema ``pattern``, drawn with few Hypothesis choices.

Hypothesis's ``from_regex`` draws a repeated character class one character at a time (a list of
one-character strings), so a pattern such as an e-mail address costs about a hundred choices per
string: most of a fuzz example's time, and of its shrinking. For the common subset of patterns
(literals, character classes, ``.``, ``\\d``, ``\\w``, ``\\s``, repeats, groups without
back-references or inline flags, alternatives, ``^`` and ``$`` at the ends) ``pattern_text`` draws
each repeated character class as one ``st.text`` (one choice). Any other pattern gives None, and
the caller keeps hypothesis-jsonschema's strategy.

Every drawn string is checked with ``re.search`` against the pattern (JSON Schema patterns are not
anchored) and against the length bounds, so an approximate character class can only cost a
rejected draw, never an invalid example. Imported by ``strategies`` when fuzzing starts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from re import _parser  # type: ignore[attr-defined]
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from hypothesis.strategies import SearchStrategy

__all__ = ["pattern_text"]

_MAX_LISTED: Final = 2_000
"""The most characters a class may name one by one (``[a-z]`` names 26); bigger ones fall back."""
_SPACES: Final = " \t\n\r\f\v\x1c\x1d\x1e\x1f\x85"


class _Unsupported(Exception):
    """The pattern uses something this module does not draw; hypothesis-jsonschema does."""


def pattern_text(pattern: str, *, min_size: int = 0, max_size: int | None = None) -> SearchStrategy[str] | None:
    """Strings matching ``pattern`` (searched, as JSON Schema says) within the length bounds, or None."""
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
    body = items[int(starts) : len(items) - int(ends)]
    try:
        strategy = _bounded(body, min_size, max_size) if starts and ends else None
        if strategy is None:
            strategy = _unanchored(_sequence(body), starts=starts, ends=ends)
            strategy = strategy.filter(_length_between(min_size, max_size))
        strategy.validate()  # e.g. a class of surrogates, which no JSON string holds
    except (_Unsupported, HypothesisException):
        return None
    return strategy.filter(_matches(compiled))


def _matches(compiled: re.Pattern[str]) -> Any:
    """``compiled.search`` as a plain function: Hypothesis rewrites ``text().filter(pattern.search)``
    into its own (slow) regex strategy, the one this module exists to avoid."""

    def found(text: str) -> bool:
        return compiled.search(text) is not None

    return found


def _length_between(min_size: int, max_size: int | None) -> Any:
    def fits(text: str) -> bool:
        return min_size <= len(text) and (max_size is None or len(text) <= max_size)

    return fits


def _bounded(body: Sequence[Any], min_size: int, max_size: int | None) -> SearchStrategy[str] | None:
    """The whole anchored pattern as one repeated character class, with the length bounds folded in."""
    if len(body) != 1 or body[0][0] not in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT):
        return None
    low, high, sub = body[0][1]
    alphabet = _single_character(list(sub))
    if alphabet is None:
        return None
    least = max(low, min_size)
    most = None if high == _parser.MAXREPEAT else high
    if max_size is not None:
        most = max_size if most is None else min(most, max_size)
    if most is not None and least > most:
        return None
    return st.text(alphabet, min_size=least, max_size=most)


def _unanchored(strategy: SearchStrategy[str], *, starts: bool, ends: bool) -> SearchStrategy[str]:
    """Any text before an unanchored start and after an unanchored end (a search matches inside)."""
    if starts and ends:
        return strategy
    anything = st.text(st.characters(codec="utf-8"), max_size=8)
    return st.tuples(anything if not starts else st.just(""), strategy, anything if not ends else st.just("")).map(
        "".join
    )


def _sequence(items: Sequence[Any]) -> SearchStrategy[str]:
    parts = [_node(code, value) for code, value in items]
    if len(parts) == 1:
        return parts[0]
    return st.tuples(*parts).map("".join)


def _node(code: Any, value: Any) -> SearchStrategy[str]:
    if code in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT):
        return _repeat(*value)
    if code == _parser.SUBPATTERN:
        _group, added, removed, sub = value
        if added or removed:
            raise _Unsupported("inline flags")
        return _sequence(list(sub))
    if code == _parser.BRANCH:
        return st.one_of([_sequence(list(branch)) for branch in value[1]])
    if code == _parser.ATOMIC_GROUP:
        return _sequence(list(value))
    if code == _parser.LITERAL:
        return st.just(chr(value))
    alphabet = _single_character([(code, value)])
    if alphabet is None:
        raise _Unsupported(str(code))
    return alphabet


def _repeat(low: int, high: int, sub: Any) -> SearchStrategy[str]:
    most = None if high == _parser.MAXREPEAT else high
    alphabet = _single_character(list(sub))
    if alphabet is not None:
        return st.text(alphabet, min_size=low, max_size=most)
    if (low, most) == (0, 1):
        return st.one_of(st.just(""), _sequence(list(sub)))
    return st.lists(_sequence(list(sub)), min_size=low, max_size=most if most is not None else low + 4).map("".join)


def _single_character(items: list[Any]) -> SearchStrategy[str] | None:
    """One character of a one-node pattern (a literal, a class, ``.``), or None when it is more."""
    if len(items) != 1:
        return None
    code, value = items[0]
    if code == _parser.LITERAL:
        return st.characters(categories=[], include_characters=chr(value))
    if code == _parser.NOT_LITERAL:
        return st.characters(codec="utf-8", exclude_characters=chr(value))
    if code == _parser.ANY:
        return st.characters(codec="utf-8", exclude_characters="\n")
    if code == _parser.IN:
        return _character_class(value)
    return None


def _character_class(members: list[Any]) -> SearchStrategy[str]:
    negated = bool(members) and members[0][0] == _parser.NEGATE
    listed: list[str] = []
    categories: list[Any] = []
    for code, value in members[int(negated) :]:
        if code == _parser.LITERAL:
            listed.append(chr(value))
        elif code == _parser.RANGE and value[1] - value[0] < _MAX_LISTED:
            listed.extend(chr(point) for point in range(value[0], value[1] + 1))
        elif code == _parser.CATEGORY and not negated:
            listed_more, more = _category(value)
            listed.extend(listed_more)
            categories.extend(more)
        else:
            raise _Unsupported(f"character class member {code}")
    if len(listed) > _MAX_LISTED:
        raise _Unsupported("a character class too large to list")
    if negated:
        return st.characters(codec="utf-8", exclude_characters="".join(listed))
    return st.characters(codec="utf-8", categories=categories, include_characters="".join(listed))


def _category(category: Any) -> tuple[str, list[str]]:
    """The characters and Unicode categories of ``\\d``, ``\\w`` or ``\\s`` (close enough: drawn strings are checked)."""
    if category == _parser.CATEGORY_DIGIT:
        return "", ["Nd"]
    if category == _parser.CATEGORY_WORD:
        return "_", ["L", "N"]
    if category == _parser.CATEGORY_SPACE:
        return _SPACES, ["Zs", "Zl", "Zp"]
    raise _Unsupported(f"category {category}")
