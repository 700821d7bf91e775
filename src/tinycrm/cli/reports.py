"""``tinycrm report …``: the reports of ``crm.reports`` as tables with bar
charts, or ``--json`` (the whole report) and ``--csv`` (its rows).

Money is shown per currency, one line per currency in a cell, with its bar scaled
against the largest amount of the same currency in the column.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import typer

from tinycrm.charts import bar, money_tops
from tinycrm.cli import output as out
from tinycrm.cli.common import crm, parse_date
from tinycrm.cli.output import TABLE, Output, output_options
from tinycrm.cli.report_table import ReportTable, heading
from tinycrm.vocab import plural

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Reports: pipeline, forecast, win rate, sales cycle, funnel, sources, churn, "
    "lifetime value, activity and support cases. Definitions: the README's Reports section.",
)

FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from",
        help="First day (included): 2026-01-01, -90d, eom, …",
        metavar="DATE",
        rich_help_panel="Scope",
    ),
]
ToOpt = Annotated[
    str | None,
    typer.Option("--to", help="Last day (included).", metavar="DATE", rich_help_panel="Scope"),
]
PipelineOpt = Annotated[
    str | None,
    typer.Option(help="Only this pipeline.", metavar="NAME", rich_help_panel="Scope"),
]
OwnerOpt = Annotated[
    str | None,
    typer.Option(
        help="Only this owner's deals (contacts, activities).",
        metavar="NAME",
        rich_help_panel="Scope",
    ),
]


class ForecastBy(StrEnum):
    month = "month"
    quarter = "quarter"


class WinRateBy(StrEnum):
    source = "source"
    owner = "owner"
    pipeline = "pipeline"


class ChurnBy(StrEnum):
    month = "month"
    quarter = "quarter"


class ActivityBy(StrEnum):
    week = "week"
    owner = "owner"


# --------------------------------------------------------------------------- rendering helpers


class Lines(tuple[str, ...]):
    """A cell of several lines (one amount or bar per currency): each line is escaped on
    its own and the lines stay lines, where a plain text cell shows a newline escaped."""


def money_lines(values: dict[str, Decimal], under: Collection[str] = ()) -> Lines:
    """Each currency's amount; one in ``under`` (above nothing, rounded to nothing) is
    ``< €0.01``, as the campaign report's cost per lead, not ``€0.00``."""
    from tinycrm import money

    return Lines(
        money.format_below_unit(code)
        if code in under and not amount
        else money.format_money(amount, code)
        for code, amount in values.items()
    )


def money_bars(values: dict[str, Decimal], tops: dict[str, Decimal]) -> Lines:
    return Lines(bar(amount, tops.get(code)) for code, amount in values.items())


def _cell_text(cell: Any) -> str:
    if isinstance(cell, Lines):
        return "\n".join(out.shown(line) for line in cell)
    if isinstance(cell, int) and not isinstance(cell, bool):
        return f"{cell:,}"  # a count: 333,375 deals, as the notes under the tables say
    return out.shown(cell)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _none(value: str | None) -> str:
    return "(none)" if value is None else value


def _span(scope: Any) -> str:
    if scope.start and scope.end:
        return f"{scope.start} to {scope.end}"
    if scope.start:
        return f"from {scope.start}"
    if scope.end:
        return f"until {scope.end}"
    return "all time"


def _heading(title: str, scope: Any, span: str | None = None) -> str:
    """The report's title, its days, its pipeline and owner, in the terminal's width (a
    stored name cut with …; --json and --csv have it whole)."""
    parts = [(title, False), (span if span is not None else _span(scope), False)]
    if scope.pipeline:
        parts.append((f"pipeline {out.shown(scope.pipeline)}", True))
    if scope.owner:
        parts.append((f"owner {out.shown(scope.owner)}", True))
    return heading(parts, out.stdout_console().width)


def _titled(name: str) -> str:
    """A stored name as a table's title: escaped, cut with … to the terminal's width."""
    return heading([(out.shown(name), True)], out.stdout_console().width)


