"""``tinycrm export …``: records out as CSV, JSON, JSON lines or vCard; everything as a dump."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, cast

import typer

from tinycrm import safetext
from tinycrm.cli import output as out
from tinycrm.cli.common import (
    FieldFilterOpt,
    TagOpt,
    crm,
    file_path,
    limit_option,
    parse_field_filter,
    parse_when,
)
from tinycrm.cli.segments import SegmentOpt, WhereOpt
from tinycrm.formats import jsonnumbers
from tinycrm.vocab import plural

if TYPE_CHECKING:
    from tinycrm.api.data import Exports

app = typer.Typer(
    no_args_is_help=True,
    help="Write records out as CSV, JSON, JSON lines or vCard, or everything as one dump.",
)


def _said(message: str) -> None:
    """The closing line on standard error: plain text, controls shown escaped (no rich:
    an export is often one quick command)."""
    sys.stderr.write(safetext.display(message, multiline=True) + "\n")


class _Quiet:
    """No progress: stderr is not a terminal and --progress was not given."""

    def update(self, done: int, rows: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(label: str, total: int | None, *, force: bool, unit: str) -> Any:
    """``tinycrm.cli.progress.Progress`` when there is progress to show (a terminal on
    stderr, or --progress), else nothing, without loading the import commands."""
    if not force and not sys.stderr.isatty():
        return _Quiet()
    from tinycrm.cli.progress import Progress as Shown

    return Shown(label, total, force=force, unit=unit)


def _to_file(path: Path | None) -> bool:
    """Whether ``--out`` names a file (not standard output), for the closing message."""
    return path is not None and str(path) not in ("-", "/dev/stdout")


def _not_the_database(ctx: typer.Context, path: Path | None) -> Path | None:
    """``--out`` must not name the open database (nor a link to it, nor its -wal): the
    export would replace it. Checked as the option is read, before anything runs."""
    if path is not None and _to_file(path):
        crm(ctx).db.refuse_own_file(path, str(path))
    return path


FORMATS = ("csv", "json", "jsonl", "vcard")
FormatOpt = Annotated[str, typer.Option("--format", help="csv, json or jsonl.")]
ContactFormatOpt = Annotated[str, typer.Option("--format", help="csv, json, jsonl or vcard.")]
TaskFormatOpt = Annotated[
    str, typer.Option("--format", help="csv, json, jsonl or ics (open tasks, for calendars).")
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Write to FILE (default, or -: standard output).",
        metavar="FILE",
        callback=_not_the_database,
        parser=file_path,
    ),
]
MkdirOpt = Annotated[
    bool, typer.Option("--mkdir", help="Create the --out folder if it does not exist.")
]
ProgressOpt = Annotated[
    bool, typer.Option("--progress", help="Report progress even when not on a terminal.")
]
VersionOpt = Annotated[str, typer.Option("--vcard-version", help="vCard version: 3.0 or 4.0.")]
OwnerOpt = Annotated[str | None, typer.Option(help="Only records with this owner.")]
LimitOpt = Annotated[int | None, limit_option("At most N records.")]
ContactOpt = Annotated[str | None, typer.Option(help="Only those of this contact.")]
CompanyOpt = Annotated[str | None, typer.Option(help="Only those of this company.")]
DealOpt = Annotated[str | None, typer.Option(help="Only those of this deal.")]


@contextmanager
def _target(path: Path | None, mkdir: bool = False) -> Iterator[IO[str]]:
    """Standard output, or FILE written whole (see tinycrm.files): into a temporary file
    renamed at the end, so an interrupted export leaves no half file behind; 0600, as
    exports hold personal data."""
    if path is None and out.on_terminal(sys.stdout):
        yield cast(IO[str], _Terminal(sys.stdout))
        sys.stdout.flush()
        return
    from tinycrm.files import open_output, reaches_terminal

    # a terminal named (``-``, /dev/stdout, /dev/tty) is shown the export as without --out
    shown = reaches_terminal(path or "-")
    # (standard output too: an export cut short by its reader is said to be, exit 1)
    with open_output(path or "-", mkdir=mkdir) as handle:
        yield cast(IO[str], _Terminal(handle)) if shown else handle


class _Terminal:
    """Standard output when it is a terminal. An export is data, written exactly as stored
    to a pipe or a file; a terminal would obey the escape sequences stored text may hold
    (ESC, OSC, BEL, bidi overrides), so there they are shown escaped (``\\x1b``), and a
    line end is a newline (vCard's CRLF)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(out.on_screen(text.replace("\r\n", "\n"), multiline=True))
        return len(text)

    def isatty(self) -> bool:
        return True

    def flush(self) -> None:
        self.stream.flush()


def _check_format(value: str, allowed: Sequence[str]) -> str:
    clean = value.strip().lower()
    if clean not in allowed:
        raise typer.BadParameter(
            f"{safetext.quoted(value)} is not one of {', '.join(map(repr, allowed))}",
            param_hint="'--format'",
        )
    return clean


BATCH = 5000  # rows written between two progress updates


def _columns_of(model: str | None, *, contact_email: bool, mail: bool = False) -> list[str] | None:
    """The CSV header of an export of ``model`` records that has none (``out.model_columns``),
    with the export's own columns (``contact_email``, a mail's key and direction)."""
    if model is None:
        return None
    columns = []
    for name in out.model_columns(model):
        columns.append(name)
        if name == "contact" and contact_email:
            columns.append("contact_email")
        elif name == "channel" and mail:
            columns += ["mail_key", "direction"]
    return columns


def _write(
    rows: Sequence[Any],
    fmt: str,
    out_path: Path | None,
    progress: bool,
    *,
    what: str,
    exports: Exports | None = None,
    mkdir: bool = False,
    model: str | None = None,
    mail: bool = False,
) -> None:
    """Write read models in ``fmt`` through the one output layer (``out.RowWriter``).
    With ``exports``, rows are its export records: ``contact_email`` after ``contact``.
    ``model``: the rows' read model, whose columns a CSV of no rows has as its header."""
    bar = _progress(f"Exporting {plural(len(rows), what)}", len(rows), force=progress, unit="rows")
    if exports is not None:
        if fmt == "csv":
            rows = exports.records(rows, mode="python", mail=mail)
        else:
            with jsonnumbers.exact():  # amounts as markers the writer puts in exactly
                rows = exports.records(rows, mode="json", mail=mail)
    try:
        with _target(out_path, mkdir) as stream:
            columns = None
            if fmt == "csv" and not rows:
                columns = _columns_of(model, contact_email=exports is not None, mail=mail)
            writer = out.Output(fmt).writer(stream, columns=columns)
            for start in range(0, len(rows), BATCH):
                writer.write(rows[start : start + BATCH])
                bar.update(writer.count, writer.count)
            writer.close()
            bar.update(len(rows), len(rows))
    finally:
        bar.close()
    if _to_file(out_path):
        _said(f"Exported {plural(len(rows), what)} to {out_path}")


@app.command("contacts")
def contacts(
    ctx: typer.Context,
    fmt: ContactFormatOpt = "csv",
    out_path: OutOpt = None,
    mkdir: MkdirOpt = False,
    tag: TagOpt = None,
    company: CompanyOpt = None,
    lifecycle: Annotated[str | None, typer.Option(help="Only this lifecycle.")] = None,
    lead_status: Annotated[
        str | None,
        typer.Option("--lead-status", help="Only these lead statuses (comma-separated)."),
    ] = None,
    role: Annotated[str | None, typer.Option(help="Only this buying role.")] = None,
    owner: OwnerOpt = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Text search.")] = None,
    field: FieldFilterOpt = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    limit: LimitOpt = None,
    vcard_version: VersionOpt = "3.0",
    progress: ProgressOpt = False,
) -> None:
    """Export contacts (the filters of contact list) as CSV, JSON, JSON lines or vCard.

    Written as they are read, a few thousand at a time: 100,000 contacts take seconds."""
    fmt = _check_format(fmt, FORMATS)
    if vcard_version not in ("3.0", "4.0"):
        raise typer.BadParameter("choose 3.0 or 4.0", param_hint="--vcard-version")
    filters: dict[str, Any] = {
        "tags": tag,
        "company": company,
        "lifecycle": lifecycle,
        "lead_status": lead_status,
        "role": role,
        "owner": owner,
        "search": search,
        "field": parse_field_filter(field),
        "where": where,
        "segment": segment,
        "limit": limit,
    }
    exports = crm(ctx).exports
    lines = None
    if fmt == "csv" and not (out_path is None and out.on_terminal(sys.stdout)):
        # The database builds the lines (same bytes; a terminal shows cells escaped)
        lines = exports.contact_lines(
            cell=out.csv_cell, quoted=out.csv_quoted(), prefixes=out.FORMULA_PREFIXES, **filters
        )
    batches = lines or exports.contacts(**filters, times="iso" if fmt == "csv" else "datetime")
    columns, field_keys = next(batches)
    bar = _progress("Exporting contacts", None, force=progress, unit="rows")
    count = 0
    try:
        with _target(out_path, mkdir) as stream:
            if fmt == "vcard":
                from tinycrm.formats.vcard_write import write_vcards

                for rows in batches:
                    write_vcards([dict(zip(columns, row, strict=True)) for row in rows],
                                 stream, version=vcard_version)  # fmt: skip
                    count += len(rows)
                    bar.update(count, count)
            else:
                writer = out.Output(fmt).writer(stream, columns=columns, field_keys=field_keys)
                write = writer.write_lines if lines is not None else writer.write_values
                for rows in batches:
                    write(rows)
                    count = writer.count
                    bar.update(count, count)
                writer.close()
    finally:
        bar.close()
    if _to_file(out_path):
        _said(f"Exported {plural(count, 'contact')} to {out_path}")


@app.command("companies")
def companies(
    ctx: typer.Context,
    fmt: FormatOpt = "csv",
    out_path: OutOpt = None,
    mkdir: MkdirOpt = False,
    tag: TagOpt = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Text search.")] = None,
    field: FieldFilterOpt = None,
    owner: OwnerOpt = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    limit: LimitOpt = None,
    progress: ProgressOpt = False,
) -> None:
    """Export companies (the filters of company list) as CSV, JSON or JSON lines."""
    fmt = _check_format(fmt, FORMATS[:3])
    rows = crm(ctx).companies.list(
        tags=tag,
        search=search,
        field=parse_field_filter(field),
        owner=owner,
        where=where,
        segment=segment,
        limit=limit,
    )
    _write(rows, fmt, out_path, progress, what="company", mkdir=mkdir, model="CompanyRead")


@app.command("deals")
def deals(
    ctx: typer.Context,
    fmt: FormatOpt = "csv",
    out_path: OutOpt = None,
    mkdir: MkdirOpt = False,
    status: Annotated[str, typer.Option(help="open, won, lost or all.")] = "all",
    stage: Annotated[str | None, typer.Option(help="Only deals in this stage.")] = None,
    pipeline: Annotated[str | None, typer.Option(help="Only this pipeline.")] = None,
    tag: TagOpt = None,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    owner: OwnerOpt = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Text in the title.")] = None,
    field: FieldFilterOpt = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    limit: LimitOpt = None,
    progress: ProgressOpt = False,
) -> None:
    """Export deals (the filters of deal list; every status unless --status) as CSV or JSON."""
    fmt = _check_format(fmt, FORMATS[:3])
    opened = crm(ctx)
    rows = opened.deals.list(
        status=None if status.strip().lower() == "all" else status,
        stage=stage,
        pipeline=pipeline,
        tags=tag,
        contact=contact,
        company=company,
        owner=owner,
        search=search,
        field=parse_field_filter(field),
        where=where,
        segment=segment,
        limit=limit,
    )
    _write(
        rows, fmt, out_path, progress, what="deal", exports=opened.exports, mkdir=mkdir,
        model="DealRead",
    )  # fmt: skip


@app.command("contracts")
def contracts(
    ctx: typer.Context,
    fmt: FormatOpt = "csv",
    out_path: OutOpt = None,
    mkdir: MkdirOpt = False,
    status: Annotated[
        str | None, typer.Option(help="active, upcoming, ended or cancelled (default: all).")
    ] = None,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    limit: LimitOpt = None,
    progress: ProgressOpt = False,
) -> None:
    """Export contracts (the filters of contract list) as CSV or JSON."""
    fmt = _check_format(fmt, FORMATS[:3])
    rows = crm(ctx).contracts.list(status=status, contact=contact, company=company, limit=limit)
    _write(rows, fmt, out_path, progress, what="contract", mkdir=mkdir, model="ContractRead")


@app.command("cases")
def cases(
    ctx: typer.Context,
    fmt: FormatOpt = "csv",
    out_path: OutOpt = None,
    mkdir: MkdirOpt = False,
    status: Annotated[
        str, typer.Option(help="new, open, pending, resolved, closed, unresolved or all.")
    ] = "all",
    priority: Annotated[str | None, typer.Option(help="Only this priority.")] = None,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    where: WhereOpt = None,
    limit: LimitOpt = None,
    progress: ProgressOpt = False,
) -> None:
    """Export support cases (the filters of case list; every status unless --status) as
    CSV or JSON."""
    fmt = _check_format(fmt, FORMATS[:3])
    rows = crm(ctx).cases.list(
        status=status, priority=priority, contact=contact, company=company, where=where,
        limit=limit,
    )  # fmt: skip
    _write(rows, fmt, out_path, progress, what="case", mkdir=mkdir, model="CaseRead")


@app.command("products")
def products(
    ctx: typer.Context,
    fmt: FormatOpt = "csv",
    out_path: OutOpt = None,
    mkdir: MkdirOpt = False,
    progress: ProgressOpt = False,
) -> None:
    """Export the catalogue (archived products too) as CSV or JSON."""
    fmt = _check_format(fmt, FORMATS[:3])
    rows = crm(ctx).products.list(archived=True)
    _write(rows, fmt, out_path, progress, what="product", mkdir=mkdir, model="ProductRead")


@app.command("items")
def items(
    ctx: typer.Context,
    fmt: FormatOpt = "csv",
    out_path: OutOpt = None,
    mkdir: MkdirOpt = False,
    progress: ProgressOpt = False,
) -> None:
    """Export every deal's line items as CSV or JSON."""
    fmt = _check_format(fmt, FORMATS[:3])
    rows = crm(ctx).deals.items.of_deals(None)
    _write(rows, fmt, out_path, progress, what="item", mkdir=mkdir, model="DealItemRead")


@app.command("quotes")
def quotes(
    ctx: typer.Context,
    fmt: FormatOpt = "csv",
    out_path: OutOpt = None,
    mkdir: MkdirOpt = False,
    status: Annotated[
        str | None, typer.Option(help="draft, sent, accepted, declined or expired.")
    ] = None,
    progress: ProgressOpt = False,
) -> None:
    """Export quotes as CSV (one row each, totals) or JSON (with their lines and taxes)."""
    fmt = _check_format(fmt, FORMATS[:3])
    rows = crm(ctx).quotes.list(status=status)
    _write(rows, fmt, out_path, progress, what="quote", mkdir=mkdir, model="QuoteRead")


@app.command("activities")
def activities(
    ctx: typer.Context,
    fmt: FormatOpt = "csv",
    out_path: OutOpt = None,
    mkdir: MkdirOpt = False,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    deal: DealOpt = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", help="call, email, meeting or note, or another kind stored (repeatable)."
        ),
    ] = None,
    since: Annotated[str | None, typer.Option(help="Only since WHEN.")] = None,
    limit: LimitOpt = None,
    progress: ProgressOpt = False,
) -> None:
    """Export logged calls, emails, meetings and notes (newest first) as CSV or JSON."""
    fmt = _check_format(fmt, FORMATS[:3])
    opened = crm(ctx)
    rows = opened.activities.list(
        contact=contact,
        company=company,
        deal=deal,
        kinds=kind,
        tasks=bool(kind),  # no --kind: every kind but tasks, as stored (one not offered too)
        since=parse_when(since),
        limit=limit,
    )
    _write(
        rows, fmt, out_path, progress, what="activity", exports=opened.exports, mkdir=mkdir,
        model="ActivityRead", mail=True,
    )  # fmt: skip


