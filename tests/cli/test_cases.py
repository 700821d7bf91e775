"""``tinycrm case show`` and ``case list``: a pending case's resolution clock is paused
(in-process)."""

from __future__ import annotations


def test_a_pending_case_shows_its_resolution_as_paused(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("contact", "add", "Ada", "--email", "ada@acme.com").exit_code == 0
    assert cli("case", "add", "Export fails", "--contact", "ada@acme.com").exit_code == 0
    assert cli("case", "reply", "1", "Which file?").exit_code == 0
    before = cli("case", "show", "1").stdout
    assert "resolution due" in before and "paused" not in before
    assert cli("case", "status", "1", "pending").exit_code == 0
    shown = cli("case", "show", "1")
    line = next(x for x in shown.stdout.splitlines() if x.startswith("resolution due"))
    assert line.split(None, 2)[2] == "paused (waiting on the customer)"
    data = cli("case", "show", "1", "--json").json()
    assert (data["resolution_paused"], data["resolution_due_at"]) == (True, None)
    listed = cli("case", "list", "--csv").stdout.splitlines()
    assert listed[0].split(",")[:7] == [
        "id", "subject", "status", "priority", "channel", "contact", "contact_id",
    ]  # fmt: skip
    table = cli("case", "list").stdout
    assert "paused" in table
    assert cli("case", "status", "1", "open").exit_code == 0
    assert "paused" not in cli("case", "show", "1").stdout
