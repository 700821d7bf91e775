"""The activity feed beside the board: events newest first, with relative times.

Like ``tail -f``: a feed scrolled to its top follows new events (the newest stays
in view); one scrolled down stays where the user reads and its title says how
many new events are above.
"""

from __future__ import annotations

import re
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from tinycrm.api.models import FeedEntry
from tinycrm.tui import format as fmt
from tinycrm.tui.messages import ActivityOpened, RecordOpened, RowChosen, RowHighlighted
from tinycrm.tui.widgets.rows import Row, RowList

MAX_ENTRIES = 500
RETIME_SECONDS = 20.0
"""How often the screen showing the feed gives it the time again (``retime``)."""

ACTION_ROLES = {
    "won": "success",
    "lost": "error",
    "moved": "accent",
    "deleted": "warning",
    "completed": "success",
    "reopened": "accent",
}

_ACTIVITY_ID = re.compile(r"^(task|call|email|meeting|note|activity) #\d+ ")
"""``task #5 `` at the start of an event's summary about an activity: the feed names it by
its subject, as the board does everywhere (its id is shown nowhere)."""


def entry_text(entry: FeedEntry) -> str:
    """An entry's summary under its action: "moved deal X: A → B" under "moved" is "deal X:
    A → B"; an activity's without its id ("updated task #5 Send the contract: due" is
    "task Send the contract: due", "deleted call #3 with Ada: …" is "call with Ada: …")."""
    summary = entry.summary
    if summary.startswith(entry.action + " "):
        summary = summary[len(entry.action) + 1 :]
    if entry.entity == "activity":
        summary = _ACTIVITY_ID.sub(r"\1 ", summary)
    return summary


def _two_lines(text: str, width: int) -> tuple[str, str]:
    """``text`` wrapped at word boundaries into at most two lines of ``width`` cells."""
    if cell_len(text) <= width:
        return text, ""
    cut = text.rfind(" ", 0, width + 1)
    if cut <= 0:
        cut = width
    return text[:cut], text[cut:].strip()


def summary_lines(text: str, width: int) -> tuple[str, str]:
    """``text`` on two lines of ``width`` cells; a second line too long ends with ``…`` at a
    word, or on most of one: never on a stub of a word (``with Acme…``, not ``Acme G…``)."""
    first, rest = _two_lines(text, width)
    if cell_len(rest) <= width or width < 2:
        return first, rest
    shown = set_cell_size(rest, width - 1)
    if rest[len(shown)] != " ":  # the cut falls inside a word
        start = shown.rfind(" ") + 1
        end = rest.find(" ", start)
        word = rest[start:] if end < 0 else rest[start:end]
        fragment = shown[start:]
        if start > 0 and (cell_len(fragment) < 3 or 2 * len(fragment) < len(word)):
            shown = shown[:start]
    return first, shown.rstrip() + "…"


def actor_shown(actor: str, room: int) -> str:
    """Who did it, in ``room`` cells: the name whole, else its first part (``desiree`` of
    ``desiree.longname-smith``, ``ann`` of ``ann@example.com``), else nothing: what
    happened and to which record matter more than a name cut to a stub."""
    local = actor.split("@", 1)[0]
    first = re.split(r"[\s._-]+", local.strip(), maxsplit=1)[0]
    return next((form for form in (actor, local, first) if form and cell_len(form) <= room), "")


