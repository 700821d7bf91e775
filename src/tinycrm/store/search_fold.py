"""How PostgreSQL folds the search index's text and the words searched: the function
``tinycrm_fold(text)`` (``install_fold``), which folds as ``search_text.fold`` does
(``store/search_index.py`` keeps the index, SQLite folds in Python there).

``unaccent`` where the extension exists or the role may create it, then ``lower()``;
before them, the characters these fold otherwise than ``search_text.fold`` (asked of the
database when the function is made) are replaced by their folding, so both databases
fold alike (the same folding for documents and queries, as the query is folded by the
database too).
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import Connection

from tinycrm.search_text import WORD, fold
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


FOLDED_RANGES = (
    (0x80, 0x250),  # Latin-1, Latin extended A and B
    (0x300, 0x370),  # combining accents
    (0x370, 0x530),  # Greek, Cyrillic
    (0x591, 0x5C8),  # Hebrew points and cantillation marks (niqqud)
    (0x64B, 0x660),  # Arabic vowel marks (harakat)
    (0x670, 0x671),  # Arabic superscript alef
    (0x1E00, 0x2000),  # Latin and Greek extended
    (0x2460, 0x2500),  # numbers and letters in circles and brackets (①, Ⓐ, ⒜, ⒈)
    (0xFB00, 0xFB07),  # Latin ligatures (ﬁ, ﬂ, …)
    (0xFF01, 0xFF5F),  # full-width Latin letters, digits and signs
)
"""PostgreSQL: the characters whose folding ``tinycrm_fold`` makes the same as
``search_text.fold``'s (the letters, digits and accents of these blocks). Other scripts
are folded by the database's own functions (alike for a record and a search there)."""


def _foldable() -> list[str]:
    chars = []
    for low, high in FOLDED_RANGES:
        for code in range(low, high):
            char = chr(code)
            # (Ⓐ is a symbol whose folding is a letter)
            if char.isalnum() or unicodedata.combining(char) or WORD.search(fold(char)):
                chars.append(char)
    return chars


def _fixups(conn: Connection, folded: str) -> dict[str, str]:
    """The characters the database folds (``folded``: SQL over ``$1``) otherwise than
    ``search_text.fold``, each with ``fold``'s folding."""
    chars = _foldable()
    there = conn.exec_driver_sql(
        f"SELECT {folded.replace('$1', 'c')} FROM unnest(%(chars)s::text[]) "
        "WITH ORDINALITY AS u(c, n) ORDER BY n",
        {"chars": chars},
    ).scalars()
    return {c: fold(c) for c, got in zip(chars, there, strict=True) if got != fold(c) != c}


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
    """``_fold_sql`` but for ``NUMBER_MARK`` (the body 0034 and before made)."""

    def spaced(text: str) -> str:
        for mark in PUNCTUATION if words else ():
            text = f"replace({text}, {sql_literal(mark)}, ' ')"
        return text

    def folded(text: str) -> str:
        if unaccent_schema is None:
            return f"lower({text})"
        schema = '"' + unaccent_schema.replace('"', '""') + '"'
        dictionary = sql_literal(schema + ".unaccent")
        return f"lower({schema}.unaccent({dictionary}::regdictionary, {text}))"

    fixups = _fixups(conn, folded("$1"))
    fixed = spaced(folded(_fixed_sql("$1", fixups)))
    if unaccent_schema is None:
        # translate() is slow (a hundred characters to look for: 20 times unaccent), and
        # ASCII text (most of it) has no accents: only for the rest
        return f"CASE WHEN $1 ~ '^[\\x01-\\x7f]*$' THEN {spaced('lower($1)')} ELSE {fixed} END"
    if not fixups:
        return fixed
    # unaccent is quick; the characters it folds otherwise than Python are rare (ς aside):
    # translate() only for text that holds one of them (an ASCII test costs more here)
    holds = sql_literal("[" + "".join(sorted(fixups)) + "]")
    return f"CASE WHEN $1 ~ {holds} THEN {fixed} ELSE {spaced(folded('$1'))} END"


def _unaccent_schema(conn: Connection, *, allow: bool) -> str | None:
    """The schema of the unaccent extension, created now if it may be (never in a
    tinycrm schema: ``pg_extensions``); None without it."""
    if not allow:
        return None
    return pg_extensions.ensure_extension(conn, "unaccent")


def install_fold(conn: Connection, *, unaccent: bool = True) -> str:
    """(Re)create ``tinycrm_fold`` (and ``tinycrm_fold_text``, the same folding with its
    punctuation kept: ``validate.sql_folded``) in the current schema; which folding they
    use (``unaccent`` or ``translate``). ``unaccent=False`` forces the fallback."""
    schema = _unaccent_schema(conn, allow=unaccent)
    for name, words in (("tinycrm_fold", True), ("tinycrm_fold_text", False)):
        # (psycopg reads % as a placeholder)
        body = _fold_sql(conn, schema, words=words).replace("%", "%%")
        conn.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {name}(text) RETURNS text LANGUAGE sql IMMUTABLE "
            f"STRICT PARALLEL SAFE AS $fold$ SELECT {body} $fold$"
        )
    return "translate" if schema is None else "unaccent"


def has_fold(conn: Connection) -> bool:
    return bool(
        conn.exec_driver_sql(
            "SELECT 1 FROM pg_proc WHERE proname = 'tinycrm_fold' "
            "AND pronamespace = current_schema()::regnamespace"
        ).first()
    )


def folding(conn: Connection) -> str:
    """Which folding ``tinycrm_fold`` uses here: unaccent or translate."""
    body = conn.exec_driver_sql(
        "SELECT prosrc FROM pg_proc WHERE proname = 'tinycrm_fold' "
        "AND pronamespace = current_schema()::regnamespace"
    ).scalar()
    return "unaccent" if body and "unaccent" in body else "translate"


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
