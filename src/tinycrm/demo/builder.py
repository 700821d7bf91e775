"""Planning the demo's world from the seeded generator, then writing it in time order
(each record at the moment it happened, so reports, feed and dashboard have a past)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from tinycrm.demo import after_sale
from tinycrm.demo.catalogue import plan_catalogue
from tinycrm.demo.data import (
    BODIES,
    CALLS,
    CHURN_REASONS,
    COMPANIES,
    COMPETITORS,
    CONTACT_NOTES,
    CURRENCIES,
    DIALING,
    EMAILS,
    EVENTS,
    FEATURED,
    FULL_NAMES,
    LANGUAGES,
    LEAD_TASKS,
    LEGAL_FORMS,
    LOST_REASONS,
    MEETINGS,
    NAME_POOLS,
    NOTES,
    OPEN_TASKS,
    OWNERS,
    PRODUCTS,
    REGIONS,
    ROLE_WEIGHTS,
    SOURCES,
    STAGES,
    TITLES,
    ascii_fold,
)
from tinycrm.store import activities, companies, contacts, deals
from tinycrm.store.engine import Store
from tinycrm.store.types import written_at

SEED = 20261123
MIN_DEALS = 130
MIN_LOGGED = 640
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Progress = Callable[[int, int], object]
"""Told ``(done, total)`` steps as the demo is written: ``(0, total)`` first, then now and then."""


# --------------------------------------------------------------------------- planning


@dataclass
class _Person:
    name: str
    email: str
    title: str
    role: str
    phone: str
    source: str
    owner: str
    tags: list[str]
    fields: dict[str, str]
    notes: str | None
    lifecycle: str = "lead"
    id: int = 0
    created: datetime = EPOCH

    @property
    def first(self) -> str:
        return self.name.split()[0]


@dataclass
class _Account:
    name: str
    domain: str
    industry: str
    street: str
    city: str
    country: str
    pool: str
    partner: bool
    owner: str
    size: int
    scenario: str
    people: list[_Person] = field(default_factory=list)
    id: int = 0
    created: datetime = EPOCH

    @property
    def short(self) -> str:
        """The name without its legal form: "Nordlicht Logistik GmbH" → "Nordlicht Logistik"."""
        for form in LEGAL_FORMS:
            if self.name.endswith(f" {form}"):
                return self.name.removesuffix(f" {form}")
        return self.name

    @property
    def currency(self) -> str:
        return CURRENCIES.get(self.country, "EUR")


@dataclass
class _Deal:
    account: _Account
    person: _Person
    title: str
    amount: int
    outcome: str  # open, won, lost
    stage: int  # the last stage it reaches (index into STAGES)
    start_ago: int  # days before now it was opened
    end_ago: int  # days before now it was closed (0 for open deals)
    close_offset: int  # close date, in days from today
    kind: str  # new-business, upsell, renewal
    reason: str | None = None
    probability: int | None = None
    id: int = 0
    opened: datetime = EPOCH  # when it was added, moved and closed: set by write_deals
    closed: datetime = EPOCH


class Builder:
    def __init__(self, store: Store, now: datetime) -> None:
        self.store = store
        self.now = now
        self.rng = random.Random(SEED)
        self.accounts: list[_Account] = []
        self.deals: list[_Deal] = []
        self.titles: set[str] = set()
        self.emails: set[str] = set()
        self.logged = 0
        self.people = 0  # added so far: the next one's UID
        self.steps: list[tuple[datetime, int, Callable[[], object]]] = []

    # ---------------------------------------------------------------- helpers

    def pick(self, weighted: tuple[tuple[str, int], ...]) -> str:
        names = [name for name, _ in weighted]
        return self.rng.choices(names, weights=[w for _, w in weighted])[0]

    def at(self, days_ago: int) -> datetime:
        """A plausible working-hours moment ``days_ago`` days back (never in the future)."""
        days = max(1, days_ago)
        moment = self.now - timedelta(days=days)
        while moment.weekday() >= 5:  # weekends: the Friday before
            moment -= timedelta(days=1)
        hour = self.rng.randint(7, 16)
        return moment.replace(
            hour=hour, minute=self.rng.choice((0, 10, 15, 30, 40, 45)), second=0, microsecond=0
        )

    def due(self, days_ahead: int) -> datetime:
        """A due time ``days_ahead`` days from now (negative: overdue), on a working day."""
        moment = self.now + timedelta(days=days_ahead)
        step = timedelta(days=1 if days_ahead > 0 else -1)
        while moment.weekday() >= 5:
            moment += step
        hour = self.rng.choice((9, 10, 11, 14, 15, 16))
        return moment.replace(hour=hour, minute=0, second=0, microsecond=0)

    def fill(self, template: str, person: _Person, account: _Account) -> str:
        return template.format(
            first=person.first,
            competitor=self.rng.choice(COMPETITORS),
            industry=account.industry.lower(),
            event=self.rng.choice(EVENTS),
        )

    # ---------------------------------------------------------------- plan

    def plan_accounts(self) -> None:
        scenarios = ["customer"] * 16 + ["churned"] * 4 + ["pipeline"] * 16
        scenarios += ["lost"] * 4
        scenarios += ["cold"] * (len(COMPANIES) - len(scenarios))
        self.rng.shuffle(scenarios)
        for spec, scenario in zip(COMPANIES, scenarios, strict=True):
            name, domain, industry, street, city, country, pool, partner = spec
            band = self.rng.choices(("small", "mid", "large"), weights=(40, 35, 25))[0]
            low, high = {"small": (12, 190), "mid": (200, 950), "large": (1000, 25000)}[band]
            size = self.rng.randint(low, high)
            account = _Account(
                name,
                domain,
                industry,
                street,
                city,
                country,
                pool,
                partner,
                self.rng.choice(OWNERS),
                size,
                scenario,
            )
            self.plan_people(account)
            self.accounts.append(account)

    def plan_people(self, account: _Account) -> None:
        count = 3 + min(4, account.size // 400) + self.rng.randint(0, 2)
        style = self.rng.choice(("first.last", "first.last", "f.last", "first"))
        names: list[str] = []
        if account.name in FEATURED:
            names.append(FEATURED[account.name])
        while len(names) < count:
            local = [n for n in FULL_NAMES.get(account.pool, ()) if n not in names]
            if local:
                candidate = self.rng.choice(local)
            else:
                # One colleague in six comes from elsewhere: teams are international.
                pool = account.pool
                if pool not in NAME_POOLS or self.rng.random() < 1 / 6:
                    pool = self.rng.choice(sorted(NAME_POOLS))
                given, family = NAME_POOLS[pool]
                candidate = f"{self.rng.choice(given)} {self.rng.choice(family)}"
            if candidate not in names:
                names.append(candidate)
        roles = ["decision-maker", "buyer"] + [
            self.pick(ROLE_WEIGHTS) for _ in range(len(names) - 2)
        ]
        for index, name in enumerate(names):
            role = roles[index]
            tags: list[str] = []
            if role == "decision-maker" and self.rng.random() < 0.5:
                tags.append("champion")
            if self.rng.random() < 0.2:
                tags.append("newsletter")
            if account.size >= 5000 and role == "decision-maker":
                tags.append("vip")
            language = LANGUAGES.get(account.pool, account.pool)
            notes = None
            if self.rng.random() < 0.15:
                notes = self.rng.choice(CONTACT_NOTES).format(
                    event=self.rng.choice(EVENTS), competitor=self.rng.choice(COMPETITORS)
                )
            account.people.append(
                _Person(
                    name=name,
                    email=self.email(name, account.domain, style),
                    title=self.rng.choice(TITLES[role]),
                    role=role,
                    phone=self.phone(account.country),
                    source=self.pick(SOURCES),
                    owner=account.owner if self.rng.random() < 0.85 else self.rng.choice(OWNERS),
                    tags=tags,
                    fields={"language": language},
                    notes=notes,
                )
            )

    def email(self, name: str, domain: str, style: str) -> str:
        given, family = name.split(" ", 1)
        first, last = ascii_fold(given), ascii_fold(family)
        local = {"first.last": f"{first}.{last}", "f.last": f"{first[0]}.{last}"}.get(style, first)
        candidate = f"{local}@{domain}"
        number = 2
        while candidate in self.emails:
            candidate = f"{first}.{last}{number}@{domain}"
            number += 1
        self.emails.add(candidate)
        return candidate

    def phone(self, country: str) -> str:
        code = DIALING[country]
        if code == "+1":
            return f"+1 {self.rng.randint(201, 989)} {self.rng.randint(200, 999)} " + str(
                self.rng.randint(1000, 9999)
            )
        return f"{code} {self.rng.randint(10, 99)} {self.rng.randint(100000, 9999999)}"

    def plan_deals(self) -> None:
        for account in self.accounts:
            scenario = account.scenario
            if scenario == "customer":
                # The first order anywhere in the last two years, repeat business since.
                first = self.rng.randint(90, 720)
                for n in range(self.rng.randint(1, 3)):
                    self.plan_deal(account, "won", end_ago=None if n else first)
                if self.rng.random() < 0.7:
                    for _ in range(self.rng.randint(1, 2)):
                        self.plan_deal(account, "open", kind="upsell")
                if self.rng.random() < 0.3:
                    self.plan_deal(account, "lost", kind="upsell")
            elif scenario == "churned":
                self.plan_deal(account, "won", end_ago=self.rng.randint(300, 420))
                self.plan_deal(
                    account, "lost", kind="renewal", reason=self.rng.choice(CHURN_REASONS)
                )
            elif scenario == "pipeline":
                for _ in range(self.rng.randint(2, 4)):
                    self.plan_deal(account, "open")
                if self.rng.random() < 0.4:
                    self.plan_deal(account, "lost")
            elif scenario == "lost":
                for _ in range(self.rng.randint(1, 2)):
                    self.plan_deal(account, "lost")
        active = [a for a in self.accounts if a.scenario in ("customer", "pipeline")]
        while len(self.deals) < MIN_DEALS:
            account = self.rng.choice(active)
            self.plan_deal(account, "open", kind="upsell" if account.scenario == "customer" else "")
        self.place_open_deals()

    def plan_deal(
        self,
        account: _Account,
        outcome: str,
        *,
        kind: str = "",
        end_ago: int | None = None,
        reason: str | None = None,
    ) -> None:
        buyers = [p for p in account.people if p.role in ("decision-maker", "buyer")]
        person = self.rng.choice(buyers if self.rng.random() < 0.8 else account.people)
        titles = [f"{account.short} – {p}" for p in PRODUCTS]
        free = [t for t in titles if t not in self.titles]
        title = self.rng.choice(free) if free else f"{self.rng.choice(titles)} {len(self.deals)}"
        self.titles.add(title)
        scale = 0.4 if kind == "upsell" else 1.0
        if account.size < 200:
            base = self.rng.randint(6, 40) * 500
        elif account.size < 1000:
            base = self.rng.randint(30, 160) * 500
        else:
            base = self.rng.randint(100, 600) * 500
        amount = max(1000, int(base * scale) // 500 * 500)
        if outcome == "open":
            stage, start_ago, end_ago = 0, 0, 0
        elif outcome == "won":
            stage = 3
            end_ago = end_ago if end_ago is not None else self.rng.randint(3, 240)
            start_ago = end_ago + self.rng.randint(20, 120)
        else:
            stage = self.rng.choices(range(4), weights=(30, 30, 25, 15))[0]
            end_ago = end_ago if end_ago is not None else self.rng.randint(2, 180)
            start_ago = end_ago + self.rng.randint(10, 90)
            reason = reason or self.pick(LOST_REASONS)
        self.deals.append(
            _Deal(
                account=account,
                person=person,
                title=title,
                amount=amount,
                outcome=outcome,
                stage=stage,
                start_ago=start_ago,
                end_ago=end_ago,
                close_offset=-end_ago,
                kind=kind or "new-business",
                reason=reason,
            )
        )

    def place_open_deals(self) -> None:
        """Spread open deals over the stages like a funnel, each stage holding some."""
        open_deals = [d for d in self.deals if d.outcome == "open"]
        for index, deal in enumerate(open_deals):
            stage = (
                index
                if index < len(STAGES)
                else self.rng.choices(range(4), weights=(35, 30, 20, 15))[0]
            )
            deal.stage = stage
            deal.start_ago = self.rng.randint(5 + 12 * stage, 40 + 30 * stage)
            deal.close_offset = self.rng.randint(-14, 30 + 25 * (3 - stage))
            if self.rng.random() < 0.12:
                deal.probability = self.rng.choice((15, 35, 40, 60, 80, 90))

    def plan_lifecycles(self) -> None:
        for account in self.accounts:
            outcomes: dict[int, list[str]] = {id(p): [] for p in account.people}
            for deal in self.deals:
                if deal.account is account:
                    outcomes[id(deal.person)].append(deal.outcome)
            for person in account.people:
                mine = outcomes[id(person)]
                if account.scenario == "churned":
                    person.lifecycle = "churned"
                elif account.scenario == "customer":
                    person.lifecycle = "customer"
                elif "open" in mine:
                    person.lifecycle = "prospect"
                elif account.scenario == "pipeline":
                    person.lifecycle = self.rng.choice(("lead", "prospect"))
                else:
                    person.lifecycle = "lead"

    # ---------------------------------------------------------------- write
    #
    # Writing schedules each step at the moment it happened (an account opened, a
    # deal moved, a call logged); ``run`` then performs them in time order, each with
    # the store's clock set to its moment. So ids, the feed and every stamp (created,
    # moved, closed, done, lifecycle history) read like a real past, and the reports
    # (cycle, funnel, churn, sources) have a history to measure.

    def later(self, moment: datetime, action: Callable[[], object]) -> datetime:
        """Do ``action`` at ``moment`` (never after now); returns the moment used."""
        moment = min(moment, self.now - timedelta(minutes=1))
        self.steps.append((moment, len(self.steps), action))
        return moment

    @staticmethod
    def after(moment: datetime, floor: datetime, minutes: int = 30) -> datetime:
        """``moment``, or a little after ``floor`` if it would come before it."""
        return max(moment, floor + timedelta(minutes=minutes))

    def run(self, progress: Progress | None = None) -> None:
        self.plan_accounts()
        self.plan_deals()
        self.plan_lifecycles()
        self.write_accounts()
        self.write_deals()
        self.write_lifecycles()
        self.write_activities()
        after_sale.plan(self)
        plan_catalogue(self)  # products, line items and quotes (tinycrm.demo.catalogue)
        steps = sorted(self.steps, key=lambda step: step[:2])
        tell = progress or (lambda done, total: None)
        tell(0, len(steps))
        with self.store.write():
            for done, (moment, _order, action) in enumerate(steps, start=1):
                with written_at(moment):
                    action()
                if done % 20 == 0 or done == len(steps):
                    tell(done, len(steps))

    def write_accounts(self) -> None:
        for account in self.accounts:
            tags = [
                "enterprise"
                if account.size >= 1000
                else "smb"
                if account.size < 200
                else "mid-market"
            ]
            if account.partner:
                tags.append("partner")
            fields = {"region": REGIONS[account.country]}
            if account.scenario == "customer":
                plan = (
                    "enterprise" if account.size >= 1000 else self.rng.choice(("starter", "growth"))
                )
                fields["plan"] = plan
                if self.rng.random() < 0.3:
                    tags.append("strategic")
            elif account.scenario == "churned":
                fields["plan"] = "cancelled"
            starts = [d.start_ago for d in self.deals if d.account is account]
            age = max(starts) + self.rng.randint(5, 60) if starts else self.rng.randint(30, 420)
            phone = self.phone(account.country)
            account.created = self.later(
                self.at(age), partial(self.add_company, account, phone, tags, fields)
            )
            for index, person in enumerate(account.people):
                # Customers were prospects first: write_lifecycles makes them customers
                # when their first deal is won (and churned when the renewal is lost).
                first = "prospect" if person.lifecycle in ("customer", "churned") else None
                person.created = self.later(
                    account.created + timedelta(minutes=7 * (index + 1)),
                    partial(self.add_person, account, person, first or person.lifecycle),
                )

    def add_company(
        self, account: _Account, phone: str, tags: list[str], fields: dict[str, str]
    ) -> None:
        account.id = companies.add_company(
            self.store,
            name=account.name,
            domain=account.domain,
            industry=account.industry,
            size=account.size,
            phone=phone,
            address=account.street,
            city=account.city,
            country=account.country,
            owner=account.owner,
            tags=tags,
            fields=fields,
        ).id

    def add_person(self, account: _Account, person: _Person, lifecycle: str) -> None:
        person.id = contacts.add_contact(
            self.store,
            name=person.name,
            email=person.email,
            phone=person.phone,
            title=person.title,
            role=person.role,
            company=str(account.id),
            lifecycle=lifecycle,
            source=person.source,
            owner=person.owner,
            notes=person.notes,
            tags=person.tags,
            fields=person.fields,
            uid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"tinycrm-demo:contact:{self.people}")),
        ).id  # the same UIDs at every build, as everything else in the demo
        self.people += 1

    def write_deals(self) -> None:
        for deal in sorted(self.deals, key=lambda d: -d.start_ago):
            tags = [deal.kind]
            if deal.person.source in ("referral", "web"):
                tags.append("inbound")
            fields = {"product_line": self.rng.choice(("core", "analytics", "services"))}
            opened = self.after(self.at(deal.start_ago), deal.person.created)
            deal.opened = self.later(opened, partial(self.add_deal, deal, tags, fields))
            path = list(range(1, deal.stage + 1))
            if deal.outcome == "won" and self.rng.random() < 0.2:
                path.remove(1)  # a hot inbound lead skips qualification
            steps = [partial(self.move, deal, STAGES[stage]) for stage in path]
            if deal.outcome != "open":
                steps.append(partial(self.close, deal))
            # Moves spread over the deal's life; the outcome on its last day.
            last_ago = deal.end_ago if deal.outcome != "open" else self.rng.randint(1, 4)
            span = max(0, deal.start_ago - last_ago)
            moment = deal.opened
            for number, step in enumerate(steps, start=1):
                days_ago = deal.start_ago - span * number // len(steps)
                moment = self.later(self.after(self.at(days_ago), moment, 60), step)
            deal.closed = moment

    def add_deal(self, deal: _Deal, tags: list[str], fields: dict[str, str]) -> None:
        deal.id = deals.add_deal(
            self.store,
            title=deal.title,
            contact=str(deal.person.id),
            company=str(deal.account.id),
            amount=deal.amount,
            currency=deal.account.currency,
            close_date=(self.now + timedelta(days=deal.close_offset)).date(),
            probability=deal.probability,
            owner=deal.account.owner,
            tags=tags,
            fields=fields,
        ).id

    def move(self, deal: _Deal, stage: str) -> None:
        deals.move_deal(self.store, deal.id, stage)

    def close(self, deal: _Deal) -> None:
        if deal.outcome == "won":
            deals.win_deal(self.store, deal.id)
        else:
            assert deal.reason is not None
            deals.lose_deal(self.store, deal.id, reason=deal.reason)

    def write_lifecycles(self) -> None:
        for account in self.accounts:
            if account.scenario not in ("customer", "churned"):
                continue
            mine = [d for d in self.deals if d.account is account]
            won = min(d.closed for d in mine if d.outcome == "won")
            churned = max((d.closed for d in mine if d.outcome == "lost"), default=None)
            for person in account.people:
                self.later(
                    self.after(won, person.created, 60),
                    partial(self.set_lifecycle, person, "customer"),
                )
                if account.scenario == "churned" and churned is not None:
                    self.later(
                        self.after(churned, won, 120),
                        partial(self.set_lifecycle, person, "churned"),
                    )

    def set_lifecycle(self, person: _Person, lifecycle: str) -> None:
        contacts.edit_contact(self.store, person.id, lifecycle=lifecycle)

    def log(
        self,
        kind: str,
        text: str,
        at: datetime,
        body: str | None = None,
        **about: _Account | _Person | _Deal,
    ) -> None:
        """Log an activity at ``at`` about the records named (their ids once written)."""

        def write() -> None:
            refs: dict[str, Any] = {k: str(v.id) for k, v in about.items()}
            activities.log_activity(self.store, kind=kind, text=text, at=at, body=body, **refs)

        self.later(at, write)
        self.logged += 1

    def task(
        self,
        text: str,
        due: datetime,
        *,
        added: datetime,
        done: bool = False,
        **about: _Account | _Person | _Deal,
    ) -> None:
        """A task added at ``added``, due at ``due``; when ``done``, completed when due."""
        task_id: list[int] = []

        def add() -> None:
            refs: dict[str, Any] = {k: str(v.id) for k, v in about.items()}
            task_id.append(activities.add_task(self.store, text=text, due=due, **refs).id)

        added = self.later(added, add)
        if done:
            self.later(
                self.after(due, added, 60),
                lambda: activities.complete_task(self.store, task_id[0]),
            )

    def write_activities(self) -> None:
        templates = {"call": CALLS, "email": EMAILS, "meeting": MEETINGS, "note": NOTES}
        kinds = (("email", 35), ("call", 30), ("meeting", 20), ("note", 15))
        for deal in sorted(self.deals, key=lambda d: -d.start_ago):
            person, account = deal.person, deal.account
            count = {"open": 3 + deal.stage, "won": 6, "lost": 2 + deal.stage}[deal.outcome]
            count += self.rng.randint(0, 2)
            first_ago = max(deal.start_ago, deal.end_ago + 1)
            moments = sorted(
                (self.rng.randint(deal.end_ago + 1, first_ago) for _ in range(count)),
                reverse=True,
            )
            for index, days_ago in enumerate(moments):
                kind = "call" if index == 0 else self.pick(kinds)
                text = self.fill(self.rng.choice(templates[kind]), person, account)
                body = None
                if self.rng.random() < 0.25:
                    body = self.fill(self.rng.choice(BODIES), person, account)
                self.log(kind, text, self.after(self.at(days_ago), deal.opened), body, deal=deal)
            if deal.outcome == "won":
                self.log("email", "Sent the signed order form", deal.closed, deal=deal)
                self.task(
                    "Send onboarding pack",
                    self.after(self.at(max(1, deal.end_ago - 1)), deal.closed),
                    added=deal.closed,
                    done=True,
                    deal=deal,
                )
            elif deal.outcome == "lost":
                self.log("note", f"Lost: {deal.reason}", deal.closed, deal=deal)
                if self.rng.random() < 0.5:
                    self.task(
                        f"Check back with {person.first} about next year",
                        self.due(self.rng.randint(30, 150)),
                        added=self.after(deal.closed, deal.closed),
                        deal=deal,
                    )
            else:
                text = self.fill(self.rng.choice(OPEN_TASKS), person, account)
                # One open deal in five carries a task that slipped past its due date.
                ahead = (
                    self.rng.randint(-10, -1)
                    if self.rng.random() < 0.2
                    else self.rng.randint(1, 21)
                )
                added = self.after(self.at(self.rng.randint(max(1, -ahead), 14)), deal.opened)
                self.task(text, self.due(ahead), added=added, deal=deal)
                if self.rng.random() < 0.5:
                    due = self.after(self.at(self.rng.randint(1, 10)), deal.opened, 120)
                    self.task(
                        "Send meeting recap",
                        due,
                        added=self.after(due - timedelta(days=1), deal.opened),
                        done=True,
                        deal=deal,
                    )
        self.write_contact_activities()

    def write_contact_activities(self) -> None:
        """Touches with people outside any deal, until the timeline is well filled."""
        people = [(p, a) for a in self.accounts for p in a.people]
        for person, account in people:
            if self.rng.random() < 0.5:
                text = self.rng.choice(
                    (
                        "Intro email",
                        "Sent the product newsletter",
                        "Replied to a question from {first}",
                    )
                )
                self.log(
                    "email",
                    self.fill(text, person, account),
                    self.after(self.at(self.rng.randint(5, 300)), person.created),
                    contact=person,
                )
            if person.lifecycle == "lead" and self.rng.random() < 0.25:
                ahead = (
                    self.rng.randint(-6, -1) if self.rng.random() < 0.3 else self.rng.randint(2, 30)
                )
                added = self.after(self.at(self.rng.randint(max(1, -ahead), 20)), person.created)
                self.task(
                    self.fill(self.rng.choice(LEAD_TASKS), person, account),
                    self.due(ahead),
                    added=added,
                    contact=person,
                )
        for account in self.accounts:
            if account.scenario in ("customer", "churned"):
                self.log(
                    "meeting",
                    "Quarterly business review",
                    self.after(self.at(self.rng.randint(20, 200)), account.created),
                    company=account,
                )
        while self.logged < MIN_LOGGED:
            person, account = self.rng.choice(people)
            kind = self.rng.choice(("call", "email", "note"))
            text = {
                "call": "Catch-up call with {first}",
                "email": "Shared the release notes",
                "note": "{first} mentioned a reorganisation",
            }[kind]
            self.log(
                kind,
                self.fill(text, person, account),
                self.after(self.at(self.rng.randint(3, 240)), person.created),
                contact=person,
            )
