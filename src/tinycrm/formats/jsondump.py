"""The JSON file of a full dump: written table by table, read back with clear errors."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import IO, Any

from tinycrm.formats import FormatError, printable


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


class _Twice(Exception):
    """A key given twice in one object of a dump."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
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
        raise _Twice(
            f'the key "{printable(key[:60])}" twice in one object{where}: which value '
            "is meant cannot be known; keep one"
        )
    return found


# Bytes of memory ``import all`` takes for each byte of a dump: its text and the objects
# parsed from it, then each table's rows as inserted (an 84 MB dump of 100,000 contacts,
# each with a custom field, an import change and a lifecycle change, peaked at 507 MiB)
DUMP_MEMORY = 6


def available_memory() -> int | None:
    """The bytes of memory this process may still take: Linux's MemAvailable, less when
    a cgroup (a container) allows less; None where neither says."""
    found: list[int] = []
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as limit:
            allowed = limit.read().strip()
        with open("/sys/fs/cgroup/memory.current", encoding="ascii") as current:
            if allowed.isdigit():
                found.append(max(int(allowed) - int(current.read().strip()), 0))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def dump_limit() -> int | None:
    """The biggest dump ``import all`` can hold in the memory available (None: unknown)."""
    memory = available_memory()
    return None if memory is None else memory // DUMP_MEMORY


def _too_big(name: str, size: int | None, limit: int) -> FormatError:
    what = f"{name} is {size:,} bytes, more than" if size is not None else f"{name} is more than"
    return FormatError(
        f"{what} the {limit:,} bytes import all can hold in the memory available (a dump "
        f"takes about {DUMP_MEMORY} times its size); restore it on a machine with more"
    )


def read_dump(stream: IO[bytes], *, name: str, limit: int | None = None) -> Any:
    """Parse a dump file; ``FormatError`` says where it is broken, or names a key given
    twice in one object. A dump of more than ``limit`` bytes is refused before it is read
    (a file by its size; a pipe read no further than that)."""
    if limit is None:
        raw = stream.read()
    else:
        try:
            size: int | None = os.fstat(stream.fileno()).st_size
        except (OSError, ValueError, AttributeError):  # (io.UnsupportedOperation: ValueError)
            size = None
        if size is not None and size > limit:
            raise _too_big(name, size, limit)
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise _too_big(name, None, limit)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(f"{name} is not a UTF-8 JSON file") from None
    del raw  # (the bytes and the text were held together while parsing)
    if not text.strip():
        raise FormatError(f"{name} is empty")
    try:
        return json.loads(text, object_pairs_hook=_object)
    except _Twice as exc:
        raise FormatError(f"{name}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except ValueError:  # json's int() past 4,300 digits: no dump holds such a number
        raise FormatError(f"{name} holds a number too long to read") from None
    except RecursionError:
        raise FormatError(f"{name} is nested too deeply to be a tinycrm dump") from None