class FeedPanel(Vertical):
    """Shows feed entries; choosing one posts ``RecordOpened`` for the record it is about.

    The screen gives it the entries and the time they are told against (``show``), and
    the time again now and then (``retime``): the panel itself asks nobody. ``v`` on an
    entry about an activity (logged, a task added or done) posts ``ActivityOpened``: the
    feed shows its subject, the view opened shows its text."""

    BINDINGS = [Binding("v", "read", "Read", id="feed.read")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[FeedEntry] = []
        self.now: datetime | None = None
        self.unseen = 0
        """New events above the part of a scrolled-down feed the user looks at."""
        self._title = "Activity"

    def compose(self) -> ComposeResult:
        yield Static("Activity", classes="panel-title")
        yield RowList(row_height=3, empty="No activity yet", id="feed-list")

    def on_mount(self) -> None:
        self.watch(self.query_one(RowList), "scroll_y", self._scrolled, init=False)

    def _scrolled(self, scroll_y: float) -> None:
        if scroll_y <= 0 and self.unseen:
            self.unseen = 0
            self._show_title()

    def _show_title(self) -> None:
        title = "Activity"
        if self.unseen:
            title += f"  ·  {self.unseen:,} new ↑"
        if title != self._title:  # one line, always: no layout of the screen for it
            self._title = title
            self.query_one(".panel-title", Static).update(title, layout=False)

    @property
    def newest_id(self) -> int | None:
        return self.entries[0].id if self.entries else None

    def show(self, entries: list[FeedEntry], now: datetime, *, prepend: bool = False) -> None:
        """Show ``entries`` (newest first); ``prepend`` adds them above what is shown."""
        rows = self.query_one(RowList)
        at_top = rows.scroll_offset.y <= 0
        follow: str | None = None
        if prepend:
            seen = {e.id for e in self.entries}
            new = [e for e in entries if e.id not in seen]
            entries = new + self.entries
            if at_top or not self.entries:
                follow = str(entries[0].id) if entries and rows.cursor == 0 else None
            else:
                self.unseen += len(new)
        self.entries = entries[:MAX_ENTRIES]
        self.now = now
        self._render_rows(keep=follow)
        if at_top:
            rows.scroll_to(y=0, animate=False, immediate=True)
        self._show_title()

    def retime(self, now: datetime) -> None:
        """Say again how long ago each entry was, as of ``now``."""
        if self.entries:
            self.now = now
            self._render_rows()

    def on_resize(self) -> None:
        if self.entries and self.now is not None:
            self._render_rows()

    def _render_rows(self, keep: str | None = None) -> None:
        now = self.now
        assert now is not None
        width = max(10, self.size.width - 3)  # the list's room: less its scrollbar and padding
        rows = []
        for entry in self.entries:
            summary = entry_text(entry)
            first, second = summary_lines(summary, width)
            when = fmt.relative(entry.at, now)
            room = width - 2 - cell_len(when) - cell_len(entry.action) - 2  # as rows.line cuts
            actor = actor_shown(entry.actor, room)
            rows.append(
                Row(
                    str(entry.id),
                    (
                        (
                            (entry.action, ACTION_ROLES.get(entry.action, "strong")),
                            ("  " + actor if actor else "", "muted"),
                        ),
                        ((first, ""),),
                        ((second, ""),),
                    ),
                    right=((when, "muted"),),
                )
            )
        self.query_one(RowList).set_rows(rows, keep=keep)

    @property
    def current(self) -> FeedEntry | None:
        """The entry under the cursor."""
        key = self.query_one(RowList).current_key
        return next((e for e in self.entries if str(e.id) == key), None) if key else None

    def on_row_highlighted(self, message: RowHighlighted) -> None:
        self.screen.refresh_bindings()

    def _readable(self) -> int | None:
        """The activity the entry under the cursor is about, unless the entry is its
        deletion (there is nothing left to read)."""
        entry = self.current
        if entry is None or entry.entity != "activity" or entry.action == "deleted":
            return None
        return entry.entity_id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "read":
            return self._readable() is not None
        return True

    def action_read(self) -> None:
        if (activity_id := self._readable()) is not None:
            self.post_message(ActivityOpened(activity_id))

    def on_row_chosen(self, message: RowChosen) -> None:
        message.stop()
        entry = next((e for e in self.entries if str(e.id) == message.key), None)
        if entry is None:
            return
        if entry.record_kind and entry.record_id is not None:
            self.post_message(RecordOpened(entry.record_kind, entry.record_id))
        else:
            self.notify("This entry has no record to open.", severity="information")
