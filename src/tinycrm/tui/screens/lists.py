"""Contacts and companies, with incremental search as you type (after ``/``): names (and emails,
phones, titles, domains, cities) containing the text, and records whose text holds its
words (``text~``, the index of ``tinycrm search``: notes, custom fields, …).

The columns fit the window as the command line's tables fit a terminal
(``tinycrm.table_layout``): labels give way, cut between words and never below their
widest first word, then whole columns are left out, the least needed first, and the line
over the list names them; no column is cut at the window's edge (a whole title shown as
"CEO…", an empty one as a lone "…").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static

from tinycrm.errors import TinyCrmError
from tinycrm.search_text import fold
from tinycrm.table_layout import GAP, KEEP, cell_len, first_word, layout
from tinycrm.tui import format as fmt
from tinycrm.tui.base import CrmScreen
from tinycrm.tui.messages import DataChanged, RowChosen
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.rows import Row, RowList
from tinycrm.tui.widgets.text import fit_words

SEARCH_DELAY = 0.12
LIMIT = 1000


def matching(lister: Any, text: str) -> list[Any]:
    """The records ``lister`` (``crm.contacts.list``) gives for ``text`` on a list screen:
    those whose name and such contain it, and those whose text holds its words, by name."""
    if not text:
        return list(lister(limit=LIMIT))
    found = {r.id: r for r in lister(search=text, limit=LIMIT)}
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    try:
        for record in lister(where=f"text~{quoted}", limit=LIMIT):
            found.setdefault(record.id, record)
    except TinyCrmError:
        pass  # no word in it ("***"): what contains it is all there is
    # as the lists order: the name folded (Ångström among the A's), ties by id
    return sorted(found.values(), key=lambda r: (" ".join(fold(r.name).split()), r.id))[:LIMIT]


@dataclass(frozen=True)
class ListColumn:
    """A column of a list: its name (in the note when it is left out), its role (how it
    looks), the most cells it grows to, and how much it is needed (``keep``, as a
    command line table's ``Column.keep``: the lowest is left out first)."""

    header: str
    role: str = ""
    max_width: int = 30
    keep: int = 1
    whole: bool = False
    """A word of a short vocabulary (a lifecycle): left out rather than cut."""
    justify: str = "left"
    least: int | None = None
    """The fewest cells it gives way to (a name: 20); None: its widest first word."""


Entry = tuple[str, tuple[str, ...]]
"""A record on a list: its key (``contact:7``) and its cells' texts, escaped."""


def lay_out(
    columns: tuple[ListColumn, ...], entries: list[Entry], width: int
) -> tuple[list[Row], list[str]]:
    """``entries`` as rows ``width`` cells wide, and the headers of the columns left out."""
    natural = [
        min(column.max_width, max((cell_len(cells[i]) for _, cells in entries), default=0))
        for i, column in enumerate(columns)
    ]
    # a label is cut between words, and not below its widest first word ("Maximiliane…")
    # or its own least: one too narrow for that is left out
    floors = [
        min(n, column.least)
        if column.least is not None
        else min(n, max((first_word(cells[i]) for _, cells in entries), default=0))
        for i, (column, n) in enumerate(zip(columns, natural, strict=True))
    ]
    shown, widths = layout(columns, natural, width, floors)
    rows = []
    for key, cells in entries:
        parts = []
        for n, (position, size) in enumerate(zip(shown, widths, strict=True)):
            text = fit_words(cells[position], size)
            gap = GAP if n < len(shown) - 1 else ""
            parts.append((text + " " * (size - cell_len(text)) + gap, columns[position].role))
        rows.append(Row(key, (tuple(parts),)))
    return rows, [c.header for i, c in enumerate(columns) if i not in shown]


class ListScreen(CrmScreen[None]):
    """A searchable list of records of one kind."""

    kind: ClassVar[str] = ""
    noun: ClassVar[str] = ""
    placeholder: ClassVar[str] = ""
    columns: ClassVar[tuple[ListColumn, ...]] = ()

    BINDINGS = [
        Binding("escape", "back", "Back", id="list.back"),
        Binding(
            "slash",
            "search",
            "Search",
            key_display="/",
            id="list.search",
            priority=True,  # before the keys read with it are handed on: see action_search
        ),
        Binding("down", "to_list", "To the list", show=False, id="list.to_list"),
        # priority: the keys read with 'n' go to the form (see BoardScreen.BINDINGS)
        Binding("n", "new", "New", id="list.new", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__(classes="list-screen")
        self.query_text = ""
        self._timer: Timer | None = None
        self._entries: list[Entry] = []
        self._more = ""

    def compose(self) -> ComposeResult:
        yield Static(f" {self.noun.title()}", id="list-title")
        yield Input(placeholder=self.placeholder, id="search")
        yield Static("", id="list-count")
        yield RowList(id="results", empty=f"No {self.noun} match")
        yield KeyBar()

    def on_mount(self) -> None:
        # The list, not the search box: the screen keys (1 board, 3 companies …) work at
        # once, and / searches, as on the board.
        self.query_one(RowList).focus()
        self.reload()

    def fetch(self, text: str) -> list[Entry]:
        raise NotImplementedError

    def reload(self) -> None:
        self._load(self.query_text)

    @work(thread=True, exclusive=True, group="list-load", exit_on_error=False)
    def _load(self, text: str) -> None:
        try:
            rows = self.fetch(text)
        except TinyCrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._apply, text, rows)

    def _apply(self, text: str, entries: list[Entry]) -> None:
        if text != self.query_text or self not in self.app.screen_stack:
            return
        results = self.query_one(RowList)
        none_yet = not entries and not text
        results.empty = f"No {self.noun} yet  (n adds one)" if none_yet else f"No {self.noun} match"
        self._entries = entries
        self._show_rows()
        search = self.query_one("#search", Input)
        if none_yet and search.has_focus:  # nothing to search: n (not the search box) has the keys
            results.focus()

    def _show_rows(self) -> None:
        """Lay the records out in the list's width (again after a resize) and say how
        many there are and which columns did not fit."""
        results = self.query_one(RowList)
        entries = self._entries
        width = results.size.width
        if len(entries) * results.row_height > results.size.height:
            width -= results.styles.scrollbar_size_vertical
        # a row's line has a cell of padding on the left and keeps one free on the right
        rows, left_out = lay_out(self.columns, entries, max(width - 2, 0))
        results.set_rows(rows)
        results.refresh()
        more = f" (the first {LIMIT:,}; type to narrow)" if len(entries) >= LIMIT else ""
        found = f"{len(entries):,} {self.noun}" if entries else ""
        count = Content(f"{found}{more}")  # after a cell of padding (#list-count)
        if left_out and entries:
            # on a line too short for it, the note without its width ("not shown: email,
            # title"); the line wraps rather than lose the names (at 40 columns it ended
            # at "not shown at 40 columns:", and said none)
            names = ", ".join(left_out)
            note = f"   not shown at {self.size.width} columns: {names}"
            if count.cell_length + cell_len(note) > self.size.width - 1:
                note = f"   not shown: {names}"
            count += Content.styled(note, "dim")
        self.query_one("#list-count", Static).update(count)

    def on_resize(self) -> None:
        if self._entries:
            self.call_after_refresh(self._show_rows)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value.strip()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DELAY, self.reload)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_to_list()

    def on_row_chosen(self, message: RowChosen) -> None:
        message.stop()
        kind, _, value = message.key.partition(":")
        self.crm_app.open_record(kind, int(value))

    def on_data_changed(self, message: DataChanged) -> None:
        self.reload()

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:  # esc in the search box clears it and goes back to the list
            search.value = ""
            self.action_to_list()
            return
        self.app.pop_screen()

    def action_search(self) -> None:
        """Focus the search now (``set_focus``; ``focus()`` waits a turn): the keys read
        with '/' go to it, where 'q' had quit the board and 'n' opened a new form."""
        self.set_focus(self.query_one("#search"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("search", "new"):  # typed in the search box (the bindings have priority)
            return not self.query_one("#search").has_focus
        return True

    def action_to_list(self) -> None:
        self.query_one(RowList).focus()

    def action_new(self) -> None:
        raise NotImplementedError

    def _created(self, record: Any) -> None:
        if record is not None:
            self.notify(f"Added {record.name}")
            self.crm_app.open_record(self.kind, record.id)


class ContactsScreen(ListScreen):
    kind = "contact"
    noun = "contacts"
    placeholder = "Search contacts: name, email, phone, title, notes, fields (MÜLLER finds Müller)"

    columns = (
        ListColumn("name", "strong", 28, keep=KEEP, least=20),
        ListColumn("email", "", 32, least=0),
        ListColumn("company", "muted", 26, keep=3),
        ListColumn("title", "muted", 20),
        ListColumn("lifecycle", "accent", 10, keep=2, whole=True),
    )

    def fetch(self, text: str) -> list[Entry]:
        found = matching(self.crm.contacts.list, text)
        return [
            (
                f"contact:{c.id}",
                tuple(map(fmt.text, (c.name, c.email, c.company, c.title, c.lifecycle))),
            )
            for c in found
        ]

    def action_new(self) -> None:
        from tinycrm.tui.screens.contact_company_forms import new_contact_form

        self.app.push_screen(new_contact_form(), self._created)


class CompaniesScreen(ListScreen):
    kind = "company"
    noun = "companies"
    placeholder = "Search companies: name, domain, city, fields, …"

    columns = (
        ListColumn("name", "strong", 30, keep=KEEP, least=20),
        ListColumn("domain", "", 26),
        ListColumn("industry", "muted", 20),
        ListColumn("location", "muted", 24, keep=2),
    )

    def fetch(self, text: str) -> list[Entry]:
        found = matching(self.crm.companies.list, text)
        return [
            (
                f"company:{c.id}",
                tuple(
                    map(
                        fmt.text,
                        (
                            c.name,
                            c.domain,
                            c.industry,
                            ", ".join(p for p in (c.city, c.country) if p),
                        ),
                    )
                ),
            )
            for c in found
        ]

    def action_new(self) -> None:
        from tinycrm.tui.screens.contact_company_forms import new_company_form

        self.app.push_screen(new_company_form(), self._created)
