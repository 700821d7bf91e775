"""``tinycrm.api.models``: the read models by name, the very classes the API returns."""

from __future__ import annotations

import pytest

from tinycrm.api import Crm, models


@pytest.fixture
def crm(store) -> Crm:
    return Crm(store)


def test_the_api_returns_the_models_it_names(crm: Crm) -> None:
    ada = crm.contacts.add("Ada", email="ada@example.com", company="Acme")
    deal = crm.deals.add("Engine", contact="Ada", amount="100")
    crm.contacts.add("Ada L")
    assert isinstance(ada, models.ContactRead)
    assert isinstance(crm.contacts.show(ada.id), models.ContactView)
    assert isinstance(crm.companies.show("Acme"), models.CompanyView)
    assert isinstance(deal, models.DealRead)
    assert isinstance(crm.deals.show(deal.id), models.DealView)
    assert isinstance(crm.feed(limit=1)[0], models.EventRead)
    assert isinstance(crm.pipelines.list()[0], models.PipelineRead)
    assert isinstance(crm.leads.qualification(f"contact:{ada.id}"), models.QualificationRead)
    assert isinstance(crm.scoring.explain(ada.id), models.ScoreExplanation)
    assert isinstance(crm.reports.pipeline(), models.PipelineReport)
    merged = crm.contacts.merge(ada.id, "Ada L", dry_run=True)
    assert isinstance(merged, models.MergeRead)
    assert models.describe_moved({"activities": 1, "deals": 2}) == "1 activity, 2 deals"
    for name in models.__all__:
        assert getattr(models, name) is not None, name
