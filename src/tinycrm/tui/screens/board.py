"""The pipeline kanban: one column per stage, the activity feed beside it.

The screen owns the data: it loads the board in a worker thread, keeps the
columns' state, and calls the CRM (``tinycrm.api``) for every action. Each column
holds a window of its cards, read page by page as it asks (``screens.board_pages``).
A move is shown at once (the card changes column and
the headers their sums) and written by the app's writer; if it is refused, the
board says why and reloads what is true.
"""

from __future__ import annotations

import bisect
import gc
import time
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from tinycrm.api.models import Board, BoardCard, CardPage, DealRead, FeedEntry, InvalidFilter
from tinycrm.errors import NotFound, TinyCrmError
from tinycrm.filters import FilterError
from tinycrm.tui import format as fmt
from tinycrm.tui.messages import (
    CardChosen,
    CardHighlighted,
    DatabaseLost,
    DataChanged,
    FilterChanged,
    WritesPending,
)
from tinycrm.tui.moves import move_from
from tinycrm.tui.preload import FEED_SIZE, collector_on
from tinycrm.tui.screens.board_pages import PagedColumns, window_from
from tinycrm.tui.widgets.cards import (
    CARD_LINES,
    MIN_COLUMN,
    PAGE,
    ColumnState,
    ColumnsView,
    StageColumn,
)
from tinycrm.tui.widgets.feed import RETIME_SECONDS, FeedPanel
from tinycrm.tui.widgets.filter import MAX_FILTER, FilterBar, describe_error
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.writer import WriteCancelled

FILTER_DELAY = 0.15

EMPTY_TEXT = """[b]Your pipeline is empty.[/b]

Press [b]n[/b] to add your first deal,
or explore sample data in a separate database:

    [b]tinycrm demo[/b]

[dim]? shows every key · ctrl+p jumps anywhere · q quits[/dim]"""

HEADER_LINES = 3
"""A column's header: name and count, total, weighted total."""
TOO_SMALL_TEXT = "The window is too small for the board.\n\nMake it at least {width}×{height}."


def _freeze_heap() -> None:
    """Keep the garbage collector's full passes off the loaded board.

    With thousands of cards in memory, each full collection walked them all and
    paused the interface for 100-300 ms every few key presses. Frozen objects are
    still freed when nothing refers to them (the previous board, after a reload).
    After the first board, the collector is back on (off since ``Preload.start``).
    """
    gc.freeze()
    collector_on()


def _open_key(card: BoardCard) -> tuple[int, date, int]:
    """Open cards sort by expected close date, undated last (as the store orders them)."""
    return (card.close_date is None, card.close_date or date.min, card.id)


def _closed_key(card: BoardCard) -> tuple[float, int]:
    return (-(card.closed_at.timestamp() if card.closed_at else 0.0), -card.id)


def _state(column: Any) -> ColumnState:
    return ColumnState(
        key=column.key,
        name=column.name,
        status=column.status,
        stage_id=column.stage_id,
        probability=column.probability,
        rotting_days=column.rotting_days,
        count=column.count,
        totals={t.currency: [t.total, t.weighted] for t in column.totals},
        cards=list(column.cards),
    )


