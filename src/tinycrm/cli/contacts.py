"""``tinycrm contact …``"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import (
    FieldFilterOpt,
    FieldOpt,
    TagOpt,
    UnsetFieldOpt,
    UntagOpt,
    counted,
    crm,
    edited,
    given,
    limit_option,
    nearest_sort,
    nothing_to_change,
    parse_field_filter,
    parse_fields,
    tell_tags_not_carried,
)
from tinycrm.cli.editing import EditorOpt, edit_command
from tinycrm.cli.output import TABLE, Output, col, output_options
from tinycrm.cli.removals import YesOpt, remove
from tinycrm.cli.segments import SegmentOpt, WhereOpt
from tinycrm.cli.views import CONTACT_COLUMNS
from tinycrm.safetext import quoted
from tinycrm.vocab import LEAD_STATUSES, LIFECYCLES, ROLES

app = typer.Typer(no_args_is_help=True, help="Contacts: people, roles and lifecycle.")

RefArg = Annotated[str, typer.Argument(help="Contact id, email or exact name.", metavar="REF")]
Email = Annotated[str | None, typer.Option(help="Email address (unique).")]
Phone = Annotated[str | None, typer.Option(help="Phone number.")]
Title = Annotated[str | None, typer.Option(help="Job title.")]
Role = Annotated[str | None, typer.Option(help=f"Buying role: {', '.join(ROLES)}.")]
Company = Annotated[
    str | None,
    typer.Option(
        help="Company id, name or domain (a new name creates the company; a new domain, "
        "with that domain)."
    ),
]
Lifecycle = Annotated[str | None, typer.Option(help=f"Lifecycle: {', '.join(LIFECYCLES)}.")]
LeadStatus = Annotated[
    str | None, typer.Option("--lead-status", help=f"Lead status: {', '.join(LEAD_STATUSES)}.")
]
Source = Annotated[str | None, typer.Option(help="First touch: referral, web, event, …")]
Owner = Annotated[str | None, typer.Option(help="Owner (default: you).")]
OwnerFilter = Annotated[str | None, typer.Option(help="Only this owner's contacts.")]
NewOwner = Annotated[str | None, typer.Option(help="New owner.")]
Notes = Annotated[str | None, typer.Option(help="Free-text notes.")]
Cadence = Annotated[
    str | None,
    typer.Option(
        help="Keep in touch every 30d, 2w, 3m, … ('none' clears); tinycrm remind says when."
    ),
]


COLUMNS = CONTACT_COLUMNS

LABELS = [
    ("id", "id"),
    ("email", "email"),
    ("phone", "phone"),
    ("title", "title"),
    ("role", "role"),
    ("company", "company"),
    ("lifecycle", "lifecycle"),
    ("lead status", "lead_status"),
    ("BANT", "bant"),
    ("sales-qualified", "sales_qualified_text"),
    ("source", "source"),
    ("last touch", "last_touch"),
    ("owner", "owner"),
    ("notes", "notes"),
    ("keep in touch", "cadence"),
    ("created", "created_at"),
    ("updated", "updated_at"),
]


@app.command("add")
@output_options
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name.")],
    email: Email = None,
    phone: Phone = None,
    title: Title = None,
    role: Role = None,
    company: Company = None,
    lifecycle: Lifecycle = None,
    lead_status: LeadStatus = None,
    source: Source = None,
    owner: Owner = None,
    notes: Notes = None,
    cadence: Cadence = None,
    tag: TagOpt = None,
    field: FieldOpt = None,
    output: Output = TABLE,
) -> None:
    """Add a contact (a new lead's status is "new" unless given)."""
    contact = crm(ctx).contacts.add(
        name,
        email=email,
        phone=phone,
        title=title,
        role=role,
        company=company,
        lifecycle=lifecycle,
        source=source,
        owner=owner,
        notes=notes,
        cadence=cadence,
        lead_status=lead_status,
        tags=tag,
        fields=parse_fields(field),
    )
    at = f" at {contact.company}" if contact.company else ""
    output.saved(contact, f"Added contact #{contact.id} {contact.name}{at}")


@app.command("list")
@output_options
def list_(
    ctx: typer.Context,
    tag: TagOpt = None,
    company: Annotated[str | None, typer.Option(help="Only contacts at this company.")] = None,
    lifecycle: Lifecycle = None,
    lead_status: Annotated[
        str | None,
        typer.Option(
            "--lead-status",
            help=f"Only these lead statuses ({', '.join(LEAD_STATUSES)}; comma-separated).",
        ),
    ] = None,
    role: Role = None,
    owner: OwnerFilter = None,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Text in name, email, phone or title (any case)."),
    ] = None,
    field: FieldFilterOpt = None,
    limit: Annotated[int | None, limit_option("At most N contacts.")] = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            help="name, or score (highest first; adds a score column); -KEY the other way "
            "round (-name: Z to A, -score: the lowest first).",
            metavar="KEY",
        ),
    ] = "name",
    output: Output = TABLE,
) -> None:
    """List contacts by name (or --sort score)."""
    key = sort.strip().lower()
    descending = key.startswith("-")
    key = key.removeprefix("-")
    if key not in ("name", "score"):
        raise typer.BadParameter(
            f"sort by name or score (-KEY: the other way round), not {quoted(sort)}"
            + nearest_sort(key, ("name", "score"), descending),
            param_hint="--sort",
        )
    by_score = key == "score"
    whole = by_score or descending  # a sort that needs every row before the first
    contacts = crm(ctx).contacts
    # A table is written as the rows come (the first screen at once); the other
    # formats, and a sort by score or Z to A, need them all.
    streamed = output.format in ("table", "jsonl") and not whole
    read = contacts.stream if streamed else contacts.list
    rows = read(
        tags=tag,
        company=company,
        lifecycle=lifecycle,
        lead_status=lead_status,
        role=role,
        owner=owner,
        search=search,
        field=parse_field_filter(field),
        limit=None if whole else limit,
        where=where,
        segment=segment,
    )
    columns = COLUMNS
    if by_score:  # stable: equal scores stay in name order; --limit after sorting
        rows = sorted(rows, key=lambda row: row.score if descending else -row.score)[:limit]
        columns = [*COLUMNS[:-1], col("score", "score", justify="right"), COLUMNS[-1]]
    elif descending:
        rows = list(rows)[::-1][:limit]
    seen = [0]
    output.list(counted(rows, seen), columns, empty="no contacts", model="ContactRead")
    if not seen[0]:
        tell_tags_not_carried(ctx, tag, "contact")


