"""Tables written row by row: a list of 10,000 records starts showing at once.

The columns are sized from the first rows (``SAMPLE`` of them; hledger sizes from its
first 1,000) and the table is then written a line per record, through the pager when
it is longer than the terminal (``tinycrm.cli.pager``). A cell wider than its column is
cut with ``…``, on every row, so a record is always one line. The layout is Rich's
table without a box (two spaces between columns, headers in bold, the column's style
on a terminal), without building one Rich table of everything: that took seconds for
a long list.

Cells arrive already escaped (``output._cell``): stored text never drives the
terminal. Colours follow the terminal's conventions: none to a pipe or a file, none
on ``TERM=dumb``, and with ``NO_COLOR`` set only bold, dim and italic.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TextIO

from tinycrm.cli import pager
from tinycrm.table_layout import GAP as GAP
from tinycrm.table_layout import KEEP as KEEP  # a column's keep (output.Column): never left out
from tinycrm.table_layout import LABEL_MIN as LABEL_MIN
from tinycrm.table_layout import MIN_WIDTH as MIN_WIDTH
from tinycrm.table_layout import NAME_READABLE, READABLE, always_shown
from tinycrm.table_layout import WORD as WORD
from tinycrm.table_layout import cell_len as cell_len
from tinycrm.table_layout import first_word as first_word
from tinycrm.table_layout import layout as layout

SAMPLE = 1000
"""Rows read before the columns are sized."""
PIPE_WIDTH = 1_000_000
"""Width of a table written to a pipe or a file (``$COLUMNS`` when set): no limit, so
that nothing there is cut or left out."""
CHUNK = 200
"""Rows written at once (the first screen goes out before the rest is formatted)."""

_SGR = {"bold": "1", "dim": "2", "italic": "3", "underline": "4", "reverse": "7"}
_COLOURS = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
_SGR.update({name: str(30 + i) for i, name in enumerate(_COLOURS)})
_SGR.update({f"bright_{name}": str(90 + i) for i, name in enumerate(_COLOURS)})
_ATTRIBUTES = ("1", "2", "3", "4", "7")


def crop(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, ending in ``…`` when it was cut: one cell short
    when a wide character did not fit in the last (Rich fills that cell with a space,
    which read as a word's end: '販売パ …')."""
    if width <= 0:
        return ""
    if text.isascii():
        return text[: width - 1] + "…"
    from rich.cells import set_cell_size

    cut = set_cell_size(text, width - 1)
    if cut.endswith(" ") and text[len(cut) - 1 : len(cut)] != " ":  # Rich's padding
        cut = cut[:-1]
    return cut + "…"


def fold(text: str, width: int, lines: int) -> list[str]:
    """``text`` on at most ``lines`` lines of ``width`` cells, broken between words.
    What does not fit is cut between words too, with ``…``: a date, a time, an amount
    or a name is shown whole or not at all (only a first word wider than the column is
    cut)."""
    if cell_len(text) <= width or width <= 0:
        return [text]
    words = WORD.findall(text)
    out: list[str] = []
    line = ""
    for word in words:
        joined = f"{line} {word}" if line else word
        if cell_len(joined) <= width:
            line = joined
            continue
        if len(out) + 1 < lines and line:
            out.append(line)
            if cell_len(word) <= width:
                line = word
                continue
            line = ""
        # the last line: cut before this word, with room for the ellipsis
        while line and cell_len(line) + 1 > width:
            line = line.rsplit(" ", 1)[0] if " " in line else ""
        line = line.rstrip(" ·,;:–-")
        if not line and not out:
            return [crop(text, width)]
        return [*out, f"{line}…" if line else "…"]
    return [*out, line]


def word_cut(text: str, width: int) -> int:
    """How many characters of ``text`` show in ``width`` cells with ``…`` after them, cut
    between words (``WORD``: a date with its time is one) and before a trailing ``·``,
    ``,`` or dash; 0 when not even the first word fits."""
    end = 0
    for match in WORD.finditer(text):
        if cell_len(text[: match.end()]) + 1 > width:
            break
        end = match.end()
    kept = text[:end].rstrip(" ·,;:–-")
    return len(kept)


