"""Reports against a small fixed data set whose answers were worked out by hand.

The data (times in UTC; the tests run in Europe/Berlin, UTC+1 in winter, +2 in summer;
NOW is Monday 2026-11-23 10:00 UTC):

Contacts (source / last touch, lifecycle history):
  Ada  web / ads            created 05-01; customer 06-01 08:00
  Bob  referral / referral  created 03-01; customer 04-01 08:00; churned 09-15 08:00
  Cy   web / web            created 07-20; lead
  Dee  - / -                created 09-20; prospect 10-02
  Eve  event / web          created 01-10; customer 02-01 08:00; churned 06-10 08:00;
                            customer again 10-20 08:00

Deals (Sales: Lead-in 10% rots 14d, Qualified 25% 14d, Proposal 50% 10d, Negotiation 75% 7d;
Renewals: Due 60% 30d, Quoted 85%):
  D1 Alpha    EUR 10,000 Ada  sam   Lead-in 05-31 22:00 (= 06-01 00:00 Berlin), Qualified
              06-10 22:00, Proposal 06-20 22:00, won 06-30 22:00 (= 07-01 00:00 Berlin)
  D2 Beta     EUR 5,000  Bob  sam   Lead-in 07-01 08:00, Qualified 07-05, lost 07-15,
              reopened 08-01, Proposal 08-11, won 08-21 (all 08:00)
  D3 Gamma    USD 2,000  Cy   alex  Lead-in 08-01 08:00, lost 08-06 08:00
  D4 Delta    EUR 8,000  Dee  sam   Lead-in 10-01 08:00, Proposal 10-05 08:00; open,
              close 12-15; no activity since: rotting
  D5 Epsilon  USD 1,000  Eve  sam   Lead-in 11-01 09:00, Negotiation 11-10 09:00; open,
              close 11-10 (passed); a call 11-22 10:00 keeps it from rotting
  D6 Zeta     EUR 4,000  -    alex  Lead-in 11-20 10:00, probability 90; open, close 01-10
  D7 Eta      GBP 3,000  -    sam   Renewals/Due 09-01 10:00; open, no close date; rotting
  D8 Theta    EUR (none) -    sam   Lead-in 11-23 09:00; open, close 11-30
  D9 Iota     USD 1,000  Eve  alex  Lead-in 09-01 08:00, won 09-04 08:00

Activities: call on D5 11-22 10:00 (W47); email to Ada 11-22 23:30 (= Monday 11-23 00:30
Berlin: W48); meeting with Bob 11-17 09:00 (owner alex); note on Cy 11-18 09:00; call with
Ada 09-01 09:00 (W36). Tasks: T1 due 11-20 09:00 done 11-19 15:00; T2 due 11-18 09:00
done 11-21 12:00 (late); T3 due 11-10 09:00 open (owner alex); T4 due 11-25 open;
T5 due 11-23 08:00 open.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from tinycrm.store import Invalid, NotFound
from tinycrm.store.activities import add_task, complete_task, log_activity
from tinycrm.store.contacts import add_contact, edit_contact
from tinycrm.store.deals import add_deal, lose_deal, move_deal, reopen_deal, win_deal
from tinycrm.store.log_models import StageChange
from tinycrm.store.models import Activity, Contact, Deal, LifecycleChange
from tinycrm.store.pipelines import add_pipeline
from tinycrm.store.reports import (
    activity_report,
    churn_report,
    clv_report,
    cycle_report,
    dashboard_numbers,
    forecast_report,
    funnel_report,
    periods,
    pipeline_report,
    sources_report,
    winrate_report,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
EUR, USD, GBP = "EUR", "USD", "GBP"


def at(month: int, day: int, hour: int = 8, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def money(**amounts: str) -> dict[str, Decimal]:
    return {code: Decimal(value) for code, value in amounts.items()}


def deal_timeline(store, deal_id: int, *times: datetime) -> None:
    """Put a deal's stage changes (in the order they were made) at ``times``; the first is
    its creation, the last its close when it is closed."""
    with store.write() as session:
        ids = session.scalars(
            select(StageChange.id).where(StageChange.deal_id == deal_id).order_by(StageChange.id)
        ).all()
        assert len(ids) == len(times)
        for change_id, when in zip(ids, times, strict=True):
            session.execute(update(StageChange).where(StageChange.id == change_id).values(at=when))
        values = {"created_at": times[0]}
        if session.get(Deal, deal_id).status != "open":
            values["closed_at"] = times[-1]
        session.execute(update(Deal).where(Deal.id == deal_id).values(**values))


def contact_timeline(store, contact_id: int, *times: datetime, last_touch=None) -> None:
    """Put a contact's creation and lifecycle changes at ``times``."""
    with store.write() as session:
        ids = session.scalars(
            select(LifecycleChange.id)
            .where(LifecycleChange.contact_id == contact_id)
            .order_by(LifecycleChange.id)
        ).all()
        assert len(ids) == len(times)
        for change_id, when in zip(ids, times, strict=True):
            session.execute(
                update(LifecycleChange).where(LifecycleChange.id == change_id).values(at=when)
            )
        session.execute(
            update(Contact)
            .where(Contact.id == contact_id)
            .values(created_at=times[0], last_touch=last_touch)
        )


