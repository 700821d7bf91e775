"""What is due, announced once; rules; sequences; the next-action queue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from tinycrm.store import Conflict, Invalid
from tinycrm.store.activities import add_task, complete_task, list_tasks, log_activity
from tinycrm.store.contacts import add_contact, edit_contact, get_contact
from tinycrm.store.deals import add_deal, lose_deal, move_deal, win_deal
from tinycrm.store.log_models import StageChange
from tinycrm.store.models import Activity, Contact, Deal, Stage
from tinycrm.store.reminders import (
    claim_items,
    confirm_run,
    due_items,
    next_actions,
    release_run,
)
from tinycrm.store.sequences import (
    add_sequence,
    enroll_contacts,
    list_enrollments,
    list_sequences,
    stop_sequence,
)

from .settings_helpers import follow_config

BERLIN = ZoneInfo("Europe/Berlin")  # the suite's zone (tests/conftest.py sets TZ)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 11:00 in Berlin (TZ set by conftest)


def backdate(store, model, ident: int, **values) -> None:
    """Move a record's times into the past (the store always stamps 'now')."""
    with store.write() as session:
        session.execute(update(model).where(model.id == ident).values(**values))


def keys(items) -> list[tuple[str, str]]:
    return [(i.group, i.key) for i in items]


def every_group(store) -> dict[str, int]:
    """One item of each group due at NOW; their ids."""
    ada = add_contact(store, name="Ada", cadence_days=30)
    backdate(store, Contact, ada.id, created_at=NOW - timedelta(days=40))
    late = add_task(store, text="late", due=NOW - timedelta(days=2), contact="Ada")
    today = add_task(store, text="today", due=NOW + timedelta(hours=3))
    soon = add_task(
        store, text="friday", due=NOW + timedelta(days=4), remind=NOW - timedelta(minutes=5)
    )
    add_task(store, text="later", due=NOW + timedelta(days=5))
    deal = add_deal(store, title="Acme", amount=10000, stage="Proposal", contact="Ada",
                    close_date=date(2026, 11, 27))  # fmt: skip
    backdate(store, Deal, deal.id, created_at=NOW - timedelta(days=30))
    backdate(store, StageChange, 1, at=NOW - timedelta(days=30))
    return {"ada": ada.id, "late": late.id, "today": today.id, "soon": soon.id, "deal": deal.id}


def test_due_groups(store) -> None:
    ids = every_group(store)
    ada, overdue, today, soon, deal = (ids[k] for k in ("ada", "late", "today", "soon", "deal"))
    items = due_items(store, now=NOW, closing_days=7)
    assert keys(items) == [
        ("overdue", f"task:{overdue}"),
        ("today", f"task:{today}"),
        ("reminder", f"remind:{soon}"),
        ("keep_in_touch", f"cadence:{ada}"),
        ("rotting", f"rotting:{deal}"),
        ("closing", f"closing:{deal}"),
    ]
    rotting = items[4]
    assert rotting.line() == (
        "Acme: €10,000.00 at 50%, no activity for 30 days, Proposal rots after 10"
    )
    assert items[5].detail == "expected to close in 4 days (2026-11-27)"
    assert "never contacted" in items[3].detail
    # every item says whether it is late, as --json and --csv write it (was: only the
    # contracts' and quotes', DueItem.late an AttributeError on the others)
    assert [(i.late, i.model_dump()["late"]) for i in items] == [(False, False)] * 6
    # acting on items takes them off
    log_activity(store, kind="call", text="caught up", ref="deal:Acme", at=NOW)
    complete_task(store, overdue)
    left = keys(due_items(store, now=NOW + timedelta(minutes=1), closing_days=2))
    assert ("rotting", f"rotting:{deal}") not in left
    assert ("overdue", f"task:{overdue}") not in left
    assert ("closing", f"closing:{deal}") not in left  # outside 2 days
    assert ("keep_in_touch", f"cadence:{ada}") not in left  # the call was with Ada