@app.command("show")
@output_options
def show(
    ctx: typer.Context,
    ref: RefArg,
    output: Output = TABLE,
) -> None:
    """The 360-degree view: details, company, deals, open tasks, activities, events."""
    from tinycrm.cli.scoring import explanation_line

    opened = crm(ctx)
    view = opened.contacts.show(ref)
    bant = opened.leads.qualification(f"contact:{view.contact.id}")
    scored = opened.scoring.explain(view.contact.id)
    criteria = {c: getattr(bant, c) for c in ("budget", "authority", "need", "timeline")}
    contracts = opened.contracts.list(contact=str(view.contact.id))
    cases = opened.cases.list(contact=str(view.contact.id))
    deal_ids = [d.id for d in view.deals]
    line_items = opened.deals.items.of_deals(deal_ids)
    quotes = opened.quotes.of_deals(deal_ids)
    extra = {
        "score_rules": scored.rules,
        "qualification": criteria,
        "sales_qualified": bant.sales_qualified,
        "deals": view.deals,
        "open_tasks": view.open_tasks,
        "activities": view.activities,
        "events": view.events,
        "next_touch": view.next_touch,
        "contracts": contracts,
        "open_cases": cases,
        "line_items": line_items,
        "quotes": quotes,
    }

    def render(row: dict[str, Any]) -> None:
        from tinycrm.cli import views

        row = {**row, "cadence": _keep_in_touch(row.get("cadence_days"), view.next_touch)}
        if any(c.answer != "unknown" or c.note for c in criteria.values()):
            row["bant"] = " · ".join(
                f"{name} {c.answer}" + (f" ({c.note})" if c.note else "")
                for name, c in criteria.items()
            )
        row["sales_qualified_text"] = "yes" if bant.sales_qualified else None
        row["score_text"] = explanation_line(scored)
        at = LABELS.index(("lead status", "lead_status")) + 1
        out.print_fields(row, [*LABELS[:at], ("score", "score_text"), *LABELS[at:]], row["name"])
        views.related(
            (),
            view.deals,
            view.open_tasks,
            view.activities,
            view.events,
            contracts=contracts,
            cases=cases,
            line_items=line_items,
            quotes=quotes,
        )

    output.one(view.contact, render, extra=extra)


def _keep_in_touch(cadence_days: int | None, next_touch: Any) -> str:
    """``every 30 days · next due 2026-12-20 09:14 (in 15 days)``, or ``… · due now``."""
    from tinycrm import dates, repeat
    from tinycrm.clock import utcnow

    shown = repeat.format_cadence(cadence_days)
    if not shown or next_touch is None:
        return shown
    if next_touch <= utcnow():
        return f"{shown} · due now (since {dates.format_local(next_touch)})"
    when, relative = dates.format_local(next_touch), dates.humanize(next_touch)
    return f"{shown} · next due {when}" + ("" if relative[:1].isdigit() else f" ({relative})")