def set_activity(store, activity_id: int, **values) -> None:
    with store.write() as session:
        session.execute(update(Activity).where(Activity.id == activity_id).values(**values))


def build(store) -> None:
    add_pipeline(store, name="Renewals", stages=[("Due", 60, 30), ("Quoted", 85, None)])

    ada = add_contact(store, name="Ada", email="ada@x.com", source="web")
    edit_contact(store, ada.id, lifecycle="customer")
    contact_timeline(store, ada.id, at(5, 1), at(6, 1), last_touch="ads")
    bob = add_contact(store, name="Bob", source="referral")
    edit_contact(store, bob.id, lifecycle="customer")
    edit_contact(store, bob.id, lifecycle="churned")
    contact_timeline(store, bob.id, at(3, 1), at(4, 1), at(9, 15), last_touch="referral")
    cy = add_contact(store, name="Cy", source="web")
    contact_timeline(store, cy.id, at(7, 20), last_touch="web")
    dee = add_contact(store, name="Dee")
    edit_contact(store, dee.id, lifecycle="prospect")
    contact_timeline(store, dee.id, at(9, 20), at(10, 2))
    eve = add_contact(store, name="Eve", source="event")
    for lifecycle in ("customer", "churned", "customer"):
        edit_contact(store, eve.id, lifecycle=lifecycle)
    contact_timeline(store, eve.id, at(1, 10), at(2, 1), at(6, 10), at(10, 20), last_touch="web")

    d1 = add_deal(store, title="Alpha", amount=10000, contact="Ada", owner="sam")
    move_deal(store, "Alpha", "Qualified")
    move_deal(store, "Alpha", "Proposal")
    win_deal(store, "Alpha")
    deal_timeline(store, d1.id, at(5, 31, 22), at(6, 10, 22), at(6, 20, 22), at(6, 30, 22))

    d2 = add_deal(store, title="Beta", amount=5000, contact="Bob", owner="sam")
    move_deal(store, "Beta", "Qualified")
    lose_deal(store, "Beta", reason="budget")
    reopen_deal(store, "Beta")
    move_deal(store, "Beta", "Proposal")
    win_deal(store, "Beta")
    deal_timeline(store, d2.id, at(7, 1), at(7, 5), at(7, 15), at(8, 1), at(8, 11), at(8, 21))

    d3 = add_deal(store, title="Gamma", amount=2000, currency="USD", contact="Cy", owner="alex")
    lose_deal(store, "Gamma", reason="price")
    deal_timeline(store, d3.id, at(8, 1), at(8, 6))

    d4 = add_deal(
        store, title="Delta", amount=8000, contact="Dee", owner="sam", close_date=date(2026, 12, 15)
    )
    move_deal(store, "Delta", "Proposal")
    deal_timeline(store, d4.id, at(10, 1), at(10, 5))

    d5 = add_deal(
        store,
        title="Epsilon",
        amount=1000,
        currency="USD",
        contact="Eve",
        owner="sam",
        close_date=date(2026, 11, 10),
    )
    move_deal(store, "Epsilon", "Negotiation")
    deal_timeline(store, d5.id, at(11, 1, 9), at(11, 10, 9))

    d6 = add_deal(
        store, title="Zeta", amount=4000, owner="alex", probability=90, close_date=date(2027, 1, 10)
    )
    deal_timeline(store, d6.id, at(11, 20, 10))

    d7 = add_deal(store, title="Eta", amount=3000, currency="GBP", pipeline="Renewals", owner="sam")
    deal_timeline(store, d7.id, at(9, 1, 10))

    d8 = add_deal(store, title="Theta", owner="sam", close_date=date(2026, 11, 30))
    deal_timeline(store, d8.id, at(11, 23, 9))

    d9 = add_deal(store, title="Iota", amount=1000, currency="USD", contact="Eve", owner="alex")
    win_deal(store, "Iota")
    deal_timeline(store, d9.id, at(9, 1), at(9, 4))

    log_activity(store, kind="call", text="status", ref="deal:Epsilon", at=at(11, 22, 10))
    log_activity(store, kind="email", text="hello", ref="Ada", at=at(11, 22, 23, 30))
    meeting = log_activity(store, kind="meeting", text="lunch", ref="Bob", at=at(11, 17, 9))
    set_activity(store, meeting.id, owner="alex")
    log_activity(store, kind="note", text="likes tea", ref="Cy", at=at(11, 18, 9))
    log_activity(store, kind="call", text="intro", ref="Ada", at=at(9, 1, 9))
    t1 = add_task(store, text="send contract", due=at(11, 20, 9), contact="Ada")
    complete_task(store, t1.id)
    set_activity(store, t1.id, done_at=at(11, 19, 15), occurred_at=at(11, 19, 15))
    t2 = add_task(store, text="call back", due=at(11, 18, 9), contact="Bob")
    complete_task(store, t2.id)
    set_activity(store, t2.id, done_at=at(11, 21, 12), occurred_at=at(11, 21, 12))
    t3 = add_task(store, text="visit", due=at(11, 10, 9))
    set_activity(store, t3.id, owner="alex")
    add_task(store, text="plan", due=at(11, 25, 9))
    add_task(store, text="follow up", due=at(11, 23, 8))


@pytest.fixture
def data(store):
    with store.write():  # one transaction: quick on PostgreSQL too
        build(store)
    return store


