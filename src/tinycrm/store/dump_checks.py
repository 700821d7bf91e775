"""What a dump's rows hold that no write of tinycrm's makes, checked before a restore.

Two kinds, told apart by whether the app can live with them:

* what it shows as stored, as it shows an older version's or SQL's values: a status,
  lifecycle, lead status, role, activity kind, case status, priority or channel outside
  tinycrm's sets, an email no ``contact add`` takes. Restored as stored (a restore is
  faithful), each column's named once in a warning: the first row and how many more;
* what it counts on: a deal in a stage of its own pipeline (the board's columns, ``deal
  move``, the stage history), probabilities between 0 and 100 (the weighted forecast).
  Refused in one line naming the row: nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tinycrm import safetext
from tinycrm.errors import warn
from tinycrm.store import validate
from tinycrm.store.errors import Invalid
from tinycrm.vocab import (
    ACTIVITY_KINDS,
    CASE_CHANNELS,
    CASE_PRIORITIES,
    CASE_STATUSES,
    DEAL_STATUSES,
    LEAD_STATUSES,
    LIFECYCLES,
    ROLES,
)

# table -> (column, the values tinycrm offers), in the order warnings name them
OFFERED: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "contact": (("lifecycle", LIFECYCLES), ("lead_status", LEAD_STATUSES), ("role", ROLES)),
    "deal": (("status", DEAL_STATUSES),),
    "activity": (("kind", ACTIVITY_KINDS),),
    "support_case": (
        ("status", CASE_STATUSES),
        ("priority", CASE_PRIORITIES),
        ("channel", CASE_CHANNELS),
    ),
}
PROBABILITIES = ("deal", "stage")  # tables whose probability the forecast weighs by


def _where(table: str, index: int, row: Mapping[str, Any]) -> str:
    if "id" not in row:
        return f"{table}[{index}]"
    return f"{table}[{index}] (id {safetext.json_shown(row['id'])})"


class RowChecks:
    """The checks of one table's rows, given a batch at a time (``check``): refuse
    (``Invalid``) the rows the app could not handle; ``done`` warns of the values no
    write makes, restored as stored, once a column. ``stages``: the stages restored
    (id and pipeline_id), which a deal's stage is checked against."""

    def __init__(self, table: str, stages: Sequence[Mapping[str, Any]] = ()) -> None:
        self.table = table
        self.stages = {stage["id"]: stage["pipeline_id"] for stage in stages}
        columns = [column for column, _ in OFFERED.get(table, ())]
        if table == "contact":
            columns.append("email")
        # column -> (index and row of the first odd value, how many)
        self.odd: dict[str, tuple[int, Mapping[str, Any], int]] = {}
        self.columns = columns

    def check(self, rows: Sequence[Mapping[str, Any]], start: int = 0) -> None:
        """Check ``rows``, the table's from index ``start`` on."""
        table = self.table
        if table in PROBABILITIES:
            for index, row in enumerate(rows, start):
                value = row.get("probability")
                if value is not None and not 0 <= value <= 100:
                    raise Invalid(
                        f"the dump's {_where(table, index, row)}: probability "
                        f"{safetext.json_shown(value)} is not "
                        "between 0 and 100 (no write stores it; the weighted forecast counts on it)"
                    )
        if table == "deal":
            _deal_stages(rows, self.stages, start)
        for column, offered in OFFERED.get(table, ()):
            allowed = (None, *offered)
            self._note(
                column, ((i, r) for i, r in enumerate(rows, start) if r.get(column) not in allowed)
            )
        if table == "contact":
            self._note(
                "email",
                (
                    (i, r)
                    for i, r in enumerate(rows, start)
                    if r.get("email") and not _takes(r["email"])
                ),
            )

    def _note(self, column: str, odd: Iterator[tuple[int, Mapping[str, Any]]]) -> None:
        for index, row in odd:
            if column in self.odd:
                first, first_row, n = self.odd[column]
                self.odd[column] = (first, first_row, n + 1)
            else:
                kept = {key: row[key] for key in ("id", column) if key in row}  # (not the row)
                self.odd[column] = (index, kept, 1)

    def done(self) -> None:
        """Warn of each column's values no write makes (checked in ``check``)."""
        for column in self.columns:
            if column not in self.odd:
                continue
            index, row, n = self.odd[column]
            what = (
                "is not one 'contact add' takes"
                if column == "email" and self.table == "contact"
                else f"is not one tinycrm offers ({', '.join(dict(OFFERED[self.table])[column])})"
            )
            _warn(self.table, index, row, column, what, n - 1)


def _deal_stages(
    deals: Sequence[Mapping[str, Any]], pipeline_of: Mapping[Any, Any], start: int
) -> None:
    for index, deal in enumerate(deals, start):
        stage, pipeline = deal.get("stage_id"), deal.get("pipeline_id")
        if stage is None or stage not in pipeline_of or pipeline_of[stage] == pipeline:
            continue  # (a stage no row has: the database's foreign key says so)
        raise Invalid(
            f"the dump's {_where('deal', index, deal)}: stage_id {safetext.json_shown(stage)} "
            f"is a stage of pipeline {safetext.json_shown(pipeline_of[stage])}, not of the "
            f"deal's pipeline {safetext.json_shown(pipeline)} (no write "
            "puts a deal there; the board and deal move count on it)"
        )


def _takes(email: str) -> bool:
    try:
        validate.typed_email(email)
    except Invalid:
        return False
    return True


def _warn(
    table: str, index: int, row: Mapping[str, Any], column: str, what: str, more: int
) -> None:
    value = row[column]
    shown = safetext.json_shown(value)
    also = f" (and in {more:,} more {table} rows)" if more else ""
    warn(f"{_where(table, index, row)}: {column} {shown} {what}; restored as stored{also}")