def sgr(style: str | None, *, colour: bool) -> tuple[str, str]:
    """The escape sequences that start and end ``style`` (``"bold cyan"``), or two
    empty strings; without ``colour`` only bold, dim, italic, underline and reverse."""
    if not style:
        return "", ""
    codes = []
    for word in style.split():
        code = _SGR.get(word)
        if code is not None and (colour or code in _ATTRIBUTES):
            codes.append(code)
    return (f"\x1b[{';'.join(codes)}m", "\x1b[0m") if codes else ("", "")


def styled(stream: TextIO) -> tuple[bool, bool]:
    """Whether ``stream`` takes styles at all, and colours: a terminal that is not
    ``dumb``; colours unless ``NO_COLOR`` is set."""
    if not pager._isatty(stream) or os.environ.get("TERM") == "dumb":
        return False, False
    return True, not os.environ.get("NO_COLOR")


def width_for(stream: TextIO) -> int:
    """The terminal's width, or ``$COLUMNS`` (else no limit) for a pipe or a file."""
    if pager._isatty(stream):
        return shutil.get_terminal_size().columns
    return columns_env() or PIPE_WIDTH


def columns_env() -> int | None:
    """``$COLUMNS`` when it is a positive whole number, else None: ``abc``, ``-5`` or
    ``1e3`` is no width (as the terminal's own size query reads it), not a traceback
    nor every row cut to nothing."""
    value = os.environ.get("COLUMNS", "").strip()
    return int(value) if value.isdigit() and value.isascii() and int(value) > 0 else None


def left_out_note(headers: Sequence[str], width: int) -> list[str]:
    """The footnote under a table that left out the columns ``headers`` (none: none)."""
    if not headers:
        return []
    import textwrap

    note = (
        f"not shown at {width} columns: {', '.join(headers)} "
        "(a wider terminal, --json or --csv show them)"
    )
    return textwrap.wrap(note, width=max(width, 20), break_on_hyphens=False)


