"""Lead scoring: rules the user edits, one UPDATE that scores every contact, and why.

A rule is a filter-language condition over contacts (``size>1000``, ``tag:vip``,
``activity:email within 30d >= 3``, ``campaign:"Spring webinar"=responded``,
``unsubscribed``) and a number of points, positive or negative. A contact's score
is the sum of the points of the rules it matches. :func:`recompute_scores` stores
every contact's score with one ``UPDATE contact SET score = CASE WHEN … THEN p
ELSE 0 END + …`` and then marks leads hot or cold by the thresholds of the config
file's ``[scoring]`` table: a lead scoring at least ``hot`` (10) is hot, one
scoring below ``cold`` (0) is cold, and one in between that scoring had marked
goes back to new. Statuses a person chose (working, junk, dead) are never touched.

The default rules (the classic table) are written once, the first time anything
changes the rules or scores, with an event; after that they are the user's to
change or remove, and are never put back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, case, func, literal, or_, select, update
from sqlmodel import Session, col

from tinycrm import filters
from tinycrm.filters import FilterError
from tinycrm.store import validate
from tinycrm.store.automation_models import ScoreRule
from tinycrm.store.contacts import resolve_contact
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid
from tinycrm.store.filter_fields import ALIASES
from tinycrm.store.filter_sql import InvalidFilter, compile_filter
from tinycrm.store.models import Contact, Event, ReadModel
from tinycrm.store.records import record_event
from tinycrm.store.refs import resolve
from tinycrm.store.types import utcnow
from tinycrm.vocab import plural

ENTITY = "score_rule"
SEEDED = "seeded"  # the action of the event that records the default rules being written
MAX_POINTS = 10_000
AUTOMATIC = ("new", "hot", "cold")  # lead statuses scoring may set; the others are a person's

# name, condition, points: the classic table. "Downloaded pricing" and "Attended a
# webinar" have no record of their own in tinycrm: they are tags (README: Lead scoring).
DEFAULT_RULES: tuple[tuple[str, str, int], ...] = (
    ("Company over 1,000 employees", "size>1000", 5),
    (
        "Target industry",
        'industry=Software or industry=SaaS or industry="IT services" or industry=Fintech',
        3,
    ),
    ("Downloaded pricing", "tag:downloaded-pricing", 4),
    ("Attended a webinar", "tag:attended-webinar", 2),
    ("Opened several emails", "activity:email within 30d >= 3", 1),
    ("Unsubscribed", "unsubscribed", -2),
)


# --------------------------------------------------------------------------- read models


class ScoreRuleRead(ReadModel):
    id: int | None  # None: a default rule not written yet (nothing has changed the rules)
    name: str
    condition: str
    points: int
    matches: int | None = None  # how many contacts match it now, when asked for
    error: str | None = None  # why the condition no longer compiles (the rule is skipped)
    created_at: datetime | None = None


class RuleHit(ReadModel):
    """A rule that fired for a contact."""

    name: str
    condition: str
    points: int


class ScoreExplanation(ReadModel):
    """Why a contact has its score: each rule that fired and its points."""

    contact_id: int
    contact: str
    score: int  # as stored by the last ``tinycrm score``
    total: int  # the sum of the points below: the score now
    rules: list[RuleHit]
    skipped: list[str] = []  # rules whose condition no longer compiles


class ScoreRun(ReadModel):
    """What ``tinycrm score`` did."""

    contacts: int  # contacts scored
    rules: int  # rules applied
    changed: int  # contacts whose score changed
    hot: int  # leads that became hot
    cold: int  # leads that became cold
    new: int  # leads scoring had marked (or that had no status) that are now new
    hot_threshold: int
    cold_threshold: int
    skipped: list[str] = []  # "NAME: why" for rules whose condition no longer compiles


@dataclass(frozen=True)
class _Rule:
    id: int | None
    name: str
    condition: str
    points: int
    created_at: datetime | None = None


# --------------------------------------------------------------------------- the rules


def _seeded(session: Session) -> bool:
    """Whether the rules are the user's: the defaults were written (an event says so),
    or rules are there anyway (restored from a dump, say)."""
    found = session.scalar(
        select(col(Event.id))
        .where(col(Event.entity) == ENTITY, col(Event.action) == SEEDED)
        .limit(1)
    )
    return found is not None or session.scalar(select(col(ScoreRule.id)).limit(1)) is not None


def seed_rules(store: Store, session: Session) -> None:
    """Write the default rules, once per database (an event records that it happened)."""
    if _seeded(session):
        return
    now = utcnow()
    written = []
    for name, condition, points in DEFAULT_RULES:
        session.add(
            ScoreRule(
                name=name,
                name_key=validate.key(name),
                condition=condition,
                points=points,
                created_at=now,
            )
        )
        written.append(f"{name} {points:+d}")
    session.flush()
    record_event(
        store,
        session,
        action=SEEDED,
        entity=ENTITY,
        entity_id=None,
        summary=f"wrote the default score rules: {', '.join(written)}",
    )


def _rules(session: Session) -> list[_Rule]:
    """The rules in force: the stored ones, or the defaults while nothing has written them."""
    if not _seeded(session):
        return [_Rule(None, n, c, p) for n, c, p in DEFAULT_RULES]
    rows = session.scalars(select(ScoreRule).order_by(col(ScoreRule.id)))
    return [_Rule(r.id, r.name, r.condition, r.points, r.created_at) for r in rows]


def _compiled(
    rules: Sequence[_Rule], now: datetime | None, session: Session
) -> tuple[list[tuple[_Rule, ColumnElement[bool]]], dict[str, str]]:
    """Each rule's clause; rules whose condition no longer compiles, or names a campaign,
    company, stage, … that is gone (``no campaign matches 'Webinar'``), are set aside."""
    good: list[tuple[_Rule, ColumnElement[bool]]] = []
    broken: dict[str, str] = {}
    for rule in rules:
        try:
            good.append((rule, _compile_rule(rule.condition, now, session)))
        except InvalidFilter as exc:
            broken[rule.name] = str(exc)
    return good, broken


def _compile_rule(
    condition: str, now: datetime | None, session: Session | None = None
) -> ColumnElement[bool]:
    """A rule's clause over contacts; ``InvalidFilter`` for one that cannot be used, or
    that tests the score: a rule on the score it makes (``score<5`` → +10) would change
    it on every run, each undoing the last. With a ``session``, what it names must
    exist there (without one, only the text is checked)."""
    try:
        node = filters.parse(condition)
    except FilterError as exc:
        raise InvalidFilter(exc.text, exc.offset, exc.reason) from None
    offset = _score_test(node)
    if offset is not None:
        raise InvalidFilter(
            condition,
            offset,
            "a score rule cannot use the score (each run would change what the last one "
            "gave); test what makes the score instead",
        )
    clause = compile_filter("contact", node, text=condition, now=now, session=session)
    return cast(ColumnElement[bool], clause)


def _score_test(node: filters.Node) -> int | None:
    """Where ``node`` compares the score, if it does."""
    if isinstance(node, filters.And | filters.Or):
        return next((o for n in node.operands if (o := _score_test(n)) is not None), None)
    if isinstance(node, filters.Not):
        return _score_test(node.operand)
    if isinstance(node, filters.Comparison):
        return node.offset if ALIASES["contact"].get(node.field, node.field) == "score" else None
    return None


def _points(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("points must be a whole number")
    if value == 0:
        raise Invalid("points must not be 0 (a rule of 0 points changes no score)")
    if abs(value) > MAX_POINTS:
        raise Invalid(f"points must be between -{MAX_POINTS:,} and {MAX_POINTS:,}")
    return value


def _condition(text: str) -> str:
    clean = validate.plain(text or "", "condition").strip()
    if not clean:
        raise Invalid("the condition must not be empty (a filter expression such as size>1000)")
    _compile_rule(clean, None)  # InvalidFilter says where it goes wrong
    return clean


def _read(rule: _Rule, *, matches: int | None = None, error: str | None = None) -> ScoreRuleRead:
    return ScoreRuleRead(
        id=rule.id,
        name=rule.name,
        condition=rule.condition,
        points=rule.points,
        matches=matches,
        error=error,
        created_at=rule.created_at,
    )


def _resolve_rule(session: Session, ref: str | int) -> ScoreRule:
    return resolve(
        session,
        ScoreRule,
        ref,
        what="score rule",
        keys=[(ScoreRule.name_key, validate.key)],
        describe=lambda r: f"#{r.id} {r.name}",
    )


def add_score_rule(
    store: Store, *, name: str, condition: str, points: int, replace: bool = False
) -> ScoreRuleRead:
    """Add a scoring rule: contacts matching ``condition`` (the filter language, over
    contacts) get ``points`` (negative allowed, not 0).

    The condition is checked by compiling it (``InvalidFilter`` says where it goes
    wrong). A rule of that name already there is a ``Conflict`` unless ``replace``.
    Scores change at the next :func:`recompute_scores`.
    """
    clean_name = validate.name(name, "rule name")
    clean_condition = _condition(condition)
    clean_points = _points(points)
    with store.write() as session:
        # what it names must exist (a campaign, a company): a typo, as in --where
        compile_filter("contact", clean_condition, session=session)
        seed_rules(store, session)
        key = validate.key(clean_name)
        row = session.scalars(select(ScoreRule).where(col(ScoreRule.name_key) == key)).first()
        if row is not None and not replace:
            raise Conflict(
                f"score rule {row.name} already exists ({row.condition}: {row.points:+d}); "
                "use --replace to change it"
            )
        if row is None:
            row = ScoreRule(
                name=clean_name,
                name_key=key,
                condition=clean_condition,
                points=clean_points,
                created_at=utcnow(),
            )
            session.add(row)
            action, verb = "created", "added"
        else:
            row.name, row.condition, row.points = clean_name, clean_condition, clean_points
            action, verb = "updated", "changed"
        session.flush()
        assert row.id is not None
        record_event(
            store,
            session,
            action=action,
            entity=ENTITY,
            entity_id=row.id,
            summary=f"{verb} score rule {clean_name}: {clean_condition} → {clean_points:+d}",
        )
        return _read(_Rule(row.id, row.name, row.condition, row.points, row.created_at))


def list_score_rules(
    store: Store, *, count: bool = True, now: datetime | None = None
) -> list[ScoreRuleRead]:
    """The rules in force, oldest first; with ``count``, how many contacts match each now.

    Before anything has written them, these are the defaults (with no id).
    """
    with store.read() as session:
        rules = _rules(session)
        good, broken = _compiled(rules, now, session)
        matches: dict[str, int] = {}
        if count and good:
            sums = [func.coalesce(func.sum(case((c, 1), else_=0)), 0) for _, c in good]
            row = session.execute(select(*sums).select_from(Contact)).one()
            matches = {rule.name: int(n) for (rule, _), n in zip(good, row, strict=True)}
        return [
            _read(r, matches=matches.get(r.name) if count else None, error=broken.get(r.name))
            for r in rules
        ]


def remove_score_rule(store: Store, ref: str | int) -> ScoreRuleRead:
    """Delete a rule (by name, case-insensitive, or id); scores change at the next
    :func:`recompute_scores`. A removed default rule is not put back."""
    with store.write() as session:
        seed_rules(store, session)
        row = _resolve_rule(session, ref)
        read = _read(_Rule(row.id, row.name, row.condition, row.points, row.created_at))
        session.delete(row)
        record_event(
            store,
            session,
            action="deleted",
            entity=ENTITY,
            entity_id=read.id,
            summary=f"deleted score rule {read.name}: {read.condition} → {read.points:+d}",
        )
        return read


# --------------------------------------------------------------------------- scoring


def score_expression(clauses: Sequence[tuple[ColumnElement[bool], int]]) -> Any:
    """``CASE WHEN c1 THEN p1 ELSE 0 END + CASE WHEN c2 …``: a contact's score in SQL."""
    total: Any = literal(0)
    for clause, points in clauses:
        total = total + case((clause, points), else_=0)
    return total