@app.command("tasks")
def tasks(
    ctx: typer.Context,
    fmt: TaskFormatOpt = "csv",
    out_path: OutOpt = None,
    mkdir: MkdirOpt = False,
    open_: Annotated[bool, typer.Option("--open", help="Only open tasks.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue tasks.")] = False,
    today: Annotated[bool, typer.Option("--today", help="Only tasks due today.")] = False,
    upcoming: Annotated[bool, typer.Option("--upcoming", help="Only tasks due later.")] = False,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    deal: DealOpt = None,
    limit: LimitOpt = None,
    progress: ProgressOpt = False,
) -> None:
    """Export tasks (every task, done ones too, unless a scope is given) as CSV or JSON,
    or open tasks as an iCalendar file (--format ics) for calendar apps."""
    fmt = _check_format(fmt, (*FORMATS[:3], "ics"))
    chosen = [n for n, on in (("open", open_), ("overdue", overdue), ("today", today),
                              ("upcoming", upcoming)) if on]  # fmt: skip
    if len(chosen) > 1:
        raise typer.BadParameter("choose one of --open, --overdue, --today and --upcoming")
    opened = crm(ctx)
    rows = opened.tasks.list(
        chosen[0] if chosen else "all",
        contact=contact,
        company=company,
        deal=deal,
        limit=limit,
    )
    if fmt == "ics":
        _write_ics(rows, out_path, mkdir)
        return
    _write(
        rows, fmt, out_path, progress, what="task", exports=opened.exports, mkdir=mkdir,
        model="ActivityRead",
    )  # fmt: skip


