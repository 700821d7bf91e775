"""``tinycrm import …``: the commands and their options (CSV, JSON and vCard in, a dump
restored, the history, and undo); :mod:`tinycrm.cli.import_files` runs an import of a
file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm, file_path, limit_option, record_id, whole_number
from tinycrm.cli.import_files import _binary, _none_made_if_refused, run_import
from tinycrm.cli.output import TABLE, Output, col, output_options
from tinycrm.vocab import plural

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
            parser=record_id,
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
