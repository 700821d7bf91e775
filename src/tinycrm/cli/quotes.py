"""``tinycrm quote …``: numbered quotes from a deal's line items."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm, limit_option, parse_date
from tinycrm.cli.output import TABLE, Column, Output, col, output_options
from tinycrm.cli.products import money_text, percent_text
from tinycrm.cli.segments import WhereOpt
from tinycrm.safetext import quoted

app = typer.Typer(
    no_args_is_help=True,
    help="Quotes: a deal's line items frozen into a numbered offer (Q-2026-0001).",
)

IdArg = Annotated[str, typer.Argument(help="Quote number (Q-2026-0001) or id.", metavar="ID")]
FORMATS = ("md", "html", "pdf")
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}


def _format_of(out_file: str) -> str:
    """The format a file's name asks for (``quote.md``: Markdown), else PDF."""
    from pathlib import PurePath

    return SUFFIXES.get(PurePath(out_file).suffix.lower(), "pdf")


COLUMNS = [
    col("number", "number", style="bold", no_wrap=True, whole=True, keep=out.KEEP),
    col("status", "status", no_wrap=True),
    col("deal", "deal"),
    Column("customer", lambda r: r.get("company") or r.get("contact") or "", keep=2),
    Column("total", lambda r: money_text(r, "total"), justify="right", no_wrap=True, keep=3),
    col("valid until", "valid_until", no_wrap=True, whole=True),
    col("id", "id", justify="right", style="dim", no_wrap=True),
]
LINE_COLUMNS = [
    col("#", "position", justify="right", style="dim"),
    col("description", "name", words=True),  # a product's name: cut between words
    Column("qty", lambda r: f"{r['quantity']}", justify="right", no_wrap=True),
    Column("price", lambda r: money_text(r, "unit_price"), justify="right", no_wrap=True),
    Column("discount", lambda r: percent_text(r, "discount"), justify="right", no_wrap=True),
    Column("tax", lambda r: percent_text(r, "tax"), justify="right", no_wrap=True),
    Column("net", lambda r: money_text(r, "net"), justify="right", no_wrap=True),
]
LABELS = [
    ("id", "id"),
    ("status", "status"),
    ("deal", "deal"),
    ("company", "company"),
    ("contact", "contact"),
    ("email", "contact_email"),
    ("valid until", "valid_until"),
    ("subtotal", "subtotal_text"),
    ("discounts", "discount_text"),
    ("net", "net_text"),
    ("tax", "tax_text"),
    ("total", "total_text"),
    ("notes", "notes"),
    ("sent", "sent_at"),
    ("decided", "decided_at"),
    ("created", "created_at"),
]


def _render(row: dict[str, Any]) -> None:
    shown = dict(row)
    for key in ("subtotal", "net", "total"):
        shown[f"{key}_text"] = money_text(row, key)
    if row.get("discount"):
        shown["discount_text"] = "-" + money_text(row, "discount")
    taxes = []
    for line in row.get("taxes") or []:
        tax = {**line, "currency": row["currency"]}
        rate = percent_text(tax, "rate") or "0%"
        taxes.append(f"{rate} on {money_text(tax, 'base')}: {money_text(tax, 'tax')}")
    shown["tax_text"] = "; ".join(taxes)
    out.print_fields(shown, LABELS, f"Quote {row['number']}")
    out.stdout_console().print()
    lines = [{**line, "currency": row["currency"]} for line in row.get("lines") or []]
    out.print_table(lines, LINE_COLUMNS, title="Lines")


@app.command("create")
@output_options
def create(
    ctx: typer.Context,
    deal: Annotated[str, typer.Argument(help="Deal id or title.", metavar="DEAL")],
    valid: Annotated[
        str | None,
        typer.Option(
            help="Last valid day: +30d, 2026-12-31, eom (default: [quotes] valid_days).",
            metavar="DATE",
        ),
    ] = None,
    notes: Annotated[str | None, typer.Option(help="Notes printed on the quote.")] = None,
    output: Output = TABLE,
) -> None:
    """Freeze the deal's line items into a new numbered draft quote."""
    quote = crm(ctx).quotes.create(deal, valid=parse_date(valid), notes=notes)
    output.saved(
        quote,
        f"Created quote {quote.number} for deal {quote.deal}: "
        f"{money_text(quote.model_dump(), 'total')}, valid until {quote.valid_until}",
    )


