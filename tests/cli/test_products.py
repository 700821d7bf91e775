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
