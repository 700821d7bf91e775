"""How PostgreSQL folds the search index's text and the words searched: the function
``tinycrm_fold(text)`` (``install_fold``), which folds as ``search_text.fold`` does
(``store/search_index.py`` keeps the index, SQLite folds in Python there).

``fold``'s own steps in SQL (``_exact_sql``): ``lower()``, ``normalize(…, NFKD)``,
``lower()`` again, the marks it drops taken out; before them, the characters these fold
otherwise than ``search_text.fold`` (its ``EXTRA`` letters, asked of the database when
the function is made) are replaced by their folding, so both databases fold every
character alike (the same folding for documents and queries, as the query is folded
by the database too). ASCII text is only lowered. Where the unaccent extension exists or
the role may create it, text whose every character unaccent folds as ``fold`` does (most
accented Latin) is folded by it, a third quicker.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import Connection

from tinycrm.search_text import fold
from tinycrm.store import pg_extensions


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


PUNCTUATION = "@.-/:_+~<&"
"""What PostgreSQL's parser keeps inside a word (an email, a host, a path, a hyphenated
word, ``~20k`` a file name) or drops with what it holds (``<pricing sheet>`` a markup
tag, ``&amp;`` an entity), and SQLite's tokenizer splits at: made spaces first, so
anna@example.com is three words on both and "Jane <jane@newco.example>" four (the other
punctuation separates words there already). ``replace()`` for each, as ``translate()``
costs ten times more."""


FOLD_CHECKED_SKIPS = ("CJK UNIFIED IDEOGRAPH", "TANGUT", "YI SYLLABLE", "NUSHU", "KHITAN")


@lru_cache(maxsize=1)
def _checked() -> tuple[str, ...]:
    """The characters past ASCII whose folding by the database is compared with
    ``search_text.fold``'s: every assigned one but the ideographs and syllables of
    scripts without case, accents or compatibility forms (``FOLD_CHECKED_SKIPS``),
    which both leave as they are."""
    chars = []
    for code in range(0x80, 0x110000):
        char = chr(code)
        if unicodedata.category(char) in ("Cn", "Cs", "Co"):
            continue
        if not unicodedata.name(char, "").startswith(FOLD_CHECKED_SKIPS):
            chars.append(char)
    return tuple(chars)


def char_class(chars: Iterable[str]) -> str:
    """A regular expression's bracket of ``chars`` (none of them ASCII), runs of
    consecutive code points as ranges."""
    codes = sorted({ord(c) for c in chars})
    parts = []
    start = 0
    for index in range(1, len(codes) + 1):
        if index == len(codes) or codes[index] != codes[index - 1] + 1:
            low, high = codes[start], codes[index - 1]
            parts.append(chr(low) if low == high else f"{chr(low)}-{chr(high)}")
            start = index
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=1)
def _marks() -> str:
    """The characters ``fold`` drops (a combining class other than 0: accents, a
    virama, a nukta), as a bracket."""
    return char_class(c for c in map(chr, range(0x80, 0x110000))
                      if unicodedata.combining(c))  # fmt: skip


def _normalized_sql(text: str) -> str:
    """``fold`` in SQL, but for the letters of ``EXTRA`` and what the database's own
    functions do otherwise: lowered, compatibility-decomposed (NFKD), lowered again,
    the marks ``fold`` drops gone."""
    decomposed = f"lower(normalize(lower({text}), NFKD))"
    return f"regexp_replace({decomposed}, {sql_literal(_marks())}, '', 'g')"


COMMON_BELOW = 0x180
"""The characters the database's functions fold otherwise than ``fold`` (``_fixups``)
are replaced before them: those below (Latin-1 and Latin Extended-A: ß, æ, ø, ł, Ø…,
common in names) in one ``translate()``, the rest in another, each only in text that
holds one of its characters (``translate()`` reads its whole list for each character)."""


def _fixups(conn: Connection, folded: str) -> dict[str, str]:
    """The characters the database folds (``folded``: SQL over ``$1``) otherwise than
    ``search_text.fold``, each with ``fold``'s folding."""
    chars = _checked()
    there = conn.exec_driver_sql(
        f"SELECT {folded.replace('$1', 'c')} FROM unnest(%(chars)s::text[]) "
        "WITH ORDINALITY AS u(c, n) ORDER BY n",
        {"chars": list(chars)},
    ).scalars()
    return {c: fold(c) for c, got in zip(chars, there, strict=True) if got != fold(c)}


def _fixed_sql(text: str, fixups: dict[str, str]) -> str:
    """``text`` (SQL) with each character of ``fixups`` replaced by its folding: one
    ``translate()`` for those folding to one character or none, ``replace()`` for each
    of the others."""
    for char, plain in sorted(fixups.items()):
        if len(plain) > 1:
            text = f"replace({text}, {sql_literal(char)}, {sql_literal(plain)})"
    single = {c: p for c, p in fixups.items() if len(p) == 1}
    gone = [c for c, p in fixups.items() if not p]
    if single or gone:
        source = "".join(single) + "".join(gone)
        text = f"translate({text}, {sql_literal(source)}, {sql_literal(''.join(single.values()))})"
    return text


def _exact_sql(conn: Connection) -> str:
    """``fold`` in SQL over ``$1`` (text past ASCII): ``_normalized_sql`` of the text
    whose characters it folds otherwise (asked of the database) replaced first."""
    fixups = _fixups(conn, _normalized_sql("$1"))
    text = "$1"
    for group in (
        {c: p for c, p in fixups.items() if ord(c) < COMMON_BELOW},
        {c: p for c, p in fixups.items() if ord(c) >= COMMON_BELOW},
    ):
        if group:
            holds = sql_literal(char_class(group))
            text = f"CASE WHEN $1 ~ {holds} THEN {_fixed_sql(text, group)} ELSE {text} END"
    return _normalized_sql(text)


