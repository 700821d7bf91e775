"""The JSON file of a full dump: written table by table (``dump_reader`` reads it back)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from tinycrm.formats import printable


def write_dump(data: dict[str, Any], stream: IO[str]) -> None:
    """Write a dump (from ``store.dump.dump_database``): one row per line inside each
    table, so the file diffs well and is written without building one huge string."""
    head = {k: v for k, v in data.items() if k != "tables"}
    tables = data.get("tables", {}).items()
    write_dump_lines(head, ((name, map(dump_row, rows)) for name, rows in tables), stream)


def dump_row(row: dict[str, Any]) -> str:
    """One row of a dump as its line (without the indent)."""
    return json.dumps(row, ensure_ascii=False, separators=(", ", ": "))


def write_dump_lines(
    head: dict[str, Any], tables: Iterable[tuple[str, Iterable[str]]], stream: IO[str]
) -> dict[str, int]:
    """Write a dump given its head and each table's rows as lines (``dump_row``; a
    table may come in several parts, one after the other); return the rows per table."""
    stream.write("{\n")
    for key, value in head.items():
        stream.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    stream.write('  "tables": {')
    counts: dict[str, int] = {}
    for name, lines in tables:
        if name not in counts:
            if counts:
                previous = counts[next(reversed(counts))]
                stream.write("\n    ]," if previous else "],")
            stream.write(f"\n    {json.dumps(name)}: [")
            counts[name] = 0
        if not isinstance(lines, list):
            lines = list(lines)
        if lines:
            start = ",\n      " if counts[name] else "\n      "
            stream.write(start + ",\n      ".join(lines))
            counts[name] += len(lines)
    if counts:
        stream.write("\n    ]" if counts[next(reversed(counts))] else "]")
    stream.write("\n  }\n}\n")
    return counts


class Twice(Exception):
    """A key given twice in one object of a dump."""


def dump_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """One object of a dump; a key in it twice is refused (json keeps the last value and
    drops the other unsaid: a hand edit's row restored with another value)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                break
            seen.add(key)
        row = found.get("id")
        where = f" (id {row})" if isinstance(row, int) and not isinstance(row, bool) else ""
        raise Twice(
            f'the key "{printable(key[:60])}" twice in one object{where}: which value '
            "is meant cannot be known; keep one"
        )
    return found