# --------------------------------------------------------------------------- pipeline


def test_pipeline(data) -> None:
    report = pipeline_report(data, now=NOW)
    rows = {(r.pipeline, r.stage): r for r in report.rows}
    assert [(r.pipeline, r.stage) for r in report.rows] == [
        ("Sales", "Lead-in"),
        ("Sales", "Qualified"),
        ("Sales", "Proposal"),
        ("Sales", "Negotiation"),
        ("Renewals", "Due"),
        ("Renewals", "Quoted"),
    ]
    lead_in = rows[("Sales", "Lead-in")]  # Zeta (90%) and Theta (no amount)
    assert (lead_in.deals, lead_in.value, lead_in.weighted) == (
        2,
        money(EUR="4000.00"),
        money(EUR="3600.00"),
    )
    assert lead_in.avg_age_days == 1.5  # (3 days + 1 hour) / 2
    assert lead_in.rotting == 0
    assert rows[("Sales", "Qualified")].deals == 0
    assert rows[("Sales", "Qualified")].avg_age_days is None
    proposal = rows[("Sales", "Proposal")]  # Delta: no touch since its move on 10-05
    assert (proposal.deals, proposal.weighted, proposal.avg_age_days, proposal.rotting) == (
        1,
        money(EUR="4000.00"),
        53.1,
        1,
    )
    negotiation = rows[("Sales", "Negotiation")]  # Epsilon: the call of 11-22 keeps it fresh
    assert (negotiation.value, negotiation.weighted, negotiation.avg_age_days) == (
        money(USD="1000.00"),
        money(USD="750.00"),
        22.0,
    )
    assert negotiation.rotting == 0
    due = rows[("Renewals", "Due")]
    assert (due.deals, due.weighted, due.avg_age_days, due.rotting) == (
        1,
        money(GBP="1800.00"),
        83.0,
        1,
    )
    total = report.total
    assert total.deals == 5
    assert total.value == money(EUR="12000.00", GBP="3000.00", USD="1000.00")
    assert total.weighted == money(EUR="7600.00", GBP="1800.00", USD="750.00")
    assert total.avg_age_days == 32.2  # (3 + 1/24 + 53 + 1/12 + 22 + 1/24 + 83) / 5
    assert total.rotting == 2

    by_close = pipeline_report(data, start=date(2026, 12, 1), end=date(2027, 1, 31), now=NOW)
    assert by_close.total.deals == 2  # Delta (12-15) and Zeta (01-10)
    assert by_close.total.value == money(EUR="12000.00")
    alex = pipeline_report(data, owner="alex", now=NOW)
    assert (alex.total.deals, alex.total.value) == (1, money(EUR="4000.00"))
    renewals = pipeline_report(data, pipeline="renewals", now=NOW)
    assert [r.stage for r in renewals.rows] == ["Due", "Quoted"]
    assert renewals.total.value == money(GBP="3000.00")
    assert renewals.scope.pipeline == "Renewals"
    with pytest.raises(NotFound):
        pipeline_report(data, pipeline="nope", now=NOW)
    with pytest.raises(Invalid, match="after"):
        pipeline_report(data, start=date(2026, 12, 1), end=date(2026, 11, 1), now=NOW)


# --------------------------------------------------------------------------- forecast


def test_forecast(data) -> None:
    report = forecast_report(data, now=NOW)
    assert [r.period for r in report.rows] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
        "2027-03",
        "2027-04",
    ]
    assert (report.scope.start, report.scope.end) == (date(2026, 11, 1), date(2027, 4, 30))
    nov, dec, jan = report.rows[:3]
    # Epsilon's close date (11-10) has passed: it counts today; Theta has no amount
    assert nov.deals == 2
    assert nov.best_case == money(EUR="0.00", USD="1000.00")
    assert nov.weighted == money(EUR="0.00", USD="750.00")
    assert nov.commit == money(EUR="0.00", USD="1000.00")  # Epsilon is at 75%
    assert (nov.won_deals, nov.won) == (0, {})
    assert (dec.deals, dec.best_case, dec.weighted, dec.commit) == (
        1,
        money(EUR="8000.00"),
        money(EUR="4000.00"),
        money(EUR="0.00"),
    )
    assert (jan.deals, jan.weighted, jan.commit) == (1, money(EUR="3600.00"), money(EUR="4000.00"))
    assert all(r.deals == 0 for r in report.rows[3:])
    assert (report.undated_deals, report.undated_best_case) == (1, money(GBP="3000.00"))

    summer = forecast_report(data, start=date(2026, 6, 1), end=date(2026, 9, 30), now=NOW)
    won = {r.period: (r.won_deals, r.won) for r in summer.rows}
    assert won == {
        "2026-06": (0, {}),
        # Alpha was won 06-30 22:00 UTC, which is July 1st in Berlin
        "2026-07": (1, money(EUR="10000.00")),
        "2026-08": (1, money(EUR="5000.00")),  # Beta, lost in July, reopened, won
        "2026-09": (1, money(USD="1000.00")),
    }
    assert all(r.deals == 0 for r in summer.rows)  # open deals are expected from today on
    quarters = forecast_report(data, by="quarter", start=date(2026, 4, 1), now=NOW)
    assert [r.period for r in quarters.rows] == ["2026-Q2", "2026-Q3", "2026-Q4", "2027-Q1"]
    q2, q3, q4, q1 = quarters.rows
    assert (q2.won_deals, q3.won_deals) == (0, 3)
    assert q3.won == money(EUR="15000.00", USD="1000.00")
    assert q4.weighted == money(EUR="4000.00", USD="750.00")
    assert q1.weighted == money(EUR="3600.00")
    with pytest.raises(Invalid, match="unknown period"):
        forecast_report(data, by="year", now=NOW)


