"""Support cases: SLA due times in working hours, replies, statuses, CSAT, announcements
once, and the case report's figures from a small fixed data set."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.store.races import at_once, refused
from tinycrm.config import ConfigError, parse_config
from tinycrm.store import Conflict, Invalid, NotFound
from tinycrm.store.cases import (
    add_case,
    case_view,
    edit_case,
    list_cases,
    remove_case,
    reopen_case,
    reply_case,
    resolve_support_case,
    set_case_status,
)
from tinycrm.store.companies import add_company
from tinycrm.store.contacts import add_contact
from tinycrm.store.events import list_events
from tinycrm.store.filter_sql import InvalidFilter
from tinycrm.store.reminders import (
    RemindSettings,
    claim_items,
    confirm_run,
    due_items,
    next_actions,
)
from tinycrm.store.reports.cases import case_report
from tinycrm.store.service_models import CaseMessage, SupportCase

from .settings_helpers import use_config

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BERLIN)


MONDAY_10 = berlin(2026, 11, 23, 10)


def _remind(store) -> RemindSettings:
    """``[support]`` as the API passes it to remind (the store reads no config)."""
    return RemindSettings(support=store.given.support_settings())


@pytest.fixture
def people(store):
    use_config(store, parse_config('[support]\ntimezone = "Europe/Berlin"\n', Path("config.toml")))
    add_company(store, name="Acme")
    add_contact(store, name="Ada", email="ada@acme.com", company="Acme")
    add_contact(store, name="Bob", email="bob@example.com")
    return store


def test_a_case_gets_its_sla_due_times_in_working_hours(people) -> None:
    friday_4pm = berlin(2026, 11, 27, 16)
    case = add_case(
        people,
        subject="Cannot log in",
        contact="ada@acme.com",
        priority="urgent",
        body="500 on the login page",
        channel="email",
        now=friday_4pm,
    )
    assert case.company == "Acme" and case.status == "new" and case.priority == "urgent"
    assert case.response_due_at == berlin(2026, 11, 27, 17)  # 1 h
    assert case.resolution_due_at == berlin(2026, 11, 30, 16)  # 8 h: Friday 1 h, Monday 7 h
    view = case_view(people, case.id, now=friday_4pm)
    assert [(m.kind, m.author, m.body) for m in view.thread] == [
        ("customer", "Ada", "500 on the login page")
    ]
    [event] = list_events(people, entity="case", entity_id=case.id)
    assert event.action == "created"


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"priority": "critical"}, "invalid priority"),
        ({"channel": "pigeon"}, "invalid channel"),
        ({"subject": "  "}, "subject"),
        ({"contact": "nobody@nowhere.io"}, "no contact"),
        ({"body": "a\x00b"}, "body"),
    ],
)
def test_bad_input_writes_nothing(people, values: dict, match: str) -> None:
    given = {"subject": "Help", "contact": "ada@acme.com", **values}
    with pytest.raises((Invalid, NotFound), match=match):
        add_case(people, **given)
    with people.read() as session:
        assert session.scalar(select(func.count()).select_from(SupportCase)) == 0


def test_the_first_reply_is_the_first_response(people) -> None:
    case = add_case(people, subject="Help", contact="Ada", now=MONDAY_10)
    noted = reply_case(people, case.id, "checking logs", note=True, now=MONDAY_10)
    assert noted.first_response_at is None and noted.status == "new"
    first = reply_case(people, case.id, "On it", now=berlin(2026, 11, 23, 11))
    assert first.first_response_at == berlin(2026, 11, 23, 11) and first.status == "open"
    again = reply_case(people, case.id, "Fixed?", now=berlin(2026, 11, 23, 12))
    assert again.first_response_at == berlin(2026, 11, 23, 11)
    with people.read() as session:
        assert session.scalar(select(func.count()).select_from(CaseMessage)) == 3
    with pytest.raises(Invalid, match="needs some text"):
        reply_case(people, case.id, "   ")


def test_statuses_resolve_csat_and_reopen(people) -> None:
    case = add_case(people, subject="Help", contact="Ada", now=MONDAY_10)
    pending = set_case_status(people, case.id, "pending", now=MONDAY_10)
    assert pending.status == "pending"
    with pytest.raises(Conflict, match="pending already"):
        set_case_status(people, case.id, "pending")
    with pytest.raises(Invalid, match="csat"):
        resolve_support_case(people, case.id, csat=6)
    resolved = resolve_support_case(people, case.id, now=berlin(2026, 11, 24, 9))
    assert resolved.status == "resolved" and resolved.csat is None
    rated = resolve_support_case(people, case.id, csat=4, comment="fast")
    assert (rated.csat, rated.csat_comment) == (4, "fast")
    with pytest.raises(Conflict, match="has a CSAT score already"):
        resolve_support_case(people, case.id, csat=5)
    with pytest.raises(Conflict, match="reopen it first"):
        reply_case(people, case.id, "hello again")
    closed = set_case_status(people, case.id, "closed")
    assert closed.closed_at is not None and closed.resolved_at == berlin(2026, 11, 24, 9)
    reopened = reopen_case(people, case.id)
    assert (reopened.status, reopened.resolved_at, reopened.csat) == ("open", None, None)
    with pytest.raises(Conflict, match="not resolved or closed"):
        reopen_case(people, case.id)
    actions = [e.action for e in list_events(people, entity="case", entity_id=case.id)]
    assert actions[:3] == ["reopened", "closed", "rated"]


def test_a_new_priority_works_the_targets_out_again(people) -> None:
    case = add_case(people, subject="Help", contact="Ada", priority="low", now=MONDAY_10)
    urgent = edit_case(people, case.id, priority="urgent")
    assert urgent.response_due_at == berlin(2026, 11, 23, 11)
    events = len(list_events(people, entity="case", entity_id=case.id))
    assert edit_case(people, case.id, priority="urgent") == urgent  # the same: no event
    assert len(list_events(people, entity="case", entity_id=case.id)) == events


def test_list_filters_and_the_filter_language(people) -> None:
    a = add_case(people, subject="Login broken", contact="Ada", priority="urgent", now=MONDAY_10)
    b = add_case(people, subject="Invoice", contact="Bob", priority="low", now=MONDAY_10)
    c = add_case(people, subject="Export", contact="Ada", now=MONDAY_10)
    resolve_support_case(people, c.id, now=MONDAY_10)
    later = berlin(2026, 11, 23, 12)
    assert [x.id for x in list_cases(people, now=later)] == [a.id, b.id]  # unresolved
    assert [x.id for x in list_cases(people, status=None, now=later)] == [a.id, b.id, c.id]
    assert [x.id for x in list_cases(people, breached=True, now=later)] == [a.id]  # 1 h gone
    assert [x.id for x in list_cases(people, company="Acme", status="all", now=later)] == [
        a.id,
        c.id,
    ]
    urgent = list_cases(people, where="priority=urgent and status!=closed", status=None)
    assert [x.id for x in urgent] == [a.id]
    assert [x.id for x in list_cases(people, where='"invoice"')] == [b.id]
    assert [x.id for x in list_cases(people, where="contact:ada", status=None)] == [a.id, c.id]
    with pytest.raises(InvalidFilter, match="unknown field 'lifecycle' for cases"):
        list_cases(people, where="lifecycle=customer")


def test_a_case_resolved_without_a_reply_keeps_the_verdict_it_had(people) -> None:
    # Normal priority: response due Tuesday 10:00 (8 h). Resolved on the phone at 11:00
    # without a reply, the case was 'within targets' until Tuesday 10:00 and 'breached'
    # from then on, with nothing done to it, and the report never counted it within SLA.
    quick = add_case(people, subject="quick", contact="Ada", now=MONDAY_10)
    resolve_support_case(people, quick.id, csat=5, now=berlin(2026, 11, 23, 11))
    assert not case_view(people, quick.id, now=berlin(2026, 11, 23, 12)).case.breached
    slow = add_case(people, subject="slow", contact="Ada", now=MONDAY_10)
    resolve_support_case(people, slow.id, now=berlin(2026, 11, 24, 11))  # response was due 10:00
    later = berlin(2026, 12, 10, 12)
    assert not case_view(people, quick.id, now=later).case.breached
    assert case_view(people, slow.id, now=later).case.breached
    assert [c.id for c in list_cases(people, breached=True, status=None, now=later)] == [slow.id]
    report = case_report(
        people, start=date(2026, 11, 23), end=date(2026, 11, 29), now=berlin(2026, 12, 10, 12)
    )
    assert report.rows[0].resolved == 2 and report.rows[0].within_sla == 50.0


@pytest.mark.parametrize("holiday", ["2026-11-23T00:00:00", "2026-11-23 00:00:00+01:00"])
def test_a_holiday_given_as_a_date_and_time_is_refused(holiday: str) -> None:
    # TOML reads it as a datetime, which equals no day: Monday was silently a working day.
    with pytest.raises(ConfigError, match=r"support\.holidays: 2026-11-23T00:00:00.* is a date"):
        parse_config(f"[support]\nholidays = [{holiday}]\n", Path("config.toml"))
    config = parse_config("[support]\nholidays = [2026-11-23]\n", Path("config.toml"))
    assert config.support is not None and date(2026, 11, 23) in config.support.hours.holidays


def test_breaches_are_announced_once_each(people) -> None:
    case = add_case(people, subject="Help", contact="Ada", priority="urgent", now=MONDAY_10)
    soon = berlin(2026, 11, 23, 10, 30)  # 30 min of 1 h left: about to breach (warn 1 h)
    late = berlin(2026, 11, 23, 11, 30)  # past the first-response target

    def run(now: datetime, run_id: str) -> list[str]:
        items = due_items(people, settings=_remind(people), now=now, new_only=True)
        mine = claim_items(people, items, run_id=run_id, now=now)
        confirm_run(people, run_id, now=now)
        return sorted(f"{i.group} {i.key}" for i in mine)

    assert run(soon, "a") == [f"sla_at_risk case-response-risk:{case.id}"]
    assert run(soon, "b") == []
    assert run(late, "c") == [f"sla_breached case-response:{case.id}"]
    assert run(late, "d") == []
    reply_case(people, case.id, "On it", now=late)
    # 8 h target: due Tuesday 10:00, at risk in its last hour of working time; runs in
    # the clock's order (one stamped far after a run's now counts as told under a clock
    # since put back: reminder_claims._void)
    resolution_soon = berlin(2026, 11, 23, 17, 30)
    assert run(resolution_soon, "e") == [f"sla_at_risk case-resolution-risk:{case.id}"]
    assert run(berlin(2026, 11, 24, 9, 15), "f") == []  # still at risk: told already


def test_cron_works_out_no_working_time_for_breaches_told_already(
    people, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each run of remind worked out how late every breached case was (a day at a time
    # through the business hours: ~7 ms for a case two years late) before it looked
    # whether that breach had been told, so a queue of old unanswered cases cost every
    # cron run seconds for nothing. Now what was told is skipped first.
    from tinycrm.business_hours import BusinessHours

    for n in range(3):
        add_case(people, subject=f"Old {n}", contact="Ada", priority="urgent", now=MONDAY_10)
    years_later = berlin(2028, 11, 23, 10)
    items = due_items(people, settings=_remind(people), now=years_later, new_only=True)
    assert len(items) == 6  # two targets each
    claim_items(people, items, run_id="a", now=years_later)
    confirm_run(people, "a", now=years_later)
    worked_out = []
    between = BusinessHours.between

    def counted(self: BusinessHours, a: datetime, b: datetime):  # type: ignore[no-untyped-def]
        worked_out.append((a, b))
        return between(self, a, b)

    monkeypatch.setattr(BusinessHours, "between", counted)
    assert due_items(people, settings=_remind(people), now=years_later, new_only=True) == []
    assert worked_out == []
    assert (
        len(due_items(people, settings=_remind(people), now=years_later)) == 6
    )  # everything due, told or not
    assert "was due" in due_items(people, settings=_remind(people), now=years_later)[0].detail


def test_remove_takes_the_thread(people) -> None:
    case = add_case(people, subject="Help", contact="Ada", body="x", now=MONDAY_10)
    remove_case(people, case.id)
    with people.read() as session:
        assert session.scalar(select(func.count()).select_from(CaseMessage)) == 0
    with pytest.raises(NotFound):
        case_view(people, case.id)


def test_a_case_edited_or_replied_to_while_it_is_deleted_is_not_found(people) -> None:
    """``case edit`` (or ``case reply``) and ``case rm`` of one case at once: the edit
    comes first, or it is refused with one line (the case was deleted just now), never
    the ORM's error; no message of the case is left."""
    writes = [
        lambda ref: edit_case(people, ref, subject="Still broken", now=MONDAY_10),
        lambda ref: reply_case(people, ref, "On it", now=MONDAY_10),
    ]
    rounds = 4
    for n in range(rounds):
        case = add_case(people, subject=f"Help {n}", contact="Ada", now=MONDAY_10)
        write = writes[n % len(writes)]
        outcomes = at_once(
            lambda ref=case.id, write=write: write(ref),
            lambda ref=case.id: remove_case(people, ref),
            expected=(NotFound,),
        )
        assert refused(outcomes[1:]) == 0
        if refused(outcomes):
            assert f"case #{case.id}" in str(outcomes[0])
    assert list_cases(people) == []
    with people.read() as session:
        assert session.scalar(select(func.count()).select_from(CaseMessage)) == 0


