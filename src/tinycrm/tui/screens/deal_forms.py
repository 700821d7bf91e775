"""The deal forms: a new deal, an edited deal, a lost deal (``screens.forms`` runs them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tinycrm import money
from tinycrm.api import Crm
from tinycrm.api.models import DealRead
from tinycrm.errors import NotFound
from tinycrm.tui import format as fmt
from tinycrm.tui.moves import on_deal
from tinycrm.tui.screens.form_conflicts import refuse_unseen, stored_now
from tinycrm.tui.screens.form_fields import FormField
from tinycrm.tui.screens.form_values import (
    check_money,
    given_currency,
    owner_and_tag_changes,
    owner_and_tags,
    parse_date,
    parse_probability,
    plain,
)
from tinycrm.tui.screens.forms import FormScreen
from tinycrm.vocab import DEFAULT_CURRENCY

# --------------------------------------------------------------------------- deals

NEW_DEAL_CURRENCY = DEFAULT_CURRENCY  # what the new-deal form's currency field shows at first


def _deal_fields(deal: DealRead | None, stages: Sequence[tuple[str, int]], stage_id: int | None):  # type: ignore[no-untyped-def]
    amount = "" if deal is None or deal.amount is None else str(deal.amount)
    fields = [
        FormField(
            "title",
            "Title",
            deal.title if deal else "",
            "Acme renewal",
            required=True,
            words=("title",),
        ),
        FormField(
            "contact",
            "Contact",
            plain(deal.contact if deal else None),
            "name or email",
            words=("contact",),
            complete="contact",
        ),
        FormField(
            "company",
            "Company",
            plain(deal.company if deal else None),
            "name or domain",
            words=("company",),
            complete="company",
        ),
        FormField(  # read with the currency: check_money
            "amount", "Amount", amount, "18500", words=("amount", "decimal")
        ),
        FormField(
            "currency",
            "Currency",
            deal.currency if deal else NEW_DEAL_CURRENCY,
            "EUR",
            words=("currency",),
        ),
    ]
    if deal is None and stages:
        fields.append(
            FormField(
                "stage",
                "Stage",
                str(stage_id or stages[0][1]),
                choices=list(stages),
                required=True,
                words=("stage",),
            )
        )
    close = deal.close_date.isoformat() if deal and deal.close_date else ""
    probability = str(deal.probability) if deal and deal.probability_override else ""
    fields += [
        FormField(
            "close",
            "Expected close",
            close,
            "2026-12-31, +30d, eom",
            parse=parse_date,
            words=("date", "close"),
        ),
        FormField(
            "probability",
            "Probability %",
            probability,
            "the stage's",
            parse=parse_probability,
            words=("probability",),
        ),
        *owner_and_tags(deal),
    ]
    return fields


def new_deal_form(
    *,
    pipeline_id: int | None,
    stages: Sequence[tuple[str, int]],
    stage_id: int | None,
) -> FormScreen:
    """Open a deal; the same rules as ``tinycrm deal add``."""

    def save(crm: Crm, v: dict[str, Any]) -> DealRead:
        try:
            return crm.deals.add(
                v["title"],
                contact=v["contact"],
                company=v["company"],
                amount=v["amount"],
                currency=given_currency(v["currency"], NEW_DEAL_CURRENCY),
                stage=f"#{v['stage']}" if v.get("stage") else None,
                pipeline=str(pipeline_id) if pipeline_id else None,
                close=v["close"],
                probability=v["probability"],
                owner=v["owner"],
                tags=v["tags"],
            )
        except NotFound:
            _refuse_stage_gone(crm, pipeline_id, v.get("stage"), dict(stages))
            raise

    return FormScreen(
        "New deal",
        _deal_fields(None, stages, stage_id),
        save,
        submit_label="Add deal",
        check=lambda v: check_money(v, NEW_DEAL_CURRENCY),
        id="new-deal-form",
    )


def _refuse_stage_gone(
    crm: Crm, pipeline_id: int | None, stage_id: int | None, names: dict[str, int]
) -> None:
    """The form offered stage ``stage_id`` of pipeline ``pipeline_id``; when either was
    removed elsewhere since, say so by the name the form showed (the store, given the id,
    said "unknown stage '#2'", an id the user never saw)."""
    try:
        pipeline = crm.pipelines.get(pipeline_id)
    except NotFound:
        raise NotFound(
            "this pipeline was removed elsewhere; nothing was saved (esc, then p picks another)"
        ) from None
    if stage_id is None or any(s.id == stage_id for s in pipeline.stages):
        return
    shown = next((name for name, id_ in names.items() if id_ == stage_id), "")
    raise NotFound(
        f"stage {shown} was removed elsewhere; pick another (stages: "
        f"{', '.join(s.name for s in pipeline.stages) or 'none'})"
    ) from None


def _deal_changes(deal: DealRead, v: dict[str, Any]) -> dict[str, Any]:
    """What the edit form's values change in ``deal``, as ``crm.deals.edit`` takes them."""
    changes: dict[str, Any] = {}
    if v["title"] != deal.title:
        changes["title"] = v["title"]
    for name in ("contact", "company"):
        if v[name] != getattr(deal, name):
            changes[name] = v[name]
    currency = given_currency(v["currency"], deal.currency)
    amount, code = (  # read as the store will (check_money has checked it)
        money.parse_money_in(v["amount"], currency, default=deal.currency)
        if v["amount"]
        else (None, deal.currency)
    )
    if amount != deal.amount or code != deal.currency or currency:
        changes["amount"] = v["amount"]
        if currency:
            changes["currency"] = currency
    if v["close"] != deal.close_date:
        changes["close"] = v["close"]
    before = deal.probability if deal.probability_override else None
    if v["probability"] != before:
        changes["probability"] = v["probability"]
    changes.update(owner_and_tag_changes(deal, v))
    return changes


