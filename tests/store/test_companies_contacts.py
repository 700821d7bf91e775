"""Companies and contacts: uniqueness, validation, REFs, tags, custom fields, edits."""

from __future__ import annotations

import warnings

import pytest
from sqlalchemy import select

from tinycrm.store import Ambiguous, Conflict, Invalid, NotFound
from tinycrm.store.activities import log_activity
from tinycrm.store.companies import (
    add_company,
    edit_company,
    get_company,
    list_companies,
    remove_company,
)
from tinycrm.store.contacts import (
    add_contact,
    edit_contact,
    get_contact,
    list_contacts,
    remove_contact,
)
from tinycrm.store.deals import add_deal
from tinycrm.store.events import list_events
from tinycrm.store.views import company_view, contact_view


def test_company_names_are_unique_case_insensitively(store) -> None:
    add_company(store, name="Acme GmbH", domain="https://www.Acme.de/about")
    with pytest.raises(Conflict, match="already exists"):
        add_company(store, name="  ACME   gmbh ")
    assert get_company(store, "acme.de").name == "Acme GmbH"
    assert get_company(store, "acme gmbh").domain == "acme.de"


@pytest.mark.parametrize(
    "typed", ["ACME.DE", "acme.de.", "https://www.Acme.de/about", "http://acme.de:443", "acme.de"]
)
def test_a_company_domain_names_one_company(store, typed: str) -> None:
    acme = add_company(store, name="Acme GmbH", domain="acme.de")
    events = len(list_events(store))
    message = rf"a company with domain acme.de already exists: Acme GmbH \(#{acme.id}\)"
    with pytest.raises(Conflict, match=message):
        add_company(store, name="Acme Inc", domain=typed)
    assert [c.name for c in list_companies(store)] == ["Acme GmbH"]
    other = add_company(store, name="Globex", domain="globex.com")
    with pytest.raises(Conflict, match=message):
        edit_company(store, other.id, domain=typed)
    assert get_company(store, other.id).domain == "globex.com"
    assert len(list_events(store)) == events + 1  # Globex's creation only
    assert edit_company(store, acme.id, domain=typed).domain == "acme.de"  # its own: fine
    assert edit_company(store, other.id, domain="").domain is None
    assert add_company(store, name="Initech").domain is None  # any number without one


