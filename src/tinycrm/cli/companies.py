"""``tinycrm company …``"""

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
    crm,
    edited,
    given,
    limit_option,
    nothing_to_change,
    number_or_none,
    parse_field_filter,
    parse_fields,
    tell_tags_not_carried,
    whole_number_or_empty,
)
from tinycrm.cli.editing import EditorOpt, edit_command
from tinycrm.cli.output import TABLE, Output, col, output_options
from tinycrm.cli.removals import YesOpt, remove
from tinycrm.cli.segments import SegmentOpt, WhereOpt

app = typer.Typer(no_args_is_help=True, help="Companies (accounts).")

RefArg = Annotated[str, typer.Argument(help="Company id, name or domain.", metavar="REF")]
Domain = Annotated[str | None, typer.Option(help="Web domain, e.g. acme.com.")]
Industry = Annotated[str | None, typer.Option(help="Industry.")]
Size = Annotated[
    str | None,
    typer.Option(help="Number of employees.", metavar="N", callback=whole_number_or_empty(0)),
]
Phone = Annotated[str | None, typer.Option(help="Phone number.")]
Address = Annotated[str | None, typer.Option(help="Street address.")]
City = Annotated[str | None, typer.Option(help="City.")]
Country = Annotated[str | None, typer.Option(help="Country.")]
Owner = Annotated[str | None, typer.Option(help="Owner (default: you).")]
OwnerFilter = Annotated[str | None, typer.Option(help="Only this owner's companies.")]
NewOwner = Annotated[str | None, typer.Option(help="New owner.")]

COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True, keep=out.KEEP),
    col("name", "name", style="bold", keep=out.KEEP),
    col("domain", "domain"),
    col("industry", "industry"),
    col("size", "size", justify="right"),
    col("city", "city", keep=2),
    col("country", "country"),
    col("tags", "tags", style="magenta"),
]

LABELS = [
    ("id", "id"),
    ("domain", "domain"),
    ("industry", "industry"),
    ("size", "size"),
    ("phone", "phone"),
    ("address", "address"),
    ("city", "city"),
    ("country", "country"),
    ("owner", "owner"),
    ("created", "created_at"),
    ("updated", "updated_at"),
]


@app.command("add")
@output_options
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Company name (unique, case-insensitive).")],
    domain: Domain = None,
    industry: Industry = None,
    size: Size = None,
    phone: Phone = None,
    address: Address = None,
    city: City = None,
    country: Country = None,
    owner: Owner = None,
    tag: TagOpt = None,
    field: FieldOpt = None,
    output: Output = TABLE,
) -> None:
    """Add a company."""
    company = crm(ctx).companies.add(
        name,
        domain=domain,
        industry=industry,
        size=number_or_none(size),
        phone=phone,
        address=address,
        city=city,
        country=country,
        owner=owner,
        tags=tag,
        fields=parse_fields(field),
    )
    output.saved(company, f"Added company #{company.id} {company.name}")


@app.command("list")
@output_options
def list_(
    ctx: typer.Context,
    tag: TagOpt = None,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Text in name, domain or city.")
    ] = None,
    field: FieldFilterOpt = None,
    owner: OwnerFilter = None,
    limit: Annotated[int | None, limit_option("At most N companies.")] = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    output: Output = TABLE,
) -> None:
    """List companies by name."""
    rows = crm(ctx).companies.list(
        tags=tag,
        search=search,
        field=parse_field_filter(field),
        owner=owner,
        limit=limit,
        where=where,
        segment=segment,
    )
    if not rows:
        tell_tags_not_carried(ctx, tag, "company")
    output.list(rows, COLUMNS, empty="no companies", model="CompanyRead")


@app.command("show")
@output_options
def show(
    ctx: typer.Context,
    ref: RefArg,
    output: Output = TABLE,
) -> None:
    """Show a company with its contacts, deals, open tasks and latest activity."""
    opened = crm(ctx)
    view = opened.companies.show(ref)
    contracts = opened.contracts.list(company=str(view.company.id))
    deal_ids = [d.id for d in view.deals]
    line_items = opened.deals.items.of_deals(deal_ids)
    quotes = opened.quotes.of_deals(deal_ids)
    cases = opened.cases.list(company=str(view.company.id))
    extra = {
        "open_cases": cases,
        "contracts": contracts,
        "line_items": line_items,
        "quotes": quotes,
        "contacts": view.contacts,
        "deals": view.deals,
        "open_tasks": view.open_tasks,
        "activities": view.activities,
        "events": view.events,
    }

    def render(row: dict[str, Any]) -> None:
        from tinycrm.cli import views

        out.print_fields(row, LABELS, f"{row['name']}")
        views.related(
            view.contacts,
            view.deals,
            view.open_tasks,
            view.activities,
            view.events,
            contracts=contracts,
            cases=cases,
            line_items=line_items,
            quotes=quotes,
        )

    output.one(view.company, render, extra=extra)


@app.command("edit")
@output_options
def edit(
    ctx: typer.Context,
    ref: RefArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    domain: Domain = None,
    industry: Industry = None,
    size: Size = None,
    phone: Phone = None,
    address: Address = None,
    city: City = None,
    country: Country = None,
    owner: NewOwner = None,
    tag: TagOpt = None,
    untag: UntagOpt = None,
    field: FieldOpt = None,
    unset_field: UnsetFieldOpt = None,
    editor: EditorOpt = False,
    output: Output = TABLE,
) -> None:
    """Change a company. Give an option an empty value ("") to clear it, or edit the
    whole record in your editor with --editor."""
    changes = given(
        name=name,
        domain=domain,
        industry=industry,
        size=size,
        phone=phone,
        address=address,
        city=city,
        country=country,
        owner=owner,
    )
    if "size" in changes:
        changes["size"] = number_or_none(changes["size"])  # "" clears it
    if editor:
        others = bool(changes or tag or untag or field or unset_field)
        company, said = edit_command(ctx, "company", ref, other_options=others)
        output.saved(company, said)
        return
    nothing_to_change(ctx, changes, tag, untag, field, unset_field, editor=True)
    before = crm(ctx).events_written
    company = crm(ctx).companies.edit(
        ref,
        **changes,
        tag=tag,
        untag=untag,
        fields=parse_fields(field),
        unset_fields=unset_field,
    )
    output.saved(company, edited(ctx, before, f"company #{company.id} {company.name}"))


@app.command("rm")
@output_options
def rm(ctx: typer.Context, ref: RefArg, yes: YesOpt = False, output: Output = TABLE) -> None:
    """Delete a company, saying what goes with it: activities and tasks only about it,
    tags, custom fields. Its contacts, deals and other activities are kept, unlinked; a
    contract or case with it too, but that needs --yes (asked on a terminal)."""
    remove(crm(ctx).companies, "company", ref, yes, output)
