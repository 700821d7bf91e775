"""Tests for tinycrm.money: currencies, amount parsing, minor units and display."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tinycrm.money import (
    CURRENCY_EXPONENTS,
    MAX_MAJOR_UNITS,
    AmbiguousAmount,
    currency_exponent,
    divide,
    format_money,
    from_minor,
    is_currency,
    max_minor,
    normalize_currency,
    parse_amount,
    parse_count,
    parse_money,
    parse_money_in,
    to_minor,
)

FUZZ = settings(max_examples=300, deadline=None)
CODES = sorted(CURRENCY_EXPONENTS)

# --------------------------------------------------------------------------- currency table


def test_table_shape() -> None:
    assert len(CURRENCY_EXPONENTS) >= 150
    for code, exponent in CURRENCY_EXPONENTS.items():
        assert len(code) == 3
        assert code.isascii()
        assert code.isalpha()
        assert code.isupper()
        assert exponent in (0, 2, 3, 4)


def test_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        CURRENCY_EXPONENTS["ABC"] = 2  # type: ignore[index]


@pytest.mark.parametrize(
    ("code", "exponent"),
    [
        ("EUR", 2),
        ("USD", 2),
        ("GBP", 2),
        ("CHF", 2),
        ("CNY", 2),
        ("HUF", 2),
        ("IDR", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("CLP", 0),
        ("ISK", 0),
        ("VND", 0),
        ("PYG", 0),
        ("UGX", 0),
        ("XAF", 0),
        ("XOF", 0),
        ("XPF", 0),
        ("BHD", 3),
        ("IQD", 3),
        ("JOD", 3),
        ("KWD", 3),
        ("LYD", 3),
        ("OMR", 3),
        ("TND", 3),
        ("CLF", 4),
        ("UYW", 4),
        ("SLE", 2),
        ("VES", 2),
        ("ZWG", 2),
        ("XCG", 2),
        ("MRU", 2),
        ("STN", 2),
    ],
)
def test_exponents(code: str, exponent: int) -> None:
    assert CURRENCY_EXPONENTS[code] == exponent
    assert currency_exponent(code) == exponent
    assert currency_exponent(code.lower()) == exponent


@pytest.mark.parametrize(
    "code",
    # withdrawn codes, and codes without a minor unit (not invoiceable)
    ["HRK", "LTL", "SLL", "ZWL", "VEF", "MRO", "STD", "BYR", "XAU", "XDR", "XTS", "XXX", "EURO"],
)
def test_not_currencies(code: str) -> None:
    assert not is_currency(code)
    with pytest.raises(ValueError, match="unknown currency"):
        normalize_currency(code)


# --------------------------------------------------------------------------- normalize_currency


@pytest.mark.parametrize(("raw", "code"), [("EUR", "EUR"), (" eur ", "EUR"), ("Usd", "USD")])
def test_normalize_currency(raw: str, code: str) -> None:
    assert normalize_currency(raw) == code
    assert is_currency(raw)


def test_normalize_currency_message() -> None:
    with pytest.raises(ValueError) as info:
        normalize_currency("EURO")
    assert str(info.value) == "unknown currency 'EURO' (use an ISO 4217 code such as EUR, USD, GBP)"


@pytest.mark.parametrize("raw", ["", "   ", "€", "E", "EU", "ıls", "EUR\n", "X" * 200])
def test_normalize_currency_rejects(raw: str) -> None:
    if raw == "EUR\n":
        assert normalize_currency(raw) == "EUR"  # surrounding whitespace is fine
        return
    with pytest.raises(ValueError) as info:
        normalize_currency(raw)
    assert len(str(info.value).splitlines()) == 1
    assert len(str(info.value)) < 150


# --------------------------------------------------------------------------- parse_amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", "1200"),
        ("0", "0"),
        ("007", "7"),
        ("1200.50", "1200.50"),
        ("1200,50", "1200.50"),
        ("1,200.50", "1200.50"),
        ("1.200,50", "1200.50"),
        ("1 200,50", "1200.50"),
        ("1\u00a0200,50", "1200.50"),
        ("1\u202f200,50", "1200.50"),
        ("1'200.50", "1200.50"),
        ("1’200.50", "1200.50"),
        ("1,200.00", "1200.00"),
        ("1.200,00", "1200.00"),
        ("1.234.567", "1234567"),
        ("1,234,567", "1234567"),
        ("12,345.67", "12345.67"),
        ("12.345,67", "12345.67"),
        ("12.34", "12.34"),
        ("12,34", "12.34"),
        ("12,345,678", "12345678"),
        ("12.345.678,9", "12345678.9"),
        ("1,234,567.891", "1234567.891"),
        ("12,34,567", "1234567"),  # Indian grouping
        ("1,00,000.50", "100000.50"),
        ("1 200 000", "1200000"),
        ("1,5", "1.5"),
        ("1.5", "1.5"),
        ("1,50", "1.50"),
        ("0,500", "0.500"),  # a zero integer part means a decimal point
        ("0.125", "0.125"),
        ("1234,567", "1234.567"),  # 4 digits before: cannot be a thousands group
        ("1,2345", "1.2345"),
        (".5", "0.5"),
        ("€1200", "1200"),
        ("€ 1,200.00", "1200.00"),
        ("$ 1,200.00", "1200.00"),
        ("US$1,200.00", "1200.00"),
        ("£99", "99"),
        ("¥1200", "1200"),
        ("1200€", "1200"),
        ("1.200,50 €", "1200.50"),
        ("1200 EUR", "1200"),
        ("1200eur", "1200"),
        ("EUR 1200", "1200"),
        ("chf1'200.50", "1200.50"),
        ("+1200", "1200"),
        ("12k", "12000"),
        ("12K", "12000"),
        ("12 k", "12000"),
        ("1.5m", "1500000"),
        ("1,5M", "1500000"),
        ("2.5k", "2500"),
        ("1.2345k", "1234.5"),
        ("0.001k", "1"),
        ("€1.5m", "1500000"),
        ("1.5m EUR", "1500000"),
        ("  42  ", "42"),
    ],
)
def test_parse_amount(text: str, expected: str) -> None:
    result = parse_amount(text)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("1200", None),
        ("€1,200.00", "EUR"),
        ("1200 €", "EUR"),
        ("$5", "USD"),
        ("US$5", "USD"),
        ("C$5", "CAD"),
        ("A$5", "AUD"),
        ("£5", "GBP"),
        ("¥500", "JPY"),
        ("₹500", "INR"),
        ("5 chf", "CHF"),
        ("KWD 1.250", "KWD"),
        ("€5 EUR", "EUR"),
    ],
)
def test_parse_money_currency(text: str, currency: str | None) -> None:
    assert parse_money(text)[1] == currency


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1200, Decimal(1200)),
        (0, Decimal(0)),
        (Decimal("1200.50"), Decimal("1200.50")),
        (Decimal("-0"), Decimal("0")),
    ],
)
def test_parse_amount_non_text(value: int | Decimal, expected: Decimal) -> None:
    result = parse_amount(value)
    assert result == expected
    assert not result.is_signed()


@pytest.mark.parametrize("text", ["-0", "-0.00", "-€0", "-0 EUR", "−0,00"])
def test_a_negative_zero_is_zero_as_decimal_minus_zero_is(text: str) -> None:
    """'-0.00' (a spreadsheet's rounding of a tiny refund) was 'amount must not be
    negative', and the row rejected, while Decimal('-0') and -0 were taken as zero."""
    result = parse_amount(text)
    assert result == 0 and not result.is_signed()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "amount is empty"),
        ("   ", "amount is empty"),
        ("-5", "amount must not be negative"),
        ("-1,200.50", "amount must not be negative"),
        ("−5", "amount must not be negative"),  # unicode minus
        ("€-5", "amount must not be negative"),
        ("-€5", "amount must not be negative"),
        ("nan", "amount must be a finite number"),
        ("NaN", "amount must be a finite number"),
        ("inf", "amount must be a finite number"),
        ("-Infinity", "amount must be a finite number"),
        ("abc", "cannot understand amount 'abc'"),
        ("€", "cannot understand amount"),
        ("k", "cannot understand amount"),
        ("12.", "cannot understand amount"),
        ("1,2,3", "cannot understand amount"),
        ("1..2", "cannot understand amount"),
        ("1.2.3,4,5", "cannot understand amount"),
        ("1,200,50", "cannot understand amount"),
        ("1,2345,678", "cannot understand amount"),
        ("1 200'000", "cannot understand amount"),
        ("1 200.000,50", "cannot understand amount"),
        ("1e5", "cannot understand amount"),
        ("0x10", "cannot understand amount"),
        ("--5", "cannot understand amount"),
        ("5-", "cannot understand amount"),
        ("12kk", "cannot understand amount"),
        ("١٢٣", "cannot understand amount"),  # non-ASCII digits
        ("12 ABC", "unknown currency 'ABC'"),
        ("1200 EURO", "unknown currency 'EURO'"),
        ("$5 €", "conflicting currencies"),
        ("1" * 40, "too large"),
        ("0." + "1" * 40, "too many decimal places"),
    ],
)
def test_parse_amount_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_amount(text)
    assert message in str(info.value)
    assert len(str(info.value).splitlines()) == 1


