"""The full-text index ``tinycrm search`` and the filter ``text~`` look in: which records
are searchable (``SEARCH_KINDS``), what text of each, and how the index is kept in step.

One index table per kind. On SQLite an FTS5 table (``unicode61 remove_diacritics 2``,
prefix indexes of 2 and 3 characters) with two columns, ``name`` and ``body``, holding
the text folded by ``search_text.fold`` (the function ``tinycrm_fold`` every tinycrm
connection to SQLite has, ``register_sqlite_fold``); on
PostgreSQL a table of ``tsvector`` documents (the ``simple`` configuration, the name's
words weighted A) with a GIN index. Triggers keep both in step with every write, inside
the write's own transaction: adds, edits, deletes, merges, imports and their undo,
``db normalise``, restores. Bulk inserts defer them (``search_deferred``).

Adding a kind is a ``SearchKind`` here and a migration calling ``install(conn, [kind])``.

PostgreSQL folds case and accents with ``tinycrm_fold(text)`` (``store/search_fold.py``),
as ``search_text.fold`` does, for documents and queries alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from tinycrm import interrupts
from tinycrm.search_text import MAX_WORD_BYTES, NEGATIVE_CIRCLED, index_fold, sql_fold
from tinycrm.store.fts_fill import fts_hash
from tinycrm.store.search_fold import folding, has_fold, install_fold, sql_literal


@dataclass(frozen=True)
class Children:
    """Rows of another table whose text is part of a record's: its custom field values,
    a case's messages. ``where`` narrows them, written over the row ``{row}``."""

    name: str  # in trigger names: search_contact_on_field_insert
    table: str  # field_value
    key: str  # the column holding the record's id: entity_id
    text: str  # the column searched: value
    label: str  # SQL over the child row ``f``: where a snippet from it was found
    where: str = ""  # e.g. "{row}.entity = 'contact'"

    def condition(self, row: str) -> str:
        return self.where.format(row=row) if self.where else "1 = 1"


@dataclass(frozen=True)
class Related:
    """A column of the row a record points to that is part of the record's text: an
    activity's contact's name ("Ada" finds the call logged with Ada Lovelace)."""

    name: str  # in trigger names: search_activity_on_contact
    table: str  # contact
    key: str  # the record's column pointing to it: contact_id
    text: str  # the column searched: name

    def sql(self) -> str:
        return f"(SELECT r.{self.text} FROM {self.table} r WHERE r.id = t.{self.key})"


def custom_fields(kind: str) -> Children:
    """The custom field values of records of ``kind`` (``field_value``)."""
    return Children("field", "field_value", "entity_id", "value", "'field.' || f.key",
                    "{row}.entity = " + sql_literal(kind))  # fmt: skip


@dataclass(frozen=True)
class SearchKind:
    """A kind of record the search covers: adding one is an entry in ``SEARCH_KINDS``, a
    migration calling ``install(conn, [kind])``, and its hit's detail line in
    ``store/search.py``."""

    kind: str  # contact: the singular, as hits name it
    plural: str  # contacts: what --in takes
    table: str  # its table (ids are the index's row ids)
    name: str  # the column holding its name: hits on it rank first
    texts: tuple[str, ...]  # the other columns searched
    children: tuple[Children, ...] = ()  # text of other tables' rows
    related: tuple[Related, ...] = ()  # text of the rows it points to
    when: str = "updated_at"  # newest first on ties: this column, else the next
    when_else: str | None = None
    # PostgreSQL: its words listed in ``WORDS`` (word prefixes looked up as words): for
    # kinds of many rows and long texts, where the index's own prefix match costs most
    words: bool = False


SEARCH_KINDS: dict[str, SearchKind] = {
    k.kind: k
    for k in (
        SearchKind("contact", "contacts", "contact", "name",
                   ("email", "phone", "title", "role", "notes"), (custom_fields("contact"),)),
        SearchKind("company", "companies", "company", "name",
                   ("domain", "industry", "phone", "address", "city", "country"),
                   (custom_fields("company"),)),
        SearchKind("deal", "deals", "deal", "title", ("lost_reason",), (custom_fields("deal"),)),
        SearchKind("activity", "activities", "activity", "subject", ("body",),
                   related=(Related("contact", "contact", "contact_id", "name"),),
                   when="occurred_at", when_else="created_at", words=True),
        SearchKind("case", "cases", "support_case", "subject", ("csat_comment",),
                   (Children("message", "case_message", "case_id", "body", "'message'"),)),
    )
}  # fmt: skip

