"""One place that renders records: a rich table on a terminal, or JSON, JSONL, CSV.

Every list and show command hands read models (or dicts made from them) here,
so the formats never drift apart: JSON keys are the read model's fields,
CSV columns are the same keys with tags joined and custom fields spread out
as ``field.KEY`` columns.

It is also the terminal's edge: stored text may hold escape sequences or bidi
overrides (see ``tinycrm.safetext``). Table cells and show views escape them before
layout, the two consoles escape whatever else is printed through them (a render
hook), ``done()`` lines too; JSON escapes them as ``\\u`` sequences (the data stays
exact); CSV keeps the data exact when it goes to a file or a pipe and shows it
escaped when it goes straight to a terminal.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import typer

from tinycrm import safetext

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


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{safetext.BIDI}]")  # C0 is JSON's own to escape


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON through pydantic's serializer: read models, lists and dicts of them, fast.

    The serializer escapes C0 controls; DEL, C1 controls and bidi controls are written
    as ``\\u`` escapes here (they can only occur inside strings), so JSON on a
    terminal is safe and the data it carries is unchanged.
    """
    from pydantic_core import to_json

    text = to_json(data, indent=indent, fallback=_json_default).decode()
    if _JSON_UNSAFE.search(text) is None:
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
    if text[:1] == "'" and text.lstrip("'").startswith(FORMULA_PREFIXES):
        return "'" + text  # import takes one ' off: a text that starts so keeps its own
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
    """CSV with a header row. Cells are the data as stored, except on a terminal, where
    controls and bidi overrides are shown escaped (``\\x1b``) rather than obeyed."""
    stream = stream or sys.stdout
    cell = csv_safe
    if _isatty(stream):

        def cell(value: Any) -> str:
            return safetext.display(csv_safe(value), multiline=True)

    flat = [flatten(r) for r in rows]
    header: dict[str, None] = {}
    for row in flat:
        for key in row:
            header.setdefault(key, None)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(list(header))
    for row in flat:
        writer.writerow([cell(row.get(key)) for key in header])


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


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


def _cell(value: Any, *, multiline: bool = False) -> str:
    """A value as a table cell or a show view's line shows it (controls escaped)."""
    from tinycrm import dates

    if value is None:
        return ""
    if isinstance(value, datetime):
        return dates.format_local(value)
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={v}" for k, v in value.items())
    else:
        text = str(value)
    return safetext.display(text, multiline=multiline)


def shown(value: Any) -> str:
    """A value as one line of a table shows it: controls escaped, None as nothing."""
    return _cell(value)


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
        console.print(Text(empty, style="dim"))
        return
    title = safetext.display(title) if title else title
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
        text = _cell(row.get(key), multiline=True)
        if text:
            table.add_row(label, Text(text))
    if row.get("tags"):
        table.add_row("tags", Text(_cell(row["tags"])))
    for key, value in (row.get("fields") or {}).items():
        table.add_row(Text(_cell(key)), Text(_cell(value, multiline=True)))
    console = stdout_console()
    console.print(Text(safetext.display(title), style="bold"))
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
        _console.push_render_hook(_Escaped())  # type: ignore[arg-type]
    return _console


def err_console() -> Any:
    global _err_console
    if _err_console is None:
        from rich.console import Console

        _err_console = Console(stderr=True, highlight=False, soft_wrap=True)
        _err_console.push_render_hook(_Escaped())  # type: ignore[arg-type]
    return _err_console


class _Escaped:
    """A render hook: whatever a console prints, a control or bidi override in its text
    is shown escaped. Tables and show views escape their cells before layout; this is
    the net under every other ``console.print`` (reports, scores, campaigns)."""

    def process_renderables(self, renderables: list[Any]) -> list[Any]:
        return [_EscapedRenderable(r) for r in renderables]


class _EscapedRenderable:
    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.segment import Segment

        for segment in console.render(self.renderable, options):
            text = segment.text
            if segment.control or safetext.UNSAFE_MULTILINE.search(text) is None:
                yield segment
            else:
                yield Segment(safetext.display(text, multiline=True), segment.style)


def done(message: str) -> None:
    """A one-line confirmation of a write: plain text (user data is never markup, controls
    are shown escaped), and no rich import, which keeps one-shot commands such as
    ``contact add`` quick to start."""
    sys.stdout.write(safetext.display(message, multiline=True) + "\n")
