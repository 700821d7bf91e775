"""``crm.contracts``: what customers signed after a deal was won, and its renewals.

::

    contract = crm.contracts.add(deal="Acme platform", term="12m", notice="30d")
    crm.contracts.list(renewing=90)          # active contracts ending within 90 days
    crm.contracts.renew(contract.id)         # the next term
    crm.contracts.process_renewals()         # what `tinycrm remind` writes: renewal
                                             # deals, roll-forwards, lapses and churn
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from tinycrm.api import values
from tinycrm.api.settings import usable

if TYPE_CHECKING:
    from tinycrm.config import Config
    from tinycrm.store.engine import Store
    from tinycrm.store.renewals import RenewalRun
    from tinycrm.store.service_models import ContractRead


class Contracts:
    """The contracts of one open CRM. A contract's REF is its id."""

    def __init__(self, store: Store, config: Config | None = None) -> None:
        self._store = store
        self._config = config  # None: the config file as it is now (api.settings.usable)

    def add(
        self,
        *,
        deal: str | int,
        start: date | str | None = None,
        end: date | str | None = None,
        term: str | None = None,
        value: Decimal | int | str | None = None,
        currency: str | None = None,
        auto_renew: bool = False,
        notice: str | None = None,
        title: str | None = None,
        owner: str | None = None,
    ) -> ContractRead:
        """Make a contract from a won deal (its amount and currency by default).
        ``start`` defaults to today; ``term`` (``12m``, ``1y``, ``90d``) to the config's
        ``[contracts] default_term`` unless ``end`` is given; ``notice`` is how long
        before the end notice must be given (``30d``, ``3m``)."""
        from tinycrm.store.contracts import add_contract

        default_term = "12m"
        if term is None and end is None:  # the config's only when it is used
            default_term = usable(self._config).contracts.default_term
        return add_contract(
            self._store,
            deal=deal,
            start=values.day(start, "start"),
            end=values.day(end, "end"),
            term=term,
            value=value,
            currency=currency,
            auto_renew=auto_renew,
            notice=notice,
            title=title,
            owner=owner,
            default_term=default_term,
        )

    def get(self, ref: str | int) -> ContractRead:
        """One contract by id, its status and current term as of today."""
        from tinycrm.store.contracts import get_contract

        return get_contract(self._store, ref)

    def list(
        self,
        *,
        status: str | None = None,
        renewing: int | str | None = None,
        contact: str | None = None,
        company: str | None = None,
        deal: str | None = None,
        limit: int | None = None,
    ) -> list[ContractRead]:
        """Contracts, soonest end first: ``status`` active, upcoming (not started yet),
        ended or cancelled (None: all); ``renewing``: only active or upcoming ones whose
        current term ends within that many days (a number, or ``90d``, ``3m``)."""
        from tinycrm.store.contracts import list_contracts

        return list_contracts(
            self._store,
            status=status,
            renewing_days=renewing_days(renewing),
            contact=contact,
            company=company,
            deal=deal,
            limit=limit,
        )

    def renew(
        self,
        ref: str | int,
        *,
        term: str | None = None,
        end: date | str | None = None,
        value: Decimal | int | str | None = None,
        if_ends: date | str | None = None,
    ) -> ContractRead:
        """Add the next term (the contract's own term, or ``term``, or up to ``end``).
        ``if_ends``: only if the current term ends on that day (``Conflict`` otherwise,
        nothing written): a script's retry after a timeout does not renew twice."""
        from tinycrm.store.contracts import renew_contract

        return renew_contract(
            self._store,
            ref,
            term=term,
            end=values.day(end, "end"),
            value=value,
            if_ends=values.day(if_ends, "if_ends"),
        )

    def cancel(
        self, ref: str | int, *, on: date | str | None = None, reason: str | None = None
    ) -> ContractRead:
        """Cancel a contract as of ``on`` (default today): it stops renewing."""
        from tinycrm.store.contracts import cancel_contract

        return cancel_contract(self._store, ref, on=values.day(on, "on"), reason=reason)

    def process_renewals(self) -> RenewalRun:
        """Open due renewal deals, roll auto-renewing contracts forward and record
        contracts that ended without renewal (and their customers' churn): what
        ``tinycrm remind`` does first. Safe to run any number of times, also at once."""
        from tinycrm.store.renewals import process_renewals

        lead = usable(self._config).contracts.renewal_lead_days
        return process_renewals(self._store, lead_days=lead)


def renewing_days(value: int | str | None) -> int | None:
    """``90``, ``90d``, ``12w``, ``3m`` -> days (a month: 30 days, a year: 365)."""
    from tinycrm import terms
    from tinycrm.errors import Invalid

    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid(
            f"renewing must be a number of days or a length (90d, 3m), not {type(value).__name__}",
            field="renewing",
        )
    if isinstance(value, int):
        return value
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        term = terms.parse_term(text, "renewing")
    except ValueError as exc:
        raise Invalid(str(exc), field="renewing") from exc
    return term.count if term.unit == "d" else term.count * 30
