"""The demo database: realistic sample data in a file of its own (``tinycrm demo``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinycrm.demo import DemoSummary


def demo_path() -> Path:
    """Where the demo database lives by default: ``demo.db`` in the user data dir."""
    from tinycrm.demo import demo_path as default

    return default()


def build_demo(
    path: str | PathLike[str] | None = None,
    *,
    reset: bool = False,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    database: str | None = None,
) -> DemoSummary:
    """Build the demo database at ``path`` (default ``demo_path()``), or reuse the one
    there; ``reset`` throws it away first. Never the user's own database (``Invalid``):
    the default one, nor ``database`` (the one the user works with; default
    ``TINYCRM_DB``), nor their -wal/-shm files. The data is placed around ``now``
    (default: now); ``progress(done, total)`` hears how far a build is. It is built
    with the default settings, not the user's config file (its rules and hooks never
    see it). Open it with ``tinycrm.open(path)``."""
    from tinycrm.demo import ensure_demo

    target = Path(path) if path is not None else demo_path()
    return ensure_demo(target, reset=reset, now=now, progress=progress, database=database)
