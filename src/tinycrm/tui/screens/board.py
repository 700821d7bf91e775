"""The pipeline kanban: one column per stage, the activity feed beside it.

The screen owns the data: it loads the board in a worker thread, keeps the
columns' state, and calls the CRM (``tinycrm.api``) for every action. Each column
holds a window of its cards, read page by page as it asks (``screens.board_pages``).
This module holds the layout, loading, the filter and the toggles; what the keys change
on a card (moves, won and lost, reopen, new and edited deals: shown at once, written by
the app's writer) is in ``screens.board_edits``.
"""

from __future__ import annotations

import gc
import time
from datetime import datetime
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

from tinycrm.api.models import Board, BoardCard, CardPage, FeedEntry, InvalidFilter
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
    WritesSaved,
)
from tinycrm.tui.preload import FEED_SIZE, collector_on
from tinycrm.tui.screens.board_edits import BoardEdits
from tinycrm.tui.screens.board_pages import window_from
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
from tinycrm.tui.widgets.text import fit, whole_pieces

FILTER_DELAY = 0.15

EMPTY_TEXT = """[b]Your pipeline is empty.[/b]

Press [b]n[/b] to add your first deal,
or explore sample data in a separate database:

    [b]tinycrm demo[/b]

[dim]? shows every key · ctrl+p jumps anywhere · q quits[/dim]"""

PIPELINE_NAME = 24
"""The cells the title gives the pipeline's name at least (a third of the width on a wide
screen): a longer name is cut, so the counts and sums after it show."""
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


