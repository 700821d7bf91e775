"""A tag renamed or removed on every record (``store.tag_renames``): the records, the saved
segments and the scoring rules that test it, the feed."""

from __future__ import annotations

import pytest

from tinycrm.store import Invalid, NotFound
from tinycrm.store.companies import add_company, get_company
from tinycrm.store.contacts import add_contact, get_contact, list_contacts
from tinycrm.store.deals import add_deal, get_deal
from tinycrm.store.events import list_events
from tinycrm.store.scoring import add_score_rule, list_score_rules
from tinycrm.store.segments import get_segment, list_segments, save_segment
from tinycrm.store.tag_renames import remove_tag, rename_tag
from tinycrm.store.tags import list_tags, tags_not_carried


def _build(store) -> None:
    add_company(store, name="Acme", tags=["vip"])
    add_contact(store, name="Ada", tags=["vip", "newsletter"])
    add_contact(store, name="Bob", tags=["vip", "key account"])
    add_contact(store, name="Cy", tags=["newsletter"])
    add_deal(store, title="Big", tags=["vip"])


def _tags(store) -> dict[str, list[str]]:
    return {
        "acme": get_company(store, "Acme").tags,
        "ada": get_contact(store, "Ada").tags,
        "bob": get_contact(store, "Bob").tags,
        "big": get_deal(store, "Big").tags,
    }


def test_a_rename_moves_every_record_and_keeps_segments_and_rules_true(store) -> None:
    _build(store)
    save_segment(store, name="Hot", expression="#VIP and not tag:newsletter")
    save_segment(store, name="Either", expression='tag="vip" or tag!=vip')
    save_segment(store, name="Other", expression="tag:newsletter")
    add_score_rule(store, name="VIP", condition="#vip", points=5)

    def matched() -> dict[str, list[str]]:
        return {s: [c.name for c in list_contacts(store, segment=s)] for s in ("Hot", "Either")}

    before = matched()
    change = rename_tag(store, "VIP", "Key Account")
    assert (change.old, change.new, change.records, change.merged) == ("vip", "key account", 4, 1)
    assert _tags(store) == {
        "acme": ["key account"],
        "ada": ["key account", "newsletter"],
        "bob": ["key account"],  # it carried both: one tag now
        "big": ["key account"],
    }
    assert change.segments == ["Hot", "Either"] and change.score_rules == ["VIP"]
    assert change.still_named_by == []
    expressions = {s.name: s.expression for s in list_segments(store)}
    assert expressions == {
        "Hot": 'tag:"key account" and not tag:newsletter',  # the rest as typed
        "Either": 'tag="key account" or tag!="key account"',
        "Other": "tag:newsletter",
    }
    assert matched() == before == {"Hot": ["Bob"], "Either": ["Ada", "Bob", "Cy"]}
    (rule,) = [r for r in list_score_rules(store) if r.name == "VIP"]
    assert (rule.condition, rule.matches) == ('tag:"key account"', 2)
    event = list_events(store, limit=1)[0]
    assert event.summary == (
        "renamed tag vip to key account: 4 records (1 had both); "
        "rewrote 2 segments and 1 scoring rule"
    )


def test_renaming_a_default_rules_tag_writes_the_defaults_first(store) -> None:
    """The default scoring rules are in force unwritten: renaming the tag one of them tests
    must not switch that rule off quietly."""
    add_contact(store, name="Ada", tags=["downloaded-pricing"])
    assert {r.id for r in list_score_rules(store)} == {None}  # the defaults, unwritten
    change = rename_tag(store, "downloaded-pricing", "pricing-page")
    assert change.score_rules == ["Downloaded pricing"]
    rules = {r.name: (r.condition, r.matches) for r in list_score_rules(store)}
    assert rules["Downloaded pricing"] == ("tag:pricing-page", 1)
    assert rules["Attended a webinar"] == ("tag:attended-webinar", 0)


def test_a_rename_on_one_kind_leaves_the_others_and_names_the_segments(store) -> None:
    _build(store)
    save_segment(store, name="Hot", expression="#vip")
    add_score_rule(store, name="VIP", condition="tag:vip", points=5)
    change = rename_tag(store, "vip", "gold", entity="Company")
    assert (change.records, change.segments, change.score_rules) == (1, [], [])
    assert change.still_named_by == ["segment Hot"]  # it serves contacts and deals too
    assert _tags(store)["acme"] == ["gold"] and _tags(store)["big"] == ["vip"]
    assert get_segment(store, "Hot").expression == "#vip"
    change = rename_tag(store, "vip", "gold", entity="contact")
    assert (change.score_rules, change.still_named_by) == (["VIP"], ["segment Hot"])
    assert _tags(store)["ada"] == ["gold", "newsletter"] and _tags(store)["big"] == ["vip"]


def test_a_removal_takes_the_tag_off_and_names_what_still_tests_it(store) -> None:
    _build(store)
    save_segment(store, name="Hot", expression="#vip")
    add_score_rule(store, name="VIP", condition="tag:vip", points=5)
    would = remove_tag(store, "#VIP", dry_run=True)
    assert (would.records, would.still_named_by) == (4, ["segment Hot", "scoring rule VIP"])
    assert _tags(store)["acme"] == ["vip"]  # a dry run changes nothing
    change = remove_tag(store, "vip", entity="deal")
    assert (change.records, change.still_named_by) == (1, ["segment Hot"])
    assert _tags(store)["big"] == [] and _tags(store)["acme"] == ["vip"]
    remove_tag(store, "vip")
    assert [t.name for t in list_tags(store)] == ["key account", "newsletter"]
    assert get_segment(store, "Hot").expression == "#vip"
    assert list_events(store, limit=1)[0].summary == "removed tag vip: 3 records"


def test_what_is_refused_changes_nothing(store) -> None:
    _build(store)
    before = list_tags(store)
    with pytest.raises(Invalid, match="the tag is 'vip' already"):
        rename_tag(store, "vip", " VIP ")
    with pytest.raises(NotFound, match="no record carries tag 'vipp', did you mean 'vip'"):
        rename_tag(store, "vipp", "gold")
    with pytest.raises(NotFound, match="no deal carries tag 'newsletter'"):
        remove_tag(store, "newsletter", entity="deal")
    with pytest.raises(Invalid, match="must not contain ','"):
        rename_tag(store, "vip", "a,b")
    with pytest.raises(Invalid, match="record kind"):
        rename_tag(store, "vip", "gold", entity="campaign")
    assert list_tags(store) == before


def test_tags_not_carried_by_a_kind_of_record_with_the_nearest(store) -> None:
    """What an empty ``contact list --tag vpi`` says: the tags no contact carries (in the
    form a filter compares them), each with the nearest a contact does carry."""
    add_contact(store, name="Ada", tags=["VIP", "newsletter"])
    add_company(store, name="Acme", tags=["gold"])
    assert tags_not_carried(store, ["Vpi", "vip", "gold"], "contact") == [
        ("vpi", "vip"),
        ("gold", None),
    ]
    assert tags_not_carried(store, ["gold"], "company") == []