_DEAL_SHOWN: dict[str, Callable[[DealRead], object]] = {
    "title": lambda d: d.title,
    "contact": lambda d: d.contact,
    "company": lambda d: d.company,
    "amount": lambda d: fmt.amount(d.amount, d.currency) if d.amount is not None else None,
    "close": lambda d: d.close_date,
    "probability": lambda d: d.probability if d.probability_override else None,
    "owner": lambda d: d.owner,
}
"""A deal's value behind each field of its edit form, as the form's error shows it."""


def edit_deal_form(deal: DealRead) -> FormScreen:
    """Change a deal's details (its stage moves with < and >). A value the form changes
    that was changed elsewhere since the form opened is not overwritten unseen: the form
    says what it is now, and a second save puts the form's value in."""
    told: dict[str, object] = {}

    def save(crm: Crm, v: dict[str, Any]) -> DealRead:
        changes = _deal_changes(deal, v)
        now = stored_now(crm.deals.lock, deal.id, "deal")  # locked in the write: nothing slips
        refuse_unseen(deal, now, changes, told, _DEAL_SHOWN)
        return crm.deals.edit(deal.id, **changes)

    return FormScreen(
        f"Edit deal · {deal.title}",
        _deal_fields(deal, (), None),
        save,
        check=lambda v: check_money(v, deal.currency),
        id="edit-deal-form",
    )


def lost_form(deal_id: int, title: str) -> FormScreen:
    """Mark a deal lost: the reason is required (it is what reports learn from)."""
    return FormScreen(
        f"Lost · {title}",
        [
            FormField(
                "reason",
                "Why lost?",
                "",
                "price, timing, competitor…",
                required=True,
                words=("reason",),
            )
        ],
        lambda crm, v: on_deal(
            crm, deal_id, title, lambda: crm.deals.lose(deal_id, reason=v["reason"])
        ),
        submit_label="Mark lost",
        id="lost-form",
    )
