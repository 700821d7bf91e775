"""An edit that changes nothing says so, exit 0, and writes no event (so no hook or webhook
is called for it): ``product edit 1 --price <the same>`` said 'Updated product #1 Plan'."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _setup(cli: Callable[..., Any]) -> None:
    for args in (
        ("company", "add", "Acme", "--domain", "acme.de"),
        ("contact", "add", "Ada", "--email", "ada@acme.de", "--company", "acme.de"),
        ("deal", "add", "Big", "--contact", "Ada", "--tag", "vip"),
        ("product", "add", "Plan", "--price", "100", "--tax", "19"),
        ("deal", "item", "add", "Big", "Plan", "--qty", "2"),
        ("case", "add", "Down", "--contact", "Ada", "--priority", "high"),
    ):
        assert cli(*args).exit_code == 0, args


def test_an_edit_to_the_same_values_says_nothing_changed_and_writes_no_event(
    cli: Callable[..., Any],
) -> None:
    _setup(cli)
    events = len(cli("feed", "--json", "--limit", "1000").json())
    for args, said in (
        (("product", "edit", "Plan", "--price", "100"), "product #1 Plan"),
        (("product", "edit", "1", "--price", "100.00", "--currency", "EUR"), "product #1 Plan"),
        (("product", "edit", "Plan", "--tax", "19", "--name", "Plan"), "product #1 Plan"),
        (("case", "edit", "1", "--priority", "high"), "case #1 Down"),
        (("case", "edit", "1", "--subject", "Down", "--owner", "tester"), "case #1 Down"),
        (("case", "edit", "1", "--owner", ""), "case #1 Down"),  # "": you, who it is already
        (("contact", "edit", "Ada", "--email", "ada@acme.de"), "contact #1 Ada"),
        (("company", "edit", "Acme", "--domain", "acme.de"), "company #1 Acme"),
        (("deal", "edit", "Big", "--contact", "Ada", "--tag", "vip"), "deal #1 Big"),
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert result.stdout == f"Nothing changed: {said}\n", args
        assert result.stderr == ""
    assert len(cli("feed", "--json", "--limit", "1000").json()) == events
    item = cli("deal", "item", "edit", "1", "--qty", "2")
    assert (item.exit_code, item.stdout) == (0, "Nothing changed: item #1 of deal Big\n")
    assert len(cli("feed", "--json", "--limit", "1000").json()) == events


def test_a_real_change_is_still_an_update_and_json_is_the_record(
    cli: Callable[..., Any],
) -> None:
    _setup(cli)
    assert cli("product", "edit", "Plan", "--price", "120").stdout == "Updated product #1 Plan\n"
    assert cli("case", "edit", "1", "--priority", "low").stdout == "Updated case #1 Down\n"
    assert cli("deal", "item", "edit", "1", "--qty", "3").stdout.startswith("Updated item #1")
    same = cli("product", "edit", "Plan", "--price", "120", "--json")
    assert same.exit_code == 0 and same.json()["price"] == 120


def test_case_edit_without_an_option_is_a_usage_error_as_every_edit_is(
    cli: Callable[..., Any],
) -> None:
    """`case edit 1` alone said 'Error: case #1 Down: nothing to change', exit 1, where
    every other edit says which options there are, exit 2."""
    _setup(cli)
    result = cli("case", "edit", "1")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        "Error: nothing to change: give an option to change (see tinycrm case edit --help)"
    )


def test_case_edit_refuses_an_empty_priority_rather_than_ignore_it(
    cli: Callable[..., Any],
) -> None:
    """case edit 1 --priority "" was left out unsaid (and now said 'Nothing changed'),
    where a case always has a priority: refused in one line, exit 1."""
    _setup(cli)
    result = cli("case", "edit", "1", "--priority", " ")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: priority must not be empty (choose from low, normal, high, urgent)\n"
    )
    assert cli("case", "show", "1", "--json").json()["priority"] == "high"
