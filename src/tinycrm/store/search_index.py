"""The full-text index ``tinycrm search`` and the filter ``text~`` look in: which records
are searchable (``SEARCH_KINDS``), what text of each, and how the index is kept in step.

One index table per kind. On SQLite an FTS5 table (``unicode61 remove_diacritics 2``,
prefix indexes of 2 and 3 characters) with two columns, ``name`` and ``body``; on
PostgreSQL a table of ``tsvector`` documents (the ``simple`` configuration, the name's
words weighted A) with a GIN index. Triggers keep both in step with every write, inside
the write's own transaction: adds, edits, deletes, merges, imports and their undo,
``db normalise``, restores. Bulk inserts defer them (``search_deferred``).

Adding a kind is a ``SearchKind`` here and a migration calling ``install(conn, [kind])``.

PostgreSQL folds case and accents with ``tinycrm_fold(text)``: ``unaccent`` where the
extension exists or the role may create it, else ``translate()`` over a table of accented
letters made from Unicode's decompositions (the same folding for documents and queries,
as the query is folded by the database too).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from tinycrm.search_text import _EXTRA


@dataclass(frozen=True)
class SearchKind:
    """A kind of record the search covers."""

    kind: str  # contact: the singular, as hits name it
    plural: str  # contacts: what --in takes
    table: str  # its table (ids are the index's row ids)
    name: str  # the column holding its name: hits on it rank first
    texts: tuple[str, ...]  # the other columns searched
    fields: bool = False  # its custom field values too (field_value.entity == kind)
    when: str = "updated_at"  # newest first on ties: this column (SQL over the row ``t``)


SEARCH_KINDS: dict[str, SearchKind] = {
    k.kind: k
    for k in (
        SearchKind("contact", "contacts", "contact", "name",
                   ("email", "phone", "title", "role", "notes"), fields=True),
        SearchKind("company", "companies", "company", "name",
                   ("domain", "industry", "phone", "address", "city", "country"), fields=True),
        SearchKind("deal", "deals", "deal", "title", ("lost_reason",), fields=True),
        SearchKind("activity", "activities", "activity", "subject", ("body",),
                   when="coalesce(t.occurred_at, t.created_at)"),
    )
}  # fmt: skip

MAX_BODY = 100_000
"""Characters of a record's text that are indexed (PostgreSQL's tsvector is at most 1 MB)."""

PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
"""Separators on PostgreSQL, as SQLite's tokenizer has them: anna@example.com is three words."""


def index_table(kind: SearchKind) -> str:
    return f"search_{kind.kind}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --------------------------------------------------------------------------- documents


def _fields_sql(kind: SearchKind, sqlite: bool) -> str:
    agg = "group_concat(f.value, ' ')" if sqlite else "string_agg(f.value, ' ')"
    return (
        f"(SELECT {agg} FROM field_value f WHERE f.entity = {_quote(kind.kind)} "
        "AND f.entity_id = t.id)"
    )


def _body_parts(kind: SearchKind, sqlite: bool) -> list[str]:
    parts = [f"t.{column}" for column in kind.texts]
    if kind.fields:
        parts.append(_fields_sql(kind, sqlite))
    return parts


def _refresh_sql(kind: SearchKind, sqlite: bool, where: str) -> str:
    """Index the rows ``t`` of ``kind`` matching ``where`` (their old entries gone first)."""
    table = index_table(kind)
    parts = _body_parts(kind, sqlite)
    if sqlite:
        body = " || ' ' || ".join(f"coalesce({p}, '')" for p in parts)
        return (
            f"INSERT INTO {table} (rowid, name, body) "
            f"SELECT t.id, t.{kind.name}, substr({body}, 1, {MAX_BODY}) "
            f"FROM {kind.table} t WHERE {where}"
        )
    doc = (
        f"setweight(to_tsvector('simple', tinycrm_fold(coalesce(t.{kind.name}, ''))), 'A') || "
        f"to_tsvector('simple', tinycrm_fold(left(concat_ws(' ', {', '.join(parts)}), "
        f"{MAX_BODY})))"
    )
    return (
        f"INSERT INTO {table} (id, doc) SELECT t.id, {doc} FROM {kind.table} t WHERE {where} "
        "ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc"
    )


