"""Times and days other SQL stored as text in the records beyond contacts, deals and
tasks (events, stage changes, case messages, products, contracts, quotes): each ended
its list or show (and remind, feed, deal and company show) in a traceback
(``ValidationError``, ``ValueError: Invalid isoformat string``). Now a time read as none
is null, its record named in one ``Warning:`` line with its fix; a contract or quote
whose term or expiry cannot be worked out without it is left out of its list and of
remind, named, and its show refuses in one line naming it."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.cli.conftest import Run
from tests.cli.test_odd_dates import _said, _sql


def _records(cli: Callable[..., Run]) -> None:
    for args in [
        ("contact", "add", "Ada", "--email", "ada@x.io"),
        ("product", "add", "Plan", "--price", "99", "--recurring", "month"),
        ("deal", "add", "Pilot", "--amount", "900", "--contact", "Ada"),
        ("deal", "add", "Second", "--amount", "500", "--contact", "Ada"),
        ("deal", "item", "add", "Pilot", "Plan", "--qty", "2"),
        ("quote", "create", "Pilot"),
        ("quote", "create", "Pilot"),
        ("deal", "move", "Pilot", "Qualified"),
        ("deal", "won", "Pilot"),
        ("deal", "won", "Second"),
        ("contract", "add", "--deal", "Pilot", "--term", "12m"),
        ("contract", "add", "--deal", "Second", "--term", "12m"),
        ("case", "add", "Export fails", "--contact", "ada@x.io"),
        ("case", "reply", "1", "Which file?"),
    ]:
        run = cli(*args)
        assert run.exit_code == 0, (args, run.stderr)


def test_a_time_stored_as_text_in_any_record_is_named_not_a_traceback(
    cli: Callable[..., Run],
) -> None:
    _records(cli)
    _sql(
        "UPDATE event SET at = 'odd' WHERE id = 1",
        "UPDATE stage_change SET at = 'odd'",
        "UPDATE case_message SET at = 'odd'",
        "UPDATE product SET created_at = 'odd'",
    )
    for args in [
        ("feed",),
        ("feed", "--json"),
        ("deal", "show", "Pilot"),
        ("contact", "show", "Ada"),
        ("case", "show", "1"),
        ("product", "show", "Plan"),
        ("product", "list", "--json"),
    ]:
        said = _said(cli(*args))
        assert said and all("'odd'" in line and "give it again" in line for line in said), args
    assert any(line.startswith("Warning: event #1 ") for line in _said(cli("feed")))
    products = json.loads(cli("product", "list", "--json").stdout)
    assert products[0]["created_at"] is None


def test_a_contract_or_quote_day_stored_as_text_is_left_out_named(
    cli: Callable[..., Run],
) -> None:
    _records(cli)
    _sql(
        "UPDATE contract SET end_date = 'soon' WHERE id = 1",
        "UPDATE quote SET valid_until = 'later' WHERE id = 1",
    )
    contract = (
        "contract #1 Pilot: its end date is stored as 'soon', no date or time (written by "
        "other SQL?)"
    )
    quote = "quote #1 Q-"
    listed = cli("contract", "list", "--json")
    assert [c["id"] for c in json.loads(listed.stdout)] == [2]
    (line,) = _said(listed)
    assert line.startswith(f"Warning: {contract}: left out; give it again (UPDATE contract ")
    quotes = cli("quote", "list", "--json")
    assert [q["id"] for q in json.loads(quotes.stdout)] == [2]
    (line,) = _said(quotes)
    assert line.startswith(f"Warning: {quote}") and "'later'" in line and "left out" in line
    shown = cli("contract", "show", "1")
    assert shown.exit_code == 1 and "Traceback" not in shown.stderr
    assert shown.stderr.startswith(f"Error: {contract}: give it again (UPDATE contract SET ")
    shown = cli("quote", "show", "1")
    assert shown.exit_code == 1 and "Traceback" not in shown.stderr
    assert shown.stderr.startswith(f"Error: {quote}") and "'later'" in shown.stderr
    reminded = cli("remind", "--all")
    assert reminded.exit_code == 0 and "Traceback" not in reminded.stderr
    assert any(line.startswith(f"Warning: {contract}") for line in reminded.stderr.splitlines())