# --------------------------------------------------------------------------- win rate and cycle


def test_winrate_and_cycle(data) -> None:
    overall = winrate_report(data, now=NOW)
    assert [(r.won, r.lost, r.win_rate) for r in overall.rows] == [(3, 1, 75.0)]
    assert overall.total.won_value == money(EUR="15000.00", USD="1000.00")
    by_source = winrate_report(data, by="source", now=NOW)
    assert [(r.group, r.won, r.lost, r.win_rate) for r in by_source.rows] == [
        ("event", 1, 0, 100.0),
        ("referral", 1, 0, 100.0),
        ("web", 1, 1, 50.0),
    ]
    assert (by_source.total.won, by_source.total.lost) == (3, 1)
    by_owner = winrate_report(data, by="owner", now=NOW)
    assert [(r.group, r.won, r.lost, r.win_rate) for r in by_owner.rows] == [
        ("alex", 1, 1, 50.0),
        ("sam", 2, 0, 100.0),
    ]
    by_pipeline = winrate_report(data, by="pipeline", now=NOW)
    assert [(r.group, r.closed) for r in by_pipeline.rows] == [("Sales", 4)]

    # July: Alpha won (July 1st, Berlin); Beta's loss in July does not count, it was
    # reopened and won in August
    july = winrate_report(data, start=date(2026, 7, 1), end=date(2026, 7, 31), now=NOW)
    assert (july.total.won, july.total.lost) == (1, 0)
    august = winrate_report(data, start=date(2026, 8, 1), end=date(2026, 8, 31), now=NOW)
    assert (august.total.won, august.total.lost, august.total.win_rate) == (1, 1, 50.0)
    june = winrate_report(data, start=date(2026, 6, 1), end=date(2026, 6, 30), now=NOW)
    assert june.total.closed == 0 and june.total.win_rate is None

    report = cycle_report(data, now=NOW)
    # won after 30 (Alpha), 51 (Beta) and 3 days (Iota)
    assert (report.won, report.median_days, report.mean_days) == (3, 30.0, 28.0)
    assert (report.min_days, report.max_days) == (3.0, 51.0)
    assert report.closed == 4
    assert [(r.stage, r.deals, r.mean_days) for r in report.rows] == [
        ("Lead-in", 4, 5.5),  # Alpha 10, Beta 4, Gamma 5, Iota 3
        ("Qualified", 2, 15.0),  # Alpha 10; Beta 10 before its loss + 10 after reopening
        ("Proposal", 2, 10.0),
    ]
    autumn = cycle_report(data, start=date(2026, 9, 1), now=NOW)
    assert (autumn.won, autumn.median_days, autumn.closed) == (1, 3.0, 1)
    assert [(r.stage, r.deals, r.mean_days) for r in autumn.rows] == [("Lead-in", 1, 3.0)]
    sam = cycle_report(data, owner="sam", now=NOW)
    assert (sam.won, sam.median_days, sam.mean_days) == (2, 40.5, 40.5)


# --------------------------------------------------------------------------- funnel


def test_funnel(data) -> None:
    report = funnel_report(data, now=NOW)
    assert report.deals == 9
    rows = [
        (r.pipeline, r.stage, r.reached, r.conversion, r.days_to_next, r.lost, r.lost_share)
        for r in report.rows
    ]
    assert rows == [
        # reached Qualified or beyond: Alpha, Beta, Delta and Epsilon (skipped), Iota (won)
        ("Sales", "Lead-in", 8, 62.5, 6.0, 1, 12.5),  # 10 + 4 + 4 + 9 + 3 days / 5
        ("Sales", "Qualified", 5, 100.0, 9.4, 0, 0.0),  # 10 + 37 (Beta) + 0 + 0 + 0 / 5
        ("Sales", "Proposal", 5, 80.0, 5.0, 0, 0.0),  # Delta stops here; 10 + 10 + 0 + 0 / 4
        ("Sales", "Negotiation", 4, 75.0, 0.0, 0, 0.0),  # Epsilon is still there
        ("Sales", "won", 3, None, None, 0, None),
        ("Renewals", "Due", 1, 0.0, None, 0, 0.0),
        ("Renewals", "Quoted", 0, None, None, 0, None),
        ("Renewals", "won", 0, None, None, 0, None),
    ]
    october = funnel_report(data, start=date(2026, 10, 1), pipeline="Sales", now=NOW)
    assert october.deals == 4  # Delta, Epsilon, Zeta, Theta
    assert [(r.stage, r.reached, r.conversion, r.days_to_next) for r in october.rows] == [
        ("Lead-in", 4, 50.0, 6.5),
        ("Qualified", 2, 100.0, 0.0),
        ("Proposal", 2, 50.0, 0.0),
        ("Negotiation", 1, 0.0, None),
        ("won", 0, None, None),
    ]


