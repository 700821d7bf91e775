"""``tinycrm contract …``"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm, limit_option, parse_date
from tinycrm.cli.output import TABLE, Output, output_options
from tinycrm.cli.views import CONTRACT_COLUMNS, contract_value

app = typer.Typer(
    no_args_is_help=True,
    help="Contracts: what a customer signed after a won deal, its terms and renewals.",
)

IdArg = Annotated[str, typer.Argument(help="Contract id.", metavar="ID")]
TermOpt = Annotated[
    str | None,
    typer.Option(help="Length of a term: 12m, 1y, 90d, 2w (default: config, else 12m)."),
]
EndOpt = Annotated[
    str | None, typer.Option("--end", help="Last day of the term: 2027-12-31, +1y, …")
]
ValueOpt = Annotated[
    str | None, typer.Option(help="Value per term (default: the deal's amount), e.g. 12000.")
]


LABELS = [
    ("id", "id"),
    ("status", "status"),
    ("value", "money"),
    ("ARR", "arr_text"),
    ("MRR", "mrr_text"),
    ("term", "term"),
    ("start", "start_date"),
    ("end", "end_date"),
    ("renews", "renews"),
    ("notice", "notice"),
    ("notice by", "notice_deadline"),
    ("renewals", "renewals"),
    ("deal", "deal"),
    ("renewal deal", "renewal_deal_id"),
    ("contact", "contact"),
    ("company", "company"),
    ("cancelled", "cancelled_on"),
    ("reason", "cancel_reason"),
    ("owner", "owner"),
    ("created", "created_at"),
    ("updated", "updated_at"),
]


def render(row: dict[str, Any]) -> None:
    shown = dict(row)
    shown["money"] = contract_value(row)
    from tinycrm import money

    for key in ("arr", "mrr"):
        shown[f"{key}_text"] = money.format_money(row.get(key), row.get("currency"))
    if row.get("cancelled_on") is not None:  # contract renew refuses it
        shown["renews"] = "no: cancelled"
    elif row.get("auto_renew"):
        shown["renews"] = "automatically"
    else:
        shown["renews"] = "by hand (tinycrm contract renew)"
    out.print_fields(shown, LABELS, row["title"])


@app.command("add")
@output_options
def add(
    ctx: typer.Context,
    deal: Annotated[str, typer.Option(help="The won deal it comes from (id or title).")],
    start: Annotated[
        str | None, typer.Option(help="First day (default: today): 2026-12-01, +30d, …")
    ] = None,
    end: EndOpt = None,
    term: TermOpt = None,
    value: ValueOpt = None,
    currency: Annotated[
        str | None, typer.Option(help="ISO 4217 code (default: the deal's).")
    ] = None,
    auto_renew: Annotated[
        bool, typer.Option("--auto-renew", help="Renew by itself at the end, term after term.")
    ] = False,
    notice: Annotated[
        str | None,
        typer.Option(help="Notice period before the end: 30d, 3m (at most the term)."),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title (default: the deal's).")] = None,
    owner: Annotated[str | None, typer.Option(help="Owner (default: the deal's).")] = None,
    output: Output = TABLE,
) -> None:
    """Make a contract from a won deal: its amount and currency by default."""
    contract = crm(ctx).contracts.add(
        deal=deal,
        start=parse_date(start),
        end=parse_date(end),
        term=term,
        value=value,
        currency=currency,
        auto_renew=auto_renew,
        notice=notice,
        title=title,
        owner=owner,
    )
    output.saved(
        contract,
        f"Added contract #{contract.id} {contract.title}: "
        f"{contract.start_date} to {contract.end_date}",
    )


@app.command("list")
@output_options
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="active, upcoming, ended or cancelled (default: all).")
    ] = None,
    renewing: Annotated[
        str | None,
        typer.Option(
            help="Only active or upcoming ones ending within: 90d, 3m, 90.", metavar="DAYS"
        ),
    ] = None,
    contact: Annotated[str | None, typer.Option(help="Contact id, email or name.")] = None,
    company: Annotated[str | None, typer.Option(help="Company id, name or domain.")] = None,
    deal: Annotated[str | None, typer.Option(help="Made from (or renewing) this deal.")] = None,
    limit: Annotated[int | None, limit_option("At most N contracts.")] = None,
    output: Output = TABLE,
) -> None:
    """List contracts, soonest end first, with their status as of today."""
    rows = crm(ctx).contracts.list(
        status=status,
        renewing=renewing,
        contact=contact,
        company=company,
        deal=deal,
        limit=limit,
    )
    output.list(rows, CONTRACT_COLUMNS, empty="no contracts", model="ContractRead")


@app.command("show")
@output_options
def show(ctx: typer.Context, contract_id: IdArg, output: Output = TABLE) -> None:
    """Show a contract: its current term, notice deadline and renewals."""
    output.one(crm(ctx).contracts.get(contract_id), render)


@app.command("renew")
@output_options
def renew(
    ctx: typer.Context,
    contract_id: IdArg,
    term: Annotated[
        str | None, typer.Option(help="Length of the new term (default: the contract's).")
    ] = None,
    end: EndOpt = None,
    value: Annotated[str | None, typer.Option(help="New value per term.")] = None,
    if_ends: Annotated[
        str | None,
        typer.Option(
            "--if-ends",
            help="Only if its current term ends on this day (for scripts: a retry does "
            "not renew twice).",
            metavar="DATE",
        ),
    ] = None,
    output: Output = TABLE,
) -> None:
    """Add the next term, from the day after the current end. The renewal deal open for
    the term it renews is won with it."""
    api = crm(ctx)
    pending = api.contracts.get(contract_id).renewal_deal_id
    was_open = _status_of(api, pending) == "open"
    contract = api.contracts.renew(
        contract_id, term=term, end=parse_date(end), value=value, if_ends=parse_date(if_ends)
    )
    said = ""
    if was_open and (deal := _deal_of(api, pending)) is not None and deal.status == "won":
        said = f"; won renewal deal #{deal.id} {deal.title}"
    output.saved(
        contract,
        f"Renewed contract #{contract.id} {contract.title}: "
        f"{contract.start_date} to {contract.end_date}{said}",
    )


@app.command("cancel")
@output_options
def cancel(
    ctx: typer.Context,
    contract_id: IdArg,
    on: Annotated[
        str | None,
        typer.Option(
            help="Cancelled as of this day (default: today): from its current term's first "
            "day (or today, if earlier) to the day after its end.",
            metavar="DATE",
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why.")] = None,
    output: Output = TABLE,
) -> None:
    """Cancel a contract: it stops renewing and is cancelled from that day. The renewal
    deal open for its term is lost with it."""
    api = crm(ctx)
    pending = api.contracts.get(contract_id).renewal_deal_id
    was_open = _status_of(api, pending) == "open"
    contract = api.contracts.cancel(contract_id, on=parse_date(on), reason=reason)
    said = ""
    if was_open and (deal := _deal_of(api, pending)) is not None and deal.status == "lost":
        said = f"; lost renewal deal #{deal.id} {deal.title}"
    output.saved(
        contract,
        f"Cancelled contract #{contract.id} {contract.title} as of {contract.cancelled_on}" + said,
    )


def _deal_of(api: Any, deal_id: int | None) -> Any:
    """The deal, or None: none given, or deleted (by a ``deal rm`` elsewhere) since."""
    from tinycrm.errors import NotFound

    if deal_id is None:
        return None
    try:
        return api.deals.get(deal_id)
    except NotFound:
        return None


def _status_of(api: Any, deal_id: int | None) -> str | None:
    """The deal's status (``_deal_of``), or None."""
    deal = _deal_of(api, deal_id)
    return None if deal is None else str(deal.status)
