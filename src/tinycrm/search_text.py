"""What a search looks for, read from what the user typed, and where it was found.

``parse("contr \\"Anna Müller\\"")`` gives the terms of a search: each word outside
quotes is a word prefix (``contr`` finds "contract"), each quoted run a phrase of whole
words. Words are runs of letters and digits; everything else (quotes aside) only
separates them, so no user text can reach a full-text engine as syntax: ``*``, ``^``,
``:``, parentheses, ``NEAR``, ``AND``/``OR``/``NOT`` are plain words or separators.

``fold`` is the comparison form (case and accents gone: "MÜLLER" and "Muller" fold
alike); ``find`` locates the terms in a stored text for a snippet with its matches.
The database indexes fold the same way (SQLite's unicode61 tokenizer with
``remove_diacritics 2``; PostgreSQL's ``tinycrm_fold``), this module is for the edges.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MAX_TERMS = 16
"""Words beyond this many are ignored: each costs the index a lookup."""

WORD = re.compile(r"[^\W_]+")
_QUOTED = re.compile(r'"([^"]*)"?')
# Letters the Unicode decomposition leaves alone but a reader takes for their base letters.
_EXTRA = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ı": "i"}


@dataclass(frozen=True)
class Term:
    """One thing a hit must contain: a word prefix, or a phrase of whole words."""

    words: tuple[str, ...]  # as typed (NFKC), each a run of letters and digits
    phrase: bool  # quoted: whole words, in this order

    @property
    def prefix(self) -> bool:
        """Matched as a word prefix: an unquoted word of two characters or more (a single
        letter as a prefix would match a good part of the database)."""
        return not self.phrase and len(self.words[0]) >= 2


@dataclass(frozen=True)
class SearchQuery:
    terms: tuple[Term, ...]

    @property
    def words(self) -> list[str]:
        return [word for term in self.terms for word in term.words]

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse(text: str) -> SearchQuery:
    """The terms of ``text``: unquoted words (prefixes) and quoted phrases, in order,
    at most ``MAX_TERMS`` words. An unclosed quote runs to the end."""
    text = unicodedata.normalize("NFKC", text)
    terms: list[Term] = []
    count = 0
    position = 0

    def add(words: list[str], phrase: bool) -> None:
        nonlocal count
        words = words[: MAX_TERMS - count]
        if not words:
            return
        count += len(words)
        if phrase and len(words) > 1:
            terms.append(Term(tuple(words), True))
        else:
            terms.extend(Term((word,), phrase) for word in words)

    for quoted in _QUOTED.finditer(text):
        add(WORD.findall(text[position : quoted.start()]), False)
        add(WORD.findall(quoted.group(1)), True)
        position = quoted.end()
    add(WORD.findall(text[position:]), False)
    return SearchQuery(tuple(terms))


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    lower = char.casefold()
    if lower in _EXTRA:
        return _EXTRA[lower]
    decomposed = unicodedata.normalize("NFKD", lower)
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or (
        "" if unicodedata.combining(char) else lower
    )


def fold(text: str) -> str:
    """``text`` without case and accents: ``fold("MÜLLER Résumé") == "muller resume"``."""
    return "".join(_fold_char(c) for c in text)


def _folded_words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text``, folded, each with its start and end in ``text``."""
    if text.isascii():  # folding keeps every position: no map to make
        return [(m.group(), m.start(), m.end()) for m in WORD.finditer(text.lower())]
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        part = _fold_char(char)
        folded.append(part)
        origin.extend([index] * len(part))
    flat = "".join(folded)
    origin.append(len(text))
    words = []
    for match in WORD.finditer(flat):
        start = origin[match.start()]
        end = origin[match.end() - 1] + 1
        words.append((match.group(), start, end))
    return words


def find(query: SearchQuery, text: str) -> list[tuple[int, int]]:
    """Where the terms of ``query`` occur in ``text``: (start, end) of each matching word,
    in order. A prefix term matches the words it begins, a phrase its run of words."""
    if not text or not query:
        return []
    words = _folded_words(text)
    folded_terms = [([fold(w) for w in term.words], term) for term in query.terms]
    spans: set[tuple[int, int]] = set()
    for index, (word, start, end) in enumerate(words):
        for parts, term in folded_terms:
            if term.phrase:
                run = words[index : index + len(parts)]
                if len(run) == len(parts) and all(
                    w[0] == p for w, p in zip(run, parts, strict=True)
                ):
                    spans.update((s, e) for _, s, e in run)
            elif word.startswith(parts[0]) if term.prefix else word == parts[0]:
                spans.add((start, end))
    return sorted(spans)


def snippet(
    text: str, spans: list[tuple[int, int]], *, width: int = 80
) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around its first match, on one line, at most about ``width``
    characters (an ellipsis where it was cut), and the matches inside it."""
    flat = " ".join(text.split())
    if flat != text:  # the spans were found in text: find them again in the flat copy
        shift = _flat_positions(text)
        spans = [(shift[s], shift[e - 1] + 1) for s, e in spans if shift[s] >= 0]
    if len(flat) <= width:
        return flat, spans
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 4)
    if start > 0:
        space = flat.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and start - space < 12 else start
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.find(" ", end - 12, end)
        end = space if space > start else end
    head = "…" if start > 0 else ""
    tail = "…" if end < len(flat) else ""
    offset = len(head) - start
    inside = [(s + offset, e + offset) for s, e in spans if s >= start and e <= end]
    return head + flat[start:end] + tail, inside


def _flat_positions(text: str) -> list[int]:
    """For each index of ``text``: its index in ``" ".join(text.split())`` (-1: dropped)."""
    positions: list[int] = []
    out = 0
    pending_space = False
    started = False
    for char in text:
        if char.isspace():
            positions.append(-1)
            pending_space = started
            continue
        if pending_space:
            out += 1
            pending_space = False
        positions.append(out)
        out += 1
        started = True
    return positions
