"""The public Python API: ``tinycrm.open()`` and the nouns of its ``Crm``.

Run on SQLite and PostgreSQL (the ``crm`` fixture wraps the ``store`` fixture);
each test asserts on what the store holds afterwards, read back through the API.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import tinycrm
from tinycrm.api import Crm


@pytest.fixture
def crm(store) -> Crm:
    return Crm(store)


def test_open_a_path_creates_the_database_and_closes(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    with tinycrm.open(path) as crm:
        added = crm.contacts.add("Ada Lovelace", email="ada@example.com")
        assert crm.url.endswith("crm.db")
        assert crm.user == "tester"
    assert path.exists()
    with tinycrm.open(str(path), user="sam") as again:
        assert again.contacts.get(added.id).name == "Ada Lovelace"
        again.contacts.edit(added.id, title="Countess")
        assert again.feed(limit=1)[0].actor == "sam"


def test_a_closed_crm_refuses_every_call(tmp_path: Path) -> None:
    """Calls on a ``Crm`` after ``close()`` (or its ``with`` block) opened the pool again
    and went on working, so a script could not tell it had closed too early: they raise
    ``Unavailable`` saying so, and write nothing. Closing twice is fine."""
    path = tmp_path / "crm.db"
    crm = tinycrm.open(path)
    crm.contacts.add("Ada")
    people = crm.contacts  # a noun fetched before the close is closed too
    crm.close()
    calls = [
        lambda: crm.contacts.list(),
        lambda: people.add("Bob"),
        lambda: crm.deals.add("Big"),
        lambda: crm.feed(),
        lambda: crm.search("ada"),
    ]
    for call in calls:
        with pytest.raises(tinycrm.Unavailable, match=r"this Crm is closed"):
            call()
    crm.close()
    with tinycrm.open(path) as again:
        assert [c.name for c in again.contacts.list()] == ["Ada"]  # Bob was never written
    with pytest.raises(tinycrm.Unavailable, match=r"this Crm is closed"):
        again.contacts.list()


def test_open_without_a_path_uses_the_users_database(tmp_path: Path) -> None:
    # TINYCRM_DB is set per test by the autouse fixture, as it would be for a user.
    with tinycrm.open() as crm:
        crm.companies.add("Acme")
    assert (tmp_path / "tinycrm.db").exists()


def test_the_issue_example(crm: Crm) -> None:
    ada = crm.contacts.add(
        "Ada Lovelace", email="ada@example.com", company="Analytical Engines", tags=["vip"]
    )
    deal = crm.deals.add(
        "Engine order", contact="ada@example.com", amount=Decimal("18500"), currency="EUR"
    )
    crm.deals.move("Engine order", "Proposal")
    crm.deals.win(deal.id)
    crm.log("call", "ada@example.com", "Discussed the order")
    task = crm.tasks.add("Send the contract", due="tomorrow 9:00", deal="Engine order")
    crm.contacts.edit(ada.id, lifecycle="customer")
    vips = crm.contacts.list(where="tag:vip and lifecycle=customer")
    one = crm.contacts.get("ada@example.com")

    assert [c.id for c in vips] == [ada.id]
    assert (one.company, one.tags, one.lifecycle) == ("Analytical Engines", ["vip"], "customer")
    won = crm.deals.get(deal.id)
    assert (won.status, won.stage, won.amount, won.currency) == (
        "won",
        "Proposal",
        Decimal("18500.00"),
        "EUR",
    )
    assert [c.to_stage for c in crm.deals.history(deal.id)][:2] == ["Lead-in", "Proposal"]
    assert task.due_at is not None and task.due_at > datetime.now(task.due_at.tzinfo)
    actions = [e.action for e in crm.feed(limit=20)]
    assert actions[:4] == ["updated", "created", "logged", "won"]
    assert crm.reports.pipeline().total.deals == 0  # the only deal is won
    assert any("Send the contract" in a.title for a in crm.next(limit=50)) or crm.next() == []


def test_model_dump_gives_the_keys_of_json(crm: Crm, tmp_path: Path) -> None:
    """``.model_dump(mode="json")`` is what ``tinycrm contact show --json`` prints."""
    ada = crm.contacts.add("Ada", email="ada@example.com", tags="vip", fields={"plan": "pro"})
    assert ada.tags == ["vip"]  # a lone string is one tag, not its letters
    if crm._store.is_sqlite:  # the CLI run needs the same database: SQLite's file
        printed = subprocess.run(
            [sys.executable, "-m", "tinycrm", "--db", str(crm._store.path), "contact", "show",
             str(ada.id), "--json"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        shown = json.loads(printed)
        assert set(ada.model_dump(mode="json")) <= set(shown)
        for key, value in ada.model_dump(mode="json").items():
            assert shown[key] == value, key


def test_errors_are_tinycrm_errors_with_their_details(crm: Crm) -> None:
    crm.contacts.add("Ada", email="ada@example.com")
    crm.contacts.add("Ada", email="ada2@example.com")
    with pytest.raises(tinycrm.NotFound):
        crm.contacts.get("nobody@example.com")
    with pytest.raises(tinycrm.Ambiguous) as ambiguous:
        crm.contacts.get("Ada")
    assert len(ambiguous.value.candidates) == 2
    with pytest.raises(tinycrm.Conflict):
        crm.contacts.add("Another", email="ada@example.com")
    with pytest.raises(tinycrm.Invalid) as invalid:
        crm.tasks.add("Call", due="the day after never")
    assert invalid.value.field == "due"
    with pytest.raises(tinycrm.Invalid):
        crm.contacts.list(where="lifecycle = ")
    with pytest.raises(tinycrm.Invalid) as bad_email:
        crm.contacts.add("Eve", email="eve@")
    assert bad_email.value.field == "email"
    with pytest.raises(tinycrm.Invalid) as blank:
        crm.deals.add("  ")
    assert blank.value.field == "title"
    with pytest.raises(tinycrm.Invalid) as probability:
        crm.deals.add("Odds", probability=120)
    assert probability.value.field == "probability"
    for error in (tinycrm.NotFound, tinycrm.Ambiguous, tinycrm.Conflict, tinycrm.Invalid):
        assert issubclass(error, tinycrm.TinyCrmError)


def test_a_refused_choice_names_what_was_given_cut_short(crm: Crm) -> None:
    """search(kinds=[…]) and a report's by= refused a value of 1,000,000 characters with
    all of it in the message (an assistant's tool error, the command line's stderr line
    of a megabyte); now cut as every other refusal names a long value."""
    huge = "x" * 1_000_000
    for refuse in (
        lambda: crm.search("ada", kinds=[huge]),
        lambda: crm.reports.winrate(by=huge),
        lambda: crm.reports.activity(by=huge),
        lambda: crm.cases.report(by=huge),
    ):
        with pytest.raises(tinycrm.Invalid) as refused:
            refuse()
        assert len(str(refused.value)) < 200, str(refused.value)[:300]
        assert "'xxxxxxxxxx" in str(refused.value) and "…'" in str(refused.value)


def test_an_unknown_stage_is_named_cut_short(crm: Crm) -> None:
    """deal move REF <a stage name of 1,000,000 characters> (an assistant's move_deal)
    was refused with all of it in the message; now cut, the stages listed after it."""
    crm.deals.add("Engine order")
    with pytest.raises(tinycrm.NotFound) as refused:
        crm.deals.move("Engine order", "x" * 1_000_000)
    said = str(refused.value)
    assert len(said) < 300 and said.startswith("unknown stage 'xxxx"), said[:300]
    assert "…' in pipeline Sales (stages: Lead-in, " in said, said


def test_other_domains_errors_are_tinycrm_errors() -> None:
    from tinycrm.config import ConfigError
    from tinycrm.delivery import DeliveryError
    from tinycrm.filters import FilterError
    from tinycrm.formats import FormatError

    for error in (ConfigError, DeliveryError, FilterError, FormatError):
        assert issubclass(error, tinycrm.TinyCrmError), error


def test_a_refused_write_leaves_nothing(crm: Crm) -> None:
    before = crm.feed(limit=None)
    with pytest.raises(tinycrm.Invalid):
        crm.deals.add("Bad", amount="-5")
    with pytest.raises(tinycrm.NotFound):
        crm.deals.add("Orphan", contact="nobody@example.com")
    assert crm.deals.list(status=None) == []
    assert crm.feed(limit=None) == before


def test_edit_keeps_what_is_left_out_and_none_clears(crm: Crm) -> None:
    ada = crm.contacts.add("Ada", email="ada@example.com", phone="+44 20 1234", title="Countess")
    edited = crm.contacts.edit(ada.id, title=None, tag=["vip", "uk"], cadence="2w")
    assert (edited.phone, edited.title, edited.tags, edited.cadence_days) == (
        "+44 20 1234",
        None,
        ["uk", "vip"],
        14,
    )
    edited = crm.contacts.edit("ada@example.com", untag="uk", fields={"plan": "pro"})
    assert (edited.tags, edited.fields) == (["vip"], {"plan": "pro"})
    company = crm.companies.add("Acme", domain="acme.example", tags=["partner"])
    assert crm.companies.edit("acme.example", city="Berlin").city == "Berlin"
    assert crm.companies.get(company.id).tags == ["partner"]
    deal = crm.deals.add("Order", company="Acme", amount="1200", close="2027-01-31")
    edited_deal = crm.deals.edit(deal.id, amount=Decimal("1500"), close=date(2027, 2, 1))
    assert (edited_deal.amount, edited_deal.close_date) == (Decimal("1500.00"), date(2027, 2, 1))


def test_lists_and_views(crm: Crm) -> None:
    crm.companies.add("Acme", domain="acme.example")
    crm.contacts.add("Bea", email="bea@acme.example", company="Acme", tags="vip")
    crm.contacts.add("Cy", email="cy@example.com")
    deal = crm.deals.add("Big one", contact="bea@acme.example", amount=100)
    lost = crm.deals.add("Small one", contact="cy@example.com")
    crm.deals.lose(lost.id, reason="price")
    crm.log("meeting", "Big one", "Kick-off", at=datetime.now() - timedelta(days=1))

    assert [c.name for c in crm.contacts.list(tags="vip")] == ["Bea"]
    assert [c.name for c in crm.contacts.list(company="Acme")] == ["Bea"]
    assert [d.title for d in crm.deals.list()] == ["Big one"]
    assert [d.title for d in crm.deals.list(status="lost")] == ["Small one"]
    assert {d.title for d in crm.deals.list(status=None)} == {"Big one", "Small one"}
    view = crm.companies.show("Acme")
    assert [c.name for c in view.contacts] == ["Bea"]
    assert [d.title for d in view.deals] == ["Big one"]
    assert [a.subject for a in crm.deals.show(deal.id).activities] == ["Kick-off"]
    assert [a.subject for a in crm.contacts.show("Bea").activities] == ["Kick-off"]
    assert [a.subject for a in crm.activities.list(kinds="meeting")] == ["Kick-off"]
    assert {"Acme", "Bea"} <= {hit.label for hit in crm.search("acme")}
    assert {(t.entity, t.name): t.count for t in crm.tags.list()} == {("contact", "vip"): 1}


def test_tasks_and_their_scopes(crm: Crm) -> None:
    crm.contacts.add("Ada", email="ada@example.com")
    late = crm.tasks.add("Late", due="-2d", contact="ada@example.com")
    crm.tasks.add("Later", due="+3d", every="week")
    assert [t.subject for t in crm.tasks.list("overdue")] == ["Late"]
    assert [t.subject for t in crm.tasks.list("upcoming")] == ["Later"]
    crm.tasks.done(late.id)
    assert [t.subject for t in crm.tasks.list("done")] == ["Late"]
    with pytest.raises(tinycrm.Conflict):
        crm.tasks.done(late.id)
    with pytest.raises(tinycrm.Invalid):
        crm.tasks.list("someday")


@pytest.mark.parametrize("about", ["contact", "company", "deal"])
def test_an_empty_ref_given_is_refused_not_read_as_none(crm: Crm, about: str) -> None:
    """tasks.add(..., contact="") made a task about nobody, activities.log with one and a
    REF linked only the REF, and tasks.list(contact="") listed everyone's: an empty REF
    given is refused, saying which, and nothing is written."""
    crm.contacts.add("Ada", email="ada@example.com")
    for empty in ("", "   "):
        with pytest.raises(tinycrm.Invalid, match=f"^the {about} must not be empty"):
            crm.tasks.add("Call", due="+1d", **{about: empty})
        with pytest.raises(tinycrm.Invalid, match=f"^the {about} must not be empty"):
            crm.activities.log("call", "ada@example.com", "Hi", **{about: empty})
        with pytest.raises(tinycrm.Invalid, match=f"^the {about} must not be empty"):
            crm.tasks.list("all", **{about: empty})
        with pytest.raises(tinycrm.Invalid, match=f"^the {about} must not be empty"):
            crm.activities.list(**{about: empty})
    with pytest.raises(tinycrm.Invalid, match=r"^the REF must not be empty"):
        crm.activities.log("call", " ", "Hi")
    assert crm.tasks.list("all") == [] and crm.activities.list() == []


def test_pipelines_segments_leads_scoring_campaigns(crm: Crm) -> None:
    crm.pipelines.add("Renewals", stages=[("Due", 50, 30), ("Signed", 90, None)])
    crm.pipelines.add_stage("Won back", probability=95, pipeline="Renewals")
    assert [s.name for s in crm.pipelines.get("Renewals").stages] == ["Due", "Signed", "Won back"]

    crm.contacts.add("Lee", email="lee@example.com", lifecycle="lead", tags="webinar")
    crm.segments.save("webinar-leads", "tag:webinar and lifecycle=lead")
    assert [c.name for c in crm.contacts.list(segment="webinar-leads")] == ["Lee"]

    crm.scoring.add_rule("webinar", "tag:webinar", 15)
    run = crm.scoring.run()
    assert run.contacts >= 1
    assert crm.scoring.explain("lee@example.com").score == 15
    assert crm.leads.status("lee@example.com", "working").lead_status == "working"
    converted = crm.leads.convert("lee@example.com", company="Lee Ltd", deal="Pilot")
    assert converted.contact.lifecycle == "prospect"
    assert crm.deals.get("Pilot").company == "Lee Ltd"

    crm.campaigns.add("Spring", channel="email", budget="500", currency="EUR")
    added = crm.campaigns.add_members("Spring", where="tag:webinar")
    assert added.added == 1
    assert crm.campaigns.report("Spring").members >= 1


@pytest.mark.parametrize(
    "blank",
    ["\u200b", "\u3164", "\u2800", "\ufeff\u00ad", "\u115f\u1160", "\u034f \u200b"],
    ids=["zero-width", "hangul filler", "braille blank", "bom+shy", "jamo fillers", "cgj"],
)
def test_a_name_of_only_invisible_characters_is_refused(crm: Crm, blank: str) -> None:
    """A contact, company or deal named only with characters that draw nothing (a
    zero-width space, a Hangul filler, a blank braille pattern) was stored: a row with no
    name in every list, and no way to type it to find it again. It is refused as an empty
    name is, and nothing is written; such a character beside a visible one is kept."""
    with pytest.raises(tinycrm.Invalid, match="has no visible character"):
        crm.contacts.add(blank)
    with pytest.raises(tinycrm.Invalid, match="has no visible character"):
        crm.companies.add(blank)
    with pytest.raises(tinycrm.Invalid, match="has no visible character"):
        crm.deals.add(blank, amount="100")
    assert crm.contacts.list() == [] and crm.companies.list() == [] and crm.deals.list() == []
    assert crm.contacts.add(f"Ada{blank}").name == f"Ada{blank}"


def test_a_name_of_hidden_tag_characters_is_shown_by_their_codes(crm: Crm) -> None:
    """The refusal shows what it refused in escapes a reader can take back: a tag
    character past U+FFFF by its eight-digit code, as ``safetext`` writes it."""
    with pytest.raises(tinycrm.Invalid) as refused:
        crm.contacts.add("\U000e0041\u200b")
    assert str(refused.value) == "name has no visible character ('\\U000e0041\\u200b')"


def test_open_takes_a_path_or_a_url_and_refuses_what_no_file_can_be_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tinycrm.open(123) made a database file named '123' in the current folder, and
    open(b'/x/crm.db') one named "b'/x" … (str() of them); a name with bytes that are not
    UTF-8 (a --db typed in a Latin-1 terminal, as Python reads it) or a NUL was a
    UnicodeEncodeError or ValueError traceback. Now a TypeError for what is not a path, and
    one line for the rest, nothing made."""
    from tinycrm.errors import Unavailable

    monkeypatch.chdir(tmp_path)
    for wrong in (123, str(tmp_path / "crm.db").encode()):
        with pytest.raises(TypeError, match="db must be a path or a URL"):
            tinycrm.open(wrong)  # type: ignore[arg-type]
    with pytest.raises(Unavailable) as err:
        tinycrm.open(str(tmp_path / "caf\udce9.db"))
    said = str(err.value)
    assert said.startswith("--db holds bytes that are not UTF-8 (b'"), said
    assert said.endswith(
        "/caf\\xe9.db'); SQLite takes UTF-8 file names: rename the file, or give it "
        "through a link whose name is UTF-8"
    ), said
    with pytest.raises(Unavailable, match=r"^--db holds a NUL character"):
        tinycrm.open(str(tmp_path / "a\x00b.db"))
    assert list(tmp_path.iterdir()) == []
    with tinycrm.open(tmp_path / "crm.db") as crm:  # a Path, as before
        assert crm.contacts.list() == []


@pytest.mark.parametrize(("user", "said"), [("sam\x1b[2J", "control"), (5, "must be text")])
def test_a_user_name_given_to_open_is_checked_as_typed_names_are(
    tmp_path: Path, user: object, said: str
) -> None:
    """``tinycrm.open(db, user="sam\x1b[2J")`` was taken as it was and written into every
    event (a terminal's control codes in the feed), where ``TINYCRM_USER`` was refused for
    the same: now ``Invalid`` before the database is opened; a line break folds to a
    space, as it does there."""
    path = tmp_path / "crm.db"
    with pytest.raises(tinycrm.Invalid) as err:
        tinycrm.open(path, user=user)  # type: ignore[arg-type]
    assert said in str(err.value)
    assert not path.exists()
    with tinycrm.open(path, user="sam\nroot") as crm:
        crm.contacts.add("Ada")
        assert crm.user == crm.feed(limit=1)[0].actor == "sam root"


def test_a_database_opened_without_migrating_says_it_needs_upgrading(tmp_path: Path) -> None:
    """``tinycrm.open(db, migrate=False)`` on a database at an older schema said "its table
    contact has no column sort_key; it was removed from it, or it is not a tinycrm
    database" (and on a new file: "tinycrm's tables were removed from it"). Now it says
    which schema it is at and how to upgrade it."""
    from alembic import command
    from sqlalchemy import create_engine

    from tinycrm.store.migrations import SCHEMA_HEAD
    from tinycrm.store.migrations.runner import make_config

    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as conn:
        command.upgrade(make_config(conn), "0024")
    engine.dispose()
    with tinycrm.open(old, migrate=False) as crm, pytest.raises(tinycrm.Unavailable) as err:
        crm.contacts.list()
    assert str(err.value) == (
        f"cannot use database {old}: it is at schema 0024, older than this tinycrm's "
        f"{SCHEMA_HEAD}: upgrade it first (tinycrm db upgrade, or tinycrm.open() without "
        "migrate=False)"
    )
    new = tmp_path / "new.db"
    with tinycrm.open(new, migrate=False) as crm, pytest.raises(tinycrm.Unavailable) as err:
        crm.contacts.add("Ada")
    assert str(err.value) == (
        f"cannot use database {new}: it has no tinycrm schema yet: create it first "
        "(tinycrm db upgrade, or tinycrm.open() without migrate=False)"
    )


def test_search_with_no_kinds_or_kinds_not_names_is_refused(crm: Crm) -> None:
    """crm.search(text, kinds=[]) searched every kind (a script's list of kinds filtered
    down to nothing got contacts, deals and all), where the command line's --in "" and the
    MCP server refuse it; kinds=["contacts", 5] raised AttributeError. Both are now
    Invalid, saying so; kinds=None (or left out) is still every kind."""
    from tinycrm.errors import Invalid

    crm.contacts.add("Ada Lovelace")
    with pytest.raises(Invalid, match="the kinds to search must not be empty"):
        crm.search("ada", kinds=[])
    with pytest.raises(Invalid, match="the kinds to search must not be empty"):
        crm.search("ada", kinds=["", " "])
    with pytest.raises(Invalid, match=r"^kinds must be names such as contacts, not int$"):
        crm.search("ada", kinds=["contacts", 5])  # type: ignore[list-item]
    assert [hit.name for hit in crm.search("ada")] == ["Ada Lovelace"]
    assert [hit.name for hit in crm.search("ada", kinds="contacts")] == ["Ada Lovelace"]


def test_open_refuses_a_config_that_is_not_a_path_in_one_line(tmp_path: Path) -> None:
    """tinycrm.open(db, config=b"/x/config.toml") raised pathlib's "argument should be a
    str object or an os.PathLike object returning str, not <class 'bytes'>", config=123
    the same: a TypeError now says what config takes, as db's does."""
    for wrong in (b"/tmp/config.toml", 123):
        with pytest.raises(TypeError) as raised:
            tinycrm.open(str(tmp_path / "crm.db"), config=wrong)  # type: ignore[arg-type]
        said = f"config must be a Config or a path (str or os.PathLike), not {type(wrong).__name__}"
        assert str(raised.value) == said
    assert not (tmp_path / "crm.db").exists()
