"""Imports in the store: dedupe, linking, bad rows, one transaction, one event, undo."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select

from tinycrm.formats.csvfile import open_csv
from tinycrm.formats.mapping import build_mapping, mapped_rows
from tinycrm.store import Conflict, Invalid, NotFound
from tinycrm.store.companies import add_company, edit_company, get_company, list_companies
from tinycrm.store.contacts import (
    add_contact,
    edit_contact,
    get_contact,
    list_contacts,
    remove_contact,
)
from tinycrm.store.deals import get_deal, list_deals, move_deal
from tinycrm.store.events import list_events
from tinycrm.store.imports import count_rows, import_records, list_imports, undo_import
from tinycrm.store.log_models import ImportChange
from tinycrm.store.pipelines import list_pipelines
from tinycrm.store.search import search

from .settings_helpers import follow_config


class Rejects(list):
    def __call__(self, line: int, reason: str, raw: Any) -> None:
        self.append((line, reason))


def run(store: Any, kind: str, text: str, **kwargs: Any) -> tuple[Any, Rejects]:
    """Import CSV ``text`` as ``kind`` the way the command line does."""
    rejects = Rejects()
    table = open_csv(io.BytesIO(text.encode()), name="test.csv")
    mapping = build_mapping(kind, table.header, keep_extra=kwargs.pop("keep_extra", False))
    summary = import_records(
        store,
        kind=kind,
        rows=mapped_rows(table.records(), mapping),
        source="test.csv",
        on_reject=rejects,
        **kwargs,
    )
    return summary, rejects


CONTACTS = """First Name,Last Name,Email,Phone,Company,Tags,Plan
Jürgen,Müller,JM@Acme.de,+49 30 1,Acme GmbH,"vip, Newsletter",pro
Zoë,Lefèvre,zoe@lumiere.fr,,Lumière SAS,,
Grace,Hopper,not-an-email,,,,
Ada,Lovelace,,+44 20,,,
Jürgen,Müller,jm@acme.de,,ACME gmbh,partner,
"""


def test_contacts_are_created_linked_and_deduped_within_the_file(store) -> None:
    summary, rejects = run(store, "contacts", CONTACTS, keep_extra=True)
    assert (summary.created, summary.updated, summary.skipped, summary.rejected) == (3, 1, 0, 1)
    assert summary.linked_created == {"company": 2}
    assert rejects == [(4, "invalid email address 'not-an-email'")]
    jm = get_contact(store, "jm@acme.de")
    assert jm.company == "Acme GmbH" and jm.phone == "+49 30 1"
    assert jm.tags == ["newsletter", "partner", "vip"]
    assert jm.fields == {"plan": "pro"}
    assert [c.name for c in list_contacts(store)] == [
        "Ada Lovelace",
        "Jürgen Müller",
        "Zoë Lefèvre",
    ]
    assert [c.name for c in list_contacts(store, search="MÜLLER")] == ["Jürgen Müller"]
    imported = [e.summary for e in list_events(store, limit=10) if e.action == "imported"]
    assert imported == [  # one event for the import (lead scoring records its own rescore)
        "imported 4 contacts from test.csv (import #1: 3 new, 1 updated, 2 companies created)"
    ]
    [batch] = list_imports(store)
    assert (batch.kind, batch.source, batch.created, batch.rejected) == (
        "contacts",
        "test.csv",
        3,
        1,
    )


def test_update_fills_empty_fields_and_overwrite_replaces_and_clears(store) -> None:
    add_contact(store, name="Ada Lovelace", email="ada@x.io", title="Countess", tags=["old"])
    summary, _ = run(
        store, "contacts", "Name,Email,Title,Phone,Tags\nAda L.,ADA@x.io,Analyst,+44 1,new\n"
    )
    assert (summary.created, summary.updated) == (0, 1)
    ada = get_contact(store, "ada@x.io")
    assert (ada.name, ada.title, ada.phone, ada.tags) == (
        "Ada Lovelace",
        "Countess",
        "+44 1",
        ["new", "old"],
    )
    run(store, "contacts", "Name,Email,Title,Phone\nAda Byron,ada@x.io,Analyst,\n", overwrite=True)
    ada = get_contact(store, "ada@x.io")
    assert (ada.name, ada.title, ada.phone) == ("Ada Byron", "Analyst", None)
    assert [c.name for c in list_contacts(store, search="byron")] == ["Ada Byron"]
    assert list_contacts(store, search="lovelace") == []


def test_overwrite_clears_each_rows_own_blank_cells(store) -> None:
    # Rows with the same blank cells share one set of them: each row still clears
    # exactly its own blanks, whatever the rows before it left blank.
    for n in range(4):
        add_contact(store, name=f"P{n}", email=f"p{n}@x.io", phone="+44 1", title="T",
                    notes="N")  # fmt: skip
    text = (
        "Email,Phone,Title,Notes\n"
        "p0@x.io,,T2,\np1@x.io,+44 2,,\np2@x.io,,T2,\np3@x.io,+44 2,T2,N2\n"
    )
    summary, _ = run(store, "contacts", text, overwrite=True)
    assert summary.updated == 4
    people = [get_contact(store, f"p{n}@x.io") for n in range(4)]
    got = [(c.phone, c.title, c.notes) for c in people]
    assert got == [
        (None, "T2", None),
        ("+44 2", None, None),
        (None, "T2", None),
        ("+44 2", "T2", "N2"),
    ]


def test_a_later_chunk_filling_in_a_contact_this_import_made_keeps_it_searchable(
    store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ada is written with the first chunk; a row of the second looks like her (the same
    # phone) and fills in her email: an UPDATE the search index's trigger sees, before
    # the import indexes its new rows in one go. SQLite refused that fill (its entry for
    # Ada was there already) and the whole import failed.
    monkeypatch.setattr("tinycrm.store.imports.base.CHUNK", 2)
    text = "Name,Email,Phone\nAda,,+44 20 7946 0000\nX,x@x.io,\nAda,ada@x.io,+44 20 7946 0000\n"
    summary, _ = run(store, "contacts", text)
    assert (summary.created, summary.updated) == (2, 1)
    assert [(h.kind, h.name) for h in search(store, "ada@x.io")] == [("contact", "Ada")]
    # the words of her email are in the index (an exact address is also looked up by key)
    assert [(h.kind, h.name) for h in search(store, "ada x.io")] == [("contact", "Ada")]
    assert [(h.kind, h.name) for h in search(store, "ada")] == [("contact", "Ada")]
    assert [c.name for c in list_contacts(store, search="ada@x")] == ["Ada"]


def test_duplicate_policies(store) -> None:
    add_contact(store, name="Ada", email="ada@x.io")
    text = "Name,Email,Title\nAda,ada@x.io,Analyst\nGrace,grace@x.io,Admiral\n"
    summary, _ = run(store, "contacts", text, on_duplicate="skip")
    assert (summary.created, summary.skipped) == (1, 1)
    assert get_contact(store, "ada@x.io").title is None
    summary, rejects = run(store, "contacts", text, on_duplicate="error")
    assert summary.rejected == 2 and rejects[0] == (2, "duplicate of contact #1")
    with pytest.raises(Invalid, match="on-duplicate"):
        run(store, "contacts", text, on_duplicate="merge")


def test_strict_and_dry_run_write_nothing(store) -> None:
    before = count_rows(store)
    with pytest.raises(Invalid, match=r"line 4: invalid email address .*--strict"):
        run(store, "contacts", CONTACTS, strict=True)
    summary, _ = run(store, "contacts", CONTACTS, dry_run=True)
    assert summary.dry_run and summary.batch_id is None and summary.created == 3
    assert count_rows(store) == before
    assert list_imports(store) == [] and list_events(store) == []
    assert list_contacts(store, search="müller") == []


def test_a_broken_file_half_way_leaves_the_database_as_it_was(store) -> None:
    add_contact(store, name="Before", email="before@x.io")
    head = "Name,Email\n" + "".join(f"P{i},p{i}@x.io\n" for i in range(5000))
    data = head.encode() + b'Bad,"' + b"x" * (17 * 1024 * 1024) + b'"\n'
    table = open_csv(io.BytesIO(data), name="big.csv")
    rows = mapped_rows(table.records(), build_mapping("contacts", table.header))
    with pytest.raises(Invalid, match=r"big\.csv, line 5002: a field is larger than 16 MiB"):
        import_records(store, kind="contacts", rows=rows, source="big.csv")
    assert [c.name for c in list_contacts(store)] == ["Before"]
    assert list_contacts(store, search="p4999") == []
    assert list_imports(store) == []


def test_contacts_without_email_dedupe_by_name_and_company(store) -> None:
    text = "Name,Company,Phone\nAda,Acme,\nAda,Acme,+1\nAda,Globex,\n"
    summary, _ = run(store, "contacts", text)
    assert (summary.created, summary.updated) == (2, 1)
    summary, _ = run(store, "contacts", text)
    assert (summary.created, summary.skipped) == (0, 3)


def test_companies_dedupe_by_domain_then_name(store) -> None:
    add_company(store, name="Acme GmbH", domain="acme.de")
    text = (
        "Company name,Website,Number of Employees,City\n"
        "ACME Germany,https://www.acme.de/,250,Berlin\n"  # same domain, other name
        'Globex,,"1,200",\n'
        "globex,globex.com,,Springfield\n"  # same name as the row before
        "Initech,initech.com,many,\n"
        "Hooli,hooli.com,-5,\n"  # a whole number, but below 0: said so
    )
    summary, rejects = run(store, "companies", text)
    assert (summary.created, summary.updated, summary.rejected) == (1, 2, 2)
    assert rejects == [
        (5, "company size 'many' is not a whole number"),
        (6, "company size '-5' is below 0: it must be 0 or more"),
    ]
    _, rejects = run(store, "contacts", "Name,Email,cadence_days\nAda,ada@x.io,-5\n")
    assert rejects == [
        (2, "keep-in-touch cadence '-5' is below 0: it must be between 1 and 3650 days")
    ]
    acme = get_company(store, "acme.de")
    assert (acme.name, acme.size, acme.city) == ("Acme GmbH", 250, "Berlin")
    globex = get_company(store, "globex")
    assert (globex.domain, globex.size, globex.city) == ("globex.com", 1200, "Springfield")


DEALS = """Deal ID,Deal Name,Amount,Currency,Stage,Close Date,Company,Contact,Probability,Tags
D-1,Acme renewal,"€18,500.50",,Proposal,12/23/2026,Acme GmbH,jm@acme.de,50%,renewal
D-2,Globex pilot,4200,USD,Closed Won,2026-11-20,Globex,Hank Scorpio,,
D-3,Initech deal,,,Contract Sent,,Initech,,,
,Hooli trial,"1,234.00",GBP,Qualified,31.12.2026,Hooli,,0.9,
"""


def test_deals_link_contacts_and_companies_and_check_stages(store) -> None:
    summary, rejects = run(store, "deals", DEALS)
    assert (summary.created, summary.rejected) == (3, 1)
    assert summary.linked_created == {"company": 3, "contact": 2}
    assert rejects[0][0] == 4 and "unknown stage 'Contract Sent' in pipeline Sales" in rejects[0][1]
    acme = get_deal(store, "Acme renewal")
    assert (str(acme.amount), acme.currency, acme.stage, acme.probability) == (
        "18500.50",
        "EUR",
        "Proposal",
        50,
    )
    assert not acme.probability_override  # 50% is the stage's
    assert (acme.contact, acme.company, acme.external_id, acme.tags) == (
        "jm@acme.de", "Acme GmbH", "D-1", ["renewal"]
    )  # fmt: skip
    assert str(acme.close_date) == "2026-12-23"
    globex = get_deal(store, "Globex pilot")
    assert (globex.status, globex.currency, globex.contact) == ("won", "USD", "Hank Scorpio")
    hooli = get_deal(store, "Hooli trial")
    assert (str(hooli.amount), hooli.currency, hooli.probability, hooli.probability_override) == (
        "1234.00", "GBP", 90, True
    )  # fmt: skip
    assert str(hooli.close_date) == "2026-12-31"
    # the same file again: external ids, and title plus company, find them
    summary, _ = run(store, "deals", DEALS)
    assert (summary.created, summary.skipped, summary.rejected) == (0, 3, 1)


def test_create_stages_adds_pipelines_and_stages_that_undo_removes(store) -> None:
    text = (
        "Deal Name,Pipeline,Deal Stage,Deal probability\n"
        "A,Enterprise,Discovery,0.2\nB,Enterprise,Closed Lost,\n"
    )
    with_stages, rejects = run(store, "deals", text, create_stages=True)
    assert rejects == [] and with_stages.linked_created == {"pipeline": 1, "stage": 1}
    enterprise = next(p for p in list_pipelines(store) if p.name == "Enterprise")
    assert [(s.name, s.probability) for s in enterprise.stages] == [("Discovery", 20)]
    assert get_deal(store, "B").status == "lost"
    undo_import(store)
    assert [p.name for p in list_pipelines(store)] == ["Sales"]


def test_activities_link_and_tasks(store) -> None:
    run(store, "deals", "Deal Name,Company,Contact\nAcme renewal,Acme GmbH,Ada Lovelace\n")
    text = (
        "Subject,Type,Due Date,Due Time,Done,Deal,Contact Person,Organization,Note\n"
        "Kick-off,Call,2026-11-18,14:30,Done,Acme renewal,,,Scope agreed\n"
        "Send proposal,Task,2026-12-01,09:00,To do,,Ada Lovelace,,\n"
        "Lunch,Lunch,2026-11-20,,Done,,Grace Hopper,Navy,\n"
        "Ghost,Call,2026-11-21,,,No such deal,,,\n"
        "Nothing,Call,2026-11-21,,,,,,\n"
        "Odd,Carrier pigeon,2026-11-21,,,,Ada Lovelace,,\n"
    )
    summary, rejects = run(store, "activities", text)
    assert (summary.created, summary.rejected) == (3, 3)
    assert [r[0] for r in rejects] == [5, 6, 7]
    assert "no deal matches 'No such deal'" in rejects[0][1]
    assert "must be about a contact, a company or a deal" in rejects[1][1]
    assert "invalid activity kind" in rejects[2][1]
    from tinycrm.store.activities import list_activities, list_tasks

    logged = {a.subject: a for a in list_activities(store, limit=None)}
    kickoff = logged["Kick-off"]
    assert (kickoff.kind, kickoff.deal, kickoff.contact, kickoff.company) == (
        "call", "Acme renewal", "Ada Lovelace", "Acme GmbH"
    )  # fmt: skip
    assert kickoff.occurred_at.isoformat() == "2026-11-18T13:30:00+00:00"  # 14:30 in Berlin
    assert (logged["Lunch"].kind, logged["Lunch"].company) == ("meeting", "Navy")
    [task] = list_tasks(store, scope="all")
    assert (task.subject, task.contact, task.done_at) == ("Send proposal", "Ada Lovelace", None)
    summary, _ = run(store, "activities", text)
    assert (summary.created, summary.skipped) == (0, 3)


def test_an_activity_dated_ahead_of_now_is_a_rejected_row(store) -> None:
    """An imported call dated next month counted as the last contact from today on: it
    is rejected, as ``tinycrm log`` refuses it; a task due then is fine."""
    from datetime import UTC, datetime, timedelta

    from tinycrm.store.activities import list_activities, list_tasks

    run(store, "contacts", "Name,Email\nAda Lovelace,ada@x.io\n")
    ahead = (datetime.now(UTC) + timedelta(days=40)).date().isoformat()
    text = (
        "Subject,Type,Date,Contact\n"
        "Done,Call,2026-11-18,ada@x.io\n"
        f"Planned,Call,{ahead},ada@x.io\n"
        f"Prepare,Task,{ahead},ada@x.io\n"
    )
    summary, rejects = run(store, "activities", text)
    assert (summary.created, summary.rejected) == (2, 1)
    assert rejects == [
        (
            3,
            f"that call is on {ahead}: an activity is logged once it has happened; "
            "a planned call is a task: tinycrm task add TEXT --due WHEN",
        )
    ]
    assert [a.subject for a in list_activities(store, limit=None) if a.kind != "task"] == ["Done"]
    assert [t.subject for t in list_tasks(store, scope="all")] == ["Prepare"]


def test_undo_removes_what_was_created_and_restores_what_was_updated(store) -> None:
    add_contact(store, name="Ada", email="ada@x.io", tags=["keep"], fields={"plan": "basic"})
    before = count_rows(store)
    text = (
        "Name,Email,Title,Company,Tags,Plan\n"
        "Ada,ada@x.io,Analyst,Acme,vip,pro\nGrace,g@x.io,,Navy,,\n"
    )
    summary, _ = run(store, "contacts", text, keep_extra=True, overwrite=True)
    assert (summary.created, summary.updated) == (1, 1)
    ada = get_contact(store, "ada@x.io")
    assert (ada.title, ada.company, ada.tags, ada.fields) == (
        "Analyst",
        "Acme",
        ["keep", "vip"],
        {"plan": "pro"},
    )
    preview = undo_import(store, summary.batch_id, dry_run=True)
    assert preview.dry_run and preview.deleted == {"contact": 1, "company": 2}
    assert get_contact(store, "g@x.io")  # the dry run changed nothing
    result = undo_import(store)
    assert (result.batch_id, result.deleted, result.restored, result.conflicts) == (
        summary.batch_id, {"contact": 1, "company": 2}, 4, []
    )  # fmt: skip
    ada = get_contact(store, "ada@x.io")
    assert (ada.title, ada.company, ada.tags, ada.fields) == (
        None,
        None,
        ["keep"],
        {"plan": "basic"},
    )
    assert count_rows(store) == before
    assert list_contacts(store, search="grace") == []
    assert list_events(store, limit=1)[0].summary.startswith(f"undid import #{summary.batch_id}")
    assert list_imports(store)[0].undone_at is not None
    with pytest.raises(Conflict, match="already undone"):
        undo_import(store, summary.batch_id)
    with pytest.raises(NotFound, match="no import to undo"):
        undo_import(store)


def test_undo_keeps_and_reports_what_changed_after_the_import(store) -> None:
    add_contact(store, name="Ada", email="ada@x.io")
    text = "Name,Email,Title,Company\nAda,ada@x.io,Analyst,\nGrace,g@x.io,,Navy\nLinus,l@x.io,,\n"
    summary, _ = run(store, "contacts", text)
    edit_contact(store, "ada@x.io", title="Countess")  # changed since
    edit_contact(store, "g@x.io", phone="+1 555")  # a created record, edited since
    edit_company(store, "Navy", city="Arlington")
    result = undo_import(store, summary.batch_id)
    assert result.deleted == {"contact": 1}
    assert sorted(result.conflicts) == [
        "kept company #1 Navy: changed after the import",
        "kept contact #2 Grace: changed after the import",
        "kept title of contact #1 Ada: changed after the import "
        "(now 'Countess', before the import empty)",
    ]
    assert get_contact(store, "ada@x.io").title == "Countess"
    assert get_contact(store, "g@x.io").company == "Navy"
    assert [c.email for c in list_contacts(store)] == ["ada@x.io", "g@x.io"]


def test_undo_of_an_older_import_after_a_newer_one(store) -> None:
    first, _ = run(store, "contacts", "Name,Email,Company\nAda,ada@x.io,Acme\n")
    run(store, "deals", "Deal Name,Contact\nAda deal,ada@x.io\n")
    result = undo_import(store, first.batch_id)
    assert result.deleted == {"company": 0} or result.deleted.get("contact") is None
    assert any("deal #1" in c and "points at it" in c for c in result.conflicts)
    assert get_contact(store, "ada@x.io")
    remove_contact(store, "ada@x.io")
    assert undo_import(store).deleted == {"deal": 1}


def test_recorded_changes_and_ids_continue_after_an_import(store) -> None:
    summary, _ = run(store, "contacts", "Name,Email\nA,a@x.io\nB,b@x.io\n")
    with store.read() as session:
        actions = session.execute(
            select(ImportChange.entity, ImportChange.action, func.count())
            .where(ImportChange.batch_id == summary.batch_id)
            .group_by(ImportChange.entity, ImportChange.action)
        ).all()
    assert actions == [("contact", "created", 2)]
    later = add_contact(store, name="C", email="c@x.io")  # ids go on (PostgreSQL: the sequence)
    assert later.id > get_contact(store, "b@x.io").id > get_contact(store, "a@x.io").id
    assert later.id < 10
    company = add_company(store, name="Later Inc")
    assert list_companies(store)[0].id == company.id


def test_deal_moves_after_import_keep_the_deal_on_undo(store) -> None:
    summary, _ = run(store, "deals", "Deal Name\nKeep me\nDrop me\n")
    move_deal(store, "Keep me", "Qualified")
    result = undo_import(store, summary.batch_id)
    assert result.deleted == {"deal": 1}
    assert [d.title for d in list_deals(store)] == ["Keep me"]


RULES = """\
[[rules]]
when = "contact.created"
task = "First touch: {name}"

