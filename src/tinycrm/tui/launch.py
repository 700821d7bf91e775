"""Running the board in the user's terminal, and saying on exit what was not saved.

Nothing here imports Textual at module level: the board's first load starts
first (``Preload``), while Textual is imported and starts.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinycrm.api import Crm
    from tinycrm.tui.writer import Write

EXIT_INTERRUPTED = 130


def run(crm: Crm, *, keymap: Mapping[str, str] | None = None) -> int:
    """Run the board over ``crm`` until the user quits; return the exit code.

    Changes the user chose to discard when quitting (a second ``q`` while they
    waited for a lock) are named on stderr. An interrupt (SIGINT: exit 130)
    closes the board and cancels what was still waiting, and says exactly that: a
    change either was saved or is named as not saved, never both.
    """
    from tinycrm.tui import paste
    from tinycrm.tui.preload import Preload

    crm.board.bound_lock_waits()  # before the first connection of the preload
    preload = Preload.start(crm)  # loads while Textual is imported and starts
    from tinycrm.tui.app import make_app

    paste.install()  # a pasted text arrives whole, escape codes and all

    app = make_app(crm, preload=preload, keymap=keymap)
    interrupted = False

    def on_interrupt(_signum: int, _frame: Any) -> None:
        nonlocal interrupted
        interrupted = True
        loop = app._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(app.exit, None, EXIT_INTERRUPTED)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        app.run()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        signal.signal(signal.SIGINT, previous)
    chosen = list(app.discarded)  # the user's second q
    lost = [w for w in app.discard_pending() if w not in chosen]
    if interrupted:
        _say(
            "interrupted; "
            + (_not_saved(chosen + lost) if chosen + lost else "every change was saved")
        )
        return EXIT_INTERRUPTED
    if chosen:
        _say(_not_saved(chosen) + " (discarded when quitting)")
    if lost:  # the board closed some other way while they waited
        _say(_not_saved(lost) + " (the board closed while it waited)")
        return 1
    return app.return_code or 0


def _not_saved(writes: list[Write]) -> str:
    return "not saved: " + "; ".join(write.label for write in writes)


def _say(message: str) -> None:
    # Labels hold stored titles: control characters are shown escaped, never sent raw.
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in message)
    with suppress(OSError, ValueError):  # a terminal that hung up: nowhere to say it
        sys.stderr.write(shown + "\n")
        sys.stderr.flush()
