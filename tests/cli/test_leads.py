"""Leads, touches and duplicates through the command line."""

from __future__ import annotations

import csv
import io
import re

import pytest


def _add(cli, *args: str) -> None:
    result = cli("contact", "add", *args)
    assert result.exit_code == 0, result.stderr


def test_lead_status_in_contact_add_edit_list_and_show(cli) -> None:
    _add(cli, "Ada Lovelace", "--email", "ada@example.com", "--lead-status", "hot")
    _add(cli, "Bob Builder", "--email", "bob@example.com")
    _add(cli, "Cid Customer", "--lifecycle", "customer")
    table = cli("contact", "list").stdout.splitlines()
    header = table[0].split()  # phone, title and company, empty in every row, give way
    assert header[header.index("lifecycle") :][:2] == ["lifecycle", "lead"]
    assert "lead       hot" in table[1] and "lead       new" in table[2]
    rows = cli("contact", "list", "--lead-status", "hot,new", "--json").json()
    assert [(r["name"], r["lead_status"]) for r in rows] == [
        ("Ada Lovelace", "hot"),
        ("Bob Builder", "new"),
    ]
    reader = csv.DictReader(io.StringIO(cli("contact", "list", "--csv").stdout))
    assert [r["lead_status"] for r in reader] == ["hot", "new", ""]
    edited = cli("contact", "edit", "bob@example.com", "--lead-status", "cold", "--json").json()
    assert edited["lead_status"] == "cold"
    shown = cli("contact", "show", "bob@example.com").stdout
    assert re.search(r"^lead status +cold", shown, re.M)
    bad = cli("contact", "list", "--lead-status", "warm")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("Error: invalid lead status 'warm' (choose from new, working")


def test_lead_status_command(cli) -> None:
    _add(cli, "Ada", "--email", "ada@example.com")
    result = cli("lead", "status", "ada@example.com", "working")
    assert (result.exit_code, result.stdout) == (0, "Lead status of #1 Ada: working\n")
    assert cli("lead", "status", "Ada", "dead", "--json").json()["lead_status"] == "dead"
    bad = cli("lead", "status", "Ada", "sleepy")
    assert bad.exit_code == 1 and "invalid lead status 'sleepy'" in bad.stderr
    assert cli("feed", "--json").json()[0]["summary"] == "lead status of Ada: working → dead"


def test_lead_qualify_shows_and_sets_bant(cli) -> None:
    _add(cli, "Ada", "--email", "ada@example.com")
    shown = cli("lead", "qualify", "Ada")
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[0] == "Ada: not sales-qualified"
    result = cli(
        "lead",
        "qualify",
        "ada@example.com",
        "--budget",
        "yes",
        "--authority",
        "yes",
        "--need",
        "yes",
        "--timeline",
        "no",
        "--note",
        "timeline=Q3 at the earliest",
    )
    assert result.exit_code == 0, result.stderr
    assert "timeline   no (Q3 at the earliest)" in result.stdout
    data = cli("lead", "qualify", "Ada", "--timeline", "yes", "--json").json()
    assert data["sales_qualified"] is True
    assert data["timeline"] == {"answer": "yes", "note": "Q3 at the earliest"}
    view = cli("contact", "show", "Ada", "--json").json()
    assert view["sales_qualified"] is True
    assert view["qualification"]["budget"] == {"answer": "yes", "note": None}
    text = cli("contact", "show", "Ada").stdout
    assert re.search(r"^sales-qualified +yes", text, re.M)
    assert "budget yes · authority yes · need yes · timeline yes (Q3 at the earliest)" in text
    bad = cli("lead", "qualify", "Ada", "--note", "nonsense")
    assert bad.exit_code == 1 and "CRITERION=TEXT" in bad.stderr


def test_lead_qualify_a_deal(cli) -> None:
    assert cli("deal", "add", "Acme pilot").exit_code == 0
    data = cli("lead", "qualify", "deal:Acme pilot", "--budget", "yes", "--json").json()
    assert (data["entity"], data["name"], data["budget"]["answer"]) == ("deal", "Acme pilot", "yes")


def test_lead_list(cli) -> None:
    _add(cli, "Ada", "--lead-status", "hot")
    _add(cli, "Bob")
    _add(cli, "Cid", "--lifecycle", "customer")
    for criterion in ("--budget", "--authority", "--need", "--timeline"):
        cli("lead", "qualify", "Ada", criterion, "yes")
    table = cli("lead", "list").stdout.splitlines()
    # company, empty in every row, gives way
    assert table[0].split()[:6] == ["id", "name", "status", "score", "bant", "sql"]
    assert "B✓ A✓ N✓ T✓  yes" in table[1]
    assert "B· A· N· T·" in table[2]
    assert len(table) == 3
    rows = cli("lead", "list", "--qualified", "--json").json()
    assert [(r["name"], r["sales_qualified"], r["budget"]) for r in rows] == [("Ada", True, "yes")]
    assert [r["name"] for r in cli("lead", "list", "--unqualified", "--json").json()] == ["Bob"]
    assert [r["name"] for r in cli("lead", "list", "--status", "new", "--json").json()] == ["Bob"]
    reader = csv.DictReader(io.StringIO(cli("lead", "list", "--csv").stdout))
    assert [(r["name"], r["sales_qualified"]) for r in reader] == [
        ("Ada", "true"),
        ("Bob", "false"),
    ]


