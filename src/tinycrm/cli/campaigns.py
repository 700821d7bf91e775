"""``tinycrm campaign …``: campaigns, their members, and what they brought in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm, given, nothing_to_change, parse_date, tell_still_named
from tinycrm.cli.output import TABLE, Column, Output, col, output_options
from tinycrm.cli.segments import SegmentOpt, WhereOpt
from tinycrm.unset import Unset
from tinycrm.vocab import plural

CHANNELS = "email, event, ads, social, direct-mail"
STATUSES = "targeted, sent, responded, converted"

app = typer.Typer(
    no_args_is_help=True, help="Campaigns: members, responses, and attributed revenue."
)

NameArg = Annotated[
    str, typer.Argument(help="Campaign name (case-insensitive) or id.", metavar="NAME")
]
ContactsArg = Annotated[
    list[str], typer.Argument(help="Contacts (id, email or name).", metavar="CONTACT...")
]
Channel = Annotated[str | None, typer.Option(help=f"Channel: {CHANNELS}.")]
Start = Annotated[str | None, typer.Option("--start", help="First day (2026-03-01, +7d, …).")]
End = Annotated[str | None, typer.Option("--end", help="Last day.")]
Budget = Annotated[str | None, typer.Option(help="What it costs, e.g. 2000, '€2,000.00', 1.5k.")]
NewCurrency = Annotated[
    str | None,
    typer.Option(help="ISO 4217 currency of the budget (alone: the same budget, in it)."),
]
Currency = Annotated[
    str | None, typer.Option(help="ISO 4217 currency of the budget (default EUR).")
]
Notes = Annotated[str | None, typer.Option(help="Free-text notes.")]


def _money(amount: Any, currency: str | None) -> str:
    from tinycrm import money

    return money.format_money(Decimal(str(amount)), currency) if amount is not None else ""


def _per_currency(values: dict[str, Any]) -> str:
    return " · ".join(_money(amount, code) for code, amount in values.items()) or "none"


def _percent(ratio: Any) -> str:
    if ratio is None:
        return "n/a"
    from tinycrm import money

    # as a percentage to one place, exactly: a ROI past 10**24 has more than 28 digits
    return f"{money.divide(Decimal(str(ratio)), Decimal('0.01'), Decimal('0.1')):,}%"


def _cost_per_lead(row: dict[str, Any], currency: str) -> str:
    """Budget ÷ leads in the currency's minor units; a cost that rounds to nothing on a
    budget that is not nothing is below one minor unit (``< €0.01``), not free."""
    cost = row["cost_per_lead"]
    if cost is None:
        return "n/a (no budget)" if row["budget"] is None else "n/a (no leads)"
    if not Decimal(str(cost)) and Decimal(str(row["budget"])) > 0:
        from tinycrm import money

        return money.format_below_unit(currency)
    return _money(cost, currency)


def _members(n: int) -> str:
    return f"{n} member{'' if n == 1 else 's'}"


def _dates(row: dict[str, Any]) -> str:
    start, end = row.get("starts_on"), row.get("ends_on")
    if not start and not end:
        return ""
    return f"{start or '…'} – {end or '…'}"


COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True),
    col("name", "name", style="bold"),
    col("channel", "channel", style="cyan", no_wrap=True),
    Column("dates", _dates, no_wrap=True, whole=True),
    Column("budget", lambda r: _money(r["budget"], r["currency"]), justify="right", no_wrap=True),
    col("members", "members", justify="right"),
    col("sent", "sent", justify="right"),
    col("responded", "responded", justify="right"),
    col("converted", "converted", justify="right"),
]

MEMBER_COLUMNS = [
    col("id", "contact_id", justify="right", style="dim", no_wrap=True),
    col("name", "name", style="bold"),
    col("email", "email", no_wrap=True),
    col("company", "company"),
    col("status", "status", style="yellow", no_wrap=True),
    Column(
        "consent",
        lambda r: ", ".join(
            label
            for label, key in (
                ("unsubscribed", "unsubscribed"),
                ("do not contact", "do_not_contact"),
            )
            if r.get(key)
        ),
        style="red",
        keep=2,
    ),
]


@app.command("add")
@output_options
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Campaign name (unique).")],
    channel: Annotated[str, typer.Option(help=f"Channel: {CHANNELS}.")],
    start: Start = None,
    end: End = None,
    budget: Budget = None,
    currency: Currency = None,
    notes: Notes = None,
    output: Output = TABLE,
) -> None:
    """Add a campaign."""
    campaign = crm(ctx).campaigns.add(
        name,
        channel=channel,
        starts=parse_date(start),
        ends=parse_date(end),
        budget=budget,
        currency=currency,
        notes=notes,
    )
    if output.machine:
        output.saved(campaign, "")
    else:
        cost = _money(campaign.budget, campaign.currency)
        out.done(
            f"Added {campaign.channel} campaign #{campaign.id} {campaign.name}"
            + (f" (budget {cost})" if cost else "")
        )


@app.command("list")
@output_options
def list_(ctx: typer.Context, output: Output = TABLE) -> None:
    """List campaigns, latest start first, with member counts."""
    rows = crm(ctx).campaigns.list()
    output.list(rows, COLUMNS, empty="no campaigns", model="CampaignRead")


@app.command("show")
@output_options
def show(
    ctx: typer.Context,
    name: NameArg,
    status: Annotated[
        str | None, typer.Option("--status", help=f"Only members with this status ({STATUSES}).")
    ] = None,
    output: Output = TABLE,
) -> None:
    """A campaign's details and its members with their status (--csv: the members)."""
    view = crm(ctx).campaigns.show(name, status=status)
    if output.format == "csv":  # a show's CSV is its members, one row each
        import typing  # the members' read model: their columns are the header of none

        (member,) = typing.get_args(type(view).model_fields["members"].annotation)
        output.list(view.members, MEMBER_COLUMNS, model=member)
        return

    def render(view_row: dict[str, Any]) -> None:
        row = view_row["campaign"]
        row = {
            **row,
            "dates": _dates(row),
            "budget_text": _money(row["budget"], row["currency"]),
            "member_text": _member_counts(row),
        }
        labels = [
            ("id", "id"),
            ("channel", "channel"),
            ("dates", "dates"),
            ("budget", "budget_text"),
            ("members", "member_text"),
            ("notes", "notes"),
            ("created", "created_at"),
        ]
        out.print_fields(row, labels, row["name"])
        out.stdout_console().print()
        out.print_table(
            [out.to_plain(m) for m in view.members],
            MEMBER_COLUMNS,
            title=f"Members ({len(view.members)})",
            empty="no members (tinycrm campaign add-members)",
        )

    output.one(view, render)


