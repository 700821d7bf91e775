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
    given,
    parse_field_filter,
    parse_fields,
    store,
)
from tinycrm.cli.output import CsvOpt, JsonlOpt, JsonOpt, col
from tinycrm.vocab import LIFECYCLES, ROLES

app = typer.Typer(no_args_is_help=True, help="Contacts: people, roles and lifecycle.")

RefArg = Annotated[str, typer.Argument(help="Contact id, email or exact name.", metavar="REF")]
Email = Annotated[str | None, typer.Option(help="Email address (unique).")]
Phone = Annotated[str | None, typer.Option(help="Phone number.")]
Title = Annotated[str | None, typer.Option(help="Job title.")]
Role = Annotated[str | None, typer.Option(help=f"Buying role: {', '.join(ROLES)}.")]
Company = Annotated[
    str | None, typer.Option(help="Company id, name or domain (a new name creates the company).")
]
Lifecycle = Annotated[str | None, typer.Option(help=f"Lifecycle: {', '.join(LIFECYCLES)}.")]
Source = Annotated[str | None, typer.Option(help="First touch: referral, web, event, …")]
Owner = Annotated[str | None, typer.Option(help="Owner (default: you).")]
Notes = Annotated[str | None, typer.Option(help="Free-text notes.")]
Cadence = Annotated[
    str | None,
    typer.Option(
        help="Keep in touch every 30d, 2w, 3m, … ('none' clears); tinycrm remind says when."
    ),
]


def _cadence(value: str | None) -> int | None:
    from tinycrm import repeat
    from tinycrm.store.errors import Invalid

    try:
        return repeat.parse_cadence(value or "")
    except ValueError as exc:
        raise Invalid(str(exc)) from exc


COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True),
    col("name", "name", style="bold"),
    col("email", "email", no_wrap=True),
    col("phone", "phone", min_console=120, no_wrap=True),
    col("title", "title", min_console=100),
    col("company", "company"),
    col("lifecycle", "lifecycle", style="cyan", no_wrap=True),
    col("tags", "tags", style="magenta", min_console=140),
]

LABELS = [
    ("id", "id"),
    ("email", "email"),
    ("phone", "phone"),
    ("title", "title"),
    ("role", "role"),
    ("company", "company"),
    ("lifecycle", "lifecycle"),
    ("source", "source"),
    ("owner", "owner"),
    ("notes", "notes"),
    ("keep in touch", "cadence"),
    ("created", "created_at"),
    ("updated", "updated_at"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Full name.")],
    email: Email = None,
    phone: Phone = None,
    title: Title = None,
    role: Role = None,
    company: Company = None,
    lifecycle: Lifecycle = None,
    source: Source = None,
    owner: Owner = None,
    notes: Notes = None,
    cadence: Cadence = None,
    tag: TagOpt = None,
    field: FieldOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Add a contact."""
    from tinycrm.store.contacts import add_contact

    contact = add_contact(
        store(ctx),
        name=name,
        email=email,
        phone=phone,
        title=title,
        role=role,
        company=company,
        lifecycle=lifecycle,
        source=source,
        owner=owner,
        notes=notes,
        cadence_days=_cadence(cadence),
        tags=tag,
        fields=parse_fields(field),
    )
    if json_:
        out.emit_one(contact, lambda _: None, json_=True)
    else:
        at = f" at {contact.company}" if contact.company else ""
        out.done(f"Added contact #{contact.id} {contact.name}{at}")


@app.command("list")
def list_(
    ctx: typer.Context,
    tag: TagOpt = None,
    company: Annotated[str | None, typer.Option(help="Only contacts at this company.")] = None,
    lifecycle: Lifecycle = None,
    role: Role = None,
    owner: Owner = None,
    search: Annotated[
        str | None,
        typer.Option("--search", "-s", help="Text in name, email, phone or title (any case)."),
    ] = None,
    field: FieldFilterOpt = None,
    limit: Annotated[int | None, typer.Option(help="At most N contacts.", min=1)] = None,
    json_: JsonOpt = False,
    jsonl: JsonlOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """List contacts by name."""
    from tinycrm.store.contacts import list_contacts

    rows = list_contacts(
        store(ctx),
        tags=tag,
        company=company,
        lifecycle=lifecycle,
        role=role,
        owner=owner,
        search=search,
        field=parse_field_filter(field),
        limit=limit,
    )
    out.emit_list(rows, COLUMNS, json_=json_, jsonl=jsonl, csv_=csv_, empty="no contacts")


@app.command("show")
def show(
    ctx: typer.Context,
    ref: RefArg,
    json_: JsonOpt = False,
    jsonl: JsonlOpt = False,
    csv_: CsvOpt = False,
) -> None:
    """The 360-degree view: details, company, deals, open tasks, activities, events."""
    from tinycrm.store.contacts import contact_view

    view = contact_view(store(ctx), ref)
    extra = {
        "deals": view.deals,
        "open_tasks": view.open_tasks,
        "activities": view.activities,
        "events": view.events,
    }

    def render(row: dict[str, Any]) -> None:
        from tinycrm import repeat
        from tinycrm.cli import views

        row = {**row, "cadence": repeat.format_cadence(row.get("cadence_days"))}
        out.print_fields(row, LABELS, row["name"])
        views.related((), view.deals, view.open_tasks, view.activities, view.events)

    out.emit_one(view.contact, render, json_=json_, jsonl=jsonl, csv_=csv_, extra=extra)


@app.command("edit")
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
    source: Source = None,
    owner: Owner = None,
    notes: Notes = None,
    cadence: Cadence = None,
    tag: TagOpt = None,
    untag: UntagOpt = None,
    field: FieldOpt = None,
    unset_field: UnsetFieldOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Change a contact. Give an option an empty value ("") to clear it."""
    from tinycrm.store.contacts import edit_contact

    extra = {"cadence_days": _cadence(cadence)} if cadence is not None else {}
    contact = edit_contact(
        store(ctx),
        ref,
        **given(
            name=name,
            email=email,
            phone=phone,
            title=title,
            role=role,
            company=company,
            lifecycle=lifecycle,
            source=source,
            owner=owner,
            notes=notes,
        ),
        **extra,
        add_tags=tag,
        remove_tags=untag,
        set_fields=parse_fields(field),
        unset_fields=unset_field,
    )
    if json_:
        out.emit_one(contact, lambda _: None, json_=True)
    else:
        out.done(f"Updated contact #{contact.id} {contact.name}")


@app.command("rm")
def rm(ctx: typer.Context, ref: RefArg) -> None:
    """Delete a contact. Deals are kept, unlinked; activities only about them go."""
    from tinycrm.store.contacts import remove_contact

    contact = remove_contact(store(ctx), ref)
    out.done(f"Deleted contact #{contact.id} {contact.name}")
