"""Naming the records whose amounts a store session read as none.

Other SQL can write what is no whole number of minor units into an amount column on
SQLite (``UPDATE product SET price_minor = 1e20``: its INTEGER affinity keeps a REAL or
TEXT as it came; a PostgreSQL BIGINT holds none such). ``MinorUnits`` reads such a value
as none and, in a store session, notes it; when the session ends this module finds the
records holding what was read and warns once for each, naming it (id and title or name)
and saying what is stored and how to give it again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tinycrm.errors import warn
from tinycrm.store.errors import Invalid
from tinycrm.store.types import OddAmounts

_MOST = 20  # records named; the rest are counted

# table: (what a record is called, the SQL of its label, {column: (what it is, a hint)})
_TABLES: dict[str, tuple[str, str, dict[str, tuple[str, str]]]] = {
    "deal": ("deal", "title", {"amount_minor": ("amount", "tinycrm deal edit {id} --amount")}),
    "product": ("product", "name", {"price_minor": ("price", "tinycrm product edit {id} --price")}),
    "contract": (
        "contract",
        "title",
        {
            "value_minor": ("value", "tinycrm contract edit {id} --value"),
            "arr_minor": ("recurring revenue a year", ""),
        },
    ),
    "campaign": (
        "campaign",
        "name",
        {"budget_minor": ("budget", "tinycrm campaign edit {id} --budget")},
    ),
}

# Read as plain integers (a deal's items are refused naming the item when one is odd,
# ``store.deal_items``), so only a dump looks for them: table: (what, label, {column:
# (what it is, its unit, a hint)}).
_DUMP_ONLY: dict[str, tuple[str, str, dict[str, tuple[str, str, str]]]] = {
    "deal_item": (
        "deal item",
        "name",
        {
            "quantity": ("quantity", "thousandths", "tinycrm deal item edit {id} --qty"),
            "unit_price_minor": ("price", "minor units", "tinycrm deal item edit {id} --price"),
            "discount": ("discount", "thousandths", "tinycrm deal item edit {id} --discount"),
            "tax_rate": ("tax rate", "thousandths", ""),
            "net_minor": ("net", "minor units", "tinycrm deal item edit {id} --price"),
        },
    ),
}


def columns_of(table: str) -> dict[str, tuple[str, str]]:
    """The amount columns of ``table`` read by ``MinorUnits``, with what each is."""
    return _TABLES[table][2]


def odd_rows(session: Any, table: str) -> list[tuple[int, str, dict[str, Any]]]:
    """The records of ``table`` holding an amount that is no whole number of minor units:
    ``(id, label, {column: what is stored})``, by id (SQLite only: none elsewhere)."""
    if session.get_bind().dialect.name != "sqlite":
        return []
    _, label, columns = _TABLES[table] if table in _TABLES else _DUMP_ONLY[table]
    odd = " OR ".join(f"typeof({c}) NOT IN ('integer', 'null')" for c in columns)
    rows = session.execute(
        text(f"SELECT id, {label}, {', '.join(columns)} FROM {table} WHERE {odd} ORDER BY id")
    ).all()
    found = []
    for row in rows:
        stored = {
            c: v
            for c, v in zip(columns, row[2:], strict=True)
            if v is not None and not (isinstance(v, int) and not isinstance(v, bool))
        }
        found.append((row[0], row[1], stored))
    return found


def name_them(session: Any, odd: OddAmounts) -> None:
    """A ``TinyCrmWarning`` for each record holding an amount ``odd`` saw read as none:
    ``product #3 Widget: its price is stored as 1e+20, not a whole number of minor units
    (written by other SQL?): shown without one; give it again (tinycrm product edit 3
    --price)``."""
    for table in sorted(odd.seen):
        if table not in _TABLES:
            continue
        seen = odd.seen[table]
        what, _, columns = _TABLES[table]
        named = 0
        left = 0
        for record_id, label, stored in odd_rows(session, table):
            if (table, record_id) in odd.named or not any(v in seen for v in stored.values()):
                continue
            odd.named.add((table, record_id))
            if named == _MOST:
                left += 1
                continue
            named += 1
            for column, value in stored.items():
                name, hint = columns[column]
                again = f" ({hint.format(id=record_id)})" if hint else ""
                warn(
                    f"{what} #{record_id} {label}: its {name} is stored as {repr(value)[:40]}, "
                    f"not a whole number of minor units (written by other SQL?): shown "
                    f"without one; give it again{again}"
                )
        if left:
            warn(f"and {left} more {what}s with an amount stored so")


def refuse_in_a_dump(session: Any) -> None:
    """``Invalid`` naming the records holding an amount that is no whole number of minor
    units: ``export all`` writes none of them as null (data lost without a word) nor as
    stored (a dump its restore refuses, found out when the database is gone)."""
    from tinycrm.store.errors import Invalid

    found = []
    units = set()
    for table, (what, _, columns) in _TABLES.items():
        for record_id, label, stored in odd_rows(session, table):
            for column, value in stored.items():
                name, hint = columns[column]
                again = hint.format(id=record_id) if hint else f"tinycrm {what} show {record_id}"
                units.add("minor units")
                found.append(
                    f"{what} #{record_id} {label}'s {name} is {repr(value)[:40]} ({again})"
                )
    for table, (what, _, parts) in _DUMP_ONLY.items():
        for record_id, label, stored in odd_rows(session, table):
            for column, value in stored.items():
                name, unit, hint = parts[column]
                again = hint.format(id=record_id) if hint else f"tinycrm deal item rm {record_id}"
                units.add(unit)
                found.append(
                    f"{what} #{record_id} {label}'s {name} is {repr(value)[:40]} ({again})"
                )
    if found:
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        raise Invalid(
            f"not exported: {'; '.join(found[:3])}{more}: not whole numbers of "
            f"{' or '.join(sorted(units))} (written by other SQL?), which a restore refuses; "
            "give them again, or copy the database as it is with tinycrm db backup"
        )


def whole(value: Any, record: str, name: str, fix: str, unit: str = "minor units") -> int:
    """``value``, an amount in minor units of ``record`` (``quote Q-2026-0001``) that
    cannot be shown without it (a quote's totals, a line's figures; a quantity, ``unit``
    thousandths): ``Invalid`` naming the record and what is stored when other SQL stored
    no whole number there."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise OddAmount(
        record,
        f"its {name} is stored as {repr(value)[:40]}, not a whole number "
        f"of {unit} (written by other SQL?)",
        fix,
    )


class OddAmount(Invalid):
    """``whole``'s refusal: ``record``, what is odd about it (``odd``) and the ``fix``, so
    a list can name the record in a warning and show the rest."""

    def __init__(self, record: str, odd: str, fix: str) -> None:
        super().__init__(f"{record}: {odd}: {fix}")
        self.record = record
        self.odd = odd
        self.fix = fix
