"""``tinycrm lead …``: lead status, BANT qualification and conversion."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tinycrm.cli import output as out
from tinycrm.cli.common import crm, limit_option
from tinycrm.cli.output import TABLE, Column, Output, col, output_options
from tinycrm.safetext import quoted
from tinycrm.vocab import BANT_CRITERIA, LEAD_STATUSES

app = typer.Typer(no_args_is_help=True, help="Leads: status, BANT qualification and conversion.")

RefArg = Annotated[str, typer.Argument(help="Contact id, email or exact name.", metavar="REF")]
Answer = Annotated[str | None, typer.Option(help="yes, no or unknown.", metavar="ANSWER")]
STATUS_HELP = ", ".join(LEAD_STATUSES)
MARKS = {"yes": "✓", "no": "✗", "unknown": "·"}


def bant(row: dict[str, Any]) -> str:
    """``B✓ A✓ N· T✗``: four answers in a column."""
    return " ".join(c[0].upper() + MARKS.get(row.get(c) or "unknown", "·") for c in BANT_CRITERIA)


COLUMNS = [
    col("id", "id", justify="right", style="dim", no_wrap=True),
    col("name", "name", style="bold"),
    col("company", "company"),
    col("status", "lead_status", style="yellow", no_wrap=True),
    col("score", "score", justify="right", no_wrap=True),
    Column("bant", bant, no_wrap=True),
    Column("sql", lambda row: "yes" if row.get("sales_qualified") else "", style="green"),
    col("email", "email", no_wrap=True),
    col("source", "source"),
    col("last touch", "last_touch"),
    col("owner", "owner"),
]


@app.command("list")
@output_options
def list_(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option("--status", help=f"Only these statuses ({STATUS_HELP}; comma-separated)."),
    ] = None,
    qualified: Annotated[
        bool | None,
        typer.Option(
            "--qualified/--unqualified",
            help="Only sales-qualified leads (all four BANT answers yes), or only the others.",
        ),
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Only leads of this owner.")] = None,
    limit: Annotated[int | None, limit_option("At most N leads.")] = None,
    output: Output = TABLE,
) -> None:
    """Contacts in the lead lifecycle, highest score first, with status and BANT."""
    rows = crm(ctx).leads.list(status=status, qualified=qualified, owner=owner, limit=limit)
    output.list(rows, COLUMNS, empty="no leads", model="LeadRead")


@app.command("status")
@output_options
def status(
    ctx: typer.Context,
    ref: RefArg,
    value: Annotated[str, typer.Argument(help=f"One of: {STATUS_HELP}.", metavar="STATUS")],
    output: Output = TABLE,
) -> None:
    """Set a lead's status."""
    contact = crm(ctx).leads.status(ref, value)
    output.saved(contact, f"Lead status of #{contact.id} {contact.name}: {contact.lead_status}")


@app.command("qualify")
@output_options
def qualify(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            help="Contact or deal (id, email, name or title; contact:REF or deal:REF "
            "when it is ambiguous).",
            metavar="REF",
        ),
    ],
    budget: Answer = None,
    authority: Answer = None,
    need: Answer = None,
    timeline: Answer = None,
    note: Annotated[
        list[str] | None,
        typer.Option(
            help="A note on one criterion, CRITERION=TEXT (repeatable; empty TEXT clears it).",
            metavar="CRITERION=TEXT",
        ),
    ] = None,
    output: Output = TABLE,
) -> None:
    """Set BANT answers (budget, authority, need, timeline); without options, show them.

    A lead with all four "yes" is sales-qualified."""
    from tinycrm.errors import Invalid

    notes: dict[str, str] = {}
    for item in note or []:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise Invalid(f"note {quoted(item)} must look like CRITERION=TEXT")
        notes[key.strip()] = text
    answers = {"budget": budget, "authority": authority, "need": need, "timeline": timeline}
    leads = crm(ctx).leads
    if any(v is not None for v in answers.values()) or notes:
        result = leads.qualify(ref, answers=answers, notes=notes)
    else:
        result = leads.qualification(ref)
    output.one(result, _render_qualification)


def _render_qualification(row: dict[str, Any]) -> None:
    verdict = "sales-qualified" if row["sales_qualified"] else "not sales-qualified"
    values = {c: bant_line(row[c]) for c in BANT_CRITERIA}
    out.print_fields(values, [(c, c) for c in BANT_CRITERIA], f"{row['name']}: {verdict}")


def bant_line(criterion: dict[str, Any]) -> str:
    """``yes (budget approved)``."""
    note = criterion.get("note")
    return criterion["answer"] + (f" ({note})" if note else "")


@app.command("convert")
@output_options
def convert(
    ctx: typer.Context,
    ref: RefArg,
    company: Annotated[
        str | None,
        typer.Option(
            help="Company id, name or domain (a new name creates it; default: the lead's "
            "company, else the company of its email's domain)."
        ),
    ] = None,
    deal: Annotated[
        str | None, typer.Option(help="Open a deal with this title.", metavar="TITLE")
    ] = None,
    amount: Annotated[
        str | None, typer.Option(help="The deal's amount: 18500, 1.200,50, …")
    ] = None,
    currency: Annotated[
        str | None, typer.Option(help="ISO 4217 code (default: the amount's, else EUR).")
    ] = None,
    stage: Annotated[
        str | None, typer.Option(help="The deal's stage (default: the first).")
    ] = None,
    pipeline: Annotated[str | None, typer.Option(help="The deal's pipeline.")] = None,
    output: Output = TABLE,
) -> None:
    """Make a lead a prospect: link or create its company, optionally open a deal."""
    result = crm(ctx).leads.convert(
        ref,
        company=company,
        deal=deal,
        amount=amount,
        currency=currency,
        stage=stage,
        pipeline=pipeline,
    )
    if output.machine:
        output.saved(result, "")
        return
    contact = result.contact
    line = f"Converted #{contact.id} {contact.name} to prospect"
    if result.company is not None:
        line += f" at {result.company.name}" + (" (new company)" if result.company_created else "")
    out.done(line)
    if result.deal is not None:
        out.done(f"Opened deal #{result.deal.id} {result.deal.title} in {result.deal.stage}")
