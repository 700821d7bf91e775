"""The console script's first step, before the command line has loaded.

Importing the command line takes a moment (Typer, Rich); a Ctrl-C or TERM in it would
otherwise be Python's own ``KeyboardInterrupt`` traceback, or a silent death. Nothing has
been read or written yet, so this says so in one line and leaves with 130; then
``tinycrm.cli.main`` installs the handler that watches commits (``tinycrm.interrupts``).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from types import FrameType


def interrupt_signals() -> list[signal.Signals]:
    """SIGINT, SIGTERM and, where there is one, SIGHUP (the terminal closed); kept here,
    not imported from ``tinycrm.interrupts``, so that nothing loads before they are set."""
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    return [getattr(signal, name) for name in names if hasattr(signal, name)]


def _too_early(signum: int, _frame: FrameType | None) -> None:
    sys.stderr.write("Error: interrupted; nothing was saved by the unfinished command\n")
    sys.stderr.flush()
    os._exit(130)


def main() -> None:
    """Console-script entry point (``tinycrm``)."""
    # Start-up builds hundreds of thousands of objects that live until the exit (modules,
    # classes, the tables): the cyclic collector walked them some 160 times while
    # SQLModel and the store loaded, a tenth of the start-up, and found next to nothing
    # to free. It is back on once the store is open (``tinycrm.cli.common.collector_on``),
    # before a command does its own work.
    gc.disable()
    for signum in interrupt_signals():
        # Ignored from the start (``tinycrm … &`` in a script: the shell keeps the
        # terminal's Ctrl-C from its background jobs), it stays ignored, as Python leaves it
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _too_early)
    if os.environ.get("_TINYCRM_COMPLETE", "").startswith("complete_"):
        # The shell's Tab: answered without loading the command line when it can be.
        from tinycrm import tab_completion

        if tab_completion.stale():  # the commands changed since their table was made
            from tinycrm.cli.completion import cache_tree

            cache_tree()
        tab_completion.main()
    from tinycrm.cli import main as run

    run()