def _write_ics(rows: Sequence[Any], out_path: Path | None, mkdir: bool = False) -> None:
    """Open tasks with a due time as calendar events, with an alarm at their reminder."""
    import sys

    from tinycrm.clock import utcnow
    from tinycrm.formats.ics import tasks_to_ics

    data = tasks_to_ics([r for r in rows if r.done_at is None], now=utcnow())
    from tinycrm.files import reaches_terminal, write_bytes

    if reaches_terminal(out_path or "-"):  # shown escaped, a line end a newline
        with _target(out_path) as stream:
            stream.write(data.decode())
        return
    if out_path is None:
        sys.stdout.buffer.write(data)
        return

    write_bytes(out_path, data, mkdir=mkdir)
    if _to_file(out_path):
        _said(f"Exported open tasks to {out_path}")


@app.command("all")
def all_(
    ctx: typer.Context,
    fmt: Annotated[
        str, typer.Option("--format", help="json (one dump file) or csv (a folder of files).")
    ] = "json",
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="FILE for json (default: stdout), DIR for csv.",
            metavar="PATH",
            callback=_not_the_database,
            parser=file_path,
        ),
    ] = None,
    mkdir: MkdirOpt = False,
) -> None:
    """Export everything. JSON is a complete dump (pipelines, stage history, events, tags,
    custom fields, …) that 'tinycrm import all FILE' restores into an empty database."""
    fmt = _check_format(fmt, ("json", "csv"))
    if fmt == "json":
        from tinycrm.formats.jsondump import write_dump, write_dump_lines

        exports = crm(ctx).exports
        lines = exports.dump_lines()  # SQLite: lines built by the database, same bytes
        data = exports.dump() if lines is None else {}
        head = next(lines) if lines is not None else {}
        with _target(out_path, mkdir) as stream:
            if lines is not None:
                rows = write_dump_lines(head, lines, stream)
            else:
                write_dump(data, stream)
                rows = {k: len(v) for k, v in data["tables"].items()}
        if _to_file(out_path):
            counts = ", ".join(plural(n, k.replace("_", " ")) for k, n in rows.items() if n)
            _said(f"Dumped to {out_path}: {counts}")
        return
    if out_path is None:
        raise typer.BadParameter(
            "give --out DIR: CSV export writes one file per kind", param_hint="--out"
        )
    _all_csv(ctx, out_path, mkdir)


