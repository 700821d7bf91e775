"""Finding what ``tinycrm search`` lists (``store/search.py``): the query in each
database's own syntax, built from the words only (never the user's syntax), and the ids
of a kind that may make the top with their relevance. On PostgreSQL the newest matches
are read the cheaper of two ways (``_Newest``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import text

from tinycrm import search_text
from tinycrm.search_text import SearchQuery, Term
from tinycrm.store.search_fold import query_fold_sql
from tinycrm.store.search_index import WORD_START, WORDS, SearchKind, has_index, index_table

WINDOW = 2000
"""Matches of one kind whose relevance is weighed: the newest."""
NAME_CANDIDATES = 200
"""Records of one kind whose name starts with the text that are looked at for the top."""


# --------------------------------------------------------------------------- matching


class Match:
    """The query in the database's own syntax, built from words only (no user syntax)."""

    def __init__(
        self, conn: Connection, query: SearchQuery, kinds: list[SearchKind] | None = None
    ) -> None:
        kinds = kinds or []
        self.conn = conn
        self.query = query
        self.sqlite = conn.dialect.name == "sqlite"
        self.folded: list[list[str]] = []
        self.completions: dict[str, list[str]] = {}
        self.present: set[str] = set()  # PostgreSQL: the kinds whose index tables exist
        self.tops: dict[str, int | None] = {}  # PostgreSQL: their newest ids
        if not self.sqlite:
            # (each statement is a round trip to the server: few of them)
            # Plans made for the words at hand: a plan cached for any words would scan
            # in id order for a rare word, or read every match of a common one.
            names = {index_table(kind): kind.kind for kind in kinds}
            _, folded, present = conn.execute(
                text(
                    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
                    f"ARRAY(SELECT {query_fold_sql('w')} FROM unnest(CAST(:words AS text[])) "
                    "WITH ORDINALITY AS u(w, n) ORDER BY n), "
                    "ARRAY(SELECT t FROM unnest(CAST(:tables AS text[])) t "
                    "WHERE to_regclass(t) IS NOT NULL)"
                ),
                {"words": query.words, "tables": list(names)},
            ).one()
            flat = iter(folded)
            for term in query.terms:
                # (its words as the parser reads them: the fold may make a separator, ¼ 1⁄4)
                self.folded.append(
                    [part for _ in term.words for part in search_text.WORD.findall(next(flat))]
                )
            self.present = {names[t] for t in present}
            if present:
                newest = ", ".join(f"(SELECT max(id) FROM {t})" for t in present)
                tops = conn.execute(text(f"SELECT {newest}")).one()
                self.tops = {names[t]: top for t, top in zip(present, tops, strict=True)}
            self.completions = self._complete(kinds)

    def has_index(self, kind: SearchKind) -> bool:
        """Whether ``kind`` has its index here (not on an SQLite without FTS5)."""
        return has_index(self.conn, kind.kind) if self.sqlite else kind.kind in self.present

    def _complete(self, kinds: list[SearchKind]) -> dict[str, list[str]]:
        """PostgreSQL: the indexed words each word prefix of the query begins, where
        they are few (``EXPAND``), from the table of words (``WORDS``): the index reads
        those words' rows directly, where a prefix has it read every such row id first.
        A prefix starting with a digit is left to the index (numbers are not in ``WORDS``)."""
        prefixes = sorted(
            {words[-1] for term, words in zip(self.query.terms, self.folded, strict=True)
             if term.prefix and words and words[-1] >= WORD_START}
        )  # fmt: skip
        if not prefixes or not any(kind.words for kind in kinds):
            return {}
        rows = self.conn.execute(
            text(
                "SELECT p.lo, w.word FROM unnest(CAST(:lo AS text[]), CAST(:hi AS text[])) "
                f"AS p(lo, hi) CROSS JOIN LATERAL (SELECT word FROM {WORDS} "
                'WHERE word >= p.lo COLLATE "C" AND word < p.hi COLLATE "C" '
                "ORDER BY word LIMIT :cap) w"
            ),
            {"lo": prefixes, "hi": [_after(p) for p in prefixes], "cap": EXPAND + 1},
        )
        found: dict[str, list[str]] = {}
        for prefix, word in rows:
            found.setdefault(prefix, []).append(word)
        return {p: words for p, words in found.items() if len(words) <= EXPAND}

    def lexeme(self, word: str, prefix: bool, *, expand: bool = True) -> str:
        """``word`` in a tsquery; a prefix as the words it begins where they are known
        (unless not ``expand``: relevance is weighed for the prefix as typed)."""
        if not prefix:
            return _quote_lexeme(word)
        words = self.completions.get(word) if expand else None
        if not words:
            return _quote_lexeme(word) + ":*"
        if len(words) == 1:
            return _quote_lexeme(words[0])
        return "(" + " | ".join(_quote_lexeme(w) for w in words) + ")"

    @staticmethod
    def fts5(terms: Iterable[Term]) -> str:
        """The terms as an FTS5 query: each a quoted phrase of its words, folded as the
        index's text is (``search_text.fold``)."""
        parts = []
        for term in terms:
            quoted = _fts5_phrase(term.words)
            parts.append(quoted + "*" if term.prefix else quoted)
        return " ".join(parts)

    def fts5_name_prefix(self, *, whole: bool = False) -> str:
        """Names starting with the text's words, the last one a prefix as typed (unless
        ``whole``)."""
        words = _fts5_phrase(self.query.words)
        last = self.query.terms[-1]
        return f"name : ^ {words}" + (" *" if last.prefix and not whole else "")

    def tsquery(self, *, expand: bool = True) -> str:
        """The terms as a tsquery: lexemes the database folded, quoted, never user syntax;
        word prefixes as the words they begin where these are few, unless not ``expand``."""
        parts = []
        for term, words in zip(self.query.terms, self.folded, strict=True):
            if not words:
                continue
            lexemes = [self.lexeme(w, term.prefix and i == len(words) - 1, expand=expand)
                       for i, w in enumerate(words)]  # fmt: skip
            parts.append("(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0])
        return " & ".join(parts) or "''"

    def candidates(self, kind: SearchKind, limit: int) -> dict[int, float]:
        """Ids of ``kind`` that may make the top ``limit``, each with its relevance
        (higher is better; names that start with the text are all among them)."""
        table = index_table(kind)
        want = max(limit, 20)
        rows: Any
        if self.sqlite:
            rows = self.conn.execute(
                text(
                    f"SELECT id, r FROM (SELECT rowid AS id, -bm25({table}, 10.0, 1.0) AS r "
                    f"FROM {table} WHERE {table} MATCH :q ORDER BY rowid DESC LIMIT :w) "
                    "ORDER BY r DESC LIMIT :k"
                ),
                {"q": self.fts5(self.query.terms), "w": WINDOW, "k": want},
            ).all()
            newest_named = text(
                f"SELECT rowid FROM {table} WHERE {table} MATCH :q ORDER BY rowid DESC LIMIT :k"
            )
            named: Any = self.conn.execute(
                newest_named, {"q": self.fts5_name_prefix(), "k": NAME_CANDIDATES}
            ).all()
            if len(named) == NAME_CANDIDATES and self.query.terms[-1].prefix:
                # more names start with the text than are looked at: those that are its
                # words (P1 among P10…P19999) are looked up on their own
                named += self.conn.execute(
                    newest_named, {"q": self.fts5_name_prefix(whole=True), "k": NAME_CANDIDATES}
                ).all()
            named = [i for (i,) in named]
        else:
            full = self.tsquery(expand=kind.words)
            if full == "''":
                return {}
            # relevance weighed for the prefixes as typed (as many query words, the same
            # figures as before the prefixes were looked up as words)
            params = {"q": full, "r": self.tsquery(expand=False), "n": ""}
            document = "doc @@ to_tsquery('simple', :q)"
            words = [w for folded in self.folded for w in folded]
            name = None
            # A word or two of a name, the last one at least three letters if a prefix: a
            # shorter one matches too many names for the index to be quicker than the rest.
            if words and (not self.query.terms[-1].prefix or len(words[-1]) >= 3):
                last = self.query.terms[-1].prefix
                lexemes = [self.lexeme(w, last and i == len(words) - 1, expand=kind.words)
                           for i, w in enumerate(words)]  # fmt: skip
                params["n"] = " & ".join(lexemes)
                # (a phrase: the words in the name, the phrase anywhere in the record)
                name = "name @@ to_tsquery('simple', :n)"
                if any(term.phrase for term in self.query.terms):
                    name += " AND " + document
            newest = _Newest(self.conn, table, self.tops.get(kind.kind))
            probe = newest.probe(document, name, params)
            ranked = newest.rows(
                document, params, WINDOW, rank=True, found=[(i, r) for i, r, _ in probe]
            )
            ranked.sort(key=lambda row: (-row[1], -row[0]))
            rows = ranked[:want]
            named = []
            if name:
                found = [(i, 0.0) for i, _, in_name in probe if in_name]
                named = [i for i, _ in newest.rows(name, params, NAME_CANDIDATES, found=found)]
            if (
                words
                and self.query.terms[-1].prefix
                and (not name or len(named) == NAME_CANDIDATES)
            ):
                # more names hold the text's words as prefixes than are looked at (or too
                # short a prefix to look for): those holding them whole are looked up on
                # their own (P1 among P10…P19999)
                whole = {**params, "n": " & ".join(_quote_lexeme(w) for w in words)}
                exact = "name @@ to_tsquery('simple', :n)"
                found = [(i, 0.0) for i, _, _ in newest.probe(exact, None, whole)]
                named += [i for i, _ in newest.rows(exact, whole, NAME_CANDIDATES, found=found)]
        scores = {int(i): float(r) for i, r in rows}
        for i in named:
            scores.setdefault(int(i), 0.0)
        return scores


def _fts5_phrase(words: Iterable[str]) -> str:
    folded = " ".join(search_text.words_fold(word) for word in words)
    return '"' + folded.replace('"', '""') + '"'


def _quote_lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _after(prefix: str) -> str:
    """The first text after every text starting with ``prefix`` (by code point)."""
    return prefix[:-1] + chr(min(ord(prefix[-1]) + 1, 0x10FFFF))


EXPAND = 64
"""PostgreSQL: a word prefix beginning more indexed words is left to the index."""
PROBE = 2000
"""PostgreSQL: the newest rows of a kind tested one by one before anything else."""
WALK_COST = 3
"""PostgreSQL: rows read in order, per match read through the index, for the same time."""


class _Newest:
    """The newest rows of an index table (PostgreSQL) that match a condition, read the
    cheaper of two ways. The GIN index finds every matching row but not the newest: each
    match is then read from the table (a word in one activity in ten: 100,000 reads over
    1,000,000 activities). Reading the newest rows one by one, backwards through the
    primary key, stops as soon as enough match: cheap for common words, every row for
    rare ones (or for a phrase, which the planner guesses as common as its words).

    So the newest ``PROBE`` rows are tested first; from how many of them match, the rest
    is read on the same way (at most twice the rows it should take) when that reads fewer
    rows than the index would visit, else from the index, the older rows only."""

    def __init__(self, conn: Connection, table: str, top: int | None) -> None:
        self.conn = conn
        self.table = table
        self.top = top  # the newest id

    def probe(
        self, document: str, name: str | None, params: dict[str, Any]
    ) -> list[tuple[int, float, bool]]:
        """The newest ``PROBE`` rows that match ``document`` (at most ``WINDOW``): id,
        relevance, and whether ``name`` matches too (it implies ``document``), newest first."""
        if self.top is None:
            return []
        rows = self.conn.execute(
            text(
                "SELECT id, ts_rank(doc, to_tsquery('simple', :r)), "
                f"{name or 'false'} FROM (SELECT id, name, doc FROM {self.table} "
                "WHERE id > :lo ORDER BY id DESC LIMIT :span) w "
                f"WHERE {document} ORDER BY id DESC LIMIT :want"
            ),
            {**params, "lo": self.top - PROBE, "span": PROBE, "want": WINDOW},
        )
        return [(int(i), float(r), bool(n)) for i, r, n in rows]

    def rows(
        self,
        condition: str,
        params: dict[str, Any],
        want: int,
        *,
        rank: bool = False,
        found: list[tuple[int, float]],
    ) -> list[tuple[int, float]]:
        """Up to ``want`` (id, relevance) of the newest rows matching ``condition`` (SQL
        over the columns ``name`` and ``doc``), newest first, ``found`` those of them
        among the newest ``PROBE`` rows; relevance (``ts_rank`` of the tsquery ``:r``) or
        0 unless ``rank``."""
        if self.top is None:
            return []
        hi = self.top - PROBE
        found = found[:want]
        if len(found) < want and hi > 0 and found:
            rate = len(found) / PROBE
            rows = (want - len(found)) / rate
            if rows < WALK_COST * rate * hi:  # hi: about the rows left
                lo = max(0, hi - int(2 * rows))
                found += self._walk(condition, params, hi, lo, want - len(found), rank)
                hi = lo
        if len(found) < want and hi > 0:
            found += self._index(condition, params, hi, want - len(found), rank)
        return found

    def _walk(
        self, condition: str, params: dict[str, Any], hi: int, lo: int, want: int, rank: bool
    ) -> list[tuple[int, float]]:
        relevance = "ts_rank(doc, to_tsquery('simple', :r))" if rank else "0"
        rows = self.conn.execute(
            text(
                f"SELECT id, {relevance} FROM (SELECT id, name, doc FROM {self.table} "
                "WHERE id > :lo AND id <= :hi ORDER BY id DESC LIMIT :span) w "
                f"WHERE {condition} ORDER BY id DESC LIMIT :want"
            ),
            {**params, "lo": lo, "hi": hi, "span": hi - lo, "want": want},
        )
        return [(int(i), float(r)) for i, r in rows]

    def _index(
        self, condition: str, params: dict[str, Any], hi: int, want: int, rank: bool
    ) -> list[tuple[int, float]]:
        relevance = "ts_rank(doc, to_tsquery('simple', :r))" if rank else "0"
        # OFFSET 0: every match from the index, then the newest (the planner, guessing
        # the words common, would read the rows newest first until enough match: all)
        rows = self.conn.execute(
            text(
                f"SELECT id, {relevance} FROM (SELECT id, doc FROM (SELECT id, doc FROM "
                f"{self.table} WHERE {condition} AND id <= :hi OFFSET 0) m "
                "ORDER BY id DESC LIMIT :want) c"
            ),
            {**params, "hi": hi, "want": want},
        )
        return sorted(((int(i), float(r)) for i, r in rows), reverse=True)
