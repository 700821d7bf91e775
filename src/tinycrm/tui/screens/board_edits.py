"""What the board's keys change, shown at once and written by the app's writer.

A move, a win, a loss or a reopen changes the columns on screen first (the card changes
column and the headers their sums), then the write runs on the app's one writer thread;
if it is refused, the board says why and reloads what is true. New and edited deals
open their forms (``screens.deal_forms``). :class:`BoardEdits` is the board screen's
base: it holds these edits and where the cursor is; the screen (``screens.board``) owns
the layout, loading, the filter and the toggles.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from textual import work

from tinycrm.api.models import BoardCard, DealRead
from tinycrm.errors import NotFound, TinyCrmError
from tinycrm.tui.moves import move_from, on_deal
from tinycrm.tui.screens.board_pages import PagedColumns
from tinycrm.tui.widgets.cards import ColumnState, StageColumn
from tinycrm.tui.writer import WriteCancelled, refusal

if TYPE_CHECKING:
    from tinycrm.tui.screens.forms import FormScreen


def _open_key(card: BoardCard) -> tuple[int, date, int]:
    """Open cards sort by expected close date, undated last (as the store orders them)."""
    return (card.close_date is None, card.close_date or date.min, card.id)


def _closed_key(card: BoardCard) -> tuple[float, int]:
    return (-(card.closed_at.timestamp() if card.closed_at else 0.0), -card.id)


class BoardEdits(PagedColumns):
    """A board of stage columns whose keys move, close, reopen, add and edit deals."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.columns_data: list[ColumnState] = []
        self.pipeline_id: int | None = None
        self._focus_deal: int | None = None
        """The deal the cursor goes to when the board is next loaded."""
        self.too_small = False
        """No card fits on screen: keys that act on a card do nothing, the board says why."""
        self.opening_form = False
        """``e`` is reading the deal for its form: the card keys do nothing until it opens
        (a title typed on after ``e``, 'web…', marked the deal won)."""

    def reload_feed(self) -> None:
        """Load the activity feed's newest entries (the screen's own)."""
        raise NotImplementedError

    def _update_title(self) -> None:
        """Show the board's counts and sums in its title (the screen's own)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ where the cursor is

    def current_column(self) -> StageColumn | None:
        """The active column, when the cards have the focus and show (keys act on them only
        then)."""
        view = self.view
        return view.active_column if self.focused is view and not self.too_small else None

    def current_card(self) -> BoardCard | None:
        column = self.current_column()
        return column.card_list.current if column else None

    def _show_card(self, column: StageColumn, index: int) -> None:
        """Put the board's cursor on card ``index`` of ``column`` (and the focus on the board)."""
        self.view.activate(self.column_widgets().index(column), cursor=index)
        if self.focused is not self.view:
            self.set_focus(self.view)

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

    def _refused(self, label: str, error: TinyCrmError) -> None:
        """A write (``label``) failed, or was cancelled behind one that did: show what is
        stored."""
        if not isinstance(error, WriteCancelled):
            self.notify(refusal(label, error), title="Not saved", severity="error")
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
        label = f"move {card.title} to {target.state.name}"
        self.crm_app.run_write(
            partial(
                move_from,
                self.crm,
                card.id,
                card.stage_id,
                moved.stage_id,
                target.state.name,
                card.title,
            ),
            done=lambda _deal: self.reload_feed(),
            failed=partial(self._refused, label),
            shown=True,
            label=label,
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
        label = f"mark {card.title} won"
        self.crm_app.run_write(
            partial(on_deal, self.crm, card.id, card.title, partial(self.crm.deals.win, card.id)),
            done=self._won,
            failed=partial(self._refused, label),
            shown=True,
            label=label,
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
        label = f"reopen {card.title}"
        self.crm_app.run_write(
            partial(
                on_deal, self.crm, card.id, card.title, partial(self.crm.deals.reopen, card.id)
            ),
            done=self._reopened,
            failed=partial(self._refused, label),
            label=label,
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
        if card is not None and not self.opening_form:
            self._opening(True)
            self.crm_app.hold_keys()  # typed on while the deal is read: the form's
            self._edit(card.id, card.title)

    def _opening(self, opening: bool) -> None:
        self.opening_form = opening
        self.refresh_bindings()

    @work(thread=True, group="board-edit", exit_on_error=False)
    def _edit(self, deal_id: int, title: str) -> None:
        from tinycrm.tui.screens.deal_forms import edit_deal_form

        def edited(result: DealRead | None) -> None:
            if result is not None:
                self.notify(f"Saved {result.title}")
                self.reload()

        form = None
        try:
            form = edit_deal_form(self.crm.deals.get(deal_id))
        except NotFound:  # not by its id ("no deal matches '1'"): as the card shows it
            message = f"{title} was deleted elsewhere"
            self.app.call_from_thread(self.notify, message, severity="error")
        except TinyCrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
        finally:  # whatever happened, the card keys work again once the form is up or not
            self.app.call_from_thread(self._open_form, form, edited)

    def _open_form(
        self, form: FormScreen | None, edited: Callable[[DealRead | None], None]
    ) -> None:
        self._opening(False)  # the form's keys are the form's from here
        typed = self.crm_app.held_keys()  # dropped when the form failed to load
        if form is not None:
            form.type_ahead(typed)
            self.app.push_screen(form, edited)