def test_announced_once_per_due_time(store) -> None:
    task = add_task(store, text="late", due=NOW - timedelta(hours=1))
    items = due_items(store, now=NOW)
    first = claim_items(store, items, run_id="run-1", now=NOW)
    assert [i.key for i in first] == [f"task:{task.id}"]
    second = claim_items(store, due_items(store, now=NOW), run_id="run-2", now=NOW)
    assert second == []  # claimed by run-1, still delivering: not told twice
    confirm_run(store, "run-1", now=NOW)
    assert claim_items(store, due_items(store, now=NOW), run_id="run-3", now=NOW) == []
    # a new due time is a new announcement
    with store.write() as session:
        session.execute(
            update(Activity).where(Activity.id == task.id).values(due_at=NOW - timedelta(minutes=5))
        )
    assert len(claim_items(store, due_items(store, now=NOW), run_id="run-4", now=NOW)) == 1


def test_failed_delivery_releases_and_stale_claims_expire(store) -> None:
    add_task(store, text="late", due=NOW - timedelta(hours=1))
    assert len(claim_items(store, due_items(store, now=NOW), run_id="a", now=NOW)) == 1
    release_run(store, "a")
    assert len(claim_items(store, due_items(store, now=NOW), run_id="b", now=NOW)) == 1
    # run b dies without confirming: 15 minutes later its claim is taken over
    later = NOW + timedelta(minutes=16)
    assert len(claim_items(store, due_items(store, now=later), run_id="c", now=later)) == 1


def test_a_run_that_failed_in_part_records_where_its_items_went_out(store) -> None:
    """A run printed and mailed its two items and its webhook failed: the claims go back,
    with where they went out; the next run reads that and is told the item's channels
    (none for an item told nowhere); once announced, the record goes."""
    from tinycrm.store.announcements import told_on

    a = add_task(store, text="a", due=NOW - timedelta(hours=2))
    b = add_task(store, text="b", due=NOW - timedelta(hours=1))
    first = claim_items(store, due_items(store, now=NOW), run_id="first", now=NOW)
    assert [i.entity_id for i in first] == [a.id, b.id]
    release_run(store, "first", told={"stdout": first, "mail:me@x.io": first[:1]}, now=NOW)
    again = claim_items(store, due_items(store, now=NOW, new_only=True), run_id="next", now=NOW)
    assert again == first  # every item is claimed again, for the webhook
    pairs = [(i.key, i.due_at) for i in again]
    assert told_on(store, pairs) == {pairs[0]: {"stdout", "mail:me@x.io"}, pairs[1]: {"stdout"}}
    release_run(store, "next", told={"stdout": again}, now=NOW)  # recorded again: no error
    last = claim_items(store, due_items(store, now=NOW, new_only=True), run_id="last", now=NOW)
    confirm_run(store, "last", items=last, now=NOW)
    assert told_on(store, pairs) == {}
    assert due_items(store, now=NOW, new_only=True) == []
    # a record of an item no longer due (its task done) goes a month later
    c = add_task(store, text="c", due=NOW - timedelta(hours=1))
    (item,) = claim_items(store, due_items(store, now=NOW, new_only=True), run_id="c", now=NOW)
    release_run(store, "c", told={"stdout": [item]}, now=NOW)
    complete_task(store, c.id)
    month = NOW + timedelta(days=31)
    release_run(store, "none", told={"stdout": []}, now=month)
    assert told_on(store, [(item.key, item.due_at)]) == {}


