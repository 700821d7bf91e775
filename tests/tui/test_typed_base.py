"""Screens reach the app through a typed base (``tinycrm.tui.base``), and the app is what
they take it for."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.screen import Screen

import tinycrm.tui.screens
from tinycrm.api import Crm
from tinycrm.store.engine import Store
from tinycrm.tui.app import make_app
from tinycrm.tui.base import CrmApp, CrmScreen

NEEDS_NOTHING_OF_THE_APP = {"HelpScreen", "PickScreen"}
"""Screens that only show what they are given (keys, choices): plain Textual screens."""


def test_the_app_is_everything_its_screens_take_it_for(tui_store: Store) -> None:
    app = make_app(Crm(tui_store), poll_interval=0)
    assert isinstance(app, CrmApp)
    assert app.crm.board.change_marker().last_event_id >= 0


def test_every_screen_that_uses_the_app_has_the_typed_base() -> None:
    screens = []
    for info in pkgutil.iter_modules(tinycrm.tui.screens.__path__):
        module = importlib.import_module(f"tinycrm.tui.screens.{info.name}")
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Screen) and value.__module__ == module.__name__:
                screens.append(value)
    assert len(screens) >= 8
    for screen in screens:
        if screen.__name__ in NEEDS_NOTHING_OF_THE_APP:
            continue
        assert issubclass(screen, CrmScreen), screen
