"""``tinycrm product …``: the catalogue."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm, edited, given, limit_option, nothing_to_change
from tinycrm.cli.output import TABLE, Column, Output, col, output_options
from tinycrm.cli.segments import WhereOpt

app = typer.Typer(no_args_is_help=True, help="Products: the catalogue deals and quotes sell.")

RefArg = Annotated[str, typer.Argument(help="Product id, name or SKU.", metavar="REF")]
Price = Annotated[
    str | None,
    typer.Option(
        help="Unit price, exact: 1200, 1,200.50, 1,5 (1.5), '500 JPY' (a code sets the "
        "currency). 1,500 or 1.500 is refused as ambiguous unless the currency settles it "
        "(JPY: 1500; BHD: 1.5): write 1500 or 1.5."
    ),
]
NewCurrency = Annotated[
    str | None,
    typer.Option(help="ISO 4217 code (alone: the same price, in this currency)."),
]
Currency = Annotated[
    str | None, typer.Option(help="ISO 4217 code (default: the price's, else EUR).")
]
Sku = Annotated[str | None, typer.Option(help="Stock-keeping unit: your own code for it.")]
Tax = Annotated[str | None, typer.Option(help="Tax rate in percent, e.g. 19 or 7.5.")]
Unit = Annotated[str | None, typer.Option(help="What one is: hour, seat, licence, …")]
Recurring = Annotated[
    str | None, typer.Option(help="Billed every month or year (MRR/ARR): month, year or none.")
]
Description = Annotated[str | None, typer.Option(help="A longer description.")]


def money_text(row: dict[str, Any], key: str = "price") -> str:
    from tinycrm import money

    return money.format_money(row.get(key), row.get("currency"))


def percent_text(row: dict[str, Any], key: str) -> str:
    from tinycrm import pricing

    value = row.get(key)
    return pricing.format_percent(value) if value else ""


def _price_per(row: dict[str, Any]) -> str:
    every = {"month": " / month", "year": " / year"}.get(row.get("recurring") or "", "")
    return money_text(row) + every


COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True),
    col("name", "name", style="bold"),
    col("sku", "sku", no_wrap=True, whole=True),
    Column("price", _price_per, justify="right", no_wrap=True),
    Column("tax", lambda r: percent_text(r, "tax"), justify="right", no_wrap=True),
    col("unit", "unit"),
    Column("archived", lambda r: "archived" if r.get("archived") else "", style="dim"),
]

LINE_ITEM_COLUMNS = [  # a deal's items under a contact or company (show)
    col("deal", "deal"),
    col("product", "product", style="bold"),
    Column("qty", lambda r: f"{r['quantity']}", justify="right", no_wrap=True),
    Column("price", lambda r: money_text(r, "unit_price"), justify="right", no_wrap=True),
    Column("discount", lambda r: percent_text(r, "discount"), justify="right", no_wrap=True),
    Column("net", lambda r: money_text(r, "net"), justify="right", no_wrap=True),
    col("every", "recurring", no_wrap=True),
]

LABELS = [
    ("id", "id"),
    ("sku", "sku"),
    ("price", "price_text"),
    ("tax", "tax_text"),
    ("unit", "unit"),
    ("description", "description"),
    ("archived", "archived_at"),
    ("created", "created_at"),
    ("updated", "updated_at"),
]


def _render(row: dict[str, Any]) -> None:
    shown = {**row, "price_text": _price_per(row), "tax_text": percent_text(row, "tax")}
    out.print_fields(shown, LABELS, row["name"])


@app.command("add")
@output_options
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What it is called, e.g. 'Support plan'.")],
    price: Price = None,
    currency: Currency = None,
    sku: Sku = None,
    tax: Tax = None,
    unit: Unit = None,
    recurring: Recurring = None,
    description: Description = None,
    output: Output = TABLE,
) -> None:
    """Add a product to the catalogue (--price is required; 0 for a free one)."""
    product = crm(ctx).products.add(
        name,
        price=price if price is not None else "",
        currency=currency,
        sku=sku,
        tax=tax,
        unit=unit,
        recurring=recurring,
        description=description,
    )
    output.saved(
        product, f"Added product #{product.id} {product.name} at {_price_per(product.model_dump())}"
    )


@app.command("list")
@output_options
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Archived products too.")] = False,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Text in the name or SKU.")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="Only products in this currency.")] = None,
    recurring: Annotated[
        bool, typer.Option("--recurring", help="Only products billed every month or year.")
    ] = False,
    limit: Annotated[int | None, limit_option("At most N products.")] = None,
    where: WhereOpt = None,
    output: Output = TABLE,
) -> None:
    """List the catalogue by name (archived products only with --all)."""
    rows = crm(ctx).products.list(
        archived=all_,
        search=search,
        currency=currency,
        recurring=recurring,
        where=where,
        limit=limit,
    )
    output.list(rows, COLUMNS, empty="no products", model="ProductRead")


@app.command("show")
@output_options
def show(ctx: typer.Context, ref: RefArg, output: Output = TABLE) -> None:
    """Show a product."""
    output.one(crm(ctx).products.get(ref), _render)


@app.command("edit")
@output_options
def edit(
    ctx: typer.Context,
    ref: RefArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    price: Price = None,
    currency: NewCurrency = None,
    sku: Sku = None,
    tax: Tax = None,
    unit: Unit = None,
    recurring: Recurring = None,
    description: Description = None,
    restore: Annotated[
        bool, typer.Option("--restore", help="Bring an archived product back.")
    ] = False,
    output: Output = TABLE,
) -> None:
    """Change a product (deals and quotes keep the price and tax they have). Give an
    option an empty value ("") to clear it."""
    changes = given(
        name=name,
        price=price,
        currency=currency,
        sku=sku,
        tax=tax,
        unit=unit,
        recurring=recurring,
        description=description,
    )
    if restore:
        changes["archived"] = False
    nothing_to_change(ctx, changes)
    before = crm(ctx).events_written
    product = crm(ctx).products.edit(ref, **changes)
    output.saved(product, edited(ctx, before, f"product #{product.id} {product.name}"))


@app.command("rm")
def rm(ctx: typer.Context, ref: RefArg) -> None:
    """Delete a product; one on a deal or a quote is archived instead."""
    product = crm(ctx).products.remove(ref)
    if product.archived:
        out.done(f"Archived product #{product.id} {product.name} (deals or quotes have it)")
    else:
        out.done(f"Deleted product #{product.id} {product.name}")