# The read model of each kind ``export all --format csv`` writes (for the header of none)
_MODELS = {"companies": "CompanyRead", "contacts": "ContactRead", "deals": "DealRead",
           "activities": "ActivityRead", "tasks": "ActivityRead", "contracts": "ContractRead",
           "cases": "CaseRead", "products": "ProductRead", "items": "DealItemRead",
           "quotes": "QuoteRead"}  # fmt: skip


def _all_csv(ctx: typer.Context, folder: Path, mkdir: bool) -> None:
    """One CSV per kind into ``folder``, the set written whole (``files.write_folder``):
    it replaces an earlier export there at once, or nothing changes."""
    from tinycrm.files import write_folder

    if str(folder) in ("-", "/dev/stdout"):
        raise typer.BadParameter("CSV export writes a folder of files", param_hint="--out")
    names = [f"{name}.csv" for name in _MODELS]
    exports = crm(ctx).exports
    with write_folder(folder, names=names, mkdir=mkdir) as made:
        parts = exports.everything()
        linked = ("deals", "activities", "tasks")
        for name, rows in parts.items():
            mail = name == "activities"
            records = exports.records(rows, mail=mail) if name in linked else rows
            with made.open(f"{name}.csv") as stream:
                model = _MODELS.get(name)
                columns = (
                    None if rows else _columns_of(model, contact_email=name in linked, mail=mail)
                )
                writer = out.Output("csv").writer(stream, columns=columns)
                writer.write(records)
                writer.close()
    one = {"companies": "company", "activities": "activity"}
    shown = ", ".join(plural(len(rows), one.get(name, name[:-1])) for name, rows in parts.items())
    _said(f"Exported to {folder.expanduser()}/: {shown}")
