"""The whole database as plain data, and back: ``export all`` and ``import all``.

A dump holds every row of every table (companies, contacts, pipelines and their
stages, deals and their stage history, activities and tasks, events, tags,
custom fields, import batches and whatever later schemas add), with ids and
timestamps as they are. Keys the store derives (``name_key``, ``sort_key``, ``title_key``,
``search_key``) are left out and computed again. Restoring one into an empty
database reproduces it exactly: dumping the restored database gives the same
dump. The restore adds no event of its own, so that this holds.

Also here: replacing a SQLite database file with a backup (``db restore``).
"""

from __future__ import annotations

import os
import re
import shlex
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import UTC, date, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Boolean, Date, Integer, String, delete, func, insert, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import SQLModel

import tinycrm.store.all_tables  # noqa: F401  (a dump holds every table)
from tinycrm import interrupts, money, safetext
from tinycrm.phones import try_normalise
from tinycrm.store import odd_dates, validate
from tinycrm.store.bulk import big_cache, contact_search_deferred, gc_paused
from tinycrm.store.companies import ENTITY as COMPANY
from tinycrm.store.companies import domains_apart
from tinycrm.store.contacts import contact_search_key
from tinycrm.store.dump_checks import RowChecks
from tinycrm.store.engine import (
    Store,
    backup_sqlite,
    libpq_url,
    read_only_uri,
    refuse_database_itself,
)
from tinycrm.store.errors import Conflict, Invalid, Unavailable
from tinycrm.store.ids import keep_ids_unused
from tinycrm.store.migrations import SCHEMA_HEAD
from tinycrm.store.odd_amounts import refuse_in_a_dump
from tinycrm.store.sqlite_connections import answering_signals
from tinycrm.store.sqlite_files import LogDamaged, check_database_path, sqlite_uri
from tinycrm.store.types import UTCDateTime, stored_type, utcnow
from tinycrm.vocab import plural

FORMAT = "tinycrm-dump"
VERSION = 1
DERIVED = {
    "name_key": "name",
    "sort_key": "name",
    "title_key": "title",
    "email_key": "email",  # before search_key, which holds it
    "search_key": None,
    "phone_e164": "phone",
}
# A database nobody has written to has no rows here (every write records an event); what
# else it holds (the default pipeline, other seeded settings) a restore replaces.
USER_TABLES = ("event", "company", "contact", "deal", "activity", "import_batch")
CHUNK = 5000


def _tables() -> list[Any]:
    return [t for t in SQLModel.metadata.sorted_tables if t.name != "alembic_version"]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def dump_database(store: Store) -> dict[str, Any]:
    """Every row of every table, in one consistent snapshot, as JSON-ready data."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with store.read() as session, gc_paused(), answering_signals(session.connection()):
        refuse_in_a_dump(session)
        odd_dates.refuse_in_a_dump(session)
        conn = session.connection()
        for table in _tables():
            columns = [c for c in table.c if c.name not in DERIVED]
            order = table.c.id if "id" in table.c else columns[0]
            tables[table.name] = [
                {key: _plain(value) for key, value in row.items()}
                for row in conn.execute(select(*columns).order_by(order)).mappings()
            ]
    return {**dump_head(store), "tables": tables}


def dump_head(store: Store) -> dict[str, Any]:
    """What a dump holds besides its tables: format, version, schema, when and by whom."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema": SCHEMA_HEAD,
        "exported_at": utcnow().isoformat(),
        "exported_by": store.user,
    }