MAX_BODY = 100_000
"""Characters of a record's text that are indexed (PostgreSQL's tsvector is at most 1 MB)."""


def index_table(kind: SearchKind) -> str:
    return f"search_{kind.kind}"


# --------------------------------------------------------------------------- documents


def _children_sql(children: Children, sqlite: bool) -> str:
    agg = "group_concat" if sqlite else "string_agg"
    agg += f"(f.{children.text}, ' ')"
    return (
        f"(SELECT {agg} FROM {children.table} f WHERE {children.condition('f')} "
        f"AND f.{children.key} = t.id)"
    )


def _related(kind: SearchKind, legacy: bool) -> tuple[Related, ...]:
    return () if legacy else kind.related  # (before 0025: none)


def _watched(kind: SearchKind, legacy: bool) -> tuple[str, ...]:
    """The columns of ``kind``'s table whose change changes its text."""
    return (kind.name, *kind.texts, *(r.key for r in _related(kind, legacy)))


def _body_parts(kind: SearchKind, sqlite: bool, legacy: bool = False) -> list[str]:
    parts = [f"t.{column}" for column in kind.texts]
    parts += [_children_sql(children, sqlite) for children in kind.children]
    parts += [related.sql() for related in _related(kind, legacy)]
    return parts


def _refresh_sql(kind: SearchKind, sqlite: bool, where: str, *, legacy: bool = False) -> str:
    """Index the rows ``t`` of ``kind`` matching ``where`` (their old entries gone first).
    ``legacy``: as before migration 0025 (SQLite: the text as stored, not folded; no
    text of related rows)."""
    table = index_table(kind)
    parts = _body_parts(kind, sqlite, legacy)
    if sqlite:
        body = " || ' ' || ".join(f"coalesce({p}, '')" for p in parts)
        folding = "" if legacy else "tinycrm_fold"
        return (
            f"INSERT INTO {table} (rowid, name, body) SELECT t.id, "
            f"{folding}(t.{kind.name}), {folding}(substr({body}, 1, {MAX_BODY})) "
            f"FROM {kind.table} t WHERE {where}"
        )
    doc = (
        "setweight(n.v, 'A') || "
        f"to_tsvector('simple', tinycrm_fold(left(concat_ws(' ', {', '.join(parts)}), "
        f"{MAX_BODY})))"
    )
    return (
        f"INSERT INTO {table} (id, name, doc) SELECT t.id, n.v, {doc} FROM {kind.table} t "
        f"CROSS JOIN LATERAL (SELECT {_pg_name(kind)} AS v) n WHERE {where} "
        "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, doc = EXCLUDED.doc"
    )


def _pg_name(kind: SearchKind) -> str:
    """The name's words alone (PostgreSQL): what "names first" looks in, with an index of
    its own (a weight in ``doc`` cannot be checked by the index, only by reading rows)."""
    return f"to_tsvector('simple', tinycrm_fold(coalesce(t.{kind.name}, '')))"


# --------------------------------------------------------------------------- SQLite


TOKENIZER = "'unicode61 remove_diacritics 2 categories ''L* N* Co M*'''"
"""SQLite's tokenizer: letters, digits and marks (a vowel sign, a virama) make words, as
PostgreSQL's parser and ``search_text.WORD`` read them (marks split words before 0037)."""
_OLD_TOKENIZER = "'unicode61 remove_diacritics 2'"


