"""``[seller]`` and ``[quotes]`` of the config file: who a quote is from, and its rules.

::

    [seller]                     # on every rendered quote
    name = "Tiny Software GmbH"
    address = "Hauptstr. 1\\n10115 Berlin\\nGermany"
    tax_id = "DE123456789"
    email = "sales@tiny.example"
    payment_terms = "30 days net"

    [quotes]
    valid_days = 30              # a quote made without --valid is valid this many days
    accept_wins_deal = true      # accepting a quote marks its deal won
    remind_days = 7              # remind tells of a sent quote this many days before it expires
    pdf_font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"   # "builtin": Helvetica
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class _Locator(Protocol):
    """``tinycrm.config``'s locator: an error naming the line of a key."""

    def error(
        self, rule: int | None, key: str | None, message: str, *, within: str | None = None
    ) -> Exception: ...


SELLER_KEYS = ("name", "address", "tax_id", "email", "phone", "payment_terms")
QUOTE_KEYS = ("valid_days", "accept_wins_deal", "pdf_font", "remind_days")
MAX_SELLER_TEXT = 2000


@dataclass(frozen=True)
class SellerSettings:
    """Who quotes are from (all optional: a quote without them names no seller)."""

    name: str | None = None
    address: str | None = None  # may hold line breaks
    tax_id: str | None = None
    email: str | None = None
    phone: str | None = None
    payment_terms: str | None = None


@dataclass(frozen=True)
class QuoteSettings:
    valid_days: int = 30
    accept_wins_deal: bool = True
    remind_days: int = 7  # tinycrm remind: a sent quote this many days before it expires
    pdf_font: str | None = None  # a TrueType file, "builtin", or None: a system font


def parse_seller(raw: Any, locate: _Locator) -> SellerSettings:
    """The [seller] table: text values only, without control characters but line breaks."""
    from tinycrm import safetext

    if not isinstance(raw, dict):
        raise locate.error(None, "seller", "[seller] must be a table")
    values: dict[str, str | None] = {}
    for key, value in raw.items():
        if key not in SELLER_KEYS:
            known = ", ".join(SELLER_KEYS)
            raise locate.error(
                None, key, f"unknown key seller.{key} (known: {known})", within="seller"
            )
        if not isinstance(value, str):
            raise locate.error(None, key, f"seller.{key} must be text", within="seller")
        multiline = key in ("address", "payment_terms")
        problem = safetext.problem(value, multiline=multiline)
        if problem is not None:
            raise locate.error(None, key, f"seller.{key}: {problem}", within="seller")
        if len(value) > MAX_SELLER_TEXT:
            raise locate.error(None, key, f"seller.{key} is too long", within="seller")
        values[key] = value.strip() or None
    return SellerSettings(**values)


def parse_quotes(raw: Any, locate: _Locator) -> QuoteSettings:
    """The [quotes] table: ``valid_days`` (1-3650), ``accept_wins_deal``, ``remind_days``
    (0-365) and ``pdf_font``."""
    if not isinstance(raw, dict):
        raise locate.error(None, "quotes", "[quotes] must be a table")
    for key in raw:
        if key not in QUOTE_KEYS:
            known = ", ".join(QUOTE_KEYS)
            raise locate.error(
                None, key, f"unknown key quotes.{key} (known: {known})", within="quotes"
            )
    days = raw.get("valid_days", 30)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3650:
        raise locate.error(
            None, "valid_days", "quotes.valid_days must be a whole number 1-3650", within="quotes"
        )
    remind = raw.get("remind_days", 7)
    if not isinstance(remind, int) or isinstance(remind, bool) or not 0 <= remind <= 365:
        raise locate.error(
            None,
            "remind_days",
            "quotes.remind_days must be a whole number 0-365 (0: never)",
            within="quotes",
        )
    wins = raw.get("accept_wins_deal", True)
    if not isinstance(wins, bool):
        raise locate.error(
            None,
            "accept_wins_deal",
            "quotes.accept_wins_deal must be true or false",
            within="quotes",
        )
    font = raw.get("pdf_font")
    if font is not None and (not isinstance(font, str) or "\x00" in font):
        raise locate.error(
            None, "pdf_font", "quotes.pdf_font must be the path of a .ttf file", within="quotes"
        )
    return QuoteSettings(
        valid_days=days, accept_wins_deal=wins, remind_days=remind, pdf_font=font or None
    )
