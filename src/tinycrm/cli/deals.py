"""``tinycrm deal …``"""

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
    nearest_sort,
    nothing_to_change,
    number_or_none,
    parse_date,
    parse_field_filter,
    parse_fields,
    tell_tags_not_carried,
    whole_number_or_empty,
)
from tinycrm.cli.deal_items import app as item_app
from tinycrm.cli.editing import EditorOpt, edit_command
from tinycrm.cli.output import TABLE, Output, output_options
from tinycrm.cli.segments import SegmentOpt, WhereOpt
from tinycrm.cli.views import DEAL_COLUMNS
from tinycrm.safetext import quoted

app = typer.Typer(no_args_is_help=True, help="Deals (opportunities) through pipeline stages.")
app.add_typer(item_app, name="item")

RefArg = Annotated[str, typer.Argument(help="Deal id or title.", metavar="REF")]
ContactOpt = Annotated[str | None, typer.Option(help="Contact id, email or name.")]
CompanyOpt = Annotated[str | None, typer.Option(help="Company id, name or domain.")]
Amount = Annotated[
    str | None,
    typer.Option(
        help="Amount, e.g. 12000, 12,500.50, '$120000' or '500 JPY' "
        "(a symbol or code sets the currency; $ is USD)."
    ),
]
Currency = Annotated[
    str | None, typer.Option(help="ISO 4217 code (default: the amount's, else EUR).")
]
Close = Annotated[
    str | None, typer.Option("--close", help="Expected close date: 2026-12-31, +30d, eom, …")
]
Probability = Annotated[
    str | None,
    typer.Option(
        help="Win probability 0-100 (default: the stage's).",
        metavar="0-100",
        callback=whole_number_or_empty(None, percent=True),
    ),
]
Owner = Annotated[str | None, typer.Option(help="Owner (default: you).")]
OwnerFilter = Annotated[str | None, typer.Option(help="Only this owner's deals.")]
NewOwner = Annotated[str | None, typer.Option(help="New owner.")]
PipelineOpt = Annotated[str | None, typer.Option(help="Pipeline name (default: the first).")]
PipelineFilter = Annotated[
    str | None,
    typer.Option(
        "--pipeline",
        help="Only deals in this pipeline (--stage names a stage of it, else of the first).",
    ),
]
NewCurrency = Annotated[
    str | None,
    typer.Option(help="ISO 4217 code (alone: the same amount, in this currency)."),
]
NewProbability = Annotated[
    str | None,
    typer.Option(
        help='Win probability 0-100 (its own, instead of the stage\'s; "" drops it).',
        metavar="0-100",
        callback=whole_number_or_empty(None, percent=True),
    ),
]

LABELS = [
    ("id", "id"),
    ("pipeline", "pipeline"),
    ("stage", "stage"),
    ("status", "status"),
    ("amount", "money"),
    ("probability", "probability_text"),
    ("close date", "close_date"),
    ("contact", "contact"),
    ("company", "company"),
    ("lost reason", "lost_reason"),
    ("closed", "closed_at"),
    ("owner", "owner"),
    ("created", "created_at"),
    ("updated", "updated_at"),
]


def _render(row: dict[str, Any]) -> None:
    from tinycrm import money

    shown = dict(row)
    shown["money"] = (
        out.UNREADABLE
        if "amount" in (row.get("unreadable") or ())
        else money.format_money(row.get("amount"), row.get("currency"))
    )
    override = " (set on the deal)" if row.get("probability_override") else ""
    shown["probability_text"] = f"{row['probability']}%{override}"
    out.print_fields(shown, LABELS, row["title"])


@app.command("add")
@output_options
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="What is being sold, e.g. 'Acme renewal'.")],
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    amount: Amount = None,
    currency: Currency = None,
    stage: Annotated[str | None, typer.Option(help="Stage (default: the first).")] = None,
    pipeline: PipelineOpt = None,
    close: Close = None,
    probability: Probability = None,
    owner: Owner = None,
    tag: TagOpt = None,
    field: FieldOpt = None,
    output: Output = TABLE,
) -> None:
    """Open a deal."""
    deal = crm(ctx).deals.add(
        title,
        contact=contact,
        company=company,
        amount=amount,
        currency=currency,
        stage=stage,
        pipeline=pipeline,
        close=parse_date(close),
        probability=number_or_none(probability),
        owner=owner,
        tags=tag,
        fields=parse_fields(field),
    )
    output.saved(deal, f"Added deal #{deal.id} {deal.title} in {deal.stage}")