def _tokenizer(conn: Connection, legacy: bool) -> str:
    """``TOKENIZER``, or where SQLite is too old for its categories (before 3.30) or the
    index is made as before 0025 (``legacy``), the one the index had before."""
    if legacy:
        return _OLD_TOKENIZER
    probe = f"CREATE VIRTUAL TABLE temp.tinycrm_probe USING fts5(x, tokenize={TOKENIZER})"
    try:
        conn.exec_driver_sql(probe)
    except DBAPIError:
        return _OLD_TOKENIZER
    conn.exec_driver_sql("DROP TABLE temp.tinycrm_probe")
    return TOKENIZER


def _sqlite_statements(kind: SearchKind, tokenizer: str, *, legacy: bool = False) -> list[str]:
    table = index_table(kind)
    columns = _watched(kind, legacy)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    statements = [
        f"CREATE VIRTUAL TABLE {table} USING fts5(name, body, tokenize={tokenizer}, prefix='2 3')",
        f"CREATE TRIGGER {table}_on_insert AFTER INSERT ON {kind.table} BEGIN "
        f"{_refresh_sql(kind, True, 't.id = new.id', legacy=legacy)}; END",
        f"CREATE TRIGGER {table}_on_update AFTER UPDATE OF {', '.join(columns)} "
        f"ON {kind.table} WHEN {changed} BEGIN "
        f"DELETE FROM {table} WHERE rowid = old.id; "
        f"{_refresh_sql(kind, True, 't.id = new.id', legacy=legacy)}; END",
        f"CREATE TRIGGER {table}_on_delete AFTER DELETE ON {kind.table} BEGIN "
        f"DELETE FROM {table} WHERE rowid = old.id; END",
    ]
    for children in kind.children:
        for event, rows in (("insert", ("new",)), ("update", ("old", "new")), ("delete", ("old",))):
            body = ""
            for row in rows:
                mine = f"{children.condition(row)} AND {{}} = {row}.{children.key}"
                body += (
                    f"DELETE FROM {table} WHERE {mine.format('rowid')}; "
                    + _refresh_sql(kind, True, mine.format("t.id"), legacy=legacy)
                    + "; "
                )
            when = " OR ".join(f"({children.condition(row)})" for row in rows)
            statements.append(
                f"CREATE TRIGGER {table}_on_{children.name}_{event} AFTER {event.upper()} "
                f"ON {children.table} WHEN {when} BEGIN {body}END"
            )
    for related in _related(kind, legacy):
        mine = f"{{}} IN (SELECT id FROM {kind.table} WHERE {related.key} = new.id)"
        statements.append(
            f"CREATE TRIGGER {table}_on_{related.name}_update AFTER UPDATE OF {related.text} "
            f"ON {related.table} WHEN old.{related.text} IS NOT new.{related.text} BEGIN "
            f"DELETE FROM {table} WHERE {mine.format('rowid')}; "
            f"{_refresh_sql(kind, True, f't.{related.key} = new.id', legacy=legacy)}; END"
        )
    return statements


def register_sqlite_fold(dbapi_conn: Any) -> None:
    """Give an SQLite connection (the driver's) the function ``tinycrm_fold`` the index's
    triggers call. The engine does it for every connection it makes; the index's own
    functions do it for connections made elsewhere (Alembic's, a test's). A program
    writing records without it is refused by SQLite: "no such function: tinycrm_fold"."""
    dbapi_conn.create_function("tinycrm_fold", 1, _fold_in_sqlite, deterministic=True)
    # (the text as it is, for a list's LIKE: no word left out; on PostgreSQL
    # tinycrm_fold makes punctuation spaces, for words)
    dbapi_conn.create_function("tinycrm_fold_text", 1, _fold_text_in_sqlite, deterministic=True)


def _fold_in_sqlite(text: Any) -> Any:
    """``index_fold`` as SQLite calls it from the index's triggers. A Ctrl-C (TERM)
    landing in it would reach the command as "user-defined function raised exception", a
    database error: it is kept (``interrupts.take_back``) and raised once the statement
    has returned (the engine's ``interrupts.check``), so the command is interrupted and
    rolls back as anywhere else."""
    try:
        return index_fold(text)
    except KeyboardInterrupt as exc:
        if not interrupts.take_back(exc):
            raise
        return index_fold(text)


