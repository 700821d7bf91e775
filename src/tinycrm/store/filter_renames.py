"""Keeping saved segments and scoring rules true when a record they name is renamed: a
campaign (``campaign:OLD``), a stage (``stage=OLD``), a company (``company=OLD``). Each
is rewritten to the new name in the rename's own write, the rest of its text as typed;
else it would match nothing from then on (``no stage matches 'Proposal'``). A removed
campaign or stage has those that name it named (``change=False``). Tags have their own
(``tag_renames``): a tag is no record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import Session, col

from tinycrm import filters
from tinycrm.store.models import Segment

if TYPE_CHECKING:
    from tinycrm.store.automation_models import ScoreRule


def rewrite_filters(
    session: Session,
    rewrite: Callable[[str], str | None],
    *,
    rules: bool = True,
    change: bool = True,
) -> list[str]:
    """Each saved segment (and, with ``rules``, scoring rule) that ``rewrite`` changes
    (it gives the new text, or None), changed (unless not ``change``: a removed record's
    are only named); what was, as ``segment NAME`` and ``scoring rule NAME``. A filter
    that no longer parses is left as it is."""
    out = []
    models: list[tuple[type[Segment | ScoreRule], str, str]] = [(Segment, "expression", "segment")]
    if rules:  # the automation tables, only when a rename needs them (start-up time)
        from tinycrm.store.automation_models import ScoreRule

        models.append((ScoreRule, "condition", "scoring rule"))
    for model, attr, what in models:
        rows: list[Segment | ScoreRule] = list(
            session.scalars(select(model).order_by(col(model.id)))
        )
        for row in rows:
            try:
                text = rewrite(getattr(row, attr))
            except filters.FilterError:  # a filter saved before a rule changed
                continue
            if text is not None:
                if change:
                    setattr(row, attr, text)
                out.append(f"{what} {row.name}")
    return out


def anew(named: list[str]) -> str:
    """`` (segment a and scoring rule b name it anew)``, or nothing."""
    if not named:
        return ""
    return f" ({' and '.join(named)} {'names' if len(named) == 1 else 'name'} it anew)"
