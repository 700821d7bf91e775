"""Tests for tinycrm.dates: parsing WHEN/DATE input, time zones and display."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.dates import format_local, humanize, local_tz, parse_date, parse_when, to_local

BER = ZoneInfo("Europe/Berlin")
NYC = ZoneInfo("America/New_York")
# Monday 2026-11-23, 14:05 in Berlin (CET, UTC+1).
NOW = datetime(2026, 11, 23, 14, 5, tzinfo=BER)
TODAY = date(2026, 11, 23)

FUZZ = settings(max_examples=300, deadline=None)


def when(text: str, *, now: datetime = NOW, tz: tzinfo = BER, **kw: bool) -> datetime:
    """parse_when with a fixed clock and zone; checks the result is UTC."""
    result = parse_when(text, now=now, tz=tz, **kw)
    assert result.tzinfo is not None
    assert result.utcoffset() == timedelta(0)
    return result


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    """A Berlin wall-clock time, as UTC."""
    return datetime(y, mo, d, h, mi, s, tzinfo=BER).astimezone(UTC)


# --------------------------------------------------------------------------- parse_when


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW.astimezone(UTC)),
        ("NOW", NOW.astimezone(UTC)),
        ("today", local(2026, 11, 23)),
        ("  Tomorrow  ", local(2026, 11, 24)),
        ("yesterday", local(2026, 11, 22)),
        # ISO dates are local midnight; datetimes without offset are local wall time
        ("2026-12-01", local(2026, 12, 1)),
        ("2026-12-01T14:30", local(2026, 12, 1, 14, 30)),
        ("2026-12-01 14:30", local(2026, 12, 1, 14, 30)),
        ("2026-12-01 14:30:15", local(2026, 12, 1, 14, 30, 15)),
        ("2026-12-01t14:30:15", local(2026, 12, 1, 14, 30, 15)),
        ("2026-12-01T14:30Z", datetime(2026, 12, 1, 14, 30, tzinfo=UTC)),
        ("2026-12-01T14:30:00+01:00", datetime(2026, 12, 1, 13, 30, tzinfo=UTC)),
        ("2026-12-01T14:30:00-0500", datetime(2026, 12, 1, 19, 30, tzinfo=UTC)),
        ("2026-12-01 14:30 +05:30", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("2026-12-01T14:30:00.250Z", datetime(2026, 12, 1, 14, 30, 0, 250000, tzinfo=UTC)),
        # relative days/weeks/months/years: local midnight of the target day
        ("+3d", local(2026, 11, 26)),
        ("-1d", local(2026, 11, 22)),
        ("+2w", local(2026, 12, 7)),
        ("+1m", local(2026, 12, 23)),
        ("+1y", local(2027, 11, 23)),
        ("+0d", local(2026, 11, 23)),
        ("+3 days", local(2026, 11, 26)),
        ("in 3 days", local(2026, 11, 26)),
        ("in 2 weeks", local(2026, 12, 7)),
        ("in 1 month", local(2026, 12, 23)),
        ("in a week", local(2026, 11, 30)),
        ("3 days ago", local(2026, 11, 20)),
        ("2 weeks ago", local(2026, 11, 9)),
        ("next week", local(2026, 11, 30)),
        ("next month", local(2026, 12, 23)),
        # relative hours/minutes: exact durations from now
        ("+4h", local(2026, 11, 23, 18, 5)),
        ("+30min", local(2026, 11, 23, 14, 35)),
        ("-30min", local(2026, 11, 23, 13, 35)),
        ("in 4 hours", local(2026, 11, 23, 18, 5)),
        ("in an hour", local(2026, 11, 23, 15, 5)),
        ("2 hours ago", local(2026, 11, 23, 12, 5)),
        ("in 45 minutes", local(2026, 11, 23, 14, 50)),
        # weekdays (NOW is a Monday): strictly after / before today
        ("monday", local(2026, 11, 30)),
        ("mon", local(2026, 11, 30)),
        ("next monday", local(2026, 11, 30)),
        ("tue", local(2026, 11, 24)),
        ("Friday", local(2026, 11, 27)),
        ("sun", local(2026, 11, 29)),
        ("last friday", local(2026, 11, 20)),
        ("last monday", local(2026, 11, 16)),
        ("last sunday", local(2026, 11, 22)),
        # day words with a time
        ("tomorrow 14:00", local(2026, 11, 24, 14)),
        ("next monday 9:30", local(2026, 11, 30, 9, 30)),
        ("today 17:00", local(2026, 11, 23, 17)),
        ("2026-12-01 9am", local(2026, 12, 1, 9)),
        ("tomorrow 5pm", local(2026, 11, 24, 17)),
        ("tomorrow 5:30pm", local(2026, 11, 24, 17, 30)),
        ("tomorrow at 5 PM", local(2026, 11, 24, 17)),
        ("tomorrow 12am", local(2026, 11, 24, 0)),
        ("tomorrow 12pm", local(2026, 11, 24, 12)),
        ("+3d 10:00", local(2026, 11, 26, 10)),
        ("in 2 weeks 9am", local(2026, 12, 7, 9)),
        # a time alone is today
        ("17:00", local(2026, 11, 23, 17)),
        ("9am", local(2026, 11, 23, 9)),
        # end of period
        ("eom", local(2026, 11, 30)),
        ("end of quarter", local(2026, 12, 31)),
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    assert when(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", local(2026, 11, 23, 23, 59, 59)),
        ("tomorrow", local(2026, 11, 24, 23, 59, 59)),
        ("2026-12-01", local(2026, 12, 1, 23, 59, 59)),
        ("+3d", local(2026, 11, 26, 23, 59, 59)),
        ("next friday", local(2026, 11, 27, 23, 59, 59)),
        # an explicit time wins over end_of_day
        ("tomorrow 09:00", local(2026, 11, 24, 9)),
        ("2026-12-01T14:30", local(2026, 12, 1, 14, 30)),
        # durations are not day expressions
        ("+4h", local(2026, 11, 23, 18, 5)),
        ("now", NOW.astimezone(UTC)),
    ],
)
def test_parse_when_end_of_day(text: str, expected: datetime) -> None:
    assert when(text, end_of_day=True) == expected


def test_months_clamp_to_month_end() -> None:
    jan31 = datetime(2026, 1, 31, 10, 0, tzinfo=BER)
    assert when("+1m", now=jan31) == local(2026, 2, 28)
    assert when("in 1 month", now=jan31) == local(2026, 2, 28)
    assert when("+3m", now=jan31) == local(2026, 4, 30)
    assert when("-2m", now=jan31) == local(2025, 11, 30)
    leap = datetime(2028, 2, 29, 10, 0, tzinfo=BER)
    assert when("+1y", now=leap) == local(2029, 2, 28)
    assert when("+4y", now=leap) == local(2032, 2, 29)


def test_spring_forward_day_words_are_local_midnight() -> None:
    # Berlin switches CET -> CEST at 2026-03-29 02:00 local.
    sat = datetime(2026, 3, 28, 12, 0, tzinfo=BER)
    assert when("tomorrow", now=sat) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # +01:00
    assert when("+2d", now=sat) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # +02:00
    assert when("tomorrow 12:00", now=sat) == datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
    assert when("tomorrow", now=sat, end_of_day=True) == datetime(
        2026, 3, 29, 21, 59, 59, tzinfo=UTC
    )
    # durations are exact: 24 hours later is 13:00 on the wall clock
    later = when("in 24 hours", now=sat)
    assert later == datetime(2026, 3, 29, 11, 0, tzinfo=UTC)
    assert later.astimezone(BER).hour == 13
    # a wall time inside the gap does not crash; it lands just after the switch
    gap = when("2026-03-29 02:30", now=sat)
    assert gap == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert gap.astimezone(BER).hour == 3


def test_fall_back_day_words_are_local_midnight() -> None:
    # Berlin switches CEST -> CET at 2026-10-25 03:00 local.
    sat = datetime(2026, 10, 24, 12, 0, tzinfo=BER)
    assert when("tomorrow", now=sat) == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # +02:00
    assert when("+2d", now=sat) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # +01:00
    assert when("tomorrow 12:00", now=sat) == datetime(2026, 10, 25, 11, 0, tzinfo=UTC)
    assert when("next monday", now=sat) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    # an ambiguous wall time resolves to the first occurrence (still CEST)
    assert when("2026-10-25 02:30", now=sat) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_just_after_local_midnight_uses_the_local_date() -> None:
    # 00:30 on Tuesday in Berlin is still Monday 23:30 in UTC.
    now = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert now.astimezone(BER).date() == date(2026, 11, 24)
    assert when("today", now=now) == local(2026, 11, 24)
    assert when("tomorrow", now=now) == local(2026, 11, 25)
    assert when("yesterday", now=now) == local(2026, 11, 23)
    assert when("monday", now=now) == local(2026, 11, 30)
    assert when("last monday", now=now) == local(2026, 11, 23)
    assert when("+1d", now=now) == local(2026, 11, 25)
    assert when("17:00", now=now) == local(2026, 11, 24, 17)
    assert when("now", now=now) == now


def test_negative_offset_zone_evening() -> None:
    # 21:00 in New York is already the next day in UTC.
    now = datetime(2026, 11, 23, 21, 0, tzinfo=NYC)
    assert when("today", now=now, tz=NYC) == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    assert when("tomorrow 9am", now=now, tz=NYC) == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def test_naive_now_is_local() -> None:
    naive = datetime(2026, 11, 23, 14, 5)
    assert when("now", now=naive) == NOW.astimezone(UTC)
    assert when("+1h", now=naive) == local(2026, 11, 23, 15, 5)


@pytest.mark.dates  # reads the real clock
def test_default_now_and_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    before = datetime.now(UTC)
    result = parse_when("now")
    assert before <= result <= datetime.now(UTC)
    today = parse_when("today")
    assert today.astimezone(BER).time() == datetime.min.time()
    # today's local midnight is at most a day before now
    assert timedelta(0) <= datetime.now(UTC) - today <= timedelta(days=1)


def test_fixed_offset_tz_is_accepted() -> None:
    plus2 = timezone(timedelta(hours=2))
    now = datetime(2026, 6, 1, 12, 0, tzinfo=plus2)
    assert when("tomorrow", now=now, tz=plus2) == datetime(2026, 6, 1, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("nxt monday", "cannot understand date 'nxt monday'"),
        ("tomorow", "cannot understand"),
        ("2026-02-30", "invalid date '2026-02-30'"),
        ("2026-13-01", "invalid date"),
        ("0000-01-01", "invalid date"),
        ("2026-12-01T25:00", "invalid time"),
        ("25:00", "invalid time"),
        ("tomorrow 24:00", "invalid time"),
        ("tomorrow 9:60", "invalid time"),
        ("tomorrow 13pm", "invalid time"),
        ("tomorrow 0am", "invalid time"),
        ("tomorrow 9", "cannot understand"),
        ("+3x", "unknown unit 'x'"),
        ("in 2 fortnights", "unknown unit"),
        ("+99999999y", "out of range"),
        ("+999999999d", "out of range"),
        ("+999999999w", "out of range"),
        ("+999999999h", "out of range"),
        ("9999-12-31T23:59-05:00", "out of range"),
        # a year of five digits and a count of ten were "cannot understand", as a typo is
        ("10000-01-01", "date '10000-01-01' is out of range"),
        ("99999-12-31 10:00", "date '99999-12-31 10:00' is out of range"),
        ("+1000000000d", "date '+1000000000d' is out of range"),
        ("in 99999999999 days", "date 'in 99999999999 days' is out of range"),
        ("12345678901 weeks ago", "date '12345678901 weeks ago' is out of range"),
        ("0001-01-01", "out of range"),  # local midnight in Berlin is before year 1 in UTC
        ("2026-12-01T10:00+25:00", "invalid UTC offset"),
        ("+4h 14:00", "cannot add a time of day"),
        ("this monday", "cannot understand"),
        ("next banana", "cannot understand"),
        ("line\nbreak", "cannot understand date 'line break'"),
    ],
)
def test_parse_when_errors(text: str, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        when(text)
    message = str(info.value)
    assert fragment in message
    assert len(message.splitlines()) == 1


def test_a_time_out_of_range_says_the_range() -> None:
    """`task add T --due 9999-12-31` said only 'out of range', though --close 9999-12-31
    is taken: the times tinycrm keeps stop a little before the calendar does."""
    with pytest.raises(ValueError) as info:
        when("9999-12-31")
    assert str(info.value) == (
        "date '9999-12-31' is out of range (a time is from 0001-01-03 to before 9999-12-29)"
    )


def test_error_message_exact() -> None:
    with pytest.raises(ValueError) as info:
        when("next banana")
    assert str(info.value) == (
        "cannot understand date 'next banana' "
        "(try 2026-12-01, today, tomorrow, +3d, next monday, in 2 weeks)"
    )


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("tomorow", "tomorrow"),
        ("Tommorow 9:00", "tomorrow 9:00"),
        ("nxt monday", "next monday"),
        ("next mondy", "next monday"),
        ("yesterdy", "yesterday"),
    ],
)
def test_a_misspelt_word_is_offered_respelt(text: str, meant: str) -> None:
    """A typo of one of the words dates know is answered with the date it would be, not
    the general hint: 'tomorow' asks "did you mean 'tomorrow'?"."""
    for parse in (when, lambda t: parse_date(t, today=date(2026, 12, 7), tz=UTC)):
        with pytest.raises(ValueError) as info:
            parse(text)
        assert str(info.value) == f"cannot understand date {text!r} (did you mean {meant!r}?)"


@pytest.mark.parametrize(
    ("text", "typed", "unit"), [("in 3 dyas", "dyas", "days"), ("2 weks ago", "weks", "weeks")]
)
def test_a_misspelt_unit_is_offered_respelt(text: str, typed: str, unit: str) -> None:
    with pytest.raises(ValueError) as info:
        when(text)
    assert str(info.value) == (
        f"unknown unit {typed!r} in {text!r}, did you mean {unit!r}? "
        "(use d, w, m, y, h or min: e.g. +3d, +2w, +1m, +4h, +30min)"
    )


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        ("31/12/2026", "write it year-month-day: 2026-12-31"),
        ("31.12.2026", "write it year-month-day: 2026-12-31"),
        ("12/31/2026", "write it year-month-day: 2026-12-31"),
        ("31/12/2026 9:00", "write it year-month-day: 2026-12-31 9:00"),
        ("3/4/2026", "write it year-month-day: 2026-04-03 or 2026-03-04"),
        ("04-03-2026", "write it year-month-day: 2026-03-04 or 2026-04-03"),
        ("7/7/2026", "write it year-month-day: 2026-07-07"),
    ],
)
def test_a_day_written_with_slashes_or_dots_is_told_its_iso_form(text: str, advice: str) -> None:
    """`--close 31/12/2026` got the general hint (2026-12-01, today, ...), leaving a new
    user to work out which order tinycrm wants; the message now writes their day the way
    tinycrm reads it (both ways when the order cannot be told)."""
    for parse in (when, lambda t: parse_date(t, today=TODAY, tz=BER)):
        with pytest.raises(ValueError) as info:
            parse(text)
        message = str(info.value)
        assert message == f"cannot understand date {text!r} ({advice})"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "invalid date '2026-02-30' (February 2026 has 28 days)"),
        ("2027-02-29 9:00", "invalid date '2027-02-29 9:00' (February 2027 has 28 days)"),
        ("2026-04-31", "invalid date '2026-04-31' (April 2026 has 30 days)"),
        ("2026-13-01", "invalid date '2026-13-01' (there is no month 13)"),
        ("2026-02-00", "invalid date '2026-02-00' (there is no day 0)"),
        ("0000-01-01", "invalid date '0000-01-01' (there is no year 0)"),
        (
            "31/02/2026",
            "cannot understand date '31/02/2026' (February 2026 has 28 days; "
            "write a day year-month-day, as 2026-02-28)",
        ),
        (
            "29.02.2027",
            "cannot understand date '29.02.2027' (February 2027 has 28 days; "
            "write a day year-month-day, as 2027-02-28)",
        ),
        (
            "02/31/2026",
            "cannot understand date '02/31/2026' (February 2026 has 28 days; "
            "write a day year-month-day, as 2026-02-28)",
        ),
        (
            "31/02",
            "cannot understand date '31/02' (February 2026 has 28 days; "
            "write a day year-month-day, as 2026-02-28)",
        ),
        (
            "32/12/2026",
            "cannot understand date '32/12/2026' (December 2026 has 31 days; "
            "write a day year-month-day, as 2026-12-31)",
        ),
        (
            "13/13/2026",
            "cannot understand date '13/13/2026' (there is no month 13; "
            "write a day year-month-day)",
        ),
        ("31/12", "cannot understand date '31/12' (write it year-month-day: 2026-12-31)"),
    ],
)
def test_a_day_that_is_no_day_is_told_why(text: str, message: str) -> None:
    """`--close 31/02`, `29/02/2027` and `31/02/2026` got the general hint (try
    2026-12-01, today, ...) and `--due 2026-02-30` 'no such day': neither said what was
    wrong with a day that looks right. Now the month's length (or that there is no such
    month), and the month's last day to write instead; a day with no year is this year's."""
    for parse in (when, lambda t: parse_date(t, today=TODAY, tz=BER)):
        with pytest.raises(ValueError) as info:
            parse(text)
        assert str(info.value) == message


def test_a_slashed_text_that_is_no_day_of_any_year_gets_the_general_hint() -> None:
    with pytest.raises(ValueError) as info:
        when("1/2/3")
    assert "(try 2026-12-01, today" in str(info.value)


def test_long_input_is_truncated_in_message() -> None:
    with pytest.raises(ValueError) as info:
        when("x" * 500)
    assert len(str(info.value)) < 150


# --------------------------------------------------------------------------- parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026/12/01", date(2026, 12, 1)),
        ("2026-1-5", date(2026, 1, 5)),
        ("today", TODAY),
        ("now", TODAY),
        ("tomorrow", date(2026, 11, 24)),
        ("yesterday", date(2026, 11, 22)),
        ("+3d", date(2026, 11, 26)),
        ("+1m", date(2026, 12, 23)),
        ("-1y", date(2025, 11, 23)),
        ("next monday", date(2026, 11, 30)),
        ("last friday", date(2026, 11, 20)),
        ("in 2 weeks", date(2026, 12, 7)),
        ("3 days ago", date(2026, 11, 20)),
        ("end of month", date(2026, 11, 30)),
        ("EOM", date(2026, 11, 30)),
        ("end of the month", date(2026, 11, 30)),
        ("end of quarter", date(2026, 12, 31)),
        ("eoq", date(2026, 12, 31)),
        ("end of year", date(2026, 12, 31)),
        ("eoy", date(2026, 12, 31)),
        ("tomorrow 14:00", date(2026, 11, 24)),
        ("2026-12-01T14:30", date(2026, 12, 1)),
        # with an offset, the instant is converted to the local zone first
        ("2026-12-01T23:30Z", date(2026, 12, 2)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY, tz=BER) == expected


@pytest.mark.parametrize(
    ("today", "eom", "eoq"),
    [
        (date(2026, 1, 15), date(2026, 1, 31), date(2026, 3, 31)),
        (date(2026, 2, 1), date(2026, 2, 28), date(2026, 3, 31)),
        (date(2028, 2, 10), date(2028, 2, 29), date(2028, 3, 31)),
        (date(2026, 3, 31), date(2026, 3, 31), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 30), date(2026, 6, 30)),
        (date(2026, 8, 20), date(2026, 8, 31), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 31), date(2026, 12, 31)),
    ],
)
def test_end_of_month_and_quarter(today: date, eom: date, eoq: date) -> None:
    assert parse_date("eom", today=today) == eom
    assert parse_date("eoq", today=today) == eoq


def test_parse_date_rejects_clock_offsets() -> None:
    with pytest.raises(ValueError, match="hours or minutes"):
        parse_date("+4h", today=TODAY, tz=BER)


@pytest.mark.dates  # reads the real clock
def test_parse_date_default_today_uses_zone() -> None:
    assert parse_date("today", tz=BER) == datetime.now(BER).date()


@pytest.mark.parametrize("text", ["", "nxt monday", "2026-02-30", "soon", "+99999999y"])
def test_parse_date_errors(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_date(text, today=TODAY, tz=BER)
    assert len(str(info.value).splitlines()) == 1


# --------------------------------------------------------------------------- zones & display


def test_local_tz_respects_tz_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert local_tz() == ZoneInfo("Europe/Berlin")
    monkeypatch.setenv("TZ", ":America/New_York")
    assert local_tz() == ZoneInfo("America/New_York")
    monkeypatch.setenv("TZ", "")
    assert local_tz().utcoffset(datetime(2026, 1, 1)) == timedelta(0)


@pytest.mark.parametrize("value", ["Not/AZone", "../etc/passwd", "/etc/localtime", "CET-1CEST"])
def test_local_tz_invalid_tz_env_falls_back(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TZ", value)
    zone = local_tz()
    assert isinstance(zone, tzinfo)
    assert datetime(2026, 1, 1, tzinfo=zone).utcoffset() is not None


@pytest.mark.parametrize("value", ["UTC+99", "XYZ-48"])
def test_a_posix_tz_past_a_day_is_utc_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """TZ=UTC+99 (a POSIX rule the C library takes, 99 hours behind) made every command
    that reads the local day (remind, task list, ...) end in a traceback: "offset must be a
    timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)". Now such a
    zone is taken as UTC, as the C library takes a TZ it cannot read."""
    import time

    from tinycrm.dates import _zone_for_env

    monkeypatch.setenv("TZ", value)
    time.tzset()
    _zone_for_env.cache_clear()
    try:
        assert local_tz().utcoffset(datetime(2026, 1, 1)) == timedelta(0)
    finally:
        monkeypatch.undo()
        time.tzset()
        _zone_for_env.cache_clear()


def test_local_tz_without_tz_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TZ", raising=False)
    zone = local_tz()
    assert datetime(2026, 1, 1, tzinfo=zone).utcoffset() is not None


def test_to_local() -> None:
    utc = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert to_local(utc, BER) == datetime(2026, 7, 1, 14, 0, tzinfo=BER)
    assert to_local(utc, BER).utcoffset() == timedelta(hours=2)
    # naive input is taken as UTC
    assert to_local(datetime(2026, 7, 1, 12, 0), BER).hour == 14


def test_to_local_default_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert to_local(datetime(2026, 1, 1, 12, 0, tzinfo=UTC)).hour == 13


def test_format_local() -> None:
    assert format_local(None) == ""
    assert format_local(datetime(2026, 11, 23, 13, 5, tzinfo=UTC), tz=BER) == "2026-11-23 14:05"
    assert format_local(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), tz=BER) == "2026-07-02 01:30"


def test_format_local_default_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    assert format_local(datetime(2026, 11, 23, 13, 5, tzinfo=UTC)) == "2026-11-23 08:05"


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (NOW, "just now"),
        (NOW - timedelta(seconds=30), "just now"),
        (NOW + timedelta(seconds=30), "just now"),
        (NOW - timedelta(minutes=5), "5 min ago"),
        (NOW + timedelta(minutes=5), "in 5 min"),
        (NOW - timedelta(minutes=59, seconds=59), "59 min ago"),
        (NOW - timedelta(hours=3), "3 h ago"),
        (NOW + timedelta(hours=3), "in 3 h"),
        (NOW - timedelta(hours=23), "23 h ago"),
        # an hour and 59 minutes is not "1 h" (floored, an hour off)
        (NOW + timedelta(hours=1, minutes=59, seconds=59), "in 1 h 59 min"),
        (NOW - timedelta(hours=1, minutes=59), "1 h 59 min ago"),
        (NOW + timedelta(hours=1, seconds=30), "in 1 h"),
        (datetime(2026, 11, 22, 10, 0, tzinfo=BER), "yesterday"),
        (datetime(2026, 11, 24, 18, 0, tzinfo=BER), "tomorrow"),
        (datetime(2026, 11, 19, 10, 0, tzinfo=BER), "4 days ago"),
        (datetime(2026, 11, 25, 15, 0, tzinfo=BER), "in 2 days"),
        (datetime(2026, 11, 29, 15, 0, tzinfo=BER), "in 6 days"),
        (datetime(2026, 11, 30, 15, 0, tzinfo=BER), "2026-11-30"),
        (datetime(2026, 3, 1, 12, 0, tzinfo=BER), "2026-03-01"),
        # the date shown is the local one
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), "2026-03-02"),
    ],
)
def test_humanize(dt: datetime, expected: str) -> None:
    assert humanize(dt, now=NOW, tz=BER) == expected


@pytest.mark.dates  # reads the real clock
def test_humanize_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert humanize(datetime.now(UTC) - timedelta(minutes=10)) == "10 min ago"
    # naive datetimes are taken as UTC
    naive_utc_now = datetime.now(UTC).replace(tzinfo=None)
    assert humanize(naive_utc_now) == "just now"


def test_humanize_extremes_do_not_crash() -> None:
    assert humanize(datetime.max.replace(tzinfo=UTC), now=NOW, tz=BER) == "9999-12-31"
    assert humanize(datetime.min.replace(tzinfo=UTC), now=NOW, tz=BER) == "0001-01-01"


# --------------------------------------------------------------------------- properties

_WORDS = st.sampled_from(
    [
        "now",
        "today",
        "tomorrow",
        "yesterday",
        "monday",
        "next fri",
        "last sunday",
        "eom",
        "eoq",
        "end of year",
        "next week",
        "in 2 weeks",
        "3 days ago",
        "+1m",
        "+4h",
        "-30min",
        "2026-12-01",
        "2026-02-29",
        "9999-12-31",
        "0001-01-01",
    ]
)
_TIMES = st.sampled_from(["", " 14:00", " 9:30", " 9am", " 12pm", " 5:30pm", " 24:00", " 13pm"])
_STRUCTURED = st.one_of(
    st.builds(lambda w, t: w + t, _WORDS, _TIMES),
    st.from_regex(
        r"\A[+-]?[0-9]{1,12} ?(d|w|m|y|h|min|days|weeks|months|hours|minutes|x)\Z",
        fullmatch=True,
    ),
    st.from_regex(r"\A(in|\+|-) ?[0-9]{1,12} ?[a-z]{1,8}( ago)?\Z", fullmatch=True),
    st.from_regex(
        r"\A[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([tT ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
        r"( ?(Z|[+-][0-9]{2}(:?[0-9]{2})?))?)?\Z",
        fullmatch=True,
    ),
)
_ANY_TEXT = st.one_of(st.text(), st.text(alphabet="0123456789+-:. tTzZapmdwhyinoe"), _STRUCTURED)
_NOWS = st.datetimes(
    min_value=datetime(1, 1, 3), max_value=datetime(9999, 12, 29), timezones=st.just(UTC)
)
_ZONES = st.sampled_from([BER, NYC, UTC, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("Pacific/Apia")])


@FUZZ
@given(text=_ANY_TEXT, now=_NOWS, tz=_ZONES, end_of_day=st.booleans())
def test_parse_when_returns_utc_or_value_error(
    text: str, now: datetime, tz: tzinfo, end_of_day: bool
) -> None:
    try:
        result = parse_when(text, now=now, tz=tz, end_of_day=end_of_day)
    except ValueError as exc:
        assert len(str(exc).splitlines()) == 1
    else:
        assert result.utcoffset() == timedelta(0)


@FUZZ
@given(text=_ANY_TEXT, today=st.dates(), tz=_ZONES)
def test_parse_date_returns_date_or_value_error(text: str, today: date, tz: tzinfo) -> None:
    try:
        result = parse_date(text, today=today, tz=tz)
    except ValueError as exc:
        assert len(str(exc).splitlines()) == 1
    else:
        assert type(result) is date


@FUZZ
@given(st.dates())
def test_parse_date_iso_round_trip(day: date) -> None:
    assert parse_date(day.isoformat(), today=TODAY, tz=BER) == day


@FUZZ
@given(st.datetimes(timezones=st.just(UTC)))
def test_parse_when_iso_round_trip(dt: datetime) -> None:
    assert parse_when(dt.isoformat(), now=NOW, tz=BER) == dt


@FUZZ
@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    _ZONES,
)
def test_format_local_round_trips_through_parse_when(dt: datetime, tz: tzinfo) -> None:
    shown = format_local(dt, tz=tz)
    parsed = parse_when(shown, now=NOW, tz=tz)
    # same minute, unless the wall time is ambiguous (then off by the DST shift at most)
    assert abs(parsed - dt.replace(second=0, microsecond=0)) <= timedelta(hours=1)
    assert format_local(parsed, tz=tz) == shown


@pytest.mark.parametrize("text", ["0001-01-01 00:00", "0001-01-01T12:00Z", "9999-12-31 12:00"])
def test_a_time_at_the_edge_of_the_calendar_is_out_of_range(text: str) -> None:
    """'0001-01-01 00:00' in UTC was taken, and then could not be shown in a zone behind
    it (Pacific/Kiritimati's first offset was -10:29): activity show, contact show and
    every list of it failed with a traceback. A time within two days of the calendar's
    ends is refused."""
    with pytest.raises(ValueError, match="out of range"):
        parse_when(text, tz=UTC)


def test_a_stored_time_at_the_edge_of_the_calendar_is_shown_in_utc() -> None:
    """One stored before that (or by a script): shown in UTC, not a traceback."""
    at = datetime(1, 1, 1, tzinfo=UTC)
    zone = ZoneInfo("Pacific/Kiritimati")
    assert format_local(at, tz=zone) == "0001-01-01 00:00"
    assert to_local(datetime(9999, 12, 31, 23, tzinfo=UTC), ZoneInfo("Asia/Tokyo")).year == 9999