def test_the_case_report_from_a_fixed_data_set(people) -> None:
    # Week 48 (Nov 23-29) and week 49 (Nov 30 - Dec 6), normal priority: response 8 h,
    # resolution 40 h of working time.
    one = add_case(people, subject="one", contact="Ada", now=berlin(2026, 11, 23, 9))
    reply_case(people, one.id, "r", now=berlin(2026, 11, 23, 11))  # 2 h
    resolve_support_case(people, one.id, csat=5, now=berlin(2026, 11, 24, 9))  # 8 h
    two = add_case(people, subject="two", contact="Ada", now=berlin(2026, 11, 27, 16))
    reply_case(people, two.id, "r", now=berlin(2026, 11, 30, 10))  # Fri 1 h + Mon 1 h
    resolve_support_case(people, two.id, csat=2, now=berlin(2026, 12, 9, 16))  # late
    three = add_case(people, subject="three", contact="Bob", priority="urgent",
                     now=berlin(2026, 11, 25, 9))  # fmt: skip
    reply_case(people, three.id, "r", now=berlin(2026, 11, 25, 12))  # 3 h: late (1 h)
    resolve_support_case(people, three.id, now=berlin(2026, 12, 1, 9))
    add_case(people, subject="four", contact="Bob", now=berlin(2026, 12, 2, 9))  # open
    report = case_report(
        people, by="week", start=date(2026, 11, 23), end=date(2026, 12, 6),
        now=berlin(2026, 12, 10, 12),
    )  # fmt: skip
    w48, w49 = report.rows
    assert (w48.group, w49.group) == ("2026-W48", "2026-W49")
    assert (w48.opened, w48.resolved, w49.opened, w49.resolved) == (3, 1, 1, 1)
    assert w48.median_first_response_hours == 2.0  # 2 h, 2 h (Fri 16-17, Mon 9-10), 3 h
    assert w48.median_resolution_hours == 8.0
    assert w48.within_sla == 100.0 and w48.csat == 5.0 and w48.csat_count == 1
    assert w48.backlog == 2  # two (resolved Dec 9) and three (Dec 1)
    assert w49.median_resolution_hours == 32.0  # three: Wed 9:00 to Tue 9:00
    assert w49.within_sla == 0.0  # three answered late
    assert w49.backlog == 2  # two and four
    assert w49.median_first_response_hours is None  # four is not answered
    by_priority = case_report(
        people, by="priority", start=date(2026, 11, 23), end=date(2026, 12, 31),
        now=berlin(2026, 12, 31, 12),
    )  # fmt: skip
    assert [(r.group, r.opened, r.resolved) for r in by_priority.rows] == [
        ("urgent", 1, 1),
        ("normal", 3, 2),
    ]
    normal = by_priority.rows[1]
    assert normal.csat == 3.5 and normal.within_sla == 50.0 and normal.backlog == 1