[[rules]]
when = "deal.stage"
stage = "proposal"
task = "Chase the proposal for {deal}"
"""


def test_automation_rules_run_for_imported_records_and_undo_takes_their_tasks(
    store, tmp_path, monkeypatch
) -> None:
    from tinycrm.store.activities import list_tasks

    config = tmp_path / "config.toml"
    config.write_text(RULES)
    follow_config(store, config)  # as tinycrm.open gives the store the config's rules
    summary, _ = run(
        store, "deals", "Deal Name,Stage,Contact\nBig one,Proposal,ada@x.io\nSmall,,\n"
    )
    tasks = sorted(t.subject for t in list_tasks(store, scope="all"))
    assert tasks == ["Chase the proposal for Big one", "First touch: ada@x.io"]
    result = undo_import(store, summary.batch_id)
    assert result.conflicts == [] and result.deleted == {"activity": 2, "deal": 2, "contact": 1}
    assert list_tasks(store, scope="all") == []


def test_lifecycle_history_follows_imports_and_undo(store) -> None:
    from tinycrm.store.models import LifecycleChange

    add_contact(store, name="Ada", email="ada@x.io")
    summary, _ = run(
        store, "contacts", "Email,Lifecycle Stage\nada@x.io,Customer\ng@x.io,\n", overwrite=True
    )
    assert get_contact(store, "ada@x.io").lifecycle == "customer"
    undo_import(store, summary.batch_id)
    assert get_contact(store, "ada@x.io").lifecycle == "lead"
    with store.read() as session:
        history = session.execute(
            select(LifecycleChange.from_lifecycle, LifecycleChange.to_lifecycle).order_by(
                LifecycleChange.id
            )
        ).all()
    assert history == [(None, "lead"), ("lead", "customer"), ("customer", "lead")]


def test_the_same_record_twice_in_one_file_keeps_the_last_value_with_overwrite(store) -> None:
    add_contact(store, name="Ada", email="ada@x.io", fields={"plan": "basic"})
    text = "Email,Plan,City\nada@x.io,pro,Paris\nada@x.io,max,\ng@x.io,a,Rome\ng@x.io,b,\n"
    summary, _ = run(store, "contacts", text, keep_extra=True, overwrite=True)
    assert (summary.created, summary.updated) == (1, 3)
    assert get_contact(store, "ada@x.io").fields == {"plan": "max"}  # the blank city cleared it
    assert get_contact(store, "g@x.io").fields == {"plan": "b"}
    undo_import(store, summary.batch_id)
    assert get_contact(store, "ada@x.io").fields == {"plan": "basic"}
    edit_contact(store, "ada@x.io", set_fields={"city": "Oslo"})
    summary, _ = run(store, "contacts", "Email,City\nada@x.io,\n", keep_extra=True, overwrite=True)
    assert get_contact(store, "ada@x.io").fields == {"plan": "basic"}
    undo_import(store, summary.batch_id)
    assert get_contact(store, "ada@x.io").fields == {"city": "Oslo", "plan": "basic"}


def test_overwrite_moves_deals_with_history_and_undo_moves_them_back(store) -> None:
    from tinycrm.store.views import deal_view

    run(store, "deals", "Deal ID,Deal Name,Stage\nX-1,Acme,Lead-in\n")
    summary, _ = run(store, "deals", "Deal ID,Deal Name,Stage\nX-1,Acme,Proposal\n", overwrite=True)
    assert summary.updated == 1 and get_deal(store, "Acme").stage == "Proposal"
    undo_import(store, summary.batch_id)
    history = deal_view(store, "Acme").history
    assert [(h.from_stage, h.to_stage) for h in history] == [
        (None, "Lead-in"), ("Lead-in", "Proposal"), ("Proposal", "Lead-in")
    ]  # fmt: skip
    assert get_deal(store, "Acme").stage == "Lead-in"


def test_consent_flags_in_a_file_set_but_never_clear_without_overwrite(store) -> None:
    add_contact(store, name="Ada", email="ada@x.io")
    add_contact(store, name="Bob", email="bob@x.io")
    edit_contact(store, "bob@x.io", unsubscribed=True)
    text = "name,email,unsubscribed,do_not_contact,lead_status\n"
    run(store, "contacts", text + "Ada,ada@x.io,true,yes,\nBob,bob@x.io,false,no,\n")
    ada, bob = get_contact(store, "ada@x.io"), get_contact(store, "bob@x.io")
    assert (ada.unsubscribed, ada.do_not_contact) == (True, True)
    assert bob.unsubscribed is True  # "false" in a file never gives consent back by itself
    run(store, "contacts", text + "Bob,bob@x.io,false,no,\n", overwrite=True)
    assert get_contact(store, "bob@x.io").unsubscribed is False
    undo_import(store)
    assert get_contact(store, "bob@x.io").unsubscribed is True
    summary, rejects = run(store, "contacts", text + "Cy,cy@x.io,maybe,,\nDee,dee@x.io,,,warm\n")
    assert summary.created == 0
    assert rejects == [
        (2, "unsubscribed 'maybe' is not yes or no"),
        (3, "invalid lead status 'warm' (choose from new, working, hot, cold, junk, dead)"),
    ]


def import_cards(store: Any, text: str, **kwargs: Any) -> tuple[Any, Rejects]:
    """Import vCard ``text`` as contacts the way the command line does."""
    from tinycrm.formats.vcard import read_vcards

    rejects = Rejects()
    summary = import_records(
        store,
        kind="contacts",
        rows=read_vcards(io.BytesIO(text.encode()), name="cards.vcf"),
        source="cards.vcf",
        on_reject=rejects,
        **kwargs,
    )
    return summary, rejects


def card(uid: str, name: str, email: str, extra: str = "") -> str:
    return (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nEMAIL:{email}\r\n"
        f"{extra}END:VCARD\r\n"
    )


EVE = card("u-1", "Eve Stranger", "eve@y.io", "TEL:+44 20 7946 0999\r\nTITLE:Spy\r\n")
HINT = " (give this one another UID, or none)"


@pytest.mark.parametrize("chunk", [1, 500])
def test_a_second_card_with_a_uid_of_the_file_is_rejected_not_merged(
    store, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # One file holding two cards of one UID (an app's bug, two files joined): the second,
    # another person, was taken for an update of the first: "1 skipped", its email not
    # taken, and its phone and title filled in Ada's empty ones.
    monkeypatch.setattr("tinycrm.store.imports.base.CHUNK", chunk)
    text = card("u-1", "Ada Lovelace", "ada@x.io") + card("u-2", "Bob", "bob@x.io") + EVE
    summary, rejects = import_cards(store, text)
    assert (summary.created, summary.updated, summary.skipped) == (2, 0, 0)
    assert rejects == [(13, "UID u-1 is also on line 1 of this file, with other values" + HINT)]
    ada = get_contact(store, "ada@x.io")
    assert (ada.phone, ada.title, ada.uid) == (None, None, "u-1")
    assert not summary.emails_not_taken
    assert [c.name for c in list_contacts(store)] == ["Ada Lovelace", "Bob"]


def test_the_same_card_twice_in_one_file_is_a_duplicate_not_a_rejected_one(store) -> None:
    ada = card("u-1", "Ada Lovelace", "ada@x.io", "TITLE:Countess\r\n")
    rev = ada.replace("TITLE:", "REV:20260101T000000Z\r\nTITLE:")  # the same values
    summary, rejects = import_cards(store, ada + rev)
    assert rejects == [] and (summary.created, summary.skipped) == (1, 1)
    assert get_contact(store, "ada@x.io").title == "Countess"


def test_a_uid_of_a_contact_there_updates_it_once_per_file(store) -> None:
    # The designed sync: a card whose UID a contact has updates that contact; a second
    # card of the file with that UID, and other values, is not merged into it as well.
    add_contact(store, name="Ada Lovelace", email="ada@x.io", uid="u-1")
    text = card("u-1", "Ada Lovelace", "ada@x.io", "TITLE:Countess\r\n") + EVE
    summary, rejects = import_cards(store, text)
    assert (summary.created, summary.updated) == (0, 1)
    assert rejects == [(8, "UID u-1 is also on line 1 of this file, with other values" + HINT)]
    ada = get_contact(store, "ada@x.io")
    assert (ada.title, ada.phone) == ("Countess", None)
    assert len(list_contacts(store)) == 1


def test_a_uid_column_twice_in_one_file_is_rejected_the_second_time(store) -> None:
    text = (
        "Name,Email,uid,Title\n"
        "Ada,ada@x.io,u-1,\n"
        "Eve,eve@y.io,u-1,Spy\n"
        "Ada,ada@x.io,u-1,\n"  # the first row again: nothing lost
    )
    summary, rejects = run(store, "contacts", text)
    assert (summary.created, summary.skipped) == (1, 1)
    assert rejects == [(3, "UID u-1 is also on line 2 of this file, with other values" + HINT)]
    assert get_contact(store, "ada@x.io").title is None
    with pytest.raises(Invalid, match=r"line 3: UID u-1 .*another UID.*--strict"):
        run(store, "contacts", text, strict=True)


def test_two_activities_of_one_day_and_subject_with_other_notes_are_two(store) -> None:
    """Two calls with Ada on 2026-01-05, both 'Call', one 'talked pricing' and one 'sent
    contract' (a vendor's date-only export): the second was taken for a duplicate of the
    first and skipped, its notes lost. They are two calls; a row of the same notes is the
    same call, in the file or on a re-import, and --overwrite does not write one call's
    notes over the other's."""
    from tinycrm.store.activities import list_activities

    text = (
        "Type,Subject,Date,Contact,Notes\n"
        "Call,Call,2026-01-05,Ada,talked pricing\n"
        "Call,Call,2026-01-05,Ada,sent contract\n"
        "Call,Call,2026-01-05,Ada,talked pricing\n"
        "Call,Call,2026-01-05,Ada,\n"
    )
    summary, rejects = run(store, "activities", text)
    assert rejects == []
    assert (summary.created, summary.skipped) == (2, 2)
    bodies = sorted(a.body or "" for a in list_activities(store, limit=None))
    assert bodies == ["sent contract", "talked pricing"]
    for overwrite in (False, True):
        summary, _ = run(store, "activities", text, overwrite=overwrite)
        assert (summary.created, summary.updated) == (0, 0), overwrite
    assert sorted(a.body or "" for a in list_activities(store, limit=None)) == bodies
    edited = text.replace("talked pricing", "talked pricing and terms")
    summary, _ = run(store, "activities", edited, overwrite=True)
    assert (summary.created, summary.updated) == (0, 1)  # the notes of that call, edited
    assert sorted(a.body or "" for a in list_activities(store, limit=None)) == [
        "sent contract",
        "talked pricing and terms",
    ]


