"""The dump of ``export all`` as JSON lines built by SQLite, for databases of any size.

``dump.dump_database`` builds every row as a dict of Python values, which the writer
turns into one JSON object per line: at 100,000 contacts (and their tags, history and
undo log) that per-value work is most of the export, and the whole dump sits in memory.
On SQLite the database writes each row's line itself, a table at a time, as
``json.dumps(row, ensure_ascii=False, separators=(", ", ": "))`` writes it: ``json_quote``
escapes text as Python does, times become ISO 8601 with ``+00:00``. A value SQL cannot
judge exactly (a date, a value of another type than its column's) goes through
``dump_database``'s own conversion in Python, so the file is byte for byte the same.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

from sqlalchemy import BigInteger, Boolean, Integer, String
from sqlmodel.sql.sqltypes import AutoString

from tinycrm.store import odd_dates
from tinycrm.store.bulk import gc_paused
from tinycrm.store.csv_lines import LINES, TIME_LIKE
from tinycrm.store.dump import DERIVED, _plain, _tables, dump_head
from tinycrm.store.engine import Store
from tinycrm.store.odd_amounts import refuse_in_a_dump
from tinycrm.store.sqlite_connections import answering_signals
from tinycrm.store.types import UTCDateTime, stored_type

_FUNCTION = "tinycrm_json_value"


def stream_dump_lines(store: Store) -> Generator[Any, None, None] | None:
    """On SQLite, ``dump_database``'s dump as lines: first its head (everything but
    ``tables``), then ``(table, lines)`` pairs, each table's rows in id order, at most
    ``LINES`` lines a pair (a table with no rows gives one pair with none). ``None`` on
    other databases."""
    if not store.is_sqlite:
        return None
    return _lines(store)


def _value_sql(column: Any, hook: int) -> str:
    """SQL for a column's value as JSON text (``hook``: its Python conversion)."""
    x, python = f'"{column.name}"', f'{_FUNCTION}({hook}, "{column.name}")'
    kind = stored_type(column.type)  # an amount: its 64-bit integer
    if isinstance(kind, Boolean):
        return (
            f"CASE typeof({x}) WHEN 'integer' THEN CASE WHEN {x} THEN 'true' ELSE 'false' END"
            f" WHEN 'null' THEN 'null' ELSE {python} END"
        )
    if isinstance(kind, Integer | BigInteger):
        return f"CASE typeof({x}) WHEN 'integer' THEN {x} WHEN 'null' THEN 'null' ELSE {python} END"
    if isinstance(kind, UTCDateTime):
        # The stored form's shape (LIKE: ten times cheaper than a GLOB of digits): a
        # value of that shape is read by fromisoformat() as this turns it into ISO 8601,
        # or cannot be read at all (the general path fails on it)
        return (
            f"CASE WHEN {x} LIKE '{TIME_LIKE}'"
            f" THEN '\"' || replace(replace({x}, ' ', 'T'), '.000000', '') || '+00:00\"'"
            f" WHEN {x} IS NULL THEN 'null' ELSE {python} END"
        )
    if isinstance(kind, String | AutoString):  # text sorts after numbers, before blobs (X'')
        return (
            f"CASE WHEN {x} >= '' AND {x} < X'' THEN json_quote({x})"
            f" WHEN {x} IS NULL THEN 'null' ELSE {python} END"
        )
    return f"CASE WHEN {x} IS NULL THEN 'null' ELSE {python} END"  # dates: few


def _lines(store: Store) -> Generator[Any, None, None]:
    # (gc paused: millions of short-lived strings)
    with store.read() as session, gc_paused(), answering_signals(session.connection()):
        conn = session.connection()
        dialect = conn.dialect
        refuse_in_a_dump(session)  # before a line is written
        odd_dates.refuse_in_a_dump(session)
        yield dump_head(store)
        conversions: list[Any] = []

        def python_value(at: int, value: Any) -> str:
            convert = conversions[at]
            if convert is not None:
                value = convert(value)
            return json.dumps(_plain(value), ensure_ascii=False)

        raw: Any = conn.connection.driver_connection  # sqlite3's own connection
        raw.create_function(_FUNCTION, 2, python_value, deterministic=True)
        for table in _tables():
            columns = [c for c in table.c if c.name not in DERIVED]
            parts = []
            for c in columns:
                conversions.append(c.type.dialect_impl(dialect).result_processor(dialect, None))
                parts.append(_value_sql(c, len(conversions) - 1))
            # printf builds the line in one pass; keys as json.dumps writes them
            template = "{" + ", ".join(f"{json.dumps(c.name)}: %s" for c in columns) + "}"
            line = f"printf('{template.replace(chr(39), chr(39) * 2)}', {', '.join(parts)})"
            order = "id" if "id" in table.c else columns[0].name
            # On the session's own connection: the same snapshot; the driver's rows as they come
            cursor = raw.execute(f'SELECT {line} FROM "{table.name}" ORDER BY "{order}"')
            empty = True
            while part := cursor.fetchmany(LINES):
                empty = False
                yield table.name, [row[0] for row in part]
            if empty:
                yield table.name, []
