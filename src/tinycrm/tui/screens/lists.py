"""Contacts and companies, with incremental search as you type (after ``/``): names (and emails,
phones, titles, domains, cities) containing the text, and records whose text holds its
words (``text~``, the index of ``tinycrm search``: notes, custom fields, …)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input, Static

from tinycrm.errors import TinyCrmError
from tinycrm.search_text import fold
from tinycrm.tui.base import CrmScreen
from tinycrm.tui.messages import DataChanged, RowChosen
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.rows import Part, Row, RowList
from tinycrm.tui.widgets.text import fit

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


def _cells(*cells: tuple[str | None, int, str]) -> tuple[Part, ...]:
    """Fixed-width columns: (text, width, role)."""
    return tuple((fit(text or "", width).ljust(width) + "  ", role) for text, width, role in cells)


class ListScreen(CrmScreen[None]):
    """A searchable list of records of one kind."""

    kind: ClassVar[str] = ""
    noun: ClassVar[str] = ""
    placeholder: ClassVar[str] = ""

    BINDINGS = [
        Binding("escape", "back", "Back", id="list.back"),
        Binding("slash", "search", "Search", key_display="/", id="list.search"),
        Binding("down", "to_list", "To the list", show=False, id="list.to_list"),
        Binding("n", "new", "New", id="list.new"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="list-screen")
        self.query_text = ""
        self._timer: Timer | None = None

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

    def fetch(self, text: str) -> list[Row]:
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

    def _apply(self, text: str, rows: list[Row]) -> None:
        if text != self.query_text or self not in self.app.screen_stack:
            return
        results = self.query_one(RowList)
        none_yet = not rows and not text
        results.empty = f"No {self.noun} yet  (n adds one)" if none_yet else f"No {self.noun} match"
        results.set_rows(rows)
        results.refresh()
        search = self.query_one("#search", Input)
        if none_yet and search.has_focus:  # nothing to search: n (not the search box) has the keys
            results.focus()
        more = f" (the first {LIMIT:,}; type to narrow)" if len(rows) >= LIMIT else ""
        found = f"{len(rows):,} {self.noun}" if rows else ""
        self.query_one("#list-count", Static).update(f" {found}{more}")

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
        self.query_one("#search").focus()

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

    def fetch(self, text: str) -> list[Row]:
        found = matching(self.crm.contacts.list, text)
        return [
            Row(
                f"contact:{c.id}",
                (
                    _cells(
                        (c.name, 28, "strong"),
                        (c.email, 32, ""),
                        (c.company, 26, "muted"),
                        (c.title, 20, "muted"),
                        (c.lifecycle, 10, "accent"),
                    ),
                ),
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

    def fetch(self, text: str) -> list[Row]:
        found = matching(self.crm.companies.list, text)
        return [
            Row(
                f"company:{c.id}",
                (
                    _cells(
                        (c.name, 30, "strong"),
                        (c.domain, 26, ""),
                        (c.industry, 20, "muted"),
                        (", ".join(p for p in (c.city, c.country) if p), 24, "muted"),
                    ),
                ),
            )
            for c in found
        ]

    def action_new(self) -> None:
        from tinycrm.tui.screens.contact_company_forms import new_company_form

        self.app.push_screen(new_company_form(), self._created)
