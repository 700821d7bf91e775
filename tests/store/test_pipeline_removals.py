"""``pipeline rm``: a pipeline removed whole, its deals moved into another first."""

from __future__ import annotations

import pytest

from tests.store.races import at_once, refused
from tinycrm.store import Conflict, Invalid, NotFound
from tinycrm.store.deals import add_deal, get_deal, list_deals, move_deal, win_deal
from tinycrm.store.events import list_events
from tinycrm.store.pipeline_removals import remove_pipeline
from tinycrm.store.pipelines import add_pipeline, list_pipelines
from tinycrm.store.segments import save_segment
from tinycrm.store.views import deal_view


def _hiring(store) -> None:
    add_pipeline(store, name="Hiring", stages=[("Applied", 10, None), ("Proposal", 60, None)])


def test_a_pipeline_and_its_stages_are_removed_and_its_deals_moved(store) -> None:
    """There was no `pipeline rm`: a pipeline made by mistake stayed for good. Its deals,
    open, won and lost, move to --move-to's stage of the same name, else its first, each
    with a history row; the event says what moved."""
    _hiring(store)
    add_deal(store, title="A", pipeline="Hiring")
    add_deal(store, title="B", pipeline="Hiring", stage="Proposal")
    win_deal(store, "B")
    add_deal(store, title="C")
    removal = remove_pipeline(store, "hiring", move_to="Sales")
    assert (removal.pipeline, removal.stages, removal.moved, removal.moved_to) == (
        "Hiring",
        ["Applied", "Proposal"],
        2,
        "Sales",
    )
    assert removal.moved_into == {"Lead-in": 1, "Proposal": 1}
    assert (removal.default, removal.default_changed) == ("Sales", False)
    assert [p.name for p in list_pipelines(store)] == ["Sales"]
    a, b = get_deal(store, "A"), get_deal(store, "B")
    assert (a.pipeline, a.stage, a.status) == ("Sales", "Lead-in", "open")
    assert (b.pipeline, b.stage, b.status) == ("Sales", "Proposal", "won")
    history = deal_view(store, "A").history
    assert [(h.from_stage, h.to_stage) for h in history] == [
        (None, "Applied"),
        ("Applied", "Lead-in"),
    ]
    (event,) = [e for e in list_events(store) if e.entity == "pipeline" and e.action == "deleted"]
    assert event.summary == "removed pipeline Hiring (2 stages), 2 deals moved to Sales"


def test_a_pipeline_with_deals_needs_somewhere_to_put_them(store) -> None:
    _hiring(store)
    add_deal(store, title="A", pipeline="Hiring")
    with pytest.raises(Conflict) as err:
        remove_pipeline(store, "Hiring")
    assert str(err.value) == (
        "pipeline Hiring still holds 1 deal (1 open); give --move-to PIPELINE to move it "
        "(each into its stage of the same name there, else the first)"
    )
    with pytest.raises(Invalid, match="--move-to must name another pipeline"):
        remove_pipeline(store, "Hiring", move_to="HIRING")
    with pytest.raises(Invalid, match="pipeline must not be empty"):
        remove_pipeline(store, "Hiring", move_to=" ")
    with pytest.raises(NotFound):
        remove_pipeline(store, "Hiring", move_to="Nowhere")
    assert [p.name for p in list_pipelines(store)] == ["Sales", "Hiring"]
    assert get_deal(store, "A").pipeline == "Hiring"


def test_the_only_pipeline_stays_and_a_dry_run_writes_nothing(store) -> None:
    with pytest.raises(Conflict, match="pipeline Sales is the only pipeline: a deal needs one"):
        remove_pipeline(store, "Sales")
    _hiring(store)
    add_deal(store, title="A")
    would = remove_pipeline(store, "Sales", move_to="Hiring", dry_run=True)
    assert (would.moved, would.moved_into, would.default_changed) == (1, {"Applied": 1}, True)
    assert [p.name for p in list_pipelines(store)] == ["Sales", "Hiring"]
    assert get_deal(store, "A").stage == "Lead-in"
    removal = remove_pipeline(store, "Sales", move_to="Hiring")
    assert (removal.default, removal.default_changed) == ("Hiring", True)
    assert get_deal(store, "A").stage == "Applied"
    with pytest.raises(Conflict, match="only pipeline"):
        remove_pipeline(store, "Hiring")


def test_segments_testing_the_pipeline_or_its_stages_are_named(store) -> None:
    _hiring(store)
    save_segment(store, name="hi", expression="pipeline=Hiring")
    save_segment(store, name="applied", expression="stage=Applied")
    save_segment(store, name="proposal", expression="stage=Proposal")  # Sales has one too
    removal = remove_pipeline(store, "Hiring")
    assert removal.still_named_by == ["segment hi", "segment applied"]


def test_a_deal_put_in_a_pipeline_while_it_is_removed_is_moved_or_refused(store) -> None:
    """`deal add --pipeline P` or `deal move X S --pipeline P` at once with `pipeline rm P
    --move-to Sales`: the deal goes in first (and is moved on), or is refused in one line;
    no deal is left in a pipeline that is gone."""
    writes = [
        lambda n: move_deal(store, f"Deal {n}", "Applied", pipeline=f"P{n}"),
        lambda n: add_deal(store, title=f"New {n}", pipeline=f"P{n}"),
    ]
    rounds = 6
    for n in range(rounds):
        add_pipeline(store, name=f"P{n}", stages=[("Applied", 10, None)])
        add_deal(store, title=f"Deal {n}")
    for n in range(rounds):
        outcomes = at_once(
            lambda n=n: writes[n % len(writes)](n),
            lambda n=n: remove_pipeline(store, f"P{n}", move_to="Sales"),
            expected=(NotFound, Conflict),
        )
        assert refused(outcomes[1:]) == 0, outcomes
    assert [p.name for p in list_pipelines(store)] == ["Sales"]
    assert {d.pipeline for d in list_deals(store, status=None)} == {"Sales"}


def test_two_pipelines_removed_at_once_each_into_the_other_keep_one(store) -> None:
    """Two `pipeline rm` at once, each --move-to the other: one goes, the other finds its
    --move-to gone (one line), never a deadlock; every deal is in the one left."""
    for n in range(3):
        add_pipeline(store, name=f"L{n}", stages=[("Applied", 10, None)])
        add_pipeline(store, name=f"R{n}", stages=[("Offer", 10, None)])
        add_deal(store, title=f"Left {n}", pipeline=f"L{n}")
        add_deal(store, title=f"Right {n}", pipeline=f"R{n}")
        outcomes = at_once(
            lambda n=n: remove_pipeline(store, f"L{n}", move_to=f"R{n}"),
            lambda n=n: remove_pipeline(store, f"R{n}", move_to=f"L{n}"),
            expected=(NotFound,),
        )
        assert refused(outcomes) == 1, outcomes
        (kept,) = {get_deal(store, f"Left {n}").pipeline, get_deal(store, f"Right {n}").pipeline}
        assert kept in (f"L{n}", f"R{n}")
