"""Exact money: ISO 4217 currencies, amount parsing, minor units and display.

Amounts are :class:`decimal.Decimal` in memory and integers of minor units (cents) in
storage.  Floats are never accepted.

Parsing is lenient about how people and spreadsheets write numbers (``1,200.50``,
``1.200,50``, ``1 200,50``, ``€1200``, ``1200 EUR``, ``12k``, ``1.5m``) but strict about
what they mean: negative, non-finite, ambiguous (``12.345``: twelve thousand, or twelve
and a bit?) and garbage input is rejected with a one-line :class:`ValueError` meant for
the user.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Final

__all__ = [
    "CURRENCY_EXPONENTS",
    "MAX_MAJOR_UNITS",
    "MAX_MINOR_UNITS",
    "currency_exponent",
    "divide",
    "format_below_unit",
    "format_money",
    "from_minor",
    "is_currency",
    "max_minor",
    "no_underscore",
    "normalize_currency",
    "parse_amount",
    "parse_count",
    "parse_money",
    "parse_money_in",
    "to_minor",
]

# ISO 4217 list one (published 2024-06-25) with its minor-unit exponent, plus XCG (the
# Caribbean guilder, in use since 2025-03-31).  Codes whose minor unit is "N.A." (XDR, XUA,
# XSU, the bond-market units XBA-XBD, precious metals XAU/XAG/XPD/XPT, XTS, XXX) are left out:
# they are not amounts anybody invoices in.  ANG (replaced by XCG in 2025) and BGN (Bulgaria
# joined the euro on 2026-01-01) are being withdrawn but kept so existing records stay valid.
_EXPONENTS: Final[dict[str, int]] = {
    "AED": 2,  # UAE Dirham
    "AFN": 2,  # Afghani
    "ALL": 2,  # Lek
    "AMD": 2,  # Armenian Dram
    "ANG": 2,  # Netherlands Antillean Guilder (being replaced by XCG)
    "AOA": 2,  # Kwanza
    "ARS": 2,  # Argentine Peso
    "AUD": 2,  # Australian Dollar
    "AWG": 2,  # Aruban Florin
    "AZN": 2,  # Azerbaijan Manat
    "BAM": 2,  # Convertible Mark
    "BBD": 2,  # Barbados Dollar
    "BDT": 2,  # Taka
    "BGN": 2,  # Bulgarian Lev (being replaced by EUR)
    "BHD": 3,  # Bahraini Dinar
    "BIF": 0,  # Burundi Franc
    "BMD": 2,  # Bermudian Dollar
    "BND": 2,  # Brunei Dollar
    "BOB": 2,  # Boliviano
    "BOV": 2,  # Mvdol (fund)
    "BRL": 2,  # Brazilian Real
    "BSD": 2,  # Bahamian Dollar
    "BTN": 2,  # Ngultrum
    "BWP": 2,  # Pula
    "BYN": 2,  # Belarusian Ruble
    "BZD": 2,  # Belize Dollar
    "CAD": 2,  # Canadian Dollar
    "CDF": 2,  # Congolese Franc
    "CHE": 2,  # WIR Euro (fund)
    "CHF": 2,  # Swiss Franc
    "CHW": 2,  # WIR Franc (fund)
    "CLF": 4,  # Unidad de Fomento (fund)
    "CLP": 0,  # Chilean Peso
    "CNY": 2,  # Yuan Renminbi
    "COP": 2,  # Colombian Peso
    "COU": 2,  # Unidad de Valor Real (fund)
    "CRC": 2,  # Costa Rican Colon
    "CUC": 2,  # Peso Convertible
    "CUP": 2,  # Cuban Peso
    "CVE": 2,  # Cabo Verde Escudo
    "CZK": 2,  # Czech Koruna
    "DJF": 0,  # Djibouti Franc
    "DKK": 2,  # Danish Krone
    "DOP": 2,  # Dominican Peso
    "DZD": 2,  # Algerian Dinar
    "EGP": 2,  # Egyptian Pound
    "ERN": 2,  # Nakfa
    "ETB": 2,  # Ethiopian Birr
    "EUR": 2,  # Euro
    "FJD": 2,  # Fiji Dollar
    "FKP": 2,  # Falkland Islands Pound
    "GBP": 2,  # Pound Sterling
    "GEL": 2,  # Lari
    "GHS": 2,  # Ghana Cedi
    "GIP": 2,  # Gibraltar Pound
    "GMD": 2,  # Dalasi
    "GNF": 0,  # Guinean Franc
    "GTQ": 2,  # Quetzal
    "GYD": 2,  # Guyana Dollar
    "HKD": 2,  # Hong Kong Dollar
    "HNL": 2,  # Lempira
    "HTG": 2,  # Gourde
    "HUF": 2,  # Forint
    "IDR": 2,  # Rupiah
    "ILS": 2,  # New Israeli Sheqel
    "INR": 2,  # Indian Rupee
    "IQD": 3,  # Iraqi Dinar
    "IRR": 2,  # Iranian Rial
    "ISK": 0,  # Iceland Krona
    "JMD": 2,  # Jamaican Dollar
    "JOD": 3,  # Jordanian Dinar
    "JPY": 0,  # Yen
    "KES": 2,  # Kenyan Shilling
    "KGS": 2,  # Som
    "KHR": 2,  # Riel
    "KMF": 0,  # Comorian Franc
    "KPW": 2,  # North Korean Won
    "KRW": 0,  # Won
    "KWD": 3,  # Kuwaiti Dinar
    "KYD": 2,  # Cayman Islands Dollar
    "KZT": 2,  # Tenge
    "LAK": 2,  # Lao Kip
    "LBP": 2,  # Lebanese Pound
    "LKR": 2,  # Sri Lanka Rupee
    "LRD": 2,  # Liberian Dollar
    "LSL": 2,  # Loti
    "LYD": 3,  # Libyan Dinar
    "MAD": 2,  # Moroccan Dirham
    "MDL": 2,  # Moldovan Leu
    "MGA": 2,  # Malagasy Ariary
    "MKD": 2,  # Denar
    "MMK": 2,  # Kyat
    "MNT": 2,  # Tugrik
    "MOP": 2,  # Pataca
    "MRU": 2,  # Ouguiya
    "MUR": 2,  # Mauritius Rupee
    "MVR": 2,  # Rufiyaa
    "MWK": 2,  # Malawi Kwacha
    "MXN": 2,  # Mexican Peso
    "MXV": 2,  # Mexican Unidad de Inversion (fund)
    "MYR": 2,  # Malaysian Ringgit
    "MZN": 2,  # Mozambique Metical
    "NAD": 2,  # Namibia Dollar
    "NGN": 2,  # Naira
    "NIO": 2,  # Cordoba Oro
    "NOK": 2,  # Norwegian Krone
    "NPR": 2,  # Nepalese Rupee
    "NZD": 2,  # New Zealand Dollar
    "OMR": 3,  # Rial Omani
    "PAB": 2,  # Balboa
    "PEN": 2,  # Sol
    "PGK": 2,  # Kina
    "PHP": 2,  # Philippine Peso
    "PKR": 2,  # Pakistan Rupee
    "PLN": 2,  # Zloty
    "PYG": 0,  # Guarani
    "QAR": 2,  # Qatari Rial
    "RON": 2,  # Romanian Leu
    "RSD": 2,  # Serbian Dinar
    "RUB": 2,  # Russian Ruble
    "RWF": 0,  # Rwanda Franc
    "SAR": 2,  # Saudi Riyal
    "SBD": 2,  # Solomon Islands Dollar
    "SCR": 2,  # Seychelles Rupee
    "SDG": 2,  # Sudanese Pound
    "SEK": 2,  # Swedish Krona
    "SGD": 2,  # Singapore Dollar
    "SHP": 2,  # Saint Helena Pound
    "SLE": 2,  # Leone
    "SOS": 2,  # Somali Shilling
    "SRD": 2,  # Surinam Dollar
    "SSP": 2,  # South Sudanese Pound
    "STN": 2,  # Dobra
    "SVC": 2,  # El Salvador Colon
    "SYP": 2,  # Syrian Pound
    "SZL": 2,  # Lilangeni
    "THB": 2,  # Baht
    "TJS": 2,  # Somoni
    "TMT": 2,  # Turkmenistan New Manat
    "TND": 3,  # Tunisian Dinar
    "TOP": 2,  # Pa'anga
    "TRY": 2,  # Turkish Lira
    "TTD": 2,  # Trinidad and Tobago Dollar
    "TWD": 2,  # New Taiwan Dollar
    "TZS": 2,  # Tanzanian Shilling
    "UAH": 2,  # Hryvnia
    "UGX": 0,  # Uganda Shilling
    "USD": 2,  # US Dollar
    "USN": 2,  # US Dollar (Next day) (fund)
    "UYI": 0,  # Uruguay Peso en Unidades Indexadas (fund)
    "UYU": 2,  # Peso Uruguayo
    "UYW": 4,  # Unidad Previsional
    "UZS": 2,  # Uzbekistan Sum
    "VED": 2,  # Bolivar Soberano (digital)
    "VES": 2,  # Bolivar Soberano
    "VND": 0,  # Dong
    "VUV": 0,  # Vatu
    "WST": 2,  # Tala
    "XAF": 0,  # CFA Franc BEAC
    "XCD": 2,  # East Caribbean Dollar
    "XCG": 2,  # Caribbean Guilder
    "XOF": 0,  # CFA Franc BCEAO
    "XPF": 0,  # CFP Franc
    "YER": 2,  # Yemeni Rial
    "ZAR": 2,  # Rand
    "ZMW": 2,  # Zambian Kwacha
    "ZWG": 2,  # Zimbabwe Gold
}

#: Read-only map of every accepted ISO 4217 code to its minor-unit exponent.
CURRENCY_EXPONENTS: Final = MappingProxyType(_EXPONENTS)

#: Largest absolute amount, in major units, that :func:`to_minor` accepts.
MAX_MAJOR_UNITS: Final = 10**15

#: Largest absolute number of minor units :func:`to_minor` returns: a database keeps them
#: in a signed 64-bit integer (below 9.2 * 10**18), and a quote's total (net plus at most
#: 100% tax) is twice an amount. It caps the four-decimal currencies (CLF, UYW) at 10**14.
MAX_MINOR_UNITS: Final = 10**18

# Display symbols (format_money).  Everything else is shown as "CHF 1,200.00".
_DISPLAY_SYMBOLS: Final = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}

# Symbols recognised when parsing, longest first.  A bare "$" / "¥" is read as USD / JPY,
# matching how format_money displays those currencies.
_PARSE_SYMBOLS: Final = sorted(
    {
        "US$": "USD",
        "U$S": "USD",
        "$": "USD",
        "CA$": "CAD",
        "C$": "CAD",
        "AU$": "AUD",
        "A$": "AUD",
        "NZ$": "NZD",
        "HK$": "HKD",
        "S$": "SGD",
        "R$": "BRL",
        "MX$": "MXN",
        "€": "EUR",
        "£": "GBP",
        "JP¥": "JPY",
        "CN¥": "CNY",
        "¥": "JPY",
        "￥": "JPY",
        "₹": "INR",
        "₩": "KRW",
        "₽": "RUB",
        "₺": "TRY",
        "₪": "ILS",
        "₫": "VND",
        "₴": "UAH",
        "₦": "NGN",
        "฿": "THB",
        "₱": "PHP",
        "₸": "KZT",
        "₼": "AZN",
        "₾": "GEL",
        "₲": "PYG",
        "₡": "CRC",
        "₵": "GHS",
    }.items(),
    key=lambda item: -len(item[0]),
)

_CURRENCY_HINT = "use an ISO 4217 code such as EUR, USD, GBP"
_DIGITS = frozenset("0123456789")
# Characters that can only ever be digit-group separators: spaces and apostrophes (1'200.50).
_GROUP_ONLY = {
    " ": " ",
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space (French)
    "\u2009": " ",  # thin space
    "'": "'",
    "\u2019": "'",  # right single quotation mark (Swiss)
}
_NUMBER_CHARS = _DIGITS | set(_GROUP_ONLY) | {".", ","}
_MULTIPLIERS: Final = {"K": 1_000, "M": 1_000_000}
_MAX_DIGITS = 30  # per side of the decimal point; far beyond MAX_MAJOR_UNITS
_CTX: Final = Context(prec=80)  # exact for everything we compute (<= 2 * _MAX_DIGITS + 7 digits)
_LETTERS_AT_START = re.compile(r"([A-Z]{3,})(?![A-Z])")
_LETTERS_AT_END = re.compile(r"(?<![A-Z])([A-Z]{3,})$")


# --------------------------------------------------------------------------- currencies


def is_currency(code: str) -> bool:
    """Return True if ``code`` (any case, surrounding spaces allowed) is a known ISO 4217 code."""
    return isinstance(code, str) and code.strip().upper() in _EXPONENTS and code.isascii()


def normalize_currency(code: str) -> str:
    """Return the canonical (upper-case) ISO 4217 code for ``code``.

    Raises ValueError (``unknown currency 'EURO' (use an ISO 4217 code such as EUR, USD,
    GBP)``) if it is not a known code.
    """
    if not isinstance(code, str) or not code.strip():
        raise ValueError(f"currency is missing ({_CURRENCY_HINT})")
    clean = code.strip()
    upper = clean.upper()
    if not clean.isascii() or upper not in _EXPONENTS:
        raise ValueError(f"unknown currency {_show(clean)} ({_CURRENCY_HINT})")
    return upper


def currency_exponent(code: str) -> int:
    """Return the number of decimal places of ``code`` (EUR 2, JPY 0, BHD 3, CLF 4)."""
    return _EXPONENTS[normalize_currency(code)]


# --------------------------------------------------------------------------- parsing


def parse_amount(text: str | int | Decimal) -> Decimal:
    """Parse a non-negative amount as typed by a person or pasted from a spreadsheet.

    Accepts ``1200``, ``1200.50``, ``1,200.50``, ``1.200,50``, ``1 200,50``, ``1'200.50``,
    ``1,234,567``, ``€1200``, ``$ 1,200.00``, ``1200 EUR``, ``EUR 1200``, ``12k``, ``1.5m``
    (k = thousand, m = million).  When both ``,`` and ``.`` appear, the last one is the
    decimal point; a mark that appears twice groups thousands; a single mark followed by
    any number of digits but three is the decimal point (``1,5`` is 1.5).  A single ``,``
    or ``.`` followed by exactly three digits (``12.345``, ``1,200``) could be either, and
    is refused as ambiguous (the message shows how to write each reading) unless the
    integer part is zero (``0,500`` is 0.5) or something says which (see
    :func:`parse_money`).  A currency code or symbol is ignored
    here (see :func:`parse_money` to get it).  ``int`` and ``Decimal`` pass through after
    the same checks.  Floats raise TypeError.  An underscore (``1_000``, Python's
    grouping) is refused, as every number a person types refuses it (``no_underscore``).

    Raises ValueError with a one-line message for empty, negative, non-finite or
    unreadable input.
    """
    return parse_money(text)[0]


def parse_money(
    text: str | int | Decimal, *, currency: str | None = None, decimal: str | None = None
) -> tuple[Decimal, str | None]:
    """Like :func:`parse_amount`, also returning the currency written with the amount.

    One mark between one to three digits and three more (``1.500``, ``1,500``) is read as
    the file's convention says (``decimal``, the decimal mark its amounts use: ``","`` or
    ``"."``) or, with no convention given, as the currency (written with the amount, else
    ``currency``) allows: ``1.500 BHD`` is one and a half dinars (three decimal places),
    ``1,500 JPY`` fifteen hundred yen (none).  Otherwise (``1.500 EUR``: fifteen hundred
    euros, or one and a half?) it is refused as ambiguous.

    ``"€1,200.00"`` gives ``(Decimal("1200"), "EUR")``, ``"1200 chf"`` gives
    ``(Decimal("1200"), "CHF")``, ``"1200"`` gives ``(Decimal("1200"), None)``.  A bare
    ``$`` means USD and ``¥`` means JPY.  An unknown three-letter code raises ValueError.
    """
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        raise TypeError(f"amount must be str, int or Decimal, not {type(text).__name__}")
    if isinstance(text, int):
        if text < 0:
            raise ValueError("amount must not be negative")
        return Decimal(text), None
    if isinstance(text, Decimal):
        return _check_decimal(text), None
    if decimal not in (None, ".", ","):
        raise ValueError(f"the decimal mark must be '.' or ',', not {decimal!r}")
    return _parse_text(text, currency, decimal)


def parse_money_in(
    text: str | int | Decimal,
    currency: str | None = None,
    *,
    default: str | None = None,
    decimal: str | None = None,
) -> tuple[Decimal, str | None]:
    """The amount ``text`` gives and the currency it is in: the one written with it
    (``"$120,000"``, ``"USD 500"``, ``"500 JPY"``, ``"1 234,50 €"``), else ``currency``,
    else ``default`` (None when none of them names one).

    This is the one reading of a typed amount: deals, budgets, forms and imports use it.
    A written currency that disagrees with ``currency`` is refused (``"€5"`` with USD), and
    so is an amount finer than its currency's minor unit (``"500.5 JPY"``: yen have no
    decimal places), so what is stored is always what was typed.  Raises ValueError with
    one line for the user; TypeError for a float. ``decimal`` is the file's decimal mark
    when it is known (see :func:`parse_money`).
    """
    given = normalize_currency(currency) if currency is not None and currency.strip() else None
    hint = given or (normalize_currency(default) if default else None)
    amount, written = parse_money(text, currency=hint, decimal=decimal)
    if written and given and written != given:
        raise ValueError(
            f"amount {_show(str(text))} is in {written}, but the currency given is {given}"
        )
    code = written or given or (normalize_currency(default) if default else None)
    if code is not None:
        to_minor(amount, code)  # the checks only: decimal places and size
    return amount, code


def _check_decimal(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("amount must be a finite number")
    if value.is_zero():
        return value.copy_abs()
    if value < 0:
        raise ValueError("amount must not be negative")
    return value


def _parse_text(
    text: str, hint: str | None = None, decimal: str | None = None
) -> tuple[Decimal, str | None]:
    no_underscore(text)
    s = text.strip().replace("\u2212", "-").upper()
    if not s:
        raise ValueError("amount is empty")
    if s.lstrip("+-").strip() in ("NAN", "SNAN", "INF", "INFINITY"):
        raise ValueError("amount must be a finite number")
    if not any(c in _DIGITS for c in s):
        raise _not_understood(text)

    sign = ""
    if s[0] in "+-":
        sign, s = s[0], s[1:].strip()
    s, prefix_code = _strip_prefix_currency(s)
    if s[:1] in ("+", "-"):
        if sign:
            raise _not_understood(text)
        sign, s = s[0], s[1:].strip()
    s, suffix_code = _strip_suffix_currency(s)
    if prefix_code and suffix_code and prefix_code != suffix_code:
        raise ValueError(f"conflicting currencies in amount {_show(text)}")
    currency = prefix_code or suffix_code
    code = currency or (hint if hint and is_currency(hint) else None)
    exponent = currency_exponent(code) if code is not None else None
    if decimal is None and exponent == 3:
        decimal = "."

    value = _parse_number(s, text, decimal, code=code)
    if sign == "-" and not value.is_zero():  # -0.00 (a spreadsheet's rounding) is nothing
        raise ValueError("amount must not be negative")
    return value, currency


def _strip_prefix_currency(s: str) -> tuple[str, str | None]:
    for symbol, code in _PARSE_SYMBOLS:
        if s.startswith(symbol):
            return s[len(symbol) :].strip(), code
    m = _LETTERS_AT_START.match(s)
    if m:
        return s[m.end() :].strip(), _code_in_amount(m.group(1))
    return s, None


def _strip_suffix_currency(s: str) -> tuple[str, str | None]:
    for symbol, code in _PARSE_SYMBOLS:
        if s.endswith(symbol) and len(s) > len(symbol):
            return s[: -len(symbol)].strip(), code
    m = _LETTERS_AT_END.search(s)
    if m:
        return s[: m.start()].strip(), _code_in_amount(m.group(1))
    return s, None


def _code_in_amount(letters: str) -> str:
    if letters not in _EXPONENTS:
        raise ValueError(f"unknown currency {_show(letters)} ({_CURRENCY_HINT})")
    return letters


def _parse_number(
    s: str, text: str, decimal: str | None = None, *, code: str | None = None, whole: bool = False
) -> Decimal:
    """Parse the bare number (no sign, no currency), with an optional k/m multiplier;
    ``decimal`` (the decimal mark, when known) decides ``1.500`` and ``1,500``, else the
    currency ``code`` when it has no decimal places or ``whole`` (a count: no decimals
    either); with none of them, ``1.500`` is ambiguous."""
    multiplier = 1
    suffix = ""
    if s and s[-1] in _MULTIPLIERS:
        suffix = s[-1].lower()
        multiplier = _MULTIPLIERS[s[-1]]
        s = s[:-1].rstrip()
    if not s or any(c not in _NUMBER_CHARS for c in s) or not any(c in _DIGITS for c in s):
        raise _not_understood(text)
    s = "".join(_GROUP_ONLY.get(c, c) for c in s)

    group_only = {c for c in s if c in ("'", " ")}
    if len(group_only) > 1:
        raise _not_understood(text)
    group: str | None = group_only.pop() if group_only else None
    decimal_point: str | None = None

    if "." in s and "," in s:
        if group is not None:
            raise _not_understood(text)
        decimal_point = "." if s.rfind(".") > s.rfind(",") else ","
        group = "," if decimal_point == "." else "."
        if s.count(decimal_point) != 1:
            raise _not_understood(text)
    elif "." in s or "," in s:
        mark = "." if "." in s else ","
        if s.count(mark) > 1:
            if group is not None:
                raise _not_understood(text)
            group = mark
        else:
            before, after = s.split(mark)
            looks_grouped = (
                group is None
                and len(after) == 3
                and 1 <= len(before) <= 3
                and before.strip("0") != ""
                and set(after) <= _DIGITS
            )
            if not looks_grouped or decimal == mark:
                decimal_point = mark
            elif decimal is not None or whole or (code and currency_exponent(code) == 0):
                group = mark
            else:
                raise _ambiguous(text, before, after, mark, suffix, code)

    if decimal_point is not None:
        int_part, frac = s.split(decimal_point)
        if not frac or set(frac) - _DIGITS:
            raise _not_understood(text)
    else:
        int_part, frac = s, ""
    digits = _integer_digits(int_part, group, allow_empty=bool(frac), text=text)

    if len(digits.lstrip("0")) > _MAX_DIGITS:
        raise ValueError(f"amount {_show(text)} is too large")
    if len(frac) > _MAX_DIGITS:
        raise ValueError(f"amount {_show(text)} has too many decimal places")
    value = Decimal(f"{digits}.{frac}" if frac else digits)
    if multiplier != 1:
        value = _CTX.multiply(value, Decimal(multiplier))
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1), context=_CTX)  # 1.5k -> 1500, not 1500.0
        else:
            value = value.normalize(_CTX)  # 1.2345k -> 1234.5
    return value


def _integer_digits(int_part: str, group: str | None, *, allow_empty: bool, text: str) -> str:
    """Validate digit grouping (1,234,567 or Indian 12,34,567) and return the bare digits."""
    if not int_part:
        if allow_empty:
            return "0"
        raise _not_understood(text)
    if group is None:
        if set(int_part) - _DIGITS:
            raise _not_understood(text)
        return int_part
    groups = int_part.split(group)
    if any(not g or set(g) - _DIGITS for g in groups):
        raise _not_understood(text)
    head, rest = groups[0], groups[1:]
    western = 1 <= len(head) <= 3 and all(len(g) == 3 for g in rest)
    indian = (
        len(rest) >= 2
        and 1 <= len(head) <= 2
        and all(len(g) == 2 for g in rest[:-1])
        and len(rest[-1]) == 3
    )
    if not (western or indian):
        raise _not_understood(text)
    return "".join(groups)


class AmbiguousAmount(ValueError):
    """``12.345`` with no decimal mark known: twelve thousand, or twelve and a bit? (A
    file's decimal mark settles it for all its amounts: ``parse_money``'s ``decimal``.)"""


def _ambiguous(
    text: str, before: str, after: str, mark: str, suffix: str, code: str | None
) -> AmbiguousAmount:
    """``12.345``: how to write it as twelve thousand and more, and as twelve and a bit."""
    thousands = f"{before}{after}{suffix}"
    frac = after.rstrip("0")
    note = ""
    exponent = currency_exponent(code) if code else None
    if exponent is not None and not suffix and len(frac) > exponent:
        # as a decimal point, finer than the currency: the nearest amount it has
        nearest = Decimal(f"{before}.{after}").quantize(
            Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP
        )
        point = str(nearest).replace(".", mark)
        note = f" ({code} amounts have at most {exponent} decimal places)"
    elif not frac:
        point = f"{before}{suffix}"
    elif len(frac) < 3:
        point = f"{before}{mark}{frac}{suffix}"
    else:
        point = f"{before}{mark}{after}0{suffix}"  # four decimals: no longer ambiguous
    return AmbiguousAmount(
        f"amount {_show(text)} is ambiguous: write {thousands} if {mark!r} separates "
        f"thousands, or {point} if it is the decimal point{note}"
    )


def parse_count(text: str, what: str = "number") -> int:
    """A number of things as people write it (a company's size, days): ``250``,
    ``1,000``, ``1.000``, ``1 000``, ``1.2k``.  A count has no decimals, so one mark
    followed by three digits groups thousands (``1.000`` is a thousand), where an amount
    would be ambiguous.  A ``+`` before it is taken; a ``-`` (or ``\u2212``) makes a
    count below 0, refused as such. Raises ValueError (``number '1,5' is not a whole
    number``) for a fraction, a currency or anything else."""
    if not isinstance(text, str):
        raise TypeError(f"{what} must be text, not {type(text).__name__}")
    no_underscore(text, what)
    s = text.strip().upper()
    sign = s[:1] if s[:1] in ("-", "\u2212", "+") else ""
    try:
        if not s[len(sign) :]:
            raise ValueError
        value = _parse_number(s[len(sign) :], text, whole=True)
    except ValueError:
        raise ValueError(f"{what} {_show(text)} is not a whole number") from None
    if sign not in ("", "+") and value:  # a whole number, but not a count
        raise ValueError(f"{what} {_show(text)} is below 0: it must be 0 or more")
    if value != value.to_integral_value():
        raise ValueError(f"{what} {_show(text)} is not a whole number")
    return int(value)


def no_underscore(text: str, what: str = "amount") -> None:
    """Refuse ``1_000``: Python's way of grouping digits, which no person or spreadsheet
    writes. Every number a person types (amounts, counts, quantities, percentages) takes
    the same rule and says it in the same line."""
    if "_" in text:
        raise ValueError(
            f"{what} {_show(text)} has an underscore, which does not group digits here: "
            f"write {_show(text.replace('_', ''))}"
        )


def _not_understood(text: str) -> ValueError:
    return ValueError(f"cannot understand amount {_show(text)} (try 1200, 1,200.50 or 12k)")


def _show(text: str) -> str:
    """The user's text, on one line and not too long, quoted for an error message."""
    s = " ".join(text.split())
    if len(s) > 40:
        s = s[:37] + "..."
    return repr(s)


# --------------------------------------------------------------------------- minor units


def max_minor(currency: str) -> int:
    """The largest absolute number of minor units of ``currency`` that tinycrm keeps:
    :data:`MAX_MAJOR_UNITS`, or fewer where that would not fit :data:`MAX_MINOR_UNITS`."""
    return min(MAX_MAJOR_UNITS * 10 ** currency_exponent(currency), MAX_MINOR_UNITS)


def to_minor(amount: Decimal, currency: str) -> int:
    """Convert ``amount`` to an exact integer of minor units of ``currency``.

    ``to_minor(Decimal("12.34"), "EUR") == 1234``; ``to_minor(Decimal("1200"), "JPY") ==
    1200``.  Raises ValueError if the amount has more decimal places than the currency
    allows (``EUR amounts have at most 2 decimal places``), is not finite, or its absolute
    value exceeds :data:`MAX_MAJOR_UNITS` (or :func:`max_minor` minor units).  Negative
    amounts are allowed here (totals, differences); :func:`parse_amount` is what rejects
    negative input.
    """
    code = normalize_currency(currency)
    exponent = _EXPONENTS[code]
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"amount must be a Decimal or int, not {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError("amount must be a finite number")
    top = max_minor(code)
    if abs(value) > MAX_MAJOR_UNITS or abs(value.scaleb(exponent, context=_CTX)) > top:
        raise ValueError(f"amount is too large (at most {top // 10**exponent:,} {code})")
    quantum = Decimal(1).scaleb(-exponent)
    rounded = value.quantize(quantum, context=_CTX)
    if rounded != value:
        if exponent == 0:
            raise ValueError(f"{code} amounts have no decimal places")
        raise ValueError(f"{code} amounts have at most {exponent} decimal places")
    return int(rounded.scaleb(exponent, context=_CTX))


def from_minor(minor: int, currency: str) -> Decimal:
    """Convert an integer of minor units back to a Decimal with the currency's exponent.

    ``from_minor(1234, "EUR") == Decimal("12.34")``; ``from_minor(5, "JPY") ==
    Decimal("5")``; ``from_minor(0, "BHD")`` is ``Decimal("0.000")``.
    """
    exponent = _EXPONENTS.get(currency) if isinstance(currency, str) else None  # as stored
    if exponent is None:
        exponent = _EXPONENTS[normalize_currency(currency)]
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError(f"minor units must be an int, not {type(minor).__name__}")
    return Decimal(f"{minor}e-{exponent}")  # exact, read from text: no context rounds it


def divide(part: Decimal | int, whole: Decimal | int, quantum: Decimal) -> Decimal:
    """``part`` ÷ ``whole`` rounded half-up to ``quantum`` (``Decimal("0.0001")``), at any
    size tinycrm sums: a ROI of €10**21 won on a 0.001 BHD budget, or a year's revenue of
    many deals of the largest amount, has more digits than Python's default 28, and
    stopped a report with ``decimal.InvalidOperation``. Raises ZeroDivisionError on 0."""
    if not whole:
        raise ZeroDivisionError("divide by zero")
    return _CTX.divide(Decimal(part), Decimal(whole)).quantize(
        quantum, rounding=ROUND_HALF_UP, context=_CTX
    )


# --------------------------------------------------------------------------- display


def format_money(amount: Decimal | None, currency: str | None) -> str:
    """Format an amount for people: ``€12,500.00``, ``$99.00``, ``CHF 1,200.00``, ``¥1,200``.

    EUR, USD, GBP and JPY use their symbol; other currencies are prefixed with the code.
    The amount is shown with the currency's decimal places (more only if the value really
    has more, never rounded).  ``""`` for a None amount; no prefix for a None currency; an
    unknown code is shown as given rather than raising, since this is display only.
    """
    if amount is None:
        return ""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"amount must be a Decimal or int, not {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite():
        return str(value)
    code = currency.strip().upper() if currency else ""
    exponent = _EXPONENTS.get(code)
    if exponent is not None:
        try:
            rounded = value.quantize(Decimal(1).scaleb(-exponent), context=_CTX)
        except InvalidOperation:  # astronomically large: show as is
            rounded = value
        if rounded == value:
            value = rounded
    places = max(0, -int(value.as_tuple().exponent))
    body = f"{abs(value):,.{places}f}"
    sign = "-" if value < 0 else ""
    symbol = _DISPLAY_SYMBOLS.get(code)
    if symbol:
        return f"{sign}{symbol}{body}"
    if code:
        return f"{code} {sign}{body}"
    return f"{sign}{body}"


def format_below_unit(currency: str) -> str:
    """An amount above nothing that rounds to nothing in ``currency``'s minor unit, as
    people read it: ``< €0.01``, ``< ¥1``, ``< BHD 0.001`` (never ``€0.00``, which says free)."""
    return f"< {format_money(Decimal(1).scaleb(-currency_exponent(currency)), currency)}"