def test_a_merged_contacts_cases_and_contracts_follow_the_kept_one(people) -> None:
    from tinycrm.store.contracts import add_contract, list_contracts
    from tinycrm.store.deals import add_deal, win_deal
    from tinycrm.store.dupes import merge_contacts

    add_contact(people, name="Ada L.", email="ada.l@acme.com")
    case = add_case(people, subject="Help", contact="ada.l@acme.com", now=MONDAY_10)
    add_deal(people, title="Platform", contact="ada.l@acme.com", amount="100")
    win_deal(people, "Platform")
    contract = add_contract(people, deal="Platform", start=date(2026, 1, 1))
    result = merge_contacts(people, "ada@acme.com", "ada.l@acme.com")
    assert (result.moved["cases"], result.moved["contracts"]) == (1, 1)
    assert case_view(people, case.id).case.contact == "Ada"
    assert [c.id for c in list_contracts(people, contact="ada@acme.com")] == [contract.id]


def test_the_feed_opens_a_case(people) -> None:
    from tinycrm.store.feed import list_feed

    case = add_case(people, subject="Help", contact="Ada", now=MONDAY_10)
    [entry] = [e for e in list_feed(people) if e.entity == "case"]
    assert (entry.record_kind, entry.record_id) == ("case", case.id)