class _Table(ReportTable):
    """A report's table (``tinycrm.cli.report_table``): figures are never cut."""

    def row(self, *cells: Any, style: str | None = None) -> None:  # type: ignore[override]
        super().row([_cell_text(c) for c in cells], style=style)


def _print(*items: Any) -> None:
    """Print each item (a line of text, a table): its lines end at their last character
    (a wrapped line's space is not left at its end); a table may be wider than the
    terminal (report_table), never cropped."""
    from rich.text import Text

    console = out.stdout_console()
    for item in items:
        item = Text(item) if isinstance(item, str) else item
        console.print(out.unpadded(console, item), crop=False)


def _note(text: str) -> None:
    from rich.text import Text

    _print(Text(text, style="dim"))


def _scope(
    from_: str | None, to: str | None, pipeline: str | None, owner: str | None
) -> dict[str, Any]:
    """The scope options as ``crm.reports``' keyword arguments."""
    return {"start": parse_date(from_), "end": parse_date(to), "pipeline": pipeline, "owner": owner}


# --------------------------------------------------------------------------- pipeline


def _render_pipeline(report: Any) -> None:
    several = len({r.pipeline for r in report.rows}) > 1
    columns: list[tuple[Any, ...]] = [("pipeline", "left")] if several else []
    columns += [
        ("stage", "left"),
        ("prob", "right"),
        ("deals", "right", 2),
        ("value", "right", 4),
        ("weighted", "right", 3),
        ("", "left"),
        ("age (d)", "right"),
        ("rotting", "right"),
    ]
    recurring = bool(report.total.arr)
    if recurring:
        columns += [("MRR", "right"), ("ARR", "right")]
    span = (
        "expected to close " + _span(report.scope)
        if report.scope.start or report.scope.end
        else "open deals now"
    )
    table = _Table(_heading("Pipeline", report.scope, span), columns)
    tops = money_tops([r.weighted for r in report.rows])
    for r in report.rows:
        cells = [r.pipeline] if several else []
        cells += [
            r.stage,
            f"{r.probability}%",
            r.deals,
            money_lines(r.value),
            money_lines(r.weighted, r.weighted_under_unit),
            money_bars(r.weighted, tops),
            _days(r.avg_age_days),
            r.rotting or "",
        ]
        if recurring:
            cells += [money_lines(r.mrr), money_lines(r.arr)]
        table.row(*cells)
    t = report.total
    cells = [""] if several else []
    cells += [
        "total",
        "",
        t.deals,
        money_lines(t.value),
        money_lines(t.weighted, t.weighted_under_unit),
        "",
        _days(t.avg_age_days),
        t.rotting or "",
    ]
    if recurring:
        cells += [money_lines(t.mrr), money_lines(t.arr)]
    table.section()
    table.row(*cells, style="bold")
    _print(table.rich)
    if not t.deals:
        _note("no open deals")


@app.command("pipeline")
@output_options
def pipeline_(
    ctx: typer.Context,
    from_: FromOpt = None,
    to: ToOpt = None,
    pipeline: PipelineOpt = None,
    owner: OwnerOpt = None,
    output: Output = TABLE,
) -> None:
    """Open deals per stage: count, value, weighted value (× probability), average age and
    rotting deals. --from/--to keep the deals expected to close in those days."""
    report = crm(ctx).reports.pipeline(**_scope(from_, to, pipeline, owner))
    output.report(report, _render_pipeline)


# --------------------------------------------------------------------------- forecast