def test_an_activity_of_no_date_is_the_same_on_a_re_import(store) -> None:
    """A note of no date is logged when imported: the same file imported again the next
    minute made every such note a second time, as its time (now) was another. Now a row
    of no time is the activity of its kind, subject, links and notes at any time; one of
    other notes is another, in the file and in the database."""
    from tinycrm.store.activities import list_activities

    text = (
        "Type,Subject,Contact,Notes\n"
        "Note,Met,Ada,first\n"
        "Note,Met,Ada,second\n"
        "Note,Met,Ada,first\n"
        "Note,Met,Ada,\n"
    )
    summary, rejects = run(store, "activities", text)
    assert rejects == []
    assert (summary.created, summary.skipped) == (3, 1)
    summary, _ = run(store, "activities", text)
    assert (summary.created, summary.skipped) == (0, 4)
    assert sorted(a.body or "" for a in list_activities(store, limit=None)) == [
        "",
        "first",
        "second",
    ]


def test_a_company_only_rows_that_do_not_take_it_name_is_not_created(store) -> None:
    add_contact(store, name="Ada Lovelace", email="ada@x.io", company="Old Co")
    text = "Name,Email,Company\nAda Lovelace,ada@x.io,Acme Inc\n"
    for mode in ("update", "skip", "error"):  # an update keeps Ada's company
        summary, _ = run(store, "contacts", text, on_duplicate=mode)
        assert summary.linked_created == {}, mode
        assert summary.companies_not_created == ("Acme Inc",), mode
    assert [c.name for c in list_companies(store)] == ["Old Co"]
    assert get_contact(store, "ada@x.io").company == "Old Co"
    # one row that takes it is enough: the new contact Bob is at Acme
    both = text + "Bob Babbage,bob@x.io,Acme Inc\n"
    summary, _ = run(store, "contacts", both, on_duplicate="skip")
    assert (summary.linked_created, summary.companies_not_created) == ({"company": 1}, ())
    assert get_contact(store, "bob@x.io").company == "Acme Inc"