def _member_counts(row: dict[str, Any]) -> str:
    counts = ", ".join(
        f"{row[s]:,} {s}" for s in ("targeted", "sent", "responded", "converted") if row[s]
    )
    return f"{row['members']:,}" + (f": {counts}" if counts else "")


@app.command("edit")
@output_options
def edit(
    ctx: typer.Context,
    name: NameArg,
    new_name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    channel: Channel = None,
    start: Start = None,
    end: End = None,
    budget: Budget = None,
    currency: NewCurrency = None,
    notes: Notes = None,
    output: Output = TABLE,
) -> None:
    """Change a campaign. An empty value ("") clears dates, budget or notes."""
    from tinycrm.unset import UNSET

    def day(value: str | None) -> date | Unset | None:
        if value is None:
            return UNSET
        return parse_date(value) if value.strip() else None

    changes = given(name=new_name, channel=channel, budget=budget, currency=currency, notes=notes)
    nothing_to_change(ctx, changes, start, end)
    campaign = crm(ctx).campaigns.edit(
        name,
        **changes,
        starts=day(start),
        ends=day(end),
    )
    if output.machine:
        output.saved(campaign, "")
    else:
        out.done(f"Updated campaign #{campaign.id} {campaign.name}")


@app.command("rm")
def rm(ctx: typer.Context, name: NameArg) -> None:
    """Delete a campaign and its member list (contacts and their touches stay). Saved
    segments and scoring rules that test it are left as they are, and named."""
    campaign = crm(ctx).campaigns.remove(name)
    out.done(f"Deleted campaign {campaign.name} ({plural(campaign.members, 'member')})")
    tell_still_named(
        f"campaign {campaign.name}",
        campaign.still_named_by,
        "'segment save' or 'score rule add --replace'",
    )


@app.command("add-members")
@output_options
def add_members(
    ctx: typer.Context,
    name: NameArg,
    contacts: Annotated[
        list[str] | None,
        typer.Argument(help="Contacts (id, email or name).", metavar="CONTACT"),
    ] = None,
    segment: SegmentOpt = None,
    where: WhereOpt = None,
    output: Output = TABLE,
) -> None:
    """Add contacts as targeted members: by REF, a saved --segment, or --where.

    Contacts marked unsubscribed or do-not-contact are never added; the command
    says how many were left out."""
    result = crm(ctx).campaigns.add_members(
        name, contacts=contacts or [], where=where, segment=segment
    )
    if output.machine:
        output.saved(result, "")
        return
    line = f"Added {_members(result.added)} to {result.campaign}"
    if result.already:
        line += f"; {result.already} already there"
    out.done(line)
    if result.left_out:
        reasons = []
        if result.unsubscribed:
            reasons.append(f"{result.unsubscribed} unsubscribed")
        if result.do_not_contact:
            reasons.append(f"{result.do_not_contact} do not contact")
        named = f": {', '.join(result.left_out_named)}" if result.left_out_named else ""
        out.done(f"Left out {result.left_out} ({', '.join(reasons)}){named}")


