"""The demo's life after the sale: contracts for recent wins, and support cases.

``plan`` adds them to the builder's steps (``Builder.later``), so each is written at the
moment it happened, in order with everything else: the contracts' terms and the cases'
SLA figures read as a plausible past.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tinycrm.store import cases, contracts

CASES = (
    # subject, priority, channel, days ago opened, hours to the first reply, hours to
    # resolution, CSAT (None: not yet / not given)
    ("Cannot log in after the update", "urgent", "phone", 2, 0.5, None, None),
    ("Export to CSV misses the notes column", "normal", "email", 6, 3, 30, 4),
    ("Invoice shows the old address", "low", "email", 12, 20, 60, 5),
    ("Sync with the calendar stopped", "high", "chat", 1, None, None, None),
    ("Question about user licences", "normal", "web", 9, 5, None, None),
    ("Reports load slowly", "high", "email", 20, 6, 40, 3),
    ("Two-factor codes arrive late", "urgent", "phone", 4, 3, 12, 2),
)
BODIES = {
    "phone": "Called in: {subject}.",
    "email": "Hi, {subject}. Can you have a look? Thanks",
    "chat": "{subject} since this morning",
    "web": "Form: {subject}",
}


def plan(builder: Any) -> None:
    """Two contracts (one renewing by itself) for the latest wins of current customers, and a
    handful of support cases: new, answered, resolved with CSAT, some past a target."""
    store, now = builder.store, builder.now
    wins = sorted(
        (d for d in builder.deals if d.outcome == "won" and d.person.lifecycle == "customer"),
        key=lambda d: d.closed,
        reverse=True,
    )
    for n, deal in enumerate(wins[:2]):
        signed = builder.after(deal.closed + timedelta(days=2), deal.closed, 60)

        def sign(deal: Any = deal, signed: datetime = signed, renews: bool = n == 0) -> None:
            contracts.add_contract(
                store,
                deal=deal.id,
                start=signed.date(),
                term="12m",
                auto_renew=renews,
                notice="30d" if renews else "60d",
                now=signed,
            )

        builder.later(signed, sign)
    people = [
        person
        for account in builder.accounts
        if account.scenario == "customer"
        for person in account.people
    ]
    if not people:
        return
    for subject, priority, channel, days_ago, reply, resolve, csat in CASES:
        person = builder.rng.choice(people)
        opened = builder.after(
            _weekday(now - timedelta(days=days_ago, hours=builder.rng.randint(0, 5))),
            person.created,
        )
        made: dict[str, int] = {}

        def open_case(
            person: Any = person,
            subject: str = subject,
            priority: str = priority,
            channel: str = channel,
            opened: datetime = opened,
            made: dict[str, int] = made,
        ) -> None:
            made["id"] = cases.add_case(
                store,
                subject=subject,
                contact=str(person.id),
                priority=priority,
                channel=channel,
                body=BODIES[channel].format(subject=subject.lower()),
                owner=person.owner,
                now=opened,
            ).id

        opened = builder.later(opened, open_case)
        if reply is not None:
            answered = opened + timedelta(hours=reply)

            def answer(
                person: Any = person, made: dict[str, int] = made, at: datetime = answered
            ) -> None:
                text = f"Thanks {person.first}, we are on it."
                cases.reply_case(store, made["id"], text, now=min(at, now - timedelta(minutes=1)))

            builder.later(answered, answer)
        if resolve is not None:
            solved = opened + timedelta(hours=resolve)

            def close(
                made: dict[str, int] = made, at: datetime = solved, score: int | None = csat
            ) -> None:
                cases.resolve_support_case(
                    store, made["id"], csat=score, now=min(at, now - timedelta(minutes=1))
                )

            builder.later(solved, close)


def _weekday(moment: datetime) -> datetime:
    """The moment, moved back to a weekday at 10:00 when it falls on a weekend."""
    while moment.weekday() >= 5:
        moment = (moment - timedelta(days=1)).replace(hour=10, minute=0)
    return moment
