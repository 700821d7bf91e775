"""How the board writes amounts, dates and times (short, local, relative), and stored text.

Stored text may hold escape sequences or bidi overrides (``tinycrm.safetext``):
``text()`` and ``block()`` show them escaped wherever a screen writes a name, a title or
a note, and ``RawControls``, a line filter every widget's lines pass through, drops any
that still reaches the screen (they take no cells, so no line changes its width).

They also show apart the emoji that joiners make one (``steady``): terminals count
those cells each their own way, and a name holding one shifted the columns after it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from rich.cells import set_cell_size, split_graphemes
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from tinycrm import dates, money, safetext
from tinycrm.table_layout import JOINERS as JOINERS  # shared with the command line's tables
from tinycrm.table_layout import steady as steady

_SCALES = ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"), (Decimal(1_000), "k"))


def _symbol(currency: str | None) -> str:
    """What ``money.format_money`` puts before the digits: ``€``, ``$``, ``CHF ``."""
    shown = money.format_money(Decimal(0), currency)
    return shown[: len(shown) - len(shown.lstrip("€$£¥ABCDEFGHIJKLMNOPQRSTUVWXYZ "))]


def _whole(value: Decimal, currency: str | None, suffix: str = "") -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{_symbol(currency)}{abs(value):,}{suffix}"


def amount(value: Decimal | None, currency: str | None) -> str:
    """``€18,500`` for whole amounts, ``€18,500.50`` otherwise; ``""`` for none."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return _whole(value.quantize(Decimal(1)), currency)
    return money.format_money(value, currency)


def compact(value: Decimal, currency: str | None) -> str:
    """``€1.2M``, ``€18.5k``, ``€950``: for column headers, where room is short."""
    for scale, suffix in _SCALES:
        if abs(value) >= scale:
            shown = (value / scale).quantize(Decimal("0.1"))
            if shown == shown.to_integral_value():
                shown = shown.quantize(Decimal(1))
            return _whole(shown, currency, suffix)
    return _whole(value.quantize(Decimal(1)), currency)


def short_date(day: date | None, today: date) -> str:
    """``12 Dec`` this year, ``12 Dec 2027`` otherwise."""
    if day is None:
        return ""
    text = f"{day.day} {day.strftime('%b')}"
    return text if day.year == today.year else f"{text} {day.year}"


def relative(moment: datetime | None, now: datetime) -> str:
    """``5 min ago``, ``in 3 h``, ``yesterday``: shared with the command line's wording."""
    return dates.humanize(moment, now=now) if moment else ""


def local(moment: datetime | None) -> str:
    """``2026-11-23 14:05`` in the user's time zone."""
    return dates.format_local(moment)


def due(moment: datetime, now: datetime) -> tuple[str, str]:
    """When a task is due, as the tasks screen and the record views say it: its local date
    and time (``2026-11-24 09:00``), and how far off (``tomorrow``) when that says more than
    the date (``""`` for a day more than a week off, which ``relative`` gives as its date)."""
    when, off = local(moment), relative(moment, now)
    return when, "" if when.startswith(off) else off


def local_day(now: datetime) -> date:
    return now.astimezone(dates.local_tz()).date()


def days_until(day: date, today: date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tmrw"
    return f"{delta}d"


_JOINER = re.compile(f"[{JOINERS}]")


def text(value: object) -> str:
    """Stored text on one line of a screen: controls and bidi overrides shown escaped,
    joined emoji apart (``steady``)."""
    return "" if value is None else steady(safetext.display(value))


def block(value: object) -> str:
    """Stored text that may span lines (notes, bodies, messages): newlines and tabs kept."""
    return "" if value is None else steady(safetext.display(value, multiline=True))


MESSAGE_LIMIT = 300
"""The most characters a message shows (a notification, a form's error): one naming a
title of 100,000 characters (an import, another program) covered half the screen."""


def message(value: object) -> str:
    """A message for the screen (``block``), cut to ``MESSAGE_LIMIT`` characters."""
    shown = block(value)
    return shown if len(shown) <= MESSAGE_LIMIT else shown[: MESSAGE_LIMIT - 1] + "…"


MARKS = "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
"""The combining diacritical marks any script's letters take, as the inside of a regular
expression's ``[...]``: what "Zalgo" text piles by the hundred on one letter."""
MOST_MARKS = 3
"""The most of them the board sends on one character (Vietnamese stacks two): a terminal
drawing hundreds smeared them over the lines above and below."""
_PILE = re.compile(f"([{MARKS}]{{{MOST_MARKS}}})[{MARKS}]+")
_NETTED = re.compile(f"{safetext.SHOWN.pattern}|[{JOINERS}]|[{MARKS}]{{{MOST_MARKS + 1}}}")


def _netted(line: str) -> str:
    """``line`` without controls, each emoji a joiner made one drawn in the cells Rich gave
    it: its first character and spaces (an input's value, written as stored); no more than
    ``MOST_MARKS`` combining marks on a character (they take no cell)."""
    line = _PILE.sub(r"\1", safetext.SHOWN.sub("", line))
    if not _JOINER.search(line):
        return line
    spans, _ = split_graphemes(line)
    return "".join(
        set_cell_size(steady(line[start:end]), cells)
        if _JOINER.search(line[start:end])
        else line[start:end]
        for start, end, cells in spans
    )


class RawControls(LineFilter):
    """The board's net: no control character or bidi override reaches the terminal, nor
    an emoji a terminal may count other than as laid out, nor a pile of combining marks.

    Every screen escapes stored text where it writes it (``text()``); this filter runs on
    every line of every widget and drops whatever slipped past (a widget that wrote a
    value without ``text()``). They are zero cells wide, so the line keeps its layout; a
    joined emoji keeps its cells (``_netted``).
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        netted = _NETTED
        if not any(netted.search(s.text) for s in segments if not s.control):
            return segments
        return [
            s if s.control or not netted.search(s.text) else Segment(_netted(s.text), s.style)
            for s in segments
        ]
