"""One place that renders records: a rich table on a terminal, or JSON, JSONL, CSV.

How a command uses it (the one way; sqlite-utils' ``output_options`` is the model)::

    @app.command("list")
    @output_options
    def list_(ctx: typer.Context, ..., output: Output = TABLE) -> None:
        output.list(rows, COLUMNS, empty="no contacts")    # a list of read models
        output.one(view.contact, render, extra={...})        # a show view
        output.saved(contact, f"Added contact #{contact.id}") # a write: its record, or the line
        output.report(report, render, summary=("average",))  # a report: all of it, or its rows

``@output_options`` (under ``@app.command``) gives the command ``--json``, ``--jsonl``
and ``--csv`` (a table, or the command's own lines, by default; two of them at once
are a usage error, exit 2) and hands it one ``Output`` as its ``output`` argument.
An export that names its format (``--format csv``) makes ``Output(format)`` and
writes rows to a file with ``output.write(rows, stream)``, or, for files of any size,
streams them through ``output.writer(stream, ...)`` (a ``RowWriter``).

The formats say the same thing everywhere:

- JSON: a list prints one array, a record or a report one object (a file written by
  an export: one array with a record on each line); JSONL: one object
  per line (a list's records, a record, a report's rows); keys are the read model's
  fields; a whole amount is an integer (``18500``), any other a number (``12.5``).
- CSV: a header row, then the records (a report's rows, with its ``summary`` fields
  on each). ``tags`` (any list of values) are joined with ``", "``; custom fields
  spread out as ``field.KEY`` columns and any other mapping as ``KEY.SUB`` (a
  report's per-currency amounts: ``value.EUR``), sorted by name where the mapping
  stands (every key any record has: one order whichever records a list holds);
  lists of records are left out;
  numbers are written as JSON writes them; times and dates in ISO 8601; ``true``/
  ``false``; text a spreadsheet would take for a formula (``=``, ``+``, ``-``,
  ``@``, tab, CR) gets a leading ``'``, numbers excepted.

It is also the terminal's edge: stored text may hold escape sequences or bidi
overrides (see ``tinycrm.safetext``). Table cells and show views escape them before
layout, the two consoles escape whatever else is printed through them (a render
hook), ``done()`` lines too; JSON escapes them as ``\\u`` sequences (the data stays
exact); CSV keeps the data exact when it goes to a file or a pipe and shows it
escaped when it goes straight to a terminal.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, islice
from typing import Annotated, Any

import typer

from tinycrm import safetext
from tinycrm.cli.csvcells import FORMULA_PREFIXES as FORMULA_PREFIXES
from tinycrm.cli.csvcells import columns_of as columns_of
from tinycrm.cli.csvcells import csv_cell as csv_cell
from tinycrm.cli.csvcells import csv_quoted as csv_quoted
from tinycrm.cli.csvcells import csv_safe as csv_safe
from tinycrm.cli.csvcells import csv_writer
from tinycrm.cli.csvcells import flatten as flatten
from tinycrm.cli.csvcells import model_columns as model_columns
from tinycrm.cli.csvcells import write_csv_rows as write_csv_rows
from tinycrm.cli.table import KEEP as KEEP  # a Column.keep: never left out
from tinycrm.cli.table import columns_env
from tinycrm.formats import jsonnumbers
from tinycrm.table_layout import steady

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


def to_plain(item: Any) -> Any:
    """A read model (or a list/dict of them) as plain Python values."""
    if hasattr(item, "model_dump"):
        return item.model_dump()
    if isinstance(item, list):
        return [to_plain(i) for i in item]
    if isinstance(item, dict):
        return {k: to_plain(v) for k, v in item.items()}
    return item


# C0 is JSON's own to escape; the invisible characters and the tag characters outside
# a flag are escaped as they are shown
_JSON_UNSAFE = re.compile(
    f"[\x7f-\x9f{safetext.BIDI}{safetext.INVISIBLE}{safetext.TAGS}]{safetext.NOT_IN_FLAG}"
)


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """JSON through pydantic's serializer: read models, lists and dicts of them, fast,
    amounts exact (``tinycrm.formats.jsonnumbers``).

    The serializer escapes C0 controls; DEL, C1 controls, bidi controls, the invisible
    characters and the tag characters outside a flag (as a surrogate pair) are written
    as ``\\u`` escapes here (they can only occur inside strings), so JSON on a terminal
    is safe and the data it carries is unchanged.
    """
    return _escaped(jsonnumbers.dumps(data, indent=indent))


def dumps_lines(items: Iterable[Any], separator: str = "\n") -> str:
    """Each item as ``dumps(item, indent=None)`` writes it, joined by ``separator``."""
    return _escaped(jsonnumbers.dumps_lines(items, separator))


def _escaped(text: str) -> str:
    if (text.isascii() and "\x7f" not in text) or _JSON_UNSAFE.search(text) is None:
        escaped = text  # (ASCII text is checked by two scans in C, far faster than the search)
    else:
        escaped = _JSON_UNSAFE.sub(_json_escape, text)
    if escaped.isascii() or _spells_all(sys.stdout):
        return escaped
    # PYTHONIOENCODING=ascii (or latin-1…): JSON's own escapes, so it stays JSON, whole
    return _NOT_ASCII.sub(_json_escape, escaped)


_NOT_ASCII = re.compile("[^\x00-\x7f]")


def _spells_all(stream: Any) -> bool:
    import codecs

    encoding = getattr(stream, "encoding", None)
    return not encoding or codecs.lookup(encoding).name.startswith("utf-")


def _json_escape(match: re.Match[str]) -> str:
    return safetext.json_escaped(match.group())  # past U+FFFF: a surrogate pair


def write_csv(rows: Iterable[Any], stream: Any = None) -> None:
    """Records (read models or plain rows) as CSV with a header row (see ``RowWriter``)."""
    writer = RowWriter("csv", stream or sys.stdout)
    writer.write(rows)
    writer.close()


class RowWriter:
    """Records to ``stream`` in JSON, JSONL or CSV as they come: what ``Output.write``,
    every export and ``write_csv`` use, so a file follows the rules at the top of this
    module whichever command wrote it.

    JSON is one array with a record on each line (files of any size stay greppable);
    JSONL a record per line; CSV a header row, then the records. Without ``columns`` the
    CSV header is every key any record has, so CSV rows are held until ``close()``.
    With ``columns`` (the keys of each row, in order; ``fields`` spread into the
    ``field_keys`` columns) the header is written at once and ``write_values`` streams
    rows given as lists of values: an export of 100,000 contacts never holds them all.

    On a terminal, a CSV cell's controls and bidi overrides are shown escaped; JSON
    escapes them itself (see ``dumps``)."""

    def __init__(
        self,
        format: str,
        stream: Any,
        *,
        columns: Sequence[str] | None = None,
        field_keys: Sequence[str] = (),
    ) -> None:
        if format not in FORMATS[1:]:
            raise ValueError("a RowWriter writes a machine format: json, jsonl or csv")
        self.format, self.stream = format, stream
        self.columns = list(columns) if columns is not None else None
        self.field_keys = list(field_keys)
        self.count = 0
        self._held: list[dict[str, Any]] = []
        # the held rows' keys in the order first seen; a mapping's (``fields``) with the
        # keys any row's has, spread sorted by name where it stands
        self._keys: dict[str, set[str] | None] = {}
        if format == "csv":
            self._csv = csv_writer(stream)
            self._terminal = on_terminal(stream)
            if self.columns is not None:
                self._write_header(self._header(self.columns))
        elif format == "json":
            stream.write("[")

    def _header(self, columns: list[str]) -> list[str]:
        if "fields" not in columns:
            return columns
        at = columns.index("fields")
        return [*columns[:at], *(f"field.{k}" for k in self.field_keys), *columns[at + 1 :]]

    def _write_header(self, header: list[str]) -> None:
        # a custom field's name is a column (field.NAME): on a terminal, shown as cells are
        self._csv.writerow([on_screen(h) for h in header] if self._terminal else header)

    def write(self, records: Iterable[Any]) -> None:
        """Records: read models or plain dicts."""
        if self.format != "csv":
            self._json(records)
        elif self.columns is None:
            for record in records:
                plain = to_plain(record)
                self._note_keys(plain)
                self._held.append(flatten(plain))
                self.count += 1
        else:
            columns = self.columns
            self.write_values([[row.get(k) for k in columns] for row in map(to_plain, records)])

    def _note_keys(self, row: dict[str, Any]) -> None:
        keys = self._keys
        for key, value in row.items():
            if isinstance(value, dict):
                subs = keys.get(key)
                if subs is None:
                    keys[key] = subs = set()
                subs.update(flatten(value))  # as flatten spreads it, a mapping within too
            elif key not in keys and not (
                isinstance(value, list) and any(isinstance(v, dict) for v in value)
            ):
                keys[key] = None

    def _held_header(self) -> list[str]:
        """The held rows' CSV header: their keys in the order first seen, each mapping's
        spread where it stands, sorted by name (custom fields: ``field.KEY``), so every
        list of a kind has its columns in one order whichever records it holds."""
        header: list[str] = []
        for key, subs in self._keys.items():
            if subs is None:
                header.append(key)
            else:
                prefix = "field" if key == "fields" else key
                header.extend(f"{prefix}.{sub}" for sub in sorted(subs))
        return list(dict.fromkeys(header))

    def write_lines(self, lines: Sequence[str]) -> None:
        """CSV lines already built (``csv_cell``'s cells, without line ends), in
        ``columns`` order: written as they are."""
        if lines:
            self.stream.write("\n".join(lines) + "\n")
        self.count += len(lines)

    def write_values(self, rows: Sequence[list[Any]]) -> None:
        """Rows as lists of values in ``columns`` order (``fields`` a mapping)."""
        if self.columns is None:
            raise ValueError("write_values() needs the columns the writer was made with")
        if self.format != "csv":
            columns = self.columns
            self._json(dict(zip(columns, row, strict=True)) for row in rows)
            return
        spread = None
        if "fields" in self.columns:
            spread = (self.columns.index("fields"), self.field_keys)
        self._rows(rows, spread)

    def _rows(
        self, rows: Sequence[list[Any]], spread: tuple[int, Sequence[str]] | None = None
    ) -> None:
        write: Callable[[list[Any]], Any] = self._csv.writerow
        if self._terminal:
            plain = write

            def write(cells: list[Any]) -> Any:  # shown escaped, not obeyed
                return plain(["" if c is None else on_screen(c, multiline=True)
                              for c in cells])  # fmt: skip

        write_csv_rows(write, rows, spread=spread)
        self.count += len(rows)

    def _json(self, records: Iterable[Any]) -> None:
        items = list(records)  # written at once: one pass puts the amounts in place
        if not items:
            return
        if self.format == "jsonl":
            self.stream.write(dumps_lines(items) + "\n")
        else:
            start = ",\n  " if self.count else "\n  "
            self.stream.write(start + dumps_lines(items, ",\n  "))
        self.count += len(items)

    def close(self) -> None:
        """The end: the CSV rows held for their header, or JSON's closing bracket."""
        if self.format == "json":
            self.stream.write("\n]\n" if self.count else "]\n")
        elif self.format == "csv" and self.columns is None:
            keys = self._held_header()
            self._write_header(keys)
            count = self.count
            self._rows([[row.get(k) for k in keys] for row in self._held])
            self.count, self._held = count, []


def on_screen(text: Any, *, multiline: bool = False) -> str:
    """Stored text as a terminal is to show it: controls, bidi overrides and invisible
    characters escaped (``safetext.display``), joined emoji apart
    (``table_layout.steady``). Every line tinycrm prints there of what is stored goes
    through it: tables, show views and their titles, CSV, exports."""
    return steady(safetext.display(text, multiline=multiline))


def on_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (where stored text is shown escaped, not obeyed)."""
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
    whole: bool = False
    """Never cut (a date, a time, an id): right-aligned columns (figures) are whole too.
    Other columns are labels: they give way first on a narrow terminal."""
    keep: int = 1
    """On a terminal too narrow for every column, the columns with the lowest ``keep``
    are left out first (the right-most first among equals) and a footnote names them;
    ``KEEP`` is never left out (by default: the first column and the first label)."""
    lines: int = 1
    """A label cut on a narrow terminal folds onto this many lines, broken between
    words, and what is left is cut between words (``table.fold``): for sentences that
    hold dates and amounts (``next``'s "why"). 1: one line, cut anywhere with ``…``."""
    words: bool = False
    """A label cut on a narrow terminal is cut between words (``table.fold``), not
    anywhere: a show view's tables (a name, an amount in an event: whole or not at all)."""


UNREADABLE = "unreadable"
"""What a table or a show view says for a value the store could not read (other SQL
stored ``'not a date'`` in a date): not empty, nor a date it is not."""


def value_of(row: dict[str, Any], key: str) -> Any:
    """``row[key]``, or ``UNREADABLE`` when the store could not read it."""
    return UNREADABLE if key in (row.get("unreadable") or ()) else row.get(key)


def col(header: str, key: str, **kwargs: Any) -> Column:
    return Column(header, lambda row: value_of(row, key), **kwargs)


def _cell(value: Any, *, multiline: bool = False) -> str:
    """A value as a table cell or a show view's line shows it: controls escaped, joined
    emoji apart (``table_layout.steady``: every terminal draws it as wide as laid out)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        from tinycrm import dates

        return dates.format_local(value)
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={v}" for k, v in value.items())
    else:
        text = str(value)
    return on_screen(text, multiline=multiline)


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
    model: str | type | Sequence[str] | None = None,
) -> None:
    """Print a list of records in the chosen format. ``model``: the records' read model
    (by name), whose columns a CSV of none has as its header."""
    wants_machine(json_, jsonl, csv_)
    if json_:
        write_json_array(items, sys.stdout)
    elif jsonl:  # one line a record, as they come (a few hundred at a time)
        items = iter(items)
        while batch := list(islice(items, 500)):
            sys.stdout.write(dumps_lines(batch) + "\n")
    elif csv_:
        rows = [to_plain(i) for i in items]
        if not rows and model is not None:
            RowWriter("csv", sys.stdout, columns=model_columns(model)).close()
        else:
            write_csv(rows)
    else:  # written as they come: the first screen shows before the last row is read
        print_table((to_plain(i) for i in items), columns, title=title, empty=empty)


JSON_BATCH = 500  # records a JSON array is written in at a time


def write_json_array(items: Iterable[Any], stream: Any) -> None:
    """Records as ``dumps(list(items))`` writes them, indented, byte for byte, but a few
    hundred at a time: an iterator of records is never held whole."""
    items = iter(items)
    batch = list(islice(items, JSON_BATCH))
    if not batch:
        stream.write("[]\n")
        return
    stream.write("[\n")
    while True:
        stream.write(dumps(batch)[2:-2])  # the records, without the array's "[\n" "\n]"
        batch = list(islice(items, JSON_BATCH))
        if not batch:
            break
        stream.write(",\n")
    stream.write("\n]\n")


FORMATS = ("table", "json", "jsonl", "csv")


@dataclass(frozen=True)
class Output:
    """The format a command prints in, and how it prints each kind of result.

    ``table`` (the default) is the rich table, show view or confirmation line;
    ``json``, ``jsonl`` and ``csv`` follow the rules at the top of this module."""

    format: str = "table"

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"output format {self.format!r} is not one of {FORMATS}")

    @property
    def machine(self) -> bool:
        """JSON, JSONL or CSV: data for a program, not lines for a person."""
        return self.format != "table"

    def _flags(self) -> dict[str, bool]:
        return {"json_": self.format == "json", "jsonl": self.format == "jsonl",
                "csv_": self.format == "csv"}  # fmt: skip

    def list(
        self,
        items: Iterable[Any],
        columns: Sequence[Column],
        *,
        title: str | None = None,
        empty: str = "nothing to show",
        model: str | type | Sequence[str] | None = None,
    ) -> None:
        """A list of records: a table with ``columns``, or every record (``model``: their
        read model, by name, whose columns a CSV of none has as its header)."""
        emit_list(items, columns, title=title, empty=empty, model=model, **self._flags())

    def one(
        self,
        item: Any,
        render: Callable[[dict[str, Any]], None],
        *,
        extra: dict[str, Any] | None = None,
        lines: Lines | None = None,
    ) -> None:
        """One record: ``render`` draws the show view; JSON and JSONL add ``extra``
        (the view's related records) to the record's own keys; CSV is a row per one of
        its ``lines`` (see ``csv_rows``)."""
        emit_one(item, render, extra=extra, lines=lines, **self._flags())

    def record(self, item: Any) -> None:
        """One record that is not a list's (an import's summary, an undo's result, counts):
        JSON one object, JSONL one line, CSV a header and one row. A table prints nothing
        here: the command says it in its own lines."""
        if self.format == "csv":
            write_csv([item])
        elif self.machine:
            data = item if hasattr(item, "model_dump") else jsonnumbers.marked(item)
            sys.stdout.write(dumps(data, indent=2 if self.format == "json" else None) + "\n")

    def saved(self, item: Any, message: str) -> None:
        """A record just written: the confirmation line, or the record itself."""
        if self.machine:
            self.one(item, lambda _: None)
        else:
            done(message)

    def report(
        self, report: Any, render: Callable[[Any], None], *, summary: Sequence[str] = ()
    ) -> None:
        """A report: JSON is all of it; JSONL and CSV its rows, each with the ``summary``
        fields (the report's headline figures); a table is ``render``, through the pager
        when it is longer than the screen (as a show view: ``show_pager``)."""
        if self.format == "table":
            from tinycrm.cli.show_pager import paged_render

            paged_render(render, report)
            return
        data = report.model_dump()
        if self.format == "json":
            sys.stdout.write(dumps(jsonnumbers.marked(data)) + "\n")
            return
        extra = {key: data[key] for key in summary}
        rows = [{**row, **extra} for row in data["rows"]] or ([extra] if extra else [])
        if not rows and self.format == "csv":  # its header alone, as a list of none
            import typing

            (line,) = typing.get_args(type(report).model_fields["rows"].annotation)
            RowWriter("csv", sys.stdout, columns=columns_of(line)).close()
            return
        self.write(rows if self.format == "csv" else jsonnumbers.marked(rows))

    def write(self, rows: Iterable[Any], stream: Any = None) -> None:
        """Records (read models or plain rows) to ``stream`` (stdout) in a machine format:
        what an export writes to its file (see ``RowWriter``)."""
        writer = self.writer(stream or sys.stdout)
        writer.write(rows)
        writer.close()

    def writer(
        self, stream: Any, *, columns: Sequence[str] | None = None, field_keys: Sequence[str] = ()
    ) -> RowWriter:
        """A ``RowWriter`` in this format: records written to ``stream`` as they come."""
        if not self.machine:
            raise ValueError("a writer takes a machine format: json, jsonl or csv")
        return RowWriter(self.format, stream, columns=columns, field_keys=field_keys)


TABLE = Output()
"""The default a command's ``output`` parameter takes (``output: Output = TABLE``)."""


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a Typer command ``--json``, ``--jsonl`` and ``--csv``; it takes one ``Output``
    as its ``output`` parameter instead. Put it under ``@app.command(...)``.

    Typer reads the command's parameters from its signature: the wrapper's signature is
    the command's, ``output`` replaced by the three flags (help panel "Output")."""
    import functools
    import inspect

    signature = inspect.signature(command, eval_str=True)
    if "output" not in signature.parameters:
        raise TypeError(f"{command.__name__} takes no 'output' parameter")
    params = [p for name, p in signature.parameters.items() if name != "output"]
    flags = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=False, annotation=kind)
        for name, kind in (("json_", JsonOpt), ("jsonl", JsonlOpt), ("csv_", CsvOpt))
    ]

    @functools.wraps(command)
    def with_output(*args: Any, json_: bool, jsonl: bool, csv_: bool, **kwargs: Any) -> Any:
        wants_machine(json_, jsonl, csv_)
        chosen = "json" if json_ else "jsonl" if jsonl else "csv" if csv_ else "table"
        return command(*args, output=Output(chosen), **kwargs)

    with_output.__signature__ = signature.replace(parameters=[*params, *flags])  # type: ignore[attr-defined]
    with_output.__annotations__ = {p.name: p.annotation for p in [*params, *flags]}
    return with_output


def print_table(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[Column],
    *,
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    """Plain rows as a table on stdout, written row by row (``tinycrm.cli.table``):
    through the pager when it is longer than the terminal; ``empty`` when there are none."""
    from tinycrm.cli import table

    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        start, end = table.sgr("dim", colour=False) if table.styled(sys.stdout)[0] else ("", "")
        sys.stdout.write(f"{start}{empty}{end}\n")
        return
    cells = ([_cell(column.get(row)) for column in columns] for row in chain([first], rows))
    table.write(cells, columns, title=on_screen(title) if title else None)


def emit_one(
    item: Any,
    render: Callable[[dict[str, Any]], None],
    *,
    json_: bool = False,
    jsonl: bool = False,
    csv_: bool = False,
    extra: dict[str, Any] | None = None,
    lines: Lines | None = None,
) -> None:
    """Print one record: machine formats from the read model, else ``render``."""
    wants_machine(json_, jsonl, csv_)
    row = to_plain(item)
    if json_ or jsonl:
        full = {**jsonnumbers.jsonable(item), **(extra or {})}
        sys.stdout.write(dumps(full, indent=2 if json_ else None) + "\n")
    elif csv_:
        write_csv(csv_rows(row, lines) if lines is not None else [row])
    else:
        from tinycrm.cli.show_pager import paged_render

        paged_render(render, row)


@dataclass(frozen=True)
class Lines:
    """The lines a record shows under it (a quote's lines, a case's messages, a deal's
    items), for its CSV: ``prefix`` names their columns (``line.name``), ``model`` is
    their read model (the columns of a record without any)."""

    prefix: str
    rows: Sequence[Any]
    model: type


def csv_rows(row: dict[str, Any], lines: Lines) -> list[dict[str, Any]]:
    """A record and its lines as CSV rows: one per line, the record's own columns on each
    and the line's after them (``PREFIX.KEY``), as an order export repeats its order on
    each of its items; a record without lines is one row, the line columns empty."""
    record = flatten(row)
    if not lines.rows:
        return [{**record, **{f"{lines.prefix}.{key}": None for key in columns_of(lines.model)}}]
    return [
        {**record, **{f"{lines.prefix}.{k}": v for k, v in flatten(to_plain(line)).items()}}
        for line in lines.rows
    ]


MULTILINE = frozenset({"notes", "description", "body"})
"""The fields a show view keeps newlines and tabs in (the store keeps them there, and in
custom fields); in any other a stored tab shows as ``\\x09``, as in a table."""


def print_fields(row: dict[str, Any], labels: Sequence[tuple[str, str]], title: str) -> None:
    """A record as "label  value" lines, skipping empty values, then tags and fields."""
    from rich.table import Table
    from rich.text import Text

    console = stdout_console()
    # a label is whole, but a custom field's name (64 characters) past a third of the
    # terminal is cut: it would take the room of every value in the view
    room = max([console.width // 3, *(len(label) for label, _ in labels), len("tags")])
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True, max_width=room)
    table.add_column(overflow="fold")  # a value with no space to wrap at (a link): whole
    for label, key in labels:
        text = _cell(value_of(row, key), multiline=key in MULTILINE)
        if text:
            table.add_row(label, Text(text))
    if row.get("tags"):
        table.add_row("tags", Text(_cell(row["tags"])))
    for key, value in (row.get("fields") or {}).items():
        table.add_row(Text(_cell(key)), Text(_cell(value, multiline=True)))
    console.print(Text(on_screen(title), style="bold"))
    console.print(unpadded(console, table))


def unpadded(console: Any, renderable: Any) -> Any:
    """``renderable`` as ``console`` lays it out, without the spaces a grid pads its lines
    with after their last cell (a show view or a report piped into a file ends each line at
    its last character, a blank line is empty). Lines are not cropped here: a report's table
    may be wider than the terminal (``report_table._AtLeast``), printed with ``crop=False``."""
    from rich.segment import Segment, Segments

    segments: list[Segment] = []
    for line in Segment.split_lines(console.render(renderable, console.options)):
        while line and not line[-1].control and not line[-1].text.rstrip(" "):
            line.pop()
        if line and not line[-1].control:
            last = line[-1]
            line[-1] = Segment(last.text.rstrip(" "), last.style)
        segments += [*line, Segment.line()]
    return Segments(segments)


_console: Any = None
_err_console: Any = None


def stdout_console() -> Any:
    global _console
    if _console is None:
        import sys

        from rich.console import Console

        width = None
        if not sys.stdout.isatty():
            # Piped into less, grep or a file: don't squeeze tables into 80 columns.
            width = columns_env() or 200

        class _Stdout(Console):
            def on_broken_pipe(self) -> None:
                # `tinycrm deal show 1 | head -1`: rich's own answer is exit 1, a failure;
                # the reader left, as for a list, which the root ends with exit 0
                self.quiet = True
                raise BrokenPipeError

        _console = _Stdout(highlight=False, width=width)
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
            if segment.control or safetext.SHOWN_MULTILINE.search(text) is None:
                yield segment
            else:
                yield Segment(safetext.display(text, multiline=True), segment.style)


def done(message: str) -> None:
    """A one-line confirmation of a write: plain text (user data is never markup, controls
    are shown escaped), and no rich import, which keeps one-shot commands such as
    ``contact add`` quick to start."""
    sys.stdout.write(safetext.display(message, multiline=True) + "\n")
