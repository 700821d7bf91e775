"""A stage move asked for from what a screen shows, which may be behind what is stored."""

from __future__ import annotations

from tinycrm.api import Crm
from tinycrm.api.models import DealRead
from tinycrm.errors import Conflict, NotFound


def move_from(
    crm: Crm, deal_id: int, from_stage_id: int, to_stage_id: int, to_name: str
) -> DealRead:
    """Move the deal from the stage the screen showed it in to stage ``to_stage_id``
    (``to_name`` on screen), on the writer thread (the check and the move are one
    transaction, the deal's row locked for it: a move of the same deal made at the same
    moment elsewhere waits, then sees this one). A deal moved elsewhere since is left where
    it is: ``>`` on a card still shown in Lead-in must not pull a deal someone just moved
    to Negotiation back to Qualified; and a stage removed elsewhere is named, not its id."""
    try:
        deal = crm.deals.lock(deal_id)
    except NotFound:
        raise NotFound(f"deal #{deal_id} was deleted elsewhere; nothing was moved") from None
    if deal.status == "open" and deal.stage_id != from_stage_id:
        raise Conflict(f"{deal.title} was moved to {deal.stage} elsewhere; it stays there")
    try:
        return crm.deals.move(deal_id, f"#{to_stage_id}")
    except NotFound:  # the deal was just read: its target stage is what is gone
        raise NotFound(
            f"{deal.title} stays in {deal.stage}: stage {to_name} was removed elsewhere"
        ) from None