# --------------------------------------------------------------------------- SQLite


def _sqlite_statements(kind: SearchKind) -> list[str]:
    table = index_table(kind)
    columns = (kind.name, *kind.texts)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    statements = [
        f"CREATE VIRTUAL TABLE {table} USING fts5(name, body, "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
        f"CREATE TRIGGER {table}_on_insert AFTER INSERT ON {kind.table} BEGIN "
        f"{_refresh_sql(kind, True, 't.id = new.id')}; END",
        f"CREATE TRIGGER {table}_on_update AFTER UPDATE OF {', '.join(columns)} "
        f"ON {kind.table} WHEN {changed} BEGIN "
        f"DELETE FROM {table} WHERE rowid = old.id; "
        f"{_refresh_sql(kind, True, 't.id = new.id')}; END",
        f"CREATE TRIGGER {table}_on_delete AFTER DELETE ON {kind.table} BEGIN "
        f"DELETE FROM {table} WHERE rowid = old.id; END",
    ]
    if kind.fields:
        name = _quote(kind.kind)
        for event, rows in (("insert", ("new",)), ("update", ("old", "new")), ("delete", ("old",))):
            body = ""
            for row in rows:
                body += (
                    f"DELETE FROM {table} WHERE {row}.entity = {name} AND rowid = {row}.entity_id; "
                    + _refresh_sql(kind, True, f"{row}.entity = {name} AND t.id = {row}.entity_id")
                    + "; "
                )
            when = " OR ".join(f"{row}.entity = {name}" for row in rows)
            statements.append(
                f"CREATE TRIGGER {table}_on_field_{event} AFTER {event.upper()} ON field_value "
                f"WHEN {when} BEGIN {body}END"
            )
    return statements


def _sqlite_has_fts5(conn: Connection) -> bool:
    return "ENABLE_FTS5" in {row[0] for row in conn.exec_driver_sql("PRAGMA compile_options")}


# --------------------------------------------------------------------------- PostgreSQL


def _accent_table() -> tuple[str, str]:
    """(from, to) for ``translate()``: every letter of the Latin, Greek and Cyrillic
    blocks whose decomposition is a base letter and accents, to that base letter."""
    source, target = [], []
    for code in [*range(0xC0, 0x250), *range(0x370, 0x530), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        if char.casefold() in _EXTRA or not char.isalpha():
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if len(base) == 1 and base != char:
            source.append(char)
            target.append(base)
    return "".join(source), "".join(target)


def _fold_sql(unaccent_schema: str | None) -> str:
    """The body of ``tinycrm_fold($1)``: punctuation to spaces, then accents and case off."""
    spaced = f"translate($1, {_quote(PUNCTUATION)}, {_quote(' ' * len(PUNCTUATION))})"
    if unaccent_schema is not None:
        schema = '"' + unaccent_schema.replace('"', '""') + '"'
        return f"lower({schema}.unaccent({_quote(schema + '.unaccent')}::regdictionary, {spaced}))"
    folded = f"lower({spaced})"
    for letter, plain in _EXTRA.items():
        for variant in {letter, letter.upper()}:
            folded = f"replace({folded}, {_quote(variant)}, {_quote(plain)})"
    source, target = _accent_table()
    return f"translate({folded}, {_quote(source)}, {_quote(target)})"


def _unaccent_schema(conn: Connection, *, allow: bool) -> str | None:
    """The schema of the unaccent extension, created now if it may be; None without it."""
    find = (
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'unaccent'"
    )
    if not allow:
        return None
    schema = conn.exec_driver_sql(find).scalar()
    if schema is None:
        try:
            with conn.begin_nested():
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
        except DBAPIError:
            return None  # not allowed here: translate() folds the accents instead
        schema = conn.exec_driver_sql(find).scalar()
    return schema


def install_fold(conn: Connection, *, unaccent: bool = True) -> str:
    """(Re)create ``tinycrm_fold`` in the current schema; which folding it uses
    (``unaccent`` or ``translate``). ``unaccent=False`` forces the fallback."""
    schema = _unaccent_schema(conn, allow=unaccent)
    fold = _fold_sql(schema).replace("%", "%%")  # (psycopg reads % as a placeholder)
    conn.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION tinycrm_fold(text) RETURNS text LANGUAGE sql IMMUTABLE "
        f"STRICT PARALLEL SAFE AS $fold$ SELECT {fold} $fold$"
    )
    return "translate" if schema is None else "unaccent"