def _render_forecast(report: Any) -> None:
    columns = [
        ("period", "left"),
        ("deals", "right"),
        ("best case", "right", 2),
        ("weighted", "right", 4),
        ("", "left"),
        ("commit", "right", 2),
        ("won", "right", 3),
    ]
    table = _Table(_heading(f"Forecast by {report.by}", report.scope), columns)
    tops = money_tops([r.weighted for r in report.rows])
    for r in report.rows:
        table.row(
            r.period,
            r.deals,
            money_lines(r.best_case),
            money_lines(r.weighted, r.weighted_under_unit),
            money_bars(r.weighted, tops),
            money_lines(r.commit),
            money_lines(r.won),
        )
    _print(table.rich)
    if report.undated_deals:
        best = ", ".join(money_lines(report.undated_best_case))
        verb = "has" if report.undated_deals == 1 else "have"
        _note(f"{plural(report.undated_deals, 'open deal')} {verb} no expected close date ({best})")
    _note(
        "weighted: amount × probability; commit: deals at 75% or more; "
        "an open deal past its close date counts today"
    )


@app.command("forecast")
@output_options
def forecast(
    ctx: typer.Context,
    by: Annotated[ForecastBy, typer.Option(help="Periods.")] = ForecastBy.month,
    from_: FromOpt = None,
    to: ToOpt = None,
    pipeline: PipelineOpt = None,
    owner: OwnerOpt = None,
    output: Output = TABLE,
) -> None:
    """Expected revenue by expected close date, weighted by probability, with best case
    and commit columns, and what was won. Default: this month and the next five."""
    report = crm(ctx).reports.forecast(by=by.value, **_scope(from_, to, pipeline, owner))
    # the table's note (open deals with no expected close date) on every line, as clv's
    output.report(report, _render_forecast, summary=("undated_deals", "undated_best_case"))


# --------------------------------------------------------------------------- win rate


def _render_winrate(report: Any) -> None:
    label = {"source": "source", "owner": "owner", "pipeline": "pipeline"}.get(report.by, "")
    columns = ([(label, "left")] if report.by else []) + [
        ("won", "right", 2),
        ("lost", "right", 2),
        ("win rate", "right", 4),
        ("", "left"),
        ("won value", "right", 3),
    ]
    title = "Win rate" + (f" by {report.by}" if report.by else "")
    table = _Table(_heading(title, report.scope), columns)
    lines = report.rows if report.by else []
    for r in lines:
        table.row(
            _none(r.group),
            r.won,
            r.lost,
            _pct(r.win_rate),
            bar(r.win_rate, 100),
            money_lines(r.won_value),
        )
    t = report.total
    table.section()
    cells = (["total"] if report.by else []) + [
        t.won,
        t.lost,
        _pct(t.win_rate),
        bar(t.win_rate, 100),
        money_lines(t.won_value),
    ]
    table.row(*cells, style="bold" if report.by else None)
    _print(table.rich)
    if not t.closed:
        _note("no deals were won or lost in this period")


@app.command("winrate")
@output_options
def winrate(
    ctx: typer.Context,
    by: Annotated[WinRateBy | None, typer.Option(help="Group by.")] = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    pipeline: PipelineOpt = None,
    owner: OwnerOpt = None,
    output: Output = TABLE,
) -> None:
    """Won ÷ (won + lost), with counts, over the deals closed in the period."""
    report = crm(ctx).reports.winrate(
        by=by.value if by else None, **_scope(from_, to, pipeline, owner)
    )
    output.report(report, _render_winrate)


# --------------------------------------------------------------------------- cycle


def _render_cycle(report: Any) -> None:
    _print(_heading("Sales cycle", report.scope))
    if report.won:
        _print(
            f"{plural(report.won, 'deal')} won: median {_days(report.median_days)} days "
            f"from creation to win, mean {_days(report.mean_days)} "
            f"(shortest {_days(report.min_days)}, longest {_days(report.max_days)})"
        )
    else:
        _note("no deals were won in this period")
    several = len({r.pipeline for r in report.rows}) > 1
    columns = ([("pipeline", "left")] if several else []) + [
        ("stage", "left"),
        ("deals", "right"),
        ("mean days", "right", 4),
        ("", "left"),
    ]
    table = _Table(f"Time in stage ({plural(report.closed, 'deal')} won or lost)", columns)
    top = max((r.mean_days or 0 for r in report.rows), default=0)
    for r in report.rows:
        cells = ([r.pipeline] if several else []) + [
            r.stage,
            r.deals,
            _days(r.mean_days),
            bar(r.mean_days, top),
        ]
        table.row(*cells)
    if report.rows:
        _print(table.rich)


