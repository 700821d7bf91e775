"""Two writers at the same moment: the store's race tests run their actions through here.

Each action runs in its own thread, and all of them wait at one barrier before they start,
so on PostgreSQL their transactions overlap (on SQLite they take turns at the file's
lock). What an action returns, or the expected error it raised, comes back in the order
the actions were given; any other error fails the test in the test's own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Outcome = Any


def at_once(
    *actions: Callable[[], object],
    expected: tuple[type[BaseException], ...] = (),
) -> list[Outcome]:
    """Run ``actions`` at once; each one's result, or the ``expected`` error it raised."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[Outcome] = [None] * len(actions)
    unexpected: list[BaseException] = []

    def run(index: int, action: Callable[[], object]) -> None:
        barrier.wait()
        try:
            outcomes[index] = action()
        except expected as exc:
            outcomes[index] = exc
        except BaseException as exc:
            unexpected.append(exc)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if unexpected:
        raise unexpected[0]
    return outcomes


def refused(outcomes: list[Outcome]) -> int:
    """How many of ``outcomes`` are errors (the writers that were turned away)."""
    return sum(isinstance(outcome, BaseException) for outcome in outcomes)
