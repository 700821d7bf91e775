"""Satisfaction scores from a CSV file (``tinycrm case csat-import``).

A survey tool's export, or a sheet kept by hand: one row per case with its id (a column
named ``case``, ``case_id`` or ``id``; ``12`` or ``#12``), the score (``csat``, ``score``
or ``rating``: a whole number 1-5) and optionally the customer's ``comment``. Headers are
matched without regard to case, spaces or dashes (``Case ID`` is ``case_id``); other
columns are left alone. The file is read by :mod:`tinycrm.formats.csvfile`, so its
encoding, delimiter and Excel's ``sep=`` line are handled as for every import.

Every problem is a ``FormatError`` naming the line (``line 4: score '7' is not a whole
number 1-5``): the file is taken whole or not at all, so the first problem stops it.
Whether each case exists and is resolved is the store's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from tinycrm.formats import FormatError, printable
from tinycrm.formats.csvfile import BrokenRecord, open_csv

CASE_HEADERS = ("case", "case_id", "id")
SCORE_HEADERS = ("csat", "score", "rating")
COMMENT_HEADERS = ("comment",)
ROLES = (("case", CASE_HEADERS), ("score", SCORE_HEADERS), ("comment", COMMENT_HEADERS))


@dataclass(frozen=True)
class CsatRow:
    """One line of the file: the case's id, its score and the comment (None when blank)."""

    line: int
    case_id: int
    score: int
    comment: str | None


def _key(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _shown(value: str) -> str:
    text = value.strip()
    return repr(printable(text if len(text) <= 40 else text[:37] + "..."))


def columns(header: list[str]) -> dict[str, int]:
    """Which column holds the case, the score and the comment (``comment`` may be absent)."""
    found: dict[str, int] = {}
    for role, names in ROLES:
        where = [i for i, h in enumerate(header) if _key(h) in names]
        if len(where) > 1:
            both = " and ".join(_shown(header[i]) for i in where[:2])
            raise FormatError(f"header row: columns {both} both give the {role}; keep one")
        if where:
            found[role] = where[0]
        elif role != "comment":
            raise FormatError(
                f"header row: no column for the {role} (call it {', '.join(names[:-1])} "
                f"or {names[-1]})"
            )
    return found


def _case_id(cell: str, line: int) -> int:
    digits = cell.strip().removeprefix("#").strip()
    if not digits:
        raise FormatError(f"line {line}: no case id")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        raise FormatError(f"line {line}: {_shown(cell)} is not a case id (a number like 12)")
    return int(digits)


def _score(cell: str, line: int) -> int:
    text = cell.strip()
    if not text:
        raise FormatError(f"line {line}: no score")
    whole, point, zeros = text.partition(".")
    if point and zeros and not zeros.strip("0"):  # 5.0: how survey tools export a rating
        text = whole
    if not (text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= 5):
        raise FormatError(f"line {line}: score {_shown(cell)} is not a whole number 1-5")
    return int(text)


def read_csat(
    stream: IO[bytes], *, name: str, encoding: str | None = None, delimiter: str | None = None
) -> list[CsatRow]:
    """Every row of a CSAT file, checked, in file order. Raises ``FormatError`` naming
    the line of the first problem (or the file, when it has no rows)."""
    table = open_csv(stream, name=name, encoding=encoding, delimiter=delimiter)
    where = columns(table.header)
    width = max(where.values()) + 1
    rows: list[CsatRow] = []
    for line, cells in table.records():
        if isinstance(cells, BrokenRecord):
            raise FormatError(f"line {line}: {cells.reason}")
        cells = cells + [""] * (width - len(cells))
        comment = cells[where["comment"]].strip() if "comment" in where else ""
        rows.append(
            CsatRow(
                line=line,
                case_id=_case_id(cells[where["case"]], line),
                score=_score(cells[where["score"]], line),
                comment=comment or None,
            )
        )
    if not rows:
        raise FormatError(f"{table.name} has no scores, only a header")
    return rows
