"""What a search looks for, read from what the user typed, and where it was found.

``parse("contr \\"Anna Müller\\"")`` gives the terms of a search: each word outside
quotes is a word prefix (``contr`` finds "contract"), each quoted run a phrase of whole
words. Words are runs of letters and digits (and the marks inside them); everything
else (quotes aside) only separates them, so no user text can reach a full-text engine as
syntax: ``*``, ``^``, ``:``, parentheses, ``NEAR``, ``AND``/``OR``/``NOT`` are plain
words or separators.

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

from tinycrm.search_chars import NUMBERS_AND_FORMATS

MAX_TERMS = 16
"""Words beyond this many are ignored: each costs the index a lookup."""

MAX_WORD_BYTES = 2047
"""A word longer than this, folded, in UTF-8, is in neither database's index:
PostgreSQL's cannot hold it and leaves it out (the words on either side next to each
other), and SQLite's is given its text without it (``index_fold``). Typed, it is left
out of the search likewise."""


# Unicode's marks (categories Mn, Mc, Me; Unicode 14, Python 3.11's), as code point ranges
# in hex: a vowel sign, a virama, an accent. Python's \w has none of them.
_MARKS = """
300-36F 483-489 591-5BD 5BF 5C1-5C2 5C4-5C5 5C7 610-61A 64B-65F 670 6D6-6DC 6DF-6E4
6E7-6E8 6EA-6ED 711 730-74A 7A6-7B0 7EB-7F3 7FD 816-819 81B-823 825-827 829-82D 859-85B
898-89F 8CA-8E1 8E3-903 93A-93C 93E-94F 951-957 962-963 981-983 9BC 9BE-9C4 9C7-9C8
9CB-9CD 9D7 9E2-9E3 9FE A01-A03 A3C A3E-A42 A47-A48 A4B-A4D A51 A70-A71 A75 A81-A83 ABC
ABE-AC5 AC7-AC9 ACB-ACD AE2-AE3 AFA-AFF B01-B03 B3C B3E-B44 B47-B48 B4B-B4D B55-B57
B62-B63 B82 BBE-BC2 BC6-BC8 BCA-BCD BD7 C00-C04 C3C C3E-C44 C46-C48 C4A-C4D C55-C56
C62-C63 C81-C83 CBC CBE-CC4 CC6-CC8 CCA-CCD CD5-CD6 CE2-CE3 D00-D03 D3B-D3C D3E-D44
D46-D48 D4A-D4D D57 D62-D63 D81-D83 DCA DCF-DD4 DD6 DD8-DDF DF2-DF3 E31 E34-E3A E47-E4E
EB1 EB4-EBC EC8-ECD F18-F19 F35 F37 F39 F3E-F3F F71-F84 F86-F87 F8D-F97 F99-FBC FC6
102B-103E 1056-1059 105E-1060 1062-1064 1067-106D 1071-1074 1082-108D 108F 109A-109D
135D-135F 1712-1715 1732-1734 1752-1753 1772-1773 17B4-17D3 17DD 180B-180D 180F
1885-1886 18A9 1920-192B 1930-193B 1A17-1A1B 1A55-1A5E 1A60-1A7C 1A7F 1AB0-1ACE
1B00-1B04 1B34-1B44 1B6B-1B73 1B80-1B82 1BA1-1BAD 1BE6-1BF3 1C24-1C37 1CD0-1CD2
1CD4-1CE8 1CED 1CF4 1CF7-1CF9 1DC0-1DFF 20D0-20F0 2CEF-2CF1 2D7F 2DE0-2DFF 302A-302F
3099-309A A66F-A672 A674-A67D A69E-A69F A6F0-A6F1 A802 A806 A80B A823-A827 A82C
A880-A881 A8B4-A8C5 A8E0-A8F1 A8FF A926-A92D A947-A953 A980-A983 A9B3-A9C0 A9E5
AA29-AA36 AA43 AA4C-AA4D AA7B-AA7D AAB0 AAB2-AAB4 AAB7-AAB8 AABE-AABF AAC1 AAEB-AAEF
AAF5-AAF6 ABE3-ABEA ABEC-ABED FB1E FE00-FE0F FE20-FE2F 101FD 102E0 10376-1037A
10A01-10A03 10A05-10A06 10A0C-10A0F 10A38-10A3A 10A3F 10AE5-10AE6 10D24-10D27
10EAB-10EAC 10F46-10F50 10F82-10F85 11000-11002 11038-11046 11070 11073-11074
1107F-11082 110B0-110BA 110C2 11100-11102 11127-11134 11145-11146 11173 11180-11182
111B3-111C0 111C9-111CC 111CE-111CF 1122C-11237 1123E 112DF-112EA 11300-11303
1133B-1133C 1133E-11344 11347-11348 1134B-1134D 11357 11362-11363 11366-1136C
11370-11374 11435-11446 1145E 114B0-114C3 115AF-115B5 115B8-115C0 115DC-115DD
11630-11640 116AB-116B7 1171D-1172B 1182C-1183A 11930-11935 11937-11938 1193B-1193E
11940 11942-11943 119D1-119D7 119DA-119E0 119E4 11A01-11A0A 11A33-11A39 11A3B-11A3E
11A47 11A51-11A5B 11A8A-11A99 11C2F-11C36 11C38-11C3F 11C92-11CA7 11CA9-11CB6
11D31-11D36 11D3A 11D3C-11D3D 11D3F-11D45 11D47 11D8A-11D8E 11D90-11D91 11D93-11D97
11EF3-11EF6 16AF0-16AF4 16B30-16B36 16F4F 16F51-16F87 16F8F-16F92 16FE4 16FF0-16FF1
1BC9D-1BC9E 1CF00-1CF2D 1CF30-1CF46 1D165-1D169 1D16D-1D172 1D17B-1D182 1D185-1D18B
1D1AA-1D1AD 1D242-1D244 1DA00-1DA36 1DA3B-1DA6C 1DA75 1DA84 1DA9B-1DA9F 1DAA1-1DAAF
1E000-1E006 1E008-1E018 1E01B-1E021 1E023-1E024 1E026-1E02A 1E130-1E136 1E2AE
1E2EC-1E2EF 1E8D0-1E8D6 1E944-1E94A E0100-E01EF
"""
_MARK_CLASS = "".join(
    "-".join(f"\\U{int(end, 16):08x}" for end in span.split("-")) for span in _MARKS.split()
)
# (marks are looked for only where a character past ASCII follows: most text is ASCII)
WORD = re.compile(rf"[^\W_]+(?:(?=[^\x00-\x7f])[{_MARK_CLASS}]+[^\W_]*)*")
"""A word: a letter or digit, then letters, digits and marks: "प्रिया" is one word (its vowel
signs and virama are marks), as a reader, and PostgreSQL's index, take it."""
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
# The numbers in black circles, which Unicode does not decompose as it does those in
# white ones (⑪ is 11): read as their numbers too (PostgreSQL's parser splits words there)
NEGATIVE_CIRCLED = "⓿⓵⓶⓷⓸⓹⓺⓻⓼⓽⓾⓫⓬⓭⓮⓯⓰⓱⓲⓳⓴"
EXTRA.update({char: str(number) for number, char in enumerate(NEGATIVE_CIRCLED)})