# --------------------------------------------------------------------------- sources, churn, clv


def test_sources(data) -> None:
    report = sources_report(data, now=NOW)
    lines = [
        (r.touch, r.source, r.leads, r.customers, r.conversion, r.won_deals, r.won_revenue)
        for r in report.rows
    ]
    assert lines == [
        ("first", "web", 2, 1, 50.0, 1, money(EUR="10000.00")),
        ("first", "event", 1, 1, 100.0, 1, money(USD="1000.00")),
        ("first", "referral", 1, 1, 100.0, 1, money(EUR="5000.00")),  # Bob churned: counts
        ("first", None, 1, 0, 0.0, 0, {}),
        ("last", "web", 2, 1, 50.0, 1, money(USD="1000.00")),
        ("last", "ads", 1, 1, 100.0, 1, money(EUR="10000.00")),
        ("last", "referral", 1, 1, 100.0, 1, money(EUR="5000.00")),
        ("last", None, 1, 0, 0.0, 0, {}),
    ]
    summer = sources_report(data, start=date(2026, 5, 1), end=date(2026, 9, 30), now=NOW)
    first = [(r.source, r.leads, r.customers) for r in summer.rows if r.touch == "first"]
    assert first == [("web", 2, 1), (None, 1, 0)]  # Ada, Cy; Dee
    with_deals = sources_report(data, pipeline="Sales", owner="tester", now=NOW)
    assert sum(r.leads for r in with_deals.rows if r.touch == "first") == 5


def test_churn(data) -> None:
    report = churn_report(data, by="month", now=NOW)
    assert (report.scope.start, report.scope.end) == (date(2025, 12, 1), date(2026, 11, 23))
    lines = {
        r.period: (
            r.customers_at_start,
            r.new_customers,
            r.churned,
            r.customers_at_end,
            r.churn_rate,
        )
        for r in report.rows
    }
    assert lines == {
        "2025-12": (0, 0, 0, 0, None),
        "2026-01": (0, 0, 0, 0, None),
        "2026-02": (0, 1, 0, 1, None),  # Eve
        "2026-03": (1, 0, 0, 1, 0.0),
        "2026-04": (1, 1, 0, 2, 0.0),  # Bob
        "2026-05": (2, 0, 0, 2, 0.0),
        "2026-06": (2, 1, 1, 2, 50.0),  # Ada in, Eve out
        "2026-07": (2, 0, 0, 2, 0.0),
        "2026-08": (2, 0, 0, 2, 0.0),
        "2026-09": (2, 0, 1, 1, 50.0),  # Bob out
        "2026-10": (1, 1, 0, 2, 0.0),  # Eve is back
        "2026-11": (2, 0, 0, 2, 0.0),
    }
    assert report.rows[-1].end == date(2026, 11, 23)

    quarters = churn_report(data, by="quarter", now=NOW)
    assert [
        (r.period, r.customers_at_start, r.new_customers, r.churned, r.churn_rate)
        for r in quarters.rows
    ] == [
        ("2026-Q1", 0, 1, 0, None),
        ("2026-Q2", 1, 2, 1, 100.0),
        ("2026-Q3", 2, 0, 1, 50.0),
        ("2026-Q4", 1, 1, 0, 0.0),
    ]
    (whole,) = churn_report(data, now=NOW).rows
    assert (whole.customers_at_start, whole.new_customers, whole.churned) == (0, 3, 0)
    assert whole.customers_at_end == 2
    alex = churn_report(data, by="quarter", owner="alex", now=NOW)
    assert all(r.customers_at_end == 0 for r in alex.rows)  # alex owns no contact


def test_clv(data) -> None:
    report = clv_report(data, now=NOW)
    # Ada 06-01 08:00 → now: 175 days 2 hours; Bob 04-01 → 09-15: 167 days;
    # Eve 02-01 → 06-10 (her first churn): 129 days. 471 1/12 days = 1.28976 years.
    assert (report.customers, report.churned) == (3, 2)
    assert report.customer_years == 1.29
    assert report.churn_rate == 155.1  # 2 / 1.28976 per year
    assert report.lifespan_years == 0.64  # 1 / 1.55069
    eur, usd = report.rows
    assert (eur.currency, eur.won_revenue, eur.revenue_per_customer) == (
        EUR,
        Decimal("15000.00"),
        Decimal("5000.00"),
    )
    assert eur.revenue_per_customer_year == Decimal("11630.11")  # 15,000 / 1.289756
    assert eur.clv == Decimal("7500.00")  # 11,630.11 × 0.644878 = 15,000 / 2
    assert (usd.won_revenue, usd.revenue_per_customer, usd.revenue_per_customer_year) == (
        Decimal("1000.00"),
        Decimal("333.33"),
        Decimal("775.34"),
    )
    assert usd.clv == Decimal("500.00")
    recent = clv_report(data, start=date(2026, 5, 1), now=NOW)
    assert (recent.customers, recent.churned, recent.lifespan_years) == (1, 0, None)  # Ada
    assert [(r.currency, r.clv) for r in recent.rows] == [(EUR, None)]


# --------------------------------------------------------------------------- activity