NUMBER_MARK = "\u01c2"
"""PostgreSQL: put after the ``e`` of a digit, ``e`` and a digit, so that the parser does
not read ``2e1a`` as the number ``2e1`` and the word ``a`` (SQLite's tokenizer reads one
word): ``2eǂ1a`` is one word. Written the same in a document and in a search, and only
where a digit follows, so a prefix (``2e``, ``2e1``) still begins the word it began."""


def _fold_sql(conn: Connection, unaccent_schema: str | None, *, words: bool = True) -> str:
    """The body of ``tinycrm_fold($1)``: the characters the database folds otherwise
    than ``search_text.fold`` replaced, accents and case off, punctuation to spaces and
    numbers like ``2e1`` kept from the parser (``NUMBER_MARK``) (``words``; without:
    ``tinycrm_fold_text``, punctuation kept, for a list's LIKE)."""
    body = _folded_sql(conn, unaccent_schema, words=words)
    if not words:
        return body
    marked = sql_literal(chr(92) + "1e" + NUMBER_MARK)
    return f"regexp_replace({body}, '([0-9])e(?=[0-9])', {marked}, 'g')"


def _folded_sql(conn: Connection, unaccent_schema: str | None, *, words: bool) -> str:
    """``_fold_sql`` but for ``NUMBER_MARK``: ``lower()`` for ASCII text, ``_exact_sql``
    for the rest; with unaccent, ``unaccent`` for text whose every character it folds
    as ``fold`` does (most: it is quicker)."""

    def spaced(text: str) -> str:
        for mark in PUNCTUATION if words else ():
            text = f"replace({text}, {sql_literal(mark)}, ' ')"
        return text

    exact = spaced(_exact_sql(conn))
    if unaccent_schema is None:
        return f"CASE WHEN $1 ~ '^[\\x01-\\x7f]*$' THEN {spaced('lower($1)')} ELSE {exact} END"
    schema = '"' + unaccent_schema.replace('"', '""') + '"'
    dictionary = sql_literal(schema + ".unaccent")
    unaccented = f"lower({schema}.unaccent({dictionary}::regdictionary, $1))"
    # (the characters unaccent folds otherwise than fold: Hangul, 𝐀, x², ©…)
    other = char_class(_fixups(conn, unaccented))
    return f"CASE WHEN $1 ~ {sql_literal(other)} THEN {exact} ELSE {spaced(unaccented)} END"


def _unaccent_schema(conn: Connection, *, allow: bool) -> str | None:
    """The schema of the unaccent extension, created now if it may be (never in a
    tinycrm schema: ``pg_extensions``); None without it."""
    if not allow:
        return None
    return pg_extensions.ensure_extension(conn, "unaccent")


def install_fold(conn: Connection, *, unaccent: bool = True) -> str:
    """(Re)create ``tinycrm_fold`` (and ``tinycrm_fold_text``, the same folding with its
    punctuation kept: ``validate.sql_folded``) in the current schema; which folding they
    use (``unaccent`` or ``normalize``). ``unaccent=False`` forces the fallback."""
    schema = _unaccent_schema(conn, allow=unaccent)
    for name, words in (("tinycrm_fold", True), ("tinycrm_fold_text", False)):
        # (psycopg reads % as a placeholder)
        body = _fold_sql(conn, schema, words=words).replace("%", "%%")
        conn.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {name}(text) RETURNS text LANGUAGE sql IMMUTABLE "
            f"STRICT PARALLEL SAFE AS $fold$ SELECT {body} $fold$"
        )
    return "normalize" if schema is None else "unaccent"


def has_fold(conn: Connection) -> bool:
    return bool(
        conn.exec_driver_sql(
            "SELECT 1 FROM pg_proc WHERE proname = 'tinycrm_fold' "
            "AND pronamespace = current_schema()::regnamespace"
        ).first()
    )


def folding(conn: Connection) -> str:
    """Which folding ``tinycrm_fold`` uses here: unaccent or normalize (made before
    0037: translate)."""
    body = conn.exec_driver_sql(
        "SELECT prosrc FROM pg_proc WHERE proname = 'tinycrm_fold' "
        "AND pronamespace = current_schema()::regnamespace"
    ).scalar()
    if body and "unaccent" in body:
        return "unaccent"
    return "normalize" if body and "normalize" in body else "translate"


def query_fold_sql(word: str) -> str:
    """SQL folding ``word`` (SQL: a search's word, as typed) as ``tinycrm_fold`` folds a
    document, but for a ``NUMBER_MARK`` typed where the fold puts one (after a digit and
    ``e``, before a digit) or that a prefix ends with: in a document there it is the
    fold's mark, never the user's, so one typed there must not match it ("2eǂ" found
    "2e1a"). It becomes ``0``: a digit, ``e`` and a digit unmarked are in no document, so
    such a word finds nothing (SQLite's index holds no mark: only a record holding the
    letter itself matches it there)."""
    mark, held = sql_literal(NUMBER_MARK), "chr(57344)"  # (a private-use character)
    folded = f"tinycrm_fold(replace({word}, {mark}, {held}))"
    where = f"'([0-9]e)' || {held} || '(?=[0-9]|$)'"  # (before a letter: not a mark)
    unmarked = f"regexp_replace({folded}, {where}, {sql_literal(chr(92) + '10')}, 'g')"
    return f"replace({unmarked}, {held}, {mark})"
