"""A form fits the window it opens in: every field can be scrolled to, and the buttons
and the title stay on screen, however long the record's title is."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.widgets import Input

from tests.tui.conftest import settle
from tests.tui.test_escapes import screen_text
from tinycrm.api import Crm
from tinycrm.tui.app import make_app
from tinycrm.tui.screens.forms import FormScreen


def _on_screen(app: Any, selector: str) -> bool:
    widget = app.screen.query_one(selector)
    return app.screen.region.contains_region(widget.region) and widget.region.height > 0


@pytest.mark.parametrize("title", ["Acme renewal", "W" * 300])
async def test_the_deal_forms_fit_an_80x24_terminal(tui_store, title) -> None:
    crm = Crm(tui_store)
    crm.deals.add(title, amount="5")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("n", "e"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, FormScreen)
            assert _on_screen(app, "#form-save") and _on_screen(app, "#form-cancel")
            assert _on_screen(app, "KeyBar")  # the form's keys, on the bottom line
            assert app.screen.query_one(".form-title").region.height <= 3  # two lines and a gap
            await pilot.press(*["tab"] * 8)  # to the last fields: scrolled to, not cut off
            await settle(pilot)
            app.screen.query_one("#field-tags").focus()
            await settle(pilot)
            assert _on_screen(app, "#field-tags"), app.screen.query_one("#field-tags").region
            await pilot.press("escape")
            await settle(pilot)


def _whole(app: Any, widget: Any) -> bool:
    region = widget.region
    return bool(region.height) and app.screen.region.contains_region(region)


@pytest.mark.parametrize("size", [(30, 10), (40, 12), (80, 12)])
async def test_in_a_tiny_window_every_field_is_reached_with_its_label(tui_store, size) -> None:
    """At 30×10 a form left its fields one line: tab showed a field without its label
    ('name or email', which field?), the title's field was hidden under its label as the
    form opened, and 'Cancel' was cut to 'Can'. Now tab brings each field into view with
    its label, and both buttons are whole."""
    crm = Crm(tui_store)
    crm.deals.add("Acme renewal", amount="5")
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in ("n", "e"):
            await pilot.press(key)
            await settle(pilot)
            form = app.screen
            assert isinstance(form, FormScreen)
            assert _whole(app, form.query_one("#form-save"))
            assert _whole(app, form.query_one("#form-cancel"))
            for spec in form.fields:
                field = form.query_one(f"#field-{spec.name}")
                assert app.screen.focused is field, (spec.name, app.screen.focused)
                label = field.parent.query_one(".form-label")
                assert _whole(app, field) and _whole(app, label), (spec.name, field.region)
                await pilot.press("tab")
                await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)


async def test_a_window_too_small_for_a_form_says_so_and_saves_nothing(tui_store) -> None:
    """Where not even one field and its label fit, the form says the window is too small
    and how big to make it, rather than show a form whose fields cannot be seen; ctrl+s
    saves nothing there, and at the size it names every field is reached with its label."""
    crm = Crm(tui_store)
    app = make_app(crm, poll_interval=0)
    async with app.run_test(size=(40, 15)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Acme")
        await pilot.resize_terminal(20, 5)
        await settle(pilot)
        said = " ".join(screen_text(app).split())
        assert "The window is too small for this form." in said, said
        found = re.search(r"Make it at least (\d+)×(\d+)", said)
        assert found, said
        await pilot.press("ctrl+s", "x")  # nothing saved, nothing typed into a hidden field
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert crm.deals.list() == []
        await pilot.resize_terminal(int(found[1]), int(found[2]))
        await settle(pilot)
        form = app.screen
        assert "too small" not in screen_text(app)
        assert form.query_one("#field-title", Input).value == "Acme"
        assert _whole(app, form.query_one("#form-save"))
        assert _whole(app, form.query_one("#form-cancel"))
        for spec in form.fields:
            field = form.query_one(f"#field-{spec.name}")
            assert app.screen.focused is field, (spec.name, app.screen.focused)
            label = field.parent.query_one(".form-label")
            assert _whole(app, field) and _whole(app, label), (spec.name, field.region)
            await pilot.press("tab")
            await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [deal.title for deal in crm.deals.list()] == ["Acme"]


async def test_an_open_choice_list_is_shown_again_when_the_window_grows(tui_store) -> None:
    """A stage list open as the window went too small for the form was, once it grew,
    open and focused but scrolled out of sight (the form showed its first fields): down
    and enter changed the stage unseen. Now the field that has the focus is scrolled to."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        app.screen.query_one("#field-probability").focus()
        await settle(pilot)
        app.screen.query_one("#field-stage").focus()
        await settle(pilot)
        await pilot.press("enter")  # the list of stages opens
        await settle(pilot)
        await pilot.resize_terminal(20, 5)
        await settle(pilot)
        await pilot.resize_terminal(30, 10)
        await settle(pilot)
        stage = app.screen.query_one("#field-stage")
        assert stage in app.focused.ancestors_with_self, app.focused
        assert _whole(app, stage) and "Stage" in screen_text(app), screen_text(app)


async def test_what_was_typed_is_not_selected_after_the_window_grows_back(tui_store) -> None:
    """A field's text typed before the window went too small for the form was, once it
    grew back, all selected (the field took the focus again as though tabbed to): the next
    key typed replaced it ('Acme' then 'x' left 'x'). Now the cursor is where it was."""
    app = make_app(Crm(tui_store), poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Acme", "left")
        await settle(pilot)
        await pilot.resize_terminal(20, 5)
        await settle(pilot)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        title = app.screen.query_one("#field-title", Input)
        assert app.screen.focused is title
        assert title.value == "Acmxe"
