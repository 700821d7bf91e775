"""Running the board in the user's terminal, and saying on exit what was not saved.

Nothing here imports Textual at module level: the board's first load starts
first (``Preload``), while Textual is imported and starts.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from tinycrm.store.board_writes import bound_lock_waits
from tinycrm.store.engine import Store

if TYPE_CHECKING:
    from tinycrm.tui.writer import Write

EXIT_INTERRUPTED = 130


def run(store: Store, *, keymap: Mapping[str, str] | None = None) -> int:
    """Run the board over ``store`` until the user quits; return the exit code.

    Changes the user chose to discard when quitting (a second ``q`` while they
    waited for a lock) are named on stderr. An interrupt (SIGINT) cancels what
    was still waiting and says exactly that: a change either was saved before the
    interrupt or is named as not saved, never both.
    """
    from tinycrm.tui.preload import Preload

    bound_lock_waits(store)  # before the first connection of the preload
    preload = Preload.start(store)  # loads while Textual is imported and starts
    from tinycrm.tui.app import make_app

    app = make_app(store, preload=preload, keymap=keymap)
    try:
        app.run()
    except KeyboardInterrupt:
        lost = app.discard_pending()
        _say("interrupted; " + (_not_saved(lost) if lost else "every change was saved"))
        return EXIT_INTERRUPTED
    if app.discarded:
        _say(_not_saved(app.discarded) + " (discarded when quitting)")
    return app.return_code or 0


def _not_saved(writes: list[Write]) -> str:
    return "not saved: " + "; ".join(write.label for write in writes)


def _say(message: str) -> None:
    # Labels hold stored titles: control characters are shown escaped, never sent raw.
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in message)
    sys.stderr.write(shown + "\n")
    sys.stderr.flush()
