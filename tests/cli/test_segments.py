"""``--where``, ``--segment`` and ``tinycrm segment`` through the command line."""

from __future__ import annotations

import pytest


@pytest.fixture
def crm(cli):
    for args in (
        ["company", "add", "Acme GmbH", "--domain", "acme.de", "--city", "Berlin", "--size", "250"],
        ["company", "add", "Beta Ltd", "--city", "London", "--size", "12", "--tag", "partner"],
        ["contact", "add", "Jürgen Müller", "--email", "jm@acme.de", "--company", "acme.de"],
        ["contact", "add", "Ada", "--email", "ada@beta.co.uk", "--company", "Beta Ltd"],
        ["contact", "add", "Grace", "--lifecycle", "customer", "--tag", "vip"],
        ["deal", "add", "Acme renewal", "--contact", "jm@acme.de", "--amount", "18500"],
        ["deal", "add", "Beta pilot", "--contact", "ada@beta.co.uk", "--amount", "900"],
        ["log", "email", "jm@acme.de", "Sent the proposal"],
    ):
        assert cli(*args).exit_code == 0, args
    return cli


def names(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [row.get("name") or row.get("title") for row in result.json()]


def test_where_on_every_list_command(crm) -> None:
    cli = crm
    assert names(cli("contact", "list", "--where", "city=berlin", "--json")) == ["Jürgen Müller"]
    assert names(
        cli("contact", "list", "-w", "lifecycle=lead and not activity:email", "--json")
    ) == ["Ada"]
    assert names(cli("contact", "list", "--where", "last_contacted>30d", "--json")) == [
        "Ada",
        "Grace",
    ]
    assert names(cli("company", "list", "--where", "size<100 or tag:nope", "--json")) == [
        "Beta Ltd"
    ]
    assert names(cli("deal", "list", "--where", "amount>=1000", "--json")) == ["Acme renewal"]
    # --where narrows the other options, it does not replace them
    assert names(cli("contact", "list", "--tag", "vip", "--where", "city=Berlin", "--json")) == []
    table = cli("contact", "list", "--where", 'name~"müll"')
    assert "Jürgen Müller" in table.stdout and "Ada" not in table.stdout


def test_the_quick_forms_work_in_where(crm) -> None:
    """The board's quick forms are the filter language's: the same on every list."""
    cli = crm
    assert cli("deal", "edit", "Beta pilot", "--owner", "sam", "--tag", "hot").exit_code == 0
    assert cli("segment", "save", "Small", "size<100").exit_code == 0
    for args, expected in [
        (["contact", "list", "--where", "#vip"], ["Grace"]),
        (["contact", "list", "--where", "müller"], ["Jürgen Müller"]),  # a search
        (["contact", "list", "--where", "contact:ada@"], ["Ada"]),
        (["contact", "list", "--where", "lifecycle=lead and not beta.co"], ["Jürgen Müller"]),
        (["company", "list", "--where", "contact:müller"], ["Acme GmbH"]),
        (["company", "list", "--where", "segment:small"], ["Beta Ltd"]),
        (["company", "list", "--where", "segment!=small"], ["Acme GmbH"]),
        (["company", "list", "--where", "berlin"], ["Acme GmbH"]),
        (["deal", "list", "--where", "@sam"], ["Beta pilot"]),
        (["deal", "list", "--where", "owner:sam #hot"], ["Beta pilot"]),
        (["deal", "list", "--where", "acme"], ["Acme renewal"]),
        (["deal", "list", "--where", "contact:müller or #hot"], ["Acme renewal", "Beta pilot"]),
        (["deal", "list", "--where", '"acme renewal" amount>1000'], ["Acme renewal"]),
    ]:
        assert names(cli(*args, "--json")) == expected, args
    exported = cli("export", "contacts", "--where", "#vip")
    assert exported.exit_code == 0, exported.stderr
    assert "Grace" in exported.stdout and "Ada" not in exported.stdout
    half = cli("deal", "list", "--where", "amount>5 and sta")
    assert half.exit_code == 1
    assert half.stderr == (
        "Error: bad filter at position 14: expected a condition, not 'sta' (did you mean "
        "stage, status?) (amount>5 and sta)\n"
    )
    loop = cli("segment", "save", "Loop", "segment:loop or size>1")
    assert loop.exit_code == 1
    assert loop.stderr == (
        "Error: bad filter at position 9: segment Loop names itself (through segment:) "
        "(segment:loop or size>1)\n"
    )
    assert "Loop" not in cli("segment", "list").stdout


def test_segment_commands(crm) -> None:
    cli = crm
    saved = cli("segment", "save", "Berlin leads", "lifecycle=lead and city=Berlin")
    assert saved.exit_code == 0, saved.stderr
    assert saved.stdout == (
        "Saved segment Berlin leads (works on contacts): lifecycle=lead and city=Berlin\n"
    )
    assert cli("segment", "save", "Small", "size<100").exit_code == 0

    listed = cli("segment", "list")
    assert "Berlin leads" in listed.stdout and "contacts, companies" in listed.stdout
    rows = cli("segment", "list", "--json").json()
    assert [(r["name"], r["expression"], r["kinds"]) for r in rows] == [
        ("Berlin leads", "lifecycle=lead and city=Berlin", ["contact"]),
        ("Small", "size<100", ["contact", "company"]),
    ]

    shown = cli("segment", "show", "small")
    assert shown.exit_code == 0
    assert "size<100" in shown.stdout
    assert "1 contact, 1 company" in shown.stdout
    assert cli("segment", "show", "berlin leads", "--json").json()["matches"] == {"contact": 1}

    assert names(cli("contact", "list", "--segment", "berlin leads", "--json")) == ["Jürgen Müller"]
    assert names(cli("company", "list", "--segment", "Small", "--json")) == ["Beta Ltd"]
    assert names(cli("contact", "list", "--segment", "Small", "--where", "name=ada", "--json")) == [
        "Ada"
    ]

    removed = cli("segment", "rm", "SMALL")
    assert (removed.exit_code, removed.stdout) == (0, "Deleted segment Small\n")
    assert [r["name"] for r in cli("segment", "list", "--json").json()] == ["Berlin leads"]
    feed = cli("feed", "--json").json()
    assert [e["summary"] for e in feed[:2]] == [
        "deleted segment Small",
        "saved segment Small: size<100",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["contact", "list", "--where", "lifecycle=lead and score>="],
            "Error: bad filter at position 27: expected a value after '>=' "
            "(lifecycle=lead and score>=)",
        ),
        (["contact", "list", "--where", "citty=Berlin"], "unknown field 'citty' for contacts"),
        (["deal", "list", "--where", "amount>=lots"], "amount is an amount, not 'lots'"),
        (["company", "list", "--where", 'name="open'], "unterminated string"),
        (["contact", "list", "--segment", "nope"], "no segment matches 'nope'"),
        (["segment", "save", "broken", "score>=10 and ("], "position 16: expected a condition"),
        (["segment", "show", "nope"], "no segment matches 'nope'"),
        (["segment", "rm", "nope"], "no segment matches 'nope'"),
    ],
)
def test_bad_filters_are_one_line_and_exit_1(cli, args, message) -> None:
    result = cli(*args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_a_segment_used_on_the_wrong_kind_says_so(crm) -> None:
    crm("segment", "save", "leads", "lifecycle=lead")
    result = crm("deal", "list", "--segment", "leads")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: segment leads does not work on deals: bad filter at")


def test_the_installed_command_prints_no_traceback(sh) -> None:
    result = sh("contact", "list", "--where", "score>=10 and")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: bad filter at position 14: expected a condition after 'and' (score>=10 and)\n"
    )


def test_help_shows_the_filter_options(cli) -> None:
    for noun in ("contact", "company", "deal"):
        text = cli(noun, "list", "--help").stdout
        assert "--where" in text and "--segment" in text, noun
