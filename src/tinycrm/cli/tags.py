"""``tinycrm tag list`` and ``tinycrm field list``"""

from __future__ import annotations

from typing import Annotated

import typer

from tinycrm.cli.common import crm
from tinycrm.cli.output import TABLE, Output, col, output_options

tag_app = typer.Typer(no_args_is_help=True, help="Tags in use on companies, contacts and deals.")
field_app = typer.Typer(no_args_is_help=True, help="Custom fields in use.")


@tag_app.callback()
def _tags() -> None:
    """Tags in use on companies, contacts and deals (set them with --tag on add and edit)."""


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