def _fold_text_in_sqlite(text: Any) -> Any:
    """``sql_fold`` as SQLite calls it for a list's LIKE (``_fold_in_sqlite``'s care)."""
    try:
        return sql_fold(text)
    except KeyboardInterrupt as exc:
        if not interrupts.take_back(exc):
            raise
        return sql_fold(text)


def _sqlite_fold_ready(conn: Connection) -> None:
    """``tinycrm_fold`` on ``conn`` (SQLite), once per connection: SQLite refuses to make
    a function again while a statement is open."""
    if conn.dialect.name != "sqlite" or conn.connection.info.get("tinycrm_fold"):
        return
    with suppress(sqlite3.OperationalError):  # there already, and in use
        register_sqlite_fold(conn.connection.driver_connection)
    conn.connection.info["tinycrm_fold"] = True


def _sqlite_has_fts5(conn: Connection) -> bool:
    return "ENABLE_FTS5" in {row[0] for row in conn.exec_driver_sql("PRAGMA compile_options")}


# --------------------------------------------------------------------------- PostgreSQL


_DEFERRED = "coalesce(current_setting('tinycrm.search_deferred', true), '') = 'on'"


def _pg_statements(kind: SearchKind, *, legacy: bool = False) -> list[str]:
    table = index_table(kind)
    return [
        # The documents out of line (TOAST): the table itself stays small, so that finding
        # the newest of many matches reads ids, not every matching document.
        f"CREATE TABLE {table} (id integer PRIMARY KEY, name tsvector NOT NULL, "
        "doc tsvector NOT NULL) WITH (toast_tuple_target = 128)",
        f"ALTER TABLE {table} ALTER COLUMN doc SET STORAGE EXTERNAL",
        f"CREATE INDEX ix_{table}_doc ON {table} USING gin (doc)",
        f"CREATE INDEX ix_{table}_name ON {table} USING gin (name)",
        *_pg_functions(kind, legacy=legacy),
        *_pg_triggers(kind, legacy=legacy),
    ]


def _pg_functions(kind: SearchKind, *, legacy: bool = False) -> list[str]:
    table = index_table(kind)
    statements = [
        f"CREATE OR REPLACE FUNCTION {table}_on_write() RETURNS trigger LANGUAGE plpgsql "
        f"AS $body$ BEGIN IF TG_OP = 'INSERT' AND {_DEFERRED} THEN RETURN NULL; END IF; "
        f"{_refresh_sql(kind, False, 't.id = NEW.id', legacy=legacy)}; RETURN NULL; END $body$",
        f"CREATE OR REPLACE FUNCTION {table}_on_delete() RETURNS trigger LANGUAGE plpgsql "
        f"AS $body$ BEGIN DELETE FROM {table} s USING gone WHERE s.id = gone.id; RETURN NULL; "
        "END $body$",
    ]
    for children in kind.children:
        new, old = children.condition("NEW"), children.condition("OLD")
        statements.append(
            f"CREATE OR REPLACE FUNCTION {table}_on_{children.name}() RETURNS trigger "
            "LANGUAGE plpgsql AS $body$ BEGIN "
            f"IF TG_OP <> 'DELETE' AND {new} AND NOT (TG_OP = 'INSERT' AND {_DEFERRED}) THEN "
            f"{_refresh_sql(kind, False, f't.id = NEW.{children.key}', legacy=legacy)}; END IF; "
            f"IF TG_OP <> 'INSERT' AND {old} THEN "
            f"{_refresh_sql(kind, False, f't.id = OLD.{children.key}', legacy=legacy)}; END IF; "
            "RETURN NULL; END $body$"
        )
    for related in _related(kind, legacy):
        statements.append(
            f"CREATE OR REPLACE FUNCTION {table}_on_{related.name}() RETURNS trigger "
            "LANGUAGE plpgsql AS $body$ BEGIN "
            f"{_refresh_sql(kind, False, f't.{related.key} = NEW.id')}; "
            "RETURN NULL; END $body$"
        )
    return statements


