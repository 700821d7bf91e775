"""Fitting styled text into a fixed number of cells, for the Line API widgets.

Text is shown with its controls and bidi overrides escaped (``tinycrm.safetext``) and
joined emoji apart (``format.steady``): cards, lists, the feed and the tasks all write
stored text through ``fit``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from tinycrm.tui.format import text as display


class LineView(ScrollView):
    """A Line API list: ``base_style`` is its ``rich_style`` (which walks every ancestor's
    styles) kept until its styles change, since every line drawn asks for it."""

    _base_style: Style | None = None

    @property
    def base_style(self) -> Style:
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def notify_style_update(self) -> None:
        self._base_style = None
        super().notify_style_update()


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Give a Line API widget a new virtual size without a layout of the whole screen.

    ``virtual_size`` is a reactive that asks for a layout, and a layout re-renders every
    widget on the screen: on the board that was most of the cost of moving a card. Only
    when a scrollbar appears or goes does the widget's content width change.
    """
    if size == view.virtual_size:
        return
    before = (view.show_vertical_scrollbar, view.show_horizontal_scrollbar)
    view.set_reactive(Widget.virtual_size, size)
    view._scroll_update(size)
    after = (view.show_vertical_scrollbar, view.show_horizontal_scrollbar)
    view.refresh(layout=after != before)


CUT_AFTER = " -–—·:;,/"

SEPARATORS = " ·|,;"
"""What a part between two others of a row's right side is made of (" · "): left out with
the part after it."""
"""What a text cut at a word does not end with before its ellipsis ("Acme –…")."""