def folding(conn: Connection) -> str:
    """Which folding ``tinycrm_fold`` uses here: unaccent or translate."""
    body = conn.exec_driver_sql(
        "SELECT prosrc FROM pg_proc WHERE proname = 'tinycrm_fold' "
        "AND pronamespace = current_schema()::regnamespace"
    ).scalar()
    return "unaccent" if body and "unaccent" in body else "translate"


_DEFERRED = "coalesce(current_setting('tinycrm.search_deferred', true), '') = 'on'"


def _pg_statements(kind: SearchKind) -> list[str]:
    table = index_table(kind)
    columns = (kind.name, *kind.texts)
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    statements = [
        f"CREATE TABLE {table} (id integer PRIMARY KEY, doc tsvector NOT NULL)",
        f"CREATE INDEX ix_{table}_doc ON {table} USING gin (doc)",
        f"CREATE FUNCTION {table}_on_write() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
        f"IF TG_OP = 'INSERT' AND {_DEFERRED} THEN RETURN NULL; END IF; "
        f"{_refresh_sql(kind, False, 't.id = NEW.id')}; RETURN NULL; END $body$",
        f"CREATE TRIGGER {table}_on_insert AFTER INSERT ON {kind.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_on_write()",
        f"CREATE TRIGGER {table}_on_update AFTER UPDATE OF {', '.join(columns)} "
        f"ON {kind.table} FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {table}_on_write()",
        f"CREATE FUNCTION {table}_on_delete() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
        f"DELETE FROM {table} s USING gone WHERE s.id = gone.id; RETURN NULL; END $body$",
        f"CREATE TRIGGER {table}_on_delete AFTER DELETE ON {kind.table} "
        f"REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION {table}_on_delete()",
    ]
    if kind.fields:
        name = _quote(kind.kind)
        statements += [
            f"CREATE FUNCTION {table}_on_field() RETURNS trigger LANGUAGE plpgsql AS $body$ "
            "BEGIN "
            f"IF TG_OP <> 'DELETE' AND NEW.entity = {name} "
            f"AND NOT (TG_OP = 'INSERT' AND {_DEFERRED}) THEN "
            f"{_refresh_sql(kind, False, 't.id = NEW.entity_id')}; END IF; "
            f"IF TG_OP <> 'INSERT' AND OLD.entity = {name} THEN "
            f"{_refresh_sql(kind, False, 't.id = OLD.entity_id')}; END IF; "
            "RETURN NULL; END $body$",
            f"CREATE TRIGGER {table}_on_field AFTER INSERT OR UPDATE OR DELETE ON field_value "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_on_field()",
        ]
    return statements


# --------------------------------------------------------------------------- install


def install(conn: Connection, kinds: Iterable[str] | None = None) -> None:
    """Create the index of ``kinds`` (default: all) and fill it from the rows there are.
    Where SQLite lacks FTS5 nothing is created and search says so."""
    chosen = [SEARCH_KINDS[k] for k in (kinds or SEARCH_KINDS)]
    sqlite = conn.dialect.name == "sqlite"
    if sqlite and not _sqlite_has_fts5(conn):
        return
    if not sqlite:
        install_fold(conn)
    for kind in chosen:
        for statement in _sqlite_statements(kind) if sqlite else _pg_statements(kind):
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql(_refresh_sql(kind, sqlite, "1 = 1"))


def uninstall(conn: Connection, kinds: Iterable[str] | None = None) -> None:
    """Drop the index of ``kinds`` (default: all), its triggers with it."""
    sqlite = conn.dialect.name == "sqlite"
    for kind in [SEARCH_KINDS[k] for k in (kinds or SEARCH_KINDS)]:
        table = index_table(kind)
        if sqlite:
            for name in present_triggers(conn, table):
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        else:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
            for function in ("on_write", "on_delete", "on_field"):
                conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {table}_{function}() CASCADE")
    if not sqlite and kinds is None:
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS tinycrm_fold(text)")