def _pg_triggers(kind: SearchKind, *, legacy: bool = False) -> list[str]:
    table = index_table(kind)
    columns = _watched(kind, legacy)
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    statements = [
        f"CREATE TRIGGER {table}_on_insert AFTER INSERT ON {kind.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_on_write()",
        f"CREATE TRIGGER {table}_on_update AFTER UPDATE OF {', '.join(columns)} "
        f"ON {kind.table} FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {table}_on_write()",
        f"CREATE TRIGGER {table}_on_delete AFTER DELETE ON {kind.table} "
        f"REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION {table}_on_delete()",
    ]
    for children in kind.children:
        function = f"{table}_on_{children.name}"
        statements.append(
            f"CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {children.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    for related in _related(kind, legacy):
        function = f"{table}_on_{related.name}"
        statements.append(
            f"CREATE TRIGGER {function} AFTER UPDATE OF {related.text} ON {related.table} "
            f"FOR EACH ROW WHEN (OLD.{related.text} IS DISTINCT FROM NEW.{related.text}) "
            f"EXECUTE FUNCTION {function}()"
        )
    return statements


WORDS = "search_word"
"""PostgreSQL: every word (lexeme) of the documents of the kinds with ``words`` (activities:
the most rows, the longest texts) that starts with a letter
(``WORD_START`` or after, by code point), so that a word prefix is looked up as the words
it begins (``contr``: contract, contractor) rather than by the GIN index's prefix match,
which reads every row id of every such word into a bitmap first (two common words typed as
prefixes: 0.2 s over 1,000,000 activities, against 0.02 s for the same words spelled out).
Numbers (phone numbers, ids) are left to the index, and so are the other kinds: fewer rows,
and their distinct words (names, emails, phones) would make every contact import pay.
Words are added by statement triggers on the index tables and never removed: a word no
record holds any more matches nothing."""
WORD_START = ":"


def _words_sql(rows: str) -> str:
    """The words of the documents of ``rows`` for ``WORDS``, sorted: two writers adding
    the same new words wait for each other in one order (no deadlock)."""
    return (
        f'SELECT DISTINCT w COLLATE "C" FROM {rows} s, unnest(tsvector_to_array(s.doc)) w '
        f'WHERE w COLLATE "C" >= {sql_literal(WORD_START)} ORDER BY 1 ON CONFLICT DO NOTHING'
    )


def _pg_word_statements(kinds: Iterable[SearchKind]) -> list[str]:
    statements = [
        f'CREATE TABLE IF NOT EXISTS {WORDS} (word text COLLATE "C" PRIMARY KEY)',
        f"CREATE OR REPLACE FUNCTION {WORDS}_add() RETURNS trigger LANGUAGE plpgsql AS "
        f"$body$ BEGIN INSERT INTO {WORDS} {_words_sql('added')}; RETURN NULL; END $body$",
    ]
    for kind in kinds:
        if not kind.words:
            continue
        table = index_table(kind)
        for event in ("insert", "update"):
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_words_on_{event} ON {table}",
                f"CREATE TRIGGER {table}_words_on_{event} AFTER {event.upper()} ON {table} "
                f"REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {WORDS}_add()",
            ]
    return statements


def install_postgresql_words(conn: Connection) -> None:
    """Migration 0024: the table of words (``WORDS``) of the kinds with ``words`` whose
    index tables there are, filled from their documents, kept by their triggers from now on."""
    if conn.dialect.name == "sqlite":
        return
    present = [kind for kind in SEARCH_KINDS.values() if kind.words and _has_index(conn, kind)]
    for statement in _pg_word_statements(present):
        conn.exec_driver_sql(statement)
    for kind in present:
        conn.exec_driver_sql(f"INSERT INTO {WORDS} {_words_sql(index_table(kind))}")


def uninstall_postgresql_words(conn: Connection) -> None:
    """Migration 0024 undone: the table of words and its triggers gone."""
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {WORDS}")
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {WORDS}_add() CASCADE")


