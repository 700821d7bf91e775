"""Contract terms: month ends that do not drift, terms that meet without gap or overlap."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinycrm import terms
from tinycrm.terms import Term, parse_term


def test_a_12_month_term_from_january_31_ends_on_january_30() -> None:
    assert terms.term_end(date(2026, 1, 31), parse_term("12m"), 0) == date(2027, 1, 30)
    assert terms.term_start(date(2026, 1, 31), parse_term("1y"), 1) == date(2027, 1, 31)


def test_monthly_terms_from_january_31_do_not_drift() -> None:
    """Counted from the first start: the 31st, or the 1st after a month without one."""
    anchor, month = date(2027, 1, 31), parse_term("1m")
    starts = [terms.term_start(anchor, month, k) for k in range(6)]
    assert starts == [date(2027, 1, 31), date(2027, 3, 1), date(2027, 3, 31),
                      date(2027, 5, 1), date(2027, 5, 31), date(2027, 7, 1)]  # fmt: skip
    ends = [terms.term_end(anchor, month, k) for k in range(4)]
    assert ends == [date(2027, 2, 28), date(2027, 3, 30), date(2027, 4, 30), date(2027, 5, 30)]


@pytest.mark.parametrize(
    ("start", "term", "end"),
    [(date(2028, 2, 29), "12m", date(2029, 2, 28)), (date(2027, 1, 31), "1m", date(2027, 2, 28)),
     (date(2027, 1, 30), "1m", date(2027, 2, 28)), (date(2027, 1, 29), "1m", date(2027, 2, 28)),
     (date(2028, 1, 30), "1m", date(2028, 2, 29)), (date(2027, 1, 28), "1m", date(2027, 2, 27)),
     (date(2027, 3, 31), "3m", date(2027, 6, 30)), (date(2028, 2, 29), "24m", date(2030, 2, 28))],
)  # fmt: skip
def test_a_term_ends_the_day_before_its_anniversary(start: date, term: str, end: date) -> None:
    """An anniversary its month does not have (the 29th to the 31st) is the next month's
    first day; the end read back is the term again."""
    assert terms.term_end(start, parse_term(term), 0) == end
    assert terms.months_of(start, end) == parse_term(term).count
    assert terms.months_of(start, end - timedelta(days=1)) is None


def test_a_leap_day_anchor() -> None:
    anchor, year = date(2024, 2, 29), parse_term("12m")
    assert terms.term_end(anchor, year, 0) == date(2025, 2, 28)
    assert terms.term_start(anchor, year, 1) == date(2025, 3, 1)
    assert terms.term_end(anchor, year, 3) == date(2028, 2, 28)  # the next Feb 29 starts one


def _expected_end(start: date, months: int) -> date:
    """The rule written out plainly: the day before the anniversary, or the month's last
    day when the anniversary's day is missing from its month."""
    year, month0 = divmod(start.year * 12 + start.month - 1 + months, 12)
    first_of_next = date(year + (month0 + 1) // 12, (month0 + 1) % 12 + 1, 1)
    month_end = first_of_next - timedelta(days=1)
    if start.day > month_end.day:
        return month_end
    return date(year, month0 + 1, start.day) - timedelta(days=1)


@pytest.mark.parametrize("year", [2027, 2028], ids=["non-leap", "leap"])
@pytest.mark.parametrize("months", [1, 3, 12, 24])
def test_every_day_of_a_year_ends_and_reads_back_by_one_rule(year: int, months: int) -> None:
    """Every start day of a leap and a non-leap year: the end is the day before the
    anniversary (a missing one: the month's last day), reads back as the same number of
    months and no other end does, and the next terms, counted from the first start, meet
    without gap or overlap and keep their day."""
    term = Term(months, "m")
    day = date(year, 1, 1)
    while day.year == year:
        end = terms.term_end(day, term, 0)
        assert end == _expected_end(day, months), day
        assert terms.months_of(day, end) == months, day
        for wrong in (end - timedelta(days=1), end + timedelta(days=1)):
            assert terms.months_of(day, wrong) != months, (day, wrong)
        for k in range(1, 4):
            start_k = terms.term_start(day, term, k)
            assert terms.term_end(day, term, k - 1) + timedelta(days=1) == start_k
            assert terms.term_end(day, term, k) == _expected_end(day, months * (k + 1)), day
        day += timedelta(days=1)


def test_notice_deadline() -> None:
    assert terms.notice_deadline(date(2026, 12, 31), parse_term("30d", "notice")) == date(
        2026, 12, 2
    )
    assert terms.notice_deadline(date(2026, 12, 31), parse_term("3m", "notice")) == date(
        2026, 10, 1
    )
    assert terms.notice_deadline(date(2026, 12, 31), None) is None


@pytest.mark.parametrize(
    ("text", "term"),
    [("12m", Term(12, "m")), ("1y", Term(12, "m")), ("2 weeks", Term(14, "d")),
     ("90d", Term(90, "d")), (" 3 Months ", Term(3, "m"))],
)  # fmt: skip
def test_parse_term(text: str, term: Term) -> None:
    assert parse_term(text) == term


@pytest.mark.parametrize("text", ["", "12", "0d", "-1m", "1.5y", "101y", "12 parsecs", "m"])
def test_parse_term_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="term"):
        parse_term(text)


