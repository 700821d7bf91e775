"""Deals through stages, StageChange history, pipelines and stages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.store.races import at_once, refused
from tinycrm.store import Conflict, Invalid, NotFound
from tinycrm.store.contacts import add_contact
from tinycrm.store.deals import (
    add_deal,
    edit_deal,
    get_deal,
    list_deals,
    lose_deal,
    move_deal,
    remove_deal,
    reopen_deal,
    win_deal,
)
from tinycrm.store.events import list_events
from tinycrm.store.pipelines import (
    add_pipeline,
    add_stage,
    edit_stage,
    get_pipeline,
    list_pipelines,
    move_stage,
    remove_stage,
)
from tinycrm.store.views import deal_view


def test_default_pipeline(store) -> None:
    (sales,) = list_pipelines(store)
    assert sales.name == "Sales"
    assert [(s.name, s.probability) for s in sales.stages] == [
        ("Lead-in", 10),
        ("Qualified", 25),
        ("Proposal", 50),
        ("Negotiation", 75),
    ]
    assert all(s.rotting_days for s in sales.stages)


def test_deal_defaults_and_exact_amounts(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com", company="Acme")
    deal = add_deal(store, title="Acme renewal", contact="ada@x.com", amount="18,500.10")
    assert deal.amount == Decimal("18500.10")
    assert deal.currency == "EUR"
    assert (deal.stage, deal.pipeline, deal.status) == ("Lead-in", "Sales", "open")
    assert deal.probability == 10 and not deal.probability_override
    assert deal.company == "Acme"  # taken from the contact
    big = add_deal(store, title="Big", amount="123456789012.34", currency="usd")
    assert get_deal(store, big.id).amount == Decimal("123456789012.34")
    yen = add_deal(store, title="Yen", amount="1500", currency="JPY")
    assert yen.amount == Decimal("1500")
    with pytest.raises(Invalid, match="decimal places"):
        add_deal(store, title="Bad yen", amount="1.5", currency="JPY")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": "-5"}, "negative"),
        ({"currency": "EURO"}, "unknown currency"),
        ({"probability": 101}, "between 0 and 100"),
        ({"stage": "Won"}, "unknown stage 'Won'"),
        ({"pipeline": "Nope"}, "no pipeline matches"),
        ({"contact": "nobody@x.com"}, "no contact matches"),
        ({"title": " "}, "must not be empty"),
    ],
)
def test_deal_validation_writes_nothing(store, kwargs, message) -> None:
    with pytest.raises((Invalid, NotFound), match=message):
        add_deal(store, **{"title": "T", **kwargs})
    assert list_deals(store, status=None) == []
    assert list_events(store) == []


def test_moves_closes_and_reopens_make_history(store) -> None:
    deal = add_deal(store, title="D", amount=1000, close_date=date(2026, 12, 31))
    move_deal(store, "D", "qualified")
    moved = move_deal(store, deal.id, "Negotiation")
    assert (moved.stage, moved.probability) == ("Negotiation", 75)
    with pytest.raises(Conflict, match="already in"):
        move_deal(store, "D", "Negotiation")
    won = win_deal(store, "D")
    assert (won.status, won.probability) == ("won", 100)
    assert won.closed_at is not None
    with pytest.raises(Conflict, match="reopen it"):
        move_deal(store, "D", "Lead-in")
    with pytest.raises(Conflict, match="already won"):
        win_deal(store, "D")
    reopened = reopen_deal(store, "D")
    assert (reopened.status, reopened.stage, reopened.closed_at) == ("open", "Negotiation", None)
    with pytest.raises(Invalid, match="needs a reason"):
        lose_deal(store, "D", reason="  ")
    lost = lose_deal(store, "D", reason="price")
    assert (lost.status, lost.lost_reason, lost.probability) == ("lost", "price", 0)
    history = deal_view(store, "D").history
    assert [(h.from_stage, h.to_stage, h.from_status, h.to_status) for h in history] == [
        (None, "Lead-in", None, "open"),
        ("Lead-in", "Qualified", "open", "open"),
        ("Qualified", "Negotiation", "open", "open"),
        ("Negotiation", "Negotiation", "open", "won"),
        ("Negotiation", "Negotiation", "won", "open"),
        ("Negotiation", "Negotiation", "open", "lost"),
    ]
    actions = [e.action for e in list_events(store, entity="deal", entity_id=deal.id)]
    assert actions == ["lost", "reopened", "won", "moved", "moved", "created"]


def test_probability_override_and_reset(store) -> None:
    deal = add_deal(store, title="D", probability=40, stage="Proposal")
    assert (deal.probability, deal.probability_override) == (40, True)
    reset = edit_deal(store, "D", probability=None)
    assert (reset.probability, reset.probability_override) == (50, False)


def test_edit_currency_keeps_the_amount_exact(store) -> None:
    add_deal(store, title="D", amount="100.50")
    assert edit_deal(store, "D", currency="USD").amount == Decimal("100.50")
    with pytest.raises(Invalid, match="decimal places"):
        edit_deal(store, "D", currency="JPY")
    assert get_deal(store, "D").currency == "USD"


def test_list_filters(store) -> None:
    add_contact(store, name="Ada", company="Acme")
    add_deal(store, title="A", contact="Ada", tags=["q4"])
    add_deal(store, title="B", stage="Proposal", fields={"source": "web"})
    add_deal(store, title="C")
    win_deal(store, "C")
    titles = lambda **kw: [d.title for d in list_deals(store, **kw)]  # noqa: E731
    assert titles() == ["A", "B"]
    assert titles(status=None) == ["A", "C", "B"]
    assert titles(status="won") == ["C"]
    assert titles(stage="proposal") == ["B"]
    assert titles(tags=["q4"]) == ["A"]
    assert titles(company="Acme") == ["A"]
    assert titles(contact="Ada") == ["A"]
    assert titles(field=("source", "web")) == ["B"]
    with pytest.raises(Invalid):
        titles(status="closed")


def test_remove_deal_drops_history_and_deal_only_activities(store) -> None:
    from tinycrm.store.activities import list_activities, log_activity

    add_contact(store, name="Ada")
    add_deal(store, title="D", contact="Ada")
    log_activity(store, kind="note", text="about the deal", ref="deal:D")
    remove_deal(store, "D")
    with pytest.raises(NotFound):
        get_deal(store, "D")
    # the note was also about Ada (the deal's contact), so it stays on her timeline
    assert [a.subject for a in list_activities(store, contact="Ada")] == ["about the deal"]


def test_pipelines_and_stages(store) -> None:
    hiring = add_pipeline(store, name="Partners", stages=[("Intro", 10, 7), ("Signed", 90, None)])
    assert [s.name for s in hiring.stages] == ["Intro", "Signed"]
    with pytest.raises(Conflict):
        add_pipeline(store, name="partners")
    add_stage(store, "Partners", name="Pilot", probability=50, position=2)
    assert [s.name for s in get_pipeline(store, "Partners").stages] == ["Intro", "Pilot", "Signed"]
    edit_stage(store, "Partners", "pilot", name="Trial", probability=60, rotting_days=5)
    trial = get_pipeline(store, "Partners").stages[1]
    assert (trial.name, trial.probability, trial.rotting_days) == ("Trial", 60, 5)
    move_stage(store, "Partners", "Signed", position=1)
    assert [s.name for s in get_pipeline(store, "Partners").stages] == ["Signed", "Intro", "Trial"]
    deal = add_deal(store, title="P", pipeline="Partners", stage="Trial")
    with pytest.raises(Conflict, match="still holds 1 deal"):
        remove_stage(store, "Partners", "Trial")
    assert remove_stage(store, "Partners", "Trial", move_to="Intro").moved == 1
    assert get_deal(store, deal.id).stage == "Intro"
    assert [s.name for s in get_pipeline(store, "Partners").stages] == ["Signed", "Intro"]
    assert [s.position for s in get_pipeline(store, "Partners").stages] == [0, 1]
    with pytest.raises(Invalid):
        add_stage(store, None, name="X", probability=150)
    moved = move_deal(store, "P", "Proposal", pipeline="Sales")
    assert (moved.pipeline, moved.stage) == ("Sales", "Proposal")


def test_title_search_treats_like_wildcards_literally(store) -> None:
    for title in ("a_b deal", "axb deal", "100% upsell", "1000 upsell"):
        add_deal(store, title=title)
    assert [d.title for d in list_deals(store, search="A_B")] == ["a_b deal"]
    assert [d.title for d in list_deals(store, search="100%")] == ["100% upsell"]


def test_a_deal_won_by_two_writers_at_once_is_won_once(store) -> None:
    rounds = 6
    for n in range(rounds):
        add_deal(store, title=f"D{n}")
    for n in range(rounds):
        close = lambda n=n: win_deal(store, f"D{n}")  # noqa: E731
        assert refused(at_once(close, close, expected=(Conflict,))) == 1
    assert [e.action for e in list_events(store, entity="deal")].count("won") == rounds


def test_a_deal_put_in_a_stage_while_it_is_removed_is_put_first_or_not_found(store) -> None:
    """``deal move`` (or ``deal add --stage``) into a stage and ``stage rm --move-to`` of
    that stage at once: the deal goes in first (and the removal moves it on), or it is
    refused with one line (the stage was removed just now), never the database's
    foreign-key error; no deal is left in a removed stage."""
    add_pipeline(store, name="Partners", stages=[("Intro", 10, None), ("Signed", 90, None)])
    writes = [
        lambda n: move_deal(store, f"Deal {n}", f"Step {n}", pipeline="Partners"),
        lambda n: add_deal(store, title=f"New {n}", pipeline="Partners", stage=f"Step {n}"),
    ]
    rounds = 6
    for n in range(rounds):
        add_stage(store, "Partners", name=f"Step {n}", probability=50)
        add_deal(store, title=f"Deal {n}", pipeline="Partners")
    for n in range(rounds):
        outcomes = at_once(
            lambda n=n: writes[n % len(writes)](n),
            lambda n=n: remove_stage(store, "Partners", f"Step {n}", move_to="Signed"),
            expected=(NotFound,),
        )
        assert refused(outcomes[1:]) == 0
        if refused(outcomes):
            assert f"Step {n}" in str(outcomes[0])
    stages = {stage.name for stage in get_pipeline(store, "Partners").stages}
    assert stages == {"Intro", "Signed"}
    assert {deal.stage for deal in list_deals(store, pipeline="Partners")} <= stages


STAGE_WRITERS = {
    "stage rm of another": lambda store, p: remove_stage(store, p, "C"),
    "stage rm of the same": lambda store, p: remove_stage(store, p, "B"),
    "stage add": lambda store, p: add_stage(store, p, name="E", probability=50, position=2),
    "stage move": lambda store, p: move_stage(store, p, "D", position=1),
    "stage edit": lambda store, p: edit_stage(store, p, "B", probability=40),
}


def test_a_stage_removed_while_its_pipeline_changes_goes_first_or_after(store) -> None:
    """``stage rm`` of one stage and another ``stage rm``, ``stage add``, ``stage move`` or
    ``stage edit`` in the same pipeline at once: they take turns, each seeing what the
    other left (the stages numbered 1, 2, 3 … without a gap or a twin), or one is refused
    with one line, never the ORM's StaleDataError (a renumbered stage deleted meanwhile).
    The last two stages removed at once: one stays (the second is refused)."""
    stages = [("A", 10, None), ("B", 20, None), ("C", 30, None), ("D", 90, None)]
    for n, (writer, write) in enumerate(STAGE_WRITERS.items()):
        add_pipeline(store, name=f"P{n}", stages=stages)
        outcomes = at_once(
            lambda n=n: remove_stage(store, f"P{n}", "B"),
            lambda n=n, write=write: write(store, f"P{n}"),
            expected=(NotFound, Conflict),
        )
        assert refused(outcomes) <= 1, (writer, outcomes)
        left = get_pipeline(store, f"P{n}").stages
        assert "B" not in [s.name for s in left], writer
        assert [s.position for s in left] == list(range(len(left))), (writer, left)
    for n in range(4):
        add_pipeline(store, name=f"Two {n}", stages=[("A", 10, None), ("B", 90, None)])
        outcomes = at_once(
            lambda n=n: remove_stage(store, f"Two {n}", "A"),
            lambda n=n: remove_stage(store, f"Two {n}", "B"),
            expected=(Conflict,),
        )
        assert refused(outcomes) == 1, outcomes
        assert len(get_pipeline(store, f"Two {n}").stages) == 1


def test_two_stages_removed_at_once_each_into_the_other_one_goes_first(store) -> None:
    """``stage rm A --move-to B`` and ``stage rm B --move-to A`` at once: one removal goes
    first, moving its deals into the other's stage, and the other is refused with one
    line (its --move-to stage was removed just now), never PostgreSQL's deadlock; no deal
    is left in a removed stage."""
    add_pipeline(store, name="Partners", stages=[("Intro", 10, None), ("Signed", 90, None)])
    rounds = 6
    for n in range(rounds):
        for side in "AB":
            add_stage(store, "Partners", name=f"{side} {n}", probability=50)
            add_deal(store, title=f"Deal {side} {n}", pipeline="Partners", stage=f"{side} {n}")
    for n in range(rounds):
        outcomes = at_once(
            lambda n=n: remove_stage(store, "Partners", f"A {n}", move_to=f"B {n}"),
            lambda n=n: remove_stage(store, "Partners", f"B {n}", move_to=f"A {n}"),
            expected=(NotFound,),
        )
        assert refused(outcomes) == 1, outcomes
        error = next(o for o in outcomes if isinstance(o, NotFound))
        assert f" {n}" in str(error) and "\n" not in str(error)
        assert [o.moved for o in outcomes if not isinstance(o, NotFound)] == [1]
        kept = {s.name for s in get_pipeline(store, "Partners").stages if s.name.endswith(f" {n}")}
        assert kept in ({f"A {n}"}, {f"B {n}"}), kept
        deals = list_deals(store, pipeline="Partners")
        assert {d.stage for d in deals if d.title.endswith(f" {n}")} == kept


def test_a_renamed_stage_keeps_the_segments_that_test_it(store) -> None:
    """`pipeline stage-edit Proposal --name Offer` left a saved segment `stage=Proposal`
    matching nothing ('fix the expression'; `deal list --segment` refused with 'no stage
    matches'), without a word. It now tests the new name, the rest as typed, and the
    event names it. A stage of that name left in another pipeline keeps the segment as
    it is: it still names that one."""
    from tinycrm.store.segments import get_segment, save_segment

    add_deal(store, title="Big", amount=5000, stage="Proposal")
    save_segment(store, name="late", expression='stage="proposal" or stage!=Negotiation')
    save_segment(store, name="twice", expression="stage=Qualified and amount>1k")
    add_pipeline(store, name="Partners", stages=[("Intro", 10, None), ("Qualified", 50, None)])
    edit_stage(store, None, "Proposal", name="Offer")
    edit_stage(store, None, "Qualified", name="Fit")
    assert get_segment(store, "late").expression == "stage=Offer or stage!=Negotiation"
    assert get_segment(store, "twice").expression == "stage=Qualified and amount>1k"
    assert [d.title for d in list_deals(store, segment="late")] == ["Big"]
    assert "segment late names it anew" in list_events(store, limit=2)[1].summary


def test_a_removed_stage_names_the_segments_that_test_it(store) -> None:
    """`pipeline stage-rm` left the saved segments testing the stage matching nothing,
    without a word (`tag rm` names them). It names them now, and leaves them as they are;
    not while a stage of another pipeline still has that name (they name that one)."""
    from tinycrm.store.segments import get_segment, save_segment

    save_segment(store, name="late", expression='stage="proposal" or stage!=Negotiation')
    save_segment(store, name="fit", expression="stage=Qualified")
    add_pipeline(store, name="Partners", stages=[("Intro", 10, None), ("Qualified", 50, None)])
    removal = remove_stage(store, None, "Proposal")
    assert (removal.moved, removal.still_named_by) == (0, ["segment late"])
    assert get_segment(store, "late").expression == 'stage="proposal" or stage!=Negotiation'
    assert remove_stage(store, None, "Qualified").still_named_by == []


def test_a_stage_name_taken_is_named_as_stored_with_its_pipeline(store) -> None:
    """Renaming Applied to Offer, or adding 'OFFER', in a pipeline with a stage Offer
    said "the pipeline already has a stage named 'offer'": the name in lower case (the
    key it is compared by), and not which pipeline."""
    add_pipeline(store, name="Hiring", stages=[("Applied", 10, None), ("Offer", 90, None)])
    with pytest.raises(Conflict) as err:
        edit_stage(store, "Hiring", "Applied", name="offer")
    assert str(err.value) == "pipeline Hiring already has a stage named 'Offer'"
    with pytest.raises(Conflict) as err:
        add_stage(store, "Hiring", name="OFFER", probability=50)
    assert str(err.value) == "pipeline Hiring already has a stage named 'Offer'"


def test_a_blank_stage_is_refused_as_empty(store) -> None:
    """`deal move Z ''` (a `$STAGE` unset) said "unknown stage '' in pipeline Sales"."""
    add_deal(store, title="Z")
    for blank in ("", "  "):
        with pytest.raises(Invalid) as err:
            move_deal(store, "Z", blank)
        assert str(err.value) == (
            "stage must not be empty (stages of Sales: Lead-in, Qualified, Proposal, Negotiation)"
        )


def test_a_new_deal_in_a_blank_stage_or_pipeline_is_refused(store) -> None:
    """`deal add Q --stage ''` (a `$STAGE` unset) quietly opened the deal in Lead-in, and
    `--pipeline ''` in the first pipeline; `deal move Q Proposal --pipeline ''` moved it in
    its own. Each is refused now, naming what there is, and nothing is written."""
    add_pipeline(store, name="Hiring", stages=[("Applied", 10, None)])
    for blank in ("", "  "):
        with pytest.raises(Invalid) as err:
            add_deal(store, title="Q", stage=blank)
        assert str(err.value) == (
            "stage must not be empty (stages of Sales: Lead-in, Qualified, Proposal, Negotiation)"
        )
        with pytest.raises(Invalid) as err:
            add_deal(store, title="Q", pipeline=blank)
        assert str(err.value) == "pipeline must not be empty (pipelines: Sales, Hiring)"
    assert list_deals(store) == []
    add_deal(store, title="Z")
    with pytest.raises(Invalid) as err:
        move_deal(store, "Z", "Proposal", pipeline="")
    assert str(err.value) == "pipeline must not be empty (pipelines: Sales, Hiring)"
    assert get_deal(store, "Z").stage == "Lead-in"
