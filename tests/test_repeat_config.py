"""Repeat rules, cadences and the config file (automation rules)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.config import ConfigError, load_config, parse_config
from tinycrm.repeat import (
    next_occurrence,
    normalize_repeat,
    parse_cadence,
    parse_remind,
    reminder_for,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "rule"),
    [("2w", "2w"), ("every 2 weeks", "2w"), ("month", "1m"), ("Weekday", "weekday"),
     ("10 days", "10d"), ("yearly", "1y"), ("daily", "1d"), ("fortnightly", "2w")],
)  # fmt: skip
def test_normalize_repeat(text: str, rule: str) -> None:
    assert normalize_repeat(text) == rule


@pytest.mark.parametrize("text", ["", "0d", "sometimes", "2x", "every"])
def test_bad_repeat_rules(text: str) -> None:
    with pytest.raises(ValueError, match="cannot understand repeat rule"):
        normalize_repeat(text)


def test_next_occurrence_keeps_local_time_across_dst() -> None:
    friday_9am = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)  # 09:00 CET
    monday = next_occurrence(friday_9am, "weekday", tz=BERLIN)
    assert monday.astimezone(BERLIN).isoformat() == "2026-03-30T09:00:00+02:00"  # now CEST
    assert next_occurrence(friday_9am, "1d", tz=BERLIN).astimezone(BERLIN).hour == 9


def test_next_occurrence_clamps_month_ends_and_skips_the_past() -> None:
    jan31 = datetime(2026, 1, 31, 8, 0, tzinfo=UTC)
    assert next_occurrence(jan31, "month", tz=BERLIN).astimezone(BERLIN).day == 28
    late = next_occurrence(jan31, "1w", after=datetime(2026, 3, 1, tzinfo=UTC), tz=BERLIN)
    assert late.astimezone(BERLIN).date().isoformat() == "2026-03-07"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# Berlin moves its clocks on 2027-03-28 (02:00 CET -> 03:00 CEST, at 01:00 UTC) and on
# 2027-10-31 (03:00 CEST -> 02:00 CET, at 01:00 UTC).
@pytest.mark.parametrize(
    ("due", "text", "remind"),
    [
        # spring: hours and minutes are exact; days keep the local time of day
        ("2027-03-28T03:30+02:00", "1h", "2027-03-28T01:30+01:00"),
        ("2027-03-28T03:30+02:00", "30m", "2027-03-28T03:00+02:00"),
        ("2027-03-28T03:30+02:00", "90 min", "2027-03-28T01:00+01:00"),
        ("2027-03-29T09:00+02:00", "1d", "2027-03-28T09:00+02:00"),
        ("2027-03-29T09:00+02:00", "2d", "2027-03-27T09:00+01:00"),  # 47 hours before
        ("2027-03-29T09:00+02:00", "-2d", "2027-03-27T09:00+01:00"),
        ("2027-03-29T09:00+02:00", "2 days before", "2027-03-27T09:00+01:00"),
        ("2027-03-29T09:00+02:00", "1w", "2027-03-22T09:00+01:00"),
        # autumn: the hour before 02:30 CET is the first 02:30, in summer time
        ("2027-10-31T02:30+01:00", "1h", "2027-10-31T02:30+02:00"),
        ("2027-10-31T02:30+01:00", "30m", "2027-10-31T02:00+01:00"),
        ("2027-10-31T02:30+01:00", "-1h", "2027-10-31T02:30+02:00"),
        ("2027-11-01T09:00+01:00", "2d", "2027-10-30T09:00+02:00"),  # 49 hours before
        ("2027-11-01T09:00+01:00", "1 week", "2027-10-25T09:00+02:00"),
        ("2027-10-31T09:00+01:00", "1d", "2027-10-30T09:00+02:00"),  # 25 hours before
        ("2027-10-31T09:00+01:00", "24h", "2027-10-30T10:00+02:00"),
    ],
)
def test_remind_a_duration_before_the_due_time_across_dst(due: str, text: str, remind: str) -> None:
    assert parse_remind(text, due=utc(due), tz=BERLIN) == utc(remind)


@pytest.mark.dates  # reads the real clock
def test_remind_at_a_time_or_from_now() -> None:
    now, due = utc("2027-03-27T12:00+01:00"), utc("2027-03-29T09:00+02:00")
    assert parse_remind("today 17:00", due=due, now=now, tz=BERLIN) == utc("2027-03-27T17:00+01:00")
    assert parse_remind("+2h", due=due, now=now, tz=BERLIN) == utc("2027-03-27T14:00+01:00")
    assert parse_remind("2027-03-28 10:00", due=due, tz=BERLIN) == utc("2027-03-28T10:00+02:00")
    for bad in ("5x", "", "3 months", "soon"):
        with pytest.raises(ValueError, match="cannot understand reminder"):
            parse_remind(bad, due=due, tz=BERLIN)
    with pytest.raises(ValueError, match="out of range"):
        parse_remind("999999w", due=due, tz=BERLIN)


def test_a_repeating_reminder_keeps_its_lead_across_dst() -> None:
    was_due = utc("2027-03-29T09:00+02:00")
    due = utc("2027-04-05T09:00+02:00")
    two_days = reminder_for(
        due, was_due=was_due, was_reminded=utc("2027-03-27T09:00+01:00"), tz=BERLIN
    )
    assert two_days == utc("2027-04-03T09:00+02:00")  # 9:00 two days before, not 10:00
    ninety = reminder_for(
        due, was_due=was_due, was_reminded=utc("2027-03-29T07:30+02:00"), tz=BERLIN
    )
    assert ninety == due - (was_due - utc("2027-03-29T07:30+02:00"))
    autumn = reminder_for(
        utc("2027-11-01T09:00+01:00"),
        was_due=utc("2027-10-25T09:00+02:00"),
        was_reminded=utc("2027-10-24T09:00+02:00"),
        tz=BERLIN,
    )
    assert autumn == utc("2027-10-31T09:00+01:00")


@pytest.mark.parametrize(
    ("text", "days"),
    [("30d", 30), ("2w", 14), ("3m", 90), ("1y", 365), ("45", 45), ("month", 30), ("none", None)],
)
def test_cadence(text: str, days: int | None) -> None:
    assert parse_cadence(text) == days


@pytest.mark.dates  # reads the real clock
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_parsers_only_raise_value_error(text: str) -> None:
    due = datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
    for parse in (normalize_repeat, parse_cadence, lambda t: parse_remind(t, due=due, tz=BERLIN)):
        with contextlib.suppress(ValueError):
            parse(text)


GOOD = """\
[remind]
closing_days = 10