def test_a_case_resolved_without_a_reply_and_reopened_keeps_its_response(people) -> None:
    # Resolved on the phone at 11:00 (the response was due Tuesday 10:00): that answered
    # it. Reopened on Wednesday, it had not missed its response target.
    case = add_case(people, subject="quick", contact="Ada", now=MONDAY_10)
    resolve_support_case(people, case.id, now=berlin(2026, 11, 23, 11))
    reopened = reopen_case(people, case.id, now=berlin(2026, 11, 25, 9))
    assert reopened.first_response_at == berlin(2026, 11, 23, 11)
    wednesday = berlin(2026, 11, 25, 9, 30)
    assert not case_view(people, case.id, now=wednesday).case.breached
    assert list_cases(people, breached=True, now=wednesday) == []
    due = {i.key for i in due_items(people, settings=_remind(people), now=wednesday)}
    assert not any(key.startswith("case-response") for key in due)


def test_next_says_a_cases_priority_once_when_both_targets_are_missed(people) -> None:
    add_case(people, subject="Down", contact="Ada", priority="urgent", now=MONDAY_10)
    wednesday = berlin(2026, 11, 25, 12)  # response was due Monday 11:00, resolution Tue 10:00
    [line] = [
        a
        for a in next_actions(people, settings=_remind(people), now=wednesday)
        if a.entity == "case"
    ]
    assert line.reason == "urgent: first response was due 17h ago, resolution was due 10h ago"


