"""Currency symbols and codes typed in an amount are read, not dropped (issue 13), through
``tinycrm`` run as a process (forked from the fork server, tests/cli/forkserver.py): one
reading for deals, deal edits, lead conversion and budgets."""

from __future__ import annotations

import pytest


def _money(run) -> tuple[float | int | None, str]:  # type: ignore[no-untyped-def]
    assert run.exit_code == 0, run.stderr
    data = run.json()
    return data["amount"], data["currency"]


@pytest.mark.parametrize(
    ("typed", "amount", "currency"),
    [
        ("$120,000.00", 120000, "USD"),
        ("$120000", 120000, "USD"),
        ("12,345.67", 12345.67, "EUR"),
        ("12.345,67", 12345.67, "EUR"),
        ("1.234.567", 1234567, "EUR"),
        ("1,500 JPY", 1500, "JPY"),
        ("USD 500", 500, "USD"),
        ("£7", 7, "GBP"),
        ("500 JPY", 500, "JPY"),
        ("1 234,50 €", 1234.5, "EUR"),
    ],
)
def test_deal_add_reads_the_currency_written_with_the_amount(
    forked, typed: str, amount: int, currency: str
) -> None:
    assert _money(forked("deal", "add", "X", "--amount", typed, "--json")) == (amount, currency)


def test_an_amount_whose_currency_disagrees_with_currency_is_refused(forked) -> None:
    refused = forked("deal", "add", "X", "--amount", "€5", "--currency", "USD")
    assert refused.exit_code == 1
    assert refused.stderr == "Error: amount '€5' is in EUR, but the currency given is USD\n"
    assert forked("deal", "list", "--status", "all", "--json").json() == []
    agreed = forked("deal", "add", "X", "--amount", "$5", "--currency", "usd", "--json")
    assert _money(agreed) == (5, "USD")
    fine = forked("deal", "add", "Y", "--amount", "500.5 JPY")
    assert (fine.exit_code, fine.stderr) == (1, "Error: JPY amounts have no decimal places\n")


def test_deal_edit_follows_the_same_rules(forked) -> None:
    assert _money(forked("deal", "add", "Acme", "--amount", "18500", "--json")) == (18500, "EUR")
    assert _money(forked("deal", "edit", "Acme", "--amount", "$120,000.00", "--json")) == (
        120000,
        "USD",
    )
    for args, message in [
        (["--amount", "€5", "--currency", "GBP"], "amount '€5' is in EUR, but the currency given"),
        (["--amount", "500.5 JPY"], "JPY amounts have no decimal places"),
        (["--amount", "-5 USD"], "amount must not be negative"),
    ]:
        refused = forked("deal", "edit", "Acme", *args)
        assert refused.exit_code == 1
        assert refused.stderr.startswith(f"Error: {message}")
        assert len(refused.stderr.splitlines()) == 1
    assert _money(forked("deal", "show", "Acme", "--json")) == (120000, "USD")  # unchanged
    # a number alone stays in the deal's currency; --currency alone keeps the number
    assert _money(forked("deal", "edit", "Acme", "--amount", "5", "--json")) == (5, "USD")
    assert _money(forked("deal", "edit", "Acme", "--currency", "JPY", "--json")) == (5, "JPY")
    assert _money(
        forked("deal", "edit", "Acme", "--amount", "£7", "--currency", "gbp", "--json")
    ) == (
        7,
        "GBP",
    )


def test_lead_conversion_and_budgets_read_the_currency_too(forked) -> None:
    assert forked("contact", "add", "Ada", "--email", "ada@acme.de").exit_code == 0
    converted = forked("lead", "convert", "Ada", "--deal", "Pilot", "--amount", "$5,000.00")
    assert converted.exit_code == 0, converted.stderr
    assert _money(forked("deal", "show", "Pilot", "--json")) == (5000, "USD")
    added = forked("campaign", "add", "Fair", "--channel", "event", "--budget", "500 JPY", "--json")
    assert added.exit_code == 0, added.stderr
    assert (added.json()["budget"], added.json()["currency"]) == (500, "JPY")
    refused = forked("campaign", "edit", "Fair", "--budget", "£7", "--currency", "USD")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: budget: amount '£7' is in GBP, but the currency given is USD\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--amount", "12.345"],
            "amount '12.345' is ambiguous: write 12345 if '.' separates thousands, or 12.35 "
            "if it is the decimal point (EUR amounts have at most 2 decimal places)",
        ),
        (
            ["--amount", "$1,500"],
            "amount '$1,500' is ambiguous: write 1500 if ',' separates thousands, or 1,5 "
            "if it is the decimal point",
        ),
        (["--amount", "12.345", "--currency", "EUR"], "write 12345 if '.' separates thousands"),
        (["--amount", "12.34567"], "EUR amounts have at most 2 decimal places"),
    ],
)
def test_an_ambiguous_amount_is_refused_not_guessed(forked, args: list[str], message: str) -> None:
    """``--amount 12.345`` made a deal of €12,345.00: three decimals read as thousands."""
    refused = forked("deal", "add", "X", *args)
    assert refused.exit_code == 1 and len(refused.stderr.splitlines()) == 1
    assert refused.stderr.startswith("Error: ") and message in refused.stderr
    assert forked("deal", "list", "--status", "all", "--json").json() == []
    assert forked("deal", "add", "Y", "--amount", "12.34", "--json").json()["amount"] == 12.34
    filtered = forked("deal", "list", "--where", "amount>1,000")
    assert filtered.exit_code != 0 and "is ambiguous: write 1000" in filtered.stderr
