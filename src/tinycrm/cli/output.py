"""One place that renders records: a rich table on a terminal, or JSON, JSONL, CSV.

Every list and show command hands read models (or dicts made from them) here,
so the formats never drift apart: JSON keys are the read model's fields,
CSV columns are the same keys with tags joined and custom fields spread out
as ``field.KEY`` columns.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import typer

JsonOpt = Annotated[
    bool,
    typer.Option("--json", help="Print JSON (a list prints one array).", rich_help_panel="Output"),
]
JsonlOpt = Annotated[
    bool, typer.Option("--jsonl", help="Print one JSON object per line.", rich_help_panel="Output")
]
CsvOpt = Annotated[
    bool, typer.Option("--csv", help="Print CSV with a header row.", rich_help_panel="Output")
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_plain(item: Any) -> Any:
    """A read model (or a list/dict of them) as plain Python values."""
    if hasattr(item, "model_dump"):
        return item.model_dump()
    if isinstance(item, list):
        return [to_plain(i) for i in item]
    if isinstance(item, dict):
        return {k: to_plain(v) for k, v in item.items()}
    return item


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON through pydantic's serializer: read models, lists and dicts of them, fast."""
    from pydantic_core import to_json

    return to_json(data, indent=indent, fallback=_json_default).decode()


def csv_safe(value: Any) -> str:
    """A cell value for CSV, escaped against spreadsheet formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def flatten(row: dict[str, Any]) -> dict[str, Any]:
    """Spread ``fields`` into ``field.KEY`` columns; drop nested lists of records."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key == "fields" and isinstance(value, dict):
            for field_key, field_value in value.items():
                out[f"field.{field_key}"] = field_value
        elif (isinstance(value, list) and value and isinstance(value[0], dict)) or isinstance(
            value, dict
        ):
            continue
        else:
            out[key] = value
    return out


def _records(value: list[Any]) -> bool:
    return bool(value) and isinstance(value[0], dict)


def write_csv(rows: Sequence[dict[str, Any]], stream: Any = None) -> None:
    stream = stream or sys.stdout
    flat = [flatten(r) for r in rows]
    header: dict[str, None] = {}
    for row in flat:
        for key in row:
            header.setdefault(key, None)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(list(header))
    for row in flat:
        writer.writerow([csv_safe(row.get(key)) for key in header])


@dataclass(frozen=True)
class Column:
    """A table column: header, and how to get the cell text from a plain row."""

    header: str
    get: Callable[[dict[str, Any]], Any]
    justify: str = "left"
    style: str | None = None
    max_width: int | None = None
    no_wrap: bool = False
    min_console: int = 0  # dropped on consoles narrower than this


def col(header: str, key: str, **kwargs: Any) -> Column:
    return Column(header, lambda row: row.get(key), **kwargs)


def _cell(value: Any) -> str:
    from tinycrm import dates

    if value is None:
        return ""
    if isinstance(value, datetime):
        return dates.format_local(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def wants_machine(json_: bool, jsonl: bool, csv_: bool) -> bool:
    chosen = sum((json_, jsonl, csv_))
    if chosen > 1:
        raise typer.BadParameter("choose one of --json, --jsonl and --csv")
    return chosen == 1


def emit_list(
    items: Iterable[Any],
    columns: Sequence[Column],
    *,
    json_: bool = False,
    jsonl: bool = False,
    csv_: bool = False,
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    """Print a list of records in the chosen format."""
    wants_machine(json_, jsonl, csv_)
    items = list(items)
    if json_:
        sys.stdout.write(dumps(items) + "\n")
    elif jsonl:
        for item in items:
            sys.stdout.write(dumps(item, indent=None) + "\n")
    elif csv_:
        write_csv([to_plain(i) for i in items])
    else:
        print_table([to_plain(i) for i in items], columns, title=title, empty=empty)


def print_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    from rich.table import Table
    from rich.text import Text

    console = stdout_console()
    if not rows:
        console.print(f"[dim]{empty}[/dim]")
        return
    table = Table(title=title, box=None, header_style="bold", pad_edge=False, title_justify="left")
    columns = [c for c in columns if console.width >= c.min_console]
    for column in columns:
        table.add_column(
            column.header,
            justify=column.justify,  # type: ignore[arg-type]
            style=column.style,
            max_width=column.max_width,
            no_wrap=column.no_wrap,
            overflow="ellipsis",
        )
    for row in rows:
        table.add_row(*[Text(_cell(column.get(row))) for column in columns])
    console.print(table)


def emit_one(
    item: Any,
    render: Callable[[dict[str, Any]], None],
    *,
    json_: bool = False,
    jsonl: bool = False,
    csv_: bool = False,
    extra: dict[str, Any] | None = None,
) -> None:
    """Print one record: machine formats from the read model, else ``render``."""
    wants_machine(json_, jsonl, csv_)
    row = to_plain(item)
    if json_ or jsonl:
        full = {**item.model_dump(mode="json"), **(extra or {})}
        sys.stdout.write(dumps(full, indent=2 if json_ else None) + "\n")
    elif csv_:
        write_csv([row])
    else:
        render(row)


def print_fields(row: dict[str, Any], labels: Sequence[tuple[str, str]], title: str) -> None:
    """A record as "label  value" lines, skipping empty values, then tags and fields."""
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for label, key in labels:
        text = _cell(row.get(key))
        if text:
            table.add_row(label, Text(text))
    if row.get("tags"):
        table.add_row("tags", Text(", ".join(row["tags"])))
    for key, value in (row.get("fields") or {}).items():
        table.add_row(Text(key), Text(str(value)))
    console = stdout_console()
    console.print(Text(title, style="bold"))
    console.print(table)


_console: Any = None
_err_console: Any = None


def stdout_console() -> Any:
    global _console
    if _console is None:
        import os
        import sys

        from rich.console import Console

        width = None
        if not sys.stdout.isatty():
            # Piped into less, grep or a file: don't squeeze tables into 80 columns.
            width = int(os.environ.get("COLUMNS", "0") or 0) or 200
        _console = Console(highlight=False, width=width)
    return _console


def err_console() -> Any:
    global _err_console
    if _err_console is None:
        from rich.console import Console

        _err_console = Console(stderr=True, highlight=False, soft_wrap=True)
    return _err_console


def done(message: str) -> None:
    """A one-line confirmation of a write: plain text (user data is never markup), and no
    rich import, which keeps one-shot commands such as ``contact add`` quick to start."""
    sys.stdout.write(message + "\n")
