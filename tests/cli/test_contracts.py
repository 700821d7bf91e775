"""``tinycrm contract …`` as a person uses it: a refused day or notice is one line on
stderr, and nothing is written."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

import tinycrm


@pytest.fixture
def signed() -> None:
    with tinycrm.open(os.environ["TINYCRM_DB"]) as crm:
        crm.contacts.add("Ada", email="ada@example.com")
        crm.deals.add("Platform", amount="12000", contact="Ada")
        crm.deals.win("Platform")
        crm.contracts.add(deal="Platform", start="2026-01-01", term="12m")


@pytest.mark.usefixtures("signed")
def test_a_cancellation_before_the_contract_began_is_one_line(cli: Callable[..., Any]) -> None:
    result = cli("contract", "cancel", "1", "--on", "1900-01-01")
    assert result.exit_code in (1, 2) and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "before 2026-01-01" in result.stderr
    assert cli("contract", "show", "1", "--json").json()["cancelled_on"] is None


@pytest.mark.usefixtures("signed")
def test_a_notice_longer_than_the_term_is_one_line(cli: Callable[..., Any]) -> None:
    cli("deal", "add", "Support", "--amount", "900", "--contact", "Ada")
    cli("deal", "won", "Support")
    result = cli("contract", "add", "--deal", "Support", "--term", "1m", "--notice", "3m")
    assert result.exit_code in (1, 2) and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "notice 3m is longer than the term 1m" in result.stderr
    assert len(cli("contract", "list", "--json").json()) == 1


@pytest.mark.usefixtures("signed")
def test_deal_rm_names_the_contract_and_deletes_only_with_yes(cli: Callable[..., Any]) -> None:
    result = cli("deal", "rm", "Platform")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "contract #1 Platform (active" in result.stderr and "--yes" in result.stderr
    assert cli("deal", "show", "Platform", "--json").json()["title"] == "Platform"
    result = cli("deal", "rm", "Platform", "--yes")
    assert result.exit_code == 0
    assert "Deleted deal #1 Platform; contract #1 Platform kept, unlinked" in result.stdout
    assert cli("contract", "show", "1", "--json").json()["deal_id"] is None


@pytest.mark.usefixtures("signed")
def test_deal_reopen_of_a_won_deal_with_an_active_contract_is_one_line(
    cli: Callable[..., Any],
) -> None:
    result = cli("deal", "reopen", "Platform")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "has active contract #1 Platform" in result.stderr
    assert "tinycrm contract cancel 1" in result.stderr
    assert cli("deal", "show", "Platform", "--json").json()["status"] == "won"


def test_contract_renew_says_it_won_the_open_renewal_deal(cli: Callable[..., Any]) -> None:
    with tinycrm.open(os.environ["TINYCRM_DB"]) as crm:
        crm.contacts.add("Ada", email="ada@example.com")
        crm.deals.add("Platform", amount="12000", contact="Ada")
        crm.deals.win("Platform")
        crm.contracts.add(deal="Platform", term="1m")  # ends within the 60 lead days
        [deal_id] = crm.contracts.process_renewals().renewal_deals
    result = cli("contract", "renew", "1")
    assert result.exit_code == 0
    assert f"; won renewal deal #{deal_id} Renewal: Platform" in result.stdout
    assert cli("deal", "show", str(deal_id), "--json").json()["status"] == "won"
    assert cli("deal", "list", "--json").json() == []  # no renewal left open in the pipeline


def test_contract_cancel_says_it_lost_the_open_renewal_deal(cli: Callable[..., Any]) -> None:
    with tinycrm.open(os.environ["TINYCRM_DB"]) as crm:
        crm.contacts.add("Ada", email="ada@example.com")
        crm.deals.add("Platform", amount="12000", contact="Ada")
        crm.deals.win("Platform")
        crm.contracts.add(deal="Platform", term="1m")
        [deal_id] = crm.contracts.process_renewals().renewal_deals
    result = cli("contract", "cancel", "1", "--reason", "moved on")
    assert result.exit_code == 0
    assert f"; lost renewal deal #{deal_id} Renewal: Platform" in result.stdout
    shown = cli("deal", "show", str(deal_id), "--json").json()
    assert shown["status"] == "lost" and shown["lost_reason"].endswith(": moved on")


def test_deal_rm_of_an_open_renewal_deal_says_remind_opens_a_new_one(
    cli: Callable[..., Any],
) -> None:
    from datetime import date, timedelta

    start = (date.today() - timedelta(days=330)).isoformat()  # ends in about 35 days
    with tinycrm.open(os.environ["TINYCRM_DB"]) as crm:
        crm.contacts.add("Ada", email="ada@example.com")
        crm.deals.add("Platform", amount="12000", contact="Ada")
        crm.deals.win("Platform")
        crm.contracts.add(deal="Platform", start=start, term="12m")
    assert cli("remind").exit_code == 0
    [renewal] = [d for d in cli("deal", "list", "--json").json() if d["id"] != 1]
    result = cli("deal", "rm", str(renewal["id"]))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"Deleted deal #{renewal['id']} Renewal: Platform; the next tinycrm remind opens a "
        "new renewal deal for contract #1 Platform\n"
    )
    assert cli("remind").exit_code == 0
    titles = [d["title"] for d in cli("deal", "list", "--json").json()]
    assert titles.count("Renewal: Platform") == 1


@pytest.mark.parametrize("verb", ["renew", "cancel"])
def test_a_renewal_deal_deleted_around_a_renew_or_cancel_is_not_an_error(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, verb: str
) -> None:
    """A ``deal rm`` of the open renewal deal from elsewhere, just before or just after
    ``contract renew`` (``cancel``) wrote: the command read the deal to say whether it
    won (lost) it and said 'no deal matches', exit 1, for a contract renewed
    (cancelled), or refused before writing. Now the renewal (cancellation) is said."""
    from tinycrm.api.contracts import Contracts
    from tinycrm.store.deals import remove_deal

    with tinycrm.open(os.environ["TINYCRM_DB"]) as crm:
        crm.contacts.add("Ada", email="ada@example.com")
        crm.deals.add("Platform", amount="12000", contact="Ada")
        crm.deals.win("Platform")
        crm.contracts.add(deal="Platform", term="1m")
        [deal_id] = crm.contracts.process_renewals().renewal_deals
    original = getattr(Contracts, verb)

    def then_deal_rm(self: Contracts, *args: Any, **kwargs: Any) -> Any:
        contract = original(self, *args, **kwargs)
        remove_deal(self._store, deal_id)
        return contract

    monkeypatch.setattr(Contracts, verb, then_deal_rm)
    result = cli("contract", verb, "1")
    monkeypatch.setattr(Contracts, verb, original)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    assert result.stdout.startswith("Renewed contract #1" if verb == "renew" else "Cancelled")
    shown = cli("contract", "show", "1", "--json").json()
    assert shown["renewals"] == 1 if verb == "renew" else shown["status"] == "cancelled"


def test_an_empty_value_is_refused_not_taken_for_no_value(cli: Callable[..., Any]) -> None:
    """contract renew 1 --value "" renewed the contract and dropped its value per term
    (null in --json, no line in show), and won its open renewal deal with no amount;
    contract add --value "" made a contract without the deal's value. Now both are one
    line, exit 1, nothing written."""
    with tinycrm.open(os.environ["TINYCRM_DB"]) as crm:
        crm.contacts.add("Ada", email="ada@example.com")
        for title in ("Platform", "Other"):
            crm.deals.add(title, amount="12000", contact="Ada")
            crm.deals.win(title)
        crm.contracts.add(deal="Platform", term="1m")  # ends within the 60 lead days
        [deal_id] = crm.contracts.process_renewals().renewal_deals
    for args in (
        ("contract", "renew", "1", "--value", ""),
        ("contract", "renew", "1", "--value", "  "),
        ("contract", "add", "--deal", "Other", "--value", ""),
    ):
        result = cli(*args)
        assert result.exit_code == 1 and result.stdout == "", args
        assert result.stderr == (
            "Error: value is empty: give an amount (0 for none), or leave --value out\n"
        )
    shown = cli("contract", "show", "1", "--json").json()
    assert (shown["value"], shown["renewals"]) == (12000, 0)
    assert cli("deal", "show", str(deal_id), "--json").json()["status"] == "open"
    assert len(cli("contract", "list", "--json").json()) == 1


def test_a_late_renew_without_a_gap_is_no_churn_in_the_report(
    cli: Callable[..., Any], freeze_clock: Callable[[datetime], None]
) -> None:
    """An ended contract churned its customer (``remind``); renewed late from the day
    after its end, the churn report counts no churn and no new customer."""
    freeze_clock(datetime(2025, 1, 1, 10, tzinfo=UTC))
    cli("contact", "add", "Ada", "--email", "ada@example.com")
    cli("deal", "add", "Platform", "--amount", "12000", "--contact", "Ada")
    cli("deal", "won", "Platform")
    assert cli("contract", "add", "--deal", "Platform", "--term", "6m").exit_code == 0
    freeze_clock(datetime(2025, 7, 10, 10, tzinfo=UTC))
    cli("remind")

    def q3() -> tuple[int, int, int, int]:
        report = cli("report", "churn", "--by", "quarter", "--from", "2025-07-01", "--json")
        [row] = [r for r in report.json()["rows"] if r["period"] == "2025-Q3"]
        return (
            row["customers_at_start"],
            row["new_customers"],
            row["churned"],
            row["customers_at_end"],
        )

    assert q3() == (1, 0, 1, 0)
    result = cli("contract", "renew", "1")
    assert result.exit_code == 0 and "2025-07-01 to 2025-12-31" in result.stdout
    assert q3() == (1, 0, 0, 1)
    assert cli("contact", "show", "Ada", "--json").json()["lifecycle"] == "customer"


@pytest.mark.usefixtures("signed")
def test_contract_renew_if_ends_a_retry_is_one_line_and_renews_once(
    cli: Callable[..., Any],
) -> None:
    first = cli("contract", "renew", "1", "--if-ends", "2026-12-31")
    assert first.exit_code == 0 and "2027-01-01 to 2027-12-31" in first.stdout
    retry = cli("contract", "renew", "1", "--if-ends", "2026-12-31")
    assert retry.exit_code == 1 and retry.stdout == ""
    assert retry.stderr.count("\n") == 1
    assert "ends on 2027-12-31, not 2026-12-31" in retry.stderr
    shown = cli("contract", "show", "1", "--json").json()
    assert (shown["end_date"], shown["renewals"]) == ("2027-12-31", 1)
    with tinycrm.open(os.environ["TINYCRM_DB"]) as crm:
        with pytest.raises(tinycrm.errors.Conflict):
            crm.contracts.renew(1, if_ends="2026-12-31")
        assert crm.contracts.renew(1, if_ends="2027-12-31").end_date.isoformat() == "2028-12-31"


def test_deal_won_of_a_renewal_deal_of_a_contract_not_started_is_one_line(
    cli: Callable[..., Any],
) -> None:
    """``contract renew`` refuses a contract that has not started: ``deal won`` of its
    renewal deal (opened by a ``remind`` run dated within its term) refuses it too."""
    from tinycrm.store.renewals import process_renewals

    with tinycrm.open(os.environ["TINYCRM_DB"]) as crm:
        crm.contacts.add("Ada", email="ada@example.com")
        crm.deals.add("Platform", amount="12000", contact="Ada")
        crm.deals.win("Platform")
        crm.contracts.add(deal="Platform", start="2030-01-01", term="12m")
        later = datetime(2030, 11, 5, 10, tzinfo=UTC)
        [deal_id] = process_renewals(crm._store, now=later).renewal_deals
    result = cli("deal", "won", str(deal_id))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "has not started yet (it runs from 2030-01-01)" in result.stderr
    assert cli("deal", "show", str(deal_id), "--json").json()["status"] == "open"
    shown = cli("contract", "show", "1", "--json").json()
    assert (shown["status"], shown["renewals"]) == ("upcoming", 0)


@pytest.mark.usefixtures("signed")
def test_a_cancelled_contract_is_not_shown_as_renewing_by_hand(cli: Callable[..., Any]) -> None:
    # contract show said 'renews  by hand (tinycrm contract renew)' of a cancelled
    # contract, which contract renew refuses ('is cancelled; add a new one instead')
    assert "by hand (tinycrm contract renew)" in cli("contract", "show", "1").stdout
    assert cli("contract", "cancel", "1").exit_code == 0
    shown = cli("contract", "show", "1").stdout
    assert "by hand" not in shown and "automatically" not in shown
    assert "renews     no: cancelled" in shown
