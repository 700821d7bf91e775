"""One search for everything: ``search(store, "contr")`` finds the contacts, companies,
deals and activities whose text holds the words, from the full-text index
(``store/search_index.py``).

Ranking: names equal to what was typed first (a contact's, a company's, a deal's before
an activity's or a case's subject; the contacts whose email, or phone as a number, and
the company whose domain is the text with them, an address's domain's company right
after them), then names starting with its words, then names starting with it
(``anna`` and "Annabel"), then the rest by full-text relevance (the name counts ten
times the rest), newest first on ties. Relevance is weighed among the ``WINDOW`` newest
matches of each kind, so that a word in half the database still answers at once
(``store/search_match.py`` finds them).
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
from tinycrm.search_text import SearchQuery
from tinycrm.store import validate
from tinycrm.store.engine import Store
from tinycrm.store.errors import Invalid, TinyCrmError
from tinycrm.store.models import Company, Contact, Deal, ReadModel, table_of
from tinycrm.store.search_fold import query_fold_sql
from tinycrm.store.search_index import SEARCH_KINDS, SearchKind, index_table
from tinycrm.store.search_match import NAME_CANDIDATES, Match

MENTIONS = frozenset({"activity", "case"})
"""Kinds whose "name" is a subject: one equal to the text ranks after the records (a
contact, a company, a deal) so named, as a task "Müller" is about Müller, not Müller."""


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
    """The parsed search text; too long, holding NUL or bytes that were not UTF-8:
    ``Invalid``."""
    validate.text(query, "search")
    if len(query) > validate.MAX_SEARCH:
        raise Invalid(
            f"search text is too long: {len(query):,} characters (at most {validate.MAX_SEARCH:,})",
            field="search",
        )
    validate.searchable(query)
    if not query.isascii():
        try:
            query.encode()
        except UnicodeEncodeError:  # a lone surrogate: bytes that were not UTF-8
            raise Invalid(
                "text holds bytes that are not UTF-8 (is the terminal's locale UTF-8?)",
                field="search",
            ) from None
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
        match = Match(conn, parsed, chosen)
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
    match = compiler.process(bindparam(None, Match.fts5(element.query.terms), unique=True), **kw)
    column = compiler.process(element.id_column, **kw)
    return f"{column} IN (SELECT rowid FROM {table} WHERE {table} MATCH {match})"


@compiles(_TextMatch, "postgresql")
def _text_match_postgresql(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    def lexeme(word: str) -> str:
        value = compiler.process(bindparam(None, word, unique=True), **kw)
        return f"quote_literal({query_fold_sql(value)})"

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
