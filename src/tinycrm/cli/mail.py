"""``tinycrm mail``: mail into the CRM, each message an email activity for every known
contact on it (``import`` reads Maildir folders, mbox files, ``.eml`` and ``.emlx`` files, ``sync``
an IMAP account; ``install`` runs ``sync`` from cron or a systemd timer)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tinycrm.cli import scheduling
from tinycrm.cli.common import crm, fail, whole, whole_number
from tinycrm.cli.output import Output, done, output_options

if TYPE_CHECKING:
    from tinycrm.api.mail import MailRun, SyncRun

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Mail into the CRM: each message an email activity for every known contact on it.",
)


@app.callback()
def mail() -> None:
    """Mail into the CRM: each message an email activity for every known contact on it."""


CreateOpt = Annotated[
    bool,
    typer.Option(
        "--create-contacts",
        help='Add the people who are not contacts yet, as leads with source "email" '
        "(none from bulk mail: list mail, or over [mail] create_contacts_max people, 15).",
    ),
]
ListsOpt = Annotated[
    bool,
    typer.Option(
        "--include-lists",
        help="Log mailing-list and automated mail too (List-Id, Auto-Submitted, bulk).",
    ),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Say what would be logged; write nothing.")
]


@app.command("import")
@output_options
def import_(
    ctx: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            help=(
                "Maildir folders, mbox files, .eml files, Apple Mail .emlx files (or folders "
                "of them)."
            ),
            metavar="PATH...",
        ),
    ],
    output: Output,
    create_contacts: CreateOpt = False,
    include_lists: ListsOpt = False,
    dry_run: DryRunOpt = False,
    undelete: Annotated[
        bool,
        typer.Option(
            "--undelete",
            help="Log again the messages whose email was deleted from tinycrm (activity rm).",
        ),
    ] = False,
) -> None:
    """Log the messages in PATH... as email activities, once each.

    A message logged before, from any file, folder or IMAP, is not logged again; nor is
    one whose email was deleted from tinycrm (activity rm), unless --undelete.

    Mail among your own addresses and domains (the config file's mail table) is not logged.

    A message over 50 MB is logged from its header alone, from any source.

    A message file under a folder that cannot be read or is no mail is named on stderr
    and skipped, the rest logged; the exit status is then 1."""
    run = crm(ctx).mail.import_paths(
        paths,
        create_contacts=create_contacts,
        include_lists=include_lists,
        dry_run=dry_run,
        undelete=undelete,
    )
    if output.machine:
        output.record(_record(run))
    else:
        done(("Dry run: " if dry_run else "") + run.summary()[0].upper() + run.summary()[1:])
    if run.files_skipped:
        _name_skipped(run.files_skipped)
        raise typer.Exit(1)


SKIPPED_SHOWN = 10  # message files named on stderr; the rest counted (as import's rejected rows)


def _name_skipped(files: list[tuple[str, str]]) -> None:
    """One line on stderr for each message file not read (the first ten), then how many more."""
    from tinycrm import safetext

    for where, why in files[:SKIPPED_SHOWN]:
        sys.stderr.write(safetext.display(f"Skipped {where}: {why}") + "\n")
    if len(files) > SKIPPED_SHOWN:
        sys.stderr.write(f"… and {len(files) - SKIPPED_SHOWN:,} more\n")


def _record(run: MailRun) -> dict[str, Any]:
    """The run's counts, each reason a message is skipped for among them (0 when none):
    the same fields, and so the same CSV columns, whatever the run met."""
    return {
        "read": run.read,
        "logged": run.logged,
        "activities": run.activities,
        "contacts": len(run.contacts),
        "created": run.created,
        "not_added": len(run.not_added),
        "bulk": run.bulk,
        "already": run.already,
        "deleted": run.deleted,
        "skipped": run.skipped_by_reason(),
        "stopped_sequences": run.stopped,
        "undated": run.undated,
        "dated_when_received": run.dated_when_received,
        "dry_run": run.dry_run,
    }


@app.command("sync")
@output_options
def sync(
    ctx: typer.Context,
    output: Output,
    folder: Annotated[
        list[str] | None,
        typer.Option(
            "--folder",
            help="Read this folder instead of those in the config file (repeat for more).",
            metavar="NAME",
        ),
    ] = None,
    create_contacts: CreateOpt = False,
    include_lists: ListsOpt = False,
    dry_run: DryRunOpt = False,
    batch: Annotated[
        int,
        typer.Option(
            help="Messages logged per transaction (each with its checkpoint).",
            metavar="N",
            parser=whole,
            callback=whole_number(1, 10_000),
        ),
    ] = 100,
    from_start: Annotated[
        bool,
        typer.Option(
            "--from-start",
            help="Read every message again, not only new ones (none is logged twice).",
        ),
    ] = False,
) -> None:
    """Log the new mail of the IMAP account in the config file, once each.

    As mail import does: mail.imap's folders (default Sent, then INBOX), from the last sync on.

    Mail is never marked as read. Ctrl-C keeps what was logged so far."""
    from tinycrm import interrupts, safetext
    from tinycrm.api.mail import SyncInterrupted

    def progress(name: str, done_: int, total: int) -> None:
        if sys.stderr.isatty() and total > batch:
            shown = safetext.display(name)  # the server names its folders
            sys.stderr.write(f"\r{shown}: {done_:,} of {total:,} new messages\x1b[K")
            sys.stderr.flush()

    try:
        with interrupts.interruptible():  # stop between batches: what is logged stays
            result = crm(ctx).mail.sync(
                folders=folder or None,
                create_contacts=create_contacts,
                include_lists=include_lists,
                dry_run=dry_run,
                batch=batch,
                from_start=from_start,
                progress=progress,
            )
    except SyncInterrupted as stopped:
        _clear_progress()
        _report(stopped.result, output)
        fail(
            "interrupted after logging what is reported above; the next sync goes on from there",
            130,
        )
    _clear_progress()
    _report(result, output)


def _clear_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")


def _report(result: SyncRun, output: Output) -> None:
    run = result.run
    if output.machine:
        folders = [
            {"folder": f.folder, "new": f.new, "reread": f.reread, "from_start": f.from_start}
            for f in result.folders
        ]
        output.record({"account": result.account, "folders": folders, **_record(run)})
        return
    for item in result.folders:
        why = "its UIDVALIDITY changed"
        if item.renumbered:
            why = "its UIDs started again below the last synced"
        again = f" ({why}: read again from the start)" if item.reread else ""
        new = "" if item.from_start else " new"
        plural = "" if item.new == 1 else "s"
        done(f"{item.folder}: {item.new:,}{new} message{plural}{again}")
    summary = run.summary()
    done(("Dry run: " if run.dry_run else "") + summary[0].upper() + summary[1:])


@app.command("install")
def install(
    ctx: typer.Context,
    apply: scheduling.ApplyOpt = False,
    systemd: scheduling.TimerOpt = False,
    every: scheduling.EveryOpt = 15,
) -> None:
    """Print the crontab line that runs mail sync (or install it, or a systemd timer).

    As remind install does; every 15 minutes unless --every says otherwise."""
    from tinycrm import schedule

    scheduling.install(ctx, schedule.MAIL_SYNC, apply=apply, systemd=systemd, every=every)


@app.command("uninstall")
def uninstall() -> None:
    """Remove what mail install added: crontab line, systemd units, environment file.

    Other crontab lines are kept as they are."""
    from tinycrm import schedule

    scheduling.uninstall(schedule.MAIL_SYNC)
