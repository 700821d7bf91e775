"""Long output through the user's pager, as git does it.

A list, a show view or a report (``tinycrm.cli.show_pager``) longer than the terminal is written
to a pager when standard output is a terminal: ``$TINYCRM_PAGER``, else ``$PAGER``, else
``less`` (with ``LESS=FRX`` when ``$LESS`` is not set: quit if it fits on one screen,
pass colours through, leave the text on the screen afterwards). An empty value or
``cat`` means no pager, and so does ``tinycrm --no-pager …``. To a pipe or a file the
rows go straight out.

While the pager runs it owns the keyboard: Ctrl-C is the pager's (``less`` stops a
search with it and stays), so tinycrm ignores SIGINT until the pager has exited.
Quitting the pager before the end is not an error: the rest of the rows are dropped,
and the command exits 0 as it does for ``tinycrm contact list | head``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TextIO, cast

DEFAULT = "less"
NO_PAGER = ("", "cat")

_enabled = True


def allow(enabled: bool) -> None:
    """Whether this command may page (``--no-pager`` says no). The root sets it."""
    global _enabled
    _enabled = enabled


def enabled() -> bool:
    """Whether this command may page (``allow``)."""
    return _enabled


def command() -> str | None:
    """The pager to run, or None: ``$TINYCRM_PAGER``, ``$PAGER``, then ``less``."""
    for name in ("TINYCRM_PAGER", "PAGER"):
        value = os.environ.get(name)
        if value is not None:
            value = value.strip()
            return None if value in NO_PAGER else value
    return DEFAULT if shutil.which(DEFAULT) else None


def wanted(lines: int, stream: TextIO | None = None) -> bool:
    """Whether ``lines`` lines for ``stream`` (stdout) go through a pager: paging is
    allowed, the stream is a terminal, and they do not fit on its screen."""
    stream = stream or sys.stdout
    if not _enabled or not _isatty(stream):
        return False
    return lines >= shutil.get_terminal_size().lines


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def paged(stream: TextIO | None = None) -> Iterator[TextIO]:
    """A stream that reaches the user's pager (or ``stream`` itself when there is none,
    or it cannot be started). Leaving waits for the pager to exit; a pager that quit
    early (a broken pipe) ends the writing quietly."""
    stream = stream or sys.stdout
    pager = command()
    if pager is None:
        yield stream
        return
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    stream.flush()
    try:
        proc = subprocess.Popen(
            pager,
            shell=True,
            stdin=subprocess.PIPE,
            env=env,
            encoding=getattr(stream, "encoding", None) or "utf-8",
            errors=getattr(stream, "errors", None) or "strict",
        )
    except OSError:
        yield stream
        return
    assert proc.stdin is not None
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        with suppress(BrokenPipeError):
            yield cast(TextIO, proc.stdin)
            proc.stdin.flush()
    finally:
        with suppress(OSError):
            proc.stdin.close()
        proc.wait()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
