"""Board columns: a header with the stage's aggregates, and its cards.

``CardList`` is a Line API widget: it draws only the lines on screen, and holds only a
window of its column's cards (``ColumnState.cards``, from ``start``): its scroll bar is
the whole column's, and when the view or the cursor nears cards it does not hold it
asks for them (``CardsWanted``), drawing a placeholder until the board screen reads
them. So a column of 12,000 deals costs what a column of 100 does. ``ColumnsView``
holds the columns and the focus; between them they post ``CardHighlighted``,
``CardClicked`` and ``CardChosen``, and the board screen decides what those mean.
Nothing here calls the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rich.cells import cell_len
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import HorizontalScroll, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Static

from tinycrm.api.models import BoardCard
from tinycrm.dates import local_today
from tinycrm.tui import format as fmt
from tinycrm.tui.messages import CardChosen, CardClicked, CardHighlighted, CardsWanted
from tinycrm.tui.widgets.text import (
    CUT_AFTER,
    LineView,
    fit_words,
    line,
    set_virtual_size,
    split_words,
)

CARD_LINES = 4
"""Title; company or contact; amount, close date and owner; badges."""
CARD_ROW = CARD_LINES + 1
"""A card and the blank line under it."""
MIN_COLUMN = 20
"""The narrowest a column gets before the columns scroll sideways (four fit in 120 cells)."""
PAGE = 50
"""Cards read at once for a column: its first page (more than the tallest screen shows),
and each page read as the view or the cursor nears the end of what is held."""
AHEAD = 25
"""Cards beyond the view (and around the cursor) a column wants held, so that scrolling
on reaches cards already read."""
MAX_HELD = 4 * PAGE
"""The most cards a column holds: beyond it, the cards farthest from the view go."""


@dataclass
class ColumnState:
    """What a column shows; the board screen owns it and edits it when a card moves."""

    key: str
    name: str
    status: str
    stage_id: int | None
    probability: int | None
    rotting_days: int | None
    count: int
    """The whole column's cards (and ``totals`` their sums), held or not."""
    totals: dict[str, list[Decimal]] = field(default_factory=dict)
    """currency -> [total, weighted]"""
    cards: list[BoardCard] = field(default_factory=list)
    """The window of the column's cards held: its cards ``start`` to ``end``, in order."""
    start: int = 0
    version: int = 0
    """Bumped at each edit of ``cards`` on the board: a page read before it is stale."""

    @property
    def end(self) -> int:
        return self.start + len(self.cards)

    @property
    def whole(self) -> bool:
        """Every card of the column is held."""
        return self.start == 0 and len(self.cards) >= self.count

    def add(self, card: BoardCard, sign: int) -> None:
        """Count ``card`` in (``sign=1``) or out (``-1``) of the aggregates."""
        self.count += sign
        if card.amount is None:
            return
        pair = self.totals.setdefault(card.currency, [Decimal(0), Decimal(0)])
        pair[0] += sign * card.amount
        pair[1] += sign * (card.amount * card.probability / 100)
        if self.count == 0 or (pair[0] == 0 and pair[1] == 0):
            self.totals.pop(card.currency, None)


def _amounts(label: str, amounts: list[str], width: int) -> str:
    """``label`` and the ``amounts`` joined by `` · ``, in ``width`` cells: as many whole
    amounts as fit, then ``…`` when there is room for it (an amount cut short, ``£347.…``,
    reads as another amount)."""
    for count in range(len(amounts), 0, -1):
        shown = label + " · ".join(amounts[:count])
        more = count < len(amounts)
        for text in (f"{shown} · …", f"{shown}…", shown) if more else (shown,):
            if cell_len(text) <= width:
                return text
    if label and cell_len(f"{label}…") <= width:
        return f"{label}…"
    return label + amounts[0]  # not even one: cut at the edge


def cut_name(name: Content, width: int) -> Content:
    """``name`` in ``width`` cells, cut with an ellipsis after its last whole character
    (Textual's cut left half of a wide character as a space before it: "长名 …")."""
    if name.cell_length <= width:
        return name
    return name.truncate(max(0, width - 1)).rstrip() + Content("…")


