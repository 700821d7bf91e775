"""``tinycrm deal item …``: a deal's line items."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import (
    MAX_INT,
    crm,
    edited,
    given,
    nothing_to_change,
    record_id,
    whole_number,
)
from tinycrm.cli.output import TABLE, Column, Output, col, output_options
from tinycrm.cli.products import money_text, percent_text

app = typer.Typer(
    no_args_is_help=True,
    help="Line items: products on a deal; the deal's amount is their sum.",
)

ItemArg = Annotated[
    int,
    typer.Argument(
        help="Item id (tinycrm deal item list DEAL).",
        metavar="ITEM",
        parser=record_id,
        callback=whole_number(1, MAX_INT),
    ),
]
_ONE_WAY = " 1,500 or 1.500 is refused as ambiguous: write 1500 or 1.5."
Qty = Annotated[
    str | None,
    typer.Option("--qty", help="Quantity, e.g. 3, 1.5 or 1,5 (default 1)." + _ONE_WAY),
]
_PRICED = " 1,5 is 1.5; 1,500 is refused unless the currency settles it (JPY: 1500)."
Price = Annotated[
    str | None,
    typer.Option(help="Unit price in the deal's currency (default: the product's)." + _PRICED),
]
NewQty = Annotated[str | None, typer.Option("--qty", help="Quantity, e.g. 3 or 1.5." + _ONE_WAY)]
NewPrice = Annotated[str | None, typer.Option(help="Unit price in the deal's currency." + _PRICED)]
Discount = Annotated[str | None, typer.Option(help="Discount in percent, e.g. 10 or 12.5.")]


ITEM_COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True),
    col("product", "product", style="bold"),
    Column("qty", lambda r: f"{r['quantity']}", justify="right", no_wrap=True),
    col("unit", "unit"),
    Column("price", lambda r: money_text(r, "unit_price"), justify="right", no_wrap=True),
    Column("discount", lambda r: percent_text(r, "discount"), justify="right", no_wrap=True),
    Column("tax", lambda r: percent_text(r, "tax"), justify="right", no_wrap=True),
    Column("net", lambda r: money_text(r, "net"), justify="right", no_wrap=True),
    col("every", "recurring", no_wrap=True),
]


def print_items(view: dict[str, Any], *, title: str | None = None) -> None:
    """A deal's items and the line under them: amount, MRR, ARR."""
    items = [{**item, "currency": view["currency"]} for item in view["items"]]
    out.print_table(items, ITEM_COLUMNS, title=title or f"Line items of {view['deal']}")
    sums = [f"amount {money_text(view, 'amount')} (net, before tax)"]
    if view.get("arr") is not None:
        sums.append(f"MRR {money_text(view, 'mrr')}, ARR {money_text(view, 'arr')}")
    out.stdout_console().print("; ".join(sums), markup=False, highlight=False)


@app.command("add")
@output_options
def add(
    ctx: typer.Context,
    deal: Annotated[str, typer.Argument(help="Deal id or title.", metavar="DEAL")],
    product: Annotated[str, typer.Argument(help="Product id, name or SKU.", metavar="PRODUCT")],
    qty: Qty = None,
    price: Price = None,
    discount: Discount = None,
    output: Output = TABLE,
) -> None:
    """Add a product to a deal; the deal's amount becomes the sum of its items."""
    api = crm(ctx)
    typed = api.deals.get(deal).amount  # the amount the first item replaces
    item = api.deals.items.add(deal, product, qty=qty, price=price, discount=discount)
    said = (
        f"Added item #{item.id}: {item.quantity} × {item.product} to deal {item.deal} "
        f"({money_text(item.model_dump(), 'net')})"
    )
    if typed is not None and output.format == "table":
        now = api.deals.items.list(item.deal_id)
        if len(now.items) == 1 and now.amount != typed:
            sums = now.model_dump()
            said += (
                f"; the deal's amount is now its items' sum, {money_text(sums, 'amount')} "
                f"(was {money_text({**sums, 'amount': typed}, 'amount')})"
            )
    output.saved(item, said)


@app.command("list")
@output_options
def list_(
    ctx: typer.Context,
    deal: Annotated[str, typer.Argument(help="Deal id or title.", metavar="DEAL")],
    output: Output = TABLE,
) -> None:
    """List a deal's line items with their sum, MRR and ARR."""
    view = crm(ctx).deals.items.list(deal)
    if output.machine:
        output.list(view.items, ITEM_COLUMNS, model="DealItemRead")
    elif not view.items:
        out.done(f"deal {view.deal} has no line items")
    else:
        print_items(view.model_dump())


@app.command("edit")
@output_options
def edit(
    ctx: typer.Context,
    item: ItemArg,
    qty: NewQty = None,
    price: NewPrice = None,
    discount: Discount = None,
    output: Output = TABLE,
) -> None:
    """Change an item's quantity, unit price or discount."""
    changes = given(qty=qty, price=price, discount=discount)
    nothing_to_change(ctx, changes)
    before = crm(ctx).events_written
    row = crm(ctx).deals.items.edit(item, **changes)
    said = edited(ctx, before, f"item #{row.id} of deal {row.deal}")
    if said.startswith("Updated"):
        said += f": {money_text(row.model_dump(), 'net')}"
    output.saved(row, said)


@app.command("rm")
def rm(ctx: typer.Context, item: ItemArg) -> None:
    """Take an item off its deal."""
    row = crm(ctx).deals.items.remove(item)
    out.done(f"Removed item #{row.id} {row.product} from deal {row.deal}")
