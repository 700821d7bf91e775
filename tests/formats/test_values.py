"""Cell values as spreadsheets write them: dates, numbers, percentages, flags, tags."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.formats import FormatError
from tinycrm.formats import values as v

BERLIN = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("2026-12-31", False, date(2026, 12, 31)),
        ("2026/12/31", False, date(2026, 12, 31)),
        ("20261231", False, date(2026, 12, 31)),
        ("2026-12-31T14:30:00Z", False, date(2026, 12, 31)),
        ("12/31/2026", False, date(2026, 12, 31)),  # month first: unambiguous anyway
        ("31/12/2026", False, date(2026, 12, 31)),  # day > 12: day first whatever the option
        ("03/04/2026", False, date(2026, 3, 4)),
        ("03/04/2026", True, date(2026, 4, 3)),
        ("31.12.2026", False, date(2026, 12, 31)),  # dots: always day first
        ("1.2.26", False, date(2026, 2, 1)),
        ("Dec 31, 2026", False, date(2026, 12, 31)),
        ("December 31 2026", False, date(2026, 12, 31)),
        ("31-Dec-2026", False, date(2026, 12, 31)),
        ("31 Dec 26", False, date(2026, 12, 31)),
        ("Thu, 31 Dec 2026", False, date(2026, 12, 31)),
        ("1/15/2027 9:41 AM", False, date(2027, 1, 15)),
        ("46022", False, date(2025, 12, 31)),  # an Excel serial day
        ("46022.75", False, date(2025, 12, 31)),
    ],
)
def test_dates_in_the_forms_exports_use(text: str, day_first: bool, expected: date) -> None:
    assert v.parse_date(text, day_first=day_first) == expected


@pytest.mark.parametrize(
    "text",
    ["", "soon", "2026", "13/13/2026", "2026-02-30", "31 Foo 2026", "0001-01-01 00:00 +05:00"],
)
def test_unreadable_dates_are_one_line_errors(text: str) -> None:
    with pytest.raises(FormatError) as info:
        v.parse_datetime(text, tz=UTC)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-02-30", "February 2026 has 28 days"),
        ("29/02/2027", "February 2027 has 28 days"),
        ("31 Apr 2026", "April 2026 has 30 days"),
    ],
)
def test_an_imported_day_that_is_no_day_says_why(text: str, why: str) -> None:
    """An import's '2026-02-30' was refused as 'no such day'; now it says the month's length."""
    with pytest.raises(FormatError) as info:
        v.parse_date(text, day_first=True)
    assert str(info.value) == f"invalid date {text!r} ({why})"


def test_datetimes_are_local_unless_they_say_otherwise() -> None:
    assert v.parse_datetime("2026-12-31 14:30", tz=BERLIN) == datetime(
        2026, 12, 31, 13, 30, tzinfo=UTC
    )
    assert v.parse_datetime("2026-12-31T14:30:00Z", tz=BERLIN) == datetime(
        2026, 12, 31, 14, 30, tzinfo=UTC
    )
    assert v.parse_datetime("12/31/2026 2:30 PM", tz=UTC) == datetime(
        2026, 12, 31, 14, 30, tzinfo=UTC
    )
    assert v.parse_datetime("2026-12-31 14:30 +05:00", tz=UTC).hour == 9
    assert v.parse_datetime("46022.5", tz=UTC) == datetime(2025, 12, 31, 12, 0, tzinfo=UTC)
    assert v.parse_time("2:30 pm") == time(14, 30)


@pytest.mark.parametrize(
    ("text", "expected"), [("250", 250), ("1,200", 1200), ("1.200", 1200), ("1 200", 1200)]
)
def test_whole_numbers_with_thousands_separators(text: str, expected: int) -> None:
    assert v.parse_whole_number(text, "company size") == expected


@pytest.mark.parametrize("text", ["about fifty", "12.5", "-3"])
def test_not_whole_numbers(text: str) -> None:
    with pytest.raises(FormatError, match="company size"):
        v.parse_whole_number(text, "company size")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("50", 50), ("50%", 50), ("75 %", 75), ("0.9", 90), ("1", 1), ("0,25", 25)],
)
def test_percentages_and_fractions(text: str, expected: int) -> None:
    assert v.parse_percent(text) == expected


@pytest.mark.parametrize("text", ["1e999", "-1E+30", "101", "1e29%"])
def test_a_percentage_out_of_range_is_refused_in_words(text: str) -> None:
    """An import's probability of 1e999 was rejected as "[<class
    'decimal.InvalidOperation'>]": rounding it overflowed Decimal's precision."""
    with pytest.raises(FormatError, match=r"is not between 0 and 100"):
        v.parse_percent(text)


