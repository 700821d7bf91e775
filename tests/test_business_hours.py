"""Business hours: SLA arithmetic across weekends, holidays and DST changes (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.business_hours import (
    BusinessHours,
    default_support,
    format_duration,
    parse_days,
    parse_duration,
    parse_hours,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = BusinessHours(zone=BERLIN)  # Monday to Friday, 09:00-17:00


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0, zone: ZoneInfo = BERLIN) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=zone)


def test_a_target_carries_over_the_weekend() -> None:
    friday_4pm = local(2026, 12, 4, 16)
    # 1 h left on Friday, 3 h on Monday from 09:00
    assert OFFICE.add(friday_4pm, timedelta(hours=4)) == local(2026, 12, 7, 12)
    assert OFFICE.between(friday_4pm, local(2026, 12, 7, 12)) == timedelta(hours=4)


def test_opened_at_the_weekend_counts_from_monday_morning() -> None:
    saturday = local(2026, 12, 5, 17, 37)
    assert OFFICE.add(saturday, timedelta(hours=1)) == local(2026, 12, 7, 10)
    assert OFFICE.add(saturday, timedelta(0)) == local(2026, 12, 7, 9)
    assert OFFICE.between(saturday, local(2026, 12, 6, 23)) == timedelta(0)


def test_working_days_as_a_target() -> None:
    day = OFFICE.day_length
    assert parse_duration("2d", day) == timedelta(hours=16)
    wednesday_10 = local(2026, 12, 2, 10)
    assert OFFICE.add(wednesday_10, parse_duration("2d", day)) == local(2026, 12, 4, 10)
    assert OFFICE.add(wednesday_10, parse_duration("3d", day)) == local(2026, 12, 7, 10)


def test_the_end_of_a_day_is_the_end_not_the_next_morning() -> None:
    assert OFFICE.add(local(2026, 12, 2, 9), timedelta(hours=8)) == local(2026, 12, 2, 17)


def test_holidays_count_nothing() -> None:
    hours = BusinessHours(zone=BERLIN, holidays=frozenset({date(2026, 12, 25)}))
    thursday_4pm = local(2026, 12, 24, 16)
    assert hours.add(thursday_4pm, timedelta(hours=2)) == local(2026, 12, 28, 10)


def test_the_night_the_clocks_go_forward_is_an_hour_shorter() -> None:
    # 2026-03-29: Berlin's clocks jump from 02:00 to 03:00
    night = BusinessHours(zone=BERLIN, days=frozenset(range(7)), start=time(0), end=time(6))
    sunday = date(2026, 3, 29)
    start = datetime.combine(sunday, time(0), tzinfo=BERLIN)
    assert night.between(start, datetime.combine(sunday, time(6), tzinfo=BERLIN)) == timedelta(
        hours=5
    )
    assert night.add(start, timedelta(hours=5)) == datetime.combine(sunday, time(6), tzinfo=BERLIN)
    # and the night they go back an hour longer
    october = date(2026, 10, 25)
    start = datetime.combine(october, time(0), tzinfo=BERLIN)
    assert night.between(start, datetime.combine(october, time(6), tzinfo=BERLIN)) == timedelta(
        hours=7
    )


def test_office_hours_across_a_dst_change_stay_local() -> None:
    # Friday before New York's spring change (2026-03-08) to Monday: 09:00 local both days
    hours = BusinessHours(zone=NEW_YORK)
    friday_4pm = local(2026, 3, 6, 16, zone=NEW_YORK)
    due = hours.add(friday_4pm, timedelta(hours=2))
    assert due == local(2026, 3, 9, 10, zone=NEW_YORK)
    # 66 hours on the wall clock, 65 real ones: the clock jumped
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) - datetime(2026, 3, 6, 16) == timedelta(
        hours=66
    )
    assert due - friday_4pm == timedelta(hours=65)
    assert hours.between(friday_4pm, due) == timedelta(hours=2)


def test_parsing() -> None:
    assert parse_days("mon-fri") == frozenset(range(5))
    assert parse_days("sun-tue") == frozenset({6, 0, 1})
    assert parse_days("mon,wed") == frozenset({0, 2})
    assert parse_hours("08:30-17:00") == (time(8, 30), time(17))
    assert parse_duration("30min", OFFICE.day_length) == timedelta(minutes=30)
    assert format_duration(timedelta(hours=2, minutes=30)) == "2h 30min"
    for bad in ("monday-fri", "", "mon-xyz"):
        with pytest.raises(ValueError, match="working days"):
            parse_days(bad)
    for bad in ("17:00-09:00", "9-5", "25:00-26:00"):
        with pytest.raises(ValueError, match="working hours"):
            parse_hours(bad)
    for bad in ("1.5h", "-1h", "3 weeks", ""):
        with pytest.raises(ValueError, match="working time"):
            parse_duration(bad, OFFICE.day_length)
    with pytest.raises(ValueError, match="aware"):
        OFFICE.add(datetime(2026, 1, 1), timedelta(hours=1))


def test_default_targets() -> None:
    support = default_support(BERLIN)
    assert support.response["urgent"] == timedelta(hours=1)
    assert support.resolution["normal"] == timedelta(hours=40)


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from([BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), UTC])


@settings(max_examples=200, deadline=None)
@given(start=moments, minutes=st.integers(0, 60 * 200), zone=zones)
def test_adding_then_measuring_gives_the_duration_back(
    start: datetime, minutes: int, zone: ZoneInfo
) -> None:
    hours = BusinessHours(zone=zone)
    duration = timedelta(minutes=minutes)
    due = hours.add(start, duration)
    assert due >= start
    assert hours.between(start, due) == duration
    if minutes:
        assert hours.is_open(due - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(a=moments, b=moments, c=moments, zone=zones)
def test_working_time_adds_up(a: datetime, b: datetime, c: datetime, zone: ZoneInfo) -> None:
    hours = BusinessHours(zone=zone)
    a, b, c = sorted((a, b, c))
    assert hours.between(a, c) == hours.between(a, b) + hours.between(b, c)
    assert hours.between(c, a) == timedelta(0)


def test_24_00_is_the_end_of_the_day_not_a_minute_before() -> None:
    start, end = parse_hours("00:00-24:00")
    always = BusinessHours(zone=BERLIN, days=frozenset(range(7)), start=start, end=end)
    assert always.day_length == timedelta(hours=24)
    monday = local(2026, 12, 7)
    assert always.between(monday, local(2026, 12, 8)) == timedelta(hours=24)
    assert always.add(monday, timedelta(hours=48)) == local(2026, 12, 9)
    assert always.is_open(local(2026, 12, 7, 23, 59) + timedelta(seconds=59))
    # the night the clocks go forward: a day of 23 real hours
    assert always.between(local(2026, 3, 29), local(2026, 3, 30)) == timedelta(hours=23)
    evening = BusinessHours(zone=BERLIN, start=time(18), end=parse_hours("18:00-24:00")[1])
    friday_11pm = local(2026, 12, 4, 23)
    assert evening.add(friday_11pm, timedelta(hours=2)) == local(2026, 12, 7, 19)
    with pytest.raises(ValueError, match="working hours"):
        parse_hours("00:00-00:00")


@settings(max_examples=100, deadline=None)
@given(a=moments, b=moments, zone=zones)
def test_round_the_clock_hours_count_every_real_minute(
    a: datetime, b: datetime, zone: ZoneInfo
) -> None:
    start, end = parse_hours("00:00-24:00")
    always = BusinessHours(zone=zone, days=frozenset(range(7)), start=start, end=end)
    a, b = sorted((a, b))
    assert always.between(a, b) == b - a
    assert always.add(a, b - a) == b