def test_an_international_domain_is_kept_as_typed_and_named_by_either_form(store) -> None:
    """müller.de is a domain, as jm@müller.de is an address: kept as it was typed (lower
    case, without scheme and www.), and its xn-- form names the same company: in REFs,
    in the one-company-a-domain check, in filters and when a lead's email finds its
    company."""
    from tinycrm.store.leads import convert_lead

    mueller = add_company(store, name="Müller GmbH", domain="https://www.MÜLLER.de/")
    assert mueller.domain == "müller.de"
    assert get_company(store, "xn--mller-kva.de").id == mueller.id
    assert get_company(store, "Müller.DE").id == mueller.id
    with pytest.raises(Conflict, match=r"a company with domain müller.de already exists"):
        add_company(store, name="Other", domain="xn--mller-kva.de")
    baecker = add_company(store, name="Bäckerei", domain="XN--BCKER-GRA.de")
    assert baecker.domain == "xn--bcker-gra.de"
    assert get_company(store, "bäcker.de").id == baecker.id
    with pytest.raises(Conflict, match=r"a company with domain müller.de already exists"):
        add_company(store, name="Wide", domain="ｍüller．de")  # full width: the same domain
    with pytest.raises(Conflict, match=r"a company with domain xn--bcker-gra.de already"):
        edit_company(store, mueller.id, domain="Bäcker.de")
    jo = add_contact(store, name="Jo", email="jo@xn--mller-kva.de", company="müller.de")
    assert jo.company_id == mueller.id
    for email, company in (("lee@müller.de", mueller), ("kim@bäcker.de", baecker)):
        lead = add_contact(store, name=email, email=email, lifecycle="lead")
        converted = convert_lead(store, lead.id)
        assert converted.company is not None and converted.company.id == company.id, email
    assert [c.name for c in list_companies(store, where="domain=xn--mller-kva.de")] == [
        "Müller GmbH"
    ]
    assert [c.name for c in list_companies(store, where="domain=BÄCKER.DE")] == ["Bäckerei"]
    assert [c.name for c in list_companies(store, where='domain="http://www.müller.de/x"')] == [
        "Müller GmbH"
    ]
    assert {c.name for c in list_contacts(store, where='company="https://www.MÜLLER.de/"')} == {
        "Jo",
        "lee@müller.de",
    }
    assert {c.name for c in list_contacts(store, where="company=xn--mller-kva.de")} == {
        "Jo",
        "lee@müller.de",
    }
    # an import row with the other spelling is that company's row (and a contact's
    # company column by domain finds it too), not a new company nor a refusal
    import io

    from tinycrm.formats.csvfile import open_csv
    from tinycrm.formats.mapping import build_mapping, mapped_rows
    from tinycrm.store.imports import import_records

    for kind, text in (
        ("companies", "Name,Domain,City\nMüller GmbH,XN--MLLER-KVA.DE,Köln\n"),
        ("contacts", "Name,Email,Company Domain\nUrs,urs@x.ch,bäcker.de\n"),
    ):
        table = open_csv(io.BytesIO(text.encode()), name="c.csv")
        summary = import_records(
            store,
            kind=kind,
            rows=mapped_rows(table.records(), build_mapping(kind, table.header)),
            source="c.csv",
        )
        assert summary.rejected == 0, kind
    assert get_company(store, mueller.id).city == "Köln"
    assert get_contact(store, "urs@x.ch").company_id == baecker.id
    assert len(list_companies(store)) == 2
    for bad in ("mül ler.de", "-müller.de", "xn--zz.de", "müller", "ü.de\x1b[2J"):
        with pytest.raises(Invalid, match="invalid domain"):
            add_company(store, name="Bad", domain=bad)


def test_an_import_never_gives_one_domain_to_two_companies(store) -> None:
    """A row that would give a company a domain another company has is rejected, with the
    same message as ``company add`` (the import matches companies by domain first)."""
    import io

    from tinycrm.formats.csvfile import open_csv
    from tinycrm.formats.mapping import build_mapping, mapped_rows
    from tinycrm.store.imports import import_records

    foo = add_company(store, name="Foo")
    bar = add_company(store, name="Bar")
    rejected: list[tuple[int, str]] = []
    text = "Name,Domain\nFoo,new.de\nBar,NEW.de\nZed,https://www.new.de/x\n"
    table = open_csv(io.BytesIO(text.encode()), name="c.csv")
    summary = import_records(
        store,
        kind="companies",
        rows=mapped_rows(table.records(), build_mapping("companies", table.header)),
        source="c.csv",
        on_reject=lambda line, reason, raw: rejected.append((line, reason)),
    )
    # Zed is new: created (with the domain) before the rows that update companies merge
    domains = {c.name: (c.domain, c.id) for c in list_companies(store)}
    zed = domains["Zed"][1]
    taken = f"a company with domain new.de already exists: Zed (#{zed})"
    assert rejected == [(2, taken), (3, taken)]
    assert (summary.created, summary.updated, summary.rejected) == (1, 0, 2)
    assert domains == {"Foo": (None, foo.id), "Bar": (None, bar.id), "Zed": ("new.de", zed)}
    text = "Name,Domain\nFoo,foo.de\nBar,FOO.DE\n"  # rows of one file, one after the other
    table = open_csv(io.BytesIO(text.encode()), name="d.csv")
    rejected.clear()
    import_records(
        store,
        kind="companies",
        rows=mapped_rows(table.records(), build_mapping("companies", table.header)),
        source="d.csv",
        on_reject=lambda line, reason, raw: rejected.append((line, reason)),
    )
    assert rejected == [(3, f"a company with domain foo.de already exists: Foo (#{foo.id})")]
    assert get_company(store, "foo.de").name == "Foo"
    assert get_company(store, bar.id).domain is None


