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
file's order); each row's cells are looked at once, by ``values.date_order``. Past
``HELD_IN_MEMORY`` rows the ones held wait in a temporary file (made 0600 and unlinked
at once): a file whose dates all read either way until its last row is not held whole
in memory.
"""

from __future__ import annotations

import pickle
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

from tinycrm.formats import values as cell
from tinycrm.formats.mapping import ROW_ERROR
from tinycrm.store.errors import Invalid
from tinycrm.store.imports.common import ImportRow

_OPTION = {"day": "--day-first", "month": "--month-first"}
HELD_IN_MEMORY = 5_000  # rows held back in memory; those after wait in a temporary file


class _Held:
    """A first-in first-out queue of the rows held back: up to ``HELD_IN_MEMORY`` in
    memory, the rest pickled to a temporary file in order and read back a chunk at a
    time when those before them have gone."""

    def __init__(self) -> None:
        self._memory: deque[Any] = deque()
        self._file: IO[bytes] | None = None
        self._written = 0  # items in the file
        self._read = 0  # of those, read back
        self._end = 0  # where the next item is written
        self._at = 0  # where the next item is read from

    @property
    def in_memory(self) -> int:
        return len(self._memory)

    def __bool__(self) -> bool:
        return bool(self._memory) or self._read < self._written

    def append(self, item: Any) -> None:
        if self._read == self._written and len(self._memory) < HELD_IN_MEMORY:
            self._memory.append(item)
            return
        if self._file is None:
            # 0600 and unlinked at once; closed by close()
            self._file = tempfile.TemporaryFile(prefix="tinycrm-import-")  # noqa: SIM115
        self._file.seek(self._end)
        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._end = self._file.tell()
        self._written += 1

    def first(self) -> Any:
        self._refill()
        return self._memory[0]

    def popleft(self) -> Any:
        self._refill()
        return self._memory.popleft()

    def _refill(self) -> None:
        if self._memory or self._file is None or self._read == self._written:
            return
        self._file.seek(self._at)
        while self._read < self._written and len(self._memory) < HELD_IN_MEMORY:
            self._memory.append(pickle.load(self._file))  # (our own file)
            self._read += 1
        self._at = self._file.tell()
        if self._read == self._written:  # all read back: the file starts again
            self._file.truncate(0)
            self._written = self._read = self._end = self._at = 0

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


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
        self.held: _Held | None = None  # the rows ``rows`` holds back

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
        held = self.held = _Held()
        try:
            for row in rows:
                line, values, _raw = row
                waiting = [] if ROW_ERROR in values else self._pending(line, values)
                if not held and not waiting:
                    yield row
                    continue
                held.append((row, waiting))
                while held and all(c in self.decided for c in held.first()[1]):
                    yield held.popleft()[0]
            while held:
                yield held.popleft()[0]
        finally:
            held.close()
