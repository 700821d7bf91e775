"""Leads: status, touches through campaigns and channels, BANT, conversion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.store.races import at_once, refused
from tinycrm.store import Ambiguous, Conflict, Invalid, NotFound
from tinycrm.store.activities import log_activity
from tinycrm.store.companies import add_company, list_companies
from tinycrm.store.contacts import (
    add_contact,
    edit_contact,
    get_contact,
    list_contacts,
    remove_contact,
)
from tinycrm.store.deals import add_deal, list_deals
from tinycrm.store.events import list_events
from tinycrm.store.leads import (
    convert_lead,
    email_domain,
    get_qualification,
    list_leads,
    name_from_domain,
    qualify,
    set_lead_status,
)
from tinycrm.store.models import Campaign, CampaignMember, Event, LifecycleChange, Qualification
from tinycrm.store.types import utcnow

ALL_YES = {"budget": "yes", "authority": "yes", "need": "yes", "timeline": "yes"}


def _events(store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(Event))


def _campaign(store, name: str = "Spring webinar", channel: str = "event") -> int:
    with store.write() as session:
        campaign = Campaign(name=name, name_key=name.casefold(), channel=channel)
        session.add(campaign)
        session.flush()
        return campaign.id


def _member(store, campaign_id: int, contact_id: int, status: str) -> None:
    with store.write() as session:
        session.add(CampaignMember(campaign_id=campaign_id, contact_id=contact_id, status=status))


def _member_status(store, campaign_id: int, contact_id: int) -> str | None:
    with store.read() as session:
        return session.scalar(
            select(CampaignMember.status).where(
                CampaignMember.campaign_id == campaign_id, CampaignMember.contact_id == contact_id
            )
        )


# --------------------------------------------------------------------------- status


def test_new_leads_start_as_new_and_status_is_validated(store) -> None:
    lead = add_contact(store, name="Ada Lovelace")
    assert lead.lead_status == "new"
    assert add_contact(store, name="Bob", lifecycle="customer").lead_status is None
    assert add_contact(store, name="Cy", lead_status="HOT").lead_status == "hot"
    with pytest.raises(Invalid, match="invalid lead status 'warm'"):
        add_contact(store, name="Dee", lead_status="warm")
    assert [c.name for c in list_contacts(store)] == ["Ada Lovelace", "Bob", "Cy"]
    assert edit_contact(store, "Ada Lovelace", lead_status="junk").lead_status == "junk"
    assert edit_contact(store, "Ada Lovelace", lead_status="").lead_status is None
    assert list_events(store, limit=1)[0].summary == "updated contact Ada Lovelace: lead status"


def test_list_contacts_filters_by_one_or_several_lead_statuses(store) -> None:
    for name, status in (("Ann", "hot"), ("Ben", "working"), ("Cat", "dead")):
        add_contact(store, name=name, lead_status=status)
    assert [c.name for c in list_contacts(store, lead_status="hot")] == ["Ann"]
    assert [c.name for c in list_contacts(store, lead_status="hot, working")] == ["Ann", "Ben"]
    with pytest.raises(Invalid, match="lead status"):
        list_contacts(store, lead_status="lukewarm")


def test_set_lead_status_writes_one_event_and_refuses_nonsense(store) -> None:
    add_contact(store, name="Ada", email="ada@example.com")
    before = _events(store)
    assert set_lead_status(store, "ada@example.com", "Working").lead_status == "working"
    assert list_events(store, limit=1)[0].summary == "lead status of Ada: new → working"
    set_lead_status(store, "ada@example.com", "working")  # no change, no event
    assert _events(store) == before + 1
    with pytest.raises(Invalid):
        set_lead_status(store, "ada@example.com", "")
    with pytest.raises(Invalid, match="choose from new, working, hot, cold, junk, dead"):
        set_lead_status(store, "ada@example.com", "maybe")
    assert get_contact(store, "ada@example.com").lead_status == "working"


def test_list_leads_only_leads_by_score_with_bant_and_filters(store) -> None:
    add_contact(store, name="Ann", lead_status="hot")
    add_contact(store, name="Ben")
    add_contact(store, name="Cid", lifecycle="customer")
    with store.write() as session:
        from tinycrm.store.contacts import resolve_contact

        resolve_contact(session, "Ben").score = 12
    qualify(store, "Ann", answers=ALL_YES)
    leads = list_leads(store)
    assert [(lead.name, lead.score) for lead in leads] == [("Ben", 12), ("Ann", 0)]
    assert (leads[1].budget, leads[1].sales_qualified) == ("yes", True)
    assert (leads[0].need, leads[0].sales_qualified) == ("unknown", False)
    assert [lead.name for lead in list_leads(store, qualified=True)] == ["Ann"]
    assert [lead.name for lead in list_leads(store, qualified=False)] == ["Ben"]
    assert [lead.name for lead in list_leads(store, status="new")] == ["Ben"]
    assert len(list_leads(store, limit=1)) == 1


# --------------------------------------------------------------------------- touches


def test_a_channel_touch_sets_last_touch_and_fills_an_empty_source(store) -> None:
    add_contact(store, name="Ada", email="ada@example.com", source="Referral")
    add_contact(store, name="Bob", email="bob@example.com")
    log_activity(store, kind="email", text="Downloaded pricing", ref="Ada", channel="Web")
    ada = get_contact(store, "Ada")
    assert (ada.last_touch, ada.source) == ("web", "Referral")  # the source as typed
    log_activity(store, kind="call", text="Met at the fair", ref="Bob", channel="event")
    bob = get_contact(store, "Bob")
    assert (bob.last_touch, bob.source) == ("event", "event")
    # an activity without a channel is not a touch
    log_activity(store, kind="note", text="Just a note", ref="Bob")
    assert get_contact(store, "Bob").last_touch == "event"
    # a touch logged after the fact does not replace a later one
    log_activity(
        store, kind="call", text="Old ad", ref="Bob", channel="ads", at=utcnow() - timedelta(days=9)
    )
    assert get_contact(store, "Bob").last_touch == "event"
    summary = list_events(store, limit=1)[0].summary
    assert summary == "logged call with Bob: Old ad (via ads)"


def test_a_campaign_touch_marks_the_member_responded(store) -> None:
    webinar = _campaign(store, "Spring webinar", "event")
    ads = _campaign(store, "Autumn ads", "ads")
    ada = add_contact(store, name="Ada")
    bob = add_contact(store, name="Bob")
    cy = add_contact(store, name="Cy")
    _member(store, webinar, ada.id, "sent")
    _member(store, webinar, bob.id, "converted")
    _member(store, ads, ada.id, "targeted")
    log_activity(store, kind="meeting", text="Attended", ref="Ada", campaign="spring WEBINAR")
    assert _member_status(store, webinar, ada.id) == "responded"
    assert _member_status(store, ads, ada.id) == "targeted"  # another campaign: untouched
    log_activity(store, kind="meeting", text="Attended", ref="Bob", campaign=str(webinar))
    assert _member_status(store, webinar, bob.id) == "converted"  # never moves back
    log_activity(store, kind="meeting", text="Attended", ref="Cy", campaign="Spring webinar")
    assert _member_status(store, webinar, cy.id) is None  # not a member: not added
    contact = get_contact(store, "Ada")
    assert (contact.last_touch, contact.source) == ("Spring webinar", "Spring webinar")
    from tinycrm.store.models import Activity

    with store.read() as session:
        row = session.scalars(select(Activity).order_by(Activity.id)).first()
        assert (row.campaign_id, row.channel) == (webinar, "event")


def test_an_unknown_campaign_writes_nothing(store) -> None:
    add_contact(store, name="Ada")
    before = _events(store)
    with pytest.raises(NotFound, match="no campaign matches 'Nope'"):
        log_activity(store, kind="call", text="Hi", ref="Ada", campaign="Nope")
    assert _events(store) == before
    assert get_contact(store, "Ada").last_touch is None


def test_a_touch_through_a_deal_reaches_its_contact(store) -> None:
    add_contact(store, name="Ada", company="Acme")
    add_deal(store, title="Acme renewal", contact="Ada")
    log_activity(store, kind="call", text="Renewal call", ref="Acme renewal", channel="phone")
    assert get_contact(store, "Ada").last_touch == "phone"


# --------------------------------------------------------------------------- BANT


def test_qualify_sets_answers_and_notes_and_says_when_sales_qualified(store) -> None:
    add_contact(store, name="Ada", email="ada@example.com")
    before = _events(store)
    result = qualify(
        store,
        "ada@example.com",
        answers={"budget": "yes", "need": "Yes"},
        notes={"budget": "50k approved"},
    )
    assert (result.budget.answer, result.budget.note) == ("yes", "50k approved")
    assert result.need.answer == "yes"
    assert result.authority.answer == result.timeline.answer == "unknown"
    assert result.sales_qualified is False
    # a note alone keeps the answer; an answer alone keeps the note
    result = qualify(store, "Ada", answers={"budget": "yes", "authority": "yes"})
    assert result.budget.note == "50k approved"
    result = qualify(store, "Ada", notes={"timeline": "Q3"})
    assert (result.timeline.answer, result.timeline.note) == ("unknown", "Q3")
    result = qualify(store, "Ada", answers={"timeline": "yes"})
    assert result.sales_qualified is True
    assert (result.timeline.answer, result.timeline.note) == ("yes", "Q3")
    assert _events(store) == before + 4
    assert list_events(store, limit=1)[0].summary == (
        "qualified contact Ada: timeline=yes (sales-qualified)"
    )
    qualify(store, "Ada", answers={"timeline": "yes"})  # nothing changed: no event
    assert _events(store) == before + 4
    result = qualify(store, "Ada", answers={"need": "no"}, notes={"budget": ""})
    assert (result.sales_qualified, result.budget.note) == (False, None)


def test_qualify_refuses_bad_criteria_and_answers_without_writing(store) -> None:
    add_contact(store, name="Ada")
    with pytest.raises(Invalid, match="invalid budget answer 'maybe'"):
        qualify(store, "Ada", answers={"budget": "maybe"})
    with pytest.raises(Invalid, match="invalid BANT criterion 'money'"):
        qualify(store, "Ada", answers={"money": "yes"})
    with pytest.raises(Invalid, match="invalid BANT criterion"):
        qualify(store, "Ada", notes={"champion": "Bob"})
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Qualification)) == 0


def test_qualify_a_deal_and_ambiguous_refs(store) -> None:
    add_contact(store, name="Acme")
    add_deal(store, title="Acme")
    add_deal(store, title="Globex expansion")
    with pytest.raises(Ambiguous, match="contact:1; deal:1"):
        qualify(store, "Acme", answers={"budget": "yes"})
    deal = qualify(store, "deal:Acme", answers=ALL_YES)
    assert (deal.entity, deal.entity_id, deal.sales_qualified) == ("deal", 1, True)
    assert get_qualification(store, "contact:Acme").sales_qualified is False
    assert get_qualification(store, "Globex expansion").entity == "deal"
    with pytest.raises(NotFound, match="no contact or deal matches 'Nobody'"):
        get_qualification(store, "Nobody")


def test_removing_a_contact_drops_its_bant_answers(store) -> None:
    add_contact(store, name="Ada")
    qualify(store, "Ada", answers=ALL_YES)
    remove_contact(store, "Ada")
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Qualification)) == 0


# --------------------------------------------------------------------------- conversion


def test_email_domains_and_company_names() -> None:
    assert email_domain("ada@Acme-Tools.co.uk") == "acme-tools.co.uk"
    assert email_domain("ada@gmail.com") is None
    assert email_domain(None) is None
    assert name_from_domain("acme-tools.co.uk") == "Acme Tools"
    assert name_from_domain("globex.com") == "Globex"


def test_convert_creates_the_company_from_the_email_and_opens_a_deal_in_one_event(store) -> None:
    add_contact(store, name="Ada", email="ada@acme-tools.de")
    before = _events(store)
    result = convert_lead(
        store, "Ada", deal="Acme pilot", amount="12,500.00", stage="Proposal", currency="usd"
    )
    assert _events(store) == before + 1
    event = list_events(store, limit=1)[0]
    assert (event.action, event.entity, event.entity_id) == ("converted", "contact", 1)
    assert event.summary == (
        "converted lead Ada to prospect at Acme Tools (new company); "
        "opened deal Acme pilot ($12,500.00)"
    )
    assert result.contact.lifecycle == "prospect"
    assert result.company_created is True
    assert (result.company.name, result.company.domain) == ("Acme Tools", "acme-tools.de")
    assert result.contact.company == "Acme Tools"
    deal = result.deal
    assert (deal.title, deal.stage, deal.contact, deal.company) == (
        "Acme pilot",
        "Proposal",
        "Ada",
        "Acme Tools",
    )
    assert (str(deal.amount), deal.currency) == ("12500.00", "USD")
    assert [d.title for d in list_deals(store)] == ["Acme pilot"]
    with store.read() as session:
        history = session.scalars(
            select(LifecycleChange.to_lifecycle).order_by(LifecycleChange.id)
        ).all()
    assert history == ["lead", "prospect"]


def test_convert_links_existing_companies(store) -> None:
    add_company(store, name="Globex Corporation", domain="globex.com")
    add_company(store, name="Initech")
    add_contact(store, name="Hank", email="hank@globex.com")
    add_contact(store, name="Pete", email="pete@initech.com")
    add_contact(store, name="Bill", email="bill@gmail.com")
    add_contact(store, name="Joan", email="joan@initech.com", company="Chotchkie's")
    assert convert_lead(store, "Hank").company.name == "Globex Corporation"
    pete = convert_lead(store, "Pete")  # same name, no domain yet: that company
    assert (pete.company.name, pete.company_created) == ("Initech", False)
    bill = convert_lead(store, "Bill")  # a mail provider names no company
    assert (bill.company, bill.contact.lifecycle) == (None, "prospect")
    assert convert_lead(store, "Joan").company.name == "Chotchkie's"  # the one it has
    assert len(list_companies(store)) == 3


def test_convert_with_company_option(store) -> None:
    add_company(store, name="Acme GmbH", domain="acme.de")
    add_contact(store, name="Ada", email="ada@gmail.com")
    add_contact(store, name="Bob", email="bob@example.org")
    assert convert_lead(store, "Ada", company="acme.de").company.name == "Acme GmbH"
    bob = convert_lead(store, "Bob", company="Brand New Ltd")
    assert (bob.company.name, bob.company_created, bob.contact.company) == (
        "Brand New Ltd",
        True,
        "Brand New Ltd",
    )


def test_convert_refuses_non_leads_and_bad_deals_without_writing(store) -> None:
    add_contact(store, name="Cid", lifecycle="customer")
    add_contact(store, name="Ada", email="ada@acme.de")
    with pytest.raises(Conflict, match="Cid is not a lead"):
        convert_lead(store, "Cid")
    before = _events(store)
    with pytest.raises(NotFound, match="stage"):
        convert_lead(store, "Ada", deal="Acme pilot", stage="Nowhere")
    with pytest.raises(Invalid, match="need --deal"):
        convert_lead(store, "Ada", amount="100")
    assert _events(store) == before
    assert get_contact(store, "Ada").lifecycle == "lead"
    assert list_companies(store) == []
    assert list_deals(store) == []


def test_convert_marks_campaign_memberships_converted(store) -> None:
    webinar = _campaign(store)
    ada = add_contact(store, name="Ada")
    _member(store, webinar, ada.id, "responded")
    convert_lead(store, "Ada")
    assert _member_status(store, webinar, ada.id) == "converted"


LEAD_WRITES = {
    "lead status": lambda store, n: set_lead_status(store, f"Lead {n}", "hot"),
    "lead qualify": lambda store, n: qualify(store, f"contact:Lead {n}", answers=ALL_YES),
    "lead convert": lambda store, n: convert_lead(store, f"Lead {n}", deal=f"Deal {n}"),
}


@pytest.mark.parametrize("write", list(LEAD_WRITES))
def test_a_lead_written_while_it_is_deleted_is_written_first_or_not_found(
    store, write: str
) -> None:
    """``lead status``, ``lead qualify`` or ``lead convert`` and ``contact rm`` of one lead
    at once: the write comes first (the delete after it), or it is refused with one line
    (the contact was deleted just now), never the ORM's or the database's error; nothing
    of the lead is left (its answers, a deal made with it is kept unlinked)."""
    add_company(store, name="Acme", domain="acme.com")
    rounds = 4
    for n in range(rounds):
        add_contact(store, name=f"Lead {n}", email=f"lead{n}@acme.com", company="Acme")
    for n in range(rounds):
        outcomes = at_once(
            lambda n=n: LEAD_WRITES[write](store, n),
            lambda n=n: remove_contact(store, f"Lead {n}"),
            expected=(NotFound,),
        )
        assert refused(outcomes[1:]) == 0
        if refused(outcomes):
            assert f"Lead {n}" in str(outcomes[0])
    assert list_contacts(store) == []
    assert all(deal.contact_id is None for deal in list_deals(store))
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Qualification)) == 0