def test_a_dead_runs_claim_expires_also_after_the_clock_moved_back(store) -> None:
    """A run claimed at NOW and was killed; then the clock was set back a day (a VM
    restored, a wrong NTP step). Its claim, stamped a day ahead, is no live run's: the
    next run takes it over (was: nothing told for a day and 15 minutes)."""
    add_task(store, text="late", due=NOW - timedelta(days=3))
    assert len(claim_items(store, due_items(store, now=NOW), run_id="died", now=NOW)) == 1
    back = NOW - timedelta(days=1)
    assert [i.title for i in due_items(store, now=back, new_only=True)] == ["late"]
    assert len(claim_items(store, due_items(store, now=back), run_id="next", now=back)) == 1
    # A claim a few minutes ahead (another machine's clock) is a live run's.
    behind = back - timedelta(minutes=5)
    assert due_items(store, now=behind, new_only=True) == []
    assert claim_items(store, due_items(store, now=behind), run_id="skewed", now=behind) == []


def test_a_run_that_outlived_its_claims_still_marks_what_it_told(store) -> None:
    """A run stalled past 15 minutes (a suspended laptop, a slow SMTP server): a later run
    took its claims over, failed and gave them back; the slow run then delivered. Its items
    stay told (was: its confirmation found no rows of its own, and a third run told them
    again)."""
    add_task(store, text="late", due=NOW - timedelta(hours=1))
    slow = claim_items(store, due_items(store, now=NOW), run_id="slow", now=NOW)
    later = NOW + timedelta(minutes=16)
    fresh = due_items(store, now=later, new_only=True)
    assert len(claim_items(store, fresh, run_id="fast", now=later)) == 1
    confirm_run(store, "slow", items=slow, now=later)
    release_run(store, "fast")
    assert due_items(store, now=later, new_only=True) == []


def test_new_only_leaves_out_what_was_told(store) -> None:
    ids = every_group(store)
    everything = due_items(store, now=NOW, closing_days=7)
    assert len({i.group for i in everything}) == 6
    assert due_items(store, now=NOW, closing_days=7, new_only=True) == everything
    # A run claims half of them and is still delivering: the rest are new.
    claim_items(store, everything[::2], run_id="busy", now=NOW)
    assert due_items(store, now=NOW, closing_days=7, new_only=True) == everything[1::2]
    confirm_run(store, "busy", now=NOW)
    claim_items(store, everything[1::2], run_id="done", now=NOW)
    confirm_run(store, "done", now=NOW)
    assert due_items(store, now=NOW, closing_days=7, new_only=True) == []
    assert due_items(store, now=NOW, closing_days=7) == everything
    # New due times are new items: the task moves, the deal's close date changes.
    with store.write() as session:
        session.execute(
            update(Activity)
            .where(Activity.id == ids["late"])
            .values(due_at=NOW - timedelta(days=1))
        )
        session.execute(
            update(Deal).where(Deal.id == ids["deal"]).values(close_date=date(2026, 11, 26))
        )
    fresh = due_items(store, now=NOW, closing_days=7, new_only=True)
    assert keys(fresh) == [
        ("overdue", f"task:{ids['late']}"),
        ("closing", f"closing:{ids['deal']}"),
    ]


def test_new_only_takes_over_a_dead_runs_claims(store) -> None:
    every_group(store)
    everything = due_items(store, now=NOW, closing_days=7)
    claim_items(store, everything, run_id="died", now=NOW)  # never confirmed nor released
    assert due_items(store, now=NOW + timedelta(minutes=5), closing_days=7, new_only=True) == []
    later = NOW + timedelta(minutes=16)
    again = due_items(store, now=later, closing_days=7, new_only=True)
    assert keys(again) == keys(due_items(store, now=later, closing_days=7))
    assert len(claim_items(store, again, run_id="next", now=later)) == len(again) == 6


def test_repeating_task_and_reminder_lead(store, freeze_clock) -> None:
    # Completed on time (the store's clock at NOW): the next one is a week later. Done
    # late, it lands after the day it was done (test_repeat_config.py covers that).
    freeze_clock(NOW)
    task = add_task(store, text="weekly report", due=NOW, every="every week",
                    remind=NOW - timedelta(hours=1))  # fmt: skip
    assert task.repeat == "1w"
    complete_task(store, task.id)
    (following,) = list_tasks(store, scope="open")
    assert following.subject == "weekly report"
    assert following.due_at == NOW + timedelta(weeks=1)
    assert following.remind_at == following.due_at - timedelta(hours=1)
    with pytest.raises(Invalid, match="repeat rule"):
        add_task(store, text="x", due=NOW, every="sometimes")
    with pytest.raises(Invalid, match="reminder must not be after"):
        add_task(store, text="x", due=NOW, remind=NOW + timedelta(hours=1))