class ColumnHeader(Static):
    """Stage name, probability and deal count; total and weighted value per currency."""

    def __init__(self, state: ColumnState, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="column-header")
        self.state = state
        self.active = False

    def show(self, state: ColumnState) -> None:
        self.state = state
        self.refresh()

    def set_active(self, active: bool) -> None:
        if active != self.active:
            self.active = active
            self.set_class(active, "-active")

    def render(self) -> Content:
        state = self.state
        width = max(1, self.size.width - 2)
        count = f"{state.count:,}"
        room = max(1, width - len(count) - 1)
        name = Content.styled(fmt.text(state.name), "bold")
        if state.status == "open" and state.probability is not None:
            probability = Content.styled(f" {state.probability}%", "$foreground-muted")
            if name.cell_length + probability.cell_length <= room:  # whole or not at all:
                name += probability  # "Qualified 2…" read as 2%
        name = cut_name(name, room)
        first = name + Content(" " * max(1, width - name.cell_length - len(count)))
        first += Content.styled(count, "bold")
        ranked = sorted(state.totals.items(), key=lambda item: (-item[1][0], item[0]))
        if ranked:
            totals = [fmt.compact(pair[0], cur) for cur, pair in ranked]
            second = Content(_amounts("", totals, width))
            third = Content("")
            if state.status == "open":
                weighted = [fmt.compact(pair[1], cur) for cur, pair in ranked]
                third = Content.styled(_amounts("weighted ", weighted, width), "$foreground-muted")
        else:
            second, third = Content.styled("no amount", "$foreground-muted"), Content("")
        lines = [first, second.truncate(width, ellipsis=True), third.truncate(width, ellipsis=True)]
        return Content("\n").join(lines)