[[rules]]
name = "Proposal follow-up"
when = "deal.stage"
stage = "Proposal"
task = "Follow up on {deal} with {contact}"
due = "+3d"

[[rules]]
when = "deal.won"
set_contact_lifecycle = "customer"
"""


@pytest.mark.dates  # reads the real clock
def test_good_config() -> None:
    config = parse_config(GOOD, Path("c.toml"))
    assert config.closing_days == 10
    first, second = config.rules
    assert (first.label, first.when, first.stage, first.line) == (
        "Proposal follow-up", "deal.stage", "Proposal", 4)  # fmt: skip
    assert first.describe() == (
        "when a deal enters Proposal: add task 'Follow up on {deal} with {contact}' due +3d"
    )
    assert second.label == "rule 2"
    assert "lifecycle to customer" in second.describe()


@pytest.mark.dates  # reads the real clock
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rules]]\nwhen = 'deal.moved'\ntask = 'x'\n", "line 2: rules[1].when 'deal.moved'"),
        ("[[rules]]\nwhen = 'deal.won'\n", "does nothing"),
        (
            "[[rules]]\nwhen = 'deal.won'\ntask = 'x'\ncolour = 'red'\n",
            "line 4: rules[1]: unknown key 'colour'",
        ),
        ("[[rules]]\nwhen = 'deal.won'\ntask = 'x'\ndue = 'soonish'\n", "line 4: rules[1].due"),
        ("[[rules]]\nwhen = 'deal.won'\ntask = 'Call {nme}'\n", "unknown placeholder {nme}"),
        ("[[rules]]\nwhen = 'deal.won'\nset_contact_lifecycle = 'vip'\n", "line 3"),
        ("[remind]\nclosing_days = 'soon'\n", "line 2: remind.closing_days"),
        ("[rules\n", "c.toml"),
        ("[smpt]\nhost = 'x'\n", "line 1: unknown section or key 'smpt'"),
        ("[[rules]]\nwhen = 'contact.created'\nstage = 'x'\ntask = 'y'\n", "stage only applies"),
        (  # a contact rule with a pipeline never fired: no deal, so no pipeline
            "[[rules]]\nwhen = 'contact.created'\npipeline = 'Sales'\ntask = 'y'\n",
            "line 3: rules[1].pipeline only applies to deal rules",
        ),
        ("[keys]\nwon = 'W'\n", "line 2: keys: 'won' is not a binding id"),
        ("[remind]\n[keys]\n'board.won' = 5\n", "line 3: keys.board.won must be keys"),
        ("[keys]\n'board.won' = 'shift w'\n", "line 2: keys.board.won must be keys"),
        ("keys = 'W'\n", "[keys] must be a table"),
    ],
)  # fmt: skip
def test_config_errors_name_line_and_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, Path("c.toml"))
    assert message in str(err.value)
    assert str(err.value).startswith("c.toml")
    assert "\n" not in str(err.value)


def test_keys_map_binding_ids_to_keys() -> None:
    text = "[keys]\n'board.won' = 'W'\n\"app.quit\" = 'ctrl+q, f10'\n'rows.down' = 'j'\n"
    config = parse_config(text, Path("c.toml"))
    assert config.keys == {"board.won": "W", "app.quit": "ctrl+q,f10", "rows.down": "j"}
    assert parse_config("", Path("c.toml")).keys == {}


def test_missing_config_is_empty(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nope.toml")
    assert (config.exists, config.rules, config.closing_days) == (False, (), 7)


def test_occurrences_follow_the_rule_from_its_anchor() -> None:
    from tinycrm.repeat import rrule_text

    anchor = datetime(2028, 2, 29, 9, 0, tzinfo=BERLIN)  # a leap day, yearly
    due, seen = anchor, []
    for _ in range(4):
        due = next_occurrence(due, "yearly", tz=BERLIN, anchor=anchor)
        seen.append(due.astimezone(BERLIN).date().isoformat())
    assert seen == ["2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29"]
    jan30 = datetime(2027, 1, 30, 9, 0, tzinfo=BERLIN)
    feb = next_occurrence(jan30, "month", tz=BERLIN, anchor=jan30)
    assert next_occurrence(feb, "month", tz=BERLIN, anchor=jan30).day == 30  # not 28
    assert rrule_text("month", anchor=jan30, tz=BERLIN) == (
        "FREQ=MONTHLY;BYSETPOS=-1;BYMONTHDAY=28,29,30"
    )
    assert rrule_text("2w", anchor=jan30, tz=BERLIN) == "FREQ=WEEKLY;INTERVAL=2"
    assert rrule_text("weekday", anchor=jan30, tz=BERLIN) == "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
    assert rrule_text("yearly", anchor=jan30, tz=BERLIN) == ("FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=30")


def test_next_touch_runs_from_the_last_interaction() -> None:
    from datetime import timedelta

    from tinycrm.repeat import next_touch

    today = datetime(2026, 12, 5, tzinfo=UTC)
    call = today - timedelta(days=40)
    assert next_touch(30, started=today, last=call) == call + timedelta(days=30)
    assert next_touch(30, started=today, last=None) == today + timedelta(days=30)