# --------------------------------------------------------------------------- pending
# Normal priority: first response 8 h, resolution 5 days (40 h) of working time,
# Monday to Friday 09:00-17:00 in Berlin. Opened Monday 23 November at 10:00, the case
# is due for resolution on Monday 30 November at 10:00 unless it waits on the customer.


def test_time_pending_does_not_count_against_the_resolution_target(people) -> None:
    case = add_case(people, subject="Export fails", contact="Ada", now=MONDAY_10)
    assert case.resolution_due_at == berlin(2026, 11, 30, 10)
    reply_case(people, case.id, "Which file?", now=berlin(2026, 11, 23, 11))
    # pending on Tuesday at 10:00: 8 h of the 40 h gone, 32 h left
    paused = set_case_status(people, case.id, "pending", now=berlin(2026, 11, 24, 10))
    assert paused.resolution_paused and paused.resolution_due_at is None
    assert paused.resolution_left_hours == 32.0  # what it has when it resumes
    assert paused.response_due_at == berlin(2026, 11, 24, 10)  # not moved: met already
    # past the first due time and still waiting on the customer: not breached
    long_after = berlin(2026, 12, 2, 12)
    shown = case_view(people, case.id, now=long_after).case
    assert shown.resolution_paused and not shown.breached and shown.resolution_due_at is None
    assert shown.resolution_left_hours == 32.0  # the time waiting does not take from it
    assert [c.resolution_left_hours for c in list_cases(people, now=long_after)] == [32.0]
    assert list_cases(people, breached=True, now=long_after) == []
    # the customer answers on Thursday at 15:00: 32 h left from then, due Wednesday 15:00
    back = set_case_status(people, case.id, "open", now=berlin(2026, 11, 26, 15))
    assert not back.resolution_paused and back.resolution_left_hours is None
    assert back.resolution_due_at == berlin(2026, 12, 2, 15)
    assert not case_view(people, case.id, now=berlin(2026, 12, 2, 14)).case.breached
    assert case_view(people, case.id, now=berlin(2026, 12, 2, 16)).case.breached
    resolved = resolve_support_case(people, case.id, now=berlin(2026, 12, 1, 16))
    assert not resolved.breached
    assert not case_view(people, case.id, now=berlin(2027, 1, 5, 9)).case.breached


def test_only_working_time_pending_is_given_back(people) -> None:
    # pending from Friday 16:00 to Monday 10:00: one working hour each side of a weekend
    case = add_case(people, subject="Slow", contact="Ada", now=MONDAY_10)
    set_case_status(people, case.id, "pending", now=berlin(2026, 11, 27, 16))
    back = set_case_status(people, case.id, "open", now=berlin(2026, 11, 30, 10))
    assert back.resolution_due_at == berlin(2026, 11, 30, 12)
    # twice: the pauses add up (Monday 11:00-12:00 out of working time again: due 13:00)
    set_case_status(people, case.id, "pending", now=berlin(2026, 11, 30, 11))
    again = set_case_status(people, case.id, "open", now=berlin(2026, 11, 30, 12))
    assert again.resolution_due_at == berlin(2026, 11, 30, 13)
    # a new priority works the targets out again, the time pending still given back:
    # low, 10 days (80 h) from Monday 10:00 is Monday 7 December 10:00, plus 3 h pending
    low = edit_case(people, case.id, priority="low", now=berlin(2026, 11, 30, 12, 30))
    assert low.resolution_due_at == berlin(2026, 12, 7, 13)
    # high, 2 days (16 h): due Wednesday 25 November 10:00, missed before the first pause
    high = edit_case(people, case.id, priority="high", now=berlin(2026, 11, 30, 12, 45))
    assert high.resolution_due_at == berlin(2026, 11, 25, 10) and high.breached


