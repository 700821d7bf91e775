"""``tinycrm feed``"""

from __future__ import annotations

from typing import Annotated

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import limit_option, parse_when, store
from tinycrm.cli.output import CsvOpt, JsonlOpt, JsonOpt
from tinycrm.cli.views import EVENT_COLUMNS

app = typer.Typer(add_completion=False)


@app.command("feed")
def feed(
    ctx: typer.Context,
    limit: Annotated[int, limit_option("At most N events.")] = 50,
    since: Annotated[
        str | None, typer.Option(help="Only events since WHEN: today, -7d, 2026-11-01, …")
    ] = None,
    json_: JsonOpt = False,
    jsonl: JsonlOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """The event log, newest first: every create, change, move, win and loss."""
    from tinycrm.store.events import list_events

    rows = list_events(store(ctx), limit=limit, since=parse_when(since))
    out.emit_list(rows, EVENT_COLUMNS, json_=json_, jsonl=jsonl, csv_=csv_, empty="no events yet")
