"""Lists cut into batches: as many rows or ids as one statement takes comfortably."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

_T = TypeVar("_T")


def chunks(values: list[_T], size: int) -> Iterator[list[_T]]:
    """``values`` ``size`` at a time: as many rows or bound ids as one statement takes
    comfortably (an executemany batch, an ``IN (...)`` list)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