def test_a_company_an_overwrite_or_an_empty_company_takes_is_created(store) -> None:
    add_contact(store, name="Ada Lovelace", email="ada@x.io", company="Old Co")
    add_contact(store, name="Grace Hopper", email="grace@x.io")
    text = "Name,Email,Company\nAda Lovelace,ada@x.io,Acme Inc\nGrace Hopper,grace@x.io,Navy\n"
    summary, _ = run(store, "contacts", text, overwrite=True)
    assert (summary.linked_created, summary.companies_not_created) == ({"company": 2}, ())
    assert get_contact(store, "ada@x.io").company == "Acme Inc"
    assert get_contact(store, "grace@x.io").company == "Navy"
    undo_import(store)
    assert {c.name for c in list_companies(store)} == {"Old Co"}


def test_a_deal_skipped_as_a_duplicate_creates_no_company(store) -> None:
    run(store, "deals", "Deal ID,Deal Name\nX-1,Renewal\n")
    summary, _ = run(store, "deals", "Deal ID,Deal Name,Company\nX-1,Renewal,Acme Inc\n")
    assert (summary.updated, summary.linked_created) == (1, {"company": 1})  # it takes one
    summary, _ = run(
        store, "deals", "Deal ID,Deal Name,Company\nX-1,Renewal,Hooli\n", on_duplicate="skip"
    )
    assert (summary.linked_created, summary.companies_not_created) == ({}, ("Hooli",))
    assert [c.name for c in list_companies(store)] == ["Acme Inc"]


