"""``tinycrm segment …``, and the ``--where`` / ``--segment`` options of list commands."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm
from tinycrm.cli.output import TABLE, Output, col, output_options

WhereOpt = Annotated[
    str | None,
    typer.Option(
        "--where",
        "-w",
        help='Filter expression, e.g. "lifecycle=lead and score>=10 and tag:vip" '
        "(README: Segments and the filter language).",
        metavar="EXPR",
        rich_help_panel="Filter",
    ),
]
SegmentOpt = Annotated[
    str | None,
    typer.Option(
        "--segment",
        help="Only records in this saved segment (tinycrm segment list).",
        metavar="NAME",
        rich_help_panel="Filter",
    ),
]

app = typer.Typer(
    no_args_is_help=True, help="Segments: saved filter expressions for --where and --segment."
)

NameArg = Annotated[str, typer.Argument(help="Segment name (case-insensitive) or id.")]

PLURALS = {"contact": "contacts", "company": "companies", "deal": "deals"}


def _kinds(row: dict[str, Any]) -> str:
    return ", ".join(PLURALS[k] for k in row["kinds"]) or "nothing (fix the expression)"


def _count(n: int, kind: str) -> str:
    return f"{n} {kind if n == 1 else PLURALS[kind]}"


@app.command("save")
@output_options
def save(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Segment name.")],
    expression: Annotated[
        str, typer.Argument(help='Filter expression, e.g. "lifecycle=lead and city=Berlin".')
    ],
    output: Output = TABLE,
) -> None:
    """Save a filter expression under a name (a saved name gets the new expression)."""
    segment = crm(ctx).segments.save(name, expression)
    kinds = _kinds(segment.model_dump())
    output.saved(segment, f"Saved segment {segment.name} (works on {kinds}): {segment.expression}")


@app.command("list")
@output_options
def list_(ctx: typer.Context, output: Output = TABLE) -> None:
    """List saved segments with their expressions."""
    columns = [
        col("id", "id", justify="right", style="dim", no_wrap=True),
        col("name", "name", style="bold"),
        out.Column("works on", _kinds),
        col("expression", "expression"),
    ]
    rows = crm(ctx).segments.list()
    output.list(rows, columns, empty="no segments", model="SegmentRead")


@app.command("show")
@output_options
def show(
    ctx: typer.Context,
    name: NameArg,
    output: Output = TABLE,
) -> None:
    """A segment's expression and how many contacts, companies and deals match it."""
    segment = crm(ctx).segments.get(name)

    def render(row: dict[str, Any]) -> None:
        counts = row.get("matches") or {}
        matching = ", ".join(_count(n, k) for k, n in counts.items()) or _kinds(row)
        row = {**row, "matching": matching}
        labels = [("id", "id"), ("expression", "expression"), ("matches", "matching")]
        out.print_fields(row, [*labels, ("created", "created_at")], row["name"])

    output.one(segment, render)


@app.command("rm")
def rm(ctx: typer.Context, name: NameArg) -> None:
    """Delete a saved segment (no record is touched)."""
    segment = crm(ctx).segments.remove(name)
    out.done(f"Deleted segment {segment.name}")
