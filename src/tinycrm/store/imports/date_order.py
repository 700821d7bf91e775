"""Which way a file's dates like ``03/04/2026`` read: one way for a whole column.

A column whose dates include one only day first can read (``13/01/2026``) is day first,
``03/04/2026`` included, however far down the file that date is; one with a date only
month first can read (``01/13/2026``) is month first; a column of neither reads as the
user said, else as the file's kind usually does (day first in semicolon files). A column
with both kinds is refused: which way its other dates read cannot be known. When the
user said which way (``--day-first``/``--month-first``), that wins, and a date that way
cannot read rejects its row instead of being read the other way.

``DateOrder.rows`` passes rows on as they come, holding back only those whose dates are
of either order while their column is undecided (and those after them, to keep the
file's order); each row's cells are looked at once, by ``values.date_order``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping

from tinycrm.formats import values as cell
from tinycrm.formats.mapping import ROW_ERROR
from tinycrm.store.errors import Invalid
from tinycrm.store.imports.common import ImportRow

_OPTION = {"day": "--day-first", "month": "--month-first"}


def _label(column: str) -> str:
    return column.replace("_", " ")  # close_date: close date


class DateOrder:
    """The order of each date column, told (``told``: True day first, False month first)
    or decided by the file; ``usual`` where neither says."""

    def __init__(self, columns: tuple[str, ...], told: bool | None, usual: bool) -> None:
        self.columns = columns
        self.told = None if told is None else ("day" if told else "month")
        self.usual = usual
        self.decided: dict[str, tuple[str, int, str]] = {}  # column -> (order, line, text)

    def day_first(self, column: str, text: str) -> bool:
        """How to read ``text`` of ``column``; raises Invalid when told an order it
        cannot be read in."""
        if self.told is not None:
            order = cell.date_order(text)
            if order is not None and order not in ("either", self.told):
                raise Invalid(
                    f"{_label(column)} {text.strip()!r} cannot be read {self.told} first "
                    f"({_OPTION[self.told]}): only {order} first"
                )
            return self.told == "day"
        found = self.decided.get(column)
        return self.usual if found is None else found[0] == "day"

    def _decide(self, column: str, order: str, line: int, text: str) -> None:
        found = self.decided.get(column)
        if found is None:
            self.decided[column] = (order, line, text)
        elif found[0] != order:
            first, second = sorted([found, (order, line, text.strip())], key=lambda f: f[1])
            raise Invalid(
                f"the {_label(column)} column has dates only {first[0]} first reads "
                f"({first[2]!r}, line {first[1]:,}) and dates only {second[0]} first reads "
                f"({second[2]!r}, line {second[1]:,}): say which way the file's dates read "
                "with --day-first or --month-first (rows that cannot be read that way are "
                "then rejected)"
            )

    def _pending(self, line: int, values: Mapping[str, str]) -> list[str]:
        """The columns of this row still undecided for one of its dates (deciding those
        its dates settle)."""
        waiting = []
        for column in self.columns:
            text = values.get(column)
            if not text:
                continue
            order = cell.date_order(text)
            if order == "either":
                if column not in self.decided:
                    waiting.append(column)
            elif order is not None:
                self._decide(column, order, line, text.strip())
        return waiting

    def rows(self, rows: Iterable[ImportRow]) -> Iterator[ImportRow]:
        if self.told is not None or not self.columns:
            yield from rows
            return
        held: deque[tuple[ImportRow, list[str]]] = deque()
        for row in rows:
            line, values, _raw = row
            waiting = [] if ROW_ERROR in values else self._pending(line, values)
            if not held and not waiting:
                yield row
                continue
            held.append((row, waiting))
            while held and all(c in self.decided for c in held[0][1]):
                yield held.popleft()[0]
        for row, _waiting in held:
            yield row
