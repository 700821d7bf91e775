"""Contacts as CSV lines built by SQLite, for ``export contacts`` of any size.

``stream_contacts`` hands out rows of values that the command line turns into cells and
a ``csv`` writer into lines: at 100,000 contacts most of an export's time is that
per-cell Python work. On SQLite the database can build each line itself, one text column
per row: each cell by the rules of the caller's CSV (empty for NULL, flags as ``true``
and ``false``, times as ISO 8601, tags joined by ``", "``, quoted when it holds a
delimiter, quote or line end). A cell SQL cannot judge exactly (text that starts with a
formula prefix and might be a number, a leading quote, a value of an unexpected type)
is handed back to Python through ``cell``, the caller's own encoder, so every line is
byte for byte what the general path writes.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any, Unpack

from sqlalchemy import Boolean, Integer, literal_column, select
from sqlmodel import col

from tinycrm.store.contacts import ContactFilters, contacts_query, list_columns
from tinycrm.store.engine import Store
from tinycrm.store.exports import CHUNK, _decoder
from tinycrm.store.models import Contact, FieldValue
from tinycrm.store.types import UTCDateTime

_FUNCTION = "tinycrm_csv_cell"
# Characters Decimal() never accepts anywhere in a number (whitespace aside): text that
# starts with + or - and holds one is certainly not a number, so it takes the prefix.
_NOT_IN_NUMBERS = "".join(
    c for c in map(chr, range(0x21, 0x7F)) if not (c.isdigit() or c in "._+-eEiInNfFtTyYaAsS")
)
# What str.isspace() (and so Decimal(), which strips it) takes for whitespace.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
TIME_GLOB = "-".join(["[0-9]" * 4, "[0-9]" * 2, "[0-9]" * 2]) + " " + ":".join(["[0-9]" * 2] * 3)
TIME_GLOB += "." + "[0-9]" * 6  # SQLite's naive UTC text: 2026-11-23 04:50:38.123456


def _sql_text(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _glob_class(chars: str) -> str:
    """A GLOB character class matching any of ``chars`` (``]`` first, ``-`` last)."""
    inner = ("]" if "]" in chars else "") + "".join(c for c in chars if c not in "]-^")
    return "[" + inner + ("^" if "^" in chars else "") + ("-" if "-" in chars else "") + "]"


class _Cells:
    """SQL expressions for the cells of one line."""

    def __init__(self, quoted: str, prefixes: Sequence[str]) -> None:
        self.quoted = quoted
        firsts = "".join(p[:1] for p in prefixes)
        self.always = "".join(c for c in firsts if c in "=@")  # never begins a number
        self.signs = "".join(c for c in firsts if c in "+-")
        self.python = "".join(c for c in firsts if c not in self.always + self.signs) + "'"
        self.prefixed = _sql_text(_glob_class(firsts) + "*")
        # Text whose first character sorts from "0" to "<" or from "A" on starts with
        # neither a formula prefix nor a quote (compared, not matched: cheaper)
        self.plain_start = "0" if all(c < "0" or c > "<" for c in firsts + "'") else None
        self.plain_from = chr(max(map(ord, firsts + "'")) + 1)

    def quote(self, expr: str) -> str:
        found = " OR ".join(f"instr({expr}, char({ord(c)}))" for c in self.quoted)
        doubled = f"replace({expr}, '\"', '\"\"')"
        return f"CASE WHEN {found} THEN '\"' || {doubled} || '\"' ELSE {expr} END"

    def text(self, x: str, hook: int) -> str:
        # Text sorts after numbers and before blobs (X'')
        plain = f"({x} >= {_sql_text(self.plain_from)} AND {x} < X'')"
        if self.plain_start:
            plain += f" OR ({x} >= '0' AND {x} < '=')" if self.plain_from <= "=" else ""
            plain = f"({plain})"
        whens = [
            f"WHEN {plain} THEN {self.quote(x)}",
            f"WHEN {x} IS NULL THEN ''",
            f"WHEN typeof({x}) <> 'text' THEN {_FUNCTION}({hook}, {x})",
        ]
        if self.always:
            whens.append(
                f"WHEN {x} GLOB {_sql_text(_glob_class(self.always) + '*')}"
                f" THEN {self.quote(chr(39) * 4 + ' || ' + x)}"
            )
        if self.signs:
            certainly_not = (
                f"length({x}) = 1 OR instr(rtrim({x}, {_sql_text(WHITESPACE)}), ' ') > 0"
            )
            digits = f"substr({x}, 2) NOT GLOB '*[^0-9]*'"
            whens.append(
                f"WHEN {x} GLOB {_sql_text(_glob_class(self.signs) + '*')} THEN CASE"
                f" WHEN {certainly_not} THEN {self.quote(chr(39) * 4 + ' || ' + x)}"
                f" WHEN {digits} THEN {x} ELSE {_FUNCTION}({hook}, {x}) END"
            )
        whens.append(
            f"WHEN {x} GLOB {_sql_text(_glob_class(self.python) + '*')}"
            f" THEN {_FUNCTION}({hook}, {x})"
        )
        return f"CASE {' '.join(whens)} ELSE {self.quote(x)} END"

    def tags(self, x: str, hook: int) -> str:
        """Tags joined: only a first tag with a formula prefix goes through Python."""
        return (
            f"CASE WHEN {x} IS NULL THEN ''"
            f" WHEN {x} GLOB {self.prefixed} THEN {_FUNCTION}({hook}, {x})"
            f" ELSE {self.quote(x)} END"
        )


def stream_contact_lines(
    store: Store,
    *,
    cell: Callable[[Any], str],
    quoted: str,
    prefixes: Sequence[str],
    chunk: int = CHUNK,
    **filters: Unpack[ContactFilters],
) -> Generator[Any, None, None] | None:
    """On SQLite, the contacts ``stream_contacts`` gives, as CSV lines (no line end).

    ``cell`` writes one value as a CSV cell (the caller's rules, quoting included);
    ``quoted`` holds the characters that make its CSV quote a cell, ``prefixes`` the
    starts that make it escape text as a formula. Yields first ``(keys, field_names)``
    as ``stream_contacts`` does, then lists of at most ``chunk`` lines. ``None`` on
    other databases."""
    if not store.is_sqlite:
        return None
    return _lines(store, cell, quoted, prefixes, chunk, filters)


def _lines(
    store: Store,
    cell: Callable[[Any], str],
    quoted: str,
    prefixes: Sequence[str],
    chunk: int,
    filters: ContactFilters,
) -> Generator[Any, None, None]:
    with store.read() as session:
        conn = session.connection()
        columns = list_columns()
        query = contacts_query(store, session, **filters)
        selected = query.with_only_columns(col(Contact.id)).subquery()
        keys = select(col(FieldValue.key)).where(
            col(FieldValue.entity) == "contact",
            col(FieldValue.entity_id).in_(select(selected.c.id)),
        )
        field_names = sorted(set(conn.execute(keys.distinct()).scalars()))
        decoders: list[Callable[[Any], Any]] = []

        def hook(decode: Callable[[Any], Any] | None) -> int:
            decoders.append(decode or (lambda v: v))
            return len(decoders) - 1

        sql = _Cells(quoted, prefixes)
        parts = []
        for c in columns:
            x = f"contact.{c.name}"
            decode = _decoder(c.type, True, "iso")
            n = hook(decode)
            if isinstance(c.type, Boolean):
                parts.append(
                    f"CASE typeof({x}) WHEN 'integer'"
                    f" THEN CASE WHEN {x} <> 0 THEN 'true' ELSE 'false' END"
                    f" WHEN 'null' THEN '' ELSE {_FUNCTION}({n}, {x}) END"
                )
            elif isinstance(c.type, Integer):
                parts.append(
                    f"CASE typeof({x}) WHEN 'integer' THEN CAST({x} AS TEXT)"
                    f" WHEN 'null' THEN '' ELSE {_FUNCTION}({n}, {x}) END"
                )
            elif isinstance(c.type, UTCDateTime):
                parts.append(
                    f"CASE WHEN {x} IS NULL THEN '' WHEN {x} GLOB '{TIME_GLOB}'"
                    f" THEN substr({x}, 1, 10) || 'T' || CASE WHEN substr({x}, 20) = '.000000'"
                    f" THEN substr({x}, 12, 8) ELSE substr({x}, 12) END"
                    f" || '+00:00' ELSE {_FUNCTION}({n}, {x}) END"
                )
            elif decode is None:
                parts.append(sql.text(x, n))
            else:
                parts.append(f"CASE WHEN {x} IS NULL THEN '' ELSE {_FUNCTION}({n}, {x}) END")
        parts.append(sql.text("company.name", hook(None)))
        # The joined tags are a column of their own subquery, computed once per contact
        parts.append(
            f"(SELECT {sql.tags('j', hook(None))} FROM (SELECT group_concat(name, ', ') AS j"
            " FROM (SELECT tag.name AS name FROM tag WHERE tag.entity = 'contact'"
            " AND tag.entity_id = contact.id ORDER BY tag.name)))"
        )
        for key in field_names:
            parts.append(
                f"coalesce((SELECT {sql.text('v.value', hook(None))} FROM field_value AS v"
                " WHERE v.entity = 'contact' AND v.entity_id = contact.id"
                f" AND v.key = {_sql_text(key)}), '')"
            )
        # printf builds the line in one pass (a chain of || copies it once per cell); a
        # function takes at most 127 arguments here, so many custom fields take printfs
        line = " || ',' || ".join(
            f"printf({_sql_text(','.join(['%s'] * len(some)))}, {', '.join(some)})"
            for some in (parts[at : at + 100] for at in range(0, len(parts), 100))
        )

        def python_cell(at: int, value: Any) -> str:
            return cell(decoders[at](value))

        raw = conn.connection.driver_connection
        raw.create_function(_FUNCTION, 2, python_cell, deterministic=True)  # type: ignore[union-attr]
        result: Any = conn.execution_options(stream_results=True, yield_per=chunk).execute(
            query.with_only_columns(literal_column(line))
        )
        yield [*(c.name for c in columns), "company", "tags", "fields"], field_names
        yield from result.scalars().partitions(chunk)
