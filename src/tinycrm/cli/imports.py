"""``tinycrm import …``: CSV and vCard in, a dump restored, the history, and undo."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm, fail, file_path, limit_option, state, whole, whole_number
from tinycrm.cli.output import TABLE, Output, col, output_options
from tinycrm.files import expand_home
from tinycrm.vocab import plural

if TYPE_CHECKING:
    from tinycrm.cli.rejected import ErrorReport
    from tinycrm.formats.mapping import Mapping

app = typer.Typer(
    no_args_is_help=True,
    help="Bring records in from CSV, JSON or vCard files, restore a dump, list and undo imports.",
)

FileArg = Annotated[
    str,
    typer.Argument(
        help="CSV, JSON or JSON lines file to read (contacts: vCard too; '-' reads stdin).",
        metavar="FILE",
    ),
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="Map a column: 'Header=field' (field.KEY for a custom field, - to skip it).",
        metavar="HEADER=FIELD",
        rich_help_panel="Columns",
    ),
]
ShowMappingOpt = Annotated[
    bool,
    typer.Option(
        "--show-mapping",
        help="Print how columns map to fields and stop.",
        rich_help_panel="Columns",
    ),
]
KeepExtraOpt = Annotated[
    bool,
    typer.Option(
        "--keep-extra",
        help="Keep columns (or vCard properties) that map to no field as custom fields.",
        rich_help_panel="Columns",
    ),
]
DuplicateOpt = Annotated[
    str,
    typer.Option(
        "--on-duplicate",
        help="What a row matching an existing record does: skip, update (fill empty fields, "
        "add tags) or error.",
        rich_help_panel="Duplicates",
    ),
]
OverwriteOpt = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help="On update, replace values too (blank cells clear them).",
        rich_help_panel="Duplicates",
    ),
]
ErrorsOpt = Annotated[
    Path | None,
    typer.Option(
        "--errors",
        help="Where rejected rows go, in the input's format (default: FILE.errors.csv, "
        ".json, .jsonl or .vcf beside the input).",
        metavar="FILE",
        rich_help_panel="Errors",
        parser=file_path,
    ),
]
ErrorsMkdirOpt = Annotated[
    bool,
    typer.Option(
        "--mkdir", help="Create the --errors folder if it does not exist.", rich_help_panel="Errors"
    ),
]
StrictOpt = Annotated[
    bool,
    typer.Option("--strict", help="Import nothing if any row is bad.", rich_help_panel="Errors"),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Do everything, print the summary, write nothing.")
]


def _not_empty(what: str) -> Any:
    """A callback refusing an empty value (``--delimiter "$SEP"`` with SEP unset) as a
    usage error: taken as not given, the file would be read with a guess instead."""

    def check(value: str | None) -> str | None:
        if value is not None and not (value if what == "a delimiter" else value.strip()):
            raise typer.BadParameter(f"must not be empty: give {what}, or leave the option out")
        return value

    return check


EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="The file's encoding (default: detected; UTF-8, UTF-16, Windows-1252).",
        rich_help_panel="Reading",
        callback=_not_empty("an encoding"),
    ),
]
DelimiterOpt = Annotated[
    str | None,
    typer.Option(
        "--delimiter",
        help="Column delimiter (default: detected among , ; tab |).",
        rich_help_panel="Reading",
        callback=_not_empty("a delimiter"),
    ),
]
DayFirstOpt = Annotated[
    bool | None,
    typer.Option(
        "--day-first/--month-first",
        help=(
            "How to read dates like 03/04/2026 (default: as a date of the column only one "
            "way reads, 13/01/2026, says; else day first in ;-separated files)."
        ),
        rich_help_panel="Reading",
    ),
]
DecimalOpt = Annotated[
    bool | None,
    typer.Option(
        "--decimal-comma/--decimal-point",
        help="The decimal mark of the file's amounts, for 1.500 and 1,500 (default: a comma "
        "in ;-separated files; otherwise the currency decides: 1.500 BHD is 1.5 dinars).",
        rich_help_panel="Reading",
    ),
]
ProgressOpt = Annotated[
    bool,
    typer.Option("--progress", help="Report progress even when not on a terminal."),
]
CreateStagesOpt = Annotated[
    bool,
    typer.Option(
        "--create-stages",
        help="Deals: add pipelines and stages the file names that do not exist yet.",
    ),
]


# --------------------------------------------------------------------------- progress


class Progress:
    """A rich progress bar on a terminal; lines on stderr with ``--progress``; else nothing."""

    def __init__(self, label: str, total: int | None, *, force: bool, unit: str) -> None:
        self.bar: Any = None
        self.lines = False
        self.unit = unit
        self.total = total
        self._last = 0.0
        if sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            columns: list[Any] = [TextColumn("{task.description}"), BarColumn()]
            columns.append(TimeRemainingColumn() if unit == "bytes" else MofNCompleteColumn())
            self.bar = Bar(*columns, console=out.err_console(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(label, total=total)
        elif force:
            self.lines = True
            self.label = label

    def update(self, done: int, rows: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done)
        elif self.lines:
            now = time.monotonic()
            if now - self._last >= 0.5:
                self._last = now
                share = f" ({done * 100 // self.total}%)" if self.total else ""
                sys.stderr.write(f"{self.label}: {plural(rows, 'row')}{share}\n")
                sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


@contextmanager
def _binary(file: str) -> Iterator[IO[bytes]]:
    if file == "-":
        yield sys.stdin.buffer
        return
    from tinycrm.errors import Invalid

    if not file.strip():  # ("" is the current folder to Path)
        raise Invalid("the file name is empty (a variable not set?): name a file, or - for stdin")
    path = expand_home(file, "cannot read")
    if path.is_dir():
        raise Invalid(f"{file} is a directory")
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise Invalid(f"no such file: {file}") from None
    except OSError as exc:
        raise Invalid(f"cannot read {file}: {exc.strerror}") from None
    with handle:
        yield handle


@contextmanager
def _none_made_if_refused(ctx: typer.Context, *, keep: bool = True) -> Iterator[None]:
    """An import or restore refused, stopped or killed leaves no database where there
    was none: it is built aside and renamed into place once whole (``api.database``).
    A dry run (not ``keep``) leaves none either way."""
    from tinycrm.api.database import none_made_if_refused

    held = state(ctx)
    given = held.db
    opened = held._crm is not None
    with none_made_if_refused(given, opened=opened, close=held.close, keep=keep) as new:
        held.db = given if new is None else new.db
        try:
            yield
        finally:
            held.db = given


def _is_vcard(file: str, head: bytes) -> bool:
    if file.lower().endswith((".vcf", ".vcard")):
        return True
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \r\n").upper().replace(b"\x00", b"")
    return text.startswith(b"BEGIN:VCARD")


# --------------------------------------------------------------------------- importing


def _show_mapping(mapping: Mapping, output: Output) -> None:
    rows = [{"column": c, "field": f, "why": w} for c, f, w in mapping.describe()]
    columns = [col("column", "column", style="bold"), col("becomes", "field"), col("why", "why")]
    output.list(rows, columns, title=f"Columns → {mapping.kind}")


def run_import(ctx: typer.Context, kind: str, file: str, **options: Any) -> None:
    """Open FILE, map its columns, import, report. Shared by every ``import KIND``."""
    from tinycrm.errors import Invalid
    from tinycrm.formats import FormatError

    keep = not options.get("dry_run")
    with _binary(file) as opened, _none_made_if_refused(ctx, keep=keep):
        try:
            from tinycrm.formats.jsonrows import looks_like_json
            from tinycrm.formats.opening import opening

            head, stream = opening(opened)

            if kind == "contacts" and (options.pop("vcard") or _is_vcard(file, head)):
                _import_vcards(ctx, file, stream, options)
            elif looks_like_json(file, head):
                options.pop("vcard", None)
                _import_json(ctx, kind, file, stream, options)
            else:
                options.pop("vcard", None)
                _import_csv(ctx, kind, file, stream, options)
        except FormatError as exc:
            raise Invalid(str(exc)) from None


def _import_csv(ctx: typer.Context, kind: str, file: str, stream: IO[bytes], o: dict) -> None:
    from tinycrm.formats.csvfile import open_csv
    from tinycrm.formats.mapping import (
        build_mapping,
        mapped_rows,
        parse_map_options,
    )
    from tinycrm.formats.mapping_notes import lost_columns, refuse_unmapped

    table = open_csv(stream, name=file, encoding=o["encoding"], delimiter=o["delimiter"])
    mapping = build_mapping(
        kind, table.header, overrides=parse_map_options(o["map"] or []), keep_extra=o["keep_extra"]
    )
    if o["show_mapping"]:
        _show_mapping(mapping, o["output"])
        return
    refuse_unmapped(mapping, table.name)
    usual_day_first = table.delimiter == ";"  # where neither --day-first nor a column says
    comma = o.get("decimal_comma")
    o["decimal"] = ("," if comma else ".") if comma is not None else _decimal_of(table.delimiter)
    footer: list[int] = []
    progress = Progress(f"Importing {kind}", table.size, force=o["progress"], unit="bytes")

    def rows() -> Iterator[Any]:
        for n, row in enumerate(mapped_rows(table.records(), mapping, footer), start=1):
            if n % 2000 == 0:
                progress.update(table.bytes_read, n)
            yield row

    o["not_imported"] = lambda: _not_imported([mapping])
    summary = _run(ctx, kind, file, rows(), table.header, progress, footer, usual_day_first, o)
    notes = [f"Read {file} as {table.describe()}."]
    if mapping.unmapped:
        notes.append(
            "Columns not imported (no matching field; --keep-extra keeps them as custom "
            "fields, --map names one): " + mapping.unmapped_report()
        )
    notes.extend(lost.note() for lost in lost_columns([mapping]))
    notes.extend(mapping.repeated())
    if ignored := mapping.ignored_report():
        notes.append(_set_by_tinycrm(ignored))
    _finish(summary, notes)


def _import_json(ctx: typer.Context, kind: str, file: str, stream: IO[bytes], o: dict) -> None:
    """A JSON array of records or JSON lines (what ``export --format json|jsonl`` writes)."""
    from tinycrm.formats.jsonrows import JsonRecords, json_rows
    from tinycrm.formats.mapping import ignored_report, parse_map_options
    from tinycrm.formats.mapping_notes import lost_columns, unmapped_report

    records = JsonRecords(stream, name=file)
    o["report_form"] = "json" if records.array else "jsonl"  # the report: the input's form
    mappings: list[Mapping] = []
    rows = json_rows(
        records,
        kind,
        name=file,
        overrides=parse_map_options(o["map"] or []),
        keep_extra=o["keep_extra"],
        mappings=mappings,
    )
    if o["show_mapping"]:
        next(rows, None)  # the first record's keys make the first mapping
        if mappings:
            _show_mapping(mappings[0], o["output"])
        return
    comma = o.get("decimal_comma")  # a JSON file has no delimiter to tell: the currency decides
    o["decimal"] = ("," if comma else ".") if comma is not None else None
    progress = Progress(f"Importing {kind}", None, force=o["progress"], unit="records")

    def counted() -> Iterator[Any]:
        for n, row in enumerate(rows, start=1):
            if n % 2000 == 0:
                progress.update(n, n)
            yield row

    o["not_imported"] = lambda: _not_imported(mappings)
    summary = _run(ctx, kind, file, counted(), ["record"], progress, [], False, o)
    notes = []
    if any(c.how == "unmapped" for m in mappings for c in m.columns):
        shown = unmapped_report(mappings, noun="key")
        notes.append(f"Keys not imported (no matching field; --keep-extra keeps them): {shown}")
    notes.extend(lost.note("key") for lost in lost_columns(mappings))
    if ignored := ignored_report(mappings):  # each key once, however many sets of keys
        notes.append(_set_by_tinycrm(ignored))
    _finish(summary, notes)


def _not_imported(mappings: list[Mapping]) -> list[dict[str, Any]]:
    """The columns (a JSON file's keys) not imported, for a --json summary: each with the
    rows that held a value in it and why (no matching field, tinycrm sets it itself, or
    another column gives its field first: then the rows whose value was not the field's)."""
    from tinycrm.formats.mapping_notes import lost_columns

    found: dict[tuple[str, str], int] = {}
    for mapping in mappings:
        for column in mapping.columns:
            if column.how == "unmapped":
                reason = "no matching field"
            elif column.how == "ignored":
                reason = "set by tinycrm"
                if column.header == "id" and mapping.own_export:
                    reason += f": {mapping.own_id()}"
                if not mapping.filled.get(column.index):
                    continue  # (as the summary: an empty score column is nothing lost)
            else:
                continue
            key = (column.header, reason)
            found[key] = found.get(key, 0) + mapping.filled.get(column.index, 0)
    noun = "column" if all(m.escaped for m in mappings) else "key"  # (JSON: keys)
    for lost in lost_columns(mappings):
        found[(lost.header, lost.reason(noun))] = lost.not_imported
    return [{"column": h, "rows": n, "reason": why} for (h, why), n in found.items()]


def _set_by_tinycrm(report: str) -> str:
    """The note on a file's columns that tinycrm sets itself (``score (3 rows)``)."""
    return (
        "Columns not imported, as tinycrm sets them itself (--map 'COLUMN=field.KEY' keeps "
        f"one as a custom field): {report}"
    )


def _import_vcards(ctx: typer.Context, file: str, stream: IO[bytes], o: dict) -> None:
    from tinycrm.formats.vcard import read_vcards

    if o["show_mapping"]:
        fail("--show-mapping is for CSV files; a vCard's properties map to fields as documented")
    progress = Progress("Importing contacts", None, force=o["progress"], unit="cards")
    unread: dict[str, int] = {}
    outside: dict[str, int] = {}

    def rows() -> Iterator[Any]:
        keep = o["keep_extra"]
        cards = read_vcards(stream, name=file, keep_extra=keep, unread=unread, outside=outside)
        for n, row in enumerate(cards, start=1):
            if n % 500 == 0:
                progress.update(n, n)
            yield row

    o["report_form"] = "vcard"
    o["not_imported"] = lambda: [
        {"column": name, "rows": count, "reason": "no matching field"}
        for name, count in sorted(unread.items())
    ]
    summary = _run(ctx, "contacts", file, rows(), ["vcard"], progress, [], False, o)
    notes = []
    if unread:
        shown = ", ".join(
            f"{name} ({count:,} card{'s' if count != 1 else ''})"
            for name, count in sorted(unread.items())
        )
        notes.append(
            "vCard properties not imported (no matching field; --keep-extra keeps those "
            f"holding text as custom fields): {shown}"
        )
    if outside:  # a card inside a card ends the one it is in: what follows is outside
        notes.append(
            f"{plural(outside['lines'], 'line')} outside any BEGIN:VCARD … END:VCARD not read "
            f"(the first: line {outside['first']:,})"
        )
    _finish(summary, notes)


def _decimal_of(delimiter: str) -> str | None:
    """The decimal mark a file's delimiter gives away: Excel writes ;-separated files where
    the comma is the decimal mark; otherwise none (the currency decides)."""
    return "," if delimiter == ";" else None


def _run(
    ctx: typer.Context,
    kind: str,
    file: str,
    rows: Iterator[Any],
    header: list[str],
    progress: Progress,
    footer: list[int],
    usual_day_first: bool,
    o: dict,
) -> Any:
    from tinycrm.cli.rejected import ErrorReport, report_path

    form = o.get("report_form", "csv")
    path = report_path(file, o["errors"], form)
    report = ErrorReport(path, header, file, write=not o["dry_run"], form=form)
    if report.write:
        from tinycrm.files import CannotWrite, reaches_terminal, resolve

        # --errors into a missing folder, or onto the input: stop before importing anything
        where = resolve(report.path, mkdir=o.get("mkdir", False))
        if where.is_stdout:  # the summary's place (and --json's): the rows would mix in
            raise CannotWrite(
                f"--errors {report.path}: standard output has the import's summary; give "
                "the rejected rows a file of their own"
            )
        if where.stream and reaches_terminal(report.path):  # /dev/tty, a tty's /dev/stderr
            raise CannotWrite(
                f"--errors {report.path} is a terminal: the rejected rows would be shown, "
                "not kept; give them a file of their own"
            )
        if where.path is not None and file != "-" and _same_file(where.path, Path(file)):
            raise CannotWrite(f"--errors {report.path} is the file being imported")
        if where.path is not None:
            crm(ctx).db.refuse_own_file(where.path, str(report.path))
    ok = False
    try:
        summary = crm(ctx).imports.rows(
            kind,
            rows,
            source=file,
            on_duplicate=o["on_duplicate"],
            overwrite=o["overwrite"],
            strict=o["strict"],
            dry_run=o["dry_run"],
            day_first=o["day_first"],
            usual_day_first=usual_day_first,
            create_stages=o.get("create_stages", False),
            on_reject=report.add,
            decimal=o.get("decimal"),
        )
        ok = True
    finally:
        progress.close()
        report.close(keep=ok)
    if report.failed:
        sys.stderr.write(
            f"Warning: the rejected rows were not written to a report ({report.failed}); "
            "the first are listed below\n"
        )
    if o["output"].machine:
        if report.failed:  # (the summary's record is on stdout: the rows go to stderr)
            _list_rejected(summary, report)
        written = report.count and report.write and not report.failed
        extra: dict[str, Any] = {"errors_file": str(report.path) if written else None}
        lost: list[Any] = o["not_imported"]() if "not_imported" in o else []
        if o["output"].format == "csv":  # (CSV leaves lists of records out: one cell of them)
            lost = [f"{n['column']} ({plural(n['rows'], 'row')}: {n['reason']})" for n in lost]
        extra["not_imported"] = lost
        o["output"].record({**summary.model_dump(mode="json"), **extra})
        return None
    _print_summary(summary, report, footer, file)
    return summary


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve() or os.path.samefile(one, other)
    except OSError:
        return False


def _finish(summary: Any, notes: list[str]) -> None:
    """What to know after the summary, then how to take it back."""
    if summary is None:
        return
    for note in notes:
        out.done(note)
    changed = summary.created + summary.updated + sum(summary.linked_created.values())
    if not summary.dry_run and changed:  # (an import that changed nothing has no undo)
        out.done(f"Undo with: tinycrm import undo {summary.batch_id}")


def _print_summary(summary: Any, report: ErrorReport, footer: list[int], file: str) -> None:
    counts = (
        f"{summary.created:,} created, {summary.updated:,} updated, "
        f"{summary.skipped:,} skipped, {summary.rejected:,} rejected"
    )
    linked = ", ".join(plural(n, what) for what, n in summary.linked_created.items())
    if summary.dry_run:
        out.done(f"Dry run, nothing written: {summary.kind} from {file} would be {counts}")
    else:
        out.done(f"Imported {summary.kind} from {file} (import #{summary.batch_id}): {counts}")
    if linked:
        out.done(
            f"  and {linked} named in the rows {'would be ' if summary.dry_run else ''}created"
        )
    for dropped, kind, kept in (
        (summary.companies_not_created, "company", "contacts an update keeps at their own company"),
        (summary.contacts_not_created, "contact", "deals an update keeps with their own contact"),
    ):
        if not dropped:
            continue
        named = ", ".join(out.shown(name) for name in dropped[:5])
        more = f", and {len(dropped) - 5:,} more" if len(dropped) > 5 else ""
        out.done(
            f"{'Would not' if summary.dry_run else 'Did not'} create "
            f"{plural(len(dropped), kind)} no row was linked to "
            f"(duplicates skipped or rejected, {kept}; --overwrite replaces theirs): {named}{more}"
        )
    kept = summary.emails_not_taken
    if kept:
        named = ", ".join(f"#{k.contact_id} {k.name} ({k.email} not taken)" for k in kept[:5])
        more = f", and {len(kept) - 5:,} more" if len(kept) > 5 else ""
        out.done(
            f"Kept the email of {plural(len(kept), 'contact')} the file gave another (an "
            f"update never replaces one): {named}{more}"
        )
    if deleted := summary.mail_deleted:
        out.done(f"Skipped {plural(deleted, 'mailbox email')} deleted from tinycrm before, "
                 "not logged again (tinycrm mail import --undelete logs it again)")  # fmt: skip
    if footer:
        out.done(
            f"Left out {plural(len(footer), 'footer line')} after the data (from line {footer[0]})."
        )
    if summary.rejected:
        if summary.dry_run or report.failed:
            _list_rejected(summary, report)
        else:
            out.done(f"Rejected rows, with line numbers and reasons: {report.path}")
            for line in report.shown[:3]:
                out.done(f"  {line}")
            if summary.rejected > 3:
                out.done(f"  … and {summary.rejected - 3:,} more in the report")


def _list_rejected(summary: Any, report: ErrorReport) -> None:
    """The first rejected rows on stderr, when there is no report of them to name."""
    for line in report.shown:
        sys.stderr.write(f"  {out.shown(line)}\n")
    more = summary.rejected - len(report.shown)
    if more > 0:
        sys.stderr.write(f"  … and {more:,} more\n")


def _kind_command(kind: str, help_text: str) -> Any:
    """The command for one kind: the same options for each (deals add --create-stages)."""

    def command(
        ctx: typer.Context,
        file: FileArg,
        map_: MapOpt = None,
        show_mapping: ShowMappingOpt = False,
        keep_extra: KeepExtraOpt = False,
        on_duplicate: DuplicateOpt = "update",
        overwrite: OverwriteOpt = False,
        errors: ErrorsOpt = None,
        mkdir: ErrorsMkdirOpt = False,
        strict: StrictOpt = False,
        dry_run: DryRunOpt = False,
        encoding: EncodingOpt = None,
        delimiter: DelimiterOpt = None,
        day_first: DayFirstOpt = None,
        decimal_comma: DecimalOpt = None,
        progress: ProgressOpt = False,
        create_stages: CreateStagesOpt = False,
        output: Output = TABLE,
    ) -> None:
        options = dict(locals())
        for name in ("ctx", "file", "kind", "help_text"):
            options.pop(name, None)
        options["map"] = options.pop("map_")
        run_import(ctx, kind, file, vcard=False, **options)

    command.__doc__ = help_text
    if kind != "deals":
        import inspect

        signature = inspect.signature(command, eval_str=True)
        params = [p for name, p in signature.parameters.items() if name != "create_stages"]
        command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return output_options(command)


app.command("contacts")(
    _kind_command(
        "contacts",
        "Import contacts from a CSV, JSON or JSON lines file, or a vCard file (.vcf). "
        "Duplicates by email; companies named in the rows are linked, created when missing.",
    )
)
app.command("companies")(
    _kind_command(
        "companies",
        "Import companies from a CSV, JSON or JSON lines file. Duplicates by domain, else name.",
    )
)
app.command("deals")(
    _kind_command(
        "deals",
        "Import deals from a CSV, JSON or JSON lines file. Duplicates by external id, else "
        "title and company; contacts and companies named in the rows are linked, created "
        "when missing.",
    )
)
app.command("activities")(
    _kind_command(
        "activities",
        "Import calls, emails, meetings, notes and tasks from a CSV, JSON or JSON lines "
        "file; contacts and companies named in the rows are linked, created when missing, "
        "deals must exist.",
    )
)


@app.command("all")
@output_options
def import_all(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A dump from 'tinycrm export all'.", metavar="FILE")],
    output: Output = TABLE,
) -> None:
    """Restore a full JSON dump (tinycrm export all --format json) into an empty database."""
    from tinycrm.api.data import check_dump
    from tinycrm.errors import Invalid
    from tinycrm.formats import FormatError
    from tinycrm.formats.dump_reader import DumpFile, seekable

    with _binary(file) as opened, seekable(opened) as stream:
        try:  # read a table at a time: checked from end to end first, then restored
            dump = DumpFile(stream, file)
            check_dump(dump)  # before the database is opened: a refused dump makes none
        except FormatError as exc:
            raise Invalid(str(exc)) from None
        try:
            with _none_made_if_refused(ctx):  # a row refused deep in the dump
                counts = crm(ctx).imports.restore(dump)
        except FormatError as exc:
            raise Invalid(str(exc)) from None
    if output.machine:
        output.record(counts)
        return
    shown = ", ".join(f"{name} {n:,}" for name, n in counts.items() if n)
    out.done(f"Restored {file}: {shown or 'nothing (the dump is empty)'}")


HISTORY_COLUMNS = [
    col("id", "id", justify="right", style="dim"),
    col("when", "when", whole=True),
    col("kind", "kind", style="cyan"),
    col("file", "source"),
    col("created", "created", justify="right"),
    col("updated", "updated", justify="right"),
    col("skipped", "skipped", justify="right"),
    col("rejected", "rejected", justify="right"),
    col("by", "actor", style="dim"),
    col("undone", "undone"),
]


@app.command("history")
@output_options
def history(
    ctx: typer.Context,
    limit: Annotated[int | None, limit_option("At most N imports.")] = None,
    output: Output = TABLE,
) -> None:
    """List imports, newest first: when, which file, what each did, whether it was undone."""
    from tinycrm import dates

    batches = crm(ctx).imports.history(limit=limit)
    if output.machine:
        output.list(batches, HISTORY_COLUMNS, model="ImportBatchRead")
        return
    rows = [
        {
            **b.model_dump(),
            "when": dates.format_local(b.at),
            "undone": dates.format_local(b.undone_at) if b.undone_at else "",
        }
        for b in batches
    ]
    out.print_table(rows, HISTORY_COLUMNS, empty="no imports yet")


@app.command("undo")
@output_options
def undo(
    ctx: typer.Context,
    batch: Annotated[
        int | None,
        typer.Argument(
            help="Import id (see import history; default: the latest).",
            metavar="BATCH",
            parser=whole,
            callback=whole_number(1),
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what undo would do, change nothing.")
    ] = False,
    output: Output = TABLE,
) -> None:
    """Take back an import: delete what it created, put back what it changed.

    Values changed since the import, and records edited or referred to since, are
    kept and listed rather than overwritten.
    """
    result = crm(ctx).imports.undo(batch, dry_run=dry_run)
    if output.machine:
        output.record(result)
        return
    removed = ", ".join(plural(n, e) for e, n in result.deleted.items())
    verb = "Would undo" if dry_run else "Undid"
    out.done(
        f"{verb} import #{result.batch_id} ({result.kind} from {result.source}): "
        f"{'would remove' if dry_run else 'removed'} {removed or 'nothing'}, "
        f"{'would restore' if dry_run else 'restored'} {plural(result.restored, 'value')}"
    )
    if result.conflicts:
        out.done(f"Kept {len(result.conflicts):,} changed since the import:")
        for line in result.conflicts[:20]:
            out.done(f"  {line}")
        if len(result.conflicts) > 20:
            out.done(f"  … and {len(result.conflicts) - 20:,} more (--json lists them all)")
