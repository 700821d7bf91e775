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
