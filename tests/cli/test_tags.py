"""``tinycrm tag rename`` and ``tag rm`` as a user types them (``tag list`` is in
test_records)."""

from __future__ import annotations


def _seed(cli) -> None:
    assert cli("company", "add", "Acme", "--tag", "vip").exit_code == 0
    assert cli("contact", "add", "Ada", "--tag", "VIP", "--tag", "newsletter").exit_code == 0
    assert cli("contact", "add", "Bob", "--tag", "gold", "--tag", "vip").exit_code == 0
    assert cli("segment", "save", "Hot", "#vip and not #newsletter").exit_code == 0


def test_rename_says_what_it_did_and_the_segment_follows(cli) -> None:
    _seed(cli)
    r = cli("tag", "rename", "#Vip", "Gold")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == [
        "Renamed tag vip to gold on 3 records (1 had both: one tag now)",
        "Rewrote 1 segment to the new name: Hot",
    ]
    assert "#gold and not #newsletter" in cli("segment", "list").stdout
    tags = cli("tag", "list", "--json").json()
    assert [(t["entity"], t["name"], t["count"]) for t in tags] == [
        ("company", "gold", 1),
        ("contact", "gold", 2),
        ("contact", "newsletter", 1),
    ]


def test_rename_on_one_kind_names_the_segments_left_as_they_are(cli) -> None:
    _seed(cli)
    r = cli("tag", "rename", "vip", "key", "--on", "company", "--json")
    assert r.exit_code == 0, r.stderr
    assert r.json()["records"] == 1 and r.json()["still_named_by"] == ["segment Hot"]
    r = cli("tag", "rename", "vip", "key", "--on", "contact")
    assert r.stdout == "Renamed tag vip to key on 2 contacts\n"
    assert r.stderr == (
        "Note: still testing tag vip: segment Hot (change them with 'segment save' or "
        "'score rule add --replace')\n"
    )


def test_rm_off_a_terminal_removes_without_asking(cli) -> None:
    _seed(cli)
    r = cli("tag", "rm", "newsletter")
    assert (r.exit_code, r.stdout) == (0, "Removed tag newsletter from 1 record\n")
    assert "still testing tag newsletter: segment Hot" in r.stderr
    assert [t["name"] for t in cli("tag", "list", "--on", "contact", "--json").json()] == [
        "gold",
        "vip",
    ]


def test_typos_and_bad_names_are_one_line_and_change_nothing(cli) -> None:
    _seed(cli)
    before = cli("tag", "list").stdout
    for args, said in [
        (("rename", "vpi", "x"), "Error: no record carries tag 'vpi'\n"),
        (("rename", "vip", "a;b"), "must not contain ','"),
        (("rename", "vip", "VIP"), "Error: the tag is 'vip' already (tags ignore case)\n"),
        (("rm", "gold", "--on", "deal"), "Error: no deal carries tag 'gold'\n"),
        (("rm", "vip", "--on", "deals"), "record kind"),
        (("rename", "vip", "x\x1b[31m"), "control characters"),
    ]:
        r = cli("tag", *args)
        assert r.exit_code == 1 and said in r.stderr and r.stdout == "", (args, r)
        assert r.stderr.count("\n") == 1, r.stderr
    assert cli("tag", "list").stdout == before


def test_a_list_by_a_tag_no_record_carries_says_so(cli) -> None:
    """``contact list --tag vpi`` (a typo of vip) said 'no contacts', as for a tag that
    simply has no contacts yet, where a company, a stage or a lifecycle typed wrong is
    refused with the nearest one. Now an empty list by a tag no contact carries says so
    on stderr, with the nearest tag in use (exit 0: the list is still right)."""
    _seed(cli)
    typo = cli("contact", "list", "--tag", "vpi")
    assert (typo.exit_code, typo.stdout) == (0, "no contacts\n")
    assert typo.stderr == "Warning: no contact carries the tag 'vpi' (did you mean 'vip'?)\n"
    none = cli("deal", "list", "--tag", "zzz", "--json")
    assert (none.stdout.strip(), none.stderr) == ("[]", "Warning: no deal carries the tag 'zzz'\n")
    company = cli("company", "list", "--tag", "gold")
    assert company.stderr == "Warning: no company carries the tag 'gold'\n"
    carried = cli("contact", "list", "--tag", "gold", "--search", "nobody")
    assert (carried.stdout, carried.stderr) == ("no contacts\n", "")
    assert cli("contact", "list", "--tag", "gold").stderr == ""