def test_company_fields_tags_and_owner(store) -> None:
    company = add_company(
        store,
        name="Globex",
        industry="Energy",
        size=5000,
        city="Springfield",
        country="US",
        tags=["Enterprise", "enterprise", "partner"],
        fields={"plan": "pro"},
    )
    assert company.owner == "tester"
    assert company.tags == ["enterprise", "partner"]
    assert company.fields == {"plan": "pro"}
    edited = edit_company(
        store,
        "Globex",
        size=None,
        city="",
        add_tags=["vip"],
        remove_tags=["partner"],
        set_fields={"tier": "gold"},
        unset_fields=["plan"],
    )
    assert (edited.size, edited.city) == (None, None)
    assert edited.tags == ["enterprise", "vip"]
    assert edited.fields == {"tier": "gold"}
    assert edited.updated_at >= edited.created_at
    assert [c.name for c in list_companies(store, tags=["vip"])] == ["Globex"]
    assert list_companies(store, tags=["partner"]) == []
    assert [c.name for c in list_companies(store, field=("tier", "gold"))] == ["Globex"]
    assert list_companies(store, field=("tier", "silver")) == []
    # --field tier=GOLD finds what --where field:tier=GOLD finds (any case), not nothing
    assert [c.name for c in list_companies(store, field=("tier", "GOLD"))] == ["Globex"]
    assert [c.name for c in list_companies(store, where="field:tier=GOLD")] == ["Globex"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "must not be empty"),
        ({"name": "X", "domain": "not a domain"}, "invalid domain"),
        ({"name": "X", "size": -1}, "must not be negative"),
        ({"name": "X", "tags": ["a,b"]}, "must not contain"),
        ({"name": "X", "fields": {"bad key": "v"}}, "invalid custom field"),
    ],
)
def test_company_validation_writes_nothing(store, kwargs, message) -> None:
    with pytest.raises(Invalid, match=message):
        add_company(store, **kwargs)
    assert list_companies(store) == []
    assert list_events(store) == []


def test_contact_email_unique_in_any_case_and_kept_as_typed(store) -> None:
    ada = add_contact(store, name="Ada Lovelace", email="Ada@Example.COM")
    assert ada.email == "Ada@Example.COM"
    with pytest.raises(Conflict, match="already belongs to"):
        add_contact(store, name="Other Ada", email="ADA@example.com")
    add_contact(store, name="No Email")
    add_contact(store, name="No Email Either")  # NULL emails never clash
    assert get_contact(store, "ADA@EXAMPLE.COM").id == ada.id


@pytest.mark.parametrize("email", ["ada", "ada@", "@x.com", "a b@x.com", "ada@x"])
def test_contact_email_shape(store, email) -> None:
    with pytest.raises(Invalid, match="invalid email"):
        add_contact(store, name="Ada", email=email)


def test_contact_company_link_creates_missing_company(store) -> None:
    contact = add_contact(store, name="Jürgen Müller", company="Müller GmbH", role="Decision Maker")
    assert contact.company == "Müller GmbH"
    assert contact.role == "decision-maker"
    assert contact.lifecycle == "lead"
    assert [c.name for c in list_companies(store)] == ["Müller GmbH"]
    other = add_contact(store, name="Eva", company="müller gmbh")
    assert other.company_id == contact.company_id
    with pytest.raises(NotFound):
        add_contact(store, name="Bob", company="#999")


def test_a_contact_naming_a_new_domain_makes_the_company_with_that_domain(store) -> None:
    """``--company globex.com`` (no company has it) made a company *named* globex.com
    without a domain, so the next contact, import row or lead at globex.com made another
    company: the domain typed is the new company's domain too."""
    from tinycrm.store.leads import convert_lead

    eve = add_contact(store, name="Eve", company="Globex.com")
    made = get_company(store, eve.company_id)
    assert (made.name, made.domain) == ("Globex.com", "globex.com")
    lead = add_contact(store, name="Lee", email="lee@globex.com", lifecycle="lead")
    converted = convert_lead(store, lead.id)
    assert converted.company is not None and converted.company.id == made.id
    assert len(list_companies(store)) == 1  # not a second company for globex.com
    # a lead converted with --company naming a new domain, likewise
    kim = add_contact(store, name="Kim", email="kim@gmail.com", lifecycle="lead")
    initech = convert_lead(store, kim.id, company="Initech.io").company
    assert initech is not None and (initech.name, initech.domain) == ("Initech.io", "initech.io")
    # a name that is not a domain stays a name only
    assert (
        get_company(store, add_contact(store, name="Al", company="Acme AG").company_id).domain
        is None
    )