def fit_words(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells as ``fit`` cuts it, but at the end of a word
    ("Bluebonnet Health…", not "Bluebonnet Heal…"); by character when not even its first
    word fits."""
    text = display(text)
    if cell_len(text) <= width:
        return text
    head, _ = split_words(text, width - 1)
    head = head.rstrip(CUT_AFTER)
    return head + "…" if head else fit(text, width)


def split_words(text: str, width: int) -> tuple[str, str]:
    """``text`` (shown as ``display`` shows it) split at a space into the most whole words
    that fit in ``width`` cells and the rest: ``("", text)`` when the first does not fit."""
    text = display(text)
    if cell_len(text) <= width:
        return text, ""
    cut = 0
    for index, char in enumerate(text):
        if char == " ":
            if cell_len(text[:index]) > width:
                break
            cut = index
    return text[:cut].rstrip(), text[cut:].lstrip()


def _word_cut(text: str, width: int) -> str:
    """``text`` (its leading spaces kept) cut to its whole words that fit in ``width``
    cells with a ``…`` after them; ``""`` when not even the first fits."""
    body = text.lstrip(" ")
    lead = text[: len(text) - len(body)]
    head, _ = split_words(body, width - len(lead) - 1)
    head = head.rstrip(CUT_AFTER)
    return f"{lead}{head}…" if head else ""


def whole_pieces(text: str, width: int, sep: str = " · ") -> str:
    """``text``, pieces joined by ``sep`` ("Lead-in · $1,234,567.89"), in ``width`` cells:
    as many whole pieces as fit and "…" for the rest, the first cut between words when it
    does not fit whole, ``""`` when not even its first word does. A piece is not cut
    inside: "$1,234,5…" read as another amount."""
    text = display(text)
    if cell_len(text) <= width:
        return text
    pieces = text.split(sep)
    shown = ""
    for piece in pieces:
        longer = f"{shown}{sep}{piece}" if shown else piece
        if cell_len(longer + sep + "…") > width:
            break
        shown = longer
    return f"{shown}{sep}…" if shown else _word_cut(pieces[0], width)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, with an ellipsis when something was cut (controls
    shown escaped first, so the escapes are counted)."""
    if width <= 0:
        return ""
    text = display(text)
    if cell_len(text) <= width:
        return text
    if width == 1:
        return "…"
    return set_cell_size(text, width - 1).rstrip() + "…"


def line(
    parts: Iterable[tuple[str, Style]],
    width: int,
    base: Style,
    *,
    right: Iterable[tuple[str, Style]] = (),
    left_pad: int = 1,
    prefix: tuple[str, Style] | None = None,
    least: int = 0,
) -> Strip:
    """One line of exactly ``width`` cells: ``parts`` from the left, ``right`` flush right.

    ``prefix`` (one cell, a card's edge) comes before the padding. The left side is cut
    (with an ellipsis) to leave room for the right side: the first part anywhere, a later
    one between words (or left out, when not even its first word fits). Where that would
    leave the left side fewer than ``least`` cells (or fewer than it needs, when that is
    less), parts of the right side are left out, the last first and whole, a separator
    before one with it: a task's name came before when it is due. Until the left side has
    ``least`` cells, a part whose first word does not fit is cut anywhere, not left out.
    """
    segments: list[Segment] = []
    used = 0
    if prefix is not None and width > 0:
        segments.append(Segment(prefix[0], prefix[1]))
        used = 1
    if left_pad and width - used >= left_pad:
        segments.append(Segment(" " * left_pad, base))
        used += left_pad
    right_parts = [(display(t), s) for t, s in right if t]
    right_width = sum(cell_len(t) for t, _ in right_parts)
    if least and right_parts:
        wanted = min(least, sum(cell_len(display(t)) for t, _ in parts))
        while right_parts and width - used - right_width - 3 < wanted:
            right_parts.pop()
            while right_parts and not right_parts[-1][0].strip(SEPARATORS):
                right_parts.pop()
            right_width = sum(cell_len(t) for t, _ in right_parts)
    room = max(0, width - used - right_width - (2 if right_parts else 0) - 1)
    drawn = 0
    for text, style in parts:
        if not text or room <= 0:
            continue
        text = display(text)
        shown = fit(text, room)
        if shown != text and drawn:
            # a part after the first is cut between words ("Clydeside…", not "Clydesi…"),
            # or left out when not even its first word fits; but while the text has fewer
            # than ``least`` cells (a mark, "☐ ", a rank), it is the row's name: cut anywhere
            shown = _word_cut(text, room)
            if not shown and drawn >= least:
                break
            shown = shown or fit(text, room)
        drawn += cell_len(shown)
        segments.append(Segment(shown, style))
        size = cell_len(shown)
        room -= size
        used += size
        if shown != text:  # cut short: what follows would only be noise
            break
    if right_parts and used + right_width + 1 <= width:
        gap = width - used - right_width - 1
        segments.append(Segment(" " * gap, base))
        segments.extend([Segment(t, s) for t, s in right_parts])
        used += gap + right_width
    if used < width:
        segments.append(Segment(" " * (width - used), base))
    return Strip(segments, max(width, used)) if used <= width else Strip(segments).crop(0, width)


_BREAKS = (("@", ""), (".", "/"), ("_?&=#+~%", "-"))
"""Where a word too long for its line (an email, a domain, a link) is broken, each pair
tried on a piece still too long after the ones before: before an ``@``; before a ``.``
or after a ``/``; before ``_`` ``?`` ``&`` ``=`` and the like, or after a ``-``."""


def _pieces(word: str, before: str, after: str) -> list[str]:
    """``word`` split before each character of ``before`` and after each of ``after`` (a
    run of them, "//" or "..", stays whole)."""
    pieces: list[str] = []
    start = 0
    for index, char in enumerate(word):
        if index <= start:
            continue
        previous = word[index - 1]
        if (char in before and previous not in before and previous not in after) or (
            previous in after and char not in after
        ):
            pieces.append(word[start:index])
            start = index
    pieces.append(word[start:])
    return pieces


def _pack(pieces: list[str], width: int) -> list[str]:
    """The pieces joined into as few lines of at most ``width`` cells as they allow."""
    lines: list[str] = []
    current = ""
    for piece in pieces:
        if current and cell_len(current + piece) > width:
            lines.append(current)
            current = ""
        current += piece
    if current:
        lines.append(current)
    return lines


def fold_word(word: str, width: int, breaks: tuple[tuple[str, str], ...] = _BREAKS) -> list[str]:
    """``word`` (no spaces) on lines of at most ``width`` cells, broken where it still reads
    as itself (``_BREAKS``: ``jm`` / ``@acme.de``, ``https://www`` / ``.example.com/``);
    by cells only where a piece has none of those."""
    if width <= 0 or cell_len(word) <= width:
        return [word]
    if not breaks:
        return chop_cells(word, width)
    (before, after), rest = breaks[0], breaks[1:]
    lines: list[str] = []
    for piece in _pack(_pieces(word, before, after), width):
        lines.extend(fold_word(piece, width, rest))
    return lines


_WORD = re.compile(r"\S+")


class Folded:
    """Text that wraps at spaces as Rich wraps it, and where a word is wider than the line
    (an email, a domain, a link), folds that word onto the next lines where it still reads
    as itself (``fold_word``) rather than at whatever cell the line ends: Rich's fold made
    ``maximilian.bartho`` / ``lomew-featherston`` of one address."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __str__(self) -> str:
        return str(self.text)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        text = self.text
        plain = text.plain
        cuts: list[int] = []
        for match in _WORD.finditer(plain):
            if cell_len(match.group()) > width:
                offset = match.start()
                for piece in fold_word(match.group(), width)[:-1]:
                    offset += len(piece)
                    cuts.append(offset)
        if cuts:
            parts = text.divide(cuts)
            text = Text("\n", end=text.end).join(parts)
            text.justify, text.overflow, text.no_wrap = (
                self.text.justify,
                self.text.overflow,
                self.text.no_wrap,
            )
        yield text


class Details:
    """A record's details: labels on the left, values beside them (``Folded``); where the
    values would have fewer than ``VALUE_ROOM`` cells beside the labels (a narrow window),
    each label on its own line with its value under it. A grid gave the values what the
    labels left: at 40 columns, none, and a deal's view showed its labels alone ("stage",
    "status", "amount" and no value), a contact's email one cell wide ("z", "o", "e", "@",
    and "例え", two cells a character, not at all)."""

    VALUE_ROOM = 12
    LABEL_WIDTH = 24
    GAP = 2

    def __init__(self, rows: list[tuple[Text, Folded]], *, label_style: str = "dim") -> None:
        self.rows = rows
        self.label_style = label_style
        """Added to each label's own style (the cases pane's labels are bold cyan alone)."""

    def grid(self) -> Table:
        table = Table.grid(padding=(0, self.GAP))
        table.add_column(
            style=self.label_style, no_wrap=True, max_width=self.LABEL_WIDTH, overflow="ellipsis"
        )
        table.add_column(overflow="fold")
        for label, value in self.rows:
            table.add_row(label, value)
        return table

    def stacked(self) -> Table:
        table = Table.grid()
        table.add_column(overflow="fold")
        for label, value in self.rows:
            shown = label.copy()
            shown.no_wrap, shown.overflow = True, "ellipsis"
            if self.label_style:
                shown.stylize_before(self.label_style)
            table.add_row(shown)
            table.add_row(Padding(value, (0, 0, 0, self.GAP)))
        return table

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.grid())

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        labels = max((label.cell_len for label, _ in self.rows), default=0)
        room = options.max_width - min(labels, self.LABEL_WIDTH) - self.GAP
        yield self.grid() if room >= self.VALUE_ROOM else self.stacked()