def test_lead_convert(cli) -> None:
    _add(cli, "Ada", "--email", "ada@acme.de")
    result = cli(
        "lead", "convert", "ada@acme.de", "--deal", "Acme pilot", "--amount", "5000", "--stage",
        "Qualified",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Converted #1 Ada to prospect at Acme (new company)",
        "Opened deal #1 Acme pilot in Qualified",
    ]
    (event,) = [e for e in cli("feed", "--json").json() if e["action"] == "converted"]
    assert len(cli("feed", "--json").json()) == 2  # the contact's creation, the conversion
    assert event["summary"].endswith("opened deal Acme pilot (€5,000.00)")
    contact = cli("contact", "show", "Ada", "--json").json()
    assert (contact["lifecycle"], contact["company"]) == ("prospect", "Acme")
    again = cli("lead", "convert", "Ada")
    assert again.exit_code == 1
    assert again.stderr == "Error: Ada is not a lead (lifecycle: prospect)\n"
    _add(cli, "Bob", "--email", "bob@gmail.com")
    data = cli("lead", "convert", "Bob", "--company", "Bobco", "--json").json()
    assert (data["company"]["name"], data["company_created"], data["deal"]) == (
        "Bobco",
        True,
        None,
    )


def test_log_with_campaign_and_channel(cli) -> None:
    _add(cli, "Ada", "--email", "ada@example.com")
    result = cli("log", "email", "Ada", "Downloaded pricing", "--channel", "Web")
    assert result.exit_code == 0, result.stderr
    contact = cli("contact", "show", "Ada", "--json").json()
    assert (contact["last_touch"], contact["source"]) == ("web", "web")
    assert re.search(r"^last touch +web", cli("contact", "show", "Ada").stdout, re.M)
    missing = cli("log", "call", "Ada", "Webinar", "--campaign", "Nope")
    assert missing.exit_code == 1 and "no campaign matches 'Nope'" in missing.stderr


def test_contact_dupes_and_merge(cli) -> None:
    _add(cli, "Jürgen Müller", "--email", "jm@acme.de", "--company", "Acme", "--tag", "vip")
    _add(cli, "Juergen Mueller", "--email", "j.m@acme.de", "--company", "Acme", "--title", "CEO")
    _add(cli, "Ada Lovelace", "--phone", "+44 20 7946 0000")
    _add(cli, "A. Lovelace", "--phone", "020 7946 0000")
    assert cli("log", "call", "j.m@acme.de", "Intro").exit_code == 0
    table = cli("contact", "dupes").stdout.splitlines()
    assert table[0].split() == ["keep", "other", "company", "why"]
    assert "#3 Ada Lovelace" in table[1] and "same phone" in table[1]
    assert "#1 Jürgen Müller" in table[2] and "same name, transliterated at Acme" in table[2]
    pairs = cli("contact", "dupes", "--json").json()
    assert [(p["keep_id"], p["other_id"]) for p in pairs] == [(3, 4), (1, 2)]
    rows = list(csv.DictReader(io.StringIO(cli("contact", "dupes", "--csv").stdout)))
    assert rows[1]["keep_email"] == "jm@acme.de"
    assert rows[1]["reasons"] == "same name, transliterated at Acme"

    preview = cli("contact", "merge", "jm@acme.de", "j.m@acme.de", "--dry-run")
    assert preview.exit_code == 0
    assert preview.stdout.splitlines() == [
        "Would merge #2 Juergen Mueller into #1 Jürgen Müller (nothing written)",
        "  move: 1 activity, 1 lifecycle change, 1 event",
        "  fill: title",
        "  still finds it: id 2, email j.m@acme.de",
    ]
    assert len(cli("contact", "list", "--json").json()) == 4
    merged = cli("contact", "merge", "jm@acme.de", "j.m@acme.de")
    assert merged.stdout.splitlines()[0] == "Merged #2 Juergen Mueller into #1 Jürgen Müller"
    shown = cli("contact", "show", "j.m@acme.de", "--json").json()
    assert (shown["id"], shown["title"], shown["tags"]) == (1, "CEO", ["vip"])
    assert [a["subject"] for a in shown["activities"]] == ["Intro"]
    assert cli("contact", "show", "2", "--json").json()["id"] == 1
    data = cli("contact", "merge", "3", "4", "--json").json()
    assert (data["keep"]["id"], data["other"]["id"], data["dry_run"]) == (3, 4, False)
    assert cli("contact", "dupes", "--json").json() == []
    assert cli("contact", "dupes").stdout.strip() == "no duplicates"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["contact", "merge", "1", "1"], "cannot be merged with itself"),
        (["contact", "merge", "1", "nobody"], "no contact matches 'nobody'"),
        (["lead", "qualify", "1", "--budget", "maybe"], "invalid budget answer 'maybe'"),
        (["lead", "convert", "1", "--amount", "5"], "need --deal TITLE"),
        (["lead", "convert", "1", "--deal", "D", "--stage", "Won"], "unknown stage 'Won'"),
    ],
)
def test_refusals_are_one_line_and_write_nothing(cli, args, message) -> None:
    _add(cli, "Ada", "--email", "ada@example.com")
    before = cli("feed", "--json").json()
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert cli("feed", "--json").json() == before


def test_lead_convert_help_names_the_deal_a_title(cli) -> None:
    """`lead convert --help` showed `--deal REF  Open a deal with this title.` (a REF is
    a record that exists) and `--currency ... (default EUR)`, while an amount written
    with its currency ('$500') sets it, as in deal add."""
    shown = " ".join(cli("lead", "convert", "--help").stdout.replace("│", " ").split())
    assert "--deal TITLE Open a deal with this title." in shown
    assert "(default: the amount's, else EUR)" in shown
    cli("contact", "add", "Ada", "--email", "ada@acme-tools.de")
    converted = cli("lead", "convert", "Ada", "--deal", "Tools", "--amount", "$500")
    assert converted.exit_code == 0, converted.stderr
    assert cli("deal", "show", "Tools", "--json").json()["currency"] == "USD"
