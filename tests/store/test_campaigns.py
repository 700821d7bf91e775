"""Campaigns: members and consent, statuses and touches, and the attribution report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from tests.store.races import at_once, refused
from tinycrm.store import Conflict, Invalid, NotFound
from tinycrm.store.activities import log_activity
from tinycrm.store.campaigns import (
    add_campaign,
    add_members,
    campaign_report,
    campaign_view,
    edit_campaign,
    get_campaign,
    list_campaigns,
    remove_campaign,
    remove_members,
    set_member_status,
)
from tinycrm.store.contacts import add_contact, get_contact
from tinycrm.store.deals import add_deal, lose_deal, win_deal
from tinycrm.store.models import CampaignMember, Contact, Event
from tinycrm.store.scoring import add_score_rule, list_score_rules
from tinycrm.store.segments import get_segment, save_segment


def _flag(store, name: str, **values: bool) -> None:
    with store.write() as session:
        session.execute(update(Contact).where(Contact.name == name).values(**values))


def _statuses(store, campaign: str) -> dict[str, str]:
    return {m.name: m.status for m in campaign_view(store, campaign).members}


def _deal(store, title: str, contact: str, amount: str, currency: str = "EUR") -> None:
    add_deal(store, title=title, contact=contact, amount=amount, currency=currency)


def test_add_list_show_edit_and_remove_a_campaign(store) -> None:
    spring = add_campaign(
        store,
        name="Spring webinar",
        channel="Event",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
        budget="2,000.00",
        notes="Partner co-hosted",
    )
    assert (spring.channel, spring.budget, spring.currency) == ("event", Decimal("2000.00"), "EUR")
    ads = add_campaign(
        store, name="Q2 ads", channel="ads", budget="$1,500.00", starts_on=date(2026, 4, 1)
    )
    assert (ads.budget, ads.currency) == (Decimal("1500.00"), "USD")
    mail = add_campaign(store, name="Letters", channel="direct mail")
    assert (mail.channel, mail.budget, mail.currency) == ("direct-mail", None, "EUR")
    assert [c.name for c in list_campaigns(store)] == ["Q2 ads", "Spring webinar", "Letters"]
    with pytest.raises(Conflict, match="a campaign named Spring webinar already exists"):
        add_campaign(store, name="SPRING WEBINAR", channel="email")
    with pytest.raises(Invalid, match="invalid channel 'radio'"):
        add_campaign(store, name="Radio", channel="radio")
    with pytest.raises(Invalid, match=r"ends .* before it starts"):
        add_campaign(
            store,
            name="Backwards",
            channel="email",
            starts_on=date(2026, 5, 2),
            ends_on=date(2026, 5, 1),
        )
    with pytest.raises(Invalid, match="is in USD, but the currency given is EUR"):
        add_campaign(store, name="Mixed", channel="email", budget="$5", currency="EUR")
    edited = edit_campaign(store, "spring webinar", budget="2500", notes=None, channel="email")
    assert (edited.budget, edited.currency, edited.notes, edited.channel) == (
        Decimal("2500.00"),
        "EUR",
        None,
        "email",
    )
    assert edit_campaign(store, "Q2 ads", currency="GBP").budget == Decimal("1500.00")
    assert get_campaign(store, "Q2 ads").currency == "GBP"
    with pytest.raises(Invalid, match="ends"):
        edit_campaign(store, "Spring webinar", ends_on=date(2026, 2, 1))
    add_contact(store, name="Ada")
    add_members(store, "Letters", contacts=["Ada"])
    removed = remove_campaign(store, "Letters")
    assert removed.members == 1
    with store.read() as session:
        assert session.scalars(select(CampaignMember)).all() == []
    with pytest.raises(NotFound, match="no campaign matches 'Letters'"):
        get_campaign(store, "Letters")


def test_unsubscribed_and_do_not_contact_are_never_added(store) -> None:
    add_campaign(store, name="Newsletter", channel="email")
    for name in ("Ada", "Bob", "Cy", "Dee", "Eve"):
        add_contact(store, name=name, tags=["newsletter"])
    add_contact(store, name="Fay")
    _flag(store, "Cy", unsubscribed=True)
    _flag(store, "Dee", do_not_contact=True)
    _flag(store, "Eve", unsubscribed=True, do_not_contact=True)
    first = add_members(store, "Newsletter", contacts=["Ada", "Cy"])
    assert (first.added, first.already, first.left_out, first.left_out_named) == (1, 0, 1, ["Cy"])
    save_segment(store, name="Readers", expression="tag:newsletter")
    second = add_members(store, "Newsletter", segment="Readers", contacts=["Fay"])
    assert (second.added, second.already, second.left_out) == (2, 1, 3)
    assert (second.unsubscribed, second.do_not_contact, second.left_out_named) == (2, 2, [])
    assert _statuses(store, "Newsletter") == {
        "Ada": "targeted",
        "Bob": "targeted",
        "Fay": "targeted",
    }
    third = add_members(store, "Newsletter", where="tag:newsletter and not unsubscribed")
    assert (third.added, third.already, third.left_out) == (0, 2, 1)
    with store.read() as session:
        summaries = session.scalars(
            select(Event.summary).where(Event.entity == "campaign").order_by(Event.id)
        ).all()
    assert summaries[-1] == (
        "added 2 members to campaign Newsletter (3 left out: unsubscribed or do not contact)"
    )
    with pytest.raises(Invalid, match="name contacts to add, or give --segment or --where"):
        add_members(store, "Newsletter")
    with pytest.raises(Invalid, match="bad filter at position 1"):
        add_members(store, "Newsletter", where="colour=red")


def test_member_statuses_and_the_touches_they_record(store) -> None:
    add_campaign(store, name="Spring webinar", channel="event")
    add_contact(store, name="Ada")
    add_contact(store, name="Bob", source="web")
    add_contact(store, name="Cy")
    add_members(store, "Spring webinar", contacts=["Ada", "Bob", "Cy"])
    sent = set_member_status(store, "Spring webinar", status="sent", all_targeted=True)
    assert (sent.changed, sent.unchanged) == (3, 0)
    answered = set_member_status(
        store, "Spring webinar", status="responded", contacts=["Ada", "Bob"]
    )
    assert answered.changed == 2
    assert _statuses(store, "Spring webinar") == {
        "Ada": "responded",
        "Bob": "responded",
        "Cy": "sent",
    }
    ada, bob, cy = (get_contact(store, n) for n in ("Ada", "Bob", "Cy"))
    assert (ada.source, ada.last_touch) == ("Spring webinar", "Spring webinar")
    assert (bob.source, bob.last_touch) == ("web", "Spring webinar")  # the first touch stays
    assert (cy.source, cy.last_touch) == (None, None)
    again = set_member_status(store, "Spring webinar", status="responded", contacts=["Ada"])
    assert (again.changed, again.unchanged) == (0, 1)
    add_contact(store, name="Stranger")
    with pytest.raises(NotFound, match="Stranger is not a member of campaign Spring webinar"):
        set_member_status(store, "Spring webinar", status="converted", contacts=["Cy", "Stranger"])
    assert _statuses(store, "Spring webinar")["Cy"] == "sent"  # nothing was written
    with pytest.raises(Invalid, match="invalid member status 'opened'"):
        set_member_status(store, "Spring webinar", status="opened", contacts=["Cy"])
    with pytest.raises(Invalid, match="--all-targeted"):
        set_member_status(store, "Spring webinar", status="sent")
    gone = remove_members(store, "Spring webinar", contacts=["cy"])
    assert gone.changed == 1 and "Cy" not in _statuses(store, "Spring webinar")


def _attribution_world(store) -> None:
    """The hand-computed data set of the report test.

    Spring webinar, budget €2,000. Members: Ada (converted), Bob (responded), Cy and
    Hal (sent), Dee (targeted); Fay (unsubscribed) and Gus (do not contact) left out;
    Eve is no member. First touch (source) Spring webinar: Ada, Cy, Eve. Last touch
    Spring webinar: Ada, Bob (Cy's last touch is a trade fair).
    Deals: Ada won €10,000 and open €5,000; Bob won €3,000; Cy won $1,000 and lost
    €4,000; Eve open €2,500; Hal none.
    """
    add_campaign(store, name="Spring webinar", channel="event", budget="2000")
    add_contact(store, name="Ada", source="Spring webinar")
    add_contact(store, name="Bob", source="web")
    add_contact(store, name="Cy", source="SPRING WEBINAR")
    add_contact(store, name="Dee")
    add_contact(store, name="Eve", source="spring webinar")
    add_contact(store, name="Fay")
    add_contact(store, name="Gus")
    add_contact(store, name="Hal")
    _flag(store, "Fay", unsubscribed=True)
    _flag(store, "Gus", do_not_contact=True)
    added = add_members(
        store, "Spring webinar", contacts=["Ada", "Bob", "Cy", "Dee", "Fay", "Gus", "Hal"]
    )
    assert (added.added, added.left_out) == (5, 2)
    set_member_status(store, "Spring webinar", status="sent", all_targeted=True)
    set_member_status(store, "Spring webinar", status="targeted", contacts=["Dee"])
    set_member_status(store, "Spring webinar", status="converted", contacts=["Ada"])
    set_member_status(store, "Spring webinar", status="responded", contacts=["Bob"])
    log_activity(store, kind="meeting", text="Met at the fair", ref="Cy", channel="Trade fair")
    _deal(store, "Ada big", "Ada", "10000")
    _deal(store, "Ada more", "Ada", "5000")
    _deal(store, "Bob deal", "Bob", "3000")
    _deal(store, "Cy dollars", "Cy", "1000", "USD")
    _deal(store, "Cy lost", "Cy", "4000")
    _deal(store, "Eve deal", "Eve", "2500")
    for title in ("Ada big", "Bob deal", "Cy dollars"):
        win_deal(store, title)
    lose_deal(store, "Cy lost", reason="Budget cut")


def test_report_figures_against_a_hand_computed_data_set(store) -> None:
    _attribution_world(store)
    report = campaign_report(store, "spring webinar")
    assert (report.members, report.targeted, report.sent, report.responded, report.converted) == (
        5,
        1,
        2,
        1,
        1,
    )
    assert report.responses == 2
    assert report.response_rate == Decimal("0.4")  # 2 of 5 answered
    assert report.conversion_rate == Decimal("0.2")  # 1 of 5 converted
    assert report.leads == 4  # Ada, Cy, Eve by first touch; Bob answered
    assert (report.budget, report.currency) == (Decimal("2000.00"), "EUR")
    assert report.cost_per_lead == Decimal("500.00")

    first = report.first_touch
    assert (first.contacts, first.deals, first.open_deals, first.won_deals, first.lost_deals) == (
        3,
        5,
        2,
        2,
        1,
    )
    assert first.won_revenue == {"EUR": Decimal("10000"), "USD": Decimal("1000")}
    assert first.open_value == {"EUR": Decimal("7500")}
    assert first.roi == Decimal("4")  # (10,000 − 2,000) ÷ 2,000; the dollars are not converted
    assert first.roi_leaves_out == ["USD"]

    last = report.last_touch
    assert (last.contacts, last.deals, last.open_deals, last.won_deals, last.lost_deals) == (
        2,
        3,
        1,
        2,
        0,
    )
    assert last.won_revenue == {"EUR": Decimal("13000")}
    assert last.open_value == {"EUR": Decimal("5000")}
    assert last.roi == Decimal("5.5")  # (13,000 − 2,000) ÷ 2,000
    assert last.roi_leaves_out == []

    as_json = report.model_dump(mode="json")
    assert as_json["first_touch"]["won_revenue"] == {"EUR": 10000, "USD": 1000}
    assert (as_json["response_rate"], as_json["last_touch"]["roi"]) == (0.4, 5.5)


def test_a_report_without_budget_or_members_has_no_rates(store) -> None:
    add_campaign(store, name="Quiet", channel="social")
    report = campaign_report(store, "Quiet")
    assert (report.members, report.response_rate, report.conversion_rate) == (0, None, None)
    assert (report.leads, report.cost_per_lead) == (0, None)
    assert (report.first_touch.roi, report.first_touch.won_revenue) == (None, {})


def test_a_campaign_edited_or_filled_while_it_is_deleted_is_not_found(store) -> None:
    """``campaign edit`` (or ``campaign members add``) and ``campaign rm`` of one campaign
    at once: the write comes first (the delete after it), or it is refused with one line
    (the campaign was deleted just now), never the ORM's or the database's error; no
    member of it is left."""
    add_contact(store, name="Ann")
    writes = [
        lambda n: edit_campaign(store, f"Spring {n}", notes="Second mailing"),
        lambda n: add_members(store, f"Spring {n}", contacts=["Ann"]),
    ]
    rounds = 6
    for n in range(rounds):
        add_campaign(store, name=f"Spring {n}", channel="email")
    for n in range(rounds):
        write = writes[n % len(writes)]
        outcomes = at_once(
            lambda n=n, write=write: write(n),
            lambda n=n: remove_campaign(store, f"Spring {n}"),
            expected=(NotFound,),
        )
        assert refused(outcomes[1:]) == 0
        if refused(outcomes):
            assert f"Spring {n}" in str(outcomes[0])
    assert list_campaigns(store) == []
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(CampaignMember)) == 0


def test_two_add_members_of_the_same_contacts_at_once_both_succeed(store) -> None:
    """Two `campaign add-members` of the same contacts at once on PostgreSQL: the second
    failed with 'a campaign member with that campaign_id 1, contact_id 1 already exists'
    (exit 1) for contacts the first had just added. Now they take turns: one adds them,
    the other says they were there already."""
    for i in range(20):
        add_contact(store, name=f"Ann {i}")
    for n in range(6):
        add_campaign(store, name=f"Autumn {n}", channel="email")
        outcomes = at_once(
            lambda n=n: add_members(store, f"Autumn {n}", where="name ~ Ann"),
            lambda n=n: add_members(store, f"Autumn {n}", where="name ~ Ann"),
        )
        assert sorted((o.added, o.already) for o in outcomes) == [(0, 20), (20, 0)]


def test_a_renamed_campaign_keeps_its_touches_and_what_they_brought_in(store) -> None:
    """`campaign edit "Sprng webinar" --name "Spring webinar"` (a typo fixed) left every
    contact's source and last touch naming the old name: the report then showed no first
    or last touch, no deals, no won revenue and an ROI of -100%. Now the touches follow
    the name, in the same write; other sources stay as they were."""
    _attribution_world(store)
    before = campaign_report(store, "Spring webinar")
    edit_campaign(store, "Spring webinar", name="Spring webinar 2026")
    after = campaign_report(store, "Spring webinar 2026")
    assert after.first_touch == before.first_touch and after.last_touch == before.last_touch
    assert after.leads == before.leads
    ada, bob, cy = (get_contact(store, n) for n in ("Ada", "Bob", "Cy"))
    assert (ada.source, ada.last_touch) == ("Spring webinar 2026", "Spring webinar 2026")
    assert (bob.source, bob.last_touch) == ("web", "Spring webinar 2026")
    assert (cy.source, cy.last_touch) == ("Spring webinar 2026", "trade fair")


def test_a_renamed_campaign_keeps_the_segments_and_scoring_rules_that_test_it(store) -> None:
    """`campaign edit Webinar --name Seminar` left a saved segment `campaign:Webinar`
    matching nothing ('fix the expression', `--segment` refused with 'no campaign
    matches') and a scoring rule testing it skipped from then on: the founder's saved
    list and the points it gave were gone without a word. Now they name the new name,
    in the same write, the rest of their text as typed."""
    add_campaign(store, name="Spring webinar", channel="event")
    add_campaign(store, name="Trade fair", channel="event")
    save_segment(
        store,
        name="came",
        expression='campaign:"spring WEBINAR"=responded or campaign:"Trade fair"',
    )
    save_segment(store, name="other", expression='campaign:"Trade fair" and city=Berlin')
    add_score_rule(store, name="Webinar", condition='campaign:"Spring webinar"', points=2)
    edit_campaign(store, "Spring webinar", name="Webinar 2026")
    assert get_segment(store, "came").expression == (
        'campaign:"Webinar 2026"=responded or campaign:"Trade fair"'
    )
    assert get_segment(store, "other").expression == 'campaign:"Trade fair" and city=Berlin'
    rule = next(r for r in list_score_rules(store) if r.name == "Webinar")
    assert (rule.condition, rule.error) == ('campaign:"Webinar 2026"', None)
    event = store_events(store)[-1]
    assert "segment came and scoring rule Webinar name it anew" in event


def test_a_touch_in_any_case_counts_for_its_campaign_on_every_database(store) -> None:
    """A contact whose source was typed ÖREBRO FAIR was not a first touch of campaign
    Örebro fair on SQLite (its lower() folds only A-Z), and a rename left it behind; on
    PostgreSQL it was. It is on both."""
    add_campaign(store, name="Örebro fair", channel="event")
    add_contact(store, name="Ada", source="ÖREBRO FAIR")
    add_contact(store, name="Bob", source="örebro fair")
    add_contact(store, name="Cy", source="Örebro")
    report = campaign_report(store, "Örebro fair")
    assert (report.first_touch.contacts, report.leads) == (2, 2)
    edit_campaign(store, "Örebro fair", name="Örebro expo")
    assert [get_contact(store, n).source for n in ("Ada", "Bob", "Cy")] == [
        "Örebro expo",
        "Örebro expo",
        "Örebro",
    ]


def store_events(store) -> list[str]:
    with store.read() as session:
        return list(session.scalars(select(Event.summary).order_by(Event.id)))


def test_an_empty_member_status_is_refused_not_read_as_every_member(store) -> None:
    """campaign show X --status "" listed every member, as if no status had been given."""
    add_campaign(store, name="Spring", channel="email")
    with pytest.raises(Invalid, match="member status must not be empty"):
        campaign_view(store, "Spring", status="")


def test_a_removed_campaign_names_the_segments_and_scoring_rules_that_test_it(store) -> None:
    """`campaign rm` left the saved segments and scoring rules testing the campaign
    matching nothing, without a word (`tag rm` names them). It names them now, and leaves
    them as they are."""
    add_campaign(store, name="Spring webinar", channel="event")
    add_campaign(store, name="Trade fair", channel="event")
    save_segment(store, name="came", expression='campaign:"spring WEBINAR"=responded')
    save_segment(store, name="other", expression='campaign:"Trade fair"')
    add_score_rule(store, name="Webinar", condition='campaign:"Spring webinar"', points=2)
    removed = remove_campaign(store, "Spring webinar")
    assert removed.still_named_by == ["segment came", "scoring rule Webinar"]
    assert get_segment(store, "came").expression == 'campaign:"spring WEBINAR"=responded'
    assert remove_campaign(store, "Trade fair").still_named_by == ["segment other"]
