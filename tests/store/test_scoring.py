"""Lead scoring: the rules, one UPDATE for every score, thresholds and explanations."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, update

from tinycrm.config import ConfigError, parse_config
from tinycrm.store import Conflict, Invalid, NotFound
from tinycrm.store.activities import log_activity
from tinycrm.store.automation_models import ScoreRule
from tinycrm.store.companies import add_company
from tinycrm.store.contacts import add_contact, edit_contact, get_contact
from tinycrm.store.filter_sql import InvalidFilter
from tinycrm.store.models import Campaign, CampaignMember, Contact, Event
from tinycrm.store.scoring import (
    DEFAULT_RULES,
    add_score_rule,
    explain_score,
    list_score_rules,
    recompute_scores,
    remove_score_rule,
)
from tinycrm.store.types import utcnow


def _flag(store, contact_id: int, **values: bool) -> None:
    with store.write() as session:
        session.execute(update(Contact).where(Contact.id == contact_id).values(**values))


def _scores(store) -> dict[str, int]:
    with store.read() as session:
        return dict(session.execute(select(Contact.name, Contact.score).order_by(Contact.id)).all())


def _statuses(store) -> dict[str, str | None]:
    with store.read() as session:
        return dict(
            session.execute(select(Contact.name, Contact.lead_status).order_by(Contact.id)).all()
        )


def _clear_rules(store) -> None:
    """Write the defaults (as the first change does), then remove them all."""
    for name, _, _ in DEFAULT_RULES:
        remove_score_rule(store, name)


def _classic_world(store) -> dict[str, int]:
    """Six contacts, each matching one default rule, and one matching none."""
    add_company(store, name="Bigco", industry="Logistics", size=5000)
    add_company(store, name="Softco", industry="software", size=40)
    ids = {}
    ids["big"] = add_contact(store, name="Big", company="Bigco").id
    ids["soft"] = add_contact(store, name="Soft", company="Softco").id
    ids["pricing"] = add_contact(store, name="Pricing", tags=["downloaded-pricing"]).id
    ids["webinar"] = add_contact(store, name="Webinar", tags=["attended-webinar"]).id
    ids["reader"] = add_contact(store, name="Reader").id
    ids["gone"] = add_contact(store, name="Gone").id
    ids["plain"] = add_contact(store, name="Plain").id
    now = utcnow()
    for days in (1, 5, 29):
        log_activity(store, kind="email", text="Newsletter", ref="Reader", at=now - timedelta(days))
    # three emails, but one too long ago: not "several within 30 days"
    for days in (1, 2, 45):
        log_activity(store, kind="email", text="Newsletter", ref="Plain", at=now - timedelta(days))
    _flag(store, ids["gone"], unsubscribed=True)
    return ids


def test_the_default_rules_score_the_classic_table(store) -> None:
    _classic_world(store)
    run = recompute_scores(store, hot=100, cold=-100)
    assert _scores(store) == {
        "Big": 5,
        "Soft": 3,
        "Pricing": 4,
        "Webinar": 2,
        "Reader": 1,
        "Gone": -2,
        "Plain": 0,
    }
    assert (run.contacts, run.rules, run.changed, run.skipped) == (7, 6, 6, [])
    # Nothing changed: nothing written, the scores stay.
    again = recompute_scores(store, hot=100, cold=-100)
    assert again.changed == 0
    assert _scores(store)["Big"] == 5


def test_recompute_is_one_update_of_the_contact_scores(store) -> None:
    _classic_world(store)
    recompute_scores(store)  # the defaults are written on the first run
    seen: list[str] = []

    def spy(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("UPDATE CONTACT SET SCORE"):
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", spy)
    try:
        recompute_scores(store)
    finally:
        event.remove(store.engine, "before_cursor_execute", spy)
    assert len(seen) == 1
    # one CASE per rule (SQLite repeats them in the WHERE that skips unchanged rows)
    per_rule = 2 if store.is_sqlite else 1
    assert seen[0].count("CASE WHEN") == per_rule * len(DEFAULT_RULES)


def test_defaults_are_written_once_with_an_event_and_stay_removed(store) -> None:
    listed = list_score_rules(store)
    assert [(r.name, r.points, r.id) for r in listed] == [(n, p, None) for n, _, p in DEFAULT_RULES]
    with store.read() as session:  # listing wrote nothing
        assert session.scalar(select(func.count()).select_from(ScoreRule)) == 0
    recompute_scores(store)
    with store.read() as session:
        seeded = session.scalars(select(Event).where(Event.action == "seeded")).all()
        assert len(seeded) == 1 and "Company over 1,000 employees +5" in seeded[0].summary
    remove_score_rule(store, "unsubscribed")  # case-insensitive name
    recompute_scores(store)
    names = [r.name for r in list_score_rules(store)]
    assert "Unsubscribed" not in names and len(names) == len(DEFAULT_RULES) - 1
    with store.read() as session:
        assert session.scalar(select(func.count()).where(Event.action == "seeded")) == 1


def test_each_rule_kind(store) -> None:
    _clear_rules(store)
    add_company(store, name="Acme", industry="Machinery", size=1200, country="Germany")
    ada = add_contact(
        store, name="Ada", company="Acme", title="VP Sales", role="decision-maker", tags=["vip"]
    )
    bob = add_contact(store, name="Bob", lifecycle="customer", title="Intern")
    edit_contact(store, bob.id, set_fields={"plan": "pro"})
    with store.write() as session:
        campaign = Campaign(name="Spring webinar", name_key="spring webinar", channel="event")
        session.add(campaign)
        session.flush()
        session.add(CampaignMember(campaign_id=campaign.id, contact_id=ada.id, status="responded"))
        session.add(CampaignMember(campaign_id=campaign.id, contact_id=bob.id, status="sent"))
    log_activity(store, kind="meeting", text="Demo", ref="Bob")
    rules = [
        ("Big company", "size>1000", 5),
        ("Industry list", "industry=machinery or industry=logistics", 3),
        ("Title", "title~vp", 7),
        ("Role", "role=decision-maker", 11),
        ("Country", "country=germany", 13),
        ("Tag", "tag:vip", 17),
        ("Lifecycle", "lifecycle=customer", 19),
        ("Custom field", "field:plan=pro", 23),
        ("Met", "activity:meeting within 7d", 29),
        ("Webinar responders", 'campaign:"Spring webinar"=responded', 31),
        ("Consent", "do_not_contact", -37),
    ]
    for name, condition, points in rules:
        add_score_rule(store, name=name, condition=condition, points=points)
    _flag(store, bob.id, do_not_contact=True)
    recompute_scores(store)
    assert _scores(store) == {
        "Ada": 5 + 3 + 7 + 11 + 13 + 17 + 31,
        "Bob": 19 + 23 + 29 - 37,
    }


def test_adding_a_rule_checks_the_condition_name_and_points(store) -> None:
    with pytest.raises(InvalidFilter) as bad:
        add_score_rule(store, name="Typo", condition="sise>1000", points=5)
    assert bad.value.position == 1 and "did you mean size?" in str(bad.value)
    with pytest.raises(InvalidFilter, match="unknown field 'amount' for contacts"):
        add_score_rule(store, name="Deals", condition="amount>5000", points=5)
    with pytest.raises(Invalid, match="must not be 0"):
        add_score_rule(store, name="Nothing", condition="tag:x", points=0)
    with pytest.raises(Invalid, match="condition must not be empty"):
        add_score_rule(store, name="Empty", condition="  ", points=1)
    with pytest.raises(Conflict, match="--replace"):
        add_score_rule(store, name="target INDUSTRY", condition="industry=retail", points=2)
    replaced = add_score_rule(
        store, name="Target industry", condition="industry=retail", points=2, replace=True
    )
    assert (replaced.condition, replaced.points) == ("industry=retail", 2)
    assert [r.points for r in list_score_rules(store) if r.name == "Target industry"] == [2]
    with pytest.raises(NotFound, match="no score rule matches 'nope'"):
        remove_score_rule(store, "nope")
    # a campaign or company that does not exist is a typo, as in --where: refused
    for condition, what in (("campaign:webinr", "campaign"), ("company=nope", "company")):
        with pytest.raises(InvalidFilter, match=f"no {what} matches"):
            add_score_rule(store, name="Typo", condition=condition, points=5)
    assert "Typo" not in [r.name for r in list_score_rules(store)]


def test_list_counts_matches_and_flags_a_broken_rule(store) -> None:
    _classic_world(store)
    recompute_scores(store)
    with store.write() as session:  # saved before the filter language changed, say
        session.add(ScoreRule(name="Old", name_key="old", condition="colour=red", points=3))
    counts = {r.name: (r.matches, r.error is not None) for r in list_score_rules(store)}
    assert counts["Company over 1,000 employees"] == (1, False)
    assert counts["Opened several emails"] == (1, False)
    assert counts["Old"] == (None, True)
    run = recompute_scores(store)
    assert run.rules == len(DEFAULT_RULES)
    assert len(run.skipped) == 1 and run.skipped[0].startswith("Old: bad filter")
    assert explain_score(store, "Big").skipped == run.skipped


def test_a_rule_naming_a_campaign_since_removed_is_skipped_and_named(store) -> None:
    """A rule `not campaign:Webinar` (+5 to those the webinar did not reach), once the
    campaign was removed, gave its points to every contact, and `campaign:Webinar` to
    none, without a word: the rule compiled before its run looked nothing up, so `score`
    and `score rule list` did not say it names a campaign that is gone. Such a rule is
    now skipped and named, as one that no longer compiles is (and as a segment is)."""
    from tinycrm.store.campaigns import add_campaign, remove_campaign

    add_contact(store, name="Ada")
    add_campaign(store, name="Webinar", channel="event")
    add_score_rule(store, name="Missed it", condition="not campaign:Webinar", points=5)
    assert get_contact(store, "Ada").score == 0
    assert recompute_scores(store).skipped == []
    assert get_contact(store, "Ada").score == 5
    remove_campaign(store, "Webinar")
    run = recompute_scores(store)
    assert run.skipped == [
        "Missed it: bad filter at position 14: no campaign matches 'Webinar' (not campaign:Webinar)"
    ]
    assert get_contact(store, "Ada").score == 0
    listed = {r.name: (r.matches, r.error) for r in list_score_rules(store)}
    assert listed["Missed it"] == (None, run.skipped[0].removeprefix("Missed it: "))
    assert explain_score(store, "Ada").skipped == run.skipped


def test_thresholds_mark_leads_without_overriding_people(store) -> None:
    _clear_rules(store)
    add_score_rule(store, name="VIP", condition="tag:vip", points=12)
    add_score_rule(store, name="Spam", condition="tag:spam", points=-5)
    add_contact(store, name="Hot lead", tags=["vip"])
    add_contact(store, name="Cold lead", tags=["spam"])
    add_contact(store, name="Middle lead")
    add_contact(store, name="Worked lead", tags=["vip"], lead_status="working")
    add_contact(store, name="Junk lead", tags=["vip"], lead_status="junk")
    add_contact(store, name="Dead lead", tags=["spam"], lead_status="dead")
    add_contact(store, name="Customer", tags=["vip"], lifecycle="customer")
    run = recompute_scores(store, hot=10, cold=0)
    assert (run.hot, run.cold, run.new) == (1, 1, 0)
    assert _statuses(store) == {
        "Hot lead": "hot",
        "Cold lead": "cold",
        "Middle lead": "new",
        "Worked lead": "working",
        "Junk lead": "junk",
        "Dead lead": "dead",
        "Customer": None,
    }
    # The score falls back between the thresholds: scoring's mark goes back to new.
    edit_contact(store, "Hot lead", remove_tags=["vip"])
    edit_contact(store, "Cold lead", remove_tags=["spam"])
    run = recompute_scores(store, hot=10, cold=0)
    assert (run.hot, run.cold, run.new) == (0, 0, 2)
    assert _statuses(store)["Hot lead"] == "new" and _statuses(store)["Cold lead"] == "new"
    # A lead with no status at all (imported, say) is marked too.
    with store.write() as session:
        session.execute(
            update(Contact).where(Contact.name == "Middle lead").values(lead_status=None)
        )
    recompute_scores(store, hot=0, cold=0)  # every score >= 0 is hot now
    assert _statuses(store)["Middle lead"] == "hot"
    with pytest.raises(Invalid, match="must not be above"):
        recompute_scores(store, hot=0, cold=5)
    with store.read() as session:
        summary = session.scalars(
            select(Event.summary).where(Event.action == "scored").order_by(Event.id.desc())
        ).first()
    assert summary.startswith("recomputed lead scores (2 rules)")


def test_thresholds_come_from_the_config_file(store, tmp_path: Path, monkeypatch) -> None:
    import tinycrm

    config = tmp_path / "config.toml"
    config.write_text("[scoring]\nhot = 3\ncold = -1\n", encoding="utf-8")
    monkeypatch.setenv("TINYCRM_CONFIG", str(config))
    _classic_world(store)
    # the store reads no config file: it follows what the API layer gave it
    assert (recompute_scores(store).hot_threshold, store.given.score_hot) == (10, 10)
    with tinycrm.open(store.url) as crm:  # reads the config file, passes [scoring] down
        run = crm.scoring.run()
    assert (run.hot_threshold, run.cold_threshold) == (3, -1)
    statuses = _statuses(store)
    assert [n for n, s in statuses.items() if s == "hot"] == ["Big", "Soft", "Pricing"]
    assert [n for n, s in statuses.items() if s == "cold"] == ["Gone"]
    assert get_contact(store, "Big").score == 5


def test_a_broken_scoring_table_names_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert parse_config("[remind]\nclosing_days = 3\n", path).score_hot == 10
    cases = {
        '[scoring]\nhot = "ten"\n': "line 2: scoring.hot must be a whole number",
        "[scoring]\nhot = 5\ncold = 6\n": "line 3: scoring.cold (6) must not be above hot (5)",
        "[scoring]\nwarm = 5\n": "line 2: unknown key scoring.warm (known: hot, cold)",
        "scoring = 3\n": "line 1: [scoring] must be a table",
    }
    for text, message in cases.items():
        with pytest.raises(ConfigError) as error:
            parse_config(text, path)
        assert str(error.value) == f"{path}, {message}"
    good = parse_config("[scoring]\nhot = 25\ncold = -5\n", path)
    assert (good.score_hot, good.score_cold) == (25, -5)


def test_explain_shows_each_rule_that_fired_and_the_total(store) -> None:
    _classic_world(store)
    add_score_rule(store, name="Pricing and big", condition="tag:downloaded-pricing", points=-1)
    explained = explain_score(store, "Pricing")
    assert [(h.name, h.points) for h in explained.rules] == [
        ("Downloaded pricing", 4),
        ("Pricing and big", -1),
    ]
    assert (explained.total, explained.score) == (3, 0)  # not recomputed yet
    recompute_scores(store)
    after = explain_score(store, "Pricing")
    assert (after.total, after.score) == (3, 3)
    assert explain_score(store, "Plain").rules == []
    with pytest.raises(NotFound):
        explain_score(store, "nobody@example.com")


def test_a_rule_on_the_score_itself_is_refused_so_that_scoring_twice_changes_nothing(
    store,
) -> None:
    add_contact(store, name="Ann", lifecycle="lead")
    for rule in list_score_rules(store):
        remove_score_rule(store, rule.name)
    with pytest.raises(InvalidFilter, match="position 14: a score rule cannot use the score"):
        add_score_rule(store, name="Flip", condition="name~ann and score<5", points=10)
    with pytest.raises(InvalidFilter, match="cannot use the score"):
        add_score_rule(store, name="Flop", condition="not (SCORE>=5)", points=10)
    assert list_score_rules(store) == []
    with store.write() as session:  # one saved before this check: set aside, not flipped
        session.add(ScoreRule(name="Old", name_key="old", condition="score<5", points=10))
    add_score_rule(store, name="Lead", condition="lifecycle=lead", points=2)
    first = recompute_scores(store)
    assert first.skipped[0].startswith("Old: bad filter at position 1: a score rule cannot")
    assert _scores(store) == {"Ann": 2}
    assert recompute_scores(store).changed == 0
    assert _scores(store) == {"Ann": 2}
