"""Charts drawn with text: the bars of ``tinycrm report`` and of the board's dashboard."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

BAR_WIDTH = 20
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float | Decimal | None, top: float | Decimal | None, width: int = BAR_WIDTH) -> str:
    """``value`` as a bar of block characters, ``top`` filling ``width`` cells."""
    if not value or not top or value <= 0 or top <= 0:
        return ""
    eighths = round(float(value) / float(top) * width * 8)
    full, part = divmod(max(eighths, 1), 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def money_tops(rows: Sequence[dict[str, Decimal]]) -> dict[str, Decimal]:
    """The largest amount of each currency over ``rows``."""
    tops: dict[str, Decimal] = {}
    for values in rows:
        for code, amount in values.items():
            tops[code] = max(tops.get(code, Decimal(0)), amount)
    return tops