def test_flags_and_tags() -> None:
    assert v.parse_flag("Completed", "done") and v.parse_flag("x", "done")
    assert not v.parse_flag("Not Started", "done") and not v.parse_flag("To do", "done")
    with pytest.raises(FormatError):
        v.parse_flag("maybe", "done")
    assert v.split_tags("VIP;Logistics") == ["VIP", "Logistics"]
    assert v.split_tags("* myContacts ::: Clients ::: * starred") == ["Clients"]
    assert v.split_tags("* friends ::: * family ::: * coworkers ::: Nordics") == ["Nordics"]
    assert v.split_tags("myContacts ::: Clients") == ["Clients"]
    assert v.split_tags("hot lead, partner") == ["hot lead", "partner"]


def test_google_multi_value_cells_are_split() -> None:
    assert v.split_values("ada@x.example ::: ada.l@home.example") == [
        "ada@x.example",
        "ada.l@home.example",
    ]
    assert v.split_values("+1 555 0100 ::: ::: +1 555 0100 ::: +1 555 0199") == [
        "+1 555 0100",
        "+1 555 0199",
    ]
    assert v.split_values("ada@x.example") == ["ada@x.example"]
    assert v.split_values("") == []


def test_formula_escapes_from_csv_exports_are_removed() -> None:
    assert v.clean_cell("'+49 30 123") == "+49 30 123"
    assert v.clean_cell("'=SUM(A1)") == "=SUM(A1)"
    assert v.clean_cell("'quoted'") == "'quoted'"
    assert v.clean_cell("  padded  ") == "padded"


@given(st.text(max_size=40))
def test_date_parsing_never_fails_any_other_way(text: str) -> None:
    for day_first in (False, True):
        with contextlib.suppress(FormatError):
            v.parse_datetime(text, day_first=day_first, tz=UTC)


@settings(deadline=None)  # a loaded CI machine is slow; the property is what matters
@given(st.text(alphabet=st.sampled_from(list("'=+-@ a1.\n\"")), max_size=8))
def test_what_our_csv_export_escapes_comes_back_as_it_was(text: str) -> None:
    from tinycrm.cli.output import csv_safe

    text = text.strip()
    assert v.clean_cell(csv_safe(text)) == text


@pytest.mark.parametrize(
    "text", ["\n=1+1", "\n@x", "\x00=1", "＝1+1", "＋1", "－1", "＠SUM(A1)", "'＝1"]
)
def test_a_line_feed_nul_or_full_width_formula_start_is_escaped_and_comes_back(text: str) -> None:
    """OWASP names =, +, -, @, TAB and CR; a cell starting with a line feed (a spreadsheet
    skips it and reads the formula after it), NUL (ASVS 1.2.10) or the full-width ＝ ＋ －
    ＠ (Excel in a Japanese or Chinese locale takes those for = + - @) went out bare. Now
    each gets the leading ', and a custom field's value (kept as written) comes back
    exactly."""
    from tinycrm.cli.output import csv_safe

    assert csv_safe(text) == "'" + text
    assert v.clean_cell(csv_safe(text), strip=False) == text


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("13/01/2026", "day"),
        ("01/13/2026", "month"),
        ("03/04/2026", "either"),
        ("3-4-26 14:30", "either"),
        ("03/03/2026", None),  # the same day either way
        ("31.01.2026", None),  # dots: always day first
        ("2026-03-04", None),
        ("Mar 4, 2026", None),
        ("13/13/2026", None),  # no date either way
        ("acme/inc", None),
    ],
)
def test_which_order_reads_a_numeric_date(text: str, order: str | None) -> None:
    assert v.date_order(text) == order


@pytest.mark.parametrize("text", ["50.5", "50.5%", "0.505", "33,3", "0.3333"])
def test_a_percentage_that_is_not_whole_is_refused_not_rounded(text: str) -> None:
    """An imported probability of 50.5 became 50, silently, where `deal add --probability
    50.5` refuses it: a deal's probability is a whole number, so the row is rejected."""
    with pytest.raises(FormatError, match=r"^probability '.*' is not a whole number$"):
        v.parse_percent(text)


@pytest.mark.parametrize(("text", "expected"), [("50.0", 50), ("50.00%", 50), ("0.50", 50)])
def test_a_whole_percentage_written_with_decimals_is_taken(text: str, expected: int) -> None:
    assert v.parse_percent(text) == expected
