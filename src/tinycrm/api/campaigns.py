"""``crm.campaigns`` and ``crm.sequences``: outreach, its members, and follow-up sequences."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from tinycrm.api import values
from tinycrm.api.values import When
from tinycrm.store.records import UNSET, Unset

if TYPE_CHECKING:
    from tinycrm.store.campaigns import (
        CampaignRead,
        CampaignRemoval,
        CampaignReport,
        CampaignView,
        MembersAdded,
        MembersChanged,
    )
    from tinycrm.store.engine import Store
    from tinycrm.store.sequences import EnrollmentRead, SequenceRead


class Campaigns:
    """Campaigns with a channel, dates, budget and members (``tinycrm campaign``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        name: str,
        *,
        channel: str,
        starts: date | str | None = None,
        ends: date | str | None = None,
        budget: Decimal | int | str | None = None,
        currency: str | None = None,
        notes: str | None = None,
    ) -> CampaignRead:
        """A new campaign."""
        from tinycrm.store.campaigns import add_campaign

        return add_campaign(
            self._store,
            name=name,
            channel=channel,
            starts_on=values.day(starts, "starts"),
            ends_on=values.day(ends, "ends"),
            budget=budget,
            currency=currency,
            notes=notes,
        )

    def get(self, ref: str | int) -> CampaignRead:
        """One campaign by id or name."""
        from tinycrm.store.campaigns import get_campaign

        return get_campaign(self._store, ref)

    def show(self, ref: str | int, *, status: str | None = None) -> CampaignView:
        """A campaign with its members (of one ``status`` when given)."""
        from tinycrm.store.campaigns import campaign_view

        return campaign_view(self._store, ref, status=status)

    def list(self) -> list[CampaignRead]:
        """Every campaign."""
        from tinycrm.store.campaigns import list_campaigns

        return list_campaigns(self._store)

    def edit(
        self,
        ref: str | int,
        *,
        name: str | Unset = UNSET,
        channel: str | Unset | None = UNSET,
        starts: date | str | Unset | None = UNSET,
        ends: date | str | Unset | None = UNSET,
        budget: Decimal | int | str | Unset | None = UNSET,
        currency: str | Unset | None = UNSET,
        notes: str | Unset | None = UNSET,
    ) -> CampaignRead:
        """Change a campaign: what is left out is kept, ``None`` clears."""
        from tinycrm.store.campaigns import edit_campaign

        given = values.changes(
            name=name, channel=channel, budget=budget, currency=currency, notes=notes
        )
        if starts is not UNSET:
            given["starts_on"] = values.day(starts, "starts")
        if ends is not UNSET:
            given["ends_on"] = values.day(ends, "ends")
        return edit_campaign(self._store, ref, **given)

    def remove(self, ref: str | int) -> CampaignRemoval:
        """Delete a campaign; ``still_named_by``: the saved segments and scoring rules that
        test it, left as they are."""
        from tinycrm.store.campaigns import remove_campaign

        return remove_campaign(self._store, ref)

    def add_members(
        self,
        ref: str | int,
        *,
        contacts: Iterable[str | int] = (),
        where: str | None = None,
        segment: str | None = None,
    ) -> MembersAdded:
        """Target contacts (named, or matching a filter); consent is respected."""
        from tinycrm.store.campaigns import add_members

        return add_members(self._store, ref, contacts=contacts, where=where, segment=segment)

    def set_status(
        self,
        ref: str | int,
        status: str,
        *,
        contacts: Sequence[str | int] = (),
        all_targeted: bool = False,
    ) -> MembersChanged:
        """Move members to ``status`` (sent, responded, converted, …)."""
        from tinycrm.store.campaigns import set_member_status

        return set_member_status(
            self._store, ref, status=status, contacts=contacts, all_targeted=all_targeted
        )

    def remove_members(self, ref: str | int, *, contacts: Sequence[str | int]) -> MembersChanged:
        """Take contacts out of a campaign."""
        from tinycrm.store.campaigns import remove_members

        return remove_members(self._store, ref, contacts=contacts)

    def report(self, ref: str | int) -> CampaignReport:
        """Members by status, responses, conversions, won revenue and cost per result."""
        from tinycrm.store.campaigns import campaign_report

        return campaign_report(self._store, ref)


class Sequences:
    """Follow-up sequences: steps of tasks a contact is enrolled in (``tinycrm sequence``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(self, name: str, steps: Sequence[tuple[int, str]]) -> SequenceRead:
        """A sequence of ``(days after the previous step, task text)``."""
        from tinycrm.store.sequences import add_sequence

        return add_sequence(self._store, name=name, steps=steps)

    def list(self) -> list[SequenceRead]:
        """Every sequence."""
        from tinycrm.store.sequences import list_sequences

        return list_sequences(self._store)

    def enroll(
        self, sequence: str, contacts: Sequence[str], *, start: When | None = None
    ) -> builtins.list[EnrollmentRead]:
        """Enroll contacts; their first step's task is due ``start`` (default now)."""
        from tinycrm.store.sequences import enroll_contacts

        return enroll_contacts(self._store, sequence, contacts, start=values.when(start, "start"))

    def stop(self, sequence: str, contacts: Sequence[str]) -> int:
        """Stop contacts' enrollments; returns how many stopped."""
        from tinycrm.store.sequences import stop_sequence

        return stop_sequence(self._store, sequence, contacts)

    def enrollments(self, sequence: str) -> builtins.list[EnrollmentRead]:
        """Who is enrolled in a sequence, and where each stands."""
        from tinycrm.store.sequences import list_enrollments

        return list_enrollments(self._store, sequence)
