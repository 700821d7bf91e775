"""Streaming reads for exports and lists of any size.

``list_contacts`` builds every read model at once: right for a short list, wasteful for
writing 100,000 contacts to a file (2 s and 500 MiB here) and slow to show the first
screen of a long one. ``stream_contacts`` runs the same query
(``contacts.contacts_query``) and hands out rows with the keys of ``ContactRead``, a
few thousand at a time, with their tags and custom fields, inside one read transaction
(one consistent snapshot); ``iter_contacts`` makes them read models as they come.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from typing import Any, Literal, Unpack

from sqlalchemy import Boolean, Date, literal_column, select, true
from sqlmodel import col

from tinycrm.store.code_points import code_points
from tinycrm.store.contacts import ContactFilters, contacts_query, list_columns
from tinycrm.store.engine import Store
from tinycrm.store.models import Activity, Contact, ContactRead, FieldValue, Tag
from tinycrm.store.sqlite_connections import answering_signals
from tinycrm.store.types import ODD_AMOUNTS, UTCDateTime, stored_type

CHUNK = 5000


def _iso_text(stored: str) -> str:
    """SQLite's naive UTC text (``2026-11-23 04:50:38.123456``, always with microseconds)
    as ``datetime.isoformat()`` writes the aware value, without building the datetime."""
    return stored.replace(" ", "T", 1).removesuffix(".000000") + "+00:00"


def _decoder(kind: Any, sqlite: bool, times: str) -> Callable[[Any], Any] | None:
    """What a raw driver value of a column of type ``kind`` needs to become its Python value
    (or, for times with ``times="iso"``, its ISO 8601 text). On SQLite, what is no date or
    time (text other SQL wrote) becomes none, noted as ``UTCDateTime`` notes it."""
    table = getattr(kind, "table", "")
    kind = stored_type(kind)  # a deal's close date: a date
    if isinstance(kind, UTCDateTime):
        if times == "iso":
            return (
                _noted(_iso_checked, table) if sqlite else lambda v: v.astimezone(UTC).isoformat()
            )
        if sqlite:
            # stored as naive UTC
            return _noted(lambda v: datetime.fromisoformat(v + "+00:00"), table)
        return lambda v: v.astimezone(UTC)
    if isinstance(kind, Boolean):
        return bool
    if isinstance(kind, Date) and sqlite:
        return _noted(date.fromisoformat, table)
    return None


def _iso_checked(stored: str) -> str:
    """``_iso_text``, for what has the shape of SQLite's naive UTC text; else the ISO text
    of the time it reads as (``ValueError`` or ``TypeError`` when it is none)."""
    if len(stored) == 26 and stored[10] == " " and stored[4] == "-":
        return _iso_text(stored)
    return datetime.fromisoformat(stored + "+00:00").isoformat()


def _noted(read: Callable[[Any], Any], table: str) -> Callable[[Any], Any]:
    """``read``, giving none for what is no date or time (``'not a date'``), noted in the
    store session so its record is named when it ends (``odd_dates``)."""

    def decode(value: Any) -> Any:
        try:
            return read(value)
        except (ValueError, TypeError, OverflowError):
            odd = ODD_AMOUNTS.get()
            if odd is not None:
                odd.dates.setdefault(table or "contact", []).append(value)
            return None

    return decode


def stream_contacts(
    store: Store,
    *,
    chunk: int = CHUNK,
    times: Literal["datetime", "iso"] = "datetime",
    unreadable: dict[int, list[str]] | None = None,
    **filters: Unpack[ContactFilters],
) -> Generator[Any, None, None]:
    """Contacts filtered as ``list_contacts`` filters them (one query:
    ``contacts.contacts_query``), by name.

    Yields first ``(keys, field_names)``: the keys of every contact (``id`` first,
    ``tags`` and ``fields`` last), in the order ``contact list --csv`` has them, and
    the sorted custom field names the selected contacts use (for a CSV header);
    then lists of at most ``chunk`` contacts, each a list of values in that order.
    ``times="iso"`` gives times as ``isoformat()`` text, for a file that writes them so.
    A value read as none that is stored (other SQL's ``'not a date'``) is named in
    ``unreadable`` (``{id: [key, …]}``) before its chunk is handed out.
    """
    with store.read() as session, answering_signals(session.connection()):
        conn = session.connection()
        columns = list_columns()
        query = contacts_query(store, session, **filters)
        limit = filters.get("limit")
        selected, field_names, everyone = contact_selection(conn, query, limit=limit)
        # The same query with untyped columns: SQLAlchemy's per-value type handling
        # costs more than the query; the few columns that need it are decoded below.
        plain: list[Any] = [literal_column(f"contact.{c.name}").label(c.name) for c in columns]
        query = query.with_only_columns(*plain, literal_column("company.name").label("company"))
        decoders = [
            (i, decode)
            for i, c in enumerate(columns)
            if (decode := _decoder(c.type, store.is_sqlite, times)) is not None
        ]
        found_tags, found_fields = contact_extras(
            conn,
            selected,
            everyone=everyone,
            fields=bool(field_names),
        )
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
        names = list(result.keys())
        yield [*names, "tags", "fields"], field_names
        no_tags: list[str] = []
        no_fields: dict[str, str] = {}
        for part in result.partitions(chunk):
            rows = []
            for values in part:
                row: list[Any] = list(values)
                for i, decode in decoders:
                    if row[i] is not None:
                        row[i] = decode(row[i])
                        if row[i] is None and unreadable is not None:
                            unreadable.setdefault(row[0], []).append(names[i])
                row.append(found_tags.get(row[0], no_tags))
                row.append(found_fields.get(row[0], no_fields))
                rows.append(row)
            yield rows


def contact_selection(conn: Any, query: Any, *, limit: int | None) -> tuple[Any, list[str], bool]:
    """The ids ``query`` (``contacts.contacts_query``, with its ``limit``) selects, as a
    subquery; the sorted custom field names those contacts use (a CSV's ``field.KEY``
    columns); and whether it selects every contact (no filter, no limit)."""
    everyone = query.whereclause is None and not limit
    keys = select(col(FieldValue.key)).where(col(FieldValue.entity) == "contact")
    if everyone:
        selected = select(col(Contact.id)).subquery()
        # From the field values: a list of every id to look each up in costs more
        keys = keys.where(
            select(col(Contact.id)).where(col(Contact.id) == col(FieldValue.entity_id)).exists()
        )
    else:
        ids = query.with_only_columns(col(Contact.id))
        selected = (ids if limit else ids.order_by(None)).subquery()  # order: for a limit
        keys = keys.where(col(FieldValue.entity_id).in_(select(selected.c.id)))
    return selected, sorted(set(conn.execute(keys.distinct()).scalars())), everyone


def contact_extras(
    conn: Any, selected: Any, *, everyone: bool, fields: bool
) -> tuple[dict[int, list[str]], dict[int, dict[str, Any]]]:
    """The tags (``{id: [name, …]}``, sorted) and, with ``fields``, the custom fields
    (``{id: {key: value}}``) of the contacts of ``selected`` (a subquery of their ids;
    ``everyone``: it is every contact). Read once, in id order, before the contacts: a
    query per chunk with thousands of bound ids costs more than the rows."""
    in_selection = col(Tag.entity_id).in_(select(selected.c.id))
    found_tags = _grouped(
        _driver_rows(
            conn,
            select(col(Tag.entity_id), col(Tag.name))
            .where(col(Tag.entity) == "contact", true() if everyone else in_selection)
            .order_by(col(Tag.entity_id), code_points(Tag.name)),  # the unique index's order
        ),
        list,
    )
    found_fields: dict[int, Any] = {}
    if fields:
        found_fields = _grouped(
            _driver_rows(
                conn,
                select(col(FieldValue.entity_id), col(FieldValue.key), col(FieldValue.value))
                .where(
                    col(FieldValue.entity) == "contact",
                    true() if everyone else col(FieldValue.entity_id).in_(select(selected.c.id)),
                )
                .order_by(col(FieldValue.entity_id), code_points(FieldValue.key)),
            ),
            dict,
        )
    return found_tags, found_fields


def iter_contacts(
    store: Store, *, chunk: int = 1000, **filters: Unpack[ContactFilters]
) -> Iterator[ContactRead]:
    """The contacts ``list_contacts`` returns, in its order, made one chunk at a time:
    the first ``chunk`` are ready while the rest are still being read, so a long table
    shows its first screen at once. The filters are checked (and ``Invalid`` or
    ``NotFound`` raised) before this returns; the read transaction stays open until the
    iterator is used up or closed."""
    unreadable: dict[int, list[str]] = {}
    parts = stream_contacts(store, chunk=chunk, unreadable=unreadable, **filters)
    keys, _fields = next(parts)
    return _read_models(keys, parts, unreadable)


def _read_models(
    keys: list[str], parts: Generator[Any, None, None], unreadable: dict[int, list[str]]
) -> Iterator[ContactRead]:
    make = ContactRead.from_row
    none: list[str] = []
    with closing(parts):  # closed early (a pager that quit): the transaction ends too
        for part in parts:
            for values in part:
                row = dict(zip(keys, values, strict=True))
                row["unreadable"] = unreadable.get(row["id"], none)
                yield make(row)


def contact_emails(store: Store, ids: Iterable[int | None]) -> dict[int, str]:
    """The emails of the contacts ``ids`` names (those that have one). Deal and activity
    exports write them beside the contact's name, which is not unique: an import finds
    the contact by its email first."""
    from tinycrm.store.engine import chunks

    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, str] = {}
    with store.read() as session:
        for part in chunks(wanted, 2000):
            for cid, email in session.execute(
                select(col(Contact.id), col(Contact.email)).where(
                    col(Contact.id).in_(part), col(Contact.email).is_not(None)
                )
            ):
                found[cid] = email
    return found


def mail_keys(store: Store, ids: Iterable[int | None]) -> dict[int, tuple[str | None, str | None]]:
    """(mail key, direction) of the activities ``ids`` names that are logged mail: the
    activities export writes them, so that an import of it knows each mail, and mail
    sync into that database does not log it again."""
    from tinycrm.store.engine import chunks

    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, tuple[str | None, str | None]] = {}
    with store.read() as session:
        for part in chunks(wanted, 2000):
            for aid, key, direction in session.execute(
                select(col(Activity.id), col(Activity.mail_key), col(Activity.direction)).where(
                    col(Activity.id).in_(part),
                    col(Activity.mail_key).is_not(None) | col(Activity.direction).is_not(None),
                )
            ):
                found[aid] = (key, direction)
    return found


def _driver_rows(conn: Any, query: Any) -> list[Any]:
    """Every row of ``query`` as the driver gives it (plain tuples: columns that need no
    conversion, read without a ``Row`` object each)."""
    result = conn.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _grouped(rows: Any, container: type) -> dict[int, Any]:
    """``(id, a)`` or ``(id, key, value)`` rows, ordered by id, as ``{id: [a, …]}`` or
    ``{id: {key: value}}``: read once, before the contacts, rather than per chunk."""
    found: dict[int, Any] = {}
    last: Any = None
    group: Any = None
    if container is list:
        for rid, name in rows:
            if rid == last:
                group.append(name)
            else:
                group = found[rid] = [name]
                last = rid
    else:
        for rid, key, value in rows:
            if rid == last:
                group[key] = value
            else:
                group = found[rid] = {key: value}
                last = rid
    return found
