"""``tinycrm case …``"""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm, edited, limit_option, nothing_to_change, whole, whole_number
from tinycrm.cli.output import TABLE, Column, Output, col, output_options
from tinycrm.cli.segments import WhereOpt
from tinycrm.cli.views import CASE_COLUMNS

app = typer.Typer(
    no_args_is_help=True,
    help="Support cases: a customer's problem, its thread, SLA targets and satisfaction.",
)

IdArg = Annotated[str, typer.Argument(help="Case id.", metavar="ID")]
PriorityOpt = Annotated[
    str | None, typer.Option(help="low, normal, high or urgent (sets the SLA targets).")
]

LABELS = [
    ("id", "id"),
    ("status", "status"),
    ("priority", "priority"),
    ("channel", "channel"),
    ("contact", "contact"),
    ("company", "company"),
    ("owner", "owner"),
    ("opened", "opened_at"),
    ("response due", "response_due_at"),
    ("first response", "first_response_at"),
    ("resolution due", "resolution_due_at"),
    ("resolved", "resolved_at"),
    ("closed", "closed_at"),
    ("SLA", "sla"),
    ("CSAT", "csat_text"),
]

THREAD_COLUMNS = [
    col("when", "at", no_wrap=True, whole=True, keep=out.KEEP),
    col("from", "author", style="bold", keep=2, words=True),  # a name: cut between words
    col("kind", "kind", style="cyan", no_wrap=True),
    # on two lines, cut between words: a date or an amount in it whole or not at all
    Column("message", lambda r: _preview(r.get("body")), keep=out.KEEP, words=True, lines=2),
]

_BREAKS = re.compile(r"[ \t\n]*[\t\n][ \t\n]*")


def _preview(body: str | None) -> str:
    """A message as the thread's table shows it: its line breaks and tabs as spaces (a
    preview on one or two lines; they were shown escaped, 'Hi,\\x0a\\x0athe export')."""
    return _BREAKS.sub(" ", body).strip(" ") if body else ""


def _left(row: dict[str, Any]) -> str:
    """``, 32h left``: the working time a paused case's clock has when it resumes."""
    from tinycrm.business_hours import format_hours

    left = row.get("resolution_left_hours")
    return f", {format_hours(left)} left" if left is not None else ""


def _render(row: dict[str, Any]) -> None:
    shown = dict(row)
    shown["sla"] = "breached" if row.get("breached") else "within targets"
    if row.get("resolution_paused"):
        shown["resolution_due_at"] = "paused (waiting on the customer)" + _left(row)
    if row.get("csat") is not None:
        comment = f" ({row['csat_comment']})" if row.get("csat_comment") else ""
        shown["csat_text"] = f"{row['csat']}/5{comment}"
    out.print_fields(shown, LABELS, f"#{row['id']} {row['subject']}")


@app.command("add")
@output_options
def add(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="What the problem is, in one line.")],
    contact: Annotated[str, typer.Option(help="Who reported it: contact id, email or name.")],
    company: Annotated[str | None, typer.Option(help="Company (default: the contact's).")] = None,
    priority: PriorityOpt = None,
    body: Annotated[str | None, typer.Option(help="The customer's message.")] = None,
    channel: Annotated[str | None, typer.Option(help="email, phone, chat or web.")] = None,
    owner: Annotated[str | None, typer.Option(help="Owner (default: you).")] = None,
    output: Output = TABLE,
) -> None:
    """Open a case for a contact; its SLA due times follow its priority (default normal)."""
    case = crm(ctx).cases.add(
        subject,
        contact=contact,
        company=company,
        priority=priority,
        body=body,
        channel=channel,
        owner=owner,
    )
    output.saved(case, f"Opened case #{case.id} {case.subject} ({case.priority})")


@app.command("list")
@output_options
def list_(
    ctx: typer.Context,
    status: Annotated[
        str,
        typer.Option(help="new, open, pending, resolved, closed, unresolved or all."),
    ] = "unresolved",
    priority: Annotated[str | None, typer.Option(help="Only this priority.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner's cases.")] = None,
    breached: Annotated[
        bool, typer.Option("--breached", help="Only cases past an SLA target.")
    ] = False,
    contact: Annotated[str | None, typer.Option(help="Contact id, email or name.")] = None,
    company: Annotated[str | None, typer.Option(help="Company id, name or domain.")] = None,
    where: WhereOpt = None,
    limit: Annotated[int | None, limit_option("At most N cases.")] = None,
    output: Output = TABLE,
) -> None:
    """List cases, most urgent first (unresolved ones unless --status says otherwise)."""
    rows = crm(ctx).cases.list(
        status=status,
        priority=priority,
        owner=owner,
        breached=breached,
        contact=contact,
        company=company,
        where=where,
        limit=limit,
    )
    output.list(rows, CASE_COLUMNS, empty="no cases", model="CaseRead")