class BoardScreen(BoardEdits):
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
        # The keys that open a form have priority, as '/' has: the keys read with them
        # ('nAcme deal' typed on) go to the form, not to the cards under it.
        Binding("x", "lose", "Lost", id="board.lost", priority=True),
        Binding("r", "reopen", "Reopen", id="board.reopen"),
        Binding("n", "new_deal", "New", id="board.new", priority=True),
        Binding("e", "edit", "Edit", id="board.edit", priority=True),
        Binding(
            "slash",
            "filter",
            "Filter",
            key_display="/",
            id="board.filter",
            tooltip="Filter: words, #tag, @owner, contact:TEXT, or an expression such as "
            "amount>10000 and stage=Proposal (the --where language)",
            priority=True,  # before the keys read with it are handed on: see action_filter
        ),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="board.clear_filter"),
        Binding("c", "toggle_closed", "Won/Lost", id="board.closed"),
        Binding("f", "toggle_feed", "Feed", id="board.feed"),
        Binding("p", "pipeline", "Pipeline", id="board.pipeline"),
    ]

    def __init__(self) -> None:
        super().__init__(id="board")
        self.filter: str | None = None  # the filter over deals (tinycrm.filters)
        self._filter_text = ""  # what was typed for self.filter
        self._shown_text = ""  # … and for the filter of the board on screen
        self.show_closed = False
        self.loaded = False
        self.last_load_seconds = 0.0
        self._filter_timer: Timer | None = None
        self._reload_when_saved = False
        """A board read while the board's own writes waited was not drawn: read it again
        once they are saved."""

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
        focus: tuple[str, BoardCard] | None = None
        if self.board is not None and self.board.where == self.filter:
            for widget in self.column_widgets():
                cursor = widget.card_list.cursor
                if widget.state.start > 0 or cursor >= PAGE // 2:
                    around[widget.state.key] = cursor
        elif (column := self.current_column()) is not None and column.card_list.current:
            focus = (column.state.key, column.card_list.current)  # its place differs now
        app = self.crm_app
        self._load(self._version, around, None if app.writing else app.writes_reported, focus)

    @work(thread=True, exclusive=True, group="board-load", exit_on_error=False)
    def _load(
        self,
        version: int,
        around: dict[str, int],
        writes: int | None,
        focus: tuple[str, BoardCard] | None = None,
    ) -> None:
        """Read the board; ``writes``: how many of the board's own writes had been
        reported when asked (None: one was still waiting). ``focus``: the card under
        the cursor as a filter was set or cleared, read with the cards around it where
        it is past the first page of its column (else the cursor lost it)."""
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
                writes,
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
            if focus is not None:
                windows.update(self._window_around(board, *focus, flt, now))
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
            writes,
        )

    def _window_around(
        self, board: Board, key: str, card: BoardCard, flt: str | None, now: datetime
    ) -> dict[str, CardPage]:
        """The cards of column ``key`` around ``card``'s place in it under the filter
        ``flt``, when that is past the first page read (in the worker)."""
        column = next((c for c in board.columns if c.key == key), None)
        if column is None or column.count <= PAGE or any(c.id == card.id for c in column.cards):
            return {}
        cards = partial(self.crm.board.cards, key, pipeline=board.pipeline_id, where=flt, now=now)
        place = cards(after=card, limit=1).offset - 1
        offset = max(0, min(place - PAGE // 2, column.count - PAGE))
        return {key: cards(offset=offset, limit=PAGE)}

    async def _apply(
        self,
        board: Board,
        version: int,
        seconds: float,
        windows: dict[str, CardPage],
        writes: int | None = -1,
    ) -> None:
        if version != self._version:
            # The user changed the board while this load ran; load again with their change.
            self.reload()
            return
        if self._before_own_writes(board, writes):
            self._reload_when_saved = True  # on_writes_saved
            return
        refiltered = self.board is not None and self.board.where != board.where
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
            self._restore_position(widgets, focus_deal, focus_index, to_cards=refiltered)
            # Only where nothing has it: the columns were mounted (awaited) and a key
            # pressed meanwhile ('/') may have put the focus in the filter bar.
            if had_focus and self.focused is None and view.display:
                self.set_focus(view)
        view.refresh_active()
        self.loaded = True
        self.refresh_bindings()
        self.call_after_refresh(_freeze_heap)

    def _restore_position(
        self, widgets: list[StageColumn], deal_id: int | None, index: int, *, to_cards: bool
    ) -> None:
        """Keep the cursor on the deal it was on, wherever that deal now is; else in its
        column, unless ``to_cards`` (a new filter) and that column is now empty: then in
        the nearest column with a card (the keys act on a card the filter found)."""
        if deal_id is not None:
            for position, widget in enumerate(widgets):
                found = widget.card_list.index_of(deal_id)
                if found is not None:
                    self.view.activate(position, cursor=found)
                    return
        index = min(index, len(widgets) - 1)
        if to_cards and not widgets[index].card_list.count:
            nearest = sorted(range(len(widgets)), key=lambda i: (abs(i - index), i))
            index = next((i for i in nearest if widgets[i].card_list.count), index)
        self.view.activate(index)

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

    def _before_own_writes(self, board: Board, writes: int | None) -> bool:
        """Whether ``board`` (the one on screen, read again) may have been read before a
        write of the board's own was saved: one was waiting when it was asked for, or one
        has been saved since, or one waits now. Drawn, it would put a card the user moved
        back where it was (forty ``>`` typed fast left a card drawn in Stage 06, stored in
        Stage 29); it is read again once they are saved. ``writes`` -1: not a read."""
        shown = self.board
        if writes == -1 or shown is None:
            return False
        if (shown.pipeline_id, shown.where) != (board.pipeline_id, board.where):
            return False  # another board: nothing of it is on screen to undo
        app = self.crm_app
        return writes is None or writes != app.writes_reported or app.writing

    def on_writes_saved(self, message: WritesSaved) -> None:
        if self._reload_when_saved:
            self._reload_when_saved = False
            self.reload()

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
        title = self.query_one("#board-title", Static)
        name = fit(board.pipeline or "No pipeline", max(PIPELINE_NAME, title.size.width // 3))
        left = Content.styled(f" {name}", "bold")  # the counts after it stay on screen
        if len(board.pipelines) > 1:
            left += Content.styled(" ▾", "$foreground-muted")
        parts = [(f"{count:,} open deal{'' if count == 1 else 's'}", "")]
        ranked = sorted(totals.items(), key=lambda item: (-item[1][0], item[0]))
        if ranked:
            parts.append((" · ".join(fmt.compact(p[0], c) for c, p in ranked), ""))
            weighted_text = " · ".join(fmt.compact(p[1], c) for c, p in ranked)
            parts.append((f"weighted {weighted_text}", "$foreground-muted"))
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
        room = max(1, title.size.width - right.cell_length)
        for text, style in parts:  # whole amounts: '€75…' read as another
            shown = whole_pieces(text, room - left.cell_length - 3)
            if shown:
                left += Content.styled(f"   {shown}", style)
            if shown != text:
                break
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("new_deal", "edit", "lose") and self.query_one(FilterBar).has_focus:
            return False  # typed in the filter (the bindings have priority)
        if action in ("move", "win", "lose", "edit", "reopen"):
            if self.board is None or self.board.deals_total == 0 or self.too_small:
                return False  # nothing to act on yet: keep the bar short
            if self.opening_form:
                return None  # the deal's form is on its way: keys typed on are not these
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
        if action == "filter":  # in the filter bar '/' is typed (the binding has priority)
            return not self.query_one(FilterBar).has_focus
        return True

    def on_card_highlighted(self, message: CardHighlighted) -> None:
        self.refresh_bindings()

    def on_card_chosen(self, message: CardChosen) -> None:
        message.stop()
        self.crm_app.open_record("deal", message.deal_id)

    # ------------------------------------------------------------------ filter, toggles

    def action_filter(self) -> None:
        """Show the filter bar and focus it now: the keys read with '/' ('/won' typed on a
        busy board) go to it. A priority binding runs before the app hands the next key
        to the focused widget, and ``set_focus`` (not ``focus()``, which waits a turn)
        has moved the focus by then; else 'w' went to the cards and won a deal."""
        bar = self.query_one(FilterBar)
        bar.display = True
        self.set_focus(bar)

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
        if flt and self.board is not None and self.board.where == flt:
            # The filter on screen, refused on a refresh: a stage or segment it names was
            # renamed or removed elsewhere. Kept, it froze the board on what it showed.
            said = describe_error(error)
            self.notify(f"Filter cleared: {said} (changed elsewhere)", severity="warning")
            self.action_clear_filter()
            return
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
