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


def test_monthly_terms_from_january_31_keep_the_month_end() -> None:
    anchor, month = date(2026, 1, 31), parse_term("1m")
    ends = [terms.term_end(anchor, month, k) for k in range(4)]
    assert ends == [date(2026, 2, 27), date(2026, 3, 30), date(2026, 4, 29), date(2026, 5, 30)]
    assert terms.term_start(anchor, month, 1) == date(2026, 2, 28)  # February's "31st"


def test_a_leap_day_anchor() -> None:
    anchor, year = date(2024, 2, 29), parse_term("12m")
    assert terms.term_end(anchor, year, 0) == date(2025, 2, 27)
    assert terms.term_end(anchor, year, 3) == date(2028, 2, 28)  # the next Feb 29 starts one


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