@app.command("edit")
@output_options
def edit(
    ctx: typer.Context,
    ref: RefArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    email: Email = None,
    phone: Phone = None,
    title: Title = None,
    role: Role = None,
    company: Company = None,
    lifecycle: Lifecycle = None,
    lead_status: LeadStatus = None,
    source: Source = None,
    owner: NewOwner = None,
    notes: Notes = None,
    cadence: Cadence = None,
    unsubscribed: Annotated[
        bool | None,
        typer.Option(
            "--unsubscribed/--subscribed", help="Consent: unsubscribed contacts get no campaigns."
        ),
    ] = None,
    do_not_contact: Annotated[
        bool | None,
        typer.Option("--do-not-contact/--may-contact", help="Consent: never contact."),
    ] = None,
    tag: TagOpt = None,
    untag: UntagOpt = None,
    field: FieldOpt = None,
    unset_field: UnsetFieldOpt = None,
    editor: EditorOpt = False,
    output: Output = TABLE,
) -> None:
    """Change a contact. Give an option an empty value ("") to clear it, or edit the
    whole record in your editor with --editor."""
    changes = given(
        name=name,
        email=email,
        phone=phone,
        title=title,
        role=role,
        company=company,
        lifecycle=lifecycle,
        lead_status=lead_status,
        source=source,
        owner=owner,
        notes=notes,
        cadence=cadence,
        unsubscribed=unsubscribed,
        do_not_contact=do_not_contact,
    )
    if editor:
        others = bool(changes or tag or untag or field or unset_field)
        contact, said = edit_command(ctx, "contact", ref, other_options=others)
        output.saved(contact, said)
        return
    nothing_to_change(ctx, changes, tag, untag, field, unset_field, editor=True)
    before = crm(ctx).events_written
    contact = crm(ctx).contacts.edit(
        ref,
        **changes,
        tag=tag,
        untag=untag,
        fields=parse_fields(field),
        unset_fields=unset_field,
    )
    output.saved(contact, edited(ctx, before, f"contact #{contact.id} {contact.name}"))


@app.command("rm")
@output_options
def rm(ctx: typer.Context, ref: RefArg, yes: YesOpt = False, output: Output = TABLE) -> None:
    """Delete a contact, saying what goes with it: activities and tasks only about them,
    tags, custom fields, campaign memberships, sequence enrollments. Deals and other
    activities are kept, unlinked; a contract or case with them too, but that needs
    --yes (asked on a terminal)."""
    remove(crm(ctx).contacts, "contact", ref, yes, output)


DUPE_COLUMNS = [
    out.Column("keep", lambda row: f"#{row['keep_id']} {row['keep']}", style="bold"),
    out.Column("other", lambda row: f"#{row['other_id']} {row['other']}"),
    col("company", "keep_company"),
    out.Column("why", lambda row: "; ".join(row["reasons"])),
]


@app.command("dupes")
@output_options
def dupes(
    ctx: typer.Context,
    company: Annotated[str | None, typer.Option(help="Only contacts at this company.")] = None,
    limit: Annotated[int | None, limit_option("At most N pairs.")] = None,
    output: Output = TABLE,
) -> None:
    """Likely duplicates: same email, same phone, or similar names at one company.

    Merge a pair with: tinycrm contact merge KEEP OTHER."""
    rows = crm(ctx).contacts.dupes(company=company, limit=limit)
    output.list(rows, DUPE_COLUMNS, empty="no duplicates", model="DuplicateRead")


@app.command("merge")
@output_options
def merge(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(help="The contact that stays.", metavar="KEEP")],
    other: Annotated[
        str, typer.Argument(help="The contact merged in and deleted.", metavar="OTHER")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would move; write nothing.")
    ] = False,
    output: Output = TABLE,
) -> None:
    """Merge OTHER into KEEP: its activities, deals, tags, fields, campaigns, BANT,
    history and sequences move; KEEP's empty fields are filled; OTHER's id and
    email still find KEEP."""
    from tinycrm.api.models import describe_moved

    result = crm(ctx).contacts.merge(keep, other, dry_run=dry_run)
    if output.machine:
        output.one(result, lambda _: None)
        return
    k, o = result.keep, result.other
    if dry_run:
        out.done(f"Would merge #{o.id} {o.name} into #{k.id} {k.name} (nothing written)")
    else:
        out.done(f"Merged #{o.id} {o.name} into #{k.id} {k.name}")
    moved = describe_moved(result.moved)
    for label, text in (
        ("moved" if not dry_run else "move", moved),
        ("filled" if not dry_run else "fill", ", ".join(result.filled)),
        ("kept", "; ".join(result.conflicts)),
        ("still finds it", ", ".join(result.aliases)),
    ):
        if text:
            out.done(f"  {label}: {text}")