class BoardScreen(PagedColumns):
    """The kanban of the current pipeline."""

    AUTO_FOCUS = ""  # the first load focuses the first column
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-medium"), (150, "-wide")]
    """The feed's width (#feed in the stylesheet): none, narrow, full."""

    BINDINGS = [
        Binding(
            "shift+left,less_than_sign",
            "move(-1)",
            "Move back",
            key_display="⇧← <",
            id="board.move_back",
        ),
        Binding(
            "shift+right,greater_than_sign",
            "move(1)",
            "Move on",
            key_display="⇧→ >",
            id="board.move_on",
        ),
        Binding("w", "win", "Won", id="board.won"),
        Binding("x", "lose", "Lost", id="board.lost"),
        Binding("r", "reopen", "Reopen", id="board.reopen"),
        Binding("n", "new_deal", "New", id="board.new"),
        Binding("e", "edit", "Edit", id="board.edit"),
        Binding(
            "slash",
            "filter",
            "Filter",
            key_display="/",
            id="board.filter",
            tooltip="Filter: words, #tag, @owner, contact:TEXT, or an expression such as "
            "amount>10000 and stage=Proposal (the --where language)",
        ),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="board.clear_filter"),
        Binding("c", "toggle_closed", "Won/Lost", id="board.closed"),
        Binding("f", "toggle_feed", "Feed", id="board.feed"),
        Binding("p", "pipeline", "Pipeline", id="board.pipeline"),
    ]

    def __init__(self) -> None:
        super().__init__(id="board")
        self.columns_data: list[ColumnState] = []
        self.pipeline_id: int | None = None
        self.filter: str | None = None  # the filter over deals (tinycrm.filters)
        self._filter_text = ""  # what was typed for self.filter
        self._shown_text = ""  # … and for the filter of the board on screen
        self.show_closed = False
        self.loaded = False
        self.last_load_seconds = 0.0
        self._focus_deal: int | None = None
        self._filter_timer: Timer | None = None
        self.too_small = False
        """No card fits on screen: keys that act on a card do nothing, the board says why."""

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="board-title")
        bar = FilterBar(id="filter-bar")
        bar.display = False
        yield bar
        with Horizontal(id="board-body"):
            yield ColumnsView(id="columns")
            empty = Static(EMPTY_TEXT, id="empty-state")
            empty.display = False
            yield empty
            small = Static("", id="too-small")
            small.display = False
            yield small
            yield FeedPanel(id="feed")
        yield KeyBar()

    async def on_mount(self) -> None:
        self.set_interval(RETIME_SECONDS, self._retime_feed, name="feed-retime")
        preload = self.crm_app.preload
        if preload is not None and preload.ready():
            # The first load is in: shown before the first frame, which is then the board.
            board, entries = preload.take_board(), preload.take_feed()
            if board is not None:
                await self._apply(board, self._version, preload.seconds, {})
            else:
                self.reload()  # it failed: load again, and say why
            if entries is not None:
                self._apply_feed(entries, False)
            else:
                self.reload_feed()
            return
        self.reload()
        self.reload_feed()

    def _retime_feed(self) -> None:
        self.query_one(FeedPanel).retime(self.crm_app.now())

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Load the board again (in a worker); what is on screen stays until it arrives.
        A column whose cursor is past its first page is read again around the cursor."""
        around: dict[str, int] = {}
        if self.board is not None and self.board.where == self.filter:
            for widget in self.column_widgets():
                cursor = widget.card_list.cursor
                if widget.state.start > 0 or cursor >= PAGE // 2:
                    around[widget.state.key] = cursor
        self._load(self._version, around)

    @work(thread=True, exclusive=True, group="board-load", exit_on_error=False)
    def _load(self, version: int, around: dict[str, int]) -> None:
        started = time.perf_counter()
        preload = self.crm_app.preload
        board = preload.take_board() if preload is not None else None
        flt = self.filter
        if board is not None and (self.pipeline_id, bool(self.filter), self.show_closed) == (
            None,
            False,
            False,
        ):
            self.app.call_from_thread(
                self._apply,  # type: ignore[arg-type]
                board,
                version,
                time.perf_counter() - started,
                {},
            )
            return
        now = self.crm_app.now()
        windows: dict[str, CardPage] = {}
        try:
            try:
                board = self.crm.board.load(
                    pipeline=self.pipeline_id,
                    where=flt,
                    closed=self.show_closed,
                    now=now,
                    per_column=PAGE,
                )
            except NotFound:  # the pipeline was removed elsewhere: show the default one
                board = self.crm.board.load(
                    where=flt, closed=self.show_closed, now=now, per_column=PAGE
                )
            for column in board.columns:
                cursor = around.get(column.key)
                if cursor is not None and column.count > PAGE:
                    offset = max(0, min(cursor - PAGE // 2, column.count - PAGE))
                    windows[column.key] = self.crm.board.cards(
                        column.key, pipeline=board.pipeline_id, where=flt, now=now, offset=offset,
                        limit=PAGE,
                    )  # fmt: skip
        except InvalidFilter as exc:  # e.g. a segment that does not exist
            self.app.call_from_thread(self._filter_refused, flt, exc)
            return
        except TinyCrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(
            self._apply,  # type: ignore[arg-type]
            board,
            version,
            time.perf_counter() - started,
            windows,
        )

    async def _apply(
        self, board: Board, version: int, seconds: float, windows: dict[str, CardPage]
    ) -> None:
        if version != self._version:
            # The user changed the board while this load ran; load again with their change.
            self.reload()
            return
        self.board = board
        self.pipeline_id = board.pipeline_id
        if board.where == self.filter:
            self._shown_text = self._filter_text
        self.last_load_seconds = seconds
        states = [_state(column) for column in board.columns]
        for state in states:
            if state.key in windows:
                window_from(state, windows[state.key])
        widgets = self.column_widgets()
        view = self.view
        focused = self.focused
        had_focus = focused is view or focused is None
        current = view.current
        focus_deal = self._focus_deal or (current.id if current else None)
        focus_index = view.active
        self._focus_deal = None
        today = fmt.local_day(board.loaded_at)
        if [s.key for s in states] != [w.state.key for w in widgets]:
            await view.remove_children()
            widgets = [StageColumn(state) for state in states]
            await view.mount_all(widgets)
            view.fit()
        for widget, state in zip(widgets, states, strict=True):
            kept = widget.card_list.current
            widget.show(state, keep=kept.id if kept else None, today=today)
        self.columns_data = states
        empty = board.deals_total == 0 and not board.where
        self._show_body()
        if not states:
            self.query_one("#empty-state", Static).update(
                "[b]There is no pipeline.[/b]\n\nAdd one with  [b]tinycrm pipeline add NAME[/b]"
            )
        self._update_title()
        if widgets and not empty:
            self._restore_position(widgets, focus_deal, focus_index)
            if had_focus and self.focused is not view and view.display:
                self.set_focus(view)
        view.refresh_active()
        self.loaded = True
        self.refresh_bindings()
        self.call_after_refresh(_freeze_heap)

    def _restore_position(
        self, widgets: list[StageColumn], deal_id: int | None, index: int
    ) -> None:
        """Keep the cursor on the deal it was on, wherever that deal now is."""
        if deal_id is not None:
            for position, widget in enumerate(widgets):
                found = widget.card_list.index_of(deal_id)
                if found is not None:
                    self.view.activate(position, cursor=found)
                    return
        self.view.activate(min(index, len(widgets) - 1))

    def _show_card(self, column: StageColumn, index: int) -> None:
        """Put the board's cursor on card ``index`` of ``column`` (and the focus on the board)."""
        self.view.activate(self.column_widgets().index(column), cursor=index)
        if self.focused is not self.view:
            self.set_focus(self.view)

    def reload_feed(self) -> None:
        feed = self.query_one(FeedPanel)
        self._load_feed(feed.newest_id)

    @work(thread=True, exclusive=True, group="feed-load", exit_on_error=False)
    def _load_feed(self, after_id: int | None) -> None:
        preload = self.crm_app.preload
        entries = preload.take_feed() if preload is not None and after_id is None else None
        if entries is not None:
            self.app.call_from_thread(self._apply_feed, entries, False)
            return
        try:
            entries = self.crm.board.feed(limit=FEED_SIZE, after_id=after_id)
        except TinyCrmError:
            return
        self.app.call_from_thread(self._apply_feed, entries, after_id is not None)

    def _apply_feed(self, entries: list[FeedEntry], prepend: bool) -> None:
        if prepend and not entries:
            return
        self.query_one(FeedPanel).show(entries, self.crm_app.now(), prepend=prepend)

    def on_data_changed(self, message: DataChanged) -> None:
        if message.force:
            self._version += 1
        if message.force or self.board is None or message.marker != self.board.marker:
            self.reload()
            self.reload_feed()

    def on_writes_pending(self, message: WritesPending) -> None:
        """Mark the cards whose writes wait (a lock), and say "saving…" in the title."""
        for widget in self.column_widgets():
            widget.card_list.set_pending(message.deal_ids)
        self._update_title()

    def on_database_lost(self, message: DatabaseLost) -> None:
        self._update_title()
        self.refresh_bindings()

    def _update_title(self) -> None:
        board = self.board
        if board is None:
            return
        open_states = [s for s in self.columns_data if s.status == "open"]
        count = sum(s.count for s in open_states)
        totals: dict[str, list[Decimal]] = {}
        for state in open_states:
            for currency, (total, weighted) in state.totals.items():
                pair = totals.setdefault(currency, [Decimal(0), Decimal(0)])
                pair[0] += total
                pair[1] += weighted
        left = Content.styled(f" {fmt.text(board.pipeline or 'No pipeline')}", "bold")
        if len(board.pipelines) > 1:
            left += Content.styled(" ▾", "$foreground-muted")
        left += Content(f"   {count:,} open deals")
        ranked = sorted(totals.items(), key=lambda item: (-item[1][0], item[0]))[:2]
        if ranked:
            left += Content("   " + " · ".join(fmt.compact(p[0], c) for c, p in ranked))
            weighted_text = " · ".join(fmt.compact(p[1], c) for c, p in ranked)
            left += Content.styled(f"   weighted {weighted_text}", "$foreground-muted")
        right = Content("")
        if board.where:
            shown = self._shown_text.strip()
            right = Content.styled(" filter ", "reverse") + Content(f" {shown} ")
        if self.crm_app.gone is not None:
            right = Content.styled(" not saving: the database file was moved ", "reverse $error")
        elif self.crm_app.saving:
            right += Content.styled(" saving… ", "reverse $warning")
        if self.too_small and self.query_one(FeedPanel).display:
            right += Content.styled(" too small · f hides feed ", "reverse $warning")
        title = self.query_one("#board-title", Static)
        room = max(1, title.size.width - right.cell_length)
        left = left.truncate(room, ellipsis=True, pad=True)
        title.update(left + right, layout=False)

    def on_resize(self) -> None:
        self._update_title()
        self.call_after_refresh(self._show_body)

    def _show_body(self) -> None:
        """The columns, the empty state, or "too small" when not one card would show."""
        board = self.board
        if board is None:
            return
        body = self.query_one("#board-body").size
        feed = self.query_one(FeedPanel)
        width = body.width - (feed.outer_size.width if feed.display else 0)
        need_width, need_height = MIN_COLUMN + 2, HEADER_LINES + CARD_LINES + 1
        too_small = bool(body.width) and (width < need_width or body.height < need_height)
        empty = board.deals_total == 0 and not board.where
        show_columns = not empty and bool(self.columns_data) and not too_small
        view = self.view
        had_focus = self.focused is view
        view.display = show_columns
        self.query_one("#empty-state").display = (empty or not self.columns_data) and not too_small
        note = self.query_one("#too-small", Static)
        note.display = too_small and not feed.display  # else the feed has the room: the title says
        if too_small:
            size = self.app.size
            note.update(
                TOO_SMALL_TEXT.format(
                    width=max(size.width, size.width - width + need_width),
                    height=max(size.height, size.height - body.height + need_height),
                )
            )
        if too_small != self.too_small:
            self.too_small = too_small
            self._update_title()
            if not too_small and show_columns and (had_focus or self.focused is None):
                self.set_focus(view)
                self.call_after_refresh(view.fit)
            self.refresh_bindings()

    # ------------------------------------------------------------------ where the cursor is

    def current_column(self) -> StageColumn | None:
        """The active column, when the cards have the focus and show (keys act on them only
        then)."""
        view = self.view
        return view.active_column if self.focused is view and not self.too_small else None

    def current_card(self) -> BoardCard | None:
        column = self.current_column()
        return column.card_list.current if column else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("move", "win", "lose", "edit", "reopen"):
            if self.board is None or self.board.deals_total == 0 or self.too_small:
                return False  # nothing to act on yet: keep the bar short
            card = self.current_card()
            if action == "reopen":
                return bool(card is not None and card.status != "open")
            if card is None:
                return None
            if action == "edit":
                return True
            return True if card.status == "open" else None
        if action == "pipeline":
            return True if self.board is not None and len(self.board.pipelines) > 1 else None
        if action == "clear_filter":
            return bool(self.filter)
        return True

    def on_card_highlighted(self, message: CardHighlighted) -> None:
        self.refresh_bindings()

    def on_card_chosen(self, message: CardChosen) -> None:
        message.stop()
        self.crm_app.open_record("deal", message.deal_id)

    # ------------------------------------------------------------------ local edits

    def _take(self, column: StageColumn, card: BoardCard) -> int:
        """Take ``card`` out of ``column``; return where it was in the column."""
        index = column.card_list.index_of(card.id)
        assert index is not None
        state = column.state
        state.cards.pop(index - state.start)
        state.add(card, -1)
        state.version += 1
        return index

    def _put(self, column: StageColumn, card: BoardCard) -> int:
        """Put ``card`` in its place in ``column``; return where in the column. When that
        place is beyond the cards held, the column holds only it there until the cards
        around it are read."""
        state = column.state
        cards = state.cards
        key = _open_key if state.status == "open" else _closed_key
        index = bisect.bisect_left(cards, key(card), key=key)
        inside = 0 < index < len(cards)
        if not inside and cards:
            inside = state.start == 0 if index == 0 else state.end >= state.count
        elif not cards:
            inside = state.count == 0
        if inside:
            cards.insert(index, card)
            place = state.start + index
        else:  # far from what is held: read around it (the next pages the column asks for)
            place = state.start if index == 0 else state.end
            state.cards = [card]
            state.start = place
        state.add(card, 1)
        state.version += 1
        return place

    def _changed_locally(self, *columns: StageColumn) -> None:
        self._version += 1
        for column in columns:
            column.header.show(column.state)
        self._update_title()
        self.refresh_bindings()

    def _refused(self, error: TinyCrmError) -> None:
        """A write failed (or was cancelled behind one that did): show what is stored."""
        if not isinstance(error, WriteCancelled):
            self.notify(str(error), title="Not saved", severity="error")
        self._version += 1
        self.reload()
        self.reload_feed()

    def action_move(self, delta: int) -> None:
        column = self.current_column()
        card = self.current_card()
        if column is None or card is None or card.status != "open":
            return
        stages = [w for w in self.column_widgets() if w.state.status == "open"]
        index = stages.index(column) + delta
        if not 0 <= index < len(stages):
            edge = "first" if delta < 0 else "last"
            hint = "" if delta < 0 else "; w marks it won"
            self.notify(f"{card.title} is in the {edge} stage{hint}", timeout=3)
            return
        target = stages[index]
        probability = card.probability_override
        moved = card.model_copy(
            update={
                "stage_id": target.state.stage_id,
                "probability": probability if probability is not None else target.state.probability,
                "rotting": False,
            }
        )
        source_index = self._take(column, card)
        target_index = self._put(target, moved)
        column.card_list.cards_changed(min(source_index, column.card_list.count - 1))
        target.card_list.cards_changed(target_index)
        self._show_card(target, target_index)
        self._changed_locally(column, target)
        self.crm_app.run_write(
            partial(move_from, self.crm, card.id, card.stage_id, moved.stage_id, target.state.name),
            done=lambda _deal: self.reload_feed(),
            failed=self._refused,
            shown=True,
            label=f"move {card.title} to {target.state.name}",
            deal_id=card.id,
        )

    def _close_locally(self, card: BoardCard, status: str) -> None:
        column = self.current_column()
        if column is None:
            return
        index = self._take(column, card)
        touched = [column]
        closed = next((w for w in self.column_widgets() if w.state.key == status), None)
        if closed is not None:
            done = card.model_copy(
                update={
                    "status": status,
                    "closed_at": self.crm_app.now(),
                    "probability": 100 if status == "won" else 0,
                    "rotting": False,
                    "closing_soon": False,
                    "overdue_task": card.overdue_task,
                }
            )
            closed.card_list.cards_changed(self._put(closed, done))
            touched.append(closed)
        column.card_list.cards_changed(min(index, column.card_list.count - 1))
        self.view.announce()
        self._changed_locally(*touched)

    def action_win(self) -> None:
        card = self.current_card()
        if card is None or card.status != "open":
            return
        self._close_locally(card, "won")
        self.crm_app.run_write(
            partial(self.crm.deals.win, card.id),
            done=self._won,
            failed=self._refused,
            shown=True,
            label=f"mark {card.title} won",
            deal_id=card.id,
        )

    def _won(self, deal: DealRead) -> None:
        self.notify(f"Won {deal.title}", title="Won")
        self.reload_feed()

    def action_lose(self) -> None:
        from tinycrm.tui.screens.deal_forms import lost_form

        card = self.current_card()
        if card is None or card.status != "open":
            return

        def lost(deal: DealRead | None) -> None:
            if deal is not None:
                if self.current_card() is card:
                    self._close_locally(card, "lost")
                else:
                    self._version += 1
                    self.reload()
                self.notify(f"Lost {deal.title}: {deal.lost_reason}", title="Lost")

        self.app.push_screen(lost_form(card.id, card.title), lost)

    def action_reopen(self) -> None:
        card = self.current_card()
        if card is None or card.status == "open":
            return
        self._focus_deal = card.id
        self.crm_app.run_write(
            partial(self.crm.deals.reopen, card.id),
            done=self._reopened,
            failed=self._refused,
            label=f"reopen {card.title}",
            deal_id=card.id,
        )

    def _reopened(self, deal: DealRead) -> None:
        self.notify(f"Reopened {deal.title} in {deal.stage}")
        self.reload()

    def new_deal(self) -> None:
        self.action_new_deal()

    def action_new_deal(self) -> None:
        from tinycrm.tui.screens.deal_forms import new_deal_form

        stages = [(s.name, s.stage_id) for s in self.columns_data if s.stage_id is not None]
        column = self.current_column()
        stage_id = column.state.stage_id if column is not None else None

        def added(deal: DealRead | None) -> None:
            if deal is not None:
                self._focus_deal = deal.id
                self.notify(f"Added {deal.title} in {deal.stage}", title="New deal")
                self.reload()

        form = new_deal_form(pipeline_id=self.pipeline_id, stages=stages, stage_id=stage_id)
        self.app.push_screen(form, added)

    def action_edit(self) -> None:
        card = self.current_card()
        if card is not None:
            self._edit(card.id)

    @work(thread=True, group="board-edit", exit_on_error=False)
    def _edit(self, deal_id: int) -> None:
        from tinycrm.tui.screens.deal_forms import edit_deal_form

        try:
            deal = self.crm.deals.get(deal_id)
        except TinyCrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return

        def edited(result: DealRead | None) -> None:
            if result is not None:
                self.notify(f"Saved {result.title}")
                self.reload()

        form = edit_deal_form(deal)
        self.app.call_from_thread(self.app.push_screen, form, edited)

    # ------------------------------------------------------------------ filter, toggles

    def action_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.display = True
        bar.focus()

    def action_clear_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.value = ""
        self._set_filter("", done=True)

    def on_filter_changed(self, message: FilterChanged) -> None:
        message.stop()
        self._set_filter(message.text, done=message.done)

    def _set_filter(self, text: str, *, done: bool) -> None:
        bar = self.query_one(FilterBar)
        try:
            new = self.crm.board.check_filter(text, now=self.crm_app.now(), max_length=MAX_FILTER)
        except FilterError as exc:  # not applied: the board keeps the last good result
            bar.show_error(exc, now=done)
            if done:
                self.notify(f"Filter not applied: {exc}", severity="error")
            return
        bar.show_error(None)
        if done:
            if not text.strip():
                bar.display = False
            if self.column_widgets():
                self.set_focus(self.view)
        if new == self.filter:
            return
        self.filter = new
        self._filter_text = text
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        if done:  # Enter applies at once; typing waits for a pause
            self.reload()
        else:
            self._filter_timer = self.set_timer(FILTER_DELAY, self.reload)

    def _filter_refused(self, flt: str | None, error: InvalidFilter) -> None:
        """Loading with ``flt`` failed: go back to the filter on screen and say why."""
        if flt != self.filter:
            return  # typed on since: that filter is loading
        self.filter = self.board.where if self.board is not None else None
        self._filter_text = self._shown_text
        bar = self.query_one(FilterBar)
        bar.show_error(error, now=True)
        if not bar.has_focus:
            self.notify(f"Filter not applied: {describe_error(error)}", severity="error")
        self.refresh_bindings()

    def toggle_closed(self) -> None:
        self.action_toggle_closed()

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self.notify(
            "Won and lost columns shown" if self.show_closed else "Won and lost columns hidden",
            timeout=2,
        )
        self.reload()

    def toggle_feed(self) -> None:
        self.action_toggle_feed()

    def action_toggle_feed(self) -> None:
        feed = self.query_one(FeedPanel)
        feed.display = not feed.display
        self.call_after_refresh(self.view.fit)
        self.call_after_refresh(self._show_body)

    def switch_pipeline(self, pipeline_id: int) -> None:
        if pipeline_id != self.pipeline_id:
            self.pipeline_id = pipeline_id
            self._version += 1
            self.reload()

    def action_pipeline(self) -> None:
        from tinycrm.tui.screens.pickers import PickScreen

        if self.board is None or len(self.board.pipelines) < 2:
            return
        options = [(p.name, p.id) for p in self.board.pipelines]

        def picked(pipeline_id: int | None) -> None:
            if pipeline_id is not None:
                self.switch_pipeline(pipeline_id)

        self.app.push_screen(PickScreen("Pipeline", options, self.pipeline_id), picked)

    def on_screen_resume(self) -> None:
        if self.focused is None and self.column_widgets():
            self.set_focus(self.view)