def refresh_postgresql_functions(conn: Connection) -> None:
    """Migration 0023: ``tinycrm_fold`` and the trigger functions again, as this module
    writes them now (the same folding, cheaper: replace() for punctuation, translate()
    only for text that is not ASCII; a record's name made into words once)."""
    if conn.dialect.name == "sqlite":
        return
    install_fold(conn, unaccent=folding(conn) == "unaccent")
    for kind in SEARCH_KINDS.values():
        if _has_index(conn, kind):
            for statement in _pg_functions(kind, legacy=True):
                conn.exec_driver_sql(statement)


def refold(conn: Connection) -> None:
    """PostgreSQL: ``tinycrm_fold`` made again as ``search_fold`` makes it now (its
    folding, unaccent or not, kept), and every record indexed again through it if it
    changed (the migrations that change the fold)."""
    body = (
        "SELECT prosrc FROM pg_proc WHERE proname = 'tinycrm_fold' "
        "AND pronamespace = current_schema()::regnamespace"
    )
    before = conn.exec_driver_sql(body).scalar()
    install_fold(conn, unaccent=folding(conn) == "unaccent")
    if conn.exec_driver_sql(body).scalar() != before:
        rebuild(conn)


def upgrade_postgresql_names(conn: Connection) -> None:
    """Migration 0022: PostgreSQL's index tables made by 0018 and 0020 get the ``name``
    column (its own GIN index) and keep their documents out of line; the trigger
    functions fill both. Nothing to do on SQLite, or where the tables have it already."""
    if conn.dialect.name == "sqlite":
        return
    for kind in SEARCH_KINDS.values():
        if not _has_index(conn, kind):
            continue
        table = index_table(kind)
        for statement in (
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS name tsvector",
            f"ALTER TABLE {table} SET (toast_tuple_target = 128)",
            f"ALTER TABLE {table} ALTER COLUMN doc SET STORAGE EXTERNAL",
            *_pg_functions(kind, legacy=True),
            # every row written again: the name filled, the document moved out of line
            f"UPDATE {table} s SET name = {_pg_name(kind)}, doc = s.doc "
            f"FROM {kind.table} t WHERE t.id = s.id AND s.name IS NULL",
            f"DELETE FROM {table} WHERE name IS NULL",
            f"ALTER TABLE {table} ALTER COLUMN name SET NOT NULL",
            f"CREATE INDEX IF NOT EXISTS ix_{table}_name ON {table} USING gin (name)",
        ):
            conn.exec_driver_sql(statement)


# --------------------------------------------------------------------------- install


def install(conn: Connection, kinds: Iterable[str] | None = None, *, legacy: bool = False) -> None:
    """Create the index of ``kinds`` (default: all) and fill it from the rows there are.
    Where SQLite lacks FTS5 nothing is created and search says so. ``legacy``: the index
    as migrations before 0025 made it (what 0018 and 0020 make, 0025 makes again)."""
    chosen = [SEARCH_KINDS[k] for k in (kinds or SEARCH_KINDS)]
    sqlite = conn.dialect.name == "sqlite"
    if sqlite and not _sqlite_has_fts5(conn):
        return
    _sqlite_fold_ready(conn)
    if not sqlite and not has_fold(conn):
        install_fold(conn)
    for kind in chosen:
        statements = (
            _sqlite_statements(kind, _tokenizer(conn, legacy), legacy=legacy)
            if sqlite
            else _pg_statements(kind, legacy=legacy)
        )
        for statement in statements:
            conn.exec_driver_sql(statement)
        if not sqlite:
            for statement in _pg_word_statements([kind]):
                conn.exec_driver_sql(statement)
        conn.exec_driver_sql(_refresh_sql(kind, sqlite, "1 = 1", legacy=legacy))


