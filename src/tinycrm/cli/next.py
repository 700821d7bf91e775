"""``tinycrm next``"""

from __future__ import annotations

from typing import Annotated

import typer

from tinycrm.cli.common import crm, limit_option
from tinycrm.cli.output import TABLE, Output, col, output_options

app = typer.Typer(add_completion=False)

COLUMNS = [
    col("#", "rank", justify="right", style="dim", no_wrap=True),
    col("what", "title", style="bold"),
    col("why", "reason", lines=2, keep=2),  # a date or an amount in it is never cut
    col("score", "score", justify="right", style="dim", no_wrap=True),
]


@app.command(
    "next",
    # one paragraph, no line breaks: the command list shows it as Rich wraps it
    help=(
        "What to do now: one queue of due tasks, lapsed keep-in-touch, rotting deals, "
        "deals closing soon and deals with no next step, most pressing first."
    ),
)
@output_options
def next_(
    ctx: typer.Context,
    limit: Annotated[int, limit_option("At most N items.")] = 20,
    output: Output = TABLE,
) -> None:
    rows = crm(ctx).next(limit=limit)
    output.list(rows, COLUMNS, empty="nothing needs your attention right now", model="NextAction")
