"""What deleting a contact or company takes with it, or unlinks (``contact rm``,
``company rm``): counted before the delete, so the command can say it, ask first, and
refuse to unlink a contract or case without a word."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import func, select
from sqlmodel import Session, col

from tinycrm.store.errors import Conflict
from tinycrm.store.models import (
    Activity,
    CampaignMember,
    CompanyRead,
    Contact,
    ContactRead,
    Deal,
    FieldValue,
    ReadModel,
    Tag,
)
from tinycrm.store.records import LINKS


class Removal(ReadModel):
    """What a contact's or company's delete took with it (``*_deleted``) and what it kept,
    unlinked from it (``*_unlinked``)."""

    activities_deleted: int = 0  # calls, emails, meetings, notes only about it
    tasks_deleted: int = 0  # tasks only about it (open or done)
    activities_unlinked: int = 0  # activities and tasks also about another record: kept
    contacts_unlinked: int = 0  # a company's people
    deals_unlinked: int = 0
    contracts_unlinked: int = 0
    cases_unlinked: int = 0
    campaign_memberships_deleted: int = 0
    sequence_enrollments_deleted: int = 0
    tags_deleted: int = 0
    fields_deleted: int = 0  # custom field values
    kept: list[str] = Field(default_factory=list)  # the contracts and cases: "case #2 Login"


class ContactRemoved(ContactRead):
    """A deleted contact, with what went with it (``removed``)."""

    removed: Removal


class CompanyRemoved(CompanyRead):
    """A deleted company, with what went with it (``removed``)."""

    removed: Removal


def removal_of(session: Session, entity: str, record_id: int) -> Removal:
    """What deleting the contact or company ``record_id`` would delete and unlink."""
    # the after-sale and automation tables load here, on a delete: a contact command
    # defines only the tables it uses (tests/cli/test_light_commands.py)
    from tinycrm.store.automation_models import SequenceEnrollment
    from tinycrm.store.service_models import SupportCase

    link = f"{entity}_id"

    def count(model: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    about = getattr(Activity, link) == record_id
    only = [getattr(Activity, other).is_(None) for other in LINKS if other != link]
    is_task = col(Activity.kind) == "task"
    tagged = (col(Tag.entity) == entity, col(Tag.entity_id) == record_id)
    valued = (col(FieldValue.entity) == entity, col(FieldValue.entity_id) == record_id)
    counts = {
        "activities_deleted": count(Activity, about, *only, ~is_task),
        "tasks_deleted": count(Activity, about, *only, is_task),
        "activities_unlinked": count(Activity, about) - count(Activity, about, *only),
        "deals_unlinked": count(Deal, getattr(Deal, link) == record_id),
        "tags_deleted": count(Tag, *tagged),
        "fields_deleted": count(FieldValue, *valued),
    }
    if entity == "company":
        counts["contacts_unlinked"] = count(Contact, col(Contact.company_id) == record_id)
    else:
        counts["campaign_memberships_deleted"] = count(
            CampaignMember, col(CampaignMember.contact_id) == record_id
        )
        counts["sequence_enrollments_deleted"] = count(
            SequenceEnrollment, col(SequenceEnrollment.contact_id) == record_id
        )
    contracts = _contracts(session, link, record_id)
    cases = session.execute(
        select(col(SupportCase.id), col(SupportCase.subject))
        .where(getattr(SupportCase, link) == record_id)
        .order_by(col(SupportCase.id))
    ).all()
    kept = [text.rsplit(" (", 1)[0] for text in contracts]
    kept += [f"case #{number} {subject}" for number, subject in cases]
    return Removal(
        **counts, contracts_unlinked=len(contracts), cases_unlinked=len(cases), kept=kept
    )


def _contracts(session: Session, link: str, record_id: int) -> list[str]:
    """The contracts linked to the record, each as ``contract #3 Title (active, …)``."""
    from tinycrm.store.contract_terms import local_today, state_on
    from tinycrm.store.service_models import Contract

    today = local_today()
    rows = session.scalars(
        select(Contract).where(getattr(Contract, link) == record_id).order_by(col(Contract.id))
    )
    named = []
    for contract in rows:
        state = state_on(contract, today)
        named.append(
            f"contract #{contract.id} {contract.title} "
            f"({state.status}, {state.start} to {state.end})"
        )
    return named


def refuse_unlinking(
    session: Session, entity: str, record_id: int, name: str, removal: Removal
) -> None:
    """A ``Conflict`` naming the contracts and cases the delete would keep, unlinked
    (each contract with its status and term), when there are any."""
    if not removal.kept:
        return
    named = (
        _contracts(session, f"{entity}_id", record_id) + removal.kept[removal.contracts_unlinked :]
    )
    them = "it" if len(named) == 1 else "them"
    raise Conflict(
        f"{entity} {name} has {_and(named)}: deleting the {entity} keeps {them}, unlinked; "
        f"confirm to delete it anyway (tinycrm {entity} rm --yes)"
    )


def kept_summary(removal: Removal) -> str:
    """The event's addition: ``; contract #1 X and case #2 Y kept, unlinked``."""
    return f"; {_and(removal.kept)} kept, unlinked" if removal.kept else ""


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