def test_a_contact_only_deals_that_do_not_take_it_name_is_not_created(store) -> None:
    run(store, "deals", "Deal ID,Deal Name,Contact,Company\nX-1,Renewal,grace@x.io,Old Co\n")
    text = "Deal ID,Deal Name,Contact,Company\nX-1,Renewal,ada@x.io,Acme Inc\n"
    for mode in ("update", "skip", "error"):  # an update keeps the deal's Grace and Old Co
        summary, _ = run(store, "deals", text, on_duplicate=mode)
        assert summary.linked_created == {}, mode
        assert summary.contacts_not_created == ("ada@x.io",), mode
        # the company was named only with her: nobody is at it either
        assert summary.companies_not_created == ("Acme Inc",), mode
    assert [c.email for c in list_contacts(store)] == ["grace@x.io"]
    assert [c.name for c in list_companies(store)] == ["Old Co"]
    assert get_deal(store, "Renewal").contact == "grace@x.io"
    # one row that takes her is enough: the new deal X-2 is hers (and she is at Acme,
    # as the first row that named her said)
    both = text + "X-2,Upsell,ada@x.io,\n"
    summary, _ = run(store, "deals", both, on_duplicate="skip")
    assert summary.linked_created == {"contact": 1, "company": 1}
    assert (summary.contacts_not_created, summary.companies_not_created) == ((), ())
    assert get_contact(store, "ada@x.io").company == "Acme Inc"
    assert get_deal(store, "Upsell").contact == "ada@x.io"
    assert sorted(c.email for c in list_contacts(store)) == ["ada@x.io", "grace@x.io"]


