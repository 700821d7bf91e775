"""One search for everything: ``search(store, "contr")`` finds the contacts, companies,
deals and activities whose text holds the words, from the full-text index
(``store/search_index.py``).

Ranking: names equal to what was typed first (a contact's, a company's, a deal's before
an activity's or a case's subject; the contacts whose email, or phone as a number, and
the company whose domain is the text with them, an address's domain's company right
after them), then names starting with its words, then names starting with it
(``anna`` and "Annabel"), then the rest by full-text relevance (the name counts ten
times the rest), newest first on ties. Relevance is weighed among the ``WINDOW`` newest
matches of each kind, so that a word in half the database still answers at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Connection, Select, bindparam, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import text
from sqlmodel import SQLModel

from tinycrm import phones, search_text
from tinycrm.safetext import quoted
from tinycrm.search_text import SearchQuery, Term
from tinycrm.store import validate
from tinycrm.store.engine import Store
from tinycrm.store.errors import Invalid, TinyCrmError
from tinycrm.store.models import Company, Contact, Deal, ReadModel, table_of
from tinycrm.store.search_index import (
    SEARCH_KINDS,
    WORD_START,
    WORDS,
    SearchKind,
    has_index,
    index_table,
)

WINDOW = 2000
"""Matches of one kind whose relevance is weighed: the newest."""
MENTIONS = frozenset({"activity", "case"})
"""Kinds whose "name" is a subject: one equal to the text ranks after the records (a
contact, a company, a deal) so named, as a task "Müller" is about Müller, not Müller."""
NAME_CANDIDATES = 200
"""Records of one kind whose name starts with the text that are looked at for the top."""


class SearchHit(ReadModel):
    """A record found by ``search``: what it is, and where the text was found in it."""

    kind: str  # contact, company, deal, activity, case
    id: int
    name: str  # its name (a deal's title, an activity's subject)
    detail: str  # a line about it: email and company, the deal's company, the activity's contact
    field: str  # where the snippet is from: name, email, notes, body, field.KEY, …
    snippet: str  # a line of that text around the first match
    highlights: list[tuple[int, int]]  # where the matches are in the snippet: [start, end)
    at: datetime | None  # its last change (an activity: when it happened)
    # the record an activity or a case is about (its contact, else its deal or company)
    about_kind: str | None = None
    about_id: int | None = None

    @property
    def label(self) -> str:
        """The name (what the palette's hits called it before)."""
        return self.name


def search_kinds(names: Iterable[str] | None) -> list[SearchKind]:
    """The kinds ``names`` means (``contacts`` or ``contact``); all for None. Names that
    are all blank (or none) are ``Invalid``, not every kind: a list of kinds filtered
    down to nothing is not a search of everything."""
    if names is None:
        return list(SEARCH_KINDS.values())
    given = list(names)
    for name in given:
        if not isinstance(name, str):
            raise Invalid(
                f"kinds must be names such as contacts, not {type(name).__name__}", field="in"
            )
    wanted = [n.strip().casefold() for n in given if n.strip()]
    if not wanted:
        raise Invalid(
            "the kinds to search must not be empty: leave them out to search them all",
            field="in",
        )
    by_name = {k.plural: k for k in SEARCH_KINDS.values()} | SEARCH_KINDS
    chosen: list[SearchKind] = []
    for name in wanted:
        kind = by_name.get(name)
        if kind is None:
            choices = ", ".join(k.plural for k in SEARCH_KINDS.values())
            near = validate.nearest(name, [k.plural for k in SEARCH_KINDS.values()])
            raise Invalid(f"cannot search {quoted(name)}{near} (choose from {choices})", field="in")
        if kind not in chosen:
            chosen.append(kind)
    return chosen


def read_query(query: str) -> SearchQuery:
    """The parsed search text; too long or holding NUL: ``Invalid``."""
    validate.text(query, "search")
    if len(query) > validate.MAX_SEARCH:
        raise Invalid(
            f"search text is too long: {len(query):,} characters (at most {validate.MAX_SEARCH:,})",
            field="search",
        )
    validate.searchable(query)
    return search_text.parse(query)


def search(
    store: Store,
    query: str,
    *,
    kinds: Iterable[str] | None = None,
    limit: int | None = 20,
    offset: int | None = None,
) -> list[SearchHit]:
    """Records of ``kinds`` (default: all) whose text holds every word of ``query``,
    best first (see the module), at most ``limit`` (None: every one) after the first
    ``offset``."""
    skip = validate.offset(offset) or 0
    limit = min(validate.limit(limit) or validate.MAX_INT, validate.MAX_INT - skip)
    parsed = read_query(query)
    chosen = search_kinds(kinds)
    if not parsed:
        return []
    with store.read() as session:
        conn = session.connection()
        match = _Match(conn, parsed, chosen)
        email, phone = _email_key(query), _phone_number(query)
        # the domain typed (a website pasted), or that of the address typed
        domain = _domain(query if email is None else email.rsplit("@", 1)[1])
        ranked: list[tuple[tuple[Any, ...], str, int]] = []
        for kind in chosen:
            if not match.has_index(kind):
                raise TinyCrmError("this SQLite has no full-text search (FTS5): search is off")
            scores = match.candidates(kind, skip + limit)
            exact: set[int] = set()
            after: set[int] = set()  # (right after the records named the text)
            if kind.kind == "company" and domain is not None:
                found = set(conn.execute(exact_domain_query(domain)).scalars())
                if email is None:
                    exact = found
                else:
                    after = found
            if kind.kind == "contact":
                # (however old: its words may begin those of many newer addresses)
                if email is not None:
                    exact |= set(conn.execute(exact_email_query(email)).scalars())
                if phone is not None:
                    exact |= set(conn.execute(exact_phone_query(phone)).scalars())
            for record_id in exact | after:
                scores.setdefault(record_id, 0.0)
            if scores:
                ranked.extend(_ranked(conn, kind, parsed, scores, exact, after))
        ranked.sort()
        top = ranked[skip : skip + limit]
        hits: dict[tuple[str, int], SearchHit] = {}
        for kind in chosen:  # snippets and details only for the hits shown
            if ids := [record_id for _, k, record_id in top if k == kind.kind]:
                hits.update(_hits(conn, kind, parsed, ids))
    return [hits[kind, record_id] for _, kind, record_id in top]


def _email_key(query: str) -> str | None:
    """The text as a contact's email is compared (``validate.email``) when it is an
    address (it holds an ``@``), else None."""
    if "@" not in query:
        return None
    try:
        return validate.email(query)
    except TinyCrmError:
        return None


def exact_email_query(key: str) -> Select[Any]:
    """The contact whose email is ``key`` (``validate.email``'s form), through the
    unique index on the email's key: one row read, however many contacts."""
    contact = table_of(Contact)
    return select(contact.c.id).where(contact.c.email_key == key)


def _phone_number(query: str) -> str | None:
    """The text as a number (E.164, ``tinycrm.phones``) when it is an international one
    (it starts with a ``+``), else None."""
    if not query.lstrip().startswith("+"):
        return None
    number, _ = phones.try_normalise(query.strip())
    return number


def exact_phone_query(number: str) -> Select[Any]:
    """The newest contacts (at most ``NAME_CANDIDATES``) whose phone is ``number``
    (E.164), through the index on the phone's number."""
    contact = table_of(Contact)
    return (
        select(contact.c.id)
        .where(contact.c.phone_e164 == number)
        .order_by(contact.c.id.desc())
        .limit(NAME_CANDIDATES)
    )


def _domain(query: str) -> str | None:
    """The text as a company's domain is stored (``validate.domain``) when it is one, or a
    website (``https://www.acme.de/``): one word holding a dot; else None."""
    typed = query.strip()
    if "." not in typed or "@" in typed or any(c.isspace() for c in typed):
        return None
    forms = validate.domain_forms(typed)
    return forms[0] if forms else None


def exact_domain_query(domain: str) -> Select[Any]:
    """The company whose domain is ``domain`` in either spelling (``müller.de``,
    ``xn--mller-kva.de``: ``validate.domain_forms``), through the unique index on it."""
    company = table_of(Company)
    return select(company.c.id).where(company.c.domain.in_(validate.domain_forms(domain)))


def text_clause(kind: str, id_column: Any, query: str) -> Any:
    """A clause: ``id_column`` is the id of a record of ``kind`` whose text holds every
    word of ``query``, from the same index (the filter ``text~"…"``). It compiles for
    either database; the words reach it as bound values, never as query syntax.
    ``Invalid`` for text too long, holding NUL, or without a word to look for."""
    parsed = read_query(query)
    if not parsed:
        raise Invalid("there is no word to search for", field="text")
    return _TextMatch(SEARCH_KINDS[kind], id_column, parsed)


class _TextMatch(ColumnElement[bool]):
    inherit_cache = False
    type = Boolean()

    def __init__(self, kind: SearchKind, id_column: Any, query: SearchQuery) -> None:
        self.kind = kind
        self.id_column = id_column
        self.query = query


@compiles(_TextMatch, "sqlite")
def _text_match_sqlite(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    table = index_table(element.kind)
    match = compiler.process(bindparam(None, _Match.fts5(element.query.terms), unique=True), **kw)
    column = compiler.process(element.id_column, **kw)
    return f"{column} IN (SELECT rowid FROM {table} WHERE {table} MATCH {match})"


@compiles(_TextMatch, "postgresql")
def _text_match_postgresql(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    def lexeme(word: str) -> str:
        value = compiler.process(bindparam(None, word, unique=True), **kw)
        return f"quote_literal(tinycrm_fold({value}))"

    parts = []
    for term in element.query.terms:
        words = [lexeme(word) for word in term.words]
        if term.prefix:
            words[-1] += " || ':*'"
        parts.append("'(' || " + " || ' <-> ' || ".join(words) + " || ')'")
    query = " || ' & ' || ".join(parts)
    table = index_table(element.kind)
    column = compiler.process(element.id_column, **kw)
    return f"{column} IN (SELECT id FROM {table} WHERE doc @@ to_tsquery('simple', {query}))"


# --------------------------------------------------------------------------- matching


class _Match:
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
                    "ARRAY(SELECT tinycrm_fold(w) FROM unnest(CAST(:words AS text[])) "
                    "WITH ORDINALITY AS u(w, n) ORDER BY n), "
                    "ARRAY(SELECT t FROM unnest(CAST(:tables AS text[])) t "
                    "WHERE to_regclass(t) IS NOT NULL)"
                ),
                {"words": query.words, "tables": list(names)},
            ).one()
            flat = iter(folded)
            for term in query.terms:
                self.folded.append([part for _ in term.words for part in next(flat).split()])
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
    folded = " ".join(search_text.fold(word) for word in words)
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


# --------------------------------------------------------------------------- hits


def _name_tier(name: str, wanted: list[str], prefix: bool) -> int:
    """0: the name is the text (its folded words ``wanted``); 1: it starts with them;
    2: it starts with the text, the last word a prefix (``prefix``); 3: none of these."""
    n = len(wanted)
    first = name[:1]
    if first.isalnum() and not search_text.fold(first).startswith(wanted[0][:1]):
        return 3  # (most candidates: a quick no)
    words = [w for w, _, _ in search_text._folded_words(name)]
    if words == wanted:
        return 0
    if len(words) >= n and words[: n - 1] == wanted[: n - 1]:
        if words[n - 1] == wanted[-1]:
            return 1
        if prefix and words[n - 1].startswith(wanted[-1]):
            return 2
    return 3


def _table(kind: SearchKind) -> Any:
    """A searchable kind's table. Support cases' model is imported only where it is
    used (a command that never reads cases does not define it), so it is imported here."""
    from tinycrm.store import service_models  # noqa: F401  (defines support_case)

    return SQLModel.metadata.tables[kind.table]


def _when(kind: SearchKind, table: Any) -> Any:
    when: Any = table.c[kind.when]
    if kind.when_else:
        when = func.coalesce(when, table.c[kind.when_else], type_=when.type)
    return when


def _ranked(
    conn: Connection,
    kind: SearchKind,
    query: SearchQuery,
    scores: dict[int, float],
    exact: set[int],
    after: set[int],
) -> list[tuple[tuple[Any, ...], str, int]]:
    """The candidates' sort keys: name tier (a record so named, or ``exact``: whose email
    is the text, then ``after``: an address's domain's company, before a subject that is
    the text), relevance, newest first."""
    table = _table(kind)
    rows = conn.execute(
        select(table.c.id, table.c[kind.name], _when(kind, table)).where(
            table.c.id.in_(list(scores))
        )
    )
    wanted = [search_text.fold(w) for w in query.words]
    prefix = query.terms[-1].prefix
    out = []
    for record_id, name, at in rows:
        stamp = at.timestamp() if at is not None else 0.0
        near = record_id in exact or record_id in after
        tier = 0 if near else _name_tier(name or "", wanted, prefix)
        # after names: an address's company, then a subject that is the text
        then = 1 if record_id in after else 2 if tier == 0 and kind.kind in MENTIONS else 0
        key = (tier, then, -scores[record_id], -stamp, kind.kind, record_id)
        out.append((key, kind.kind, record_id))
    return out


def _hits(
    conn: Connection, kind: SearchKind, query: SearchQuery, ids: list[int]
) -> dict[tuple[str, int], SearchHit]:
    """The hits of ``kind`` with these ids: their detail line and snippet."""
    table = _table(kind)
    columns = [table.c.id, table.c[kind.name], *(table.c[c] for c in kind.texts)]
    extra = _DETAILS.get(kind.kind, _no_details)
    related = []  # (an activity's contact's name: where a snippet may come from too)
    for part in kind.related:
        other = SQLModel.metadata.tables[part.table].alias(f"related_{part.name}")
        related.append(
            select(other.c[part.text]).where(other.c.id == table.c[part.key]).scalar_subquery()
        )
    rows = conn.execute(
        select(*columns, _when(kind, table), *extra(table), *related).where(table.c.id.in_(ids))
    ).all()
    children: dict[int, list[tuple[str, str]]] = {}
    for child in kind.children:
        for record_id, label, value in conn.execute(
            text(
                f"SELECT f.{child.key}, {child.label}, f.{child.text} FROM {child.table} f "
                f"WHERE {child.condition('f')} AND f.{child.key} IN :ids ORDER BY f.id"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": ids},
        ):
            children.setdefault(record_id, []).append((label, value))
    out = {}
    for row in rows:
        record_id, name = row[0], row[1] or ""
        texts = [(kind.name, name)]
        texts += [(c, v) for c, v in zip(kind.texts, row[2 : 2 + len(kind.texts)], strict=True)]
        texts += children.get(record_id, [])
        end = len(row) - len(related)
        texts += [(part.name, v) for part, v in zip(kind.related, row[end:], strict=True)]
        field, shown, marks = _snippet(texts, query)
        detail, about = _describe(kind.kind, row[3 + len(kind.texts) : end])
        out[kind.kind, record_id] = SearchHit(
            kind=kind.kind,
            id=record_id,
            name=name,
            detail=detail,
            field=field,
            snippet=shown,
            highlights=marks,
            at=row[2 + len(kind.texts)],
            about_kind=about[0] if about else None,
            about_id=about[1] if about else None,
        )
    return out


def _snippet(
    texts: list[tuple[str, str | None]], query: SearchQuery
) -> tuple[str, str, list[tuple[int, int]]]:
    for field, value in texts:
        if value and (spans := search_text.find(query, value)):
            shown, marks = search_text.snippet(value, spans)
            return field, shown, marks
    field, value = texts[0]
    shown, _ = search_text.snippet(value or "", [])
    return field, shown, []


def _no_details(t: Any) -> list[Any]:
    return []


def _contact_details(t: Any) -> list[Any]:
    account = table_of(Company).alias("account")
    return [
        t.c.email,
        select(account.c.name).where(account.c.id == t.c.company_id).scalar_subquery(),
    ]


def _company_details(t: Any) -> list[Any]:
    return [t.c.domain]


def _deal_details(t: Any) -> list[Any]:
    account = table_of(Company).alias("account")
    return [
        select(account.c.name).where(account.c.id == t.c.company_id).scalar_subquery(),
        t.c.status,
    ]


def _activity_details(t: Any) -> list[Any]:
    person = table_of(Contact).alias("person")
    deal = table_of(Deal).alias("about_deal")
    account = table_of(Company).alias("account")
    return [
        t.c.kind,
        t.c.contact_id,
        select(person.c.name).where(person.c.id == t.c.contact_id).scalar_subquery(),
        t.c.deal_id,
        select(deal.c.title).where(deal.c.id == t.c.deal_id).scalar_subquery(),
        t.c.company_id,
        select(account.c.name).where(account.c.id == t.c.company_id).scalar_subquery(),
    ]


def _case_details(t: Any) -> list[Any]:
    person = table_of(Contact).alias("person")
    account = table_of(Company).alias("account")
    return [
        t.c.status,
        t.c.priority,
        t.c.contact_id,
        select(person.c.name).where(person.c.id == t.c.contact_id).scalar_subquery(),
        t.c.company_id,
        select(account.c.name).where(account.c.id == t.c.company_id).scalar_subquery(),
    ]


_DETAILS = {
    "case": _case_details,
    "contact": _contact_details,
    "company": _company_details,
    "deal": _deal_details,
    "activity": _activity_details,
}


def _describe(kind: str, values: Any) -> tuple[str, tuple[str, int] | None]:
    """The detail line of a hit, and for an activity the record it is about."""
    if kind == "activity":
        what, contact_id, contact, deal_id, deal, company_id, company = values
        about = (
            ("contact", contact_id)
            if contact_id
            else ("deal", deal_id)
            if deal_id
            else ("company", company_id)
            if company_id
            else None
        )
        return " · ".join(p for p in (what, contact, deal, company) if p), about
    if kind == "case":
        status, priority, contact_id, contact, company_id, company = values
        about = (
            ("contact", contact_id)
            if contact_id
            else ("company", company_id)
            if company_id
            else None
        )
        return " · ".join(p for p in (status, priority, contact, company) if p), about
    return " · ".join(str(p) for p in values if p), None
