"""``crm.leads`` and ``crm.scoring``: qualifying leads, converting them, scoring them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinycrm.store.engine import Store
    from tinycrm.store.leads import ConversionRead, LeadRead, QualificationRead
    from tinycrm.store.models import ContactRead
    from tinycrm.store.scoring import ScoreExplanation, ScoreRuleRead, ScoreRun


class Leads:
    """Leads: contacts in the lead lifecycle, their status and BANT (``tinycrm lead``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def list(
        self,
        *,
        status: str | None = None,
        qualified: bool | None = None,
        owner: str | None = None,
        limit: int | None = None,
    ) -> list[LeadRead]:
        """Leads, hottest first; ``status`` may name several (``"hot,working"``)."""
        from tinycrm.store.leads import list_leads

        return list_leads(self._store, status=status, qualified=qualified, owner=owner, limit=limit)

    def status(self, ref: str | int, status: str) -> ContactRead:
        """Set a lead's status (new, working, nurturing, qualified, unqualified, …)."""
        from tinycrm.store.leads import set_lead_status

        return set_lead_status(self._store, ref, status)

    def qualification(self, ref: str) -> QualificationRead:
        """A contact's or deal's BANT answers and notes."""
        from tinycrm.store.leads import get_qualification

        return get_qualification(self._store, ref)

    def qualify(
        self,
        ref: str,
        *,
        answers: Mapping[str, str | None] | None = None,
        notes: Mapping[str, str] | None = None,
    ) -> QualificationRead:
        """Set BANT answers (``{"budget": "yes"}``) and notes; one event."""
        from tinycrm.store.leads import qualify

        return qualify(self._store, ref, answers=answers, notes=notes)

    def convert(
        self,
        ref: str | int,
        *,
        company: str | None = None,
        deal: str | None = None,
        amount: Decimal | int | str | None = None,
        currency: str | None = None,
        stage: str | None = None,
        pipeline: str | None = None,
    ) -> ConversionRead:
        """Make a lead a prospect, with its company and (given ``deal``) a new deal."""
        from tinycrm.store.leads import convert_lead

        return convert_lead(
            self._store,
            ref,
            company=company,
            deal=deal,
            amount=amount,
            currency=currency,
            stage=stage,
            pipeline=pipeline,
        )


class Scoring:
    """Lead scoring rules and scores (``tinycrm score``)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add_rule(
        self, name: str, condition: str, points: int, *, replace: bool = False
    ) -> ScoreRuleRead:
        """A rule: contacts matching ``condition`` (the filter language) get ``points``."""
        from tinycrm.store.scoring import add_score_rule

        return add_score_rule(
            self._store, name=name, condition=condition, points=points, replace=replace
        )

    def rules(self) -> list[ScoreRuleRead]:
        """Every scoring rule, with how many contacts match each."""
        from tinycrm.store.scoring import list_score_rules

        return list_score_rules(self._store)

    def remove_rule(self, ref: str | int) -> ScoreRuleRead:
        """Delete a scoring rule."""
        from tinycrm.store.scoring import remove_score_rule

        return remove_score_rule(self._store, ref)

    def run(self, *, hot: int | None = None, cold: int | None = None) -> ScoreRun:
        """Recompute every contact's score (and hot/cold lead status) in one statement."""
        from tinycrm.store.scoring import recompute_scores

        return recompute_scores(self._store, hot=hot, cold=cold)

    def explain(self, ref: str | int) -> ScoreExplanation:
        """Which rules give a contact its score."""
        from tinycrm.store.scoring import explain_score

        return explain_score(self._store, ref)