def test_a_contact_an_overwrite_or_a_deal_without_one_takes_is_created(store) -> None:
    run(store, "deals", "Deal ID,Deal Name,Contact\nX-1,Renewal,grace@x.io\nX-2,Upsell,\n")
    text = "Deal ID,Deal Name,Contact\nX-1,Renewal,ada@x.io\n"
    summary, _ = run(store, "deals", text, overwrite=True)
    assert (summary.linked_created, summary.contacts_not_created) == ({"contact": 1}, ())
    assert get_deal(store, "Renewal").contact == "ada@x.io"
    summary, _ = run(store, "deals", "Deal ID,Deal Name,Contact\nX-2,Upsell,Bob Babbage\n")
    assert (summary.updated, summary.linked_created) == (1, {"contact": 1})
    assert get_deal(store, "Upsell").contact == "Bob Babbage"
    undo_import(store)
    undo_import(store)
    assert [c.email for c in list_contacts(store)] == ["grace@x.io"]


def test_an_activity_rejected_as_a_duplicate_keeps_the_contact_its_twin_took(store) -> None:
    text = "Type,Subject,Contact,Date\n" + "call,Hello,bob@x.io,2024-01-01\n" * 2
    summary, _ = run(store, "activities", text, on_duplicate="error")
    assert (summary.created, summary.rejected) == (1, 1)
    assert (summary.linked_created, summary.contacts_not_created) == ({"contact": 1}, ())
    assert [c.email for c in list_contacts(store)] == ["bob@x.io"]


