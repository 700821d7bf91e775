"""Counts in messages are English ("1 contact", "2 contacts", "4 companies") and
``--source`` keeps the case the user typed ("LinkedIn", not "linkedin")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tinycrm.vocab import plural


@pytest.mark.parametrize(
    ("n", "noun", "said"),
    [
        (0, "contact", "0 contacts"),
        (1, "contact", "1 contact"),
        (2, "contact", "2 contacts"),
        (1, "company", "1 company"),
        (4, "company", "4 companies"),
        (9, "activity", "9 activities"),
        (2, "day", "2 days"),
        (3, "match", "3 matches"),
        (2, "box", "2 boxes"),
        (1, "open deal", "1 open deal"),
        (1200, "open deal", "1,200 open deals"),
        (0, "stage change", "0 stage changes"),
    ],
)
def test_plural(n: int, noun: str, said: str) -> None:
    assert plural(n, noun) == said


def _contacts(cli, n: int, prefix: str) -> list[str]:
    emails = [f"{prefix}{i}@x.com" for i in range(n)]
    for i, email in enumerate(emails):
        assert cli("contact", "add", f"{prefix.title()} {i}", "--email", email).exit_code == 0
    return emails


@pytest.mark.parametrize(("n", "word"), [(1, "contact"), (2, "contacts")])
def test_export_and_score_summaries_count_in_english(cli, tmp_path: Path, n: int, word) -> None:
    _contacts(cli, n, "p")
    exported = cli("export", "contacts", "--out", str(tmp_path / "out.csv"))
    assert f"Exported {n} {word} to " in exported.stderr
    assert (
        cli("score", "rule", "add", "Everyone", "--points", "1", "--when", "email~x").exit_code == 0
    )
    scored = cli("score")
    assert scored.stdout.startswith(f"Scored {n} {word} with "), scored.stdout
    assert f": {n} {'score' if n == 1 else 'scores'} changed;" in scored.stdout


@pytest.mark.parametrize(("n", "said"), [(1, "Added 1 member to Spring"), (2, "Added 2 members")])
def test_campaign_members_count_in_english(cli, n: int, said: str) -> None:
    emails = _contacts(cli, n, "m")
    assert cli("campaign", "add", "Spring", "--channel", "email").exit_code == 0
    added = cli("campaign", "add-members", "Spring", *emails)
    assert said in added.stdout, added.stdout


@pytest.mark.parametrize(("steps", "said"), [(1, "(1 task)"), (2, "(2 tasks)")])
def test_sequence_enrolment_counts_its_tasks_in_english(cli, steps: int, said: str) -> None:
    _contacts(cli, 1, "s")
    args = ["sequence", "add", "Onboard", "--step", "0:Say hello"]
    if steps == 2:
        args += ["--step", "3:Follow up"]
    assert cli(*args).exit_code == 0
    enrolled = cli("sequence", "enroll", "Onboard", "s0@x.com")
    assert enrolled.stdout.strip().endswith(said), enrolled.stdout


@pytest.mark.parametrize(("n", "said"), [(1, "1 created"), (2, "2 created")])
def test_import_summary_and_feed_count_in_english(cli, tmp_path: Path, n: int, said: str) -> None:
    rows = "".join(f"P {i},p{i}@x.com\n" for i in range(n))
    (tmp_path / "people.csv").write_text("name,email\n" + rows)
    imported = cli("import", "contacts", str(tmp_path / "people.csv"))
    assert said in imported.stdout, imported.stdout
    feed = cli("feed", "--json")
    summaries = [event["summary"] for event in json.loads(feed.stdout)]
    word = "contact" if n == 1 else "contacts"
    assert any(f"imported {n} {word} from" in s for s in summaries), summaries


def test_source_keeps_the_case_typed(cli, tmp_path: Path) -> None:
    added = cli("contact", "add", "Ada", "--source", "LinkedIn", "--json")
    assert added.json()["source"] == "LinkedIn"
    edited = cli("contact", "edit", "Ada", "--source", "eVent Booth", "--json")
    assert edited.json()["source"] == "eVent Booth"
    (tmp_path / "people.csv").write_text("name,email,source\nBob,bob@x.com,GitHub Sponsors\n")
    assert cli("import", "contacts", str(tmp_path / "people.csv")).exit_code == 0
    shown = cli("contact", "show", "bob@x.com", "--json")
    assert shown.json()["source"] == "GitHub Sponsors"
    listed = cli("contact", "list", "--csv")
    assert "eVent Booth" in listed.stdout and "GitHub Sponsors" in listed.stdout
