"""Customers: first-touch sources, churn and lifetime value."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import col

from tinycrm import money
from tinycrm.store.code_points import code_points
from tinycrm.store.engine import Store
from tinycrm.store.models import Contact, Deal, LifecycleChange, table_of
from tinycrm.store.reports.aggregates import (
    add_money,
    amount_expr,
    buckets,
    day_count,
    minor_unit,
    percent,
    sorted_money,
    to_money,
)
from tinycrm.store.reports.models import (
    CHURN_BY,
    DAYS_PER_YEAR,
    MIN_CUSTOMER_DAYS,
    ChurnLine,
    ChurnReport,
    ClvLine,
    ClvReport,
    Money,
    SourceLine,
    SourcesReport,
)
from tinycrm.store.reports.scope import backward_range, choice, make_scope, periods, ts, with_days
from tinycrm.store.sums import exact_sum, warn_left_out

# --------------------------------------------------------------------------- sources


def _ever_customer() -> Any:
    """A contact that is or was a customer (churned ones were), by lifecycle or history."""
    return or_(
        col(Contact.lifecycle).in_(("customer", "churned")),
        col(Contact.id).in_(
            select(col(LifecycleChange.contact_id)).where(
                col(LifecycleChange.to_lifecycle) == "customer"
            )
        ),
    )


def sources_report(
    store: Store,
    *,
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> SourcesReport:
    """Leads (contacts created in the period), how many became customers, and the revenue
    of their won deals, by first touch (source) and by last touch."""
    with store.read() as session:
        warn_left_out(session)
        scope = make_scope(session, store, start, end, pipeline, owner, now)
        conn = session.connection()
        leads = [*scope.within(col(Contact.created_at)), *scope.contacts(col(Contact.id))]
        won_deals = [col(Deal.status) == "won"]
        if scope.pipeline_id is not None:
            won_deals.append(col(Deal.pipeline_id) == scope.pipeline_id)
        rows = []
        for touch, column in (("first", col(Contact.source)), ("last", col(Contact.last_touch))):
            # Touches are kept as typed ("LinkedIn"); "linkedin" is the same touch, shown
            # in its first spelling (by code points). Folded here, not by the database's
            # lower(), which on SQLite folds only A-Z (ÖREBRO and örebro would be two).
            grouped = conn.execute(
                select(
                    code_points(column),
                    func.count(),
                    func.sum(case((_ever_customer(), 1), else_=0)),
                )
                .where(*leads)
                .group_by(code_points(column))
            ).all()
            spelling: dict[str, str] = {}
            for shown, _, _ in grouped:
                if shown is not None:
                    fold = shown.casefold()
                    spelling[fold] = min(spelling.get(fold, shown), shown)
            tallies: dict[str | None, list[int]] = {}
            for shown, n, customers in grouped:
                tally = tallies.setdefault(_touch(spelling, shown), [0, 0])
                tally[0] += n
                tally[1] += int(customers or 0)
            counts = [(source, n, customers) for source, (n, customers) in tallies.items()]
            revenue: dict[str | None, tuple[int, Money]] = {}
            for shown, currency, n, amount in conn.execute(
                select(
                    code_points(column), col(Deal.currency), func.count(), exact_sum(amount_expr())
                )
                .join(Deal, col(Deal.contact_id) == col(Contact.id))
                .where(*leads, *won_deals)
                .group_by(code_points(column), col(Deal.currency))
            ):
                source = _touch(spelling, shown)
                total, value = revenue.get(source, (0, {}))
                add_money(value, currency, to_money(amount, currency))
                revenue[source] = (total + n, value)
            ordered = sorted(counts, key=lambda r: (-r[1], r[0] is None, r[0] or ""))
            for source, n, customers in ordered:
                won_n, value = revenue.get(source, (0, {}))
                rows.append(
                    SourceLine(
                        touch=touch,
                        source=source,
                        leads=n,
                        customers=int(customers or 0),
                        conversion=percent(int(customers or 0), n),
                        won_deals=won_n,
                        won_revenue=sorted_money(value),
                    )
                )
    return SourcesReport(scope=scope.read(), rows=rows)


def _touch(spelling: dict[str, str], shown: str | None) -> str | None:
    """The one spelling of touch ``shown``: the first by code points of its spellings in
    any case (``spelling``, by casefolded text), else ``shown`` itself."""
    if shown is None:
        return None
    return spelling.get(shown.casefold(), shown)


# --------------------------------------------------------------------------- churn


def churn_report(
    store: Store,
    *,
    by: str | None = None,
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> ChurnReport:
    """Per period: customers at its start, how many of them churned in it, and the rate.

    From the lifecycle history. Default: the last 12 months (with ``by="quarter"``: this
    quarter and the three before), as one period or by month or quarter."""
    unit = choice(by, CHURN_BY, "period")
    with store.read() as session:
        scope = make_scope(session, store, start, end, pipeline, owner, now)
        first, last = backward_range(
            start, end, unit or "month", 4 if unit == "quarter" else 12, scope.today
        )
        scope = with_days(scope, first, last)
        spans = periods(first, last, unit)
        bucket = buckets(spans)
        history = LifecycleChange
        who = scope.contacts(col(history.contact_id))
        spells = (
            select(
                col(history.contact_id),
                col(history.to_lifecycle),
                col(history.at),
                func.lead(col(history.at))
                .over(
                    partition_by=col(history.contact_id),
                    order_by=(col(history.at), col(history.id)),
                )
                .label("next_at"),
            )
            .where(*who)
            .cte("spells")
        )
        # The spells as a customer: each period is compared with those (a fraction of
        # the history), not with every change.
        customer = (
            select(spells.c.contact_id, spells.c.at, spells.c.next_at)
            .where(spells.c.to_lifecycle == "customer")
            .cte("customer_spells")
        )

        def customer_before(instant: Any) -> Any:
            # the latest change before ``instant`` made the contact a customer
            return and_(
                customer.c.at < instant,
                or_(customer.c.next_at.is_(None), customer.c.next_at >= instant),
            )

        def customers_at(instant: Any) -> Any:
            counted = func.count(customer.c.contact_id.distinct())
            return select(counted).where(customer_before(instant)).scalar_subquery()

        churn = table_of(history).alias("churn")
        churned = (
            select(func.count(churn.c.contact_id.distinct()))
            .select_from(churn)
            .join(
                customer,
                and_(
                    customer.c.contact_id == churn.c.contact_id,
                    customer_before(bucket.c.start_at),
                ),
            )
            .where(
                churn.c.from_lifecycle == "customer",
                churn.c.to_lifecycle == "churned",
                churn.c.at >= bucket.c.start_at,
                churn.c.at < bucket.c.end_at,
            )
            .scalar_subquery()
        )
        new = (
            select(func.count(col(history.contact_id).distinct()))
            .where(
                col(history.to_lifecycle) == "customer",
                col(history.at) >= bucket.c.start_at,
                col(history.at) < bucket.c.end_at,
                *who,
            )
            .scalar_subquery()
        )
        # One statement, so the spells (a window over the whole history) are computed
        # once for every period and every count.
        counts = {
            i: (start_count, new_count, churn_count, end_count)
            for i, start_count, new_count, churn_count, end_count in session.connection().execute(
                select(
                    bucket.c.i,
                    customers_at(bucket.c.start_at),
                    new,
                    churned,
                    customers_at(bucket.c.end_at),
                )
            )
        }
    rows = []
    for i, span in enumerate(spans):
        at_start, new_customers, churned_count, at_end = counts[i]
        rows.append(
            ChurnLine(
                period=span.label,
                start=span.start,
                end=span.end,
                customers_at_start=at_start,
                new_customers=new_customers,
                churned=churned_count,
                customers_at_end=at_end,
                churn_rate=percent(churned_count, at_start),
            )
        )
    return ChurnReport(scope=scope.read(), by=unit, rows=rows)


# --------------------------------------------------------------------------- lifetime value


def clv_report(
    store: Store,
    *,
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> ClvReport:
    """Customer lifetime value per currency: won revenue per customer-year × mean
    customer lifespan (1 ÷ churn rate per customer-year), with every input.

    Customers are the contacts that became customers (in the period, when given); a
    customer's years run from then to their first churn after it, or to now."""
    with store.read() as session:
        warn_left_out(session)
        scope = make_scope(session, store, start, end, pipeline, owner, now)
        conn = session.connection()
        history = LifecycleChange
        became = (
            select(col(history.contact_id), func.min(col(history.at)).label("became"))
            .where(
                col(history.to_lifecycle) == "customer", *scope.contacts(col(history.contact_id))
            )
            .group_by(col(history.contact_id))
            .subquery()
        )
        churn = table_of(history).alias("churn")
        lives = (
            select(
                became.c.contact_id,
                became.c.became,
                func.min(churn.c.at).label("churned_at"),
            )
            .outerjoin(
                churn,
                and_(
                    churn.c.contact_id == became.c.contact_id,
                    churn.c.to_lifecycle == "churned",
                    churn.c.at > became.c.became,
                ),
            )
            .where(*scope.within(became.c.became))
            .group_by(became.c.contact_id, became.c.became)
            .cte("lives")
        )
        until = func.coalesce(lives.c.churned_at, ts(scope.now))
        customers, churned, days = conn.execute(
            select(
                func.count(),
                func.count(lives.c.churned_at),
                func.sum(day_count(scope, until) - day_count(scope, lives.c.became)),
            )
        ).one()
        deals = [col(Deal.status) == "won", col(Deal.contact_id).in_(select(lives.c.contact_id))]
        if scope.pipeline_id is not None:
            deals.append(col(Deal.pipeline_id) == scope.pipeline_id)
        revenue = {
            currency: to_money(amount, currency)
            for currency, amount in conn.execute(
                select(col(Deal.currency), exact_sum(amount_expr()))
                .where(*deals)
                .group_by(col(Deal.currency))
            )
        }
    years = max(float(days or 0), 0.0) / DAYS_PER_YEAR
    # A year's figures from a few minutes as a customer were ~€10**21 a year, another
    # each run: under MIN_CUSTOMER_DAYS in all they are too short to say (None).
    short = bool(customers) and years * DAYS_PER_YEAR < MIN_CUSTOMER_DAYS
    rate = churned / years if years and churned and not short else None
    lifespan = 1 / rate if rate else None
    rows = []
    for currency in sorted(revenue):
        amount = revenue[currency]
        unit = minor_unit(currency)
        rows.append(
            ClvLine(
                currency=currency,
                won_revenue=amount,
                revenue_per_customer=money.divide(amount, customers, unit)
                if customers
                else Decimal(0),
                revenue_per_customer_year=money.divide(amount, Decimal(repr(years)), unit)
                if years and not short
                else None,
                # per customer-year × (customer-years ÷ churned), computed exactly
                clv=money.divide(amount, churned, unit) if lifespan else None,
            )
        )
    return ClvReport(
        scope=scope.read(),
        customers=customers,
        churned=churned,
        customer_years=round(years, 2),
        too_short=short,
        churn_rate=round(100 * rate, 1) if rate else None,
        lifespan_years=round(lifespan, 2) if lifespan else None,
        rows=rows,
    )
