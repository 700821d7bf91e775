"""``tinycrm webhooks``: send the outbox (once, or ``--watch``), list and retry failures,
and install the deliverer for cron or systemd."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from tinycrm.cli import scheduling
from tinycrm.cli.common import crm, fail, limit_option, record_id, whole, whole_number
from tinycrm.cli.output import TABLE, Column, Output, col, done, dumps, output_options
from tinycrm.cli.views import _when

if TYPE_CHECKING:
    from tinycrm.api.models import WebhookDeliveryRead

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Every event POSTed, signed, to the webhook endpoints of the config file.",
)

DELIVERY_COLUMNS = [
    col("id", "id", justify="right"),
    col("event", "event_type", style="cyan"),
    col("endpoint", "endpoint"),
    col("tries", "attempts", justify="right"),
    Column("next try", _when("next_at"), no_wrap=True, whole=True),
    col("last error", "last_error"),
]


@app.command("deliver")
def deliver(
    ctx: typer.Context,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep running: deliver new events as they come.")
    ] = False,
    interval: Annotated[
        int,
        typer.Option(
            help="With --watch: look for new events every N seconds.",
            metavar="N",
            parser=whole,
            callback=whole_number(1, 3600),
        ),
    ] = 5,
) -> None:
    """POST each event waiting in the outbox to its endpoints; failures are retried later.

    Exit 1 when any try failed (each is a line on stderr), 0 when every due event was
    delivered; --watch keeps running through failures."""
    from tinycrm import interrupts, safetext

    webhooks = crm(ctx).webhooks
    # A watcher runs for days: once its SQLite file is renamed, deleted or replaced (a
    # backup restored), it would go on reading the old file and never see another
    # event. Each pass checks the file first; the error ends it (systemd restarts it).
    board = crm(ctx).board
    opened = board.file_id()
    try:
        # Ctrl-C or TERM stop it between two tries, or during one: a try cut short keeps
        # its claim until the claim runs out, and is then made again.
        with interrupts.interruptible():
            while True:
                board.check_file(opened)
                run = webhooks.deliver()
                for line in run.errors:  # the receiver's own words: controls escaped
                    sys.stderr.write(safetext.display(line) + "\n")
                if run.delivered or run.retrying or run.failed or not watch:
                    done(
                        f"Delivered {run.delivered}, to retry {run.retrying}, "
                        f"given up {run.failed}"
                        + (" (tinycrm webhooks failed lists them)" if run.failed else "")
                    )
                if not watch:  # a failed try is on stderr: cron and scripts see it too
                    raise typer.Exit(1 if run.errors else 0)
                sys.stdout.flush()
                time.sleep(interval)
    except KeyboardInterrupt:
        sys.stderr.write("Stopped: what was not delivered yet waits for the next run.\n")
        raise typer.Exit(0 if watch else 130) from None


@app.command("pending")
@output_options
def pending(
    ctx: typer.Context,
    limit: Annotated[int | None, limit_option("At most N deliveries.")] = None,
    output: Output = TABLE,
) -> None:
    """The events still to be sent: due now, or waiting for their next try."""
    rows = _named(crm(ctx).webhooks.pending(limit=limit))
    output.list(
        rows, DELIVERY_COLUMNS, empty="nothing waits to be delivered", model="WebhookDeliveryRead"
    )


def _named(rows: list[WebhookDeliveryRead]) -> list[WebhookDeliveryRead]:
    """``rows`` with each endpoint named by its [[webhooks]] table and its address up to
    the host: the rest of it may hold the receiver's secret (Slack's hooks/T…/B…/<secret>)."""
    from tinycrm.config import load_config
    from tinycrm.webhooks.endpoints import named

    endpoints = load_config().webhooks
    return [row.model_copy(update={"endpoint": named(row.endpoint, endpoints)}) for row in rows]


@app.command("failed")
@output_options
def failed(
    ctx: typer.Context,
    limit: Annotated[int | None, limit_option("At most N deliveries.")] = None,
    output: Output = TABLE,
) -> None:
    """The deliveries given up after their last try (retry them with webhooks retry)."""
    rows = _named(crm(ctx).webhooks.failed(limit=limit))
    columns = [*DELIVERY_COLUMNS[:4], col("status", "last_status"), col("last error", "last_error")]
    output.list(rows, columns, empty="no failed deliveries", model="WebhookDeliveryRead")


@app.command("retry")
def retry(
    ctx: typer.Context,
    delivery: Annotated[
        int | None,
        typer.Argument(
            help="The delivery's id (webhooks failed lists them).",
            metavar="ID",
            parser=record_id,
            callback=whole_number(1),
        ),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Retry every failed delivery.")] = False,
) -> None:
    """Queue a failed delivery to be sent again by the next webhooks deliver."""
    if (delivery is None) == (not all_):
        fail("give a delivery ID or --all" + ("" if delivery is None else ", not both"), 2)
    rows = crm(ctx).webhooks.retry(delivery)
    if not rows:
        done("No failed deliveries to retry.")
        return
    done(f"Queued {len(rows)} deliver{'y' if len(rows) == 1 else 'ies'} again: "
         + ", ".join(f"#{r.id}" for r in rows))  # fmt: skip


@app.command("status")
@output_options
def status(ctx: typer.Context, output: Output = TABLE) -> None:
    """The endpoints configured, and how many deliveries are pending, sent and failed."""
    from tinycrm.config import load_config
    from tinycrm.webhooks.endpoints import shown

    endpoints = load_config().webhooks
    counts = crm(ctx).webhooks.counts()
    # named by table and host, never the whole address: its path may hold a secret
    rows = [
        {"endpoint": f"webhooks[{n}]", "url": shown(e.url), "events": list(e.events),
         "attempts": e.attempts, "retry_after": e.retry_after, "backoff": e.backoff}
        for n, e in enumerate(endpoints, 1)
    ]  # fmt: skip
    if output.format in ("json", "jsonl"):
        indent = 2 if output.format == "json" else None
        sys.stdout.write(dumps({"endpoints": rows, **counts}, indent=indent) + "\n")
        return
    columns = [
        col("endpoint", "endpoint"), col("address", "url"), col("events", "events"),
        col("tries", "attempts"),
    ]  # fmt: skip
    output.list(rows, columns, empty="no webhook endpoints in the config file")
    said = "{pending} pending, {delivered} delivered, {failed} failed".format(**counts)
    if output.machine:  # --csv: the rows alone on stdout, for a script to read
        sys.stderr.write(said + "\n")
    else:
        done(said)


@app.command("install")
def install(
    ctx: typer.Context,
    apply: scheduling.ApplyOpt = False,
    systemd: Annotated[
        bool,
        typer.Option("--systemd", help="Write a systemd user service running deliver --watch."),
    ] = False,
    every: scheduling.EveryOpt = 1,
) -> None:
    """Print the crontab line that runs webhooks deliver (or install it, or a service).

    --systemd writes a systemd user service that keeps webhooks deliver --watch running."""
    from tinycrm import schedule

    scheduling.install(ctx, schedule.WEBHOOKS, apply=apply, systemd=systemd, every=every)


@app.command("uninstall")
def uninstall() -> None:
    """Remove what webhooks install added (crontab line, systemd service, env file).

    Other crontab lines are kept as they are."""
    from tinycrm import schedule

    scheduling.uninstall(schedule.WEBHOOKS)