def test_a_contact_left_out_is_made_by_a_later_chunk_that_takes_it(store, monkeypatch) -> None:
    run(store, "deals", "Deal ID,Deal Name\nX-1,Renewal\n")
    monkeypatch.setattr("tinycrm.store.imports.base.CHUNK", 1)
    text = (
        "Deal ID,Deal Name,Contact,Company\n"
        "X-1,Renewal,ada@x.io,Acme Inc\nX-2,Upsell,ada@x.io,ACME INC\n"
    )
    summary, _ = run(store, "deals", text, on_duplicate="skip")
    assert summary.linked_created == {"contact": 1, "company": 1}
    assert (summary.contacts_not_created, summary.companies_not_created) == ((), ())
    assert get_deal(store, "Upsell").company == "ACME INC"
    assert get_deal(store, "Upsell").contact == "ada@x.io"
    assert [c.email for c in list_contacts(store)] == ["ada@x.io"]
    assert [(h.kind, h.name) for h in search(store, "ada")] == [("contact", "ada@x.io")]


def test_a_row_named_only_with_invisible_characters_is_rejected_not_stored(store) -> None:
    """A CSV row whose name is a Hangul filler (it prints as nothing) was imported as a
    contact with no name to see; it is now rejected, saying why, as an empty name is."""
    summary, rejects = run(store, "contacts", "name,email\n\u3164,filler@x.io\nAda,ada@x.io\n")
    assert (summary.created, summary.rejected) == (1, 1)
    assert rejects == [(2, "name has no visible character ('\\u3164')")]
    assert [c.name for c in list_contacts(store)] == ["Ada"]