def test_activity(data) -> None:
    (whole,) = activity_report(data, now=NOW).rows
    assert (whole.start, whole.end) == (date(2026, 9, 7), date(2026, 11, 23))
    assert (whole.calls, whole.emails, whole.meetings, whole.notes, whole.logged) == (1, 1, 1, 1, 4)
    assert (whole.tasks_done, whole.tasks_overdue) == (2, 3)  # T2 late, T3 and T5 open
    weeks = activity_report(data, by="week", now=NOW)
    assert len(weeks.rows) == 12
    assert weeks.rows[0].period == "2026-W37"
    busy = {
        r.period: (r.calls, r.emails, r.meetings, r.notes, r.tasks_done, r.tasks_overdue)
        for r in weeks.rows
        if r.logged or r.tasks_done or r.tasks_overdue
    }
    assert busy == {
        "2026-W46": (0, 0, 0, 0, 0, 1),
        "2026-W47": (1, 0, 1, 1, 2, 1),
        "2026-W48": (0, 1, 0, 0, 0, 1),  # the email of Sunday 23:30 UTC is Monday in Berlin
    }
    owners = activity_report(data, by="owner", now=NOW)
    assert [
        (r.owner, r.logged, r.meetings, r.tasks_done, r.tasks_overdue) for r in owners.rows
    ] == [("alex", 1, 1, 0, 1), ("tester", 3, 0, 2, 2)]
    (alex,) = activity_report(data, owner="alex", now=NOW).rows
    assert (alex.logged, alex.tasks_overdue) == (1, 1)
    (sales,) = activity_report(data, pipeline="Sales", now=NOW).rows
    assert (sales.calls, sales.logged, sales.tasks_done) == (1, 1, 0)  # the call on Epsilon
    (autumn,) = activity_report(data, start=date(2026, 9, 1), end=date(2026, 9, 6), now=NOW).rows
    assert autumn.calls == 1


# --------------------------------------------------------------------------- dashboard


def test_dashboard_numbers(data) -> None:
    numbers = dashboard_numbers(data, now=NOW)
    assert numbers.open_deals == 5
    assert numbers.open_pipeline == money(EUR="12000.00", GBP="3000.00", USD="1000.00")
    assert numbers.weighted_this_month == money(EUR="0.00", USD="750.00")
    assert numbers.weighted_next_month == money(EUR="4000.00")
    assert (numbers.this_month.label, numbers.next_month.label) == ("2026-11", "2026-12")
    assert numbers.since == date(2025, 12, 1)
    assert (numbers.won, numbers.lost, numbers.win_rate) == (3, 1, 75.0)
    assert numbers.median_cycle_days == 30.0
    assert (numbers.overdue_tasks, numbers.rotting_deals) == (2, 2)


# --------------------------------------------------------------------------- edge cases


def test_no_data(store) -> None:
    assert pipeline_report(store, now=NOW).total.deals == 0
    forecast = forecast_report(store, now=NOW)
    assert len(forecast.rows) == 6 and all(r.deals == 0 and r.won == {} for r in forecast.rows)
    winrate = winrate_report(store, by="owner", now=NOW)
    assert (winrate.rows, winrate.total.win_rate) == ([], None)
    cycle = cycle_report(store, now=NOW)
    assert (cycle.won, cycle.median_days, cycle.rows) == (0, None, [])
    assert funnel_report(store, now=NOW).rows == []
    assert sources_report(store, now=NOW).rows == []
    assert all(r.churn_rate is None for r in churn_report(store, by="month", now=NOW).rows)
    clv = clv_report(store, now=NOW)
    assert (clv.customers, clv.customer_years, clv.lifespan_years, clv.rows) == (0, 0.0, None, [])
    assert sum(r.logged for r in activity_report(store, by="week", now=NOW).rows) == 0
    numbers = dashboard_numbers(store, now=NOW)
    assert (numbers.open_deals, numbers.win_rate, numbers.median_cycle_days) == (0, None, None)


def test_a_lost_deal_reopened_and_still_open_counts_as_neither(store) -> None:
    deal = add_deal(store, title="Again", amount=700, currency="CHF")
    move_deal(store, "Again", "Qualified")
    lose_deal(store, "Again", reason="timing")
    reopen_deal(store, "Again")
    deal_timeline(store, deal.id, at(10, 1), at(10, 3), at(10, 5), at(10, 7))
    assert winrate_report(store, now=NOW).total.closed == 0
    assert cycle_report(store, now=NOW).closed == 0
    funnel = {r.stage: (r.reached, r.lost) for r in funnel_report(store, now=NOW).rows}
    assert funnel["Qualified"] == (1, 0)
    pipeline = pipeline_report(store, now=NOW)
    assert pipeline.total.value == money(CHF="700.00")
    assert pipeline.total.weighted == money(CHF="175.00")  # back in Qualified, 25%


def test_periods_are_local_calendar_periods() -> None:
    weeks = periods(date(2026, 12, 30), date(2027, 1, 12), "week")
    assert [(p.label, p.start, p.end) for p in weeks] == [
        ("2026-W53", date(2026, 12, 30), date(2027, 1, 3)),
        ("2027-W01", date(2027, 1, 4), date(2027, 1, 10)),
        ("2027-W02", date(2027, 1, 11), date(2027, 1, 12)),
    ]
    quarters = periods(date(2026, 2, 15), date(2026, 7, 1), "quarter")
    assert [p.label for p in quarters] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    with pytest.raises(Invalid, match="periods"):
        periods(date(2000, 1, 1), date(2026, 1, 1), "week")


