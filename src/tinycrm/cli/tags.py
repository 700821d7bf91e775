"""``tinycrm tag list|rename|rm`` and ``tinycrm field list``"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm
from tinycrm.cli.output import TABLE, Output, col, output_options
from tinycrm.vocab import plural

if TYPE_CHECKING:
    from tinycrm.api.models import TagChange

tag_app = typer.Typer(no_args_is_help=True, help="Tags in use on companies, contacts and deals.")
field_app = typer.Typer(no_args_is_help=True, help="Custom fields in use.")


@tag_app.callback()
def _tags() -> None:
    """Tags in use on companies, contacts and deals (set them with --tag on add and edit;
    rename or remove one on every record here)."""


@field_app.callback()
def _fields() -> None:
    """Custom fields in use (set them with --field KEY=VALUE on add and edit)."""


OnOpt = Annotated[
    str | None,
    typer.Option(
        "--on", help="Only on this kind of record: company, contact or deal.", metavar="KIND"
    ),
]


@tag_app.command("list")
@output_options
def tag_list(
    ctx: typer.Context,
    on: OnOpt = None,
    output: Output = TABLE,
) -> None:
    """List the tags in use and how many records carry each (set them with --tag)."""

    columns = [col("on", "entity", style="dim"), col("tag", "name", style="magenta"),
               col("records", "count", justify="right")]  # fmt: skip
    rows = crm(ctx).tags.list(entity=on)
    empty = f"no tags on {_plural(on)}" if on else "no tags yet"
    output.list(rows, columns, empty=empty, model="TagCount")


TagArg = Annotated[str, typer.Argument(help="The tag (case does not matter).", metavar="TAG")]


@tag_app.command("rename")
@output_options
def tag_rename(
    ctx: typer.Context,
    old: TagArg,
    new: Annotated[str, typer.Argument(help="Its new name.", metavar="NEW")],
    on: OnOpt = None,
    output: Output = TABLE,
) -> None:
    """Rename a tag on every record that carries it (a record with both keeps one). Saved
    segments and scoring rules that test it are rewritten to the new name; with --on,
    segments are only named (they serve every kind of record)."""
    change = crm(ctx).tags.rename(old, new, entity=on)
    if output.machine:
        output.one(change, lambda _: None)
        return
    both = f" ({change.merged} had both: one tag now)" if change.merged else ""
    out.done(f"Renamed tag {change.old} to {change.new} on {_records(change.records, on)}{both}")
    for what, names in (("segment", change.segments), ("scoring rule", change.score_rules)):
        if names:
            out.done(f"Rewrote {plural(len(names), what)} to the new name: {', '.join(names)}")
    _still(change)


@tag_app.command("rm")
@output_options
def tag_rm(
    ctx: typer.Context,
    name: TagArg,
    on: OnOpt = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask first (asked on a terminal).")
    ] = False,
    output: Output = TABLE,
) -> None:
    """Take a tag off every record that carries it (the records stay). Saved segments and
    scoring rules that test it are left as they are, and named."""
    from tinycrm import safetext

    tags = crm(ctx).tags
    if not yes and sys.stdin.isatty():
        would = tags.remove(name, entity=on, dry_run=True)
        question = f"Remove tag {would.old} from {_records(would.records, on)}?"
        typer.confirm(safetext.display(question), abort=True)
    change = tags.remove(name, entity=on)
    if output.machine:
        output.one(change, lambda _: None)
        return
    out.done(f"Removed tag {change.old} from {_records(change.records, on)}")
    _still(change)


def _still(change: TagChange) -> None:
    if change.still_named_by:
        from tinycrm import safetext

        sys.stderr.write(
            safetext.display(
                f"Note: still testing tag {change.old}: {', '.join(change.still_named_by)} "
                "(change them with 'segment save' or 'score rule add --replace')"
            )
            + "\n"
        )


def _records(count: int, on: str | None) -> str:
    """``41 records``, or with --on ``17 companies``."""
    return plural(count, on.strip().lower() if on else "record")


@field_app.command("list")
@output_options
def field_list(
    ctx: typer.Context,
    on: OnOpt = None,
    output: Output = TABLE,
) -> None:
    """List the custom field names in use and how many records set each (--field KEY=VALUE)."""

    columns = [col("on", "entity", style="dim"), col("field", "key", style="cyan"),
               col("records", "count", justify="right")]  # fmt: skip
    rows = crm(ctx).tags.fields(entity=on)
    output.list(
        rows,
        columns,
        empty=f"no custom fields on {_plural(on)}" if on else "no custom fields yet",
        model="FieldKeyCount",
    )


def _plural(kind: str) -> str:
    """``company`` as the records it names: ``companies`` (as typed, else)."""
    known = {"company": "companies", "contact": "contacts", "deal": "deals"}
    return known.get(kind.strip().lower(), kind)
