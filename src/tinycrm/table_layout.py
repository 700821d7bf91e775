"""How a table fits a terminal's width: which columns show and how wide, shared by the
command line's tables (``tinycrm.cli.table``) and the board's lists
(``tinycrm.tui.screens.lists``), so a narrow terminal drops the same columns in both.

Whole columns (dates, times, ids, figures) are never cut; labels give way down to a
floor; then whole columns are left out, the least needed first, and the caller says
which (a footnote under the table, a dim note over the list).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

GAP = "  "
"""Between two columns."""
MIN_WIDTH = 3
KEEP = 9
"""A column's ``keep`` when it is never left out."""
LABEL_MIN = 8
"""A label gives way down to this many cells (or its header's) before a column is left
out (``tinycrm.cli.report_table`` has the same floor)."""
READABLE = 16
"""A list's label (a company, an email, a stage) gives way down to this many cells (or
its widest cell, when narrower) before a column that matters less is left out."""
NAME_READABLE = 20
"""A list's name or title (its first label, or a label kept always) gives way down to
this many cells before a column that matters less is left out (the board's names too)."""


class Column(Protocol):
    """What ``layout`` reads of a column (``tinycrm.cli.output.Column`` has it all)."""

    @property
    def header(self) -> str: ...
    @property
    def justify(self) -> str: ...
    @property
    def whole(self) -> bool: ...
    @property
    def keep(self) -> int: ...


def cell_len(text: str) -> int:
    """How many terminal cells ``text`` takes (wide characters count two)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len as rich_cell_len

    return rich_cell_len(text)


JOINERS = "\u200d\ufe0f\U0001f3fb-\U0001f3ff"
"""What joins characters into one emoji (as the inside of a regular expression's [...]):
the zero-width joiner, the emoji variation selector and the five skin tones. Rich and
terminals count the cells of what they join each their own way: a family (man, ZWJ,
woman, ZWJ, girl) is 2 cells to Rich and tmux 3.3a but 6 to a terminal that does not
join emoji; a heart with U+FE0F 2 to Rich, 1 to tmux; a thumbs-up with a skin tone 2 to
Rich, 4 to tmux; letters 'joined' by U+200D one cell to Rich, one each to every
terminal. A line holding one was drawn wider or narrower than laid out, and the
columns after it moved."""
_JOINER = re.compile(f"[{JOINERS}]")


def steady(text: str) -> str:
    """``text`` with the emoji its joiners made one shown apart (the family as man, woman,
    girl; the heart and the thumbs-up plain): what is left takes, character by character,
    the cells Rich counts for it on every terminal. Only what is shown changes: the
    command line's tables and show views and the board write stored text through it."""
    return _JOINER.sub("", text) if not text.isascii() and _JOINER.search(text) else text


WORD = re.compile(r"\d{4}-\d\d-\d\d \d{1,2}:\d\d\S*|\S+")
"""A word ``fold`` never cuts: a date with its time (``2026-12-07 09:00``) is one."""


def first_word(text: str) -> int:
    """The cells ``text``'s first word takes, with a ``…`` after it when more follows."""
    match = WORD.match(text.lstrip())
    if match is None:
        return 0
    return cell_len(match.group()) + (len(match.group()) < len(text.strip()))


def always_shown(columns: Sequence[Column]) -> set[int]:
    """The positions of the columns never left out: those whose ``keep`` is ``KEEP``,
    else the first column and the first label (the record's id and name)."""
    kept = {i for i, c in enumerate(columns) if c.keep >= KEEP}
    if not kept:
        labels = (i for i, c in enumerate(columns) if not c.whole and c.justify != "right")
        kept = {0, next(labels, 0)}
    return kept


def layout(
    columns: Sequence[Column],
    natural: Sequence[int],
    available: int,
    floors: Sequence[int] = (),
    readable: Sequence[int] = (),
) -> tuple[list[int], list[int]]:
    """The positions of the ``columns`` shown in ``available`` cells and their widths,
    from their ``natural`` widths.

    Whole columns (dates, times, ids; right-aligned ones, figures) are never cut: a date
    cut to ``20…`` says nothing, an amount cut short is a wrong one. Labels give way, the
    widest first, down to ``LABEL_MIN`` cells (or their header's). When that is not
    enough, whole columns are left out, the lowest ``keep`` first (the right-most first
    among equals). Only when what is left still does not fit do labels shrink further,
    to ``MIN_WIDTH`` (the line is then wider than the terminal rather than a date cut).
    ``floors``: a label's own least width (a column cut between words: its widest first
    word and the ``…``), when it is more than ``LABEL_MIN``.

    ``readable``: the width each label keeps (its widest cell, when narrower) while a
    column of the lowest ``keep`` (1) can be left out instead, a name (a label always
    shown) up to twice its own. Only then do the labels give way down to ``LABEL_MIN``
    before the other columns go.
    """
    whole = [c.whole or c.justify == "right" for c in columns]
    least = [
        n if w else min(n, max(LABEL_MIN, cell_len(c.header), f))
        for c, n, w, f in zip(
            columns, natural, whole, list(floors) or [0] * len(columns), strict=True
        )
    ]
    kept = always_shown(columns)
    enough, roomy = least, least
    if readable:
        enough = [min(n, max(m, r)) for n, m, r in zip(natural, least, readable, strict=True)]
        roomy = [
            min(n, max(e, 2 * r)) if i in kept else e
            for i, (n, e, r) in enumerate(zip(natural, enough, readable, strict=True))
        ]
    optional = sorted(set(range(len(columns))) - kept, key=lambda i: (columns[i].keep, -i))
    shown = list(range(len(columns)))

    def room() -> int:
        return available - len(GAP) * (len(shown) - 1)

    for position in optional:  # what matters least goes rather than a label unreadable
        needs = roomy if columns[position].keep <= 1 else least
        if sum(needs[p] for p in shown) <= room():
            break
        shown.remove(position)
    widths = [natural[p] for p in shown]
    for level in (enough, least, [MIN_WIDTH] * len(columns)):
        floor = [level[p] for p in shown]
        excess = sum(widths) - room()
        while excess > 0:
            labels = [w for w, f, p in zip(widths, floor, shown, strict=True)
                      if not whole[p] and w > f]  # fmt: skip
            if not labels:
                break
            top = max(labels)
            for i, p in reversed(list(enumerate(shown))):  # the left-most keep a cell more
                if excess > 0 and widths[i] == top and not whole[p] and top > floor[i]:
                    widths[i] -= 1
                    excess -= 1
    return shown, widths
