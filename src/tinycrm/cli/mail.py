"""``tinycrm mail``: mail into the CRM, each message an email activity for every known
contact on it (``import`` reads Maildir folders, mbox files and ``.eml`` files)."""

from __future__ import annotations

from typing import Annotated

import typer

from tinycrm.cli.common import crm
from tinycrm.cli.output import Output, done, output_options

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
        help='Add the people who are not contacts yet, as leads with source "email".',
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
            help="Maildir folders, mbox files, .eml files (or folders of them).",
            metavar="PATH...",
        ),
    ],
    output: Output,
    create_contacts: CreateOpt = False,
    include_lists: ListsOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Log the messages in PATH... as email activities, once each (a message logged
    before, from any file, folder or IMAP, is not logged again). Mail among your own
    addresses and domains ([mail] in the config file) is never logged."""
    run = crm(ctx).mail.import_paths(
        paths, create_contacts=create_contacts, include_lists=include_lists, dry_run=dry_run
    )
    if output.machine:
        output.record(
            {
                "read": run.read,
                "logged": run.logged,
                "activities": run.activities,
                "contacts": len(run.contacts),
                "created": run.created,
                "already": run.already,
                "skipped": dict(run.skipped),
                "stopped_sequences": run.stopped,
                "dry_run": run.dry_run,
            }
        )
        return
    done(("Dry run: " if dry_run else "") + run.summary()[0].upper() + run.summary()[1:])