def numbers_and_formats() -> dict[str, str]:
    """The other numbers Unicode does not decompose (❶, ➀, ➊, ፩, ௰: category No) as
    their numbers, or a space where the number is not whole (PostgreSQL's parser splits
    words at them, SQLite's tokenizer did not); the Latin letters in black circles and
    squares (🅐, 🅰: symbols to Unicode, letters to the parser) as theirs; the format
    characters (Cf: a zero-width space or joiner, a soft hyphen, a direction mark),
    unseen, as nothing: "Mül\u200bler" is "Müller", typed or stored.

    Worked out over every code point (~0.2 s): kept as a table in ``search_chars``
    (``NUMBERS_AND_FORMATS``), which tests/test_search_chars.py checks against this and
    writes again with ``python -m tests.test_search_chars --update``."""
    found = {}
    for code in range(0x80, 0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Cf":
            found[char] = ""
        elif unicodedata.normalize("NFKD", char) != char:
            continue  # (folded as its decomposition)
        letter = unicodedata.name(char, "").rpartition(" LATIN CAPITAL LETTER ")[2]
        if category == "So" and len(letter) == 1:  # 🅐, 🅰: the parser reads a letter
            found[char] = letter.lower()
        elif category == "No":
            value = unicodedata.numeric(char)
            found[char] = str(int(value)) if value == int(value) and value >= 0 else " "
    return found


EXTRA.update({c: p for c, p in NUMBERS_AND_FORMATS.items() if c not in EXTRA})
# (what a search reads before its words: 🅐 a letter, a format character nothing)
_UNSEEN = {ord(c): p or None for c, p in EXTRA.items()
           if p == "" or unicodedata.category(c) == "So"}  # fmt: skip


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


MAX_SEARCH = 1000
"""Characters a search's text may have (a name search's too: ``store.validate``)."""


def readable(text: str) -> bool:
    """Whether ``text`` is one a search reads: not too long (``MAX_SEARCH``), no bytes that
    were not UTF-8 (lone surrogates)."""
    if len(text) > MAX_SEARCH:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def parse(text: str) -> SearchQuery:
    """The terms of ``text``: unquoted words (prefixes) and quoted phrases, in order,
    at most ``MAX_TERMS`` words. An unclosed quote runs to the end."""
    text = unicodedata.normalize("NFKC", text).translate(_UNSEEN)
    terms: list[Term] = []
    count = 0
    position = 0

    def add(words: list[str], phrase: bool) -> None:
        nonlocal count
        words = [word for word in words if not too_long(word)]
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


def too_long(word: str) -> bool:
    """Whether ``word`` is too long for either database's index (``MAX_WORD_BYTES``)."""
    return len(fold(word).encode()) > MAX_WORD_BYTES


def _long_word(match: re.Match[str]) -> str:
    word = match.group()
    return " " if len(word.encode()) > MAX_WORD_BYTES else word


def sql_fold(value: object) -> object:
    """``fold`` as SQLite's function ``tinycrm_fold`` (NULL, a number: as they are)."""
    return fold(value) if isinstance(value, str) else value


# (past ASCII: what is neither a letter, a digit nor a mark)
_SEPARATOR = re.compile(rf"[^\w\x00-\x7f{_MARK_CLASS}]+")


def words_fold(text: str) -> str:
    """``fold``, with every character past ASCII that is no letter, digit or mark a space:
    PostgreSQL's parser splits words there (at an emoji, a symbol, a dash, a character
    Unicode has not assigned), SQLite's tokenizer, whose tables are older, at some only."""
    folded = fold(text)
    return folded if folded.isascii() else _SEPARATOR.sub(" ", folded)


def index_fold(value: object) -> object:
    """``words_fold`` for SQLite's index (NULL, a number: as they are): a word too long
    for PostgreSQL's index (``MAX_WORD_BYTES``) left out, as PostgreSQL leaves it out of
    its own."""
    if not isinstance(value, str):
        return value
    folded = words_fold(value)
    if len(folded) * 4 > MAX_WORD_BYTES:
        return WORD.sub(_long_word, folded)
    return folded


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