class Table:
    """One table's layout: columns, their widths and styles, and how a row is a line."""

    def __init__(
        self,
        headers: Sequence[str],
        justify: Sequence[str],
        styles: Sequence[str | None],
        widths: Sequence[int],
        *,
        style: bool,
        colour: bool,
        crop: bool = True,
        lines: Sequence[int] = (),
        words: Sequence[bool] = (),
    ) -> None:
        self.widths = list(widths)
        self.lines = list(lines) or [1] * len(self.widths)
        """How many lines each column's cell may fold onto (``Column.lines``)."""
        self.words = [n > 1 for n in self.lines]
        for i, cut_between_words in enumerate(words):
            self.words[i] = self.words[i] or cut_between_words
        self.crop = crop  # False into a pipe or a file: a longer cell is written whole
        self.justify = list(justify)
        self.styles = [sgr(s, colour=colour) if style else ("", "") for s in styles]
        bold = sgr("bold", colour=colour) if style else ("", "")
        self.header = self._line(headers, [bold] * len(headers))

    def _line(self, cells: Sequence[str], styles: Sequence[tuple[str, str]]) -> str:
        parts = []
        for text, width, justify, (start, end) in zip(
            cells, self.widths, self.justify, styles, strict=True
        ):
            size = cell_len(text)
            if size > width and self.crop:
                text = crop(text, width)
                size = cell_len(text)
            pad = max(width - size, 0)
            if text and start:
                text = f"{start}{text}{end}"
            if justify == "right":
                parts.append(" " * pad + text)
            elif justify == "center":
                parts.append(" " * (pad // 2) + text + " " * (pad - pad // 2))
            else:
                parts.append(text + " " * pad)
        return GAP.join(parts).rstrip()

    def line(self, cells: Sequence[str]) -> str:
        """One record as one line (or as a few, when a column folds its cells)."""
        if not self.crop or not any(self.words):
            return self._line(cells, self.styles)
        folded = [
            fold(text, width, n) if words else [text]
            for text, width, n, words in zip(
                cells, self.widths, self.lines, self.words, strict=True
            )
        ]
        depth = max(map(len, folded))
        return "\n".join(
            self._line([f[i] if i < len(f) else "" for f in folded], self.styles)
            for i in range(depth)
        )


def write(
    rows: Iterable[Sequence[str]],
    columns: Sequence[Any],
    *,
    title: str | None = None,
    stream: TextIO | None = None,
) -> None:
    """Write ``rows`` (each a sequence of escaped cell texts, one per column) as a table
    under ``columns`` (``output.Column``), through the pager when it is long. A column
    empty in every row (tags nobody has) is left out, unless it is always shown (the id
    and the name), or rows past the first ``SAMPLE`` may hold something in it."""
    stream = stream or sys.stdout
    rows = iter(rows)
    sample = list(itertools.islice(rows, SAMPLE))
    rest: Iterator[Sequence[str]] = rows
    after = next(rest, None) if len(sample) == SAMPLE else None
    if after is not None:
        rest = itertools.chain([after], rest)
    natural = []
    for i, column in enumerate(columns):
        size = max([cell_len(column.header), *(cell_len(row[i]) for row in sample)])
        natural.append(min(size, column.max_width) if column.max_width else size)
    available = width_for(stream)
    names = always_shown(columns)
    floors = [  # a column cut between words keeps room for its first words, whole
        max((first_word(row[i]) for row in sample), default=0) if c.words or c.lines > 1 else 0
        for i, c in enumerate(columns)
    ]
    readable = [  # a label stays readable while a column that matters less can go
        0 if c.whole or c.justify == "right" else NAME_READABLE if i in names else READABLE
        for i, c in enumerate(columns)
    ]
    for i in names:  # and a name while any can (a third of a narrow terminal, at least)
        floors[i] = max(floors[i], min(readable[i], available // 3))
    # a column empty in every row gives way (the whole list sampled: none came after)
    kept = [
        p
        for p in range(len(columns))
        if p in names or after is not None or any(row[p].strip() for row in sample)
    ]
    shown, widths = layout(
        [columns[p] for p in kept],
        [natural[p] for p in kept],
        available,
        [floors[p] for p in kept],
        [readable[p] for p in kept],
    )
    shown = [kept[i] for i in shown]
    style, colour = styled(stream)
    table = Table(
        [columns[p].header for p in shown],
        [columns[p].justify for p in shown],
        [columns[p].style for p in shown],
        widths,
        style=style,
        colour=colour,
        # into a pipe or a file with no $COLUMNS, a row past the first ones (which sized
        # the columns) longer than they were is written whole, not cut to their width
        crop=available < PIPE_WIDTH,
        lines=[columns[p].lines for p in shown],
        words=[columns[p].words for p in shown],
    )
    line = table.line
    if len(shown) < len(columns):

        def line(cells: Sequence[str]) -> str:
            return table.line([cells[p] for p in shown])

    dim = sgr("dim", colour=colour) if style else ("", "")
    left_out = [columns[p].header for p in kept if p not in shown]  # (not the empty ones)
    note = [f"{dim[0]}{text}{dim[1]}" for text in left_out_note(left_out, available)]
    head = [table.header]
    if title is not None:
        if table.crop and cell_len(title) > available:  # as long as its cells, no longer
            title = crop(title, available)
        italic = sgr("italic", colour=colour) if style else ("", "")
        head.insert(0, f"{italic[0]}{title}{italic[1]}")
    count = len(sample)
    if table.crop and any(n > 1 for n in table.lines):  # rows folded onto more lines
        count = sum(1 + line(row).count("\n") for row in sample)
    long = pager.wanted(len(head) + count + len(note), stream)
    with pager.paged(stream) if long else _same(stream) as out:
        _write_lines(out, head, sample, line)
        for chunk in iter(lambda: list(itertools.islice(rest, SAMPLE)), []):
            _write_lines(out, [], chunk, line)
        if note:
            out.write("\n".join(note) + "\n")


def _write_lines(
    out: TextIO, head: list[str], rows: Sequence[Sequence[str]], line: Callable[..., str]
) -> None:
    """``head``, then ``rows`` as lines, in chunks; the first chunk is flushed at once, so
    the first screen shows while the rest is formatted."""
    lines = head
    for start in range(0, max(len(rows), 1), CHUNK):
        lines.extend(line(row) for row in rows[start : start + CHUNK])
        if lines:
            out.write("\n".join(lines) + "\n")
        if start == 0:
            out.flush()
        lines = []


class _same:
    """``stream`` itself, as a context manager."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __enter__(self) -> TextIO:
        return self.stream

    def __exit__(self, *exc: object) -> None:
        return None