def test_a_target_missed_before_the_case_went_pending_stays_missed(people) -> None:
    case = add_case(people, subject="Down", contact="Ada", priority="urgent", now=MONDAY_10)
    reply_case(people, case.id, "On it", now=berlin(2026, 11, 23, 10, 30))
    # resolution was due Tuesday 10:00; pending from Tuesday 12:00
    late = set_case_status(people, case.id, "pending", now=berlin(2026, 11, 24, 12))
    assert late.breached and not late.resolution_paused and late.resolution_left_hours is None
    assert late.resolution_due_at == berlin(2026, 11, 24, 10)
    back = set_case_status(people, case.id, "open", now=berlin(2026, 11, 26, 9))
    assert back.breached and back.resolution_due_at == berlin(2026, 11, 24, 10)


def test_resolved_while_pending_meets_its_target_and_the_report_leaves_the_wait_out(
    people,
) -> None:
    case = add_case(people, subject="Waiting", contact="Ada", now=MONDAY_10)
    reply_case(people, case.id, "Send the log?", now=berlin(2026, 11, 23, 12))
    set_case_status(people, case.id, "pending", now=berlin(2026, 11, 23, 14))  # 4 h gone
    # the customer never answered; resolved on 3 December, well past 30 November 10:00
    # (its clock stopped with 36 h left: from then on, that is Wednesday 9 December 14:00)
    done = resolve_support_case(people, case.id, now=berlin(2026, 12, 3, 10))
    assert not done.breached and done.resolution_due_at == berlin(2026, 12, 9, 14)
    report = case_report(
        people, start=date(2026, 11, 23), end=date(2026, 12, 31), now=berlin(2026, 12, 31, 12)
    )
    [row] = report.rows
    assert row.resolved == 1 and row.within_sla == 100.0
    assert row.median_resolution_hours == 4.0  # Monday 10:00-14:00; pending not counted
    assert row.median_first_response_hours == 2.0


def test_pending_does_not_pause_the_first_response(people) -> None:
    # pending before any reply: the first-response clock runs on (due Tuesday 10:00), and
    # a resolution without a reply still counts as the first response
    case = add_case(people, subject="Question", contact="Ada", now=MONDAY_10)
    set_case_status(people, case.id, "pending", now=berlin(2026, 11, 23, 11))
    wednesday = berlin(2026, 11, 25, 9)
    shown = case_view(people, case.id, now=wednesday).case
    assert shown.breached and shown.resolution_paused
    keys = {i.key for i in due_items(people, settings=_remind(people), now=wednesday)}
    assert keys == {f"case-response:{case.id}"}  # the response, not the paused resolution
    done = resolve_support_case(people, case.id, now=berlin(2026, 11, 25, 10))
    assert done.breached  # answered (by its resolution) a day late


def test_remind_is_quiet_about_a_paused_resolution_and_tells_the_new_due_time(people) -> None:
    case = add_case(people, subject="Help", contact="Ada", priority="urgent", now=MONDAY_10)
    reply_case(people, case.id, "On it", now=berlin(2026, 11, 23, 10, 15))
    # resolution due Tuesday 10:00; pending on Monday 16:00 with 2 h left
    set_case_status(people, case.id, "pending", now=berlin(2026, 11, 23, 16))
    assert [
        i.key for i in due_items(people, settings=_remind(people), now=berlin(2026, 11, 24, 12))
    ] == []
    # open again on Thursday 9:00: due 11:00 that day
    set_case_status(people, case.id, "open", now=berlin(2026, 11, 26, 9))
    assert [
        i.key for i in due_items(people, settings=_remind(people), now=berlin(2026, 11, 26, 9, 30))
    ] == []
    [risk] = due_items(people, settings=_remind(people), now=berlin(2026, 11, 26, 10, 30))
    assert risk.key == f"case-resolution-risk:{case.id}"
    assert risk.due_at == berlin(2026, 11, 26, 11)
    [late] = due_items(people, settings=_remind(people), now=berlin(2026, 11, 26, 12))
    assert late.key == f"case-resolution:{case.id}" and "1h ago" in late.detail