@pytest.mark.parametrize("every", ["year", "day", "month"])
def test_a_repeating_task_at_the_end_of_the_calendar_is_done_and_ends(store, every) -> None:
    """Done, a yearly task due 9999-12-31 had no next year: 'task done' ended in a
    ValueError traceback ('repeat rule never reaches the future') and it stayed open."""
    task = add_task(store, text="last one", due=datetime(9999, 12, 31, 9, 0, tzinfo=UTC),
                    every=every, remind=datetime(9999, 12, 31, 8, 0, tzinfo=UTC))  # fmt: skip
    assert complete_task(store, task.id).done_at is not None
    assert list_tasks(store, scope="open") == []


def test_a_deal_closing_on_the_first_day_there_is_is_due_not_a_crash(store) -> None:
    """A deal closing 0001-01-01 (deal add --close takes it): that day's midnight in
    Berlin (local mean time, +0:53) is before the year 1 in UTC, and every 'tinycrm remind'
    and 'tinycrm next' ended in an OverflowError traceback: no reminder reached anyone."""
    deal = add_deal(store, title="Typo", close_date=date(1, 1, 1))
    items = [i for i in due_items(store, now=NOW) if i.entity_id == deal.id]
    assert [i.group for i in items] == ["closing"]
    assert next_actions(store, now=NOW)


def test_cadence_edit_and_validation(store) -> None:
    add_contact(store, name="Ada")
    assert edit_contact(store, "Ada", cadence_days=14).cadence_days == 14
    assert get_contact(store, "Ada").cadence_days == 14
    assert edit_contact(store, "Ada", cadence_days=None).cadence_days is None
    with pytest.raises(Invalid):
        edit_contact(store, "Ada", cadence_days=0)


RULES = """\
[[rules]]
name = "First touch"
when = "contact.created"
lifecycle = "lead"
task = "First touch: {name} at {company}"
due = "+1d"

[[rules]]
when = "deal.stage"
stage = "proposal"
task = "Chase the proposal for {deal}"
due = "+3d"

[[rules]]
when = "deal.won"
set_contact_lifecycle = "customer"

[[rules]]
when = "deal.lost"
task = "Check in with {contact}"
due = "+90d"
"""