def thresholds(store: Store) -> tuple[int, int]:
    """``(hot, cold)``: the config's ``[scoring]`` table as the API gave it to the store
    (``store.given``; 10 and 0 by default). A broken config file refuses (``Invalid``)."""
    given = store.given.usable()
    return given.score_hot, given.score_cold


def recompute_scores(
    store: Store,
    *,
    hot: int | None = None,
    cold: int | None = None,
    now: datetime | None = None,
    quiet: bool = False,
) -> ScoreRun:
    """Score every contact by the rules in one UPDATE, store it, and mark leads.

    ``quiet`` (imports use it, whose feed entry is their one "imported" event)
    writes no event and does not write the default rules down: they still apply.

    A lead (lifecycle lead) whose status is new, hot, cold or none becomes hot at a
    score of ``hot`` or more, cold below ``cold``, and new in between; working,
    junk and dead are left as they are. ``hot`` and ``cold`` default to the config
    file's ``[scoring]`` table, as the API gave it (``thresholds``). Rules whose
    condition no longer compiles are skipped and named in the result. Call it after
    bulk changes (imports do); it joins the caller's transaction when there is one.
    One event.
    """
    if hot is None or cold is None:
        hot_default, cold_default = thresholds(store)
        hot = hot_default if hot is None else hot
        cold = cold_default if cold is None else cold
    if cold > hot:
        raise Invalid(f"the cold threshold ({cold}) must not be above the hot one ({hot})")
    with store.write() as session:
        if not quiet:
            seed_rules(store, session)
        good, broken = _compiled(_rules(session), now, session)
        score = score_expression([(clause, rule.points) for rule, clause in good])
        changed = cast(CursorResult[Any], session.execute(_update_scores(store, score))).rowcount
        contacts = session.scalar(select(func.count(col(Contact.id)))) or 0
        marked = _mark_leads(session, hot, cold)
        parts = [f"{n} {word}" for word, n in marked.items() if n]
        if not quiet:
            record_event(
                store,
                session,
                action="scored",
                entity="contact",
                entity_id=None,
                summary=f"recomputed lead scores ({plural(len(good), 'rule')}): {changed} of "
                f"{plural(contacts, 'contact')} changed"
                + (f"; leads now {', '.join(parts)}" if parts else ""),
            )
        return ScoreRun(
            contacts=contacts,
            rules=len(good),
            changed=changed,
            hot=marked["hot"],
            cold=marked["cold"],
            new=marked["new"],
            hot_threshold=hot,
            cold_threshold=cold,
            skipped=[f"{name}: {why}" for name, why in broken.items()],
        )


