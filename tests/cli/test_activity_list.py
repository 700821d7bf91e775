"""``tinycrm activity list``: the logged calls, emails, meetings and notes as a list."""

from __future__ import annotations


def test_activity_list_shows_the_timeline_filtered(cli) -> None:
    """`activity list` said "No such command 'list'": the calls logged could be read only
    one record at a time (`contact show`) or through an export."""
    assert cli("contact", "add", "Ann").exit_code == 0
    assert cli("company", "add", "Co").exit_code == 0
    assert cli("log", "call", "Ann", "Hi there").exit_code == 0
    assert cli("log", "note", "Co", "Moved offices").exit_code == 0
    r = cli("activity", "list")
    assert r.exit_code == 0, r.stderr
    assert [line.split()[:3] for line in r.stdout.splitlines()] == [
        ["id", "when", "kind"],
        ["2", "just", "now"],
        ["1", "just", "now"],
    ]
    calls = cli("activity", "list", "--kind", "call", "--json").json()
    assert [(a["id"], a["subject"], a["contact"]) for a in calls] == [(1, "Hi there", "Ann")]
    assert [a["id"] for a in cli("activity", "list", "--company", "Co", "--json").json()] == [2]
    assert [a["id"] for a in cli("activity", "list", "--limit", "1", "--json").json()] == [2]
    r = cli("activity", "list", "--kind", "cal")
    assert (r.exit_code, r.stdout) == (1, "")
    assert "did you mean 'call'?" in r.stderr
    assert cli("activity", "list", "--contact", "Nobody").exit_code == 1
