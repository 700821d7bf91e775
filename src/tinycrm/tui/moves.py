"""Writes to a deal asked for from what a screen shows, which may be behind what is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tinycrm.api import Crm
from tinycrm.api.models import DealRead
from tinycrm.errors import Conflict, NotFound

T = TypeVar("T")


def deleted(title: str) -> NotFound:
    """The refusal of a write to a deal deleted elsewhere, named as the screen showed it
    (the store, given its id, says "no deal matches '1'", an id the user never saw)."""
    return NotFound(f"{title} was deleted elsewhere; nothing was saved")


def on_deal(crm: Crm, deal_id: int, title: str, write: Callable[[], T]) -> T:
    """Run ``write`` (a win, a loss, a reopen of deal ``deal_id``, shown as ``title``) on the
    writer thread, the deal's row locked first: one deleted elsewhere is named by title."""
    try:
        crm.deals.lock(deal_id)
    except NotFound:
        raise deleted(title) from None
    return write()


def move_from(
    crm: Crm,
    deal_id: int,
    from_stage_id: int,
    to_stage_id: int,
    to_name: str,
    title: str = "this deal",
) -> DealRead:
    """Move the deal from the stage the screen showed it in to stage ``to_stage_id``
    (``to_name`` on screen), on the writer thread (the check and the move are one
    transaction, the deal's row locked for it: a move of the same deal made at the same
    moment elsewhere waits, then sees this one). A deal moved elsewhere since is left where
    it is: ``>`` on a card still shown in Lead-in must not pull a deal someone just moved
    to Negotiation back to Qualified; and a stage removed elsewhere is named, not its id,
    as is a deal deleted elsewhere (``title``: as the screen shows it)."""
    try:
        deal = crm.deals.lock(deal_id)
    except NotFound:
        raise NotFound(f"{title} was deleted elsewhere; nothing was moved") from None
    if deal.status == "open" and deal.stage_id != from_stage_id:
        raise Conflict(f"{deal.title} was moved to {deal.stage} elsewhere; it stays there")
    try:
        return crm.deals.move(deal_id, f"#{to_stage_id}")
    except NotFound:  # the deal was just read: its target stage is what is gone
        raise NotFound(
            f"{deal.title} stays in {deal.stage}: stage {to_name} was removed elsewhere"
        ) from None