@pytest.mark.parametrize(
    "value", [-1, Decimal("-0.01"), Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")]
)
def test_parse_amount_rejects_bad_numbers(value: int | Decimal) -> None:
    with pytest.raises(ValueError):
        parse_amount(value)


@pytest.mark.parametrize("value", [1.5, True, None, b"12"])
def test_parse_amount_rejects_non_numbers(value: object) -> None:
    with pytest.raises(TypeError):
        parse_amount(value)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- minor units


@pytest.mark.parametrize(
    ("amount", "code", "minor"),
    [
        ("12.34", "EUR", 1234),
        ("12.3", "EUR", 1230),
        ("12", "eur", 1200),
        ("0", "EUR", 0),
        ("0.01", "USD", 1),
        ("1200", "JPY", 1200),
        ("1200.00", "JPY", 1200),
        ("1.234", "BHD", 1234),
        ("1.2345", "CLF", 12345),
        ("-12.34", "EUR", -1234),
        ("1000000000000000", "EUR", 100000000000000000),
        ("1000000000000000", "KWD", 1000000000000000000),
    ],
)
def test_to_minor(amount: str, code: str, minor: int) -> None:
    assert to_minor(Decimal(amount), code) == minor


def test_to_minor_accepts_int() -> None:
    assert to_minor(12, "EUR") == 1200  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        ("12.345", "EUR", "EUR amounts have at most 2 decimal places"),
        ("0.001", "USD", "USD amounts have at most 2 decimal places"),
        ("1.5", "JPY", "JPY amounts have no decimal places"),
        ("1.2345", "BHD", "BHD amounts have at most 3 decimal places"),
        ("1000000000000000.01", "EUR", "too large"),
        ("1000000000000001", "JPY", "too large"),
        ("-1000000000000001", "JPY", "too large"),
        ("1E+30", "EUR", "too large"),
        ("NaN", "EUR", "finite"),
        ("Infinity", "EUR", "finite"),
        ("12", "EURO", "unknown currency"),
    ],
)
def test_to_minor_errors(amount: str, code: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        to_minor(Decimal(amount), code)


def test_to_minor_rejects_float() -> None:
    with pytest.raises(TypeError):
        to_minor(12.5, "EUR")  # type: ignore[arg-type]


def test_to_minor_with_many_trailing_zeros() -> None:
    assert to_minor(Decimal("1." + "0" * 100), "EUR") == 100
    with pytest.raises(ValueError):
        to_minor(Decimal("1." + "0" * 100 + "1"), "EUR")


@pytest.mark.parametrize(
    ("minor", "code", "expected"),
    [
        (1234, "EUR", "12.34"),
        (5, "EUR", "0.05"),
        (-5, "EUR", "-0.05"),
        (0, "EUR", "0.00"),
        (1200, "JPY", "1200"),
        (0, "JPY", "0"),
        (1234, "BHD", "1.234"),
        (0, "BHD", "0.000"),
        (12345, "CLF", "1.2345"),
    ],
)
def test_from_minor(minor: int, code: str, expected: str) -> None:
    result = from_minor(minor, code)
    assert str(result) == expected
    assert result.as_tuple().exponent == -currency_exponent(code)


def test_from_minor_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        from_minor(1, "EURO")
    with pytest.raises(TypeError):
        from_minor(1.0, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("code", CODES)
def test_round_trip_every_currency(code: str) -> None:
    exponent = CURRENCY_EXPONENTS[code]
    top = max_minor(code)
    for minor in (0, 1, 7, 10**exponent, 123456789, top - 1, top, -top):
        amount = from_minor(minor, code)
        assert to_minor(amount, code) == minor
        assert from_minor(to_minor(amount, code), code) == amount
    with pytest.raises(ValueError):
        to_minor(from_minor(top + 1, code), code)


@pytest.mark.parametrize(
    ("part", "whole", "quantum", "expected"),
    [
        # a million deals of 10**15 BHD won on a 0.001 BHD budget: a ROI of 10**24, whose
        # 28 digits and 4 places stopped `campaign report` with decimal.InvalidOperation
        (10**21, "0.001", "0.0001", "1000000000000000000000000.0000"),
        (10**30, 1, "0.001", "1" + "0" * 30 + ".000"),
        (2, 3, "0.0001", "0.6667"),
        (1, 200, "0.01", "0.01"),  # half-up
        (-1, 200, "0.01", "-0.01"),
    ],
)
def test_divide_is_exact_at_any_size(part, whole, quantum: str, expected: str) -> None:
    assert str(divide(Decimal(part), Decimal(whole), Decimal(quantum))) == expected


def test_divide_by_nothing_is_refused() -> None:
    with pytest.raises(ZeroDivisionError):
        divide(Decimal(1), 0, Decimal("0.01"))


@pytest.mark.parametrize("code", CODES)
def test_every_amount_to_minor_accepts_fits_a_database_integer(code: str) -> None:
    # Minor units are kept in a signed 64-bit integer: '1000000000000000 CLF' (four decimals,
    # 10**19 minor units) passed here and crashed `deal add` with an OverflowError traceback.
    try:
        minor = to_minor(Decimal(MAX_MAJOR_UNITS), code)
    except ValueError as exc:
        assert str(exc) == f"amount is too large (at most 100,000,000,000,000 {code})"
    else:
        assert minor < 2**63


@FUZZ
@given(st.sampled_from(CODES), st.data())
def test_round_trip_property(code: str, data: st.DataObject) -> None:
    top = max_minor(code)
    minor = data.draw(st.integers(min_value=-top, max_value=top))
    amount = from_minor(minor, code)
    assert to_minor(amount, code) == minor
    assert to_minor(amount.normalize(), code) == minor


# --------------------------------------------------------------------------- format_money


@pytest.mark.parametrize(
    ("amount", "code", "expected"),
    [
        ("12500", "EUR", "€12,500.00"),
        ("12500.5", "eur", "€12,500.50"),
        ("99", "USD", "$99.00"),
        ("1234567.891", "GBP", "£1,234,567.891"),  # never rounded
        ("1200", "JPY", "¥1,200"),
        ("1200.00", "JPY", "¥1,200"),
        ("1200", "CHF", "CHF 1,200.00"),
        ("0.5", "BHD", "BHD 0.500"),
        ("1.2345", "CLF", "CLF 1.2345"),
        ("0", "EUR", "€0.00"),
        ("-12.5", "GBP", "-£12.50"),
        ("-12.5", "CHF", "CHF -12.50"),
        ("1234.5", None, "1,234.5"),
        ("12", "xyz", "XYZ 12"),
        ("1E+3", "EUR", "€1,000.00"),
    ],
)
def test_format_money(amount: str, code: str | None, expected: str) -> None:
    assert format_money(Decimal(amount), code) == expected


def test_format_money_none() -> None:
    assert format_money(None, "EUR") == ""
    assert format_money(None, None) == ""


def test_format_money_rejects_float() -> None:
    with pytest.raises(TypeError):
        format_money(1.5, "EUR")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties

_AMOUNTISH = st.from_regex(
    r"\A[-+]?([€$£¥]|US\$|EUR |usd|XYZ)? ?[0-9.,' _]{1,20}[kKmM]? ?(EUR|usd|XYZ|€)?\Z",
    fullmatch=True,
)


@FUZZ
@given(st.one_of(st.text(), st.text(alphabet="0123456789.,' -+€$kmKM"), _AMOUNTISH))
def test_parse_amount_returns_decimal_or_value_error(text: str) -> None:
    try:
        result = parse_amount(text)
    except ValueError as exc:
        assert len(str(exc).splitlines()) == 1
    else:
        assert isinstance(result, Decimal)
        assert result.is_finite()
        assert result >= 0


@FUZZ
@given(st.text())
def test_normalize_currency_returns_code_or_value_error(text: str) -> None:
    try:
        code = normalize_currency(text)
    except ValueError as exc:
        assert len(str(exc).splitlines()) == 1
    else:
        assert code in CURRENCY_EXPONENTS


@FUZZ
@given(st.sampled_from(CODES + [c.lower() for c in CODES]))
def test_normalize_currency_accepts_every_code(code: str) -> None:
    assert normalize_currency(f" {code} ") == code.upper()


@FUZZ
@given(
    st.sampled_from([c for c in CODES if CURRENCY_EXPONENTS[c] != 3]),
    st.integers(min_value=0, max_value=10**15),
)
def test_format_money_parses_back(code: str, minor: int) -> None:
    # (3-decimal currencies are excluded: "BHD 1.500" reads as 1500, see parse_amount)
    amount = from_minor(minor, code)
    value, currency = parse_money(format_money(amount, code))
    assert value == amount
    assert currency == code


# --------------------------------------------------------------------------- parse_money_in


@pytest.mark.parametrize(
    ("text", "currency", "default", "amount", "code"),
    [
        ("$120,000.00", None, "EUR", "120000.00", "USD"),  # the symbol wins over the default
        ("USD 500", None, "EUR", "500", "USD"),
        ("£7", None, "EUR", "7", "GBP"),
        ("500 JPY", None, "EUR", "500", "JPY"),
        ("¥500", None, "EUR", "500", "JPY"),
        ("1 234,50 €", None, "USD", "1234.50", "EUR"),
        ("CHF 1'200.50", None, "EUR", "1200.50", "CHF"),
        ("C$5", None, "EUR", "5", "CAD"),
        ("CAD 5", None, "EUR", "5", "CAD"),
        ("$5", "usd", "EUR", "5", "USD"),  # written and given agree
        ("€5", " EUR ", None, "5", "EUR"),
        ("5", "GBP", "EUR", "5", "GBP"),  # no symbol: the given currency
        ("5", None, "JPY", "5", "JPY"),  # nothing: the default
        ("5", None, None, "5", None),  # nothing at all
        ("12k", None, "EUR", "12000", "EUR"),
        (Decimal("5.5"), "EUR", None, "5.5", "EUR"),
        (7, None, "JPY", "7", "JPY"),
    ],
)
def test_parse_money_in(
    text: str | Decimal | int, currency: str | None, default: str | None, amount: str, code: str
) -> None:
    assert parse_money_in(text, currency, default=default) == (Decimal(amount), code)


@pytest.mark.parametrize(
    ("text", "currency", "default", "message"),
    [
        ("€5", "USD", None, "amount '€5' is in EUR, but the currency given is USD"),
        ("500 JPY", "EUR", "EUR", "is in JPY, but the currency given is EUR"),
        ("$5", "CAD", None, "is in USD, but the currency given is CAD"),
        ("USD 5 EUR", None, None, "conflicting currencies"),
        ("500.5 JPY", None, "EUR", "JPY amounts have no decimal places"),
        ("500.5", "JPY", None, "JPY amounts have no decimal places"),
        ("500.5", None, "JPY", "JPY amounts have no decimal places"),
        ("5.1234 €", None, None, "EUR amounts have at most 2 decimal places"),
        ("-5 USD", None, None, "must not be negative"),
        ("$-5", None, None, "must not be negative"),
        ("5 XYZ", None, None, "unknown currency 'XYZ'"),
        ("5", "EURO", None, "unknown currency 'EURO'"),
        ("5", None, "EURO", "unknown currency 'EURO'"),
        ("$", None, None, "cannot understand amount"),
        ("$ 10**16", None, None, "cannot understand amount"),
        ("$10,000,000,000,000,000", None, None, "too large"),
    ],
)
def test_parse_money_in_refuses(
    text: str, currency: str | None, default: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        parse_money_in(text, currency, default=default)
    assert len(str(err.value).splitlines()) == 1


_SYMBOLS = st.sampled_from(["", "$", "€", "£", "¥", "US$", "C$", "A$", "CHF ", "usd ", "JPY "])


@FUZZ
@given(
    st.one_of(
        st.text(),
        st.builds(
            lambda a, n, b: f"{a}{n}{b}",
            _SYMBOLS,
            st.text(alphabet="0123456789.,' -+kKmM", max_size=16),
            st.sampled_from(["", " €", " EUR", " JPY", "$", " usd", " XYZ"]),
        ),
        _AMOUNTISH,
    ),
    st.sampled_from([None, "", "EUR", "USD", "JPY", "BHD", "usd", "EURO", "€"]),
    st.sampled_from([None, "EUR", "JPY"]),
)
@example("1.000", None, "JPY")  # a thousand yen: read by the default's decimals alone
def test_parse_money_in_returns_money_or_value_error(
    text: str, currency: str | None, default: str | None
) -> None:
    try:
        amount, code = parse_money_in(text, currency, default=default)
    except ValueError as exc:
        assert len(str(exc).splitlines()) == 1
        return
    assert amount.is_finite() and amount >= 0
    try:
        written = parse_money(text)[1]
    except AmbiguousAmount:  # without a currency: the one given or the default decided
        written = None
    if currency and currency.strip():
        assert code == normalize_currency(currency)  # given and written never disagree
    assert code == (written or (normalize_currency(currency) if currency else None) or default)
    if code is not None:
        assert from_minor(to_minor(amount, code), code) == amount  # fits the minor units


@FUZZ
@given(
    st.sampled_from([c for c in CODES if CURRENCY_EXPONENTS[c] != 3]),
    st.integers(min_value=0, max_value=10**15),
    st.sampled_from([None, "EUR", "JPY"]),
)
def test_format_money_reads_back_in_its_own_currency(
    code: str, minor: int, default: str | None
) -> None:
    """What tinycrm shows (``$1,200.00``, ``CHF 5.00``, ``¥500``) typed back in is the same
    money, whatever the default, and agrees with its own currency given beside it."""
    amount = from_minor(minor, code)
    shown = format_money(amount, code)
    assert parse_money_in(shown, default=default) == (amount, code)
    assert parse_money_in(shown, code.lower()) == (amount, code)


@pytest.mark.parametrize(
    ("text", "currency", "decimal", "expected"),
    [
        ("1.500 BHD", None, None, (Decimal("1.500"), "BHD")),  # dinars have three decimals
        ("KWD 12.250", None, None, (Decimal("12.250"), "KWD")),
        ("1.500", "OMR", None, (Decimal("1.500"), "OMR")),  # the currency column's
        ("1,500 BHD", None, None, (Decimal(1500), "BHD")),
        ("1.500 EUR", None, ",", (Decimal(1500), "EUR")),  # a decimal-comma file
        ("1,500 EUR", None, ",", (Decimal("1.500"), "EUR")),
        ("1.500 BHD", None, ",", (Decimal(1500), "BHD")),  # the file's convention wins
        ("1,500 USD", None, ".", (Decimal(1500), "USD")),
        ("1.500", None, ".", (Decimal("1.500"), "EUR")),
    ],
)
def test_thousands_and_decimal_marks_follow_the_currency_and_the_files_convention(
    text: str, currency: str | None, decimal: str | None, expected: tuple
) -> None:
    assert parse_money_in(text, currency, default="EUR", decimal=decimal) == expected


def test_an_unknown_decimal_mark_is_refused() -> None:
    with pytest.raises(ValueError, match="decimal mark"):
        parse_money("1.500", decimal=";")


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        (
            "12.345",
            None,
            "amount '12.345' is ambiguous: write 12345 if '.' separates thousands, "
            "or 12.3450 if it is the decimal point",
        ),
        (
            "12.345",
            "EUR",
            "amount '12.345' is ambiguous: write 12345 if '.' separates thousands, "
            "or 12.35 if it is the decimal point (EUR amounts have at most 2 decimal places)",
        ),
        (
            "12.345 EUR",
            None,
            "write 12345 if '.' separates thousands, or 12.35 if it is the decimal point (EUR",
        ),
        ("1,234", "USD", "write 1234 if ',' separates thousands, or 1,23 if it is the decimal"),
        ("1,500", None, "write 1500 if ',' separates thousands, or 1,5 if it is the decimal"),
        ("$120,000", None, "write 120000 if ',' separates thousands, or 120 if it is the"),
        ("€1.200", None, "write 1200 if '.' separates thousands, or 1.2 if it is the decimal"),
        ("1.500k", "EUR", "write 1500k if '.' separates thousands, or 1.5k if it is the"),
        ("1.234", "CLF", "write 1234 if '.' separates thousands, or 1.2340 if it is the"),
    ],
)
def test_an_ambiguous_amount_is_refused_not_guessed(
    text: str, currency: str | None, message: str
) -> None:
    """``12.345`` is twelve thousand and more, or twelve and a bit: one mark followed by
    three digits, with nothing to say which it is, is refused with both readings."""
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        parse_money_in(text, currency)
    assert len(str(err.value).splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "currency", "decimal", "expected"),
    [
        ("1,200", "JPY", None, Decimal(1200)),  # yen have no decimals: only thousands
        ("¥1,200", None, None, Decimal(1200)),
        ("ISK 1.200", None, None, Decimal(1200)),
        ("1.250", "BHD", None, Decimal("1.250")),  # dinars have three
        ("1.500", "EUR", ",", Decimal(1500)),  # the file says
        ("1,500", "EUR", ",", Decimal("1.500")),
        ("0,500", "EUR", None, Decimal("0.500")),  # a zero integer part
        ("1234,567", None, None, Decimal("1234.567")),  # four digits before: no group
        ("1 234,567", None, None, Decimal("1234.567")),  # the space groups
    ],
)
def test_the_currency_or_the_file_decides_what_would_be_ambiguous(
    text: str, currency: str | None, decimal: str | None, expected: Decimal
) -> None:
    assert parse_money(text, currency=currency, decimal=decimal)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,000", 1000),
        ("1.000", 1000),
        ("1 000", 1000),
        ("1000", 1000),
        ("12,345,678", 12345678),
        ("1.5k", 1500),
        ("250", 250),
    ],
)
def test_parse_count_reads_thousands_separators(text: str, expected: int) -> None:
    """A count has no decimals, so ``1.000`` and ``1,000`` can only be a thousand."""
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["1,5", "1.5", "abc", "-3", "", "€5", "12.3456"])
def test_parse_count_refuses_what_is_not_a_whole_number(text: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_count(text)
    assert len(str(err.value).splitlines()) == 1


@pytest.mark.parametrize("text", ["-5", "\u22125", "-1,200", " -5 "])
def test_a_negative_count_is_told_as_negative_not_as_no_whole_number(text: str) -> None:
    """'-5' is a whole number: 'size '-5' is not a whole number' said the wrong thing. It
    says what is wrong: the count is below 0, and must be 0 or more."""
    with pytest.raises(ValueError, match=r"^size '.*' is below 0: it must be 0 or more$"):
        parse_count(text, "size")
    assert parse_count("+5") == 5 and parse_count("-0") == 0
