"""``tinycrm product …`` as a person uses it: a no-op is said, not reported as a change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def test_restore_of_a_product_that_is_not_archived_says_so(cli: Callable[..., Any]) -> None:
    assert cli("product", "add", "Plan", "--price", "10").exit_code == 0
    result = cli("product", "edit", "Plan", "--restore")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "product Plan is not archived" in result.stderr
    assert "Updated" not in result.stdout


def test_a_tax_quantity_or_discount_of_thirty_digits_is_one_line(
    cli: Callable[..., Any],
) -> None:
    """Numbers past decimal's precision were a traceback (InvalidOperation); now one line
    on stderr, exit 1, and nothing written."""
    huge = "1" + "0" * 30
    assert cli("product", "add", "Plan", "--price", "10").exit_code == 0
    assert cli("deal", "add", "Acme").exit_code == 0
    for args, message in (
        (("product", "add", "Big", "--price", "1", "--tax", huge), "tax must be between 0"),
        (("product", "edit", "Plan", "--tax", huge), "tax must be between 0"),
        (("deal", "item", "add", "Acme", "Plan", "--qty", huge), "quantity is too large"),
        (("deal", "item", "add", "Acme", "Plan", "--discount", huge), "discount must be"),
    ):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert [p["name"] for p in cli("product", "list", "--json").json()] == ["Plan"]
    assert cli("product", "show", "Plan", "--json").json()["tax"] == 0
    assert cli("deal", "item", "list", "Acme", "--json").json() == []


def test_a_typo_in_a_status_priority_or_recurring_suggests_the_word(
    cli: Callable[..., Any],
) -> None:
    """'quote list --status acepted' listed every status and left the reader to spot
    the one meant; now the nearest word is offered first, on the same one line."""
    assert cli("contact", "add", "Ada", "--email", "ada@example.com").exit_code == 0
    for args, hint in (
        (("quote", "list", "--status", "acepted"), "did you mean 'accepted'?"),
        (("contract", "list", "--status", "actve"), "did you mean 'active'?"),
        (("case", "list", "--status", "pendng"), "did you mean 'pending'?"),
        (("case", "add", "Down", "--contact", "Ada", "--priority", "urgnt"), "'urgent'?"),
        (("case", "add", "Down", "--contact", "Ada", "--channel", "emial"), "'email'?"),
        (("product", "add", "Plan", "--price", "1", "--recurring", "monthy"), "'month'?"),
    ):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and hint in result.stderr, result.stderr
    assert "did you mean" not in cli("case", "list", "--status", "xyz").stderr
    assert cli("case", "list", "--json").json() == []
    assert cli("product", "list", "--json").json() == []


def test_an_ambiguous_amount_in_a_filter_names_no_currency(cli: Callable[..., Any]) -> None:
    """'product list --where price>1.005' said to write 1.01 '(AED amounts have at most 2
    decimal places)': a currency nobody typed, and an amount that changes a dinar price;
    now the advice that holds for every currency (1005, or 1.0050)."""
    result = cli("product", "list", "--where", "price>1.005")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "write 1005 if '.' separates thousands, or 1.0050 if" in result.stderr
    assert "AED" not in result.stderr and "1.01" not in result.stderr


def test_an_underscore_in_a_price_quantity_or_value_is_refused_the_same_everywhere(
    cli: Callable[..., Any],
) -> None:
    """product add --price 1_000 made a product at a thousand while deal item add --qty
    1_0 was refused: now every amount, quantity and percentage typed refuses '_' in one
    line naming it, and nothing is written."""
    assert cli("product", "add", "Plan", "--price", "10").exit_code == 0
    assert cli("deal", "add", "Acme").exit_code == 0
    for args in (
        ("product", "add", "Big", "--price", "1_000"),
        ("product", "edit", "Plan", "--price", "1_000"),
        ("product", "edit", "Plan", "--tax", "1_9"),
        ("deal", "item", "add", "Acme", "Plan", "--qty", "1_0"),
        ("deal", "item", "add", "Acme", "Plan", "--price", "1_000"),
        ("deal", "item", "add", "Acme", "Plan", "--discount", "1_0"),
        ("deal", "edit", "Acme", "--amount", "1_000"),
    ):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr
        assert "has an underscore, which does not group digits here: write '" in result.stderr
    assert [p["price"] for p in cli("product", "list", "--json").json()] == [10]
    assert cli("deal", "item", "list", "Acme", "--json").json() == []
    assert cli("deal", "show", "Acme", "--json").json()["amount"] is None


def test_an_underscore_in_a_whole_number_option_is_refused_as_in_an_amount(
    cli: Callable[..., Any],
) -> None:
    """Whole-number options went through Python's int(), which takes 1_0 for ten: case
    resolve --csat 0_4 recorded a 4, deal item edit 0_1 edited item #1 and --limit 1_0
    listed ten. Now they refuse it as amounts and quantities do (a usage error, exit 2)."""
    assert cli("contact", "add", "Ada").exit_code == 0
    assert cli("case", "add", "Down", "--contact", "Ada").exit_code == 0
    assert cli("product", "add", "Plan", "--price", "10").exit_code == 0
    assert cli("deal", "add", "Acme").exit_code == 0
    assert cli("deal", "item", "add", "Acme", "Plan").exit_code == 0
    for args, value in (
        (("case", "resolve", "1", "--csat", "0_4"), "0_4"),
        (("deal", "item", "edit", "0_1", "--qty", "2"), "0_1"),
        (("product", "list", "--limit", "1_0"), "1_0"),
        (("case", "list", "--limit", "1_0"), "1_0"),
    ):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stdout)
        assert result.stderr.count("\n") == 1, result.stderr
        assert f"'{value}' has an underscore, which does not group digits here" in result.stderr
    assert cli("case", "show", "1", "--json").json()["status"] == "new"
    assert cli("deal", "item", "list", "Acme", "--json").json()[0]["quantity"] == 1
    for args in (("case", "resolve", "1", "--csat", "５"), ("case", "list", "--limit", "٣")):
        result = cli(*args)  # other scripts' digits, which int() reads: not as amounts do
        assert result.exit_code == 2 and f"'{args[-1]}' is not a whole number" in result.stderr
    result = cli("case", "resolve", "1", "--csat", "6")
    assert result.exit_code == 2 and "6 is too large (at most 5)" in result.stderr
    assert cli("case", "resolve", "1", "--csat", " 5 ").exit_code == 0


def test_an_empty_quantity_is_refused_as_an_empty_price_is(cli: Callable[..., Any]) -> None:
    """deal item edit 1 --qty "" set an item of 3 back to 1 ('Updated item #1'), and deal
    item add --qty "" added one, where an empty --price is refused on both: now an empty
    quantity is refused too (one line, exit 1, nothing written); --discount "" still
    clears the discount."""
    assert cli("product", "add", "Plan", "--price", "10").exit_code == 0
    assert cli("deal", "add", "Acme").exit_code == 0
    assert (
        cli("deal", "item", "add", "Acme", "Plan", "--qty", "3", "--discount", "5").exit_code == 0
    )
    for args in (
        ("deal", "item", "edit", "1", "--qty", ""),
        ("deal", "item", "edit", "1", "--qty", "  "),
        ("deal", "item", "add", "Acme", "Plan", "--qty", ""),
    ):
        result = cli(*args)
        assert (result.exit_code, result.stdout) == (1, ""), args
        assert result.stderr == "Error: quantity must not be empty\n"
    assert [i["quantity"] for i in cli("deal", "item", "list", "Acme", "--json").json()] == [3]
    assert cli("deal", "item", "edit", "1", "--discount", "").stdout.startswith("Updated")
    assert cli("deal", "item", "list", "Acme", "--json").json()[0]["discount"] == 0


def test_the_first_item_says_it_replaced_the_amount_typed(cli: Callable[..., Any]) -> None:
    """A deal of €18,500 typed by hand became a deal of €297 at its first line item,
    and the line said only 'Added item #1: 3 × Pro plan to deal Acme renewal (€297.00)'.
    Now it says the amount is the items' sum now, and what it was; the next item, whose
    amount nobody typed, says nothing more."""
    assert cli("product", "add", "Pro plan", "--price", "99").exit_code == 0
    assert cli("deal", "add", "Acme renewal", "--amount", "18500").exit_code == 0
    first = cli("deal", "item", "add", "Acme renewal", "Pro plan", "--qty", "3")
    assert first.stdout == (
        "Added item #1: 3 × Pro plan to deal Acme renewal (€297.00); the deal's amount is "
        "now its items' sum, €297.00 (was €18,500.00)\n"
    )
    second = cli("deal", "item", "add", "Acme renewal", "Pro plan")
    assert second.stdout == "Added item #2: 1 × Pro plan to deal Acme renewal (€99.00)\n"
    assert cli("deal", "add", "Empty").exit_code == 0
    plain = cli("deal", "item", "add", "Empty", "Pro plan")
    assert plain.stdout == "Added item #3: 1 × Pro plan to deal Empty (€99.00)\n"