def _convert(table: Any, column: Any, value: Any, where: str) -> Any:
    """A dumped value back into what the column holds; ``Invalid`` if it cannot be."""
    if value is None:
        if not column.nullable and not column.primary_key:
            raise Invalid(f"{where}: {column.name} must not be empty")
        return None
    kind = stored_type(column.type)  # an amount: its 64-bit integer
    try:
        if isinstance(kind, UTCDateTime):
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError("no time zone")
            return parsed.astimezone(UTC)
        if isinstance(kind, Date):
            return date.fromisoformat(value)
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                raise ValueError("not true or false")
            return value
        if isinstance(kind, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("not a whole number")
            if not -(2**63) <= value < 2**63:  # PostgreSQL's INTEGER is narrower: restore
                raise ValueError("out of range")
            return value
        text = isinstance(kind, String) or isinstance(getattr(kind, "impl", None), String)
        if text and not isinstance(value, str):  # String, and SQLModel's AutoString over it
            raise ValueError("not text")
        if isinstance(value, str) and not value.isascii():
            value.encode()  # JSON's "\ud800": no database stores it
        if isinstance(value, str) and "\x00" in value:  # as every write refuses it
            at = value.index("\x00") + 1
            raise ValueError(f"NUL characters are not allowed (\\x00 at position {at})")
        if column.name == "currency" and not (
            money.is_currency(value) and value == value.strip().upper()
        ):
            raise ValueError("not an ISO 4217 code such as EUR, USD, GBP")  # every sum needs it
    except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: year 1 east of UTC
        shown = safetext.json_shown(value)  # as the file has it, cut
        reason = "half of a character" if isinstance(exc, UnicodeEncodeError) else exc
        raise Invalid(f"{where}: {column.name} {shown} is not valid ({reason})") from None
    return value


def _rows(
    table: Any, dumped: Iterable[Any] | None, region: str | None = None, *, whole: bool = False
) -> Iterator[dict[str, Any]]:
    """``dumped`` (None: not a list) as rows to insert, one at a time. A column the dump
    lacks gets its default, as a later schema added it; unless the dump is ``whole``
    (made at this schema), which lacks none."""
    if dumped is None or isinstance(dumped, dict | str):
        raise Invalid(f"the dump's {table.name} is not a list of rows")
    known = {c.name for c in table.c}
    derived = [name for name in DERIVED if name in known]
    for index, item in enumerate(dumped):
        where = f"{table.name}[{index}]"
        if not isinstance(item, dict):
            raise Invalid(f"{where} is not an object")
        unknown = set(item) - known
        if unknown:
            raise Invalid(
                f"{where} has columns this tinycrm does not know ({', '.join(sorted(unknown))}); "
                "upgrade tinycrm"
            )
        row = {}
        for column in table.c:
            if column.name in DERIVED:
                continue
            if column.name not in item:
                if whole:  # cut out by hand: filled in, a won deal would come back open
                    raise Invalid(
                        f"{where}: {column.name} is missing (a dump of schema {SCHEMA_HEAD} "
                        "holds every column)"
                    )
                if column.default is not None and getattr(column.default, "is_scalar", False):
                    row[column.name] = column.default.arg
                    continue
                if not column.nullable and not column.primary_key:
                    raise Invalid(f"{where}: {column.name} is missing")
                made = column.default is not None and getattr(column.default, "is_callable", False)
                row[column.name] = column.default.arg(None) if made else None  # a contact's UID
                continue
            row[column.name] = _convert(table, column, item[column.name], where)
        for name in derived:
            source = DERIVED[name]
            if source is None:  # the contact search key, as every other write makes it
                row[name] = contact_search_key(row)
            elif name == "email_key":  # what the address is compared by
                row[name] = validate.stored_email_key(row.get(source))
            elif name == "sort_key":  # a list's order: the name folded
                row[name] = validate.folded(row.get(source) or "")
            elif name == "phone_e164":  # the contact's phone as a number (tinycrm.phones)
                row[name] = try_normalise(row.get(source), region)[0]
            else:
                row[name] = validate.key(row.get(source) or "")
        yield row


class DumpSource(Protocol):
    """A dump as ``restore_database`` reads it, a table at a time: ``head``, what it
    holds besides its tables (None: not a JSON object), the tables it holds (None: no
    ``tables`` object) and each one's rows (None: not a list), which may be read more
    than once (``formats.dump_reader.DumpFile`` reads them from the file each time)."""

    head: dict[str, Any] | None

    def table_names(self) -> list[str] | None: ...

    def rows(self, table: str) -> Iterable[Any] | None: ...


class _DumpData:
    """A dump held as data (``dump_database``'s) as a ``DumpSource``."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.head = (
            {k: v for k, v in data.items() if k != "tables"} if isinstance(data, dict) else None
        )

    def table_names(self) -> list[str] | None:
        tables = self.data.get("tables") if isinstance(self.data, dict) else None
        return list(tables) if isinstance(tables, dict) else None

    def rows(self, table: str) -> Iterable[Any] | None:
        rows = self.data["tables"][table]
        return rows if isinstance(rows, list) else None


def _checked_names(dump: DumpSource) -> list[str]:
    """The tables of a tinycrm dump this version can restore; ``Invalid`` if it is not one."""
    head = dump.head
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise Invalid("not a tinycrm dump (make one with: tinycrm export all --format json)")
    version = head.get("version")
    if type(version) is not int or version != VERSION:  # (JSON's true and 1.0 are not 1)
        raise Invalid(f"dump format version {safetext.json_shown(version)} is not {VERSION}")
    schema = head.get("schema", SCHEMA_HEAD)  # (one made by hand may leave it out)
    if not isinstance(schema, str) or not re.fullmatch(r"[0-9]{4,}", schema):
        raise Invalid(
            f"dump schema {safetext.json_shown(schema)} is not a schema revision "
            f"(this tinycrm's is {safetext.quoted(SCHEMA_HEAD)})"
        )
    if schema > SCHEMA_HEAD:  # it may mean other things by them
        raise Invalid(
            f"the dump was made at schema {safetext.quoted(schema)}, newer than this tinycrm "
            f"({SCHEMA_HEAD}); upgrade tinycrm"
        )
    names = dump.table_names()
    if names is None:
        raise Invalid("the dump has no tables")
    unknown = set(names) - {t.name for t in _tables()}
    if unknown:
        raise Invalid(
            f"the dump has tables this tinycrm does not know ({', '.join(sorted(unknown))}); "
            "upgrade tinycrm"
        )
    return names


def check_dump(dump: DumpSource) -> list[str]:
    """The tables of the dump ``dump`` to restore; ``Invalid`` in one line when this
    tinycrm cannot restore it (not a tinycrm dump, another version, a table missing
    from a whole one). Needs no database: a dump refused opens (and makes) none."""
    names = _checked_names(dump)
    whole = (dump.head or {}).get("schema") == SCHEMA_HEAD  # every table and column
    missing = [t.name for t in _tables() if t.name not in names]
    if whole and missing:
        raise Invalid(
            f"the dump has no {missing[0]} table (a dump of schema {SCHEMA_HEAD} holds every table)"
        )
    return names


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _domains_apart(dump: DumpSource, names: list[str]) -> tuple[dict[int, Any], list[Any]]:
    """``companies.domains_apart`` over a dump read a table at a time: the companies whose
    domain changes (id: the domain kept), and the custom-field rows added for the
    domains moved off. Only what it decides by is held: ids, domains, and the field
    keys of companies."""
    companies = dump.rows("company") if "company" in names else []
    if companies is None:
        return {}, []
    pairs = []
    for row in companies:
        if not isinstance(row, dict) or not _is_id(row.get("id")):
            return {}, []  # (refused by the restore)
        pairs.append({"id": row["id"], "domain": row.get("domain")})
    kept, _ = domains_apart(pairs, [])
    if kept is pairs:  # the common case: no field is read
        return {}, []
    fields = dump.rows("field_value") if "field_value" in names else []
    if fields is None:
        return {}, []
    mine, last = [], 0
    for field in fields:
        if not isinstance(field, dict):
            return {}, []
        if field.get("entity") == COMPANY:
            mine.append({k: field.get(k) for k in ("entity", "entity_id", "key")})
        if isinstance(field.get("id"), int):
            last = max(last, field["id"])
    mine.append({"id": last})
    kept, added = domains_apart(pairs, mine)
    changed = {p["id"]: k["domain"] for p, k in zip(pairs, kept, strict=True) if k is not p}
    return changed, added[len(mine) :]


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while part := list(islice(it, size)):
        yield part


def restore_database(store: Store, data: dict[str, Any] | DumpSource) -> dict[str, int]:
    """Load a dump into an empty database in one transaction; return rows per table.

    ``data``: ``dump_database``'s, or a ``DumpSource`` read a table at a time (a dump
    file: ``formats.dump_reader.DumpFile``), so memory holds a few thousand rows at once
    whatever the dump's size. "Empty" means nobody has written to it: no records and no
    events; what a new database starts with (the default pipeline) is replaced by the
    dump's. Anything else is refused (``Conflict``), as is a dump that does not hold
    together (``Invalid``), however far into it: nothing is written.
    """
    dump = data if hasattr(data, "table_names") else _DumpData(data)
    assert not isinstance(dump, dict)
    names = check_dump(dump)
    whole = (dump.head or {}).get("schema") == SCHEMA_HEAD  # every table and column
    counts: dict[str, int] = {}
    with store.write() as session, gc_paused():
        conn = session.connection()
        for name in USER_TABLES:
            table = SQLModel.metadata.tables[name]
            n = conn.execute(select(func.count()).select_from(table)).scalar() or 0
            if n:
                raise Conflict(
                    "import all restores into an empty database, and this one has "
                    f"{plural(n, name.replace('_', ' ') + ' row')} (start a new one with --db FILE)"
                )
        for table in reversed(_tables()):
            conn.execute(delete(table))
        moved, moved_fields = _domains_apart(dump, names)  # one company a domain, since 0009
        stages: list[dict[str, Any]] = []  # (a deal's stage is checked against them)
        region = store.phone_region()
        # 16 MiB of pages: 64 took 57 MiB more of the restore's memory, for no time saved
        with big_cache(store, conn, 16), contact_search_deferred(store, conn) as search:
            for table in _tables():
                dumped = dump.rows(table.name) if table.name in names else []
                if table.name == "company" and moved and dumped is not None:
                    dumped = (_moved(row, moved) for row in dumped)
                if table.name == "field_value" and moved_fields and dumped is not None:
                    dumped = chain(dumped, moved_fields)
                checks = RowChecks(table.name, stages)
                counts[table.name] = 0
                for part in _batches(_rows(table, dumped, region, whole=whole), CHUNK):
                    checks.check(part, counts[table.name])
                    counts[table.name] += len(part)
                    try:
                        conn.execute(insert(table), part)
                    except (IntegrityError, DataError) as exc:  # DataError: PostgreSQL's range
                        message = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
                        raise Invalid(
                            f"the dump does not hold together ({table.name}: {message})"
                        ) from None
                    if table.name == "stage":
                        stages.extend(
                            {"id": r["id"], "pipeline_id": r["pipeline_id"]} for r in part
                        )
                    if table.name == "contact":
                        for row in part:
                            search.inserted(row["id"])
                checks.done()
        if not store.is_sqlite:
            from sqlalchemy import text

            for table in _tables():
                if "id" in table.c and table.c.id.autoincrement:
                    conn.execute(
                        text(
                            "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        ),
                        {"t": table.name},
                    )
        keep_ids_unused(conn)  # not even a record deleted before the dump gets its id back
    return counts


def _moved(row: Any, moved: dict[int, Any]) -> Any:
    if isinstance(row, dict) and row.get("id") in moved and _is_id(row.get("id")):
        return {**row, "domain": moved[row["id"]]}
    return row


# --------------------------------------------------------------------------- database files


def remove_unwritten(path: Path) -> bool:
    """Remove the SQLite database ``path`` and the files beside it when nobody has written
    to it (no rows in the tables a restore finds empty): one a refused restore made where
    there was none. False, and nothing removed, when it holds anything or cannot be read."""
    try:
        conn = sqlite3.connect(sqlite_uri(path, "ro"), uri=True, timeout=0)
        try:
            used = any(
                conn.execute(f"SELECT 1 FROM {name} LIMIT 1").fetchone() for name in USER_TABLES
            )
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    if used:
        return False
    for end in ("-wal", "-shm", "-journal", ""):  # the database itself last
        with suppress(FileNotFoundError):
            os.remove(path.with_name(path.name + end))
    return True


def describe_sqlite(path: Path) -> dict[str, Any]:
    """What a SQLite file holds: its schema revision and how many records of each kind.

    Raises ``Invalid`` when it is not a tinycrm database.
    """
    if not path.is_file():
        if not path.exists():
            raise Invalid(f"{path} does not exist")
        if path.is_dir():
            raise Invalid(f"{path} is a folder: give a backup file")
        raise Invalid(f"{path} is not a file")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise Invalid(f"{path} is not an SQLite database (tinycrm db backup makes them)")
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            problem = conn.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise Invalid(f"{path} is damaged: {problem}")
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            counts = {
                name: conn.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
                for name in ("company", "contact", "deal", "activity")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise Invalid(f"{path} is not a tinycrm database ({exc})") from None
    return {"revision": revision[0] if revision else None, **counts}


def restorable_backup(source: Path) -> dict[str, Any]:
    """What the backup ``source`` holds (``describe_sqlite``), or ``Invalid`` in one line
    when this tinycrm cannot restore it: not a tinycrm database, no schema revision, or
    a schema a newer tinycrm made."""
    info = describe_sqlite(source)
    revision = info["revision"]
    if revision is None:  # restored, it could not be opened (schema_upgrade._no_revision)
        raise Invalid(
            f"{source} holds tinycrm's tables but no schema revision (its alembic_version row "
            "was deleted), so tinycrm cannot tell which upgrades it needs; not restored"
        )
    from tinycrm.store.migrations.runner import script_heads

    if revision not in script_heads(all_revisions=True):
        raise Invalid(
            f"{source} is at schema {revision}, newer than this tinycrm ({SCHEMA_HEAD}) "
            "knows: a newer tinycrm made it; not restored (upgrade tinycrm to restore it)"
        )
    return info


def replaced_contents(path: Path) -> dict[str, Any] | str | None:
    """What restoring over ``path`` replaces, read without opening it as a store (no
    upgrade, whatever its schema): ``describe_sqlite``'s counts; None when there is no
    database there yet; a note when it cannot be read (a damaged database, which is what
    a restore is for). ``Unavailable`` for what is not a database to replace (a folder,
    another program's database)."""
    if not path.exists() and not path.is_symlink():
        return None
    check_database_path(path)
    if path.stat().st_size == 0:
        return None
    try:
        return describe_sqlite(path)
    except Invalid as exc:
        return str(exc).replace(f"{path} ", "", 1).splitlines()[0]


def restore_sqlite(target: Store | Path, source: Path) -> Path | None:
    """Replace the SQLite database ``target`` (a path, or a store on one) with the backup
    ``source``; return the copy of what was replaced (``NAME.pre-restore-TIME.bak``
    beside it; None when there was no database there).

    The database replaced is not opened as a store: not upgraded first, nor refused for a
    schema newer than this tinycrm's, nor for damage. It is copied as it is before
    anything is written to it; the backup is then written into it with SQLite's online
    backup API, so other tinycrm processes with the database open see either the old or
    the new one. The caller opens it afterwards (which upgrades an older backup).
    """
    store = target if not isinstance(target, Path) else None
    path = target if isinstance(target, Path) else target.path
    if path is None:
        assert store is not None
        raise Unavailable(
            "restore replaces SQLite databases; for PostgreSQL use pg_restore "
            f"(e.g. pg_restore --clean -d {shlex.quote(libpq_url(store.url))} tinycrm.dump)"
        )
    from tinycrm.files import expand_home

    source = expand_home(source, "cannot restore from").absolute()
    refuse_database_itself(path, source, str(source))
    restorable_backup(source)
    copy = None
    unreadable = False  # SQLite cannot read it at all: the backup is renamed into its place
    if replaced_contents(path) is not None:
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        kept = path.with_name(f"{path.name}.pre-restore-{stamp}.bak")
        n = 2
        while kept.exists():  # a restore earlier in the same second: its copy is kept too
            kept = path.with_name(f"{path.name}.pre-restore-{stamp}-{n}.bak")
            n += 1
        from tinycrm.files import CannotWrite

        try:
            with interrupts.aside():  # the copy of what it replaces, kept on the side
                # as it is: a damaged database is copied too (it is what a restore replaces)
                try:
                    copy = backup_sqlite(path, kept, checked=False)
                except Unavailable as exc:
                    if not _not_a_database(exc):
                        raise
                    copy = _keep_unreadable(path, kept)
                    unreadable = True
        except LogDamaged as exc:  # not for want of room; its own message tells of a restore
            raise Unavailable(
                f"cannot restore {source} into {path}: its write-ahead log {exc.wal} is "
                f"damaged or unreadable ({exc.words}), so the copy of the database it "
                "replaces could not be made; nothing was changed: run the command again "
                "once no tinycrm has the database open"
            ) from exc
        except (Unavailable, CannotWrite) as exc:  # a full disk, a read-only folder
            if isinstance(exc, CannotWrite) and "disk is full" not in str(exc):  # read-only
                then = f"make {path.parent} writable and run the command again"
            else:  # a full disk
                then = "make room there and run the command again"
            raise Unavailable(
                f"cannot restore {source} into {path}: the copy of the database it replaces "
                f"could not be made beside it ({exc}); nothing was changed: {then}"
            ) from exc
        assert copy is not None  # a file, never a stream
    else:
        check_database_path(path)  # an empty file of the user's own, private
    if store is not None:
        store.release()  # no connection is left on the file replaced
    if unreadable:
        _copy_into_place(source, path)
        return copy
    src = sqlite3.connect(read_only_uri(source), uri=True)
    try:
        dst = sqlite3.connect(path, timeout=10)
        try:
            with interrupts.saving():  # one step for Ctrl-C: replaced, and known to be
                src.backup(dst)
        except sqlite3.Error as exc:
            kept_as = f" (it is kept as {copy})" if copy is not None else ""
            raise Unavailable(
                f"cannot restore {source} into {path}: {exc}; the database there was left "
                f"as it was{kept_as}"
            ) from exc
        finally:
            dst.close()
    finally:
        src.close()
    return copy


def _not_a_database(exc: Unavailable) -> bool:
    """Whether SQLite could not copy a database because it is none at all (its first page
    overwritten: "file is not a database"), as opposed to its log damaged or no room."""
    cause = exc.__cause__
    return not isinstance(exc, LogDamaged) and (
        getattr(cause, "sqlite_errorname", None) == "SQLITE_NOTADB"
    )


def _keep_unreadable(path: Path, kept: Path) -> Path:
    """Keep the database ``path`` that SQLite cannot read, as ``kept``: byte for byte
    (written beside it and renamed when whole, private), and its -wal and -shm moved
    beside the copy, where they belong to it (left beside the restored database, an old
    log would be played into it)."""
    import shutil

    from tinycrm.files import temporary_beside

    with temporary_beside(kept) as temp, path.open("rb") as data, temp.open("wb") as out:
        shutil.copyfileobj(data, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    for end in ("-wal", "-shm"):
        beside = path.with_name(f"{path.name}{end}")
        if beside.exists():
            os.replace(beside, kept.with_name(f"{kept.name}{end}"))
    return kept


def _copy_into_place(source: Path, path: Path) -> None:
    """Put the backup ``source`` where the unreadable database ``path`` was: written into a
    temporary file beside it with the backup API, renamed over it when whole."""
    from tinycrm.files import temporary_beside

    with temporary_beside(path.resolve()) as temp:
        src = sqlite3.connect(read_only_uri(source), uri=True)
        try:
            dst = sqlite3.connect(temp)
            try:
                src.backup(dst)
            finally:
                dst.close()
        except sqlite3.Error as exc:
            raise Unavailable(
                f"cannot restore {source} into {path}: {exc}; the database there was left as it was"
            ) from exc
        finally:
            src.close()
