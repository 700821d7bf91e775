"""``tinycrm case show`` and ``case list``: a pending case's resolution clock is paused
(in-process)."""

from __future__ import annotations

from datetime import UTC, datetime


def test_a_pending_case_shows_its_resolution_as_paused(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("contact", "add", "Ada", "--email", "ada@acme.com").exit_code == 0
    assert cli("case", "add", "Export fails", "--contact", "ada@acme.com").exit_code == 0
    assert cli("case", "reply", "1", "Which file?").exit_code == 0
    before = cli("case", "show", "1").stdout
    assert "resolution due" in before and "paused" not in before
    assert cli("case", "status", "1", "pending").exit_code == 0
    shown = cli("case", "show", "1")
    line = next(x for x in shown.stdout.splitlines() if x.startswith("resolution due"))
    assert line.split(None, 2)[2].startswith("paused (waiting on the customer)")
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


def test_a_pending_case_shows_the_working_time_left_on_its_clock(cli, freeze_clock) -> None:  # type: ignore[no-untyped-def]
    # normal priority: 40 h of working time, all of it left when it goes pending at once
    # (the clock stopped within working hours: on the real one a loaded machine let a
    # third of a second of working time pass between add and pending, 39.9999 h left)
    freeze_clock(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # a Monday, 10:00 in Berlin
    assert cli("contact", "add", "Ada", "--email", "ada@acme.com").exit_code == 0
    assert cli("case", "add", "Export fails", "--contact", "ada@acme.com").exit_code == 0
    assert cli("case", "reply", "1", "Which file?").exit_code == 0
    assert cli("case", "status", "1", "pending").exit_code == 0
    shown = cli("case", "show", "1").stdout
    line = next(x for x in shown.splitlines() if x.startswith("resolution due"))
    assert line.split(None, 2)[2] == "paused (waiting on the customer), 40h left"
    assert cli("case", "show", "1", "--json").json()["resolution_left_hours"] == 40.0
    [row] = cli("case", "list", "--json").json()
    assert row["resolution_left_hours"] == 40.0
    assert "paused, 40h left" in cli("case", "list").stdout
    assert cli("case", "status", "1", "open").exit_code == 0
    assert cli("case", "show", "1", "--json").json()["resolution_left_hours"] is None


def test_a_message_of_several_lines_is_not_shown_with_escaped_line_breaks(cli) -> None:  # type: ignore[no-untyped-def]
    # case show's thread printed a customer's mail as 'Hi,\x0a\x0athe export\x09fails':
    # its line breaks and tabs escaped as a name's are; the table's message is a preview
    # on one or two lines, so they read as spaces (the whole text: --json)
    assert cli("contact", "add", "Ada", "--email", "ada@acme.com").exit_code == 0
    body = "Hi,\n\nthe export\tfails.\nAda"
    assert cli("case", "add", "Export", "--contact", "Ada", "--body", body).exit_code == 0
    shown = cli("case", "show", "1").stdout
    assert "\\x0a" not in shown and "\\x09" not in shown
    assert "Hi, the export fails. Ada" in shown
    assert cli("case", "show", "1", "--json").json()["thread"][0]["body"] == body


def test_case_add_refuses_an_empty_priority(cli) -> None:  # type: ignore[no-untyped-def]
    # case add --priority "" opened a normal case: an empty value read as none given,
    # while case edit --priority "" is refused; now refused the same way (exit 1, as an
    # unknown priority is), nothing written
    assert cli("contact", "add", "Ada", "--email", "ada@acme.com").exit_code == 0
    for empty in ("", "  "):
        run = cli("case", "add", "Export", "--contact", "Ada", "--priority", empty)
        assert run.exit_code == 1, run.stderr
        assert run.stderr.strip().splitlines() == [
            "Error: priority must not be empty (choose from low, normal, high, urgent)"
        ]
    assert cli("case", "list", "--json").json() == []
