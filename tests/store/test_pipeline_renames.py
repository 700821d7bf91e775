"""``pipeline rename``: a pipeline's new name, and the saved segments that test it."""

from __future__ import annotations

import pytest

from tinycrm.store import Conflict, Invalid
from tinycrm.store.deals import add_deal, list_deals
from tinycrm.store.events import list_events
from tinycrm.store.pipelines import add_pipeline, list_pipelines, rename_pipeline
from tinycrm.store.segments import list_segments, save_segment


def test_a_pipeline_is_renamed_and_segments_testing_it_follow(store) -> None:
    """There was no way to rename a pipeline: one named with a typo kept it."""
    add_pipeline(store, name="Hirng", stages=[("Applied", 10, None)])
    add_deal(store, title="A", pipeline="Hirng")
    save_segment(store, name="hires", expression='pipeline=hirng and title~"A"')
    save_segment(store, name="sales", expression="pipeline=Sales")
    result = rename_pipeline(store, "hirng", "Hiring")
    assert (result.old, result.name, result.rewritten) == ("Hirng", "Hiring", ["segment hires"])
    assert [p.name for p in list_pipelines(store)] == ["Sales", "Hiring"]
    assert [d.pipeline for d in list_deals(store, pipeline="Hiring")] == ["Hiring"]
    expressions = {s.name: s.expression for s in list_segments(store)}
    assert expressions == {"hires": 'pipeline=Hiring and title~"A"', "sales": "pipeline=Sales"}
    (event,) = [e for e in list_events(store) if e.entity == "pipeline" and e.action == "updated"]
    assert event.summary == "renamed pipeline Hirng to Hiring (segment hires names it anew)"


def test_a_rename_to_a_taken_or_empty_name_is_refused(store) -> None:
    add_pipeline(store, name="Hiring", stages=[("Applied", 10, None)])
    with pytest.raises(Conflict, match="a pipeline named 'Sales' already exists"):
        rename_pipeline(store, "Hiring", "SALES")
    with pytest.raises(Invalid, match="pipeline name must not be empty"):
        rename_pipeline(store, "Hiring", "  ")
    with pytest.raises(Invalid, match="pipeline must not be empty"):
        rename_pipeline(store, "", "New")
    assert rename_pipeline(store, "Hiring", "HIRING").name == "HIRING"
    assert [p.name for p in list_pipelines(store)] == ["Sales", "HIRING"]