@app.command("show")
@output_options
def show(ctx: typer.Context, case_id: IdArg, output: Output = TABLE) -> None:
    """Show a case with its SLA targets and its thread (--csv: a row per message, the
    case's columns on each)."""
    from tinycrm.api.models import CaseMessageRead

    view = crm(ctx).cases.show(case_id)

    def render(row: dict[str, Any]) -> None:
        _render(row)
        if view.thread:
            out.stdout_console().print()
            out.print_table(
                [out.to_plain(m) for m in view.thread],
                THREAD_COLUMNS,
                title=f"Thread ({len(view.thread)})",
            )

    thread = out.Lines("message", view.thread, CaseMessageRead)
    output.one(view.case, render, extra={"thread": view.thread}, lines=thread)


@app.command("reply")
@output_options
def reply(
    ctx: typer.Context,
    case_id: IdArg,
    text: Annotated[str, typer.Argument(help="The reply.")],
    note: Annotated[
        bool, typer.Option("--note", help="An internal note: not a response to the customer.")
    ] = False,
    output: Output = TABLE,
) -> None:
    """Reply to a case (the first reply is its first response)."""
    case = crm(ctx).cases.reply(case_id, text, note=note)
    output.saved(case, f"{'Noted on' if note else 'Replied to'} case #{case.id} {case.subject}")


@app.command("status")
@output_options
def status(
    ctx: typer.Context,
    case_id: IdArg,
    new_status: Annotated[
        str, typer.Argument(help="new, open, pending, resolved or closed.", metavar="STATUS")
    ],
    output: Output = TABLE,
) -> None:
    """Move a case to another status."""
    case = crm(ctx).cases.set_status(case_id, new_status)
    output.saved(case, f"Case #{case.id} {case.subject} is {case.status}")


@app.command("resolve")
@output_options
def resolve(
    ctx: typer.Context,
    case_id: IdArg,
    csat: Annotated[
        int | None,
        typer.Option(
            help="The customer's satisfaction, 1-5.", parser=whole, callback=whole_number(1, 5)
        ),
    ] = None,
    comment: Annotated[str | None, typer.Option(help="The customer's comment.")] = None,
    output: Output = TABLE,
) -> None:
    """Resolve a case, with the customer's CSAT score when known (also later)."""
    case = crm(ctx).cases.resolve(case_id, csat=csat, comment=comment)
    score = f" (CSAT {case.csat}/5)" if case.csat is not None else ""
    output.saved(case, f"Resolved case #{case.id} {case.subject}{score}")


@app.command("csat-import")
@output_options
def csat_import(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            help="CSV with columns case (or case_id, id), csat (or score, rating) and "
            "optionally comment ('-' reads stdin).",
            metavar="FILE",
        ),
    ],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a different score a case has.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change, write nothing.")
    ] = False,
    output: Output = TABLE,
) -> None:
    """Record CSAT scores of resolved cases from a CSV file, all or nothing: the first bad
    line refuses the whole file."""
    from tinycrm.cli.import_files import _binary
    from tinycrm.vocab import plural

    with _binary(file) as stream:
        result = crm(ctx).cases.import_csat(stream, name=file, overwrite=overwrite, dry_run=dry_run)
    if output.machine:
        output.record(result)
        return
    notes = []
    if result.replaced:
        earlier = "an earlier one" if result.replaced == 1 else "earlier ones"
        notes.append(f"{result.replaced:,} replacing {earlier}")
    if result.unchanged:
        notes.append(f"{result.unchanged:,} unchanged")
    counted = plural(result.recorded, "satisfaction score")
    counted += f" ({', '.join(notes)})" if notes else ""
    if not dry_run:
        out.done(f"Recorded {counted}")
        return
    out.done(f"Dry run, nothing written: would record {counted}")
    for change in result.changes[:20]:
        before = f"{change.csat_before}/5 → " if change.csat_before is not None else ""
        out.done(f"  line {change.line}: case #{change.case_id} {before}{change.csat}/5")
    if len(result.changes) > 20:
        out.done(f"  … and {len(result.changes) - 20:,} more (--json lists them all)")


@app.command("reopen")
@output_options
def reopen(ctx: typer.Context, case_id: IdArg, output: Output = TABLE) -> None:
    """Reopen a resolved or closed case."""
    case = crm(ctx).cases.reopen(case_id)
    output.saved(case, f"Reopened case #{case.id} {case.subject}")


@app.command("edit")
@output_options
def edit(
    ctx: typer.Context,
    case_id: IdArg,
    subject: Annotated[str | None, typer.Option(help="New subject.")] = None,
    priority: PriorityOpt = None,
    owner: Annotated[str | None, typer.Option(help="New owner.")] = None,
    output: Output = TABLE,
) -> None:
    """Change a case's subject, priority (its SLA due times follow) or owner."""
    nothing_to_change(ctx, subject, priority, owner)
    before = crm(ctx).events_written
    case = crm(ctx).cases.edit(case_id, subject=subject, priority=priority, owner=owner)
    output.saved(case, edited(ctx, before, f"case #{case.id} {case.subject}"))


@app.command("rm")
def rm(ctx: typer.Context, case_id: IdArg) -> None:
    """Delete a case and its thread."""
    case = crm(ctx).cases.remove(case_id)
    out.done(f"Deleted case #{case.id} {case.subject}")