def test_contact_role_and_lifecycle_are_checked(store) -> None:
    with pytest.raises(Invalid, match="invalid role"):
        add_contact(store, name="Ada", role="boss")
    with pytest.raises(Invalid, match="invalid lifecycle"):
        add_contact(store, name="Ada", lifecycle="hot")
    assert list_contacts(store) == []


def test_ambiguous_name_lists_candidates(store) -> None:
    a = add_contact(store, name="Sam Smith", email="sam1@x.com")
    b = add_contact(store, name="Sam Smith", email="sam2@x.com")
    with pytest.raises(Ambiguous) as err:
        get_contact(store, "sam smith")
    assert f"#{a.id}" in str(err.value) and f"#{b.id}" in str(err.value)
    assert len(err.value.candidates) == 2
    assert get_contact(store, str(b.id)).email == "sam2@x.com"
    assert get_contact(store, f"#{a.id}").email == "sam1@x.com"
    with pytest.raises(NotFound, match="no contact matches 'nobody'"):
        get_contact(store, "nobody")


def test_contact_filters_combine(store) -> None:
    add_contact(store, name="A", company="Acme", lifecycle="customer", tags=["vip"])
    add_contact(store, name="B", company="Acme", lifecycle="lead", tags=["vip", "eu"])
    add_contact(store, name="C", company="Other", lifecycle="customer", tags=["eu"])
    names = lambda **kw: [c.name for c in list_contacts(store, **kw)]  # noqa: E731
    assert names(company="Acme") == ["A", "B"]
    assert names(lifecycle="customer") == ["A", "C"]
    assert names(tags=["vip", "eu"]) == ["B"]
    assert names(tags=["eu"], lifecycle="customer") == ["C"]
    with pytest.raises(NotFound):
        names(company="Nope")