@given(
    anchor=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    count=st.integers(1, 36),
    unit=st.sampled_from(["d", "m"]),
    index=st.integers(0, 50),
)
def test_terms_meet_without_gap_or_overlap(anchor: date, count: int, unit: str, index: int) -> None:
    term = Term(count, unit)
    end = terms.term_end(anchor, term, index)
    assert end >= terms.term_start(anchor, term, index)
    assert end + timedelta(days=1) == terms.term_start(anchor, term, index + 1)
    current = terms.current_index(anchor, term, 0, terms.term_end(anchor, term, 0), end)
    assert current == index


@given(st.text(max_size=20))
def test_parse_term_never_crashes(text: str) -> None:
    try:
        parsed = parse_term(text)
    except ValueError:
        return
    assert parsed.count > 0


def test_no_notice_can_be_given_up_to_the_last_day_not_after_it() -> None:
    end = date(2026, 12, 31)
    assert terms.notice_deadline(end, parse_term("0d", "notice")) == end
    assert terms.notice_deadline(end, parse_term("1d", "notice")) == end


def test_a_notice_in_months_counts_back_by_the_terms_rule() -> None:
    # a notice of N months is given by the day N months before the day after the end, a
    # day that month does not have being the next month's first day, as a term's missing
    # anniversary is; it was rounded down to the month's end (Feb 28 for a term ending
    # March 30), so a month's notice on the 1-month term March 1 to 30 (from an anchor
    # of January 31) fell before the term began and was refused as longer than the term
    one = parse_term("1m", "notice")
    assert terms.notice_deadline(date(2027, 3, 30), one) == date(2027, 3, 1)
    assert terms.notice_deadline(date(2027, 2, 28), one) == date(2027, 2, 1)
    assert terms.notice_deadline(date(2027, 4, 30), one) == date(2027, 4, 1)
    assert terms.notice_deadline(date(2028, 3, 30), one) == date(2028, 3, 1)  # leap year
    assert terms.notice_deadline(date(2027, 5, 30), parse_term("3m", "notice")) == date(2027, 3, 1)
    anchor, term = date(2027, 1, 31), Term(1, "m")
    for index in range(1, 24):  # a notice as long as the term: by its first day at most
        first, last = terms.term_start(anchor, term, index), terms.term_end(anchor, term, index)
        assert first <= terms.notice_deadline(last, one) <= first + timedelta(days=3)


@given(st.dates(date(1901, 1, 1), date(9000, 12, 31)), st.integers(1, 36))
def test_a_notice_as_long_as_a_term_of_months_is_never_before_it(start: date, n: int) -> None:
    term = Term(n, "m")
    last = terms.term_end(start, term, 0)
    assert start <= terms.notice_deadline(last, term) <= last
