"""Progress of a long import or export: a rich bar on a terminal, lines on stderr with
``--progress``, else nothing."""

from __future__ import annotations

import sys
import time
from typing import Any

from tinycrm.cli import output as out
from tinycrm.vocab import plural


class Progress:
    """A rich progress bar on a terminal; lines on stderr with ``--progress``; else nothing."""

    def __init__(self, label: str, total: int | None, *, force: bool, unit: str) -> None:
        self.bar: Any = None
        self.lines = False
        self.unit = unit
        self.total = total
        self._last = 0.0
        if sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            columns: list[Any] = [TextColumn("{task.description}"), BarColumn()]
            columns.append(TimeRemainingColumn() if unit == "bytes" else MofNCompleteColumn())
            self.bar = Bar(*columns, console=out.err_console(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(label, total=total)
        elif force:
            self.lines = True
            self.label = label

    def update(self, done: int, rows: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done)
        elif self.lines:
            now = time.monotonic()
            if now - self._last >= 0.5:
                self._last = now
                share = f" ({done * 100 // self.total}%)" if self.total else ""
                sys.stderr.write(f"{self.label}: {plural(rows, 'row')}{share}\n")
                sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