def _update_scores(store: Store, score: Any) -> Any:
    """The one UPDATE that stores every score; rows whose score is unchanged are not
    rewritten. PostgreSQL computes each score once (``UPDATE … FROM`` a subquery);
    SQLite (whose ``UPDATE … FROM`` needs 3.33) evaluates it in SET and WHERE."""
    if store.backend == "postgresql":
        scored = select(col(Contact.id).label("id"), score.label("score")).subquery("scored")
        return (
            update(Contact)
            .where(col(Contact.id) == scored.c.id, col(Contact.score) != scored.c.score)
            .values(score=scored.c.score)
            .execution_options(synchronize_session=False)
        )
    return (
        update(Contact)
        .where(Contact.score != score)
        .values(score=score)
        .execution_options(synchronize_session=False)
    )


def _mark_leads(session: Session, hot: int, cold: int) -> dict[str, int]:
    """Set the automatic lead statuses from the stored scores; how many changed to each."""
    automatic = and_(
        col(Contact.lifecycle) == "lead",
        or_(col(Contact.lead_status).is_(None), col(Contact.lead_status).in_(AUTOMATIC)),
    )
    bands = {
        "hot": col(Contact.score) >= hot,
        "cold": col(Contact.score) < cold,
        "new": and_(col(Contact.score) >= cold, col(Contact.score) < hot),
    }
    now = utcnow()
    out: dict[str, int] = {}
    for status, band in bands.items():
        out[status] = cast(
            CursorResult[Any],
            session.execute(
                update(Contact)
                .where(
                    automatic,
                    band,
                    or_(col(Contact.lead_status).is_(None), col(Contact.lead_status) != status),
                )
                .values(lead_status=status, updated_at=now)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
    return out


def explain_score(store: Store, ref: str | int, *, now: datetime | None = None) -> ScoreExplanation:
    """Each rule that fires for a contact, with its points, and the total.

    ``total`` is the score now; ``score`` what the last :func:`recompute_scores`
    stored (they differ when rules or the contact changed since).
    """
    with store.read() as session:
        contact = resolve_contact(session, ref)
        assert contact.id is not None
        return _explain(session, contact, now)


def explain_contact(
    store: Store, contact_id: int, *, now: datetime | None = None
) -> ScoreExplanation:
    """:func:`explain_score` by contact id (for the contact view)."""
    return explain_score(store, contact_id, now=now)


def _explain(session: Session, contact: Contact, now: datetime | None) -> ScoreExplanation:
    good, broken = _compiled(_rules(session), now, session)
    hits: list[RuleHit] = []
    if good:
        flags = [case((clause, 1), else_=0) for _, clause in good]
        row = session.execute(select(*flags).where(col(Contact.id) == contact.id)).one()
        hits = [
            RuleHit(name=rule.name, condition=rule.condition, points=rule.points)
            for (rule, _), fired in zip(good, row, strict=True)
            if fired
        ]
    assert contact.id is not None
    return ScoreExplanation(
        contact_id=contact.id,
        contact=contact.name,
        score=contact.score,
        total=sum(h.points for h in hits),
        rules=hits,
        skipped=[f"{name}: {why}" for name, why in broken.items()],
    )


__all__ = [
    "DEFAULT_RULES",
    "RuleHit",
    "ScoreExplanation",
    "ScoreRuleRead",
    "ScoreRun",
    "add_score_rule",
    "explain_contact",
    "explain_score",
    "list_score_rules",
    "recompute_scores",
    "remove_score_rule",
    "score_expression",
    "thresholds",
]
