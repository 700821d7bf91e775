"""``tinycrm feed``"""

from __future__ import annotations

from typing import Annotated

import typer

from tinycrm.cli.common import crm, limit_option, parse_when
from tinycrm.cli.output import TABLE, Output, output_options
from tinycrm.cli.views import EVENT_COLUMNS

app = typer.Typer(add_completion=False)


@app.command("feed")
@output_options
def feed(
    ctx: typer.Context,
    limit: Annotated[int, limit_option("At most N events.")] = 50,
    since: Annotated[
        str | None, typer.Option(help="Only events since WHEN: today, -7d, 2026-11-01, …")
    ] = None,
    output: Output = TABLE,
) -> None:
    """The event log, newest first: every create, change, move, win and loss."""
    rows = crm(ctx).feed(limit=limit, since=parse_when(since))
    output.list(
        rows,
        EVENT_COLUMNS,
        model="EventRead",
        empty=f"no events since {since}" if since else "no events yet",
    )
