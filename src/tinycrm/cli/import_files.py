"""Running ``tinycrm import KIND FILE``: the file opened (``-`` for stdin), its form told
(CSV, JSON or JSON lines, vCard) and read, the rows imported with their report of
rejected rows, and the summary printed. :mod:`tinycrm.cli.imports` holds the commands."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm, fail, state
from tinycrm.cli.output import Output, col
from tinycrm.cli.progress import Progress
from tinycrm.files import expand_home
from tinycrm.vocab import plural

if TYPE_CHECKING:
    from tinycrm.cli.rejected import ErrorReport
    from tinycrm.formats.mapping import Mapping


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
    said: _Held | None = None
    finished = False
    try:
        with none_made_if_refused(given, opened=opened, close=held.close, keep=keep) as new:
            held.db = given if new is None else new.db
            if new is not None and keep:
                # The summary waits for the database to be in place: another import that
                # made one there meanwhile keeps its own, and this one's summary (its
                # counts, its "Undo with: tinycrm import undo 1", the other's) would lie
                said = _Held(sys.stdout)
                sys.stdout = said
            try:
                yield
                finished = True
            finally:
                held.db = given
                if said is not None:
                    sys.stdout = said.real
    except BaseException:
        if said is not None and not finished:
            said.release()  # what the import said before it failed (nothing was placed)
        raise
    if said is not None:
        said.release()


class _Held(io.StringIO):
    """Standard output kept back (``_none_made_if_refused``), then written: as the
    terminal or pipe it stands for (colours, width, the characters it spells)."""

    def __init__(self, real: Any) -> None:
        super().__init__()
        self.real = real

    def isatty(self) -> bool:
        return bool(self.real.isatty())

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.real, "encoding", None) or "utf-8")

    def release(self) -> None:
        text = self.getvalue()
        if text:
            self.real.write(text)


def _is_vcard(file: str, head: bytes) -> bool:
    if file.lower().endswith((".vcf", ".vcard")):
        return True
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \r\n").upper().replace(b"\x00", b"")
    return text.startswith(b"BEGIN:VCARD")


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
            options["unchanged"] = _unchanged(opened, file)

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


def _unchanged(opened: IO[bytes], file: str) -> Any:
    """A check that raises ``Invalid`` when the file ``opened`` is, once read, not the
    size or age it was when opened (another program writing it: a spreadsheet still
    saving it, an export still running), for an import to refuse before it commits;
    None for standard input, a pipe, a FIFO."""
    try:
        start = os.fstat(opened.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    if not stat.S_ISREG(start.st_mode):
        return None

    def check() -> None:
        from tinycrm.errors import Invalid

        now = os.fstat(opened.fileno())
        if (now.st_size, now.st_mtime_ns) != (start.st_size, start.st_mtime_ns):
            raise Invalid(
                f"{file} changed while it was read ({start.st_size:,} bytes when opened, "
                f"{now.st_size:,} now): nothing was imported; import it again once the "
                "program writing it is done"
            )

    return check


def _checked(rows: Iterator[Any], unchanged: Any) -> Iterator[Any]:
    """``rows``, then ``unchanged()`` (``_unchanged``'s) once they are all read."""
    yield from rows
    if unchanged is not None:
        unchanged()


def _import_csv(ctx: typer.Context, kind: str, file: str, stream: IO[bytes], o: dict) -> None:
    from tinycrm.formats.csvfile import open_csv
    from tinycrm.formats.mapping import (
        build_mapping,
        header_below,
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
    if not mapping.targets:
        refuse_unmapped(mapping, table.name, header_at=header_below(kind, table.records()))
    o["report_dialect"] = (table.encoding, table.delimiter)  # the report's: the input's
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
    cut: list[str] = []

    def rows() -> Iterator[Any]:
        keep = o["keep_extra"]
        cards = read_vcards(
            stream, name=file, keep_extra=keep, unread=unread, outside=outside, cut=cut
        )
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
    if cut:  # a value cut short in a character: read up to it, the card kept
        more = f", and {len(cut) - 5:,} more" if len(cut) > 5 else ""
        sys.stderr.write(
            f"Warning: {plural(len(cut), 'quoted-printable value')} cut short in a "
            f"character, read up to it: {', '.join(cut[:5])}{more}\n"
        )
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
    report = ErrorReport(
        path, header, file, write=not o["dry_run"], form=form, dialect=o.get("report_dialect")
    )
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
        folder = where.path.parent if where.path is not None and not where.stream else None
        if o["errors"] is not None and folder is not None and not _writable(folder):
            raise CannotWrite(
                f"--errors {report.path}: the folder {folder} cannot be written in; give "
                "the rejected rows a folder that can"
            )
        if where.path is not None:
            crm(ctx).db.refuse_own_file(where.path, str(report.path))
    ok = False
    try:
        summary = crm(ctx).imports.rows(
            kind,
            _checked(rows, o.get("unchanged")),
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
        extra["footer_lines"] = footer  # left out: no records (said in the text summary too)
        o["output"].record({**summary.model_dump(mode="json"), **extra})
        return None
    _print_summary(summary, report, footer, file)
    return summary


def _writable(folder: Path) -> bool:
    """Whether a file can be made in ``folder`` (the report is made there, then renamed
    into place: a folder that takes none was found only once the rows were in), tried
    with a file that has no name there (O_TMPFILE) where the system has them; a mode
    alone does not say for root, nor on a read-only share."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


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
        out.done(
            f"Skipped {plural(deleted, 'mailbox email')} deleted from tinycrm before, "
            "not logged again (tinycrm mail import --undelete logs it again)"
        )
    if footer:
        out.done(
            f"Left out {plural(len(footer), 'footer line')} after the data, no record "
            f"(a count, a total or a report's footer; from line {footer[0]})."
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
