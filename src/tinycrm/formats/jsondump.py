"""The JSON file of a full dump: written table by table, read back with clear errors."""

from __future__ import annotations

import json
from typing import IO, Any

from tinycrm.formats import FormatError


def write_dump(data: dict[str, Any], stream: IO[str]) -> None:
    """Write a dump (from ``store.dump.dump_database``): one row per line inside each
    table, so the file diffs well and is written without building one huge string."""
    tables = data.get("tables", {})
    head = {k: v for k, v in data.items() if k != "tables"}
    stream.write("{\n")
    for key, value in head.items():
        stream.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    stream.write('  "tables": {')
    for t, (name, rows) in enumerate(tables.items()):
        stream.write(("," if t else "") + f"\n    {json.dumps(name)}: [")
        for r, row in enumerate(rows):
            line = json.dumps(row, ensure_ascii=False, separators=(", ", ": "))
            stream.write(("," if r else "") + "\n      " + line)
        stream.write("\n    ]" if rows else "]")
    stream.write("\n  }\n}\n")


def read_dump(stream: IO[bytes], *, name: str) -> Any:
    """Parse a dump file; ``FormatError`` says where it is broken."""
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(f"{name} is not a UTF-8 JSON file") from None
    if not text.strip():
        raise FormatError(f"{name} is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise FormatError(f"{name} is nested too deeply to be a tinycrm dump") from None
