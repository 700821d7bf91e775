"""Naming the records whose dates or times a store session could not read.

Other SQL can write what is no date or time into a date or time column on SQLite
(``UPDATE deal SET close_date = 'not a date'``: SQLite keeps any value in any column; a
PostgreSQL date or timestamp holds none such). ``StoredDate`` and ``UTCDateTime`` read
such a value as none and, in a store session, note it; this module finds the records
holding what was read, so a read model says which of its values are unreadable
(``unreadable_of``) and the session warns once for each record when it ends
(``name_them``), saying what is stored and how to give it again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, text

from tinycrm.errors import warn
from tinycrm.store.types import OddAmounts

_MOST = 20  # records named; the rest are counted

# table: (what a record is called, the SQL of its label, {column: (what it is, a hint)})
_TABLES: dict[str, tuple[str, str, dict[str, tuple[str, str]]]] = {
    "deal": (
        "deal",
        "title",
        {
            "close_date": ("close date", "tinycrm deal edit {id} --close"),
            "closed_at": ("closing time", "tinycrm deal reopen {id}, then won or lost again"),
        },
    ),
    "activity": (
        "activity",
        "subject",
        {
            "occurred_at": ("time", "tinycrm activity edit {id} --at"),
            "due_at": ("due time", "tinycrm task edit {id} --due"),
            "remind_at": (
                "reminder time",
                "UPDATE activity SET remind_at = NULL WHERE id = {id} clears it",
            ),
            "repeat_anchor": ("first due time", "tinycrm task edit {id} --due"),
            "done_at": ("done time", "tinycrm task reopen {id}"),
        },
    ),
}


_WHAT = {"support_case": "case", "import_batch": "import", "case_message": "case message"}
_LABELS = ("name", "title", "subject", "number", "summary", "kind")  # what names a record
_TIMES = {"created_at": "creation time", "updated_at": "last change time"}


def _info(table: str) -> tuple[str, str, dict[str, tuple[str, str]]]:
    """What a record of ``table`` is called, the SQL of its label and, for each of its date
    or time columns, what it is and the command that gives it again: as ``_TABLES`` says,
    else from the schema, the fix in SQL (no command sets a creation time)."""
    from sqlmodel import SQLModel

    known = _TABLES.get(table)
    schema = SQLModel.metadata.tables.get(table)
    if schema is None:  # pragma: no cover - a table of the schema, or of _TABLES
        assert known is not None
        return known
    columns = {}
    for column in schema.columns:
        if (kind := _kind(column)) is not None:
            now = "CURRENT_TIMESTAMP" if kind == "time" else "CURRENT_DATE"
            columns[column.name] = (
                _TIMES.get(column.name, column.name.replace("_", " ")),
                f"UPDATE {table} SET {column.name} = {now} WHERE id = {{id}}, or the {kind} it was",
            )
    if known is not None:
        return known[0], known[1], {**columns, **known[2]}
    label = next((c for c in _LABELS if c in schema.c), "''")
    return _WHAT.get(table, table.replace("_", " ")), label, columns


def _kind(column: Any) -> str | None:
    """``"time"`` for a date and time column, ``"date"`` for a date column, else None."""
    from sqlalchemy import Date, DateTime

    from tinycrm.store.types import StoredDate, UTCDateTime

    if isinstance(column.type, UTCDateTime | DateTime):
        return "time"
    return "date" if isinstance(column.type, StoredDate | Date) else None


def _tables() -> list[str]:
    """Every table with a date or time column (the whole schema defined)."""
    from sqlmodel import SQLModel

    from tinycrm.store import all_tables  # noqa: F401  (every table defined)

    return sorted(
        name
        for name, schema in SQLModel.metadata.tables.items()
        if any(_kind(c) for c in schema.columns)
    )


def _rows(session: Any, table: str, seen: list[Any]) -> list[tuple[int, str, dict[str, Any]]]:
    """The records of ``table`` holding one of the values ``seen`` read as none:
    ``(id, label, {column: what is stored})``, by id."""
    _, label, columns = _info(table)
    values = sorted({v for v in seen if v is not None}, key=repr)
    if not values:
        return []
    odd = " OR ".join(f"{c} IN :seen" for c in columns)
    query = text(
        f"SELECT id, {label}, {', '.join(columns)} FROM {table} WHERE {odd} ORDER BY id"
    ).bindparams(bindparam("seen", expanding=True))
    found = []
    for row in session.execute(query, {"seen": values}).all():
        stored = {c: v for c, v in zip(columns, row[2:], strict=True) if v in values}
        found.append((row[0], row[1], stored))
    return found


def unreadable_of(session: Any, odd: OddAmounts | None, table: str) -> dict[int, list[str]]:
    """The columns of each record of ``table`` whose value the session read as none,
    by id (nothing, and no query, when it read none)."""
    if odd is None or not odd.dates.get(table):
        return {}
    return {i: sorted(stored) for i, _, stored in _rows(session, table, odd.dates[table])}


def refuse_unreadable(table: str, record_id: int | None) -> None:
    """``odd_amounts.OddAmount`` naming record ``record_id`` of ``table`` when the store
    session read one of its dates or times as none (other SQL stored ``'not a date'``):
    for what cannot be worked out without it (a contract's term, a quote's expiry), so
    a list leaves it out naming it and a show refuses in one line, not a traceback."""
    from tinycrm.store.odd_amounts import OddAmount
    from tinycrm.store.types import ODD_AMOUNTS

    odd = ODD_AMOUNTS.get()
    if odd is None or odd.session is None or not odd.dates.get(table):
        return
    what, _, columns = _info(table)
    for found, label, stored in _rows(odd.session, table, odd.dates[table]):
        if found == record_id:
            odd.named.add((table, found))  # said here: not again when the session ends
            said = "; ".join(
                f"its {columns[c][0]} is stored as {repr(v)[:40]}" for c, v in stored.items()
            )
            fixes = "; ".join(columns[c][1].format(id=found) for c in stored)
            raise OddAmount(
                f"{what} #{found} {label}",
                f"{said}, no date or time (written by other SQL?)",
                f"give it again ({fixes})",
            )


def name_them(session: Any, odd: OddAmounts) -> None:
    """A ``TinyCrmWarning`` for each record holding a date or time ``odd`` saw read as
    none: ``deal #1 Acme: its close date is stored as 'not a date', no date (written by
    other SQL?): shown as unreadable; give it again (tinycrm deal edit 1 --close)``."""
    for table in sorted(odd.dates):
        what, _, columns = _info(table)
        named = 0
        left = 0
        for record_id, label, stored in _rows(session, table, odd.dates[table]):
            if (table, record_id) in odd.named:
                continue
            odd.named.add((table, record_id))
            if named == _MOST:
                left += 1
                continue
            named += 1
            for column, value in stored.items():
                name, hint = columns[column]
                warn(
                    f"{what} #{record_id} {label}: its {name} is stored as {repr(value)[:40]}, "
                    f"no date or time (written by other SQL?): shown as unreadable; give it "
                    f"again ({hint.format(id=record_id)})"
                )
        if left:
            warn(f"and {left} more {what}s with a date or time stored so")


def _stored_odd(
    session: Any, table: str, only: tuple[str, ...] = (), where: str = "1 = 1"
) -> list[tuple[int, str, dict[str, Any]]]:
    """The records of ``table`` (those ``where`` takes) holding what is no date or time
    (in its columns ``only`` names, or any), read as stored (SQLite only: none
    elsewhere): ``(id, label, {column: what is stored})``, by id."""
    if session.get_bind().dialect.name != "sqlite":
        return []
    _, label, columns = _info(table)
    columns = {c: v for c, v in columns.items() if c in only} if only else columns
    # what the readers take starts YYYY-MM-DD and is a date SQLite knows too
    odd = " OR ".join(
        f"({c} IS NOT NULL AND (typeof({c}) != 'text' OR date({c}) IS NULL "
        f"OR {c} NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'))"
        for c in columns
    )
    rows = session.execute(
        text(
            f"SELECT id, {label}, {', '.join(columns)} FROM {table} "
            f"WHERE ({where}) AND ({odd}) ORDER BY id"
        )
    ).all()
    found = []
    for row in rows:
        stored = {c: v for c, v in zip(columns, row[2:], strict=True) if not _readable(v)}
        if stored:
            found.append((row[0], row[1], stored))
    return found


def _readable(value: Any) -> bool:
    from datetime import date, datetime

    if value is None:
        return True
    if not isinstance(value, str):
        return False
    try:
        (date if len(value) == 10 else datetime).fromisoformat(value)
    except ValueError:
        return False
    return True


# what remind compares in SQL: (table, what a record is called, its columns, which records)
_REMINDED = (
    ("activity", "task", ("due_at", "remind_at"), "kind = 'task' AND done_at IS NULL"),
    ("contact", "contact", ("cadence_since", "created_at"), "cadence_days > 0"),
)


def unremindable(session: Any) -> None:
    """A ``TinyCrmWarning`` for each open task whose due or reminder time, and each contact
    with a keep-in-touch cadence whose start (or creation) time, other SQL stored as no
    time (``'soon'``): ``remind`` compares them in SQL, so such a task was never due nor
    reminded, and such a contact never told, without a word."""
    from tinycrm.store.types import ODD_AMOUNTS

    odd = ODD_AMOUNTS.get()
    for table, what, wanted, where in _REMINDED:
        _, _, columns = _info(table)
        found = _stored_odd(session, table, wanted, where)
        for record_id, label, stored in found[:_MOST]:
            if odd is not None:  # named here: not again when the session ends
                odd.named.add((table, record_id))
            for column, value in stored.items():
                name, hint = columns[column]
                never = {
                    "due_at": "it is never due nor reminded",
                    "remind_at": "it is never reminded",
                }.get(column, "its keep-in-touch is never told")
                warn(
                    f"{what} #{record_id} {label}: its {name} is stored as "
                    f"{repr(value)[:40]}, no date or time (written by other SQL?): {never}; "
                    f"give it again ({hint.format(id=record_id)})"
                )
        if len(found) > _MOST:
            warn(f"and {len(found) - _MOST} more {what}s never reminded, their times stored so")


def refuse_in_a_dump(session: Any) -> None:
    """``Invalid`` naming the records holding what is no date or time: ``export all``
    writes none of them as null (data lost without a word) nor as stored (a dump its
    restore refuses, found out when the database is gone)."""
    from tinycrm.store.errors import Invalid

    found = []
    for table in _tables():
        what, _, columns = _info(table)
        for record_id, label, stored in _stored_odd(session, table):
            for column, value in stored.items():
                name, hint = columns[column]
                found.append(
                    f"{what} #{record_id} {label}'s {name} is {repr(value)[:40]} "
                    f"({hint.format(id=record_id)})"
                )
    found += _odd_currencies(session)
    if found:
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        raise Invalid(
            f"not exported: {'; '.join(found[:3])}{more}: no dates, times or currency "
            "codes (written by other SQL?), which a restore refuses; give them again, or "
            "copy the database as it is with tinycrm db backup"
        )


def unknown_currency(record_id: int, title: str, stored: Any) -> None:
    """A ``TinyCrmWarning`` that deal ``record_id``'s currency is no ISO 4217 code (other
    SQL wrote ``'XYZ'``): its amount cannot be read without one."""
    warn(
        f"deal #{record_id} {title}: its currency is stored as {repr(stored)[:40]}, no "
        f"ISO 4217 code (written by other SQL?): its amount shown as unreadable; give it "
        f"again (tinycrm deal edit {record_id} --currency)"
    )


def unsummable_currency(session: Any, stored: Any) -> str:
    """What a report says when it cannot sum the deals whose currency is ``stored``, no
    ISO 4217 code (other SQL wrote ``'XYZ'``): which deals (by id and title, read in
    ``session``) and the command that gives each its currency again."""
    found = []
    if session is not None:
        found = session.execute(
            text("SELECT id, title FROM deal WHERE currency = :c ORDER BY id"), {"c": stored}
        ).all()
    if not found:  # read outside a store session: the list names them
        return (
            f"a deal's currency is stored as {repr(stored)[:40]}, no ISO 4217 code (written "
            "by other SQL?): its amount cannot be summed; give it again (tinycrm deal list "
            "names the deal; tinycrm deal edit ID --currency)"
        )
    named = ", ".join(f"#{i} {title}" for i, title in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    deals = "deal" if len(found) == 1 else "deals"
    its, each = ("its amount", "") if len(found) == 1 else ("their amounts", ", for each")
    return (
        f"{deals} {named}{more}: currency stored as {repr(stored)[:40]}, no ISO 4217 code "
        f"(written by other SQL?): {its} cannot be summed; give it again (tinycrm deal "
        f"edit {found[0][0]} --currency CODE{each})"
    )


def unknown_currency_once(record_id: int, title: str, stored: Any) -> None:
    """``unknown_currency``, said once in a store session however often the deal is read
    (``remind`` and ``next`` weigh a deal more than once)."""
    from tinycrm.store.types import ODD_AMOUNTS

    odd = ODD_AMOUNTS.get()
    if odd is not None:
        if ("deal currency", record_id) in odd.named:
            return
        odd.named.add(("deal currency", record_id))
    unknown_currency(record_id, title, stored)


def _odd_currencies(session: Any) -> list[str]:
    """The deals whose currency is no ISO 4217 code as a restore takes it (``'XYZ'``)."""
    from tinycrm import money

    stored = session.execute(text("SELECT DISTINCT currency FROM deal")).scalars().all()
    odd = [c for c in stored if not (money.is_currency(c) and c == c.strip().upper())]
    if not odd:
        return []
    query = text(
        "SELECT id, title, currency FROM deal WHERE currency IN :odd ORDER BY id"
    ).bindparams(bindparam("odd", expanding=True))
    return [
        f"deal #{i} {title}'s currency is {repr(c)[:40]} (tinycrm deal edit {i} --currency)"
        for i, title, c in session.execute(query, {"odd": odd}).all()
    ]
