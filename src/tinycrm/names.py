"""People's names as duplicate detection compares them.

Two names are likely one person's when, after folding case, accents and German
transliterations (Jürgen = Juergen = Jurgen, Müller = Mueller, Weiß = Weiss), they
have the same words, the same words in another order ("Smith, John"), or the same
last name and first names that are one another's initial ("J. Smith") or nickname
(Bob / Robert, Liz / Elizabeth). Else rapidfuzz's ratio of the folded names decides.

The nicknames come from the ``nicknames`` package (Carlton Northern's hand-curated
table of English names and their nicknames, Apache-2.0): about 1,100 names and
2,700 relations, loaded once on first use.

Comparing every pair of contacts is quadratic; ``NameKey.blocks`` gives the keys a
name is filed under (a rough sound of each word: its first letter and consonants),
and only names sharing one are compared. Every rule above implies a shared key, and
so do most typos.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from typing import NamedTuple

RATIO = 85  # percent: rapidfuzz's ratio of two folded names that counts as "similar"

# Written-out umlauts and ß, folded the way the accents are: ue = ü = u.
_DIGRAPHS = re.compile(r"(?<=[a-z])(ae|oe|ue)|^(ae|oe|ue)")
_SPECIAL = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "ı": "i"})
_WORDS = re.compile(r"[^\W_]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_VOWELS = re.compile(r"[aeiouyhw]")
_REPEATS = re.compile(r"(.)\1+")


def plain(text: str) -> str:
    """Casefolded, without accents: ``Jürgen Ødegaard`` → ``jurgen odegaard``."""
    text = text.casefold()
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_SPECIAL)))


def fold(word: str) -> str:
    """One word as transliterations meet: ``Müller``, ``Mueller`` and ``Muller`` →
    ``muller``. (``ae``/``oe``/``ue`` fold too, so Michael → michal: both sides of
    every comparison are folded alike.)"""
    return _folded(plain(word))


@lru_cache(maxsize=65536)
def _folded(word: str) -> str:
    """``fold`` of a word already plain (words repeat: names are drawn from few)."""
    return _DIGRAPHS.sub(lambda m: m.group(0)[0], word)


def words(name: str) -> list[str]:
    """The words of a name, plain (see ``plain``), in the order typed."""
    return _WORDS.findall(plain(name))


@lru_cache(maxsize=65536)
def sound(word: str) -> str:
    """A rough sound of a folded word for blocking: the first letter and the
    consonants, repeats collapsed (``smith``, ``smyth`` → ``smt``)."""
    return word[:1] + _REPEATS.sub(r"\1", _VOWELS.sub("", word[1:]))


@cache
def _related() -> dict[str, frozenset[str]]:
    """Each name in the nickname table → the names it is a nickname of or has as one."""
    from nicknames import name_triplets

    related: dict[str, set[str]] = {}
    for name, relation, other in name_triplets():
        if relation == "has_nickname":
            related.setdefault(name, set()).add(other)
            related.setdefault(other, set()).add(name)
    return {name: frozenset(others) for name, others in related.items()}


def nicknames(name: str) -> frozenset[str]:
    """The names ``name`` is a nickname of, or has as a nickname (plain, lower case):
    ``nicknames("Bob")`` holds ``robert``; ``nicknames("Elizabeth")`` holds ``liz``."""
    return _related().get(plain(name).strip(), frozenset())


_NONE: frozenset[str] = frozenset()


class NameKey(NamedTuple):
    """A name worked out once, to be compared with many: its plain words as typed,
    the same folded (and sorted, joined by spaces), the first and last name (``Smith,
    John``: John and Smith), the first name's nicknames, and the keys it is filed under
    for blocking: the sound of each word of two letters or more (an initial alone files
    nothing)."""

    words: tuple[str, ...]
    folded: tuple[str, ...]
    joined: str  # the folded words sorted: reordered names meet
    first: str  # plain, as the nickname table has names
    initial: str  # the first name folded
    last: str  # folded
    nicks: frozenset[str]
    blocks: frozenset[str]

    @classmethod
    def of(cls, name: str) -> NameKey:
        typed: tuple[str, ...] = ()
        folded: tuple[str, ...] = ()
        blocks: frozenset[str] = _NONE
        comma = -1
        for part in name.split():
            plain_words, folded_words, sounds = _part(part)
            typed += plain_words
            folded += folded_words
            blocks = blocks | sounds if blocks else sounds
            if comma < 0 and "," in part:
                comma = len(typed)  # "Smith, John": the last name comes first
        if not typed:
            return cls((), (), "", "", "", "", _NONE, _NONE)
        first, last = 0, len(typed) - 1
        if 0 < comma < len(typed):
            first, last = comma, comma - 1
        plain_first = typed[first]
        nicks = _related().get(plain_first, _NONE) if len(plain_first) > 1 else _NONE
        joined = " ".join(sorted(folded))
        return cls(typed, folded, joined, plain_first, folded[first], folded[last], nicks, blocks)


def name_blocks(name: str) -> frozenset[str]:
    """``NameKey.of(name).blocks`` without the rest of the key: what blocking files a
    name under, for the many names that will meet no other."""
    blocks = _NONE
    for part in name.split():
        sounds = _part(part)[2]
        blocks = blocks | sounds if blocks else sounds
    return blocks


@lru_cache(maxsize=65536)
def _part(part: str) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    """One whitespace-separated part of a name (``Müller-Lüdenscheidt,``): its plain
    words, the same folded, their sounds. Cached: names are made of few words."""
    plain_words = tuple(_WORDS.findall(plain(part)))
    folded_words = tuple(_folded(w) for w in plain_words)
    return plain_words, folded_words, frozenset(sound(w) for w in folded_words if len(w) > 1)


def _initial(a: str, b: str) -> bool:
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def compare(a: NameKey, b: NameKey) -> str | None:
    """Why two names look like one person's, or None (see the module docstring)."""
    if not a.words or not b.words:
        return None
    if a.words == b.words:
        return "same name"
    if a.folded == b.folded:
        return "same name, transliterated"
    ja, jb = a.joined, b.joined
    if ja == jb:
        return "same name, words reordered"
    if len(a.words) >= 2 and len(b.words) >= 2 and a.last == b.last:
        if _initial(a.initial, b.initial):
            return "same name but for an initial or middle name"
        if b.first in a.nicks or a.first in b.nicks:
            return "same name but for a nickname"
    ratio = similarity_function()(ja, jb, score_cutoff=RATIO / 100)
    return f"similar names ({ratio:.0%} alike)" if ratio else None


@cache
def similarity_function() -> Callable[..., float]:
    """rapidfuzz's normalised Indel similarity, imported on first use: most commands
    never compare names."""
    from rapidfuzz.distance import Indel

    return Indel.normalized_similarity  # type: ignore[no-any-return]


def similar_names(a: str, b: str) -> str | None:
    """``compare`` on two names as typed."""
    return compare(NameKey.of(a), NameKey.of(b))
