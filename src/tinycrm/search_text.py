"""What a search looks for, read from what the user typed, and where it was found.

``parse("contr \\"Anna Müller\\"")`` gives the terms of a search: each word outside
quotes is a word prefix (``contr`` finds "contract"), each quoted run a phrase of whole
words. Words are runs of letters and digits; everything else (quotes aside) only
separates them, so no user text can reach a full-text engine as syntax: ``*``, ``^``,
``:``, parentheses, ``NEAR``, ``AND``/``OR``/``NOT`` are plain words or separators.

``fold`` is the comparison form (case and accents gone: "MÜLLER" and "Muller" fold
alike, and so do "Straße" and "strasse", "Søren" and "soren", "ﬁle" and "file", "ｔｉｎｙ"
and "tiny"); ``find`` locates the terms in a stored text for a snippet with its matches.
The one folding of every search: SQLite's index is built from ``fold`` of each record's
text (the function ``tinycrm_fold`` its triggers call) and searched for ``fold`` of each
word; PostgreSQL's ``tinycrm_fold`` is made from the same folding
(``store/search_index.py``), so both databases find the same records.
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
# Letters Unicode's decompositions leave alone but a reader takes for others (lowercase:
# looked up once the text is lowered): those PostgreSQL's unaccent rules fold (as of 15),
# the final sigma, and the modifier letters unaccent makes quotes (both databases then
# split a word there alike). Letter=its folding, one pair a word.
_PAIRS = """
ß=ss æ=ae œ=oe ø=o đ=d ð=d ł=l þ=th ı=i ħ=h ŧ=t ς=σ ĸ=q ŋ=n ƀ=b ɓ=b ƃ=b ƈ=c ɖ=d ɗ=d
ƌ=d ɛ=e ƒ=f ɠ=g ƕ=hv ɩ=i ɨ=i ƙ=k ƚ=l ɲ=n ƞ=n ƣ=oi ƥ=p ƫ=t ƭ=t ʈ=t ʋ=v ƴ=y ƶ=z ǥ=g
ȡ=d ȥ=z ȴ=l ȵ=n ȶ=t ȷ=j ȸ=db ȹ=qp ⱥ=a ȼ=c ⱦ=t ȿ=s ɀ=z ʉ=u ɇ=e ɉ=j ɍ=r ɏ=y ɕ=c ɟ=j
ɡ=g ɢ=g ɦ=h ɧ=h ɪ=i ɫ=l ɬ=l ɭ=l ɱ=m ɳ=n ɴ=n ɶ=oe ɼ=r ɽ=r ɾ=r ʀ=r ʂ=s ʏ=y ʐ=z ʑ=z
ʙ=b ʛ=g ʜ=h ʝ=j ʟ=l ʠ=q ʣ=dz ʥ=dz ʦ=ts ʪ=ls ʫ=lz ᴀ=a ᴁ=ae ᴃ=b ᴄ=c ᴅ=d ᴆ=d ᴇ=e ᴊ=j
ᴋ=k ᴌ=l ᴍ=m ᴏ=o ᴘ=p ᴛ=t ᴜ=u ᴠ=v ᴡ=w ᴢ=z ᵫ=ue ᵬ=b ᵭ=d ᵮ=f ᵯ=m ᵰ=n ᵱ=p ᵲ=r ᵳ=r ᵴ=s
ᵵ=t ᵶ=z ᵺ=th ᵻ=i ᵽ=p ᵾ=u ᶀ=b ᶁ=d ᶂ=f ᶃ=g ᶄ=k ᶅ=l ᶆ=m ᶇ=n ᶈ=p ᶉ=r ᶊ=s ᶌ=v ᶍ=x ᶎ=z
ᶏ=a ᶑ=d ᶒ=e ᶓ=e ᶖ=i ᶙ=u ẜ=s ẝ=s ỻ=ll ỽ=v ỿ=y ⱡ=l ⱨ=h ⱪ=k ⱬ=z ⱱ=v ⱳ=w ⱴ=v ⱸ=e ⱺ=o
ꜰ=f ꜱ=s ꜳ=aa ꜵ=ao ꜷ=au ꜹ=av ꜻ=av ꜽ=ay ꝁ=k ꝃ=k ꝅ=k ꝇ=l ꝉ=l ꝋ=o ꝍ=o ꝏ=oo ꝑ=p ꝓ=p
ꝕ=p ꝗ=q ꝙ=q ꝟ=v ꝡ=vy ꝥ=th ꝧ=th ꝱ=d ꝲ=l ꝳ=m ꝴ=n ꝵ=r ꝶ=r ꝷ=t ꝺ=d ꝼ=f ꞇ=t ꞑ=n ꞓ=c
ꞡ=g ꞣ=k ꞥ=n ꞧ=r ꞩ=s ʹ=' ʺ=" ʻ=' ʼ=' ʽ=' ˆ=^ ˈ=' ˋ=` ː=:
"""
EXTRA: dict[str, str] = dict(pair.split("=") for pair in _PAIRS.split())


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


class _Folding(dict[int, "str | int | None"]):
    """``str.translate``'s table: each character to its folding (lowered, decomposed,
    accents dropped, ``EXTRA`` letters replaced), worked out the first time it is met
    (Unicode is large, the characters of one database few)."""

    def __missing__(self, code: int) -> str | int | None:
        char = chr(code)
        plain = "".join(
            EXTRA.get(c, c)
            for c in unicodedata.normalize("NFKD", char.lower()).lower()
            if not unicodedata.combining(c)
        )
        value: str | int | None = code if plain == char else plain or None
        self[code] = value
        return value


_FOLDING = _Folding()


def fold(text: str) -> str:
    """``text`` without case and accents: ``fold("MÜLLER Résumé") == "muller resume"``,
    compatibility forms plain (``fold("ﬁle ｔｉｎｙ") == "file tiny"``), the letters of
    ``EXTRA`` as their readers take them (``fold("Straße Søren") == "strasse soren"``).
    Character by character: the folding of a text is that of each of its characters."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLDING)


def sql_fold(value: object) -> object:
    """``fold`` as SQLite's function ``tinycrm_fold`` (NULL, a number: as they are)."""
    return fold(value) if isinstance(value, str) else value


_fold_char = lru_cache(maxsize=4096)(fold)


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
