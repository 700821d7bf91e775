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

from collections.abc import Mapping, Sequence
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
    return f"{table}[{index}] (id {row['id']})" if "id" in row else f"{table}[{index}]"


def check_rows(
    table: str, rows: Sequence[Mapping[str, Any]], restored: Mapping[str, Sequence[Any]]
) -> None:
    """Refuse (``Invalid``) the rows of ``table`` the app could not handle, and warn of the
    values in them no write makes, restored as stored. ``restored``: the rows of the
    tables before it (a deal's stages)."""
    if table in PROBABILITIES:
        for index, row in enumerate(rows):
            value = row.get("probability")
            if value is not None and not 0 <= value <= 100:
                raise Invalid(
                    f"the dump's {_where(table, index, row)}: probability {value} is not "
                    "between 0 and 100 (no write stores it; the weighted forecast counts on it)"
                )
    if table == "deal":
        _deal_stages(rows, restored.get("stage", ()))
    for column, offered in OFFERED.get(table, ()):
        odd = [(i, r) for i, r in enumerate(rows) if r.get(column) not in (None, *offered)]
        if odd:
            index, row = odd[0]
            _warn(
                table, index, row, column,
                f"is not one tinycrm offers ({', '.join(offered)})", len(odd) - 1,
            )  # fmt: skip
    if table == "contact":
        odd = [(i, r) for i, r in enumerate(rows) if r.get("email") and not _takes(r["email"])]
        if odd:
            index, row = odd[0]
            _warn(table, index, row, "email", "is not one 'contact add' takes", len(odd) - 1)


def _deal_stages(deals: Sequence[Mapping[str, Any]], stages: Sequence[Any]) -> None:
    pipeline_of = {stage["id"]: stage["pipeline_id"] for stage in stages}
    for index, deal in enumerate(deals):
        stage, pipeline = deal.get("stage_id"), deal.get("pipeline_id")
        if stage is None or stage not in pipeline_of or pipeline_of[stage] == pipeline:
            continue  # (a stage no row has: the database's foreign key says so)
        raise Invalid(
            f"the dump's {_where('deal', index, deal)}: stage_id {stage} is a stage of "
            f"pipeline {pipeline_of[stage]}, not of the deal's pipeline {pipeline} (no write "
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
    shown = safetext.quoted(value) if isinstance(value, str) else repr(value)
    also = f" (and in {more:,} more {table} rows)" if more else ""
    warn(f"{_where(table, index, row)}: {column} {shown} {what}; restored as stored{also}")
