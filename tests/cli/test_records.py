"""Companies, contacts and deals through the command line."""

from __future__ import annotations

import csv
import io

CONTACT_KEYS = {
    "id",
    "name",
    "email",
    "phone",
    "title",
    "role",
    "company",
    "lifecycle",
    "source",
    "owner",
    "tags",
    "fields",
    "created_at",
    "updated_at",
}
DEAL_KEYS = {
    "id",
    "title",
    "stage",
    "status",
    "amount",
    "currency",
    "probability",
    "close_date",
    "contact",
    "company",
    "pipeline",
    "owner",
    "tags",
    "fields",
    "created_at",
    "updated_at",
}


def test_contact_round_trip(cli) -> None:
    r = cli(
        "contact",
        "add",
        "Jürgen Müller",
        "--email",
        "JM@acme.de",
        "--company",
        "Acme GmbH",
        "--role",
        "buyer",
        "--tag",
        "vip",
        "--field",
        "plan=pro",
        "--source",
        "Referral",
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip() == "Added contact #1 Jürgen Müller at Acme GmbH"
    (contact,) = cli("contact", "list", "--json").json()
    assert contact.keys() >= CONTACT_KEYS
    assert contact["email"] == "JM@acme.de"  # as typed (compared in lower case)
    assert contact["company"] == "Acme GmbH"
    assert contact["tags"] == ["vip"]
    assert contact["fields"] == {"plan": "pro"}
    assert contact["source"] == "Referral"  # as typed
    assert contact["owner"] == "tester"
    assert contact["created_at"].endswith("Z")
    r = cli(
        "contact",
        "edit",
        "jm@acme.de",
        "--phone",
        "+49 30 1234",
        "--untag",
        "vip",
        "--unset-field",
        "plan",
        "--lifecycle",
        "customer",
    )
    assert r.exit_code == 0, r.stderr
    shown = cli("contact", "show", "Jürgen Müller", "--json").json()
    assert (shown["phone"], shown["tags"], shown["fields"], shown["lifecycle"]) == (
        "+49 30 1234",
        [],
        {},
        "customer",
    )
    assert {"deals", "open_tasks", "activities", "events"} <= shown.keys()
    human = cli("contact", "show", "1")
    assert "Jürgen Müller" in human.stdout and "Acme GmbH" in human.stdout
    assert cli("contact", "rm", "1").exit_code == 0
    assert cli("contact", "list", "--json").json() == []


def test_csv_output_spreads_fields_and_escapes_formulas(cli) -> None:
    cli(
        "contact",
        "add",
        '=HYPERLINK("http://evil")',
        "--tag",
        "a",
        "--tag",
        "b",
        "--field",
        "plan=pro",
        "--phone",
        "+49 30 1",
    )
    rows = list(csv.DictReader(io.StringIO(cli("contact", "list", "--csv").stdout)))
    assert rows[0]["name"].startswith("'=")
    assert rows[0]["phone"] == "'+49 30 1"
    assert rows[0]["tags"] == "a, b"
    assert rows[0]["field.plan"] == "pro"
    lines = cli("contact", "list", "--jsonl").stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("{")


def test_deal_lifecycle(cli) -> None:
    cli("contact", "add", "Ada", "--email", "ada@x.com", "--company", "Acme")
    r = cli(
        "deal",
        "add",
        "Acme renewal",
        "--contact",
        "ada@x.com",
        "--amount",
        "18,500.50",
        "--close",
        "2026-12-31",
        "--tag",
        "q4",
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    deal = r.json()
    assert deal.keys() >= DEAL_KEYS
    assert deal["amount"] == 18500.5 and isinstance(deal["amount"], float)
    assert (deal["currency"], deal["stage"], deal["probability"]) == ("EUR", "Lead-in", 10)
    assert deal["close_date"] == "2026-12-31"
    assert deal["company"] == "Acme" and deal["pipeline"] == "Sales"
    assert cli("deal", "move", "acme renewal", "Proposal").exit_code == 0
    assert cli("deal", "list", "--stage", "proposal", "--json").json()[0]["probability"] == 50
    assert cli("deal", "won", "Acme renewal").exit_code == 0
    assert cli("deal", "list", "--json").json() == []
    assert cli("deal", "list", "--status", "won", "--json").json()[0]["status"] == "won"
    assert cli("deal", "reopen", "1").exit_code == 0
    r = cli("deal", "lost", "1", "--reason", "went with a competitor")
    assert r.exit_code == 0, r.stderr
    shown = cli("deal", "show", "1", "--json").json()
    assert shown["lost_reason"] == "went with a competitor"
    assert [h["to_status"] for h in shown["history"]] == ["open", "open", "won", "open", "lost"]
    r = cli("deal", "edit", "1", "--amount", "20000", "--currency", "usd", "--close", "")
    assert r.exit_code == 0, r.stderr
    shown = cli("deal", "show", "1", "--json").json()
    assert (shown["amount"], shown["currency"], shown["close_date"]) == (20000, "USD", None)
    assert "Stage history" in cli("deal", "show", "1").stdout
    assert cli("deal", "rm", "1").exit_code == 0


def test_companies(cli) -> None:
    r = cli(
        "company",
        "add",
        "Acme GmbH",
        "--domain",
        "acme.de",
        "--industry",
        "Machinery",
        "--size",
        "250",
        "--city",
        "Berlin",
        "--country",
        "DE",
        "--tag",
        "enterprise",
    )
    assert r.exit_code == 0, r.stderr
    (company,) = cli("company", "list", "--tag", "enterprise", "--json").json()
    assert (company["domain"], company["size"], company["city"]) == ("acme.de", 250, "Berlin")
    assert cli("company", "edit", "acme.de", "--size", "300").exit_code == 0
    assert cli("company", "show", "Acme GmbH", "--json").json()["size"] == 300
    assert cli("company", "list", "--search", "berl", "--json").json()[0]["name"] == "Acme GmbH"
    assert "Acme GmbH" in cli("company", "list").stdout
    row = cli("company", "show", "1", "--csv").stdout.splitlines()
    assert row[0].startswith("id,name,domain")
    assert cli("company", "rm", "acme.de").exit_code == 0


def test_log_tasks_and_feed(cli) -> None:
    cli("contact", "add", "Ada", "--email", "ada@x.com")
    r = cli("log", "call", "ada@x.com", "Discussed pricing", "--at", "yesterday 15:00")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("Logged call #1 with Ada")
    r = cli("task", "add", "Send contract", "--due", "tomorrow 9:00", "--contact", "Ada")
    assert r.exit_code == 0, r.stderr
    cli("task", "add", "Overdue thing", "--due", "-2d")
    assert [t["subject"] for t in cli("task", "list", "--json").json()] == [
        "Overdue thing",
        "Send contract",
    ]
    assert [t["subject"] for t in cli("task", "list", "--overdue", "--json").json()] == [
        "Overdue thing"
    ]
    assert cli("task", "done", "3").exit_code == 0
    assert cli("task", "list", "--overdue", "--json").json() == []
    assert len(cli("task", "list", "--all", "--json").json()) == 2
    events = cli("feed", "--json").json()
    assert events[0]["action"] == "completed"
    assert events[-1]["summary"] == "created contact Ada"
    assert len(cli("feed", "--limit", "2", "--json").json()) == 2
    assert cli("feed", "--since", "tomorrow", "--json").json() == []


def test_pipeline_commands(cli) -> None:
    r = cli("pipeline", "add", "Partners", "--stage", "Intro:10:7", "--stage", "Signed:90")
    assert r.exit_code == 0, r.stderr
    assert (
        cli(
            "pipeline",
            "stage-add",
            "Pilot",
            "--probability",
            "50",
            "--pipeline",
            "Partners",
            "--position",
            "2",
        ).exit_code
        == 0
    )
    assert (
        cli(
            "pipeline",
            "stage-edit",
            "Pilot",
            "--pipeline",
            "Partners",
            "--probability",
            "60",
            "--rotting-days",
            "5",
        ).exit_code
        == 0
    )
    cli("deal", "add", "P", "--pipeline", "Partners", "--stage", "Pilot")
    r = cli("pipeline", "stage-rm", "Pilot", "--pipeline", "Partners")
    assert r.exit_code == 1 and "--move-to" in r.stderr
    assert (
        cli(
            "pipeline", "stage-rm", "Pilot", "--pipeline", "Partners", "--move-to", "Signed"
        ).exit_code
        == 0
    )
    assert cli("pipeline", "stage-move", "Signed", "1", "--pipeline", "Partners").exit_code == 0
    pipelines = cli("pipeline", "list", "--json").json()
    assert [p["name"] for p in pipelines] == ["Sales", "Partners"]
    assert [s["name"] for s in pipelines[1]["stages"]] == ["Signed", "Intro"]
    assert "Negotiation" in cli("pipeline", "list").stdout
    assert "probability" in cli("pipeline", "list", "--csv").stdout.splitlines()[0]


def test_tag_and_field_lists(cli) -> None:
    cli("contact", "add", "Ada", "--tag", "vip", "--field", "plan=pro")
    cli("deal", "add", "D", "--tag", "q4")
    assert cli("tag", "list", "--json").json() == [
        {"entity": "contact", "name": "vip", "count": 1},
        {"entity": "deal", "name": "q4", "count": 1},
    ]
    assert cli("tag", "list", "--on", "deal", "--json").json()[0]["name"] == "q4"
    assert cli("field", "list", "--json").json() == [
        {"entity": "contact", "key": "plan", "count": 1}
    ]
    assert "vip" in cli("tag", "list").stdout
    assert cli("tag", "list", "--on", "tasks").exit_code == 1


def test_consent_flags(cli) -> None:
    cli("contact", "add", "Ada")
    assert cli("contact", "edit", "Ada", "--unsubscribed", "--do-not-contact").exit_code == 0
    shown = cli("contact", "show", "Ada", "--json").json()
    assert (shown["unsubscribed"], shown["do_not_contact"]) == (True, True)
    cli("contact", "edit", "Ada", "--subscribed")
    assert cli("contact", "show", "Ada", "--json").json()["unsubscribed"] is False


def test_an_empty_number_clears_it_on_edit_as_the_help_says(cli) -> None:
    """'Give an option an empty value ("") to clear it' (company edit, deal edit): an
    empty --size or --probability was a usage error ("'' is not a whole number")."""
    assert cli("company", "add", "Acme", "--size", "250", "--city", "Berlin").exit_code == 0
    cleared = cli("company", "edit", "Acme", "--size", "")
    assert cleared.exit_code == 0, cleared.stderr
    shown = cli("company", "show", "Acme", "--json").json()
    assert (shown["size"], shown["city"]) == (None, "Berlin")
    assert cli("company", "add", "Globex", "--size", "").exit_code == 0  # add: not set
    assert cli("company", "show", "Globex", "--json").json()["size"] is None
    assert cli("deal", "add", "Big", "--probability", "60").exit_code == 0
    assert cli("deal", "show", "Big", "--json").json()["probability"] == 60
    dropped = cli("deal", "edit", "Big", "--probability", "")
    assert dropped.exit_code == 0, dropped.stderr
    assert cli("deal", "show", "Big", "--json").json()["probability"] == 10  # the stage's
    for args, line in (
        (["company", "edit", "Acme", "--size", "many"], "'many' is not a whole number"),
        (["company", "edit", "Acme", "--size", "-1"], "-1 is too small (at least 0)"),
        (["deal", "edit", "Big", "--probability", "high"], "'high' is not a whole number"),
    ):
        refused = cli(*args)
        assert refused.exit_code == 2 and line in refused.stderr, refused.stderr
    assert cli("company", "show", "Acme", "--json").json()["size"] is None


def test_counts_take_thousands_separators_and_probabilities_a_percent_sign(cli) -> None:
    """`--probability 50%` and `--size "1,000"` were refused ("is not a whole number"),
    though tinycrm shows probabilities as 50% and people write sizes as 1,000."""
    for typed in ("1,000", "1.000", "1 000", "1000", "1k"):
        added = cli("company", "add", f"Acme {typed}", "--size", typed, "--json")
        assert added.exit_code == 0, added.stderr
        assert added.json()["size"] == 1000, typed
    assert cli("company", "edit", "Acme 1000", "--size", "12,500").exit_code == 0
    assert cli("company", "show", "Acme 1000", "--json").json()["size"] == 12500
    added = cli("deal", "add", "Big", "--probability", "50%", "--json")
    assert added.exit_code == 0, added.stderr
    assert added.json()["probability"] == 50
    assert cli("deal", "edit", "Big", "--probability", "75 %").exit_code == 0
    assert cli("deal", "show", "Big", "--json").json()["probability"] == 75
    assert cli("pipeline", "stage-add", "Demo", "--probability", "30%").exit_code == 0
    assert cli("pipeline", "stage-edit", "Demo", "--probability", "35%").exit_code == 0
    [sales] = cli("pipeline", "list", "--json").json()
    assert any(s["name"] == "Demo" and s["probability"] == 35 for s in sales["stages"])
    for args, line in (
        (["company", "edit", "Acme 1000", "--size", "1,5"], "'1,5' is not a whole number"),
        (["company", "edit", "Acme 1000", "--size", "12%"], "'12%' is not a whole number"),
        (["company", "edit", "Acme 1000", "--size", "1,0,0"], "'1,0,0' is not a whole number"),
        (["deal", "edit", "Big", "--probability", "50%%"], "'50%%' is not a whole number"),
        (["deal", "edit", "Big", "--probability", "0.5"], "'0.5' is not a whole number"),
        (["pipeline", "stage-edit", "Demo", "--probability", ""], "needs a number 0-100"),
    ):
        refused = cli(*args)
        assert refused.exit_code == 2 and line in refused.stderr, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert cli("company", "show", "Acme 1000", "--json").json()["size"] == 12500
    assert cli("deal", "show", "Big", "--json").json()["probability"] == 75


def test_owner_help_says_what_owner_does_in_each_command(cli) -> None:
    """`company list --help` said `--owner NAME  Owner (default: you).`, but a list
    without --owner shows every owner's records, and an edit without it keeps the owner."""
    for noun in ("company", "contact", "deal"):
        add = cli(noun, "add", "--help").stdout
        listing = cli(noun, "list", "--help").stdout
        edit = cli(noun, "edit", "--help").stdout
        assert "Owner (default: you)." in add, noun
        assert "default: you" not in listing and "Only this owner's" in listing, noun
        assert "default: you" not in edit and "New owner" in edit, noun
    cli("company", "add", "Mine")
    cli("company", "add", "Theirs", "--owner", "bob")
    assert len(cli("company", "list", "--json").json()) == 2


def _option_help(cli, *command: str) -> dict[str, str]:
    """Each option's help text in ``command --help``, on one line."""
    shown = cli(*command, "--help").stdout
    lines = [line.strip("│ ").rstrip() for line in shown.splitlines() if line.startswith("│")]
    helps: dict[str, str] = {}
    current = ""
    for line in lines:
        if line.startswith("--"):
            current = line.split()[0]
            helps[current] = line
        elif current:
            helps[current] += " " + line.strip()
    return helps


def test_an_edit_or_a_list_does_not_claim_the_defaults_of_an_add(cli) -> None:
    """`deal edit --help` said `--currency` defaults to 'the amount's, else EUR' and
    `--probability` to 'the stage's', `deal item edit` that --qty is '(default 1)' and
    --price 'the product's', and `deal list --pipeline` '(default: the first)': but an
    edit keeps what it is not told, and a list without --pipeline shows every pipeline."""
    edit = _option_help(cli, "deal", "edit")
    assert "default" not in edit["--currency"] and "default" not in edit["--probability"]
    item_edit = _option_help(cli, "deal", "item", "edit")
    assert "default" not in item_edit["--qty"] and "default" not in item_edit["--price"]
    listing = _option_help(cli, "deal", "list")
    assert "Only deals in this pipeline" in listing["--pipeline"]
    add = _option_help(cli, "deal", "add")
    assert "else EUR" in add["--currency"] and "the stage's" in add["--probability"]
    assert "(default 1)" in _option_help(cli, "deal", "item", "add")["--qty"]


def test_campaign_and_product_edit_do_not_claim_a_default_currency(cli) -> None:
    """`campaign edit --currency` said '(default EUR)' and `product edit --currency`
    '(default: the price's, else EUR)': an edit without it keeps the currency."""
    for noun in ("campaign", "product"):
        assert "default" not in _option_help(cli, noun, "edit")["--currency"], noun
        assert "EUR" in _option_help(cli, noun, "add")["--currency"], noun


def test_an_edit_with_nothing_to_change_says_so_and_writes_nothing(cli) -> None:
    """`tinycrm contact edit ada@example.com` with no option printed 'Updated contact #1
    Ada' though nothing was (`case edit` said 'nothing to change'); now each edit without
    an option is a usage error naming its --help, and nothing is written."""
    cli("contact", "add", "Ada", "--email", "ada@example.com", "--company", "Acme")
    cli("deal", "add", "Engine", "--contact", "ada@example.com")
    cli("product", "add", "Widget", "--price", "10")
    cli("deal", "item", "add", "Engine", "Widget")
    cli("campaign", "add", "Spring", "--channel", "email")
    events = len(cli("feed", "--json").json())
    for command in (
        ["contact", "edit", "ada@example.com"],
        ["company", "edit", "Acme"],
        ["deal", "edit", "Engine"],
        ["product", "edit", "Widget"],
        ["deal", "item", "edit", "1"],
        ["pipeline", "stage-edit", "Lead-in"],
        ["campaign", "edit", "Spring"],
    ):
        result = cli(*command)
        assert result.exit_code == 2, (command, result.stdout)
        path = " ".join(command[:-1])
        editor = (
            ", or --editor"
            if command[0] in ("contact", "company", "deal") and command[1] == "edit"
            else ""
        )
        assert result.stderr.strip().splitlines() == [
            f"Error: nothing to change: give an option to change{editor} "
            f"(see tinycrm {path} --help)"
        ]
        assert result.stdout == ""
    assert len(cli("feed", "--json").json()) == events
    assert cli("contact", "edit", "ada@example.com", "--title", "CEO").exit_code == 0
    assert cli("contact", "edit", "ada@example.com", "--tag", "vip").exit_code == 0


def test_an_empty_filtered_list_does_not_say_there_is_nothing_yet(cli) -> None:
    """`feed --since eom` (nothing since the end of the month) said 'no events yet', and
    `tag list --on deal` with tags on contacts only 'no tags yet', as on a new database."""
    cli("contact", "add", "Ada", "--tag", "vip", "--field", "plan=pro")
    shown = cli("feed", "--since", "+1d")
    assert shown.exit_code == 0 and "yet" not in shown.stdout + shown.stderr
    assert "no events since +1d" in shown.stdout + shown.stderr
    tags = cli("tag", "list", "--on", "deal")
    assert "no tags on deals" in tags.stdout + tags.stderr
    fields = cli("field", "list", "--on", "company")
    assert "no custom fields on companies" in fields.stdout + fields.stderr


def test_option_values_are_named_by_what_is_typed(cli) -> None:
    """`contract cancel --on ON`, `quote create --valid VALID` and `tag list --on ON`
    named a value by its own option; they are a DATE, a DATE and a KIND of record."""
    for command, shown in (
        (["contract", "cancel"], "--on DATE"),
        (["quote", "create"], "--valid DATE"),
        (["tag", "list"], "--on KIND"),
        (["field", "list"], "--on KIND"),
    ):
        text = " ".join(cli(*command, "--help").stdout.replace("│", " ").split())
        assert shown in text, (command, text)


def test_contact_rm_says_what_goes_and_keeps_a_case_only_with_yes(cli) -> None:
    cli("contact", "add", "Bob", "--tag", "vip")
    cli("deal", "add", "Upgrade", "--contact", "Bob")
    cli("log", "call", "contact:Bob", "Hello")
    cli("log", "note", "deal:Upgrade", "Quote sent")  # about the deal too: kept
    assert cli("case", "add", "Broken login", "--contact", "Bob").exit_code == 0
    result = cli("contact", "rm", "Bob")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "contact Bob has case #1 Broken login" in result.stderr and "--yes" in result.stderr
    assert cli("contact", "show", "Bob", "--json").json()["name"] == "Bob"
    result = cli("contact", "rm", "Bob", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Deleted contact #1 Bob with 1 activity and 1 tag; 1 deal, case #1 Broken login and "
        "1 activity also about another record kept, unlinked\n"
    )
    assert cli("case", "show", "1", "--json").json()["contact_id"] is None


def test_company_rm_json_counts_what_goes(cli) -> None:
    cli("company", "add", "Acme")
    cli("contact", "add", "Ann", "--company", "Acme")
    cli("log", "note", "company:Acme", "Org chart")
    result = cli("company", "rm", "Acme", "--json")
    assert result.exit_code == 0, result.stderr
    shown = result.json()
    assert (shown["name"], shown["removed"]["contacts_unlinked"]) == ("Acme", 1)
    assert shown["removed"]["activities_deleted"] == 1 and shown["removed"]["kept"] == []
    plain = cli("company", "add", "Plain")
    assert plain.exit_code == 0
    assert cli("company", "rm", "Plain").stdout == "Deleted company #2 Plain\n"


def test_contact_rm_on_a_terminal_asks_naming_what_goes(cli, monkeypatch) -> None:
    from tinycrm.cli import removals

    cli("contact", "add", "Bob")
    cli("log", "call", "contact:Bob", "Hello")
    assert cli("case", "add", "Broken login", "--contact", "Bob").exit_code == 0
    monkeypatch.setattr(removals, "asks", lambda: True)
    result = cli("contact", "rm", "Bob", input="n\n")
    assert result.exit_code == 1
    assert (
        "Contact #1 Bob has case #1 Broken login: delete the contact with 1 activity, and "
        "keep case #1 Broken login, unlinked? [y/N]"
    ) in result.stdout
    assert cli("contact", "show", "Bob", "--json").json()["name"] == "Bob"
    result = cli("contact", "rm", "Bob", input="y\n")
    assert result.exit_code == 0
    assert "Deleted contact #1 Bob with 1 activity; case #1 Broken login kept" in result.stdout


def test_a_show_view_has_no_trailing_spaces(cli) -> None:
    """A record's "label  value" lines end at their value. Before, `deal show X > file`
    padded each to the longest value ('id           1               ')."""
    cli("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--title", "Count")
    cli("deal", "add", "Engine order", "--contact", "ada@example.com", "--amount", "18500")
    for args in (("deal", "show", "Engine order"), ("contact", "show", "ada@example.com")):
        lines = cli(*args).stdout.splitlines()
        assert "id" in lines[1] and lines == [line.rstrip() for line in lines], args


def test_a_show_view_folds_a_long_value_it_cannot_wrap(cli, monkeypatch) -> None:
    """A value longer than the line with no space to wrap at (a link in a custom field, a
    long title) was cut with '…', on a terminal and into a file alike (at 200 columns):
    its end was in no output but --json. It is folded onto the next lines, whole."""
    from tinycrm.cli import output

    link = "https://example.com/" + "a/" * 150 + "end"
    cli("contact", "add", "Ada", "--field", f"link={link}", "--title", "x" * 250)
    for columns in ("200", "80"):
        monkeypatch.setattr(output, "_console", None)
        monkeypatch.setenv("COLUMNS", columns)
        shown = cli("contact", "show", "Ada").stdout
        assert "…" not in shown, columns
        lines = shown.splitlines()
        for label, value in (("link", link), ("title", "x" * 250)):
            at = next(i for i, line in enumerate(lines) if line.startswith(label + " "))
            indent = len(lines[at]) - len(lines[at][len(label) :].lstrip())
            parts = [lines[at][indent:]]
            for line in lines[at + 1 :]:
                if not line.startswith(" " * indent):
                    break
                parts.append(line[indent:])
            assert "".join(parts) == value, (columns, shown)


def test_a_removed_stage_is_named_in_a_deals_stage_history(cli) -> None:
    """Once a stage was removed, `deal show` printed its rows of the stage history with
    an empty 'from' or 'to', as if the deal had come from nowhere, then '(removed)'. The
    history keeps the stage's name now (--json too); only rows from before it did
    (schema 0034) say '(removed)'."""
    assert cli("deal", "add", "Big", "--amount", "100").exit_code == 0
    assert cli("deal", "move", "1", "Qualified").exit_code == 0
    assert cli("pipeline", "stage-rm", "Lead-in").exit_code == 0
    rows = [line.split() for line in cli("deal", "show", "1").stdout.splitlines()]
    history = [r[2:] for r in rows if r[:1] and r[0][:2] == "20" and r[-1:] == ["tester"]]
    assert history[:2] == [
        ["Lead-in", "open", "tester"],
        ["Lead-in", "Qualified", "open", "tester"],
    ]
    assert cli("deal", "show", "1", "--json").json()["history"][0]["to_stage"] == "Lead-in"


def test_stage_rm_names_the_stage_as_stored_and_its_pipeline(cli) -> None:
    """`pipeline stage-rm lead-in` said "Removed stage lead-in": the name as typed, and
    not from which pipeline, while another pipeline has a Lead-in too (the first one's
    goes unless --pipeline says otherwise)."""
    assert cli("pipeline", "add", "Partners").exit_code == 0  # Lead-in, … as Sales has
    r = cli("pipeline", "stage-rm", "lead-IN")
    assert (r.exit_code, r.stdout) == (0, "Removed stage Lead-in from Sales\n")
    assert cli("deal", "add", "D", "--pipeline", "Partners").exit_code == 0
    r = cli("pipeline", "stage-rm", "lead-in", "--pipeline", "partners", "--move-to", "proposal")
    assert (r.exit_code, r.stdout) == (
        0,
        "Removed stage Lead-in from Partners; moved 1 deal to Proposal\n",
    )


def test_stage_rm_and_campaign_rm_name_the_segments_that_test_them(cli) -> None:
    """As `tag rm` does: the saved segments (and scoring rules) left testing what was
    removed, which match nothing now, named on stderr."""
    assert cli("segment", "save", "Late", "stage=Proposal or stage=Qualified").exit_code == 0
    r = cli("pipeline", "stage-rm", "Proposal")
    assert (r.exit_code, r.stdout) == (0, "Removed stage Proposal from Sales\n")
    assert r.stderr == (
        "Note: still testing stage Proposal: segment Late (change them with 'segment save')\n"
    )
    assert cli("campaign", "add", "Fair", "--channel", "event").exit_code == 0
    assert cli("score", "rule", "add", "came", "-p", "3", "--when", "campaign:Fair").exit_code == 0
    r = cli("campaign", "rm", "Fair")
    assert r.exit_code == 0 and r.stdout.startswith("Deleted campaign Fair")
    assert r.stderr == (
        "Note: still testing campaign Fair: scoring rule came (change them with "
        "'segment save' or 'score rule add --replace')\n"
    )
    assert cli("campaign", "add", "Other", "--channel", "event").exit_code == 0
    assert cli("campaign", "rm", "Other").stderr == ""


def test_deal_list_sorts_by_amount_close_stage_created_updated_and_title(cli) -> None:
    """`deal list` had no --sort: deals came in pipeline order only. --sort KEY (and -KEY
    for the other way round) sorts before --limit; a deal with no amount or close date
    comes last either way; an unknown key is refused in one line."""
    adds = [
        ("Bravo", "--amount", "500", "--close", "2027-03-01"),
        ("alpha", "--amount", "1500", "--close", "2027-01-01"),
        ("Charlie",),
        ("Delta", "--amount", "900", "--close", "2027-02-01", "--stage", "Proposal"),
    ]
    for args in adds:
        assert cli("deal", "add", *args).exit_code == 0
    assert cli("deal", "edit", "Bravo", "--probability", "30").exit_code == 0

    def titles(*args: str) -> list[str]:
        result = cli("deal", "list", "--status", "all", *args, "--json")
        assert result.exit_code == 0, result.stderr
        return [row["title"] for row in result.json()]

    assert titles("--sort", "amount") == ["Bravo", "Delta", "alpha", "Charlie"]
    assert titles("--sort", "-amount") == ["alpha", "Delta", "Bravo", "Charlie"]
    assert titles("--sort=-amount", "--limit", "1") == ["alpha"]
    assert titles("--sort", "close") == ["alpha", "Delta", "Bravo", "Charlie"]
    assert titles("--sort", "title") == ["alpha", "Bravo", "Charlie", "Delta"]
    assert titles("--sort", "-title") == ["Delta", "Charlie", "Bravo", "alpha"]
    assert titles("--sort", "created") == ["Bravo", "alpha", "Charlie", "Delta"]
    assert titles("--sort", "-created") == ["Delta", "Charlie", "alpha", "Bravo"]
    assert titles("--sort", "-updated")[0] == "Bravo"
    assert titles("--sort", "stage") == titles()
    assert titles("--sort", "-stage") == titles()[::-1]
    refused = cli("deal", "list", "--sort", "price")
    assert refused.exit_code == 2 and "Traceback" not in refused.stderr
    assert "amount" in refused.stderr and refused.stdout == ""


def test_contact_list_sorts_the_other_way_round_as_deal_list_does(cli) -> None:
    """deal list --sort takes -KEY for the other way round; contact list --sort did not
    ('sort by name or score, not '-name''). Now -name is Z to A, -score the lowest first."""
    for name in ("Bea", "ada", "Cem"):
        assert cli("contact", "add", name).exit_code == 0

    def names(*args: str) -> list[str]:
        result = cli("contact", "list", *args, "--json")
        assert result.exit_code == 0, result.stderr
        return [row["name"] for row in result.json()]

    assert names("--sort", "name") == ["ada", "Bea", "Cem"]
    assert names("--sort", "-name") == ["Cem", "Bea", "ada"]
    assert names("--sort", "-name", "--limit", "1") == ["Cem"]
    assert names("--sort", "-score") == ["ada", "Bea", "Cem"]  # all 0: by name
    table = cli("contact", "list", "--sort", "-name").stdout
    assert table.index("Cem") < table.index("ada")


def test_a_mistyped_sort_key_is_refused_with_the_one_meant(cli) -> None:
    """``--sort nme`` listed the keys; the one nearest what was typed is named now."""
    for args, meant in (
        (("contact", "list", "--sort", "nmae"), "did you mean name?"),
        (("contact", "list", "--sort", "-scroe"), "did you mean -score?"),
        (("deal", "list", "--sort", "amout"), "did you mean amount?"),
        (("deal", "list", "--sort", "-closee"), "did you mean -close?"),
    ):
        refused = cli(*args)
        assert refused.exit_code == 2 and refused.stdout == "", args
        assert meant in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
    refused = cli("deal", "list", "--sort", "zzz")
    assert refused.exit_code == 2 and "did you mean" not in refused.stderr


def test_a_new_company_named_near_another_is_told(cli) -> None:
    """`contact add Ann --company Acmee` (a typo for Acme) quietly made a second company
    'Acmee'; it still does (a name that matches none makes one), and now says so, naming
    the company near it and how to put it right. A name near none is said nothing of."""
    assert cli("company", "add", "Acme").exit_code == 0
    r = cli("contact", "add", "Ann", "--company", "Acmee")
    assert r.exit_code == 0
    assert r.stdout == "Added contact #1 Ann at Acmee\n"
    assert r.stderr == (
        "Warning: no company was named 'Acmee', so it was added as #2; if you meant #1 Acme: "
        "tinycrm contact edit 1 --company 1, then tinycrm company rm 2\n"
    )
    r = cli("contact", "edit", "Ann", "--company", "acme gmbh")
    assert "if you meant #1 Acme: tinycrm contact edit 1 --company 1" not in r.stderr
    r = cli("contact", "edit", "Ann", "--company", "Acne")
    assert r.stderr.startswith("Warning: no company was named 'Acne', so it was added as #4;")
    r = cli("contact", "add", "Bob", "--company", "Globex")
    assert (r.exit_code, r.stderr) == (0, "")