@app.command("cycle")
@output_options
def cycle(
    ctx: typer.Context,
    from_: FromOpt = None,
    to: ToOpt = None,
    pipeline: PipelineOpt = None,
    owner: OwnerOpt = None,
    output: Output = TABLE,
) -> None:
    """Median and mean days from a deal's creation to its win, and the mean days deals
    spend in each stage (from the stage history)."""
    report = crm(ctx).reports.cycle(**_scope(from_, to, pipeline, owner))
    summary = ("won", "median_days", "mean_days", "min_days", "max_days", "closed")
    output.report(report, _render_cycle, summary=summary)


# --------------------------------------------------------------------------- funnel


def _render_funnel(report: Any) -> None:
    columns = [
        ("stage", "left"),
        ("reached", "right", 4),
        ("", "left"),
        ("→ next", "right", 3),
        ("days to next", "right"),
        ("lost here", "right"),
        ("lost %", "right", 2),
    ]
    pipelines: dict[str, list[Any]] = {}
    for r in report.rows:
        pipelines.setdefault(r.pipeline, []).append(r)
    top_line = _heading(f"Funnel of the {plural(report.deals, 'deal')} created", report.scope)
    _print(top_line)
    for name, rows in pipelines.items():
        table = _Table(_titled(name), columns)
        top = max((r.reached for r in rows), default=0)
        for r in rows:
            won = r.stage == "won"
            table.row(
                r.stage,
                r.reached,
                bar(r.reached, top),
                "" if won else _pct(r.conversion),
                "" if won else _days(r.days_to_next),
                "" if won else r.lost,
                "" if won else _pct(r.lost_share),
                style="bold" if won else None,
            )
        _print(table.rich)
    if not report.deals:
        _note("no deals were created in this period")


@app.command("funnel")
@output_options
def funnel(
    ctx: typer.Context,
    from_: FromOpt = None,
    to: ToOpt = None,
    pipeline: PipelineOpt = None,
    owner: OwnerOpt = None,
    output: Output = TABLE,
) -> None:
    """Stage-to-stage conversion and velocity of the deals created in the period, and the
    share lost at each stage."""
    report = crm(ctx).reports.funnel(**_scope(from_, to, pipeline, owner))
    output.report(report, _render_funnel)


# --------------------------------------------------------------------------- sources


def _render_sources(report: Any) -> None:
    _print(_heading("Sources of the contacts created", report.scope))
    for touch, title in (("first", "By first touch (source)"), ("last", "By last touch")):
        rows = [r for r in report.rows if r.touch == touch]
        columns = [
            ("source", "left"),
            ("leads", "right", 2),
            ("", "left"),
            ("customers", "right", 2),
            ("conversion", "right", 3),
            ("won deals", "right"),
            ("won revenue", "right", 4),
        ]
        table = _Table(title, columns)
        top = max((r.leads for r in rows), default=0)
        for r in rows:
            table.row(
                _none(r.source),
                r.leads,
                bar(r.leads, top),
                r.customers,
                _pct(r.conversion),
                r.won_deals,
                money_lines(r.won_revenue),
            )
        if rows:
            _print(table.rich)
    if not report.rows:
        _note("no contacts were created in this period")


@app.command("sources")
@output_options
def sources(
    ctx: typer.Context,
    from_: FromOpt = None,
    to: ToOpt = None,
    pipeline: PipelineOpt = None,
    owner: OwnerOpt = None,
    output: Output = TABLE,
) -> None:
    """Leads, customers, won revenue and conversion rate by source (first touch) and by
    last touch."""
    report = crm(ctx).reports.sources(**_scope(from_, to, pipeline, owner))
    output.report(report, _render_sources)


# --------------------------------------------------------------------------- churn