def test_edit_contact_records_what_changed(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com")
    edit_contact(store, "ada@x.com", phone="123", lifecycle="prospect", add_tags=["vip"])
    event = list_events(store, limit=1)[0]
    assert event.action == "updated"
    assert event.summary == "updated contact Ada: phone, lifecycle, +vip"
    assert event.actor == "tester"
    edit_contact(store, "Ada", phone="123")  # no change, no event
    assert list_events(store, limit=1)[0].id == event.id


def test_edit_to_a_taken_email_changes_nothing(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com")
    add_contact(store, name="Bob", email="bob@x.com")
    with pytest.raises(Conflict):
        edit_contact(store, "Bob", email="ada@x.com", phone="999")
    assert get_contact(store, "Bob").phone is None


def test_remove_company_keeps_contacts_unlinked(store) -> None:
    add_contact(store, name="Ada", company="Acme", tags=["x"])
    removed = remove_company(store, "Acme")
    assert removed.name == "Acme"
    assert get_contact(store, "Ada").company is None
    assert list_events(store, limit=1)[0].summary == "deleted company Acme"


def test_remove_contact_and_views(store) -> None:
    contact = add_contact(store, name="Ada", company="Acme", fields={"k": "v"})
    view = contact_view(store, "Ada")
    assert view.contact.fields == {"k": "v"}
    assert view.company is not None and view.company.name == "Acme"
    assert company_view(store, "Acme").contacts[0].id == contact.id
    remove_contact(store, "Ada")
    with pytest.raises(NotFound):
        get_contact(store, contact.id)
    assert company_view(store, "Acme").contacts == []


def test_tags_and_fields_in_use(store) -> None:
    from tinycrm.store.tags import list_field_keys, list_tags

    add_company(store, name="Acme", tags=["vip"], fields={"plan": "pro"})
    add_contact(store, name="Ada", tags=["vip", "eu"], fields={"plan": "free"})
    add_contact(store, name="Bob", tags=["vip"])
    assert [(t.entity, t.name, t.count) for t in list_tags(store)] == [
        ("company", "vip", 1),
        ("contact", "eu", 1),
        ("contact", "vip", 2),
    ]
    assert [(t.name, t.count) for t in list_tags(store, entity="contact")] == [
        ("eu", 1),
        ("vip", 2),
    ]
    assert [(f.entity, f.key, f.count) for f in list_field_keys(store)] == [
        ("company", "plan", 1),
        ("contact", "plan", 1),
    ]
    with pytest.raises(Invalid):
        list_tags(store, entity="task")


def test_lifecycle_history(store) -> None:

    from tinycrm.store.models import LifecycleChange

    ada = add_contact(store, name="Ada")
    edit_contact(store, "Ada", lifecycle="customer")
    edit_contact(store, "Ada", phone="1")  # no lifecycle change, no row
    edit_contact(store, "Ada", lifecycle="churned")
    with store.read() as session:
        rows = session.execute(
            select(LifecycleChange.from_lifecycle, LifecycleChange.to_lifecycle)
            .where(LifecycleChange.contact_id == ada.id)
            .order_by(LifecycleChange.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        (None, "lead"),
        ("lead", "customer"),
        ("customer", "churned"),
    ]


def test_import_all_of_an_older_dump_gives_a_shared_domain_to_one_company(store, tmp_path) -> None:
    """A dump made before domains were unique may hold one domain on several companies,
    in any case: the restore keeps it on the lowest id and the others' in a custom field."""
    from tests.store.test_ids import _fresh
    from tinycrm.store.dump import dump_database, restore_database

    add_company(store, name="Acme GmbH", domain="acme.de")
    add_company(store, name="ACME Inc", domain="acme.com")
    add_company(store, name="Acme Old", fields={"duplicate_domain": "x"})
    dumped = dump_database(store)
    first, second, third = dumped["tables"]["company"]
    first["domain"], second["domain"], third["domain"] = "HTTPS://Acme.de/", "ACME.DE", "acme.de"
    target = _fresh(store, tmp_path)
    try:
        restore_database(target, dumped)
        found = {c.name: (c.domain, c.fields) for c in list_companies(target)}
        assert found == {
            "Acme GmbH": ("acme.de", {}),
            "ACME Inc": (None, {"duplicate_domain": "ACME.DE"}),
            "Acme Old": (None, {"duplicate_domain": "x", "duplicate_domain_2": "acme.de"}),
        }
        with pytest.raises(Conflict, match=r"acme\.de already exists: Acme GmbH"):
            add_company(target, name="New", domain="Acme.DE")
    finally:
        target.close()


def test_a_ref_that_names_nothing_suggests_records_whose_names_hold_it(store) -> None:
    """Names are matched whole: "Zoë" names no one, but the contact it was meant for is
    offered (at most three, in id order); text that is in no name gets the plain error."""
    from tinycrm.store.deals import add_deal, get_deal

    add_contact(store, name="Zoë O'Brien", email="zoe@example.ie")
    add_contact(store, name="Zoë Adams")
    add_contact(store, name="Zoë Baker")
    add_contact(store, name="Zoë Carter")
    add_company(store, name="Éire Widgets Ltd", domain="eire.example")
    add_deal(store, title="Éire platform 2027")
    with pytest.raises(NotFound) as caught:
        get_contact(store, "o'brien")
    assert str(caught.value) == (
        "no contact matches \"o'brien\" (did you mean #1 Zoë O'Brien <zoe@example.ie>?)"
    )
    with pytest.raises(NotFound) as caught:
        get_contact(store, "ZOË")
    assert str(caught.value) == (
        "no contact matches 'ZOË' (did you mean #1 Zoë O'Brien <zoe@example.ie>; "
        "#2 Zoë Adams; #3 Zoë Baker; …?)"
    )
    with pytest.raises(NotFound, match=r"^no company matches 'widgets' \(did you mean #1 Éire "
                       r"Widgets Ltd \(eire\.example\)\?\)$"):  # fmt: skip
        get_company(store, "widgets")
    with pytest.raises(NotFound, match=r"^no deal matches 'platform' \(did you mean #1"):
        get_deal(store, "platform")
    with pytest.raises(NotFound, match=r"^no contact matches 'zoe' \(did you mean #1 Zoë"):
        get_contact(store, "zoe")  # accents folded, as search folds them
    with pytest.raises(NotFound, match=r"^no deal matches 'eire' \(did you mean #1 Éire"):
        get_deal(store, "eire")
    with pytest.raises(NotFound) as caught:
        get_contact(store, "Nobody")
    assert str(caught.value) == "no contact matches 'Nobody'"
    with pytest.raises(NotFound) as caught:
        get_contact(store, "%")  # a LIKE wildcard is text here
    assert str(caught.value) == "no contact matches '%'"


def test_a_log_ref_that_names_nothing_suggests_records_of_every_kind(store) -> None:
    """`tinycrm log` takes a contact, a company or a deal: one that names nothing offers
    what its names hold, each with its kind, as `contact show` does. Before, it said only
    "no contact, company or deal matches 'engine'"."""
    add_contact(store, name="Ada Lovelace", email="ada@example.com")
    add_company(store, name="Analytical Engines")
    add_deal(store, title="Engine order")
    with pytest.raises(NotFound) as caught:
        log_activity(store, kind="call", ref="engine", text="hi")
    assert str(caught.value) == (
        "no contact, company or deal matches 'engine' (did you mean "
        "company #1 Analytical Engines; deal #1 Engine order (open)?)"
    )
    with pytest.raises(NotFound) as caught:
        log_activity(store, kind="call", ref="nobody", text="hi")
    assert str(caught.value) == "no contact, company or deal matches 'nobody'"


def test_a_renamed_company_keeps_the_segments_and_scoring_rules_that_test_it(store) -> None:
    """`company edit "Acme GmbH" --name "Acme SE"` left a saved segment `company="Acme
    GmbH"` matching nothing ('fix the expression'; `--segment` refused with 'no company
    matches') and a scoring rule testing it skipped, without a word. They now test the
    new name, the rest of their text as typed, and the event names them."""
    from tinycrm.store.scoring import add_score_rule, list_score_rules
    from tinycrm.store.segments import get_segment, save_segment

    add_contact(store, name="Ada", company="Acme GmbH")
    save_segment(store, name="acme", expression='company="acme gmbh" and lifecycle=lead')
    save_segment(store, name="by name", expression="name~acme")
    add_score_rule(store, name="Key account", condition='company="Acme GmbH"', points=5)
    edit_company(store, "Acme GmbH", name="Acme SE")
    assert get_segment(store, "acme").expression == 'company="Acme SE" and lifecycle=lead'
    assert get_segment(store, "by name").expression == "name~acme"
    rule = next(r for r in list_score_rules(store) if r.name == "Key account")
    assert (rule.condition, rule.error, rule.matches) == ('company="Acme SE"', None, 1)
    assert "segment acme and scoring rule Key account name it anew" in (
        list_events(store, limit=1)[0].summary
    )


def test_add_warns_when_another_contact_has_the_same_name(store) -> None:
    """A second 'Ada Lovelace' (no company to tell them apart) was added silently, and
    from then on 'Ada Lovelace' was an ambiguous REF. Now the add warns in one line,
    naming the other contact and how to name each; the contact is added all the same."""
    from tinycrm.errors import TinyCrmWarning

    add_contact(store, name="Ada Lovelace", email="ada@example.org")
    add_contact(store, name="Grace Hopper")
    with pytest.warns(TinyCrmWarning) as told:
        second = add_contact(store, name="ada lovelace")
    assert [str(w.message) for w in told] == [
        "#3 ada lovelace has the name of #1 Ada Lovelace <ada@example.org>: the name no "
        "longer names one contact; write #1 or #3 (or an email) for each"
    ]
    assert second.id == 3
    with pytest.raises(Ambiguous):
        get_contact(store, "Ada Lovelace")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        add_contact(store, name="Ada Byron")  # a name no one else has: no warning