@app.command("list")
@output_options
def list_(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option(help="Only deals in this stage.")] = None,
    status: Annotated[
        str, typer.Option(help="open, won, lost or all.", show_default=True)
    ] = "open",
    pipeline: PipelineFilter = None,
    tag: TagOpt = None,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    owner: OwnerFilter = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="Text in the title.")] = None,
    field: FieldFilterOpt = None,
    limit: Annotated[int | None, limit_option("At most N deals.")] = None,
    where: WhereOpt = None,
    segment: SegmentOpt = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            help=(
                "stage (pipeline order), amount, close, created, updated or title; "
                "-KEY the other way round (-amount: the largest first)."
            ),
            metavar="KEY",
        ),
    ] = "stage",
    output: Output = TABLE,
) -> None:
    """List deals in pipeline order, or --sort KEY (open ones unless --status says otherwise)."""
    key, descending = _sort_key(sort)
    rows = crm(ctx).deals.list(
        status=None if status.strip().lower() == "all" else status,
        stage=stage,
        pipeline=pipeline,
        tags=tag,
        contact=contact,
        company=company,
        owner=owner,
        search=search,
        field=parse_field_filter(field),
        limit=limit if key == "stage" and not descending else None,
        where=where,
        segment=segment,
    )
    if not rows:
        tell_tags_not_carried(ctx, tag, "deal")
    rows = _sorted(rows, key, descending)[:limit]
    output.list(rows, DEAL_COLUMNS, empty="no deals", model="DealRead")


SORTS = {
    "amount": "amount",
    "close": "close_date",
    "created": "created_at",
    "updated": "updated_at",
    "title": "title",
}


def _sort_key(text: str) -> tuple[str, bool]:
    """``--sort``'s key and whether it is the other way round (``-amount``)."""
    key = text.strip().lower()
    descending = key.startswith("-")
    key = key.removeprefix("-").strip()
    if key != "stage" and key not in SORTS:
        raise typer.BadParameter(
            f"sort by stage, {', '.join(SORTS)} (-KEY: the other way round), not {quoted(text)}"
            + nearest_sort(key, ("stage", *SORTS), descending),
            param_hint="--sort",
        )
    return key, descending


def _sorted(rows: list[Any], key: str, descending: bool) -> list[Any]:
    """``rows`` (in pipeline order) sorted by ``key``: equal ones stay in pipeline order,
    and a deal with no amount or close date comes last either way."""
    if key == "stage":
        return rows[::-1] if descending else rows
    name = SORTS[key]
    if key == "title":
        from tinycrm.search_text import fold

        return sorted(rows, key=lambda row: fold(row.title), reverse=descending)
    known = [row for row in rows if getattr(row, name) is not None]
    missing = [row for row in rows if getattr(row, name) is None]
    return sorted(known, key=lambda row: getattr(row, name), reverse=descending) + missing


@app.command("show")
@output_options
def show(
    ctx: typer.Context,
    ref: RefArg,
    output: Output = TABLE,
) -> None:
    """Show a deal with its line items, stage history, open tasks and activity (--csv: a
    row per line item, the deal's columns on each)."""
    from tinycrm.api.models import DealItemRead

    api = crm(ctx)
    view = api.deals.show(ref)
    items = api.deals.items.list(view.deal.id)
    extra = {
        "items": items.items,
        "mrr": items.mrr,
        "arr": items.arr,
        "history": view.history,
        "open_tasks": view.open_tasks,
        "activities": view.activities,
        "events": view.events,
    }

    def render(row: dict[str, Any]) -> None:
        from tinycrm.cli import views
        from tinycrm.cli.output import Column, col

        _render(row)
        if items.items:
            from tinycrm.cli.deal_items import print_items

            out.stdout_console().print()
            print_items(items.model_dump(), title="Line items")
        if view.history:
            out.stdout_console().print()
            out.print_table(
                [out.to_plain(h) for h in view.history],
                [
                    col("when", "at", whole=True),
                    # a stage since removed is named so, not left blank as a start is
                    Column(
                        "from",
                        lambda r: (
                            (r.get("from_stage") or "(removed)") if r.get("from_status") else ""
                        ),
                    ),
                    Column("to", lambda r: r.get("to_stage") or "(removed)"),
                    col("status", "to_status"),
                    col("by", "actor", style="dim"),
                ],
                title="Stage history",
            )
        views.related((), (), view.open_tasks, view.activities, view.events)

    output.one(view.deal, render, extra=extra, lines=out.Lines("item", items.items, DealItemRead))


