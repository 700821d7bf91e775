"""Automation rules from the config file, run inside the store's own writes (the API
layer reads them and gives them to the store: ``store.given.rules``).

A service function that creates a contact, or creates, moves, wins or loses a
deal, calls ``run_rules`` in its transaction: the rule's task or lifecycle
change is written with the change that triggered it, or not at all. The CLI,
the board and imports all go through those functions, so rules apply alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from tinycrm import placeholders
from tinycrm.automation_rules import Rule
from tinycrm.store import validate
from tinycrm.store.activity_rows import new_activity_row
from tinycrm.store.engine import Store
from tinycrm.store.models import Activity, Company, Contact, Deal, Pipeline, Stage
from tinycrm.store.records import record_event, record_lifecycle
from tinycrm.store.types import utcnow


def active_rules(store: Store, trigger: str) -> list[Rule]:
    """The rules for ``trigger`` the store was given; a broken config file refuses the
    write with its error."""
    return [rule for rule in store.given.usable().rules if rule.when == trigger]


def unknown_rule_names(store: Store, rules: Sequence[Rule]) -> list[tuple[Rule, str, str]]:
    """The stages and pipelines ``rules`` name that the database does not have (a rule
    that can never fire): ``(rule, key, reason)`` for each, in the rules' order. A stage
    must be in the rule's pipeline, or in any pipeline when the rule names none."""
    named = [rule for rule in rules if rule.stage or rule.pipeline]
    if not named:
        return []
    with store.read() as session:
        pipelines = session.scalars(
            select(Pipeline).order_by(col(Pipeline.position), col(Pipeline.id))
        ).all()
        stages = session.scalars(select(Stage).order_by(col(Stage.position), col(Stage.id))).all()
        by_pipeline = {p.id: [s for s in stages if s.pipeline_id == p.id] for p in pipelines}
        problems: list[tuple[Rule, str, str]] = []
        for rule in named:
            within = pipelines
            if rule.pipeline:
                within = [p for p in pipelines if p.name_key == validate.key(rule.pipeline)]
                if not within:
                    known = ", ".join(p.name for p in pipelines)
                    reason = f"no pipeline named {rule.pipeline!r} (pipelines: {known})"
                    problems.append((rule, "pipeline", reason))
                    continue
            if rule.stage and not any(
                s.name_key == validate.key(rule.stage) for p in within for s in by_pipeline[p.id]
            ):
                if rule.pipeline:
                    known = ", ".join(s.name for s in by_pipeline[within[0].id])
                    where = f"in pipeline {within[0].name} (stages: {known})"
                else:
                    known = "; ".join(
                        f"{p.name}: {', '.join(s.name for s in by_pipeline[p.id])}"
                        for p in pipelines
                    )
                    where = f"in any pipeline ({known})"
                problems.append((rule, "stage", f"no stage named {rule.stage!r} {where}"))
        return problems


def run_rules(
    store: Store,
    session: Session,
    trigger: str,
    *,
    deal: Deal | None = None,
    contact: Contact | None = None,
    stage: Stage | None = None,
) -> int:
    """Apply every rule for ``trigger`` whose conditions hold; return how many fired."""
    rules = active_rules(store, trigger)
    if not rules:
        return 0
    if contact is None and deal is not None and deal.contact_id:
        contact = session.get(Contact, deal.contact_id)
    company_id = (deal.company_id if deal else None) or (contact.company_id if contact else None)
    company = session.get(Company, company_id) if company_id else None
    pipeline = session.get(Pipeline, deal.pipeline_id) if deal else None
    if stage is None and deal is not None:
        stage = session.get(Stage, deal.stage_id)
    fired = 0
    for rule in rules:
        if rule.stage and (stage is None or stage.name_key != validate.key(rule.stage)):
            continue
        if rule.pipeline and (pipeline is None or pipeline.name_key != validate.key(rule.pipeline)):
            continue
        if rule.lifecycle and (contact is None or contact.lifecycle != rule.lifecycle):
            continue
        fired += 1
        values = dict(
            name=contact.name if contact else "",
            contact=contact.name if contact else "",
            company=company.name if company else "",
            deal=deal.title if deal else "",
            stage=stage.name if stage else "",
        )
        if rule.task:
            _add_task(store, session, rule, values, deal, contact, company)
        target = rule.set_contact_lifecycle
        if target and contact is not None and contact.lifecycle != target:
            before, contact.lifecycle = contact.lifecycle, target
            contact.updated_at = utcnow()
            assert contact.id is not None
            record_lifecycle(store, session, contact.id, before, target)
            record_event(
                store,
                session,
                action="updated",
                entity="contact",
                entity_id=contact.id,
                summary=f"{rule.label}: {contact.name} {before} → {target}",
            )
    return fired


def _add_task(
    store: Store,
    session: Session,
    rule: Rule,
    values: dict[str, str],
    deal: Deal | None,
    contact: Contact | None,
    company: Company | None,
) -> None:
    from tinycrm import dates  # (only when a rule adds a task)

    assert rule.task is not None
    subject = " ".join(placeholders.fill(rule.task, values).split()) or rule.task
    due = dates.parse_when(rule.due)
    now = utcnow()
    task = Activity(
        **new_activity_row(
            None,
            {
                "kind": "task",
                "subject": subject[:300],
                "contact_id": contact.id if contact else None,
                "company_id": company.id if company else None,
                "deal_id": deal.id if deal else None,
                "due_at": due,
                "owner": deal.owner if deal else (contact.owner if contact else None),
            },
            owner=store.user,
            stamp=now,
        )
    )
    session.add(task)
    session.flush()
    record_event(
        store,
        session,
        action="created",
        entity="activity",
        entity_id=task.id,
        summary=f"{rule.label}: added task {subject} (due {dates.format_local(due)})",
    )