def test_time_resolved_before_a_reopening_does_not_count_against_the_resolution(
    people,
) -> None:
    # resolved on Tuesday at 10:00 with 32 h left (due Monday 30 November 10:00); the
    # customer writes back and it is reopened on Thursday at 15:00: 32 h from then
    case = add_case(people, subject="Sync broken", contact="Ada", now=MONDAY_10)
    reply_case(people, case.id, "Fixed, I think", now=berlin(2026, 11, 23, 11))
    resolve_support_case(people, case.id, now=berlin(2026, 11, 24, 10))
    back = reopen_case(people, case.id, now=berlin(2026, 11, 26, 15))
    assert back.resolution_due_at == berlin(2026, 12, 2, 15)
    assert not case_view(people, case.id, now=berlin(2026, 12, 1, 12)).case.breached
    # closed on Friday 16:00 with 23 h left, reopened to pending on Monday 10:00 (the
    # clock stays stopped) and open at 11:00: Friday 16-17 and Monday 9-11 given back
    set_case_status(people, case.id, "closed", now=berlin(2026, 11, 27, 16))
    waiting = set_case_status(people, case.id, "pending", now=berlin(2026, 11, 30, 10))
    assert waiting.resolution_paused and not waiting.breached
    assert waiting.resolution_left_hours == 23.0
    again = set_case_status(people, case.id, "open", now=berlin(2026, 11, 30, 11))
    assert again.resolution_due_at == berlin(2026, 12, 3, 10)
    # a new priority gives every stop back: 40 h from Monday 10:00 (30 November 10:00)
    # plus 21 h resolved (Tuesday 10:00 to Thursday 15:00) and 3 h closed and pending
    edited = edit_case(people, case.id, subject="Sync broken again", now=berlin(2026, 11, 30, 12))
    assert edited.resolution_due_at == berlin(2026, 12, 3, 10)
    low = edit_case(people, case.id, priority="low", now=berlin(2026, 11, 30, 12))
    normal = edit_case(people, case.id, priority="normal", now=berlin(2026, 11, 30, 12))
    assert low.resolution_due_at > normal.resolution_due_at == berlin(2026, 12, 3, 10)
    # the report: the resolution took 55 h of working time less the 24 h it was stopped
    done = resolve_support_case(people, case.id, now=berlin(2026, 12, 1, 17))
    assert not done.breached
    report = case_report(
        people, start=date(2026, 11, 23), end=date(2026, 12, 31), now=berlin(2026, 12, 31, 12)
    )
    [row] = report.rows
    assert row.within_sla == 100.0 and row.median_resolution_hours == 31.0


def test_a_case_resolved_late_and_reopened_stays_breached(people) -> None:
    case = add_case(people, subject="Down", contact="Ada", priority="urgent", now=MONDAY_10)
    reply_case(people, case.id, "On it", now=berlin(2026, 11, 23, 10, 30))
    late = resolve_support_case(people, case.id, now=berlin(2026, 11, 24, 12))  # due 10:00
    assert late.breached
    back = reopen_case(people, case.id, now=berlin(2026, 11, 26, 9))
    assert back.breached and back.resolution_due_at == berlin(2026, 11, 24, 10)


def test_moves_given_times_out_of_order_give_nothing_back(people) -> None:
    # pending on Tuesday 10:00, then open "on Monday 16:00" (a clock set back): the
    # moves are taken in the order they were made, and a stop that ends before it
    # starts gives no time back, in the due time and in the report
    case = add_case(people, subject="Clock", contact="Ada", now=MONDAY_10)
    reply_case(people, case.id, "Looking", now=berlin(2026, 11, 23, 11))
    set_case_status(people, case.id, "pending", now=berlin(2026, 11, 24, 10))
    back = set_case_status(people, case.id, "open", now=berlin(2026, 11, 23, 16))
    assert back.resolution_due_at == berlin(2026, 11, 30, 10)
    resolve_support_case(people, case.id, now=berlin(2026, 11, 25, 10))
    report = case_report(
        people, start=date(2026, 11, 23), end=date(2026, 11, 30), now=berlin(2026, 12, 31, 12)
    )
    assert report.rows[0].median_resolution_hours == 16.0


def test_a_holiday_while_pending_counts_nothing(people) -> None:
    use_config(
        people,
        parse_config(
            '[support]\ntimezone = "Europe/Berlin"\nholidays = [2026-11-26]\n', Path("config.toml")
        ),
    )
    # 40 h from Monday 10:00, Thursday a holiday: due Tuesday 1 December 10:00
    case = add_case(people, subject="Holiday", contact="Ada", now=MONDAY_10)
    assert case.resolution_due_at == berlin(2026, 12, 1, 10)
    reply_case(people, case.id, "Which version?", now=berlin(2026, 11, 23, 11))
    # pending on Wednesday 16:00 with 18 h left, open again on Monday 10:00: 10 h back
    waiting = set_case_status(people, case.id, "pending", now=berlin(2026, 11, 25, 16))
    assert waiting.resolution_left_hours == 18.0
    back = set_case_status(people, case.id, "open", now=berlin(2026, 11, 30, 10))
    assert back.resolution_due_at == berlin(2026, 12, 2, 12)


