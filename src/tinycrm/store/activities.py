"""Activities: logged calls, emails, meetings and notes, and tasks with due dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from tinycrm import dates, repeat, safetext
from tinycrm.dates import local_day
from tinycrm.store import odd_dates, validate
from tinycrm.store.activity_rows import check_happened, new_activity_row
from tinycrm.store.companies import keep_company, resolve_company
from tinycrm.store.contacts import keep_contact, resolve_contact
from tinycrm.store.deals import resolve_deal
from tinycrm.store.engine import Store
from tinycrm.store.errors import Ambiguous, Conflict, Invalid, NotFound
from tinycrm.store.models import Activity, ActivityRead, Company, Contact, Deal
from tinycrm.store.records import record_event
from tinycrm.store.refs import SUGGESTED, did_you_mean, get_by_id, lock_row
from tinycrm.store.types import ODD_AMOUNTS, utcnow
from tinycrm.vocab import LOG_KINDS

TASK_SCOPES = ("open", "overdue", "today", "upcoming", "done", "all")
_PREFIXES: dict[str, Callable[[Session, str], Contact | Company | Deal]] = {
    "contact": resolve_contact,
    "company": resolve_company,
    "deal": resolve_deal,
}


class Links:
    """The records an activity is about, filled in from each other (a deal's contact, ...)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.contact: Contact | None = None
        self.company: Company | None = None
        self.deal: Deal | None = None

    def set(self, kind: str, record: Contact | Company | Deal) -> None:
        setattr(self, kind, record)

    def complete(self) -> None:
        if self.deal is not None:
            if self.contact is None and self.deal.contact_id:
                self.contact = self.session.get(Contact, self.deal.contact_id)
            if self.company is None and self.deal.company_id:
                self.company = self.session.get(Company, self.deal.company_id)
        if self.contact is not None and self.company is None and self.contact.company_id:
            self.company = self.session.get(Company, self.contact.company_id)
        # none deleted before the activity is written (contact rm, company rm, deal rm)
        if self.deal is not None:
            lock_row(self.session, self.deal, "deal", self.deal.title, key=True)
        if self.contact is not None:
            keep_contact(self.session, self.contact)
        if self.company is not None:
            keep_company(self.session, self.company)

    @property
    def any(self) -> bool:
        return any((self.contact, self.company, self.deal))

    def ids(self) -> dict[str, int | None]:
        """The activity's columns that link it: ``contact_id``, ``company_id``, ``deal_id``."""
        return {f"{kind}_id": record.id if record else None
                for kind, record in (("contact", self.contact), ("company", self.company),
                                     ("deal", self.deal))}  # fmt: skip

    def label(self) -> str:
        if self.deal is not None:
            return f"deal {self.deal.title}"
        if self.contact is not None:
            return self.contact.name
        if self.company is not None:
            return self.company.name
        return ""


def resolve_any(session: Session, ref: str) -> tuple[str, Contact | Company | Deal]:
    """A REF that may name a contact, a company or a deal.

    ``contact:REF``, ``company:REF`` and ``deal:REF`` say which; a bare REF that
    matches records of more than one kind is ambiguous.
    """
    kind, sep, rest = ref.partition(":")
    if sep and kind.strip().lower() in _PREFIXES and rest.strip():
        name = kind.strip().lower()
        return name, _PREFIXES[name](session, rest)
    found: list[tuple[str, Contact | Company | Deal]] = []
    suggested: list[str] = []
    for name, resolver in _PREFIXES.items():
        try:
            found.append((name, resolver(session, ref)))
        except NotFound as exc:
            suggested += [s if s == "…" else f"{name} {s}" for s in exc.suggestions]
            continue
        except Ambiguous as exc:
            raise Ambiguous(f"{exc} (or write {name}:ID)", exc.candidates) from exc
    if not found:
        if "…" in suggested or len(suggested) > SUGGESTED:  # at most three, then "…"
            suggested = [*[s for s in suggested if s != "…"][:SUGGESTED], "…"]
        message = f"no contact, company or deal matches {safetext.quoted(ref)}"
        raise NotFound(message + did_you_mean(suggested), suggested)
    if len(found) > 1:
        listed = "; ".join(f"{name}:{record.id}" for name, record in found)
        raise Ambiguous(f"{safetext.quoted(ref)} could be {listed} (write one of these)", [listed])
    return found[0]


def _given(value: str | None, what: str) -> str | None:
    """``value`` as given; an empty one is refused (it is not None: a task or a list
    meant to be about a record would be about nobody, or everybody)."""
    if value is not None and not value.strip():
        named = "a contact, company or deal" if what == "REF" else f"a {what} REF"
        raise Invalid(f"the {what} must not be empty: give {named}", field=what.lower())
    return value


def _links(
    session: Session,
    *,
    ref: str | None,
    contact: str | None,
    company: str | None,
    deal: str | None,
) -> Links:
    ref, contact = _given(ref, "REF"), _given(contact, "contact")
    company, deal = _given(company, "company"), _given(deal, "deal")
    links = Links(session)
    if ref:
        links.set(*resolve_any(session, ref))
    if contact:
        links.contact = resolve_contact(session, contact)
    if company:
        links.company = resolve_company(session, company)
    if deal:
        links.deal = resolve_deal(session, deal)
    links.complete()
    return links


def _read(
    activity: Activity,
    contact: str | None,
    company: str | None,
    deal: str | None,
    unreadable: dict[int, list[str]] | None = None,
) -> ActivityRead:
    return ActivityRead(
        id=activity.id,
        kind=activity.kind,
        subject=activity.subject,
        body=activity.body,
        contact=contact,
        contact_id=activity.contact_id,
        company=company,
        company_id=activity.company_id,
        deal=deal,
        deal_id=activity.deal_id,
        occurred_at=activity.occurred_at,
        due_at=activity.due_at,
        remind_at=activity.remind_at,
        repeat=activity.repeat,
        repeat_anchor=activity.repeat_anchor if activity.repeat else None,
        done_at=activity.done_at,
        owner=activity.owner,
        campaign_id=activity.campaign_id,
        channel=activity.channel,
        created_at=activity.created_at,
        unreadable=(unreadable or {}).get(activity.id or 0, []),
    )


def to_read(session: Session, activity: Activity) -> ActivityRead:
    contact = session.get(Contact, activity.contact_id) if activity.contact_id else None
    company = session.get(Company, activity.company_id) if activity.company_id else None
    deal = session.get(Deal, activity.deal_id) if activity.deal_id else None
    return _read(
        activity,
        contact.name if contact else None,
        company.name if company else None,
        deal.title if deal else None,
        odd_dates.unreadable_of(session, ODD_AMOUNTS.get(), "activity"),
    )


def _subject_body(text: str, body: str | None) -> tuple[str, str | None]:
    clean = (text or "").strip()
    if not clean:
        raise Invalid("the text must not be empty")
    first, _, rest = clean.partition("\n")
    subject = validate.name(first, "subject")
    extra = "\n".join(part for part in (rest.strip(), (body or "").strip()) if part)
    return subject, validate.body(extra)


def log_activity(
    store: Store,
    *,
    kind: str,
    text: str,
    ref: str | None = None,
    contact: str | None = None,
    company: str | None = None,
    deal: str | None = None,
    body: str | None = None,
    at: datetime | None = None,
    campaign: str | None = None,
    channel: str | None = None,
) -> ActivityRead:
    """Record a call, email, meeting or note about a contact, company and/or deal.

    ``ref`` may name any of the three. A deal's contact and company, and a
    contact's company, are linked too, so the activity shows on each timeline.
    A ``campaign`` (id or name) or ``channel`` (web, event, ads, …) makes it a
    touch: see ``leads.record_touch``. ``at`` must not be ahead of now (more than a few
    minutes): what is planned is a task (``Invalid`` says so).
    """
    from tinycrm.store.campaign_lookup import resolve_campaign
    from tinycrm.store.leads import record_touch, touch_channel

    clean_kind = validate.activity_kind(kind, LOG_KINDS)
    subject, extra = _subject_body(text, body)
    clean_channel = touch_channel(channel)
    with store.write() as session:
        links = _links(session, ref=ref, contact=contact, company=company, deal=deal)
        if not links.any:
            raise Invalid("an activity must be about a contact, a company or a deal")
        source = resolve_campaign(session, campaign) if campaign else None
        now = utcnow()
        if at is not None:
            check_happened(clean_kind, at, now)  # a planned call is a task
        activity = Activity(
            **new_activity_row(
                None,
                {
                    "kind": clean_kind,
                    "subject": subject,
                    "body": extra,
                    **links.ids(),
                    "occurred_at": at or now,
                    "campaign_id": source.id if source else None,
                    "channel": clean_channel or (source.channel if source else None),
                },
                owner=store.user,
                stamp=now,
            )
        )
        session.add(activity)
        session.flush()
        via = ""
        if source is not None or clean_channel:
            via = f" (via {source.name if source else clean_channel})"
            if links.contact is not None:
                record_touch(session, links.contact, activity, source)
        record_event(
            store,
            session,
            action="logged",
            entity="activity",
            entity_id=activity.id,
            summary=f"logged {clean_kind} with {links.label()}: {subject}{via}",
        )
        return to_read(session, activity)


def add_task(
    store: Store,
    *,
    text: str,
    due: datetime,
    remind: datetime | None = None,
    every: str | None = None,
    contact: str | None = None,
    company: str | None = None,
    deal: str | None = None,
    body: str | None = None,
) -> ActivityRead:
    """Add a task due at ``due``, optionally about a contact, company and/or deal.

    ``remind`` is a time before ``due`` at which ``tinycrm remind`` tells about it;
    ``every`` a repeat rule (``2w``, ``month``, ``weekday``…): completing the task
    creates its next occurrence.
    """
    subject, extra = _subject_body(text, body)
    if remind is not None and remind > due:
        raise Invalid("the reminder must not be after the due time")
    rule = None
    if every:
        try:
            rule = repeat.normalize_repeat(every)
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
    with store.write() as session:
        links = _links(session, ref=None, contact=contact, company=company, deal=deal)
        columns = {"kind": "task", "subject": subject, "body": extra, **links.ids(),
                   "due_at": due, "remind_at": remind, "repeat": rule,
                   "repeat_anchor": due if rule else None}  # fmt: skip
        task = Activity(**new_activity_row(None, columns, owner=store.user, stamp=utcnow()))
        session.add(task)
        session.flush()
        about = f" for {links.label()}" if links.any else ""
        repeats = f", every {rule}" if rule else ""
        record_event(
            store,
            session,
            action="created",
            entity="activity",
            entity_id=task.id,
            summary=f"added task{about}: {subject} (due {dates.format_local(due)}{repeats})",
        )
        return to_read(session, task)


def _task(session: Session, task_id: int) -> Activity:
    task = get_by_id(session, Activity, task_id)
    if task is None:
        raise NotFound(f"no task with id {task_id}")
    if task.kind != "task":  # tasks and logged activities share their ids
        raise NotFound(
            f"#{task_id} is a logged {task.kind}, not a task (tinycrm task list shows the tasks)"
        )
    return task


def _keep_links(session: Session, task: Activity) -> None:
    """The deal, contact and company ``task`` is about kept from being deleted until the
    transaction ends (as :meth:`Links.complete` keeps them). One deleted just now is
    passed over: the task went with it, or lost the link (read afresh after this)."""
    for model, row_id in ((Deal, task.deal_id), (Contact, task.contact_id),
                          (Company, task.company_id)):  # fmt: skip
        record = session.get(model, row_id) if row_id else None
        try:
            if isinstance(record, Deal):
                lock_row(session, record, "deal", record.title, key=True)
            elif isinstance(record, Contact):
                keep_contact(session, record)
            elif isinstance(record, Company):
                keep_company(session, record)
        except NotFound:
            continue


def complete_task(store: Store, task_id: int) -> ActivityRead:
    """Mark a task done (now). A repeating task gets its next occurrence, returned
    as ``next`` in the event summary and findable with ``list_tasks``."""
    with store.write() as session:
        task = _task(session, task_id)
        # what it is about kept first (a delete takes that before the tasks it removes),
        # then the task locked and read afresh: a second completion at once finds it
        # done, a delete meanwhile NotFound; the next occurrence links what is left
        _keep_links(session, task)
        task = lock_row(session, task, "task", task.subject)
        if task.done_at is not None:
            raise Conflict(f"task #{task_id} {task.subject} is already done")
        now = utcnow()
        # A done task happened: it counts as an interaction (rotting, keep-in-touch).
        task.done_at = task.occurred_at = task.updated_at = now
        following = ""
        due = None
        anchor = task.repeat_anchor or task.due_at  # the series follows its rule
        if task.repeat and task.due_at is not None and anchor is not None:
            due = repeat.next_occurrence(task.due_at, task.repeat, after=now, anchor=anchor)
            if due is None:
                following = "; the series ends: the calendar has no date for the next one"
        if due is not None and task.due_at is not None:
            successor = Activity(
                **new_activity_row(
                    None,
                    {
                        "kind": "task",
                        "subject": task.subject,
                        "body": task.body,
                        "contact_id": task.contact_id,
                        "company_id": task.company_id,
                        "deal_id": task.deal_id,
                        "due_at": due,
                        "remind_at": (
                            repeat.reminder_for(
                                due, was_due=task.due_at, was_reminded=task.remind_at
                            )
                            if task.remind_at is not None
                            else None
                        ),
                        "repeat": task.repeat,
                        "repeat_anchor": anchor,
                        "owner": task.owner,
                    },
                    owner=store.user,
                    stamp=now,
                )
            )
            session.add(successor)
            session.flush()
            following = f"; next on {dates.format_local(due)} (#{successor.id})"
        record_event(
            store,
            session,
            action="completed",
            entity="activity",
            entity_id=task.id,
            summary=f"completed task: {task.subject}{following}",
        )
        session.flush()
        return to_read(session, task)


def _named(
    query: Select[*tuple[Any, ...]],
    contact: str | None,
    company: str | None,
    deal: str | None,
    session: Session,
) -> Select[*tuple[Any, ...]]:
    contact, company = _given(contact, "contact"), _given(company, "company")
    deal = _given(deal, "deal")
    if contact:
        query = query.where(col(Activity.contact_id) == resolve_contact(session, contact).id)
    if company:
        query = query.where(col(Activity.company_id) == resolve_company(session, company).id)
    if deal:
        query = query.where(col(Activity.deal_id) == resolve_deal(session, deal).id)
    return query


def _joined(*columns: Any) -> Select[*tuple[Any, ...]]:
    person, account, opportunity = aliased(Contact), aliased(Company), aliased(Deal)
    return (
        select(Activity, col(person.name), col(account.name), col(opportunity.title), *columns)
        .outerjoin(person, col(Activity.contact_id) == col(person.id))
        .outerjoin(account, col(Activity.company_id) == col(account.id))
        .outerjoin(opportunity, col(Activity.deal_id) == col(opportunity.id))
    )


def list_tasks(
    store: Store,
    *,
    scope: str = "open",
    contact: str | None = None,
    company: str | None = None,
    deal: str | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> list[ActivityRead]:
    """Tasks by due time. ``scope``: open, overdue, today (due today, local time),
    upcoming (due after today), done, or all."""
    validate.filters_given(contact=contact, company=company, deal=deal)
    limit = validate.limit(limit)
    if scope not in TASK_SCOPES:
        raise Invalid(f"invalid task scope {scope!r} (choose from {', '.join(TASK_SCOPES)})")
    now = now or utcnow()
    day_start, day_end = local_day(now)
    with store.read() as session:
        query = _joined().where(col(Activity.kind) == "task")
        open_ = col(Activity.done_at).is_(None)
        if scope == "open":
            query = query.where(open_)
        elif scope == "overdue":
            query = query.where(open_, col(Activity.due_at) < now)
        elif scope == "today":
            query = query.where(
                open_, col(Activity.due_at) >= day_start, col(Activity.due_at) < day_end
            )
        elif scope == "upcoming":
            query = query.where(open_, col(Activity.due_at) >= day_end)
        elif scope == "done":
            query = query.where(col(Activity.done_at).is_not(None))
        query = _named(query, contact, company, deal, session)
        if scope == "done":
            query = query.order_by(col(Activity.done_at).desc(), col(Activity.id).desc())
        else:
            query = query.order_by(col(Activity.due_at), col(Activity.id))
        if limit:
            query = query.limit(limit)
        if offset := validate.offset(offset):
            query = query.offset(offset)
        rows = session.execute(query).all()
        odd = odd_dates.unreadable_of(session, ODD_AMOUNTS.get(), "activity")
        return [_read(a, c, co, d, odd) for a, c, co, d in rows]


def list_activities(
    store: Store,
    *,
    contact: str | None = None,
    company: str | None = None,
    deal: str | None = None,
    kinds: list[str] | None = None,
    tasks: bool = True,
    since: datetime | None = None,
    limit: int | None = 50,
) -> list[ActivityRead]:
    """The timeline: activities newest first (tasks by when they were done or added).
    ``tasks=False`` leaves tasks out and keeps every other kind, one tinycrm does not
    offer too (an older version's, or one written by SQL): exports write what is stored.
    ``kinds`` picks tinycrm's kinds and any other stored."""
    validate.filters_given(contact=contact, company=company, deal=deal)
    limit = validate.limit(limit)
    with store.read() as session:
        when = func.coalesce(Activity.occurred_at, Activity.done_at, Activity.created_at)
        query = _joined()
        query = _named(query, contact, company, deal, session)
        if kinds:
            query = query.where(col(Activity.kind).in_(_kinds(session, kinds)))
        if not tasks:
            query = query.where(col(Activity.kind) != "task")
        if since is not None:
            query = query.where(when >= since)
        query = query.order_by(when.desc(), col(Activity.id).desc())
        if limit:
            query = query.limit(limit)
        rows = session.execute(query).all()
        odd = odd_dates.unreadable_of(session, ODD_AMOUNTS.get(), "activity")
        return [_read(a, c, co, d, odd) for a, c, co, d in rows]


def _kinds(session: Session, kinds: list[str]) -> list[str]:
    """The kinds ``kinds`` name: tinycrm's own, or any other an activity is stored with
    (an older version's, a hand-edited dump's 'telepathy'), as stored. One neither is
    refused, naming the kinds stored besides tinycrm's."""
    found: list[str] = []
    stored: set[str] | None = None
    for kind in kinds:
        try:
            found.append(validate.activity_kind(kind))
            continue
        except Invalid:
            if stored is None:
                stored = {k for k in session.scalars(select(col(Activity.kind)).distinct()) if k}
        typed = kind.strip().casefold() if isinstance(kind, str) else ""
        match = [k for k in stored if k.strip().casefold() == typed]
        if not match:
            own = validate.ACTIVITY_KINDS
            others = sorted(k for k in stored if k not in own)
            besides = f"; stored besides those: {', '.join(map(safetext.display, others))}"
            near = validate.nearest(typed, [*own, *others])
            raise Invalid(
                f"no activity is of kind {safetext.quoted(str(kind))}{near} (choose from "
                f"{', '.join(own)}{besides if others else ''})",
                field="kind",
            )
        found.extend(match)
    return found


def get_activity(store: Store, activity_id: int) -> ActivityRead:
    """One activity or task by id, with its whole body (the board's reader shows it)."""
    with store.read() as session:
        activity = get_by_id(session, Activity, activity_id)
        if activity is None:
            raise NotFound(f"no activity with id {activity_id}")
        return to_read(session, activity)