@app.command("remove-members")
def remove_members(ctx: typer.Context, name: NameArg, contacts: ContactsArg) -> None:
    """Take contacts off a campaign's member list."""
    result = crm(ctx).campaigns.remove_members(name, contacts=contacts)
    out.done(f"Removed {_members(result.changed)} from {result.campaign}")


@app.command("status")
@output_options
def status(
    ctx: typer.Context,
    name: NameArg,
    new_status: Annotated[str, typer.Option("--status", "-s", help=f"New status: {STATUSES}.")],
    contacts: Annotated[
        list[str] | None,
        typer.Argument(help="Members (id, email or name).", metavar="CONTACT"),
    ] = None,
    all_targeted: Annotated[
        bool,
        typer.Option(
            "--all-targeted",
            help="Every member still targeted, e.g. --status sent after a mailing.",
        ),
    ] = False,
    output: Output = TABLE,
) -> None:
    """Set members' status. Responding or converting makes the campaign the contact's
    last touch (and its first touch when it has none)."""
    result = crm(ctx).campaigns.set_status(
        name, new_status, contacts=contacts or [], all_targeted=all_targeted
    )
    if output.machine:
        output.saved(result, "")
        return
    line = f"{_members(result.changed)} of {result.campaign} now {result.status}"
    if result.unchanged:
        line += f" ({result.unchanged} already were)"
    out.done(line)


@app.command("report")
@output_options
def report(ctx: typer.Context, name: NameArg, output: Output = TABLE) -> None:
    """Members, response and conversion rates, leads, cost per lead, and deals, won
    revenue and ROI by first touch and by last touch (README: Campaigns)."""
    result = crm(ctx).campaigns.report(name)
    output.one(result, _render_report)


def _render_report(row: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    campaign = row["campaign"]
    currency = row["currency"]
    heading = [campaign["name"], campaign["channel"], _dates(campaign)]
    if row["budget"] is not None:
        heading.append(f"budget {_money(row['budget'], currency)}")
    members = row["members"]
    summary = {
        "members": _member_counts(campaign),
        "response_rate": f"{_percent(row['response_rate'])} "
        f"({row['responses']:,} of {members:,} responded or converted)",
        "conversion_rate": f"{_percent(row['conversion_rate'])} "
        f"({row['converted']:,} of {members:,} converted)",
        "leads": f"{row['leads']:,} (first touch here, or responded)",
        "cost_per_lead": _cost_per_lead(row, currency),
    }
    labels = [
        ("members", "members"),
        ("response rate", "response_rate"),
        ("conversion rate", "conversion_rate"),
        ("leads", "leads"),
        ("cost per lead", "cost_per_lead"),
    ]
    out.print_fields(summary, labels, " · ".join(h for h in heading if h))

    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("")
    table.add_column("first touch")
    table.add_column("last touch")
    models = [row["first_touch"], row["last_touch"]]
    lines = [
        ("contacts", lambda a: f"{a['contacts']:,}"),
        ("deals", _deal_counts),
        ("won revenue", lambda a: _per_currency(a["won_revenue"])),
        ("open value", lambda a: _per_currency(a["open_value"])),
        ("ROI", lambda a: _roi(a, row["budget"], currency)),
    ]
    for label, get in lines:
        table.add_row(Text(label, style="bold cyan"), *(Text(get(a)) for a in models))
    console = out.stdout_console()
    console.print()
    console.print(out.unpadded(console, table))  # each line ends at its last value


def _deal_counts(a: dict[str, Any]) -> str:
    parts = [f"{a[k]:,} {w}" for k, w in (("open_deals", "open"), ("won_deals", "won"),
                                         ("lost_deals", "lost")) if a[k]]  # fmt: skip
    return f"{a['deals']:,}" + (f" ({', '.join(parts)})" if parts else "")


def _roi(a: dict[str, Any], budget: Any, currency: str) -> str:
    if budget is None:
        return "n/a (no budget)"
    if a["roi"] is None:
        return "n/a (budget 0)"
    text = _percent(a["roi"])
    if a["roi_leaves_out"]:
        text += f" ({', '.join(a['roi_leaves_out'])} not counted: budget in {currency})"
    return text
