"""The table of a report, laid out so that a figure is never cut.

A report's columns are labels (left-aligned: stages, owners, sources, periods…),
figures (right-aligned: amounts, percentages, counts, days) and at most one column of
bars (an empty header). On a terminal too narrow for the table:

1. headers wrap onto two lines (at a space), as narrow as their cells allow;
2. label columns shrink, their cells folded onto two lines, else cut with ``…`` (down to
   ``LABEL_MIN`` cells; a date, period or range of them is folded, never cut);
3. if that is not enough, the bars, then the figure columns that matter least, are left
   out whole, and a footnote names them (``--json`` and ``--csv`` have every column).
   A column may say how much it matters: ``(header, justify, keep)``; the lowest
   ``keep`` goes first (default 1; the right-most first among equals), and the figure
   with the highest is never left out (the left-most among equals).

The widths are computed here and given to Rich as fixed widths: left to itself, Rich's
``Table._calculate_column_widths`` cuts every ``no_wrap`` column evenly when the table
is too wide (``ratio_reduce`` as a "last resort"), figures included, and a ``no_wrap``
column's header cannot wrap either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from tinycrm.charts import BAR_WIDTH
from tinycrm.cli import output as out
from tinycrm.cli.table import cell_len, crop

NARROW = 100
"""Terminals narrower than this get no bars."""
LABEL_MIN = 8
"""A label column shrinks to this many cells at the least (or its natural width)."""


def two_lines(header: str) -> int:
    """The fewest cells ``header`` takes when wrapped onto at most two lines at a space."""
    words = header.split(" ")
    best = cell_len(header)
    for i in range(1, len(words)):
        first, second = " ".join(words[:i]), " ".join(words[i:])
        best = min(best, max(cell_len(first), cell_len(second)))
    return best


def _halves(text: str) -> Iterator[tuple[str, str]]:
    """The two lines ``text`` may fold onto: at a space or after a range's ``..``, the
    last place first."""
    for at in range(len(text) - 1, 0, -1):
        if text[at] == " ":
            yield text[:at], text[at + 1 :]
        elif text[at - 2 : at] == "..":
            yield text[:at], text[at:]


def fold_label(text: str, width: int) -> list[str]:
    """A label in ``width`` cells: as is, else on two lines at a space or after the ``..``
    of a date range when both halves fit, else cut with ``…``."""
    if cell_len(text) <= width:
        return [text]
    for first, second in _halves(text):
        if cell_len(first) <= width and cell_len(second) <= width:
            return [first, second]
    return [crop(text, width)]


SEPARATOR = " · "
"""Between the parts of a report's heading."""
NAME_ROOM = 20
"""A stored name goes on the next line of a heading rather than be cut to fewer cells."""


def heading(parts: Sequence[tuple[str, bool]], width: int) -> str:
    """A report's heading or title in ``width`` cells: ``parts`` (escaped text, and
    whether it holds a stored name: a pipeline, an owner) joined by `` · ``. A part that
    does not fit on the line goes on the next, after a ``·``; a stored name is cut with
    ``…`` to fit its line (a 300-character pipeline name took eight lines at 40 columns),
    where the report's own words wrap at spaces and are never cut."""
    import textwrap

    lines: list[str] = []
    line = ""
    for text, name in parts:
        if not text:
            continue
        joined = f"{line}{SEPARATOR}{text}" if line else text
        if cell_len(joined) <= width:
            line = joined
            continue
        if line:
            room = width - cell_len(line) - len(SEPARATOR)
            if name and room >= NAME_ROOM:
                line = f"{line}{SEPARATOR}{crop(text, room)}"
                continue
            lines.append(line)
            text = SEPARATOR.lstrip() + text
        if cell_len(text) <= width:
            line = text
        elif name:
            line = crop(text, width)
        else:
            *whole, line = textwrap.wrap(text, max(width, 1), break_on_hyphens=False) or [""]
            lines += whole
    return "\n".join([*lines, line])


DATED = re.compile(r"\d{4}-[\dWQ]")
"""A label holding a date, a period (``2026-12``, ``2026-W49``, ``2026-Q4``) or a range
of them: never cut (``2026-10…`` says nothing), at most folded onto two lines."""


def whole_width(text: str) -> int:
    """The fewest cells ``fold_label`` keeps ``text`` whole in (on two lines if need be)."""
    return min([cell_len(text), *(max(cell_len(a), cell_len(b)) for a, b in _halves(text))])


def overhead(count: int) -> int:
    """Cells a table of ``count`` columns takes beside its cells: its edges, the lines
    between columns and their padding (one cell on their right; none on the edges): two
    cells between columns, as in a list."""
    return 2 * count if count else 0


class Column:
    def __init__(self, index: int, header: str, justify: str, keep: int = 1) -> None:
        self.index, self.header, self.justify, self.keep = index, header, justify, keep
        self.bars = not header
        self.label = bool(header) and justify == "left"