def reinstall(conn: Connection, *, legacy: bool = False) -> None:
    """Migration 0025 (and its undo, ``legacy``): the whole index made again, as this
    module makes it, and filled from every record: on SQLite the text folded by
    ``search_text.fold``; on PostgreSQL ``tinycrm_fold`` made again to fold as it does
    (its folding, unaccent or translate(), kept)."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite and not _sqlite_has_fts5(conn):
        return
    unaccent = sqlite or folding(conn) == "unaccent"
    uninstall(conn)
    if not sqlite:
        install_fold(conn, unaccent=unaccent)
    install(conn, legacy=legacy)


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
            names = ["on_write", "on_delete", *(f"on_{c.name}" for c in kind.children)]
            names += [f"on_{r.name}" for r in kind.related]
            for function in names:
                conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {table}_{function}() CASCADE")
    if not sqlite and kinds is None:
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS tinycrm_fold(text)")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {WORDS}")
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {WORDS}_add() CASCADE")


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
    _sqlite_fold_ready(conn)
    for kind in [SEARCH_KINDS[k] for k in (kinds or SEARCH_KINDS)]:
        conn.exec_driver_sql(f"DELETE FROM {index_table(kind)}")
        conn.exec_driver_sql(_refresh_sql(kind, sqlite, "1 = 1"))


# --------------------------------------------------------------------------- bulk writes


@contextmanager
def search_deferred(conn: Connection) -> Iterator[None]:
    """Inside: rows inserted (and custom fields or other children added) are not indexed
    one by one; on leaving, every new row is indexed in one statement per kind, and the
    records that got new children again. Edits and deletes still go through the triggers.

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
    tables = {k.table for k in present} | {c.table for k in present for c in k.children}
    before = {
        name: conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {name}").scalar() or 0
        for name in tables
    }
    saved: list[tuple[str, str]] = []
    _sqlite_fold_ready(conn)
    if sqlite:
        for kind in present:
            names = [f"{index_table(kind)}_on_insert"]
            names += [f"{index_table(kind)}_on_{c.name}_insert" for c in kind.children]
            for name, sql in conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN "
                f"({', '.join('?' * len(names))})",
                tuple(names),
            ):
                saved.append((name, sql))
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
    else:
        conn.exec_driver_sql("SET LOCAL tinycrm.search_deferred = 'on'")
    conn.info["search_deferred"] = True
    try:
        yield
    finally:
        # An interrupted statement invalidates the connection (its info goes with it):
        # asking for its info then raises, and would hide the interruption.
        if not conn.invalidated:
            conn.info.pop("search_deferred", None)
    for kind in present:
        mine = int(before[kind.table])
        for children in kind.children:
            reindex(
                conn,
                kind.kind,
                f"t.id <= {mine} AND t.id IN (SELECT f.{children.key} FROM {children.table} f "
                f"WHERE {children.condition('f')} AND f.id > {int(before[children.table])})",
            )
        if sqlite:
            # A new row edited inside (an import's later row filling in an earlier one)
            # was indexed by the update trigger, which stays: its entry goes, as FTS5
            # has no upsert (PostgreSQL's fill replaces it).
            conn.exec_driver_sql(f"DELETE FROM {index_table(kind)} WHERE rowid > {mine}")
        last = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {kind.table}").scalar()
        with fts_hash(conn, index_table(kind), int(last or 0) - mine):
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
    _sqlite_fold_ready(conn)
    if sqlite:
        conn.exec_driver_sql(
            f"DELETE FROM {index_table(spec)} WHERE rowid IN "
            f"(SELECT t.id FROM {spec.table} t WHERE {where})"
        )
    conn.exec_driver_sql(_refresh_sql(spec, sqlite, where))


def reindex_long_texts(conn: Connection) -> None:
    """Migration 0036 (SQLite): index again the records whose text may hold a word too
    long for the index (``search_text.MAX_WORD_BYTES``: a column of 512 characters or
    more, as a character is at most four bytes) or a number in a black circle (⓫: read
    as 11 since, ``search_text.NEGATIVE_CIRCLED``)."""
    circled = sql_literal(f"*[{NEGATIVE_CIRCLED}]*")
    for kind in SEARCH_KINDS.values():
        if not _has_index(conn, kind):
            continue
        parts = [f"t.{kind.name}", *_body_parts(kind, conn.dialect.name == "sqlite")]
        odd = [f"length({part}) >= {MAX_WORD_BYTES // 4 + 1}" for part in parts]
        odd += [f"{part} GLOB {circled}" for part in parts]
        reindex(conn, kind.kind, " OR ".join(odd))


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
