"""The user's own keys for the board: the config file's ``[keys]`` table.

Every binding of the board has an id (``board.won``, ``app.quit``, ``rows.down`` …);
``[keys]`` maps ids to keys and Textual's keymap applies them::

    [keys]
    "board.won" = "W"            # shift+w marks a deal won, w no longer does
    "app.quit" = "ctrl+q"
    "rows.down" = "j,down"       # several keys: comma-separated

``binding_ids`` lists every id there is (the README's table is checked against it),
so a typo in the file is reported instead of silently doing nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from types import ModuleType

from textual.binding import Binding

_PACKAGES = ("tinycrm.tui.screens", "tinycrm.tui.widgets")


def _modules() -> Iterator[ModuleType]:
    yield importlib.import_module("tinycrm.tui.app")
    for name in _PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.iter_modules(package.__path__):
            yield importlib.import_module(f"{name}.{info.name}")


def binding_ids() -> dict[str, str]:
    """Every binding id of the board, with what the binding does (its description)."""
    found: dict[str, str] = {}
    for module in _modules():
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue  # a class imported from elsewhere is read where it is defined
            for binding in getattr(value, "BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    found.setdefault(binding.id, binding.description or binding.action)
    return dict(sorted(found.items()))


def unknown_ids(keymap: Mapping[str, str]) -> list[str]:
    """The ids in ``keymap`` that name no binding of the board."""
    known = binding_ids()
    return [binding_id for binding_id in keymap if binding_id not in known]