def test_a_blank_owner_or_pipeline_is_refused_not_read_as_all(store) -> None:
    """report pipeline --owner "$WHO" with WHO unset (or the MCP report tool given
    owner="") reported every owner's deals, as if no owner were given; a blank pipeline
    the same. Each is refused, as a blank filter of a list is."""
    reports = [pipeline_report, forecast_report, winrate_report, cycle_report, funnel_report]
    for report in [*reports, sources_report, churn_report, clv_report, activity_report]:
        for name in ("owner", "pipeline"):
            with pytest.raises(Invalid) as refused:
                report(store, **{name: " "})
            assert (
                str(refused.value) == f"the {name} must not be empty: leave it out to list them all"
            )


def test_a_default_range_reaching_back_before_the_year_1_starts_on_its_first_day(store) -> None:
    """report activity --to 0001-01-05 (or churn, cases) crashed with a traceback (date
    value out of range, year 0): the default range reaches twelve weeks or months back
    from --to. It now starts on 0001-01-01, the first day there is."""
    from tinycrm.store.reports.cases import case_report

    last = date(1, 1, 5)
    assert activity_report(store, end=last, now=NOW).scope.start == date(1, 1, 1)
    assert activity_report(store, by="week", end=last, now=NOW).rows[0].period == "0001-W01"
    assert churn_report(store, end=last, now=NOW).scope.start == date(1, 1, 1)
    assert [r.period for r in churn_report(store, by="quarter", end=last, now=NOW).rows] == [
        "0001-Q1"
    ]
    assert case_report(store, by="month", end=last, now=NOW).rows[0].group == "0001-01"


def test_sources_in_any_case_are_one_source_on_every_database(store) -> None:
    """report sources grouped touches with the database's lower(), which on SQLite folds
    only A-Z: ÖREBRO, Örebro and örebro were three sources there and one on PostgreSQL.
    They are one on both, shown in the first spelling (by code points), as win rate
    --by source already did."""
    for name, source in (("A", "ÖREBRO"), ("B", "örebro"), ("C", "Örebro"), ("D", "web")):
        add_contact(store, name=name, source=source)
    with store.write() as session:
        session.execute(update(Contact).values(last_touch=Contact.source))
    deal = add_deal(store, title="Ö", amount=100, currency="EUR", contact="B")
    win_deal(store, deal.id)
    rows = [
        (r.touch, r.source, r.leads, r.won_deals, r.won_revenue)
        for r in sources_report(store, now=NOW).rows
    ]
    assert rows == [
        ("first", "ÖREBRO", 3, 1, money(EUR="100.00")),
        ("first", "web", 1, 0, {}),
        ("last", "ÖREBRO", 3, 1, money(EUR="100.00")),
        ("last", "web", 1, 0, {}),
    ]


def test_a_range_refused_names_only_the_bound_given(store) -> None:
    """report forecast --to 2026-01-31 (before this month, where it starts by default)
    was refused with '--from 2026-11-01 is after --to 2026-01-31', and report activity
    --from 2027-01-04 with '--to 2026-11-23': an option the user never gave. The error
    now says where the default bound lies and to give it."""
    with pytest.raises(Invalid) as forward:
        forecast_report(store, end=date(2026, 1, 31), now=NOW)
    assert str(forward.value) == (
        "--to 2026-01-31 is before 2026-11-01, where this report starts unless --from says"
    )
    with pytest.raises(Invalid) as backward:
        activity_report(store, start=date(2027, 1, 4), now=NOW)
    assert str(backward.value) == (
        "--from 2027-01-04 is after 2026-11-23, where this report ends unless --to says"
    )


# --------------------------------------------------------------------------- removed stages


def test_a_removed_stages_time_still_counts_under_its_name(store) -> None:
    """Stages A, B (renamed Demo), C: two deals go through all three and are won; Demo
    is removed (its deals gone on), then A, after its deal is closed. The cycle and the
    funnel read as before, each removed stage under its last name and where it stood."""
    from tinycrm.store.pipelines import edit_stage, remove_stage
    from tinycrm.store.views import deal_view

    add_pipeline(store, name="P", stages=[("A", 10, None), ("B", 40, None), ("C", 70, None)])
    for title, days in (("One", (1, 3, 8, 9)), ("Two", (1, 5, 6, 11))):
        deal = add_deal(store, title=title, pipeline="P")
        move_deal(store, title, "B")
        move_deal(store, title, "C")
        win_deal(store, title)
        deal_timeline(store, deal.id, *(at(10, day) for day in days))
    edit_stage(store, "P", "B", name="Demo")

    def figures() -> tuple[list[tuple], list[tuple]]:
        cycle = cycle_report(store, pipeline="P", now=NOW)
        funnel = funnel_report(store, pipeline="P", now=NOW)
        return (
            [(r.pipeline, r.stage, r.deals, r.mean_days) for r in cycle.rows],
            [(r.stage, r.reached, r.conversion, r.days_to_next) for r in funnel.rows],
        )

    before = figures()
    assert before == (
        [("P", "A", 2, 3.0), ("P", "Demo", 2, 3.0), ("P", "C", 2, 3.0)],
        [("A", 2, 100.0, 3.0), ("Demo", 2, 100.0, 3.0), ("C", 2, 100.0, 3.0),
         ("won", 2, None, None)],
    )  # fmt: skip
    remove_stage(store, "P", "Demo")
    assert figures() == before
    history = [(h.from_stage, h.to_stage) for h in deal_view(store, "One").history]
    assert history == [(None, "A"), ("A", "Demo"), ("Demo", "C"), ("C", "C")]
    remove_stage(store, "P", "A")
    assert figures() == before
    history = [(h.from_stage, h.to_stage) for h in deal_view(store, "Two").history]
    assert history == [(None, "A"), ("A", "Demo"), ("Demo", "C"), ("C", "C")]


