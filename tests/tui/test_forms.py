"""The edit forms over a record whose stored text holds control characters (written by an
older version, an import or another program): the field shows them escaped and says so;
the other fields save; the stored text is kept unless the user changes that field, and a
changed value must lose them. On SQLite and PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import text
from textual.widgets import Input

from tests.hostile import raw_controls
from tests.tui.conftest import SIZE, open_form, open_screen, seed, settle
from tests.tui.test_escapes import screen_text
from tinycrm.api import Crm
from tinycrm.store.deals import get_deal
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.forms import FormScreen
from tinycrm.tui.screens.lists import ContactsScreen

STORED = "Acme\x1b[31m renewal\u202e"
SHOWN = "Acme\\x1b[31m renewal\\u202e"


def _store_title(store: Any, deal_id: int, title: str) -> None:
    with store.engine.begin() as conn:  # as an older version wrote it: no validation
        conn.execute(text("UPDATE deal SET title = :t WHERE id = :i"), {"t": title, "i": deal_id})


async def _open_edit_form(app: Any, pilot: Any) -> FormScreen:
    form = await open_form(pilot, "e")
    return form


async def test_a_stored_title_with_controls_is_shown_escaped_and_other_fields_save(
    store: Any,
) -> None:
    ids = seed(store)
    _store_title(store, ids["renewal"], STORED)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_edit_form(app, pilot)
        assert form.raw("title") == SHOWN
        note = str(form.query_one("#note-title").render())
        assert form.query_one("#note-title").display
        assert "control characters" in note and "kept" in note
        assert not raw_controls(screen_text(app))
        form.query_one("#field-amount").value = "19000"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form, str(form.query_one("#error-title").render())
    deal = get_deal(store, ids["renewal"])
    assert deal.amount == Decimal("19000")
    assert deal.title == STORED  # not dropped: the user did not change it


async def test_a_changed_title_must_lose_its_controls(store: Any) -> None:
    ids = seed(store)
    _store_title(store, ids["renewal"], STORED)
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_edit_form(app, pilot)
        title = form.query_one("#field-title")
        title.value = SHOWN.replace("renewal", "renewal 2027")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#error-title").render())
        assert "control characters are not allowed" in error and "position 5" in error
        assert get_deal(store, ids["renewal"]).title == STORED
        title.value = "Acme renewal 2027"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    assert get_deal(store, ids["renewal"]).title == "Acme renewal 2027"


def test_every_forms_labels_leave_a_space_before_their_field() -> None:
    """A label (with its required mark) as wide as the label column ran into its field:
    'Why was it lost? *price, timing…'."""
    from tinycrm.tui.screens.activity_forms import log_form, task_form
    from tinycrm.tui.screens.contact_company_forms import new_company_form, new_contact_form
    from tinycrm.tui.screens.deal_forms import lost_form, new_deal_form
    from tinycrm.tui.screens.forms import LABEL_WIDTH

    forms = [
        new_deal_form(pipeline_id=None, stages=[("Lead-in", 1)], stage_id=None),
        lost_form(1, "Acme"),
        new_contact_form(),
        new_company_form(),
        log_form("deal", 1, "Acme"),
        task_form(None, None, ""),
    ]
    too_wide = [
        f"{form.form_title}: {spec.label}"
        for form in forms
        for spec in form.fields
        if len(spec.label + (" *" if spec.required else "")) >= LABEL_WIDTH
    ]
    assert not too_wide


def _two_saves_at_once(store: Any, form: Any, first: dict, second: dict) -> dict[str, Any]:
    """Two people's edit forms of one record, opened on the same values (``form``, made
    once), saved at the same moment, each through a store of its own inside the board's
    write transaction: what each save returned, or raised."""
    import threading
    import time

    from tinycrm.store.engine import open_store

    first_saved, second_started = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def save(name: str, values: dict[str, Any]) -> None:
        other = open_store(store.url, user=name)
        crm = Crm(other)
        try:
            if name == "second":
                first_saved.wait(10)
                second_started.set()
            with crm.board.write(opened=None):  # as the app's writer runs it
                saved = form.save(crm, values)
                if name == "first":
                    first_saved.set()
                    second_started.wait(10)
                    time.sleep(0.5)
            outcome[name] = saved
        except Exception as exc:  # the outcome is what the test reads
            outcome[name] = exc
        finally:
            other.close()

    threads = [
        threading.Thread(target=save, args=("first", first)),
        threading.Thread(target=save, args=("second", second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcome


def test_two_edit_forms_saved_at_once_do_not_both_overwrite(store: Any) -> None:
    """Two people's edit forms of one deal, opened on the same amount, saved at the same
    moment: the second is refused as changed elsewhere (on PostgreSQL both read the old
    amount, and the second overwrote the first unseen)."""
    from tinycrm.errors import Conflict
    from tinycrm.tui.screens.deal_forms import edit_deal_form

    ids = seed(store)
    deal = Crm(store).deals.get(ids["renewal"])
    values = {
        "title": deal.title, "contact": deal.contact, "company": deal.company,
        "currency": deal.currency, "close": deal.close_date,
        "probability": None, "owner": deal.owner, "tags": list(deal.tags),
    }  # fmt: skip
    form = edit_deal_form(deal)  # both opened on €18,500
    outcome = _two_saves_at_once(
        store, form, {**values, "amount": "19000"}, {**values, "amount": "21000"}
    )
    assert outcome["first"].amount == Decimal("19000")
    assert isinstance(outcome["second"], Conflict), outcome
    assert get_deal(store, ids["renewal"]).amount == Decimal("19000")


def test_two_contact_or_company_forms_saved_at_once_do_not_both_overwrite(store: Any) -> None:
    """The same for a contact's and a company's edit forms: on PostgreSQL both saves read
    the old title (city) and the second overwrote the first unseen; the forms now read the
    record locked in the write, so the second is refused as changed elsewhere."""
    from tinycrm.errors import Conflict
    from tinycrm.tui.screens.contact_company_forms import edit_company_form, edit_contact_form

    seed(store)
    crm = Crm(store)
    contact = crm.contacts.get("jm@acme.de")
    shown = {
        "name": contact.name, "email": contact.email, "phone": contact.phone,
        "role": contact.role, "company": contact.company, "lifecycle": contact.lifecycle,
        "owner": contact.owner, "tags": list(contact.tags),
    }  # fmt: skip
    outcome = _two_saves_at_once(
        store, edit_contact_form(contact), {**shown, "title": "CTO"}, {**shown, "title": "CFO"}
    )
    assert outcome["first"].title == "CTO"
    assert isinstance(outcome["second"], Conflict), outcome
    assert crm.contacts.get("jm@acme.de").title == "CTO"

    company = crm.companies.get("acme.de")
    shown = {
        "name": company.name, "domain": company.domain, "industry": company.industry,
        "size": company.size, "phone": company.phone, "country": company.country,
        "owner": company.owner, "tags": list(company.tags),
    }  # fmt: skip
    outcome = _two_saves_at_once(
        store, edit_company_form(company), {**shown, "city": "Hamburg"}, {**shown, "city": "Köln"}
    )
    assert outcome["first"].city == "Hamburg"
    assert isinstance(outcome["second"], Conflict), outcome
    assert crm.companies.get("acme.de").city == "Hamburg"


async def test_a_stored_choice_the_form_does_not_offer_is_kept(store: Any) -> None:
    """A contact's role or lifecycle stored as something the form's list does not hold (an
    older version, an import, another program) showed blank, and saving any other field
    blanked it: the list offers it as it is stored, and it is kept unless changed."""
    from tinycrm.store.contacts import get_contact

    seed(store)
    contact = Crm(store).contacts.get("jm@acme.de")
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE contact SET role = :r, lifecycle = :l WHERE id = :i"),
            {"r": "sponsor\x1b[31m", "l": "partner", "i": contact.id},
        )
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "e", record=("contact", contact.id))
        assert form.raw("role") == "sponsor\x1b[31m" and form.raw("lifecycle") == "partner"
        assert not raw_controls(screen_text(app))
        form.query_one("#field-phone").value = "+49 30 1234567"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form, str(form.query_one("#form-error").render())
    stored = get_contact(store, contact.id)
    assert (stored.phone, stored.role, stored.lifecycle) == (
        "+49 30 1234567",
        "sponsor\x1b[31m",
        "partner",
    )


async def _type_then_tab(pilot: Any, form: FormScreen, name: str, typed: str) -> None:
    """Focus field ``name``, empty it (ctrl+u), type ``typed`` key by key, wait for its
    completion, press tab."""
    field = form.query_one(f"#field-{name}", Input)
    field.focus()
    await pilot.press("end", "ctrl+u", *typed)
    await settle(pilot)
    await pilot.press("tab")
    await settle(pilot)


async def test_tab_accepts_the_shown_completion_and_moves_on(tui_store: Any) -> None:
    seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "n")
        form.query_one("#field-title", Input).value = "Globex rollout"
        await _type_then_tab(pilot, form, "contact", "Ada")
        assert form.raw("contact") == "Ada Lovelace"  # the greyed completion, taken
        assert app.focused is form.query_one("#field-company")  # and on to the next field
        await _type_then_tab(pilot, form, "company", "acm")
        assert form.raw("company") == "Acme GmbH"
        assert app.focused is form.query_one("#field-amount")
        await _type_then_tab(pilot, form, "amount", "100")  # no completion: kept as typed
        assert form.raw("amount") == "100"
        assert app.focused is form.query_one("#field-currency")
        await _type_then_tab(pilot, form, "contact", "Zed")  # nobody matches: kept, moves on
        assert form.raw("contact") == "Zed"
        assert app.focused is form.query_one("#field-company")


async def test_tab_accepts_the_company_completion_in_the_contact_form(tui_store: Any) -> None:
    seed(tui_store)
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot, "2", ContactsScreen)
        form = await open_form(pilot, "n")
        await _type_then_tab(pilot, form, "company", "Acm")
        assert form.raw("company") == "Acme GmbH"
        assert app.focused is form.query_one("#field-lifecycle")


async def test_a_name_completes_from_its_folded_form_and_tab_takes_the_real_name(
    tui_store: Any,
) -> None:
    from tinycrm.store.companies import add_company
    from tinycrm.store.contacts import add_contact

    seed(tui_store)
    add_company(tui_store, name="Ångström Labs")
    add_contact(tui_store, name="Søren Kierkegaard", email="soren@example.dk")
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "n")
        field = form.query_one("#field-contact", Input)
        field.focus()
        await pilot.press(*"sor")
        await settle(pilot)
        shown = "".join(segment.text for segment in field.render_line(0))
        assert shown.startswith("sor → Søren Kierkegaard")  # the name as it is spelt
        await pilot.press("tab")
        await settle(pilot)
        assert form.raw("contact") == "Søren Kierkegaard"  # the real name, taken
        await _type_then_tab(pilot, form, "company", "ang")
        assert form.raw("company") == "Ångström Labs"
        await _type_then_tab(pilot, form, "contact", "søren kierkegaard")  # all, misspelt
        assert form.raw("contact") == "Søren Kierkegaard"


LONG = "Isarpunkt " * 50


async def test_a_stored_name_with_spaces_around_it_is_kept_when_untouched(store: Any) -> None:
    """A deal whose company was stored as 'Isarpunkt Isarpunkt … ' (500 characters and a
    space, from an older import or another program) could not be edited: the form trimmed
    the untouched company field, took that for a change and looked the trimmed name up
    ('no company matches'), the new amount not saved; a title stored 'Acme support ' was
    saved trimmed, a change nobody made. Now a field the user did not change keeps its
    value as stored."""
    ids = seed(store)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE company SET name = :n WHERE name = 'Acme GmbH'"), {"n": LONG})
        conn.execute(text("UPDATE deal SET title = 'Acme support ' WHERE id = :i"),
                     {"i": ids["support"]})  # fmt: skip
    app = make_app(Crm(store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "e", record=("deal", ids["support"]))
        form.query_one("#field-amount", Input).value = "19000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form, str(form.query_one("#error-company").render())
    deal = get_deal(store, ids["support"])
    assert (deal.amount, deal.company, deal.title) == (
        Decimal("19000"), LONG, "Acme support "
    )  # fmt: skip


def test_the_note_under_a_field_names_what_it_shows_escaped() -> None:
    """A field holding text hidden in tag characters or a zero-width space (shown escaped,
    taken on input) said 'Holds control characters, shown as \\x1b: … a changed value must
    lose them': neither the character it showed nor true. It now names the first one
    shown and says it is kept; a control character keeps its note."""
    from tinycrm.tui.screens.forms import escaped_note

    hidden = "Ada" + chr(0xE0072) + chr(0xE006D)
    note = escaped_note(hidden)
    assert "\\U000e0072" in note and "\\x1b" not in note and "must lose" not in note
    assert "\\u200b" in escaped_note("Ac\u200bme")
    assert escaped_note("Ada\x1b[2J") == (
        "Holds control characters, shown as \\x1b: kept unless you change this field; a"
        " changed value must lose them."
    )


async def test_a_first_key_typed_in_a_field_adds_to_its_value(tui_store: Any, seeded) -> None:
    """A field's text was all selected as the form opened (and as tab reached it): the
    first key typed replaced the deal's title. Now the cursor is at the end of the text."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "e")
        await pilot.press("space", "X")
        await settle(pilot)
        assert form.raw("title") == "Acme renewal X"
        await pilot.press("tab", "shift+tab", "Y")
        await settle(pilot)
        assert form.raw("title") == "Acme renewal XY"


async def test_esc_while_a_save_waits_on_a_lock_says_the_form_closes_once_saved(
    tui_store, seeded, db_path
) -> None:
    """Another program held the database's write lock; a new deal's form was saved and
    waited, and esc did nothing and said nothing. Now it says why the form stays, and the
    form closes once the deal is saved."""
    import sqlite3

    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lock = sqlite3.connect(db_path, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        try:
            form = await open_form(pilot, "n")
            await pilot.press(*"Locked deal", "ctrl+s")
            await pilot.pause(0.2)
            await pilot.press("escape")
            await pilot.pause(0.2)
            assert app.screen is form
            assert "Still saving" in screen_text(app)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        await settle(pilot)
        assert app.screen is not form
    assert "Locked deal" in [d.title for d in Crm(tui_store).deals.list()]
