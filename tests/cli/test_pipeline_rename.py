"""``tinycrm pipeline rename`` as a user types it."""

from __future__ import annotations


def test_pipeline_rename_says_what_it_did(cli) -> None:
    """`pipeline rename` said "No such command 'rename'": a pipeline kept its first name."""
    assert cli("pipeline", "add", "Hirng", "--stage", "Applied:10").exit_code == 0
    assert cli("segment", "save", "Hires", "pipeline=Hirng").exit_code == 0
    r = cli("pipeline", "rename", "hirng", "Hiring")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == (
        "Renamed pipeline #2 Hirng to Hiring\nRewrote 1 segment to the new name: Hires\n"
    )
    r = cli("pipeline", "rename", "Hiring", "Sales")
    assert (r.exit_code, r.stdout, r.stderr) == (
        1,
        "",
        "Error: a pipeline named 'Sales' already exists\n",
    )
    r = cli("pipeline", "rename", "2", "Recruiting", "--json")
    assert r.json() == {
        "id": 2,
        "old": "Hiring",
        "name": "Recruiting",
        "rewritten": ["segment Hires"],
    }