@app.command("list")
@output_options
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="draft, sent, accepted, declined or expired.")
    ] = None,
    deal: Annotated[str | None, typer.Option(help="Only this deal's quotes.")] = None,
    limit: Annotated[int | None, limit_option("At most N quotes.")] = None,
    where: WhereOpt = None,
    output: Output = TABLE,
) -> None:
    """List quotes, newest first (a draft or sent quote past its day shows as expired)."""
    # streamed: the lines only for JSON, which carries them (a table or CSV has none)
    lines = output.format in ("json", "jsonl")
    # a quote other SQL gave an odd figure: named in a warning, the rest listed
    rows = crm(ctx).quotes.stream(
        status=status, deal=deal, where=where, limit=limit, lines=lines, leave_out_odd=True
    )
    output.list(rows, COLUMNS, empty="no quotes", model="QuoteRead")


@app.command("show")
@output_options
def show(ctx: typer.Context, id_: IdArg, output: Output = TABLE) -> None:
    """Show a quote: customer, lines, discounts, tax per rate and total (--csv: a row
    per line, the quote's columns on each)."""
    from tinycrm.api.models import QuoteLineRead

    quote = crm(ctx).quotes.get(id_)
    output.one(quote, _render, lines=out.Lines("line", quote.lines, QuoteLineRead))


@app.command("send")
@output_options
def send(ctx: typer.Context, id_: IdArg, output: Output = TABLE) -> None:
    """Mark a draft quote sent (render it and send the file yourself)."""
    quote = crm(ctx).quotes.send(id_)
    output.saved(quote, f"Sent quote {quote.number}")


@app.command("accept")
@output_options
def accept(ctx: typer.Context, id_: IdArg, output: Output = TABLE) -> None:
    """Mark a quote accepted; its deal is won with it ([quotes] accept_wins_deal)."""
    from tinycrm.errors import NotFound

    api = crm(ctx)
    quote = api.quotes.accept(id_)
    won = ""
    try:
        if quote.deal_id is not None and api.deals.get(quote.deal_id).status == "won":
            won = f"; deal {quote.deal} is won"
    except NotFound:  # deleted since the accept (which stands): nothing more to say
        pass
    output.saved(quote, f"Accepted quote {quote.number}{won}")


@app.command("decline")
@output_options
def decline(ctx: typer.Context, id_: IdArg, output: Output = TABLE) -> None:
    """Mark a quote declined."""
    quote = crm(ctx).quotes.decline(id_)
    output.saved(quote, f"Declined quote {quote.number}")


@app.command("render")
def render(
    ctx: typer.Context,
    id_: IdArg,
    out_file: Annotated[
        str, typer.Option("--out", help="File to write (- for standard output).", metavar="FILE")
    ],
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="md, html or pdf (default: the --out file's suffix, .md, .html or .pdf; "
            "else pdf).",
        ),
    ] = None,
    mkdir: Annotated[
        bool, typer.Option("--mkdir", help="Create the --out folder if it does not exist.")
    ] = False,
) -> None:
    """Write the quote as a document for the customer, with the seller of [seller]."""
    fmt = (format_ or _format_of(out_file)).strip().lower()
    if fmt not in FORMATS:
        raise typer.BadParameter(
            f"{quoted(format_ or fmt)} is not one of md, html, pdf", param_hint="--format"
        )
    if fmt == "pdf":
        from tinycrm import files

        if files.reaches_terminal(out_file):
            raise typer.BadParameter(
                "a PDF is not for a terminal: write it to a file, or pipe it", param_hint="--out"
            )
    quote = crm(ctx).quotes.render_to(id_, out_file, fmt, mkdir=mkdir)
    if out_file not in ("-", "/dev/stdout"):
        out.done(f"Wrote quote {quote.number} as {fmt} to {out_file}")
