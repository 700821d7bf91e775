"""The board reads a contact and a company whose times other SQL stored as text
(``UPDATE contact SET created_at = 'not a date'``): their lists and record views open;
they ended in a traceback (``ValidationError``, ``ValueError``)."""

from __future__ import annotations

import sqlite3

from tests.tui.conftest import SIZE, open_screen, settle
from tinycrm.api import Crm
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.contact_company_records import CompanyScreen, ContactScreen
from tinycrm.tui.screens.lists import CompaniesScreen, ContactsScreen
from tinycrm.tui.widgets.rows import RowList


def _rows(screen, list_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    rows = screen.query_one(f"#{list_id}", RowList).rows
    return ["".join(text for text, _ in row.lines[0]).strip() for row in rows]


async def test_the_board_reads_a_contact_and_a_company_with_no_time(tui_store, db_path) -> None:
    crm = Crm(tui_store)
    crm.companies.add("Acme")
    ada = crm.contacts.add("Ada", company="Acme")
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE contact SET created_at = 'not a date', updated_at = 'x'")
        db.execute("UPDATE company SET created_at = 'bad'")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        contacts = await open_screen(pilot, "2", ContactsScreen)
        assert any("Ada" in row for row in _rows(contacts, "results"))
        companies = await open_screen(pilot, "3", CompaniesScreen)
        assert any("Acme" in row for row in _rows(companies, "results"))
        app.open_record("contact", ada.id)
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        app.open_record("company", ada.company_id)
        await settle(pilot)
        assert isinstance(app.screen, CompanyScreen)