def present_triggers(conn: Connection, table: str) -> list[str]:
    """The SQLite triggers of the index table ``table``."""
    return list(
        conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\'",
            (table.replace("_", "\\_") + "\\_on\\_%",),
        ).scalars()
    )


def rebuild(conn: Connection, kinds: Iterable[str] | None = None) -> None:
    """Index every row of ``kinds`` (default: all) again from scratch."""
    sqlite = conn.dialect.name == "sqlite"
    for kind in [SEARCH_KINDS[k] for k in (kinds or SEARCH_KINDS)]:
        conn.exec_driver_sql(f"DELETE FROM {index_table(kind)}")
        conn.exec_driver_sql(_refresh_sql(kind, sqlite, "1 = 1"))


# --------------------------------------------------------------------------- bulk writes


@contextmanager
def search_deferred(conn: Connection) -> Iterator[None]:
    """Inside: rows inserted (and custom fields added) are not indexed one by one; on
    leaving, every new row is indexed in one statement per kind, and the records that
    got new custom fields again. Edits and deletes still go through the triggers.

    On SQLite the insert triggers are dropped and re-created inside the caller's
    transaction (a rollback restores them); on PostgreSQL a transaction-local setting
    tells them to wait. Nested use defers to the outermost."""
    if conn.info.get("search_deferred"):
        yield
        return
    sqlite = conn.dialect.name == "sqlite"
    present = [k for k in SEARCH_KINDS.values() if _has_index(conn, k)]
    if not present:
        yield
        return
    tables = {k.table for k in present} | {"field_value"}
    before = {
        name: conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {name}").scalar() or 0
        for name in tables
    }
    saved: list[tuple[str, str]] = []
    if sqlite:
        for kind in present:
            for name, sql in conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)",
                (f"{index_table(kind)}_on_insert", f"{index_table(kind)}_on_field_insert"),
            ):
                saved.append((name, sql))
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
    else:
        conn.exec_driver_sql("SET LOCAL tinycrm.search_deferred = 'on'")
    conn.info["search_deferred"] = True
    try:
        yield
    finally:
        conn.info.pop("search_deferred", None)
    for kind in present:
        mine = int(before[kind.table])
        if kind.fields:
            reindex(
                conn,
                kind.kind,
                f"t.id <= {mine} AND t.id IN (SELECT entity_id FROM field_value "
                f"WHERE entity = {_quote(kind.kind)} AND id > {int(before['field_value'])})",
            )
        conn.exec_driver_sql(_refresh_sql(kind, sqlite, f"t.id > {mine}"))
    if sqlite:
        for _, sql in saved:
            conn.exec_driver_sql(sql)
    else:
        conn.exec_driver_sql("SET LOCAL tinycrm.search_deferred = 'off'")


def reindex(conn: Connection, kind: str, where: str) -> None:
    """Index again the rows ``t`` of ``kind`` matching the SQL condition ``where``."""
    spec = SEARCH_KINDS[kind]
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql(
            f"DELETE FROM {index_table(spec)} WHERE rowid IN "
            f"(SELECT t.id FROM {spec.table} t WHERE {where})"
        )
    conn.exec_driver_sql(_refresh_sql(spec, sqlite, where))


def _has_index(conn: Connection, kind: SearchKind) -> bool:
    if conn.dialect.name == "sqlite":
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        return conn.exec_driver_sql(query, (index_table(kind),)).first() is not None
    return conn.exec_driver_sql("SELECT to_regclass(%s)", (index_table(kind),)).scalar() is not None


def has_index(conn: Connection, kind: str) -> bool:
    """Whether the index of ``kind`` exists here (not on an SQLite without FTS5)."""
    return _has_index(conn, SEARCH_KINDS[kind])


def index_info(conn: Connection) -> dict[str, Any]:
    """What the index is on this database: its kinds and (PostgreSQL) its folding."""
    info: dict[str, Any] = {"kinds": [k.kind for k in SEARCH_KINDS.values() if _has_index(conn, k)]}
    if conn.dialect.name != "sqlite":
        info["folding"] = folding(conn)
    return info