def _render_churn(report: Any) -> None:
    columns = [
        ("period", "left"),
        ("customers at start", "right", 2),
        ("new", "right"),
        ("churned", "right", 3),
        ("at end", "right"),
        ("rate", "right", 4),
        ("", "left"),
    ]
    title = "Churn" + (f" by {report.by}" if report.by else "")
    table = _Table(_heading(title, report.scope), columns)
    top = max((r.churn_rate or 0 for r in report.rows), default=0)
    for r in report.rows:
        table.row(
            r.period if report.by else "all",
            r.customers_at_start,
            r.new_customers,
            r.churned,
            r.customers_at_end,
            _pct(r.churn_rate),
            bar(r.churn_rate, top),
        )
    _print(table.rich)
    _note(
        "churn rate: customers at the start of a period who churned in it ÷ customers at its start"
    )


@app.command("churn")
@output_options
def churn(
    ctx: typer.Context,
    by: Annotated[ChurnBy | None, typer.Option(help="Periods.")] = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    pipeline: PipelineOpt = None,
    owner: OwnerOpt = None,
    output: Output = TABLE,
) -> None:
    """Customers who churned in a period over the customers at its start. Default: this
    month and the eleven before."""
    report = crm(ctx).reports.churn(
        by=by.value if by else None, **_scope(from_, to, pipeline, owner)
    )
    output.report(report, _render_churn)


# --------------------------------------------------------------------------- lifetime value


def _render_clv(report: Any) -> None:
    import textwrap

    from rich.table import Table
    from rich.text import Text

    _print(_heading("Customer lifetime value", report.scope))
    inputs = Table.grid(padding=(0, 2))
    inputs.add_column(style="bold cyan", no_wrap=True)
    inputs.add_column(justify="right", no_wrap=True)  # a figure: never wrapped or cut
    inputs.add_column(style="dim")  # the explanation wraps
    lifespan = report.lifespan_years
    rows = [
        ("customers", f"{report.customers:,}", "contacts who became customers"),
        ("churned", f"{report.churned:,}", "of them, churned since"),
        ("customer-years", f"{report.customer_years:,.2f}", "Σ time as customer, to churn or now"),
        ("churn rate", _pct(report.churn_rate) + " / year", "churned ÷ customer-years"),
        ("mean lifespan", "–" if lifespan is None else f"{lifespan:.2f} years", "1 ÷ churn rate"),
    ]
    room = out.stdout_console().width - 4 - max(len(r[0]) for r in rows)
    room -= max(len(r[1]) for r in rows)
    for label, value, why in rows:
        # wrapped here, at spaces and after hyphens: Rich cut 'customer-…' when narrow
        lines = textwrap.wrap(why, max(room, 1), break_long_words=False)
        inputs.add_row(label, Text(value), Text("\n".join(lines)))
    _print(inputs)
    columns = [
        ("currency", "left"),
        ("won revenue", "right", 2),
        ("per customer", "right"),
        ("per customer-year", "right"),
        ("lifetime value", "right", 4),
    ]
    table = _Table(None, columns)
    from tinycrm import money

    for r in report.rows:
        table.row(
            r.currency,
            money.format_money(r.won_revenue, r.currency),
            money.format_money(r.revenue_per_customer, r.currency),
            money.format_money(r.revenue_per_customer_year, r.currency) or "–",
            money.format_money(r.clv, r.currency) or "–",
        )
    if report.rows:
        _print(table.rich)
    _note("lifetime value = won revenue per customer-year × mean lifespan")
    if not report.customers:
        _note("no customers yet")
    elif report.too_short:
        _note(
            "under 30 customer-days in all: too short to say what a year "
            "brings (churn rate, lifespan, revenue per customer-year, lifetime value)"
        )
    elif lifespan is None:
        _note("no customer has churned yet: the lifespan, and so the lifetime value, is unknown")