class ReportTable:
    """A table of a report. ``columns`` are (header, "left"|"right"[, keep]): left-aligned
    columns hold labels, right-aligned ones figures (``keep``: how long a figure stays on
    a narrow terminal, see above), and the column with an empty header bars (left out on
    terminals narrower than NARROW). Rows are cells of escaped text, one line per
    currency in a money cell."""

    def __init__(self, title: str | None, columns: Sequence[tuple[Any, ...]]) -> None:
        """``title``: plain text (never markup), escaped and fitted (``heading``)."""
        self.title = title
        self.width = out.stdout_console().width
        narrow = self.width < NARROW
        self.columns = [
            Column(i, *column) for i, column in enumerate(columns) if column[0] or not narrow
        ]
        self.rows: list[tuple[list[str], str | None]] = []
        self.sections: set[int] = set()

    def row(self, cells: Sequence[str], style: str | None = None) -> None:
        self.rows.append(([cells[c.index] for c in self.columns], style))

    def section(self) -> None:
        """A line under the rows so far (before a total)."""
        if self.rows:
            self.sections.add(len(self.rows) - 1)

    def _natural(self, position: int) -> int:
        column = self.columns[position]
        if column.bars:
            return BAR_WIDTH
        cells = [cell_len(line) for cells, _ in self.rows for line in cells[position].split("\n")]
        return max([cell_len(column.header), *cells])

    def _least(self, position: int, natural: int) -> int:
        """The narrowest the column may be: a label down to LABEL_MIN (its cells cut; a
        date, period or range folded, never cut), a figure down to its widest cell (its
        header wrapped onto two lines)."""
        column = self.columns[position]
        header = two_lines(column.header) if column.header else 0
        lines = [line for cells, _ in self.rows for line in cells[position].split("\n")]
        if column.label:
            dates = [whole_width(line) for line in lines if DATED.search(line)]
            return min(natural, max([LABEL_MIN, header, *dates]))
        if column.bars:
            return natural
        return max([header, *map(cell_len, lines)])

    def layout(self) -> tuple[list[int], list[int]]:
        """The positions of the columns shown and their widths."""
        natural = [self._natural(p) for p in range(len(self.columns))]
        least = [self._least(p, n) for p, n in enumerate(natural)]
        shown = list(range(len(self.columns)))
        figures = [p for p in shown if not self.columns[p].label and not self.columns[p].bars]
        droppable = [p for p in shown if self.columns[p].bars]
        droppable += sorted(figures, key=lambda p: (self.columns[p].keep, -p))
        keep_one = min(figures, key=lambda p: (-self.columns[p].keep, p), default=None)
        while True:
            available = self.width - overhead(len(shown))
            if sum(least[p] for p in shown) <= available:
                break
            dropping = next((p for p in droppable if p in shown and p != keep_one), None)
            if dropping is None:
                break  # the labels and one figure: wider than the terminal, never cut
            shown.remove(dropping)
        widths = [natural[p] for p in shown]
        excess = sum(widths) - (self.width - overhead(len(shown)))
        for labels in (False, True):  # headers wrap first, then labels are cut
            while excess > 0:
                room = [
                    (w - least[p], i)
                    for i, (w, p) in enumerate(zip(widths, shown, strict=True))
                    if self.columns[p].label == labels
                ]
                give, i = max(room, default=(0, 0))
                if give <= 0:
                    break
                widths[i] -= 1
                excess -= 1
        return shown, widths

    @property
    def rich(self) -> Any:
        """The table (and a footnote on the columns left out) for ``Console.print``."""
        from rich import box
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        shown, widths = self.layout()
        table = Table(
            box=box.SIMPLE_HEAD,
            header_style="bold",
            padding=(0, 1, 0, 0),
            pad_edge=False,
        )
        for p, width in zip(shown, widths, strict=True):
            column = self.columns[p]
            table.add_column(
                column.header,
                justify=column.justify,  # type: ignore[arg-type]
                style="cyan" if column.bars else None,
                width=width,
                overflow="fold",
            )
        for number, (cells, style) in enumerate(self.rows):
            texts = []
            for p, width in zip(shown, widths, strict=True):
                lines = cells[p].split("\n")
                if self.columns[p].label:
                    lines = [part for x in lines for part in fold_label(x, width)]
                texts.append(Text("\n".join(lines)))
            table.add_row(*texts, style=style, end_section=number in self.sections)
        needed = sum(widths) + overhead(len(shown))
        # the title over the table, in the terminal's width, never Rich markup (a title
        # of Rich's table is, and wraps in the table's width)
        parts: list[Any] = [Text(self.title, style="bold")] if self.title else []
        parts.append(_AtLeast(table, needed))
        left_out = [self.columns[p].header for p in range(len(self.columns)) if p not in shown]
        left_out = [h for h in left_out if h]
        if left_out:
            note = (
                f"not shown at {self.width} columns: {', '.join(left_out)} "
                "(a wider terminal, --json or --csv show them)"
            )
            parts.append(Text(note, style="dim"))
        return Group(*parts)


class _AtLeast:
    """``renderable`` at least ``width`` cells wide: wider than the terminal when even
    the labels and one figure don't fit, rather than Rich folding a figure."""

    def __init__(self, renderable: Any, width: int) -> None:
        self.renderable, self.width = renderable, width

    def __rich_console__(self, console: Any, options: Any) -> Any:
        if options.max_width >= self.width:
            yield self.renderable
        else:
            yield from console.render(self.renderable, options.update(width=self.width))