def test_a_new_support_policy_does_not_re_time_a_case(people) -> None:
    # due times are worked out when a case is opened (or its priority changes) and moved
    # by the time its clock stopped; new [support] targets apply to new cases
    case = add_case(people, subject="Policy", contact="Ada", now=MONDAY_10)
    reply_case(people, case.id, "Done?", now=berlin(2026, 11, 23, 11))
    resolve_support_case(people, case.id, now=berlin(2026, 11, 24, 10))  # 32 h left
    use_config(
        people,
        parse_config(
            '[support]\ntimezone = "Europe/Berlin"\nresolution = { normal = "2d" }\n',
            Path("config.toml"),
        ),
    )
    back = reopen_case(people, case.id, now=berlin(2026, 11, 26, 15))
    assert back.resolution_due_at == berlin(2026, 12, 2, 15) and not back.breached
    other = add_case(people, subject="New", contact="Bob", now=MONDAY_10)
    assert other.resolution_due_at == berlin(2026, 11, 25, 10)


def test_new_business_hours_do_not_re_time_a_stopped_clock(people) -> None:
    # pending (or resolved) on Tuesday at 10:00 with 32 h left under 09:00-17:00; the
    # business hours become 08:00-18:00 while it waits: it still has 32 h, which run in
    # the new hours once it resumes on Thursday at 15:00 (3 + 10 + 10 + 9 h: Tuesday
    # 1 December at 17:00), as a case still open keeps the due time it has
    waiting = add_case(people, subject="Waiting", contact="Ada", now=MONDAY_10)
    solved = add_case(people, subject="Solved", contact="Bob", now=MONDAY_10)
    for case in (waiting, solved):
        reply_case(people, case.id, "Which file?", now=berlin(2026, 11, 23, 11))
    set_case_status(people, waiting.id, "pending", now=berlin(2026, 11, 24, 10))
    resolve_support_case(people, solved.id, now=berlin(2026, 11, 24, 10))
    use_config(
        people,
        parse_config(
            '[support]\ntimezone = "Europe/Berlin"\nhours = "08:00-18:00"\n', Path("config.toml")
        ),
    )
    shown = case_view(people, waiting.id, now=berlin(2026, 11, 25, 12)).case
    assert shown.resolution_paused and shown.resolution_left_hours == 32.0
    assert [c.resolution_left_hours for c in list_cases(people, now=berlin(2026, 11, 25))] == [32.0]
    back = set_case_status(people, waiting.id, "open", now=berlin(2026, 11, 26, 15))
    assert back.resolution_due_at == berlin(2026, 12, 1, 17)
    reopened = reopen_case(people, solved.id, now=berlin(2026, 11, 26, 15))
    assert reopened.resolution_due_at == berlin(2026, 12, 1, 17)
    # a new priority while it waits is worked out in the hours of then (08:00-18:00: 5
    # days are 50 h, 10 used by Tuesday 10:00; low, 10 days, leaves 90 h), and kept when
    # they change back; the feed says what the clock had left when it stopped
    slow = add_case(people, subject="Slow", contact="Bob", now=MONDAY_10)
    reply_case(people, slow.id, "Which file?", now=berlin(2026, 11, 23, 11))
    set_case_status(people, slow.id, "pending", now=berlin(2026, 11, 24, 10))
    assert case_view(people, slow.id).case.resolution_left_hours == 40.0
    assert edit_case(people, slow.id, priority="low").resolution_left_hours == 90.0
    use_config(people, parse_config('[support]\ntimezone = "Europe/Berlin"\n', Path("config.toml")))
    assert case_view(people, slow.id).case.resolution_left_hours == 90.0
    events = [e.summary for e in list_events(people, entity="case", entity_id=slow.id)]
    assert "case #3 Slow: open → pending (40h left to resolve)" in events
    assert "updated case #3 Slow: priority (90h left to resolve)" in events


def test_a_closed_case_set_back_to_resolved_keeps_its_resolution(people) -> None:
    # resolved on time on Tuesday, closed on Wednesday, set back to resolved weeks later:
    # it was resolved on Tuesday all along (not breached, counted in Tuesday's period)
    case = add_case(people, subject="Closed", contact="Ada", priority="urgent", now=MONDAY_10)
    reply_case(people, case.id, "Fixed", now=berlin(2026, 11, 23, 10, 30))
    resolve_support_case(people, case.id, csat=5, now=berlin(2026, 11, 24, 9))
    set_case_status(people, case.id, "closed", now=berlin(2026, 11, 25, 9))
    back = set_case_status(people, case.id, "resolved", now=berlin(2026, 12, 14, 9))
    assert back.resolved_at == berlin(2026, 11, 24, 9) and back.closed_at is None
    assert not back.breached and back.csat == 5