@app.command("edit")
@output_options
def edit(
    ctx: typer.Context,
    ref: RefArg,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    contact: ContactOpt = None,
    company: CompanyOpt = None,
    amount: Amount = None,
    currency: NewCurrency = None,
    close: Close = None,
    probability: NewProbability = None,
    stage_probability: Annotated[
        bool, typer.Option("--stage-probability", help="Drop the override: use the stage's.")
    ] = False,
    owner: NewOwner = None,
    tag: TagOpt = None,
    untag: UntagOpt = None,
    field: FieldOpt = None,
    unset_field: UnsetFieldOpt = None,
    editor: EditorOpt = False,
    output: Output = TABLE,
) -> None:
    """Change a deal's details. Give an option an empty value ("") to clear it, or edit
    the whole record in your editor with --editor."""
    changes = given(
        title=title,
        contact=contact,
        company=company,
        amount=amount,
        currency=currency,
        probability=probability,
        owner=owner,
    )
    if close is not None:
        changes["close"] = parse_date(close) if close.strip() else None
    if "probability" in changes:  # "" drops it (the stage's), as --stage-probability
        changes["probability"] = number_or_none(changes["probability"])
    if stage_probability:
        changes["probability"] = None
    if editor:
        others = bool(changes or tag or untag or field or unset_field)
        deal, said = edit_command(ctx, "deal", ref, other_options=others)
        output.saved(deal, said)
        return
    nothing_to_change(ctx, changes, tag, untag, field, unset_field, editor=True)
    before = crm(ctx).events_written
    deal = crm(ctx).deals.edit(
        ref,
        **changes,
        tag=tag,
        untag=untag,
        fields=parse_fields(field),
        unset_fields=unset_field,
    )
    output.saved(deal, edited(ctx, before, f"deal #{deal.id} {deal.title}"))


@app.command("move")
@output_options
def move(
    ctx: typer.Context,
    ref: RefArg,
    stage: Annotated[str, typer.Argument(help="Stage name.")],
    pipeline: Annotated[
        str | None, typer.Option(help="Move into another pipeline's stage.")
    ] = None,
    output: Output = TABLE,
) -> None:
    """Move an open deal to another stage."""
    deal = crm(ctx).deals.move(ref, stage, pipeline=pipeline)
    output.saved(deal, f"Moved deal #{deal.id} {deal.title} to {deal.stage}")


@app.command("won")
@output_options
def won(ctx: typer.Context, ref: RefArg, output: Output = TABLE) -> None:
    """Mark a deal won."""
    deal = crm(ctx).deals.win(ref)
    output.saved(deal, f"Won deal #{deal.id} {deal.title}")


@app.command("lost")
@output_options
def lost(
    ctx: typer.Context,
    ref: RefArg,
    reason: Annotated[str, typer.Option(help="Why it was lost (required).")],
    output: Output = TABLE,
) -> None:
    """Mark a deal lost, with the reason."""
    deal = crm(ctx).deals.lose(ref, reason=reason)
    output.saved(deal, f"Lost deal #{deal.id} {deal.title}: {deal.lost_reason}")


@app.command("reopen")
@output_options
def reopen(ctx: typer.Context, ref: RefArg, output: Output = TABLE) -> None:
    """Reopen a won or lost deal in the stage it was closed from."""
    deal = crm(ctx).deals.reopen(ref)
    output.saved(deal, f"Reopened deal #{deal.id} {deal.title} in {deal.stage}")


@app.command("rm")
def rm(
    ctx: typer.Context,
    ref: RefArg,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Delete a deal with a contract without asking.")
    ] = False,
) -> None:
    """Delete a deal and its stage history. A contract made from it is kept, unlinked:
    that needs --yes (asked on a terminal). An open renewal deal deleted is opened
    anew by the next remind (to say the contract will not renew: deal lost)."""
    import sys

    from tinycrm import safetext

    api = crm(ctx)
    found = api.deals.get(ref)
    linked = api.contracts.list(deal=f"#{found.id}")
    signed = [c for c in linked if c.deal_id == found.id]
    renewing = [  # an open renewal deal: remind opens a new one (the store's event says it)
        c for c in linked
        if c.renewal_deal_id == found.id and found.status == "open"
        and c.status in ("active", "upcoming")
    ]  # fmt: skip
    named = ", ".join(f"#{c.id} {c.title}" for c in signed)
    named = ("contract " if len(signed) == 1 else "contracts ") + named
    if signed and not yes and sys.stdin.isatty():
        typer.confirm(
            safetext.display(
                f"Deal #{found.id} {found.title} has {named}: delete the deal and keep "
                f"{'it' if len(signed) == 1 else 'them'}, unlinked?"
            ),
            abort=True,
        )
        yes = True
    deal = api.deals.remove(found.id, unlink_contracts=yes)
    kept = f"; {named} kept, unlinked" if signed else ""
    kept += "".join(
        f"; the next tinycrm remind opens a new renewal deal for contract #{c.id} {c.title}"
        for c in renewing
    )
    out.done(f"Deleted deal #{deal.id} {deal.title}{kept}")