def test_a_removed_stage_keeps_its_place_as_the_stages_around_it_move(store) -> None:
    """A removed stage stands just before the stage that followed it: a stage added
    before that one, or that one moved, takes it along."""
    from tinycrm.store.pipelines import add_stage, move_stage, remove_stage

    add_pipeline(store, name="P", stages=[("A", 10, None), ("B", 40, None), ("C", 70, None)])
    deal = add_deal(store, title="One", pipeline="P")
    move_deal(store, "One", "B")
    move_deal(store, "One", "C")
    win_deal(store, "One")
    deal_timeline(store, deal.id, at(10, 1), at(10, 2), at(10, 4), at(10, 8))
    remove_stage(store, "P", "B")

    def order() -> list[str]:
        return [r.stage for r in cycle_report(store, pipeline="P", now=NOW).rows]

    assert order() == ["A", "B", "C"]
    add_stage(store, "P", name="X", probability=50, position=2)  # between A and C
    assert order() == ["A", "B", "C"]  # (X: no deal spent time there)
    move_stage(store, "P", "C", position=1)
    assert order() == ["B", "C", "A"]
    move_stage(store, "P", "A", position=1)
    assert order() == ["A", "B", "C"]


@pytest.mark.parametrize("churns", [False, True])
def test_clv_of_customers_of_seconds_is_too_short_to_say(store, churns: bool) -> None:
    """A customer of ten seconds gave a revenue per customer-year of ~€3×10**7 per €10
    won (another figure every run), a churn rate of millions of percent and a lifespan
    of 0.0 years; and many deals of the largest amount stopped the report with
    decimal.InvalidOperation."""
    ada = add_contact(store, name="Ada")
    edit_contact(store, ada.id, lifecycle="customer")
    times = [at(11, 23, 9, 59), datetime(2026, 11, 23, 9, 59, 50, tzinfo=UTC)]
    if churns:
        edit_contact(store, ada.id, lifecycle="churned")
        times.append(datetime(2026, 11, 23, 9, 59, 55, tzinfo=UTC))
    contact_timeline(store, ada.id, *times)
    for n in range(3):
        add_deal(store, title=f"Max {n}", amount=10**15, currency="BHD", contact="Ada")
        win_deal(store, f"Max {n}")
    report = clv_report(store, now=NOW)
    assert (report.customers, report.churned, report.too_short) == (1, int(churns), True)
    assert (report.churn_rate, report.lifespan_years) == (None, None)
    (bhd,) = report.rows
    assert bhd.revenue_per_customer == Decimal("3000000000000000.000")
    assert (bhd.revenue_per_customer_year, bhd.clv) == (None, None)
    month = clv_report(store, now=datetime(2026, 12, 23, 10, 0, tzinfo=UTC))
    assert month.too_short is churns  # 30 days and 10 seconds as a customer, unless churned


def test_a_weighted_value_under_one_minor_unit_is_noted(store) -> None:
    """10% of €0.01 rounds to €0.00, which the table showed as if it were nothing at
    all; a deal at 0% is nothing and stays €0.00."""
    add_deal(store, title="Cent", amount=Decimal("0.01"), close_date=date(2026, 11, 30))
    add_deal(store, title="Yen", amount=1, currency="JPY", close_date=date(2026, 11, 30))
    add_deal(store, title="Never", amount=100, currency="GBP", probability=0)
    report = pipeline_report(store, now=NOW)
    lead_in = report.rows[0]
    assert lead_in.weighted == money(EUR="0.00", GBP="0.00", JPY="0")
    assert lead_in.weighted_under_unit == [EUR, "JPY"]
    assert report.total.weighted_under_unit == [EUR, "JPY"]
    assert report.rows[1].weighted_under_unit == []
    november = forecast_report(store, now=NOW).rows[0]
    assert (november.period, november.weighted_under_unit) == ("2026-11", [EUR, "JPY"])
    add_deal(store, title="Ten", amount=Decimal("0.10"), close_date=date(2026, 11, 30))
    assert pipeline_report(store, now=NOW).total.weighted_under_unit == ["JPY"]  # €0.011


def test_a_customer_who_comes_and_goes_within_a_period_is_new_not_churned(data) -> None:
    """As the README says: Bob (customer 04-01, churned 09-15) is new in the whole range
    and not churned there, so start + new − churned (0 + 3 − 0) is more than the end (2)."""
    (whole,) = churn_report(data, start=date(2026, 1, 1), end=date(2026, 11, 23), now=NOW).rows
    assert (whole.customers_at_start, whole.new_customers, whole.churned) == (0, 3, 0)
    assert (whole.customers_at_end, whole.churn_rate) == (2, None)
