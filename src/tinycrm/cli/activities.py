"""``tinycrm log …`` and ``tinycrm task …``"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm, limit_option, parse_when, record_id, whole_number
from tinycrm.cli.output import TABLE, Output, output_options
from tinycrm.cli.views import TASK_COLUMNS
from tinycrm.vocab import LOG_KINDS

task_app = typer.Typer(no_args_is_help=True, help="Tasks with due dates.")
log_app = typer.Typer(add_completion=False)


def _given(value: str | None) -> str | None:
    """An empty REF given is a usage error: as None it would make a task about nobody."""
    if value is not None and not value.strip():
        raise typer.BadParameter("must not be empty: give a REF")
    return value


ContactOpt = Annotated[str | None, typer.Option(help="Contact id, email or name.", callback=_given)]
CompanyOpt = Annotated[
    str | None, typer.Option(help="Company id, name or domain.", callback=_given)
]
DealOpt = Annotated[str | None, typer.Option(help="Deal id or title.", callback=_given)]


@log_app.command("log")
@output_options
def log(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(LOG_KINDS)}.")],
    ref: Annotated[
        str,
        typer.Argument(
            help="Contact, company or deal (id, email, name, domain or title; "
            "contact:REF, company:REF or deal:REF when it is ambiguous).",
            metavar="REF",
            callback=_given,
        ),
    ],
    text: Annotated[str, typer.Argument(help="What happened (first line is the subject).")],
    at: Annotated[
        str | None,
        typer.Option("--at", help="When it happened (default: now): yesterday 15:00, -2d …"),
    ] = None,
    body: Annotated[str | None, typer.Option(help="Longer notes.")] = None,
    campaign: Annotated[
        str | None,
        typer.Option(help="The campaign it came through (id or name): the contact's last touch."),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(help="The channel it came through (web, event, ads, …): the last touch."),
    ] = None,
    output: Output = TABLE,
) -> None:
    """Record a call, email, meeting or note with a contact, company or deal."""
    activity = crm(ctx).activities.log(
        kind,
        ref,
        text,
        body=body,
        at=parse_when(at),
        campaign=campaign,
        channel=channel,
    )
    about = activity.deal or activity.contact or activity.company
    output.saved(
        activity, f"Logged {activity.kind} #{activity.id} with {about}: {activity.subject}"
    )


@task_app.command("add")
@output_options
def task_add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What to do.")],
    due: Annotated[str, typer.Option(help="When it is due: tomorrow 9:00, +3d, next monday, …")],
    remind: Annotated[
        str | None,
        typer.Option(
            help="Remind me that long before the due time (1h, 30m, 2d, 1w) "
            "or at WHEN (today 17:00, friday 9:00, …).",
            metavar="BEFORE|WHEN",
        ),
    ] = None,
    every: Annotated[
        str | None,
        typer.Option(help="Repeat: 2w, 10d, month, weekday, … (done creates the next one)."),
    ] = None,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    deal: DealOpt = None,
    body: Annotated[str | None, typer.Option(help="Longer notes.")] = None,
    output: Output = TABLE,
) -> None:
    """Add a task, optionally about a contact, company or deal."""
    from tinycrm import dates

    due_at = parse_when(due)
    assert due_at is not None
    task = crm(ctx).tasks.add(
        text,
        due=due_at,
        remind=_remind_at(remind, due_at),
        every=every,
        contact=contact,
        company=company,
        deal=deal,
        body=body,
    )
    output.saved(
        task, f"Added task #{task.id}: {task.subject} (due {dates.format_local(task.due_at)})"
    )


def _remind_at(text: str | None, due: datetime) -> datetime | None:
    """``--remind``: a duration before ``due`` or a time (``Invalid`` when it is neither)."""
    if text is None:
        return None
    from tinycrm import repeat
    from tinycrm.errors import Invalid

    try:
        return repeat.parse_remind(text, due=due)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc


@task_app.command("list")
@output_options
def task_list(
    ctx: typer.Context,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue tasks.")] = False,
    today: Annotated[bool, typer.Option("--today", help="Only tasks due today.")] = False,
    upcoming: Annotated[
        bool, typer.Option("--upcoming", help="Only tasks due after today.")
    ] = False,
    all_: Annotated[bool, typer.Option("--all", help="Done tasks too.")] = False,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    deal: DealOpt = None,
    limit: Annotated[int | None, limit_option("At most N tasks.")] = None,
    output: Output = TABLE,
) -> None:
    """List open tasks by due time."""
    chosen = [
        name
        for name, on in (
            ("overdue", overdue),
            ("today", today),
            ("upcoming", upcoming),
            ("all", all_),
        )
        if on
    ]
    if len(chosen) > 1:
        raise typer.BadParameter("choose one of --overdue, --today, --upcoming and --all")
    rows = crm(ctx).tasks.list(
        chosen[0] if chosen else "open",
        contact=contact,
        company=company,
        deal=deal,
        limit=limit,
    )
    output.list(rows, TASK_COLUMNS, empty="no tasks", model="ActivityRead")


@task_app.command("done")
@output_options
def task_done(
    ctx: typer.Context,
    task_id: Annotated[
        int,
        typer.Argument(
            help="Task id (see task list).",
            metavar="ID",
            parser=record_id,
            callback=whole_number(1),
        ),
    ],
    output: Output = TABLE,
) -> None:
    """Mark a task done."""
    opened = crm(ctx)
    task = opened.tasks.done(task_id)
    if output.machine:
        output.one(task, lambda _: None)
        return
    out.done(f"Done: task #{task.id} {task.subject}")
    if task.repeat:
        from tinycrm import dates

        following = [t for t in opened.tasks.list("open") if t.subject == task.subject
                     and t.id > task.id]  # fmt: skip
        if following:
            nxt = following[-1]
            out.done(f"Next: task #{nxt.id} due {dates.format_local(nxt.due_at)}")


# ------------------------------------------------------------ correcting and removing

TaskId = Annotated[
    int,
    typer.Argument(
        help="Task id (see task list).", metavar="ID", parser=record_id, callback=whole_number(1)
    ),
]
ActivityId = Annotated[
    int,
    typer.Argument(
        help="Activity id (see contact show, company show, deal show or search).",
        metavar="ID",
        parser=record_id,
        callback=whole_number(1),
    ),
]
TextOpt = Annotated[
    str | None,
    typer.Option("--text", "--subject", help="New text (first line is the subject)."),
]
BodyOpt = Annotated[
    str | None, typer.Option("--body", "--notes", help='New longer notes ("" clears them).')
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Delete it without asking.")]


def _about(item: Any) -> str:
    """Whom a task or activity is about: ``deal Renewal``, ``Ada Lovelace`` or ``""``."""
    return f"deal {item.deal}" if item.deal else (item.contact or item.company or "")


def _removing(ctx: typer.Context, item_id: int, *, task: bool, yes: bool) -> None:
    """On a terminal, unless --yes: ask before the delete (an id of the other kind is
    refused by the delete itself, not asked about)."""
    from tinycrm import dates, safetext
    from tinycrm.cli.removals import asks

    if yes or not asks():
        return
    found = crm(ctx).activities.get(item_id)
    if (found.kind == "task") != task:
        return
    about = _about(found)
    if task:
        whom = f" for {about}" if about else ""
        when = f" (due {dates.format_local(found.due_at)})" if found.due_at else ""
    else:
        whom = f" with {about}" if about else ""
        when = f" ({dates.format_local(found.occurred_at or found.created_at)})"
    typer.confirm(
        safetext.display(f"Delete {found.kind} #{found.id}{whom}: {found.subject}{when}?"),
        abort=True,
    )


@task_app.command("edit")
@output_options
def task_edit(
    ctx: typer.Context,
    task_id: TaskId,
    text: TextOpt = None,
    due: Annotated[str | None, typer.Option(help="New due time: tomorrow 9:00, +3d, …")] = None,
    body: BodyOpt = None,
    contact: Annotated[
        str | None, typer.Option(help='Contact id, email or name ("" for none).')
    ] = None,
    company: Annotated[
        str | None, typer.Option(help='Company id, name or domain ("" for none).')
    ] = None,
    deal: Annotated[str | None, typer.Option(help='Deal id or title ("" for none).')] = None,
    output: Output = TABLE,
) -> None:
    """Change a task: its text, due time (the reminder moves with it), notes, or what it
    is about. Give --body, --contact, --company or --deal "" to clear it."""
    from tinycrm.cli.common import edited, given, nothing_to_change

    nothing_to_change(ctx, text, due, body, contact, company, deal)
    changes = given(text=text, body=body, contact=contact, company=company, deal=deal)
    if due is not None:
        changes["due"] = parse_when(due)
    before = crm(ctx).events_written
    task = crm(ctx).tasks.edit(task_id, **changes)
    output.saved(task, edited(ctx, before, f"task #{task.id} {task.subject}"))


@task_app.command("reopen")
@output_options
def task_reopen(ctx: typer.Context, task_id: TaskId, output: Output = TABLE) -> None:
    """Open a done task again. A repeating task's next occurrence, made when it was done,
    is removed with it, unless it was changed since."""
    task = crm(ctx).tasks.reopen(task_id)
    said = f"Reopened task #{task.id} {task.subject}"
    if task.next_removed is not None:
        said += f"; removed its next occurrence #{task.next_removed}, made when it was done"
    elif task.next_kept is not None:
        said += f"; its next occurrence #{task.next_kept} stays (changed since it was made)"
    output.saved(task, said)


@task_app.command("rm")
@output_options
def task_rm(
    ctx: typer.Context, task_id: TaskId, yes: YesOpt = False, output: Output = TABLE
) -> None:
    """Delete a task, open or done (asked on a terminal unless --yes)."""
    _removing(ctx, task_id, task=True, yes=yes)
    task = crm(ctx).tasks.remove(task_id)
    output.saved(task, f"Deleted task #{task.id} {task.subject}")


activity_app = typer.Typer(
    no_args_is_help=True,
    help="List, show, correct or delete logged calls, emails, meetings and notes.",
)

ACTIVITY_LABELS = [
    ("id", "id"),
    ("kind", "kind"),
    ("when", "occurred_at"),
    ("due", "due_at"),
    ("remind", "remind_at"),
    ("repeat", "repeat"),
    ("done", "done_at"),
    ("contact", "contact"),
    ("company", "company"),
    ("deal", "deal"),
    ("channel", "channel"),
    ("owner", "owner"),
    ("created", "created_at"),
    ("body", "body"),
]


@activity_app.command("list")
@output_options
def activity_list(
    ctx: typer.Context,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    deal: DealOpt = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(help="Only this kind: call, email, meeting, note or task (repeat)."),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only those since WHEN: 2026-12-01, -7d, …")
    ] = None,
    limit: Annotated[int | None, limit_option("At most N activities (default: 50).")] = 50,
    output: Output = TABLE,
) -> None:
    """List logged calls, emails, meetings and notes (and tasks), newest first."""
    from tinycrm.cli.views import ACTIVITY_COLUMNS

    rows = crm(ctx).activities.list(
        contact=contact,
        company=company,
        deal=deal,
        kinds=kind,
        since=since,
        limit=limit,
    )
    output.list(rows, ACTIVITY_COLUMNS, empty="no activities", model="ActivityRead")


@activity_app.command("show")
@output_options
def activity_show(ctx: typer.Context, activity_id: ActivityId, output: Output = TABLE) -> None:
    """Show one activity (or task) whole, its body too."""
    activity = crm(ctx).activities.get(activity_id)
    output.one(
        activity,
        lambda row: out.print_fields(row, ACTIVITY_LABELS, f"#{row['id']} {row['subject']}"),
    )


@activity_app.command("edit")
@output_options
def activity_edit(
    ctx: typer.Context,
    activity_id: ActivityId,
    text: TextOpt = None,
    body: BodyOpt = None,
    at: Annotated[
        str | None, typer.Option("--at", help="When it happened: yesterday 15:00, -2d …")
    ] = None,
    kind: Annotated[str | None, typer.Option(help=f"One of: {', '.join(LOG_KINDS)}.")] = None,
    output: Output = TABLE,
) -> None:
    """Correct a logged call, email, meeting or note: its text, notes ("" clears them),
    time or kind. An email logged from a mailbox keeps its time, notes and kind."""
    from tinycrm.cli.common import edited, given, nothing_to_change

    nothing_to_change(ctx, text, body, at, kind)
    changes = given(text=text, body=body, kind=kind)
    if at is not None:
        changes["at"] = parse_when(at)
    before = crm(ctx).events_written
    activity = crm(ctx).activities.edit(activity_id, **changes)
    what = f"{activity.kind} #{activity.id} {activity.subject}"
    output.saved(activity, edited(ctx, before, what))


@activity_app.command("rm")
@output_options
def activity_rm(
    ctx: typer.Context, activity_id: ActivityId, yes: YesOpt = False, output: Output = TABLE
) -> None:
    """Delete a logged call, email, meeting or note (asked on a terminal unless --yes).

    An email logged from a mailbox is not logged again by mail sync or mail import
    (mail import --undelete logs it again)."""
    _removing(ctx, activity_id, task=False, yes=yes)
    activity = crm(ctx).activities.remove(activity_id)
    about = _about(activity)
    whom = f" with {about}" if about else ""
    said = f"Deleted {activity.kind} #{activity.id}{whom}: {activity.subject}"
    if activity.mailbox:
        said += "; it will not be logged again from the mailbox (mail import --undelete does)"
    output.saved(activity, said)