@pytest.fixture
def rules(store, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(RULES)
    follow_config(store, path)  # as tinycrm.open gives the store the config's rules
    return path


def test_rules_run_inside_the_write(store, rules: Path) -> None:
    add_contact(store, name="Ada", company="Acme")
    add_contact(store, name="Bob", lifecycle="customer")  # not a lead: no task
    assert [t.subject for t in list_tasks(store)] == ["First touch: Ada at Acme"]
    add_deal(store, title="Big", contact="Ada")
    move_deal(store, "Big", "Proposal")
    assert "Chase the proposal for Big" in [t.subject for t in list_tasks(store)]
    win_deal(store, "Big")
    assert get_contact(store, "Ada").lifecycle == "customer"
    add_deal(store, title="Small", contact="Bob")
    lose_deal(store, "Small", reason="price")
    check_in = [t for t in list_tasks(store) if t.subject == "Check in with Bob"]
    assert len(check_in) == 1
    assert check_in[0].due_at > datetime.now(UTC) + timedelta(days=89)


def test_a_broken_config_refuses_the_write(store, rules: Path) -> None:
    rules.write_text("[[rules]]\nwhen = 'deal.moved'\ntask = 'x'\n")
    follow_config(store, rules)
    with pytest.raises(Invalid, match="line 2"):
        add_contact(store, name="Ada")
    rules.write_text(RULES)
    follow_config(store, rules)
    add_contact(store, name="Ada")


def test_a_brace_in_a_rules_task_is_kept_as_typed(store, rules: Path) -> None:
    """Before: ``task = "Call {contact"`` passed the config's check, then every deal
    added failed with a ValueError traceback (Python's format syntax)."""
    rules.write_text('[[rules]]\nwhen = "deal.created"\ntask = "Call {contact re {deal} :}"\n')
    follow_config(store, rules)
    add_contact(store, name="Ada {deal}")
    add_deal(store, title="Big", contact="Ada {deal}")
    assert [t.subject for t in list_tasks(store)] == ["Call {contact re Big :}"]
    rules.write_text('[[rules]]\nwhen = "deal.created"\ntask = "Call {contakt}"\n')
    follow_config(store, rules)
    with pytest.raises(Invalid, match=r"unknown placeholder \{contakt\}"):
        add_deal(store, title="Small")


def test_sequences(store) -> None:
    add_contact(store, name="Ada Lovelace", company="Engines")
    add_contact(store, name="Bob")
    steps = [(3, "Call {first_name}"), (0, "Welcome mail to {company}")]
    seq = add_sequence(store, name="Onboarding", steps=steps)
    assert [s.day_offset for s in seq.steps] == [0, 3]
    with pytest.raises(Invalid, match="placeholder"):
        add_sequence(store, name="Bad", steps=[(0, "Hi {nickname}")])
    (enrollment,) = enroll_contacts(store, "onboarding", ["Ada Lovelace"])
    assert enrollment.tasks == 2
    subjects = sorted(t.subject for t in list_tasks(store))
    assert subjects == ["Call Ada", "Welcome mail to Engines"]
    with pytest.raises(Conflict, match="already in sequence"):
        enroll_contacts(store, "Onboarding", ["Ada Lovelace"])
    enroll_contacts(store, "Onboarding", ["Bob"])
    assert list_sequences(store)[0].active == 2
    # winning a deal with Ada cancels her remaining steps
    add_deal(store, title="D", contact="Ada Lovelace")
    win_deal(store, "D")
    assert sorted(t.subject for t in list_tasks(store)) == ["Call Bob", "Welcome mail to"]
    assert stop_sequence(store, "Onboarding", ["Bob"]) == 1
    assert list_tasks(store) == []
    reasons = {e.contact: e.stop_reason for e in list_enrollments(store, "Onboarding")}
    assert reasons == {"Ada Lovelace": "deal won", "Bob": "stopped"}
    with pytest.raises(Conflict, match="is not in sequence"):
        stop_sequence(store, "Onboarding", ["Bob"])


def test_next_actions_order(store) -> None:
    """A hand-built queue: the order below is the one a founder would want."""
    add_contact(store, name="Ada", company="Acme", cadence_days=14)
    add_contact(store, name="Bob")
    big = add_deal(store, title="Acme renewal", contact="Ada", amount=18500,
                   stage="Negotiation")  # fmt: skip
    small = add_deal(store, title="Tiny upsell", contact="Bob", amount=500, stage="Lead-in")
    fresh = add_deal(store, title="Fresh lead", contact="Bob", amount=50000)
    for deal_id in (big.id, small.id):
        backdate(store, Deal, deal_id, created_at=NOW - timedelta(days=21))
    with store.write() as session:
        session.execute(update(StageChange).values(at=NOW - timedelta(days=21)))
    backdate(store, Contact, 1, created_at=NOW - timedelta(days=20))
    add_task(store, text="Send contract", due=NOW - timedelta(days=3), deal="Acme renewal")
    add_task(store, text="Water the plants", due=NOW - timedelta(days=1))
    add_task(store, text="Prepare demo", due=NOW + timedelta(days=2), deal="Fresh lead")
    backdate(store, Deal, fresh.id, created_at=NOW - timedelta(hours=1))
    queue = next_actions(store, now=NOW)
    # The big renewal, untouched for 21 days, outweighs its own overdue task; the tiny
    # upsell (rotting, no next step) beats a personal chore; the lapsed cadence is last;
    # "Fresh lead" has a next step and is new, so it is not in the queue at all.
    assert [q.title for q in queue] == [
        "Acme renewal (Acme)",
        "Send contract",
        "Tiny upsell",
        "Water the plants",
        "Ada (Acme)",
    ]
    renewal = queue[0]
    assert renewal.reason == (
        "€18,500.00 at 75%, no activity for 21 days, Negotiation rots after 7"
    )
    assert "no next step" in queue[2].reason
    # acting lowers or removes: log a call on the renewal and it leaves the queue
    log_activity(store, kind="call", text="call", ref="deal:Acme renewal", at=NOW)
    titles = [q.title for q in next_actions(store, now=NOW + timedelta(minutes=1))]
    assert "Acme renewal (Acme)" not in titles
    assert "Ada (Acme)" not in titles  # the call was with Ada too


def test_local_day_on_daylight_saving_days() -> None:
    from tinycrm.dates import local_day

    spring = local_day(datetime(2026, 3, 29, 12, 0, tzinfo=UTC))  # Berlin: 23-hour day
    autumn = local_day(datetime(2026, 10, 25, 12, 0, tzinfo=UTC))  # Berlin: 25-hour day
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert autumn[1] - autumn[0] == timedelta(hours=25)
    assert spring[0] == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # midnight CET
    assert autumn[1] == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # next midnight, CET again


def test_remind_just_after_local_midnight(store) -> None:
    """00:10 in Berlin is 23:10 UTC the day before: 'today' is already the new day."""
    just_after = datetime(2026, 11, 23, 23, 10, tzinfo=UTC)  # 00:10 on the 24th in Berlin
    add_task(store, text="late last night", due=datetime(2026, 11, 23, 22, 30, tzinfo=UTC))
    add_task(store, text="this morning", due=datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    add_task(store, text="tomorrow", due=datetime(2026, 11, 25, 7, 0, tzinfo=UTC))
    groups = {i.title: i.group for i in due_items(store, now=just_after)}
    assert groups == {"late last night": "overdue", "this morning": "today"}


def test_remind_across_the_autumn_change(store) -> None:
    """On 2026-10-25 Berlin has 25 hours: a task at 23:30 local is still 'today'."""
    morning = datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    late = datetime(2026, 10, 25, 22, 30, tzinfo=UTC)  # 23:30 CET, the same local day
    add_task(store, text="late evening", due=late)
    assert [(i.title, i.group) for i in due_items(store, now=morning)] == [
        ("late evening", "today")
    ]


def test_monthly_task_on_the_31st_stays_anchored(store, freeze_clock) -> None:
    """Completing each occurrence on its day: Jan 31, Feb 28, Mar 31, Apr 30 (not Mar 28)."""
    berlin_9am = datetime(2027, 1, 31, 8, 0, tzinfo=UTC)
    freeze_clock(berlin_9am)
    task = add_task(store, text="invoice run", due=berlin_9am, every="monthly")
    days = [task.due_at]
    for _ in range(3):
        freeze_clock(days[-1])
        complete_task(store, task.id)
        (task,) = list_tasks(store, scope="open")
        days.append(task.due_at)
    assert [(d.month, d.day) for d in days] == [(1, 31), (2, 28), (3, 31), (4, 30)]
    assert {d.astimezone(BERLIN).strftime("%H:%M") for d in days} == {"09:00"}
    assert task.repeat_anchor == berlin_9am


def test_daily_task_keeps_its_hour_after_the_night_without_it(store, freeze_clock) -> None:
    """02:30 does not exist on 2027-03-28 in Berlin (the suite's zone): that day's task is
    at 03:30, and the next one is at 02:30 again, not 03:30 for ever after."""
    first = datetime(2027, 3, 27, 1, 30, tzinfo=UTC)  # 02:30 CET
    freeze_clock(first)
    task = add_task(store, text="backup check", due=first, every="daily")
    local = []
    for _ in range(3):
        freeze_clock(task.due_at)
        complete_task(store, task.id)
        (task,) = list_tasks(store, scope="open")
        local.append(task.due_at.astimezone(BERLIN).strftime("%m-%d %H:%M"))
    assert local == ["03-28 03:30", "03-29 02:30", "03-30 02:30"]


@pytest.mark.parametrize("history", ["imported history", "logged today"])
def test_cadence_runs_from_the_last_interaction(store, history) -> None:
    """A contact entered today whose last call was 40 days ago, with a 30-day cadence, is
    due now (someone moving in from another CRM imports their history)."""
    from tinycrm.store.views import contact_view

    ada = add_contact(store, name="Ada", cadence_days=30)
    when = NOW - timedelta(days=40) if history == "imported history" else NOW
    log_activity(store, kind="call", text="Talked", contact="Ada", at=when)
    items = [i for i in due_items(store, now=NOW) if i.group == "keep_in_touch"]
    if history == "imported history":
        assert [i.entity_id for i in items] == [ada.id]
        assert items[0].due_at == when + timedelta(days=30)
        assert "last contact 40 days ago" in items[0].detail
    else:
        assert items == []
    assert contact_view(store, ada.id).next_touch == when + timedelta(days=30)


def test_a_cadence_past_the_last_date_there_is_has_no_next_touch(store) -> None:
    """A call dated 9999-12-31 (log --at took any date; a mail's Date header still can)
    with a 30-day cadence: 'contact show' ended in an OverflowError traceback working out
    when the next touch is due."""
    from tinycrm.store.activity_rows import new_activity_row
    from tinycrm.store.models import Activity
    from tinycrm.store.views import contact_view

    ada = add_contact(store, name="Ada", cadence_days=30)
    far = datetime(9999, 12, 31, 12, 0, tzinfo=UTC)
    columns = {"kind": "call", "subject": "Far ahead", "contact_id": ada.id, "occurred_at": far}
    with store.write() as session:
        session.add(Activity(**new_activity_row(None, columns, owner="tester", stamp=NOW)))
    assert contact_view(store, ada.id).next_touch is None
    assert [i for i in due_items(store, now=NOW) if i.group == "keep_in_touch"] == []


def test_cadence_without_interactions_runs_from_creation_or_when_it_was_set(
    store, freeze_clock
) -> None:
    from tinycrm.store.views import contact_view

    freeze_clock(NOW - timedelta(days=100))
    add_contact(store, name="Old", cadence_days=30)  # created 100 days ago: due
    add_contact(store, name="Later")  # the cadence set today: not due for 30 days
    freeze_clock(NOW)
    edit_contact(store, "Later", cadence_days=30)
    due = {i.title: i.due_at for i in due_items(store, now=NOW) if i.group == "keep_in_touch"}
    assert due == {"Old": NOW - timedelta(days=70)}
    assert contact_view(store, "Later").next_touch == NOW + timedelta(days=30)
    assert contact_view(store, "Old").next_touch == NOW - timedelta(days=70)
    later = NOW + timedelta(days=31)
    due = {i.title for i in due_items(store, now=later) if i.group == "keep_in_touch"}
    assert due == {"Old", "Later"}


def test_three_runs_claiming_at_once_tell_each_item_once(store) -> None:
    """Cron fired while a run from the terminal and a slow one were claiming: on SQLite
    and PostgreSQL, each item goes to exactly one of them, none is lost."""
    import threading

    told: list[str] = []
    lock = threading.Lock()
    for round_ in range(3):
        for n in range(20):
            add_task(store, text=f"t{round_}-{n}", due=NOW - timedelta(hours=1))
        barrier = threading.Barrier(3)

        def run(name: str, barrier: threading.Barrier = barrier) -> None:
            items = due_items(store, now=NOW, new_only=True)
            barrier.wait()  # all three read the same items, then claim at once
            mine = claim_items(store, items, run_id=name, now=NOW)
            confirm_run(store, name, items=mine, now=NOW)
            with lock:
                told.extend(i.key for i in mine)

        threads = [threading.Thread(target=run, args=(f"r{round_}-{k}",)) for k in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(told) == len(set(told)) == 60


def test_an_item_told_under_a_clock_set_ahead_is_told_once_after_it_is_put_back(store) -> None:
    """The clock ran two days ahead (a wrong NTP step, a VM restored from the future): a
    run told tomorrow's task as overdue, stamped two days ahead. Put back, that record is
    later than now: it is not a telling, and the task is told, once, when it is due (was:
    never again, its record read as told)."""
    from tinycrm.store.announcements import told_on

    task = add_task(store, text="tomorrow", due=NOW + timedelta(days=1))
    ahead = NOW + timedelta(days=2)
    (item,) = claim_items(store, due_items(store, now=ahead), run_id="ahead", now=ahead)
    release_run(store, "ahead", told={"stdout": [item]}, now=ahead)
    (item,) = claim_items(store, due_items(store, now=ahead), run_id="ahead2", now=ahead)
    confirm_run(store, "ahead2", items=[item], now=ahead)
    release_run(store, "gone", told={"stdout": [item]}, now=ahead)  # a channel's record
    due = NOW + timedelta(days=1, minutes=1)  # the clock put back; the task is due
    assert [i.entity_id for i in due_items(store, now=due, new_only=True)] == [task.id]
    assert told_on(store, [(item.key, item.due_at)], now=due) == {}  # stdout had it ahead
    (again,) = claim_items(store, due_items(store, now=due, new_only=True), run_id="b", now=due)
    confirm_run(store, "b", items=[again], now=due)
    later = due + timedelta(hours=1)
    assert due_items(store, now=later, new_only=True) == []
    assert claim_items(store, due_items(store, now=later), run_id="c", now=later) == []
    # A record a few minutes ahead (another machine's clock) is a telling.
    other = add_task(store, text="other", due=NOW - timedelta(hours=1))
    (one,) = claim_items(store, due_items(store, now=later), run_id="d", now=later)
    confirm_run(store, "d", items=[one], now=later + timedelta(minutes=5))
    assert due_items(store, now=later, new_only=True) == []
    assert claim_items(store, due_items(store, now=later), run_id="e", now=later) == []
    assert one.entity_id == other.id


def test_one_day_is_said_in_the_singular(store) -> None:
    """A deal closing tomorrow was told as 'expected to close in 1 days', one whose day
    was yesterday 'passed 1 days ago', a stage rotting after a day 'no activity for 1
    days' and a daily cadence 'last contact 1 days ago; keep in touch every 1 days' in
    remind's list, mail, webhook text and desktop notification."""
    add_deal(store, title="Soon", close_date=date(2026, 11, 24))
    add_deal(store, title="Gone", close_date=date(2026, 11, 22))
    ada = add_contact(store, name="Ada", cadence_days=1)
    log_activity(store, kind="call", text="Talked", contact="Ada", at=NOW - timedelta(days=1))
    stale = add_deal(store, title="Stale", stage="Proposal")
    idle = NOW - timedelta(days=1, hours=1)
    with store.write() as session:
        session.execute(update(Stage).where(Stage.name == "Proposal").values(rotting_days=1))
        session.execute(update(StageChange).where(StageChange.deal_id == stale.id).values(at=idle))
    backdate(store, Deal, stale.id, created_at=idle)
    told = {i.title: i.detail for i in due_items(store, now=NOW, closing_days=7)}
    assert told["Soon"] == "expected to close tomorrow (2026-11-24)"
    assert told["Gone"] == "expected close date passed yesterday (2026-11-22)"
    assert told["Stale"] == "no activity for 1 day, Proposal rots after 1"
    assert told["Ada"] == "last contact 1 day ago; keep in touch every day"
    assert ada.id