@app.command("clv")
@output_options
def clv(
    ctx: typer.Context,
    from_: FromOpt = None,
    to: ToOpt = None,
    pipeline: PipelineOpt = None,
    owner: OwnerOpt = None,
    output: Output = TABLE,
) -> None:
    """Customer lifetime value: mean won revenue per customer per year × mean customer
    lifespan, per currency, with the inputs."""
    report = crm(ctx).reports.clv(**_scope(from_, to, pipeline, owner))
    summary = (
        "customers",
        "churned",
        "customer_years",
        "too_short",
        "churn_rate",
        "lifespan_years",
    )
    output.report(report, _render_clv, summary=summary)


# --------------------------------------------------------------------------- activity


def _render_activity(report: Any) -> None:
    first = "owner" if report.by == "owner" else "week" if report.by == "week" else "period"
    columns = [
        (first, "left"),
        ("calls", "right"),
        ("emails", "right"),
        ("meetings", "right"),
        ("notes", "right"),
        ("logged", "right", 4),
        ("", "left"),
        ("done", "right", 3),
        ("overdue", "right", 3),
    ]
    title = "Activity" + (f" by {report.by}" if report.by else "")
    table = _Table(_heading(title, report.scope), columns)
    top = max((r.logged for r in report.rows), default=0)
    for r in report.rows:
        # a week as every report labels it (2026-W48): one line even at 40 columns
        label = _none(r.owner) if report.by == "owner" else r.period if report.by else "all"
        table.row(
            label,
            r.calls,
            r.emails,
            r.meetings,
            r.notes,
            r.logged,
            bar(r.logged, top),
            r.tasks_done,
            r.tasks_overdue or "",
        )
    _print(table.rich)
    _note("done: tasks completed; overdue: tasks due in the period and not done by their due time")


@app.command("activity")
@output_options
def activity(
    ctx: typer.Context,
    by: Annotated[ActivityBy | None, typer.Option(help="Group by.")] = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    pipeline: PipelineOpt = None,
    owner: OwnerOpt = None,
    output: Output = TABLE,
) -> None:
    """Calls, emails, meetings and notes logged, tasks done and tasks gone overdue.
    Default: this week and the eleven before."""
    report = crm(ctx).reports.activity(
        by=by.value if by else None, **_scope(from_, to, pipeline, owner)
    )
    output.report(report, _render_activity)


# --------------------------------------------------------------------------- support cases


class CaseBy(StrEnum):
    week = "week"
    month = "month"
    priority = "priority"
    owner = "owner"


def _render_cases(report: Any) -> None:
    columns = [(report.by if report.by in ("priority", "owner") else "period" if report.by
                else "range", "left"), ("opened", "right", 3), ("resolved", "right", 2),
               ("median 1st response", "right", 2), ("median resolution", "right"),
               ("within SLA", "right", 4), ("backlog", "right", 3), ("CSAT", "right")]  # fmt: skip
    table = _Table(_heading("Support cases", report.scope), columns)
    for r in report.rows:
        hours = [("–" if h is None else f"{h:.1f} h") for h in
                 (r.median_first_response_hours, r.median_resolution_hours)]  # fmt: skip
        csat = "–" if r.csat is None else f"{r.csat:.2f} ({r.csat_count})"
        table.row(r.group, r.opened, r.resolved, *hours, _pct(r.within_sla), r.backlog, csat)
    _print(table.rich)
    _note(
        "times in working hours ([support] in the config file); within SLA: resolved cases "
        "that met both targets; backlog: unresolved at the end"
    )


@app.command("cases")
@output_options
def cases(
    ctx: typer.Context,
    by: Annotated[CaseBy | None, typer.Option(help="Periods or groups.")] = None,
    from_: FromOpt = None,
    to: ToOpt = None,
    output: Output = TABLE,
) -> None:
    """Support cases: opened, resolved, median first response and resolution in working
    hours, share within SLA, backlog and average CSAT. Default: this month and the two
    before (by week: 12 weeks; by month: 12 months)."""
    report = crm(ctx).cases.report(
        by=by.value if by else None, start=parse_date(from_), end=parse_date(to)
    )
    output.report(report, _render_cases)
