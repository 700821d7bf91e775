"""A show view through the pager when it is longer than the terminal, as a list is.

A show view is drawn by several prints (its fields, then the tables under it, each
sized to the terminal): on a terminal with a pager, they are drawn into a stand-in
for the terminal first, then counted, then written to the pager (``tinycrm.cli.pager``)
or, when they fit on the screen, to the terminal itself. To a pipe or a file, or with
no pager, the view is printed as it is drawn.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Any, TextIO

from tinycrm.cli import pager


class _Screen(io.StringIO):
    """What a view prints to the terminal, held: a terminal as far as the view can tell
    (its styles and width are the terminal's)."""

    def __init__(self, terminal: TextIO) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.terminal, "encoding", None) or "utf-8"


def paged_render(render: Callable[[Any], None], row: Any) -> None:
    """``render(row)``: through the pager when what it prints is longer than the screen."""
    terminal = sys.stdout
    if not _may_page(terminal):
        render(row)
        return
    screen = _Screen(terminal)
    pager.allow(False)  # the tables inside the view do not page on their own
    sys.stdout = screen
    try:
        render(row)
    except BaseException:  # what it printed before it stopped is shown, not lost
        terminal.write(screen.getvalue())
        raise
    finally:
        sys.stdout = terminal
        pager.allow(True)
    text = screen.getvalue()
    if pager.wanted(text.count("\n"), terminal):
        with pager.paged(terminal) as out:
            out.write(text)
    else:
        terminal.write(text)


def _may_page(stream: TextIO) -> bool:
    """Paging is allowed, ``stream`` is a terminal and there is a pager to run."""
    return pager.enabled() and pager._isatty(stream) and pager.command() is not None