class CardList(LineView, can_focus=False, inherit_bindings=False):
    """The cards of one column, rendered line by line.

    It never takes the focus: the ``ColumnsView`` around the columns does, and tells
    the active column to draw its cursor. Moving between columns is then a redraw of
    two lists, not a focus change that restyles widgets and lays the screen out again.
    Its lines are the whole column's (``state.count`` cards); those of cards outside the
    held window are placeholders, and it posts ``CardsWanted`` for them. The cursor is
    a position in the whole column.
    """

    COMPONENT_CLASSES = {
        "card",
        "card--cursor",
        "card--bar",
        "card--bar-cursor",
        "card--title",
        "card--muted",
        "card--amount",
        "card--overdue",
        "card--rotting",
        "card--closing",
        "card--won",
        "card--lost",
        "card--pending",
        "card--empty",
    }

    def __init__(
        self, state: ColumnState, *, empty: str = "No deals", id: str | None = None
    ) -> None:
        super().__init__(id=id, classes="card-list")
        self.key = state.key
        self.state = state
        self.cursor = 0
        self.highlight = False
        self.empty = empty
        self.today = local_today()
        self.pending: set[int] = set()
        """Deals whose write is waiting (a lock): their cards say "saving…"."""
        self.asked: tuple[int, int] | None = None
        """The cards last asked for (``CardsWanted``), until the board answers."""
        self._cache: LRUCache[tuple[int, int, str, int], tuple[BoardCard, Strip]] = LRUCache(1024)

    # ------------------------------------------------------------------ data

    @property
    def cards(self) -> list[BoardCard]:
        """The cards held (the window of the column from ``state.start``)."""
        return self.state.cards

    @property
    def count(self) -> int:
        return max(self.state.count, self.state.end)

    def card_at(self, index: int) -> BoardCard | None:
        """The card at ``index`` in the whole column, if it is held."""
        local = index - self.state.start
        cards = self.state.cards
        return cards[local] if 0 <= local < len(cards) else None

    @property
    def current(self) -> BoardCard | None:
        """The card under the cursor (None while it is being read)."""
        return self.card_at(self.cursor)

    def index_of(self, deal_id: int) -> int | None:
        """Where deal ``deal_id`` is in the whole column, if its card is held."""
        for index, card in enumerate(self.state.cards):
            if card.id == deal_id:
                return self.state.start + index
        return None

    def set_cards(
        self,
        state: ColumnState,
        *,
        keep: int | None = None,
        today: date | None = None,
    ) -> None:
        """Show ``state``; the cursor stays on deal ``keep`` if it is still held."""
        self.state = state
        self.asked = None
        if today is not None and today != self.today:
            self.today = today
            self._cache.clear()
        index = self.index_of(keep) if keep is not None else None
        self.cards_changed(self.cursor if index is None else index)

    def cards_changed(self, cursor: int | None = None, *, scroll: bool = True) -> None:
        """The cards (or the window) changed: redraw, put the cursor at ``cursor`` (and the
        view on it, unless not ``scroll``), and ask for what the view now lacks."""
        self._update_virtual_size()
        self.move_cursor(self.cursor if cursor is None else cursor, force=True, scroll=scroll)
        self.refresh()
        self.want()

    def set_pending(self, deal_ids: set[int]) -> None:
        """Mark the cards of ``deal_ids`` "saving…" (and unmark the others)."""
        if deal_ids != self.pending:
            self.pending = set(deal_ids)
            self.refresh()

    def _update_virtual_size(self) -> None:
        region = self.scrollable_content_region
        height = self.count * CARD_ROW
        if height > region.height:
            # Blank lines after the last card, so that scrolled to the end the view still
            # starts at a card's first line (never half a card at its top).
            height += (region.height - height) % CARD_ROW
        set_virtual_size(self, Size(region.width, height))

    # ------------------------------------------------------------------ the window

    def _near(self) -> tuple[int, int]:
        """The cards the view shows, and ``AHEAD`` more on either side (first, last)."""
        top = self.scroll_offset.y // CARD_ROW
        bottom = top + self.scrollable_content_region.height // CARD_ROW + 1
        return max(0, top - AHEAD), min(self.count - 1, bottom + AHEAD)

    def wanted(self) -> tuple[int, int] | None:
        """The cards (first, last) near the view that are not held, or None. (The cursor
        is in the view, but when the view was scrolled away from it, by the mouse.)"""
        if not self.count:
            return None
        first, last = self._near()
        start, end = self.state.start, self.state.end
        if start <= first and last < end:
            return None
        if not self.state.cards or last < start or first >= end:
            return first, last
        if first < start:  # the nearer side first: what is above, then what is below
            return first, start - 1
        return end, last

    def want(self) -> None:
        """Ask the board for the cards the view lacks (once, until it answers)."""
        wanted = self.wanted()
        if wanted is not None and wanted != self.asked and self.is_mounted:
            self.asked = wanted
            self.post_message(CardsWanted(self.key, *wanted))

    def keep_near(self, limit: int) -> None:
        """Drop the held cards farthest from the view, down to ``limit`` (never those near
        the view: what it wants stays held)."""
        cards = self.state.cards
        if len(cards) <= limit:
            return
        first, last = self._near()
        limit = max(limit, last - first + 1)
        start, end = self.state.start, self.state.end
        low = max(start, min((first + last) // 2 - limit // 2, end - limit))
        self.state.cards = cards[low - start : low - start + limit]
        self.state.start = low

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.want()

    # ------------------------------------------------------------------ cursor

    def move_cursor(self, index: int, *, force: bool = False, scroll: bool = True) -> bool:
        """Put the cursor on card ``index`` of the column (clamped); return whether it moved."""
        count = self.count
        index = max(0, min(index, count - 1)) if count else 0
        if index == self.cursor and not force:
            return False
        old = self.cursor
        self.cursor = index
        self.refresh_lines(old * CARD_ROW, CARD_LINES)
        self.refresh_lines(index * CARD_ROW, CARD_LINES)
        if count and scroll:
            self.scroll_to_card(index)
        self.want()
        return True

    def scroll_to_card(self, index: int) -> None:
        """Scroll the least that shows card ``index`` whole, the view starting at a card's
        first line (``scroll_to_region`` lined the card's bottom up with the view's, and
        the card at the top was cut when the height is not a whole number of cards)."""
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        first = index * CARD_ROW
        if first < top or height < CARD_LINES:
            top = first
        elif first + CARD_LINES > top + height:
            top = -(-(first + CARD_LINES - height) // CARD_ROW) * CARD_ROW
        elif top % CARD_ROW:  # scrolled by hand to mid-card: to the card's line above
            top -= top % CARD_ROW
            if first + CARD_LINES > top + height:
                top += CARD_ROW
        self.scroll_to(y=top, animate=False, immediate=True)

    def set_highlight(self, highlight: bool) -> None:
        """Draw the cursor card highlighted (the active column of a focused board) or not."""
        if highlight != self.highlight:
            self.highlight = highlight
            self.refresh_lines(self.cursor * CARD_ROW, CARD_LINES)

    @property
    def page_size(self) -> int:
        return max(1, self.scrollable_content_region.height // CARD_ROW)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (offset.y + self.scroll_offset.y) // CARD_ROW
        if 0 <= index < self.count:
            event.stop()
            self.post_message(CardClicked(self.key, index, event.chain))

    def on_resize(self) -> None:
        self._cache.clear()
        self._update_virtual_size()
        if self.count:
            self.scroll_to_card(self.cursor)  # a new height: the view on whole cards again
        self.want()

    def notify_style_update(self) -> None:
        self._cache.clear()
        super().notify_style_update()

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.base_style
        number = self.scroll_offset.y + y
        if not self.count:
            if number == 1:
                muted = self.get_component_rich_style("card--empty")
                return line([(self.empty, muted)], width, base)
            return Strip.blank(width, base)
        index, offset = divmod(number, CARD_ROW)
        if index >= self.count or offset >= CARD_LINES:
            return Strip.blank(width, base)
        state = "cursor" if index == self.cursor and self.highlight else ""
        card = self.card_at(index)
        if card is None:  # not read yet: the board is reading it
            return self._placeholder(offset, state, width)
        if card.id in self.pending:
            state += "-pending"
        key = (card.id, offset, state, width)
        cached = self._cache.get(key)
        if cached is not None and cached[0] is card:  # the same read model: the same lines
            return cached[1]
        strip = self._render_card_line(card, offset, state, width)
        self._cache[key] = (card, strip)
        return strip

    def _placeholder(self, offset: int, state: str, width: int) -> Strip:
        cursor = state.startswith("cursor")
        background = self.get_component_rich_style("card--cursor" if cursor else "card")
        bar = background + self._style("card--bar-cursor" if cursor else "card--bar")
        text = "…" if offset == 0 else ""
        muted = background + self._style("card--muted")
        return line([(text, muted)], width, background, prefix=("▎", bar))

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _render_card_line(self, card: BoardCard, offset: int, state: str, width: int) -> Strip:
        cursor = state.startswith("cursor")
        background = self.get_component_rich_style("card--cursor" if cursor else "card")
        bar = background + self._style("card--bar-cursor" if cursor else "card--bar")
        muted = background + self._style("card--muted")
        parts: list[tuple[str, Style]] = []
        right: list[tuple[str, Style]] = []
        if offset < 2:
            title = background + self._style("card--title")
            first, rest = _title_lines(card.title, width - 3)  # the edge, padding, a cell
            if offset == 0:
                parts = [(first, title)]
            elif rest:
                parts = [(rest, title)]
            else:
                who = " · ".join(p for p in (card.company, card.contact) if p)
                parts = [(fit_words(who, width - 3) if who else "—", muted)]
        elif offset == 2:
            money = fmt.amount(card.amount, card.currency) or (
                "amount?" if card.amount_unreadable else "no amount"  # its view says why
            )
            parts = [(money, background + self._style("card--amount"))]
            when = "  " + fmt.short_date(card.close_date, self.today) if card.close_date else ""
            room = width - 3  # the card's edge, its padding, and a cell at the right
            if cell_len(money + when) + 2 + cell_len(card.owner) <= room:
                right = [(card.owner, muted)]
            # In a narrow card the owner goes first, then the date: the amount stays whole.
            if when and cell_len(money + when) <= room - (cell_len(card.owner) + 2 if right else 0):
                parts.append((when, muted))
        else:
            parts = self._badges(card, background)
            if state.endswith("pending"):
                saving = (" saving… ", background + self._style("card--pending"))
                parts = [saving, (" ", background), *parts] if parts else [saving]
        return line(parts, width, background, right=right, prefix=("▎", bar))

    def _badges(self, card: BoardCard, background: Style) -> list[tuple[str, Style]]:
        badges: list[tuple[str, Style]] = []
        if card.status == "won":
            when = fmt.short_date(card.closed_at.date(), self.today) if card.closed_at else ""
            return [(f" won {when} ".rstrip() + " ", background + self._style("card--won"))]
        if card.status == "lost":
            when = fmt.short_date(card.closed_at.date(), self.today) if card.closed_at else ""
            return [(f" lost {when} ".rstrip() + " ", background + self._style("card--lost"))]
        if card.overdue_task:
            badges.append((" overdue ", background + self._style("card--overdue")))
        if card.rotting:
            badges.append((" rotting ", background + self._style("card--rotting")))
        if card.closing_soon and card.close_date:
            text = f" closes {fmt.days_until(card.close_date, self.today)} "
            badges.append((text, background + self._style("card--closing")))
        spaced: list[tuple[str, Style]] = []
        for badge in badges:
            if spaced:
                spaced.append((" ", background))
            spaced.append(badge)
        return spaced


def _title_lines(title: str, room: int) -> tuple[str, str]:
    """A card's title on its first line and, when it does not fit there, the rest of it
    on the second (which then does not name the company and contact: the title has the
    room first), cut at a word with an ellipsis. A first word too long for the line is cut
    on the first line, and the second names the company and contact as usual."""
    first, rest = split_words(title, room)
    if not first:
        return fit_words(title, room), ""
    return first, fit_words(rest.lstrip(CUT_AFTER), room)  # not "– Annual plan"


class ColumnsView(HorizontalScroll, can_focus=True, inherit_bindings=False):
    """The columns side by side, and the one focus of the board's cards.

    Scrolls sideways when the columns do not fit. Keys move the cursor within the
    active column and between columns; the view posts ``CardHighlighted`` when the
    card under the cursor changes and ``CardChosen`` on enter or a double click.
    """

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Previous card", show=False, id="cards.up"),
        Binding("down,j", "cursor(1)", "Next card", show=False, id="cards.down"),
        Binding("left,h", "column(-1)", "Previous column", show=False, id="cards.left"),
        Binding("right,l", "column(1)", "Next column", show=False, id="cards.right"),
        Binding("home,g", "first", "First card", show=False, id="cards.first"),
        Binding("end,G", "last", "Last card", show=False, id="cards.last"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="cards.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="cards.page_down"),
        Binding("enter", "choose", "Open", id="cards.open"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.active = 0
        self._announced: tuple[str, int | None] | None = None

    @property
    def columns(self) -> list[StageColumn]:
        return list(self.query_children(StageColumn))

    def fit(self) -> None:
        """Share the width between the columns; below ``MIN_COLUMN`` each, between as many
        as fit whole, and scroll sideways to the others."""
        columns = self.columns
        if not columns or not self.size.width:
            return
        # Each column has a one-cell margin; the view a one-cell padding on the left.
        room = self.outer_size.width - 1  # its width without padding: as ``size`` was
        share, extra = divmod(room - 1, len(columns))
        scrolls = share - 1 < MIN_COLUMN
        if scrolls:
            # as many whole columns as fit share the width, the others wait past the right
            # edge: a column half in view showed "€86,00" for €86,000. They are all as wide,
            # and the cells left over are padding on the right, so that the view scrolled to
            # any column starts at its edge (``show_column``) and shows no part of the next
            shown = max(1, room // (MIN_COLUMN + 1))
            share, extra = divmod(room, shown)
        for index, column in enumerate(columns):
            width = max(MIN_COLUMN, share - 1 + (not scrolls and index < extra))
            if column.styles.width is None or column.styles.width.value != width:
                column.styles.width = width
        right = extra if scrolls else 0
        if self.styles.padding.right != right:
            self.styles.padding = (0, right, 0, 1)

    def show_column(self, column: StageColumn) -> None:
        """Scroll sideways so that ``column`` shows whole and the view starts at a column's
        left edge, the one nearest where it is. ``scroll_to_widget`` scrolled by the cells
        needed: the columns in view were a cell off their headers' and the edges' places
        (a card's edge under the header's text)."""
        width = self.scrollable_content_region.width
        region = column.virtual_region
        if not width or not region.width:
            return
        left = round(self.scroll_x)
        starts = [c.virtual_region.x for c in self.columns]
        fitting = [x for x in starts if region.right - width <= x <= region.x]
        target = min(fitting, key=lambda x: abs(x - left)) if fitting else region.x
        if target != left:
            self.scroll_to(x=target, animate=False, immediate=True)

    def on_resize(self) -> None:
        self.fit()
        self.call_after_refresh(self._show_active)

    def _show_active(self) -> None:
        if (column := self.active_column) is not None and self.is_attached:
            self.show_column(column)

    @property
    def active_column(self) -> StageColumn | None:
        columns = self.columns
        return columns[min(self.active, len(columns) - 1)] if columns else None

    @property
    def current(self) -> BoardCard | None:
        column = self.active_column
        return column.card_list.current if column else None

    def activate(self, index: int, *, cursor: int | None = None) -> None:
        """Make column ``index`` the active one, with its cursor on card ``cursor``."""
        columns = self.columns
        if not columns:
            return
        index = max(0, min(index, len(columns) - 1))
        previous = self.active_column
        self.active = index
        column = columns[index]
        if previous is not None and previous is not column:
            previous.set_active(False, False)
        if cursor is not None:
            column.card_list.move_cursor(cursor)
        column.set_active(True, self.has_focus)
        if self.is_mounted and self.size.width:
            self.show_column(column)
        self.announce()

    def announce(self, *, force: bool = False) -> None:
        """Post ``CardHighlighted`` if the card under the cursor changed."""
        column = self.active_column
        if column is None:
            return
        card = column.card_list.current
        state = (column.state.key, card.id if card else None)
        if force or state != self._announced:
            self._announced = state
            self.post_message(CardHighlighted(*state))

    def refresh_active(self) -> None:
        """Redraw the highlight after the columns or the focus changed."""
        for index, column in enumerate(self.columns):
            column.set_active(index == self.active, self.has_focus)

    def watch_has_focus(self, has_focus: bool) -> None:
        super().watch_has_focus(has_focus)
        self.refresh_active()
        if has_focus:
            self.announce(force=True)

    def action_cursor(self, delta: int) -> None:
        column = self.active_column
        if column is not None:
            column.card_list.move_cursor(column.card_list.cursor + delta)
            self.announce()

    def action_first(self) -> None:
        self.action_cursor(-(10**9))

    def action_last(self) -> None:
        self.action_cursor(10**9)

    def action_page(self, direction: int) -> None:
        column = self.active_column
        if column is not None:
            self.action_cursor(direction * column.card_list.page_size)

    def action_column(self, delta: int) -> None:
        columns = self.columns
        target = self.active + delta
        if not columns or not 0 <= target < len(columns):
            return
        source, goal = columns[self.active].card_list, columns[target].card_list
        # Land on the card at the same height on screen, as the eye expects.
        row = source.cursor - source.scroll_offset.y // CARD_ROW
        self.activate(target, cursor=goal.scroll_offset.y // CARD_ROW + max(0, row))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":  # no card under the cursor (an empty column): dimmed
            return True if self.current is not None else None
        return True

    def action_choose(self) -> None:
        if (card := self.current) is not None:
            self.post_message(CardChosen(card.id))

    def on_card_clicked(self, message: CardClicked) -> None:
        message.stop()
        index = next((i for i, c in enumerate(self.columns) if c.state.key == message.key), None)
        if index is None:
            return
        self.activate(index, cursor=message.index)
        if not self.has_focus:
            self.focus()
        if message.chain >= 2 and (card := self.current) is not None:
            self.post_message(CardChosen(card.id))


class StageColumn(Vertical):
    """One column of the board: its header over its cards."""

    def __init__(self, state: ColumnState) -> None:
        super().__init__(classes=f"stage-column status-{state.status}")
        self.state = state
        self.header = ColumnHeader(state)
        self.card_list = CardList(
            state, empty="No deals" if state.status == "open" else f"No {state.status} deals"
        )

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.card_list

    def set_active(self, active: bool, focused: bool) -> None:
        """The active column shows its header lit, and its cursor when the board has focus."""
        self.header.set_active(active)
        self.card_list.set_highlight(active and focused)

    def show(self, state: ColumnState, *, keep: int | None, today: date) -> None:
        """Show new data, keeping the cursor on deal ``keep`` when it is still here."""
        self.state = state
        self.header.show(state)
        self.card_list.set_cards(state, keep=keep, today=today)
