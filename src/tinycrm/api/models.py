"""The read models the API returns, by name, so callers need nothing of ``tinycrm.store``.

They are frozen pydantic models: attributes (``contact.email``, ``deal.amount`` as a
``Decimal``), and ``.model_dump(mode="json")`` gives the keys ``--json`` prints (its
amounts an ``int`` or a ``float``; ``--json`` writes them exactly: see
``tinycrm.formats.jsonnumbers``). The command line and the board annotate with them and
import them from here (with the two errors the board tells apart: ``InvalidFilter``, with
the position, and ``DatabaseGone``, its database file moved under it)::

    from tinycrm.api.models import ContactRead, DealView

Each name is loaded from its store module on first use (PEP 562), so importing one
loads only the store modules it lives in: the board, which names a few, does not pay
for the reports', imports' or campaigns' modules and tables at start-up. Importing any
of them loads the store's core models (SQLModel): import it inside the function that
needs it, or under ``TYPE_CHECKING``, where start-up time matters.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinycrm.store.activity_edits import RemovedActivity, ReopenedTask
    from tinycrm.store.board import (
        Board,
        BoardCard,
        BoardColumn,
        CardPage,
        MoneyTotal,
        PipelineChoice,
    )
    from tinycrm.store.board_writes import DatabaseGone, FileId
    from tinycrm.store.campaign_lookup import CampaignRead
    from tinycrm.store.campaign_members import MembersAdded, MembersChanged
    from tinycrm.store.campaign_report import CampaignReport
    from tinycrm.store.campaigns import CampaignView
    from tinycrm.store.dupes import DuplicateRead, MergeRead, describe_moved
    from tinycrm.store.feed import ChangeMarker, FeedEntry
    from tinycrm.store.filter_sql import InvalidFilter
    from tinycrm.store.imports import ImportBatchRead, UndoSummary
    from tinycrm.store.leads import ConversionRead, LeadRead, QualificationRead
    from tinycrm.store.models import (
        ActivityRead,
        CompanyRead,
        CompanyView,
        ContactRead,
        ContactView,
        DealRead,
        DealView,
        EventRead,
        PipelineRead,
        StageChangeRead,
        StageRead,
        WebhookDeliveryRead,
    )
    from tinycrm.store.pipeline_removals import PipelineRemoval
    from tinycrm.store.pipelines import PipelineRename
    from tinycrm.store.reminder_items import DueItem
    from tinycrm.store.reminders import NextAction
    from tinycrm.store.removals import CompanyRemoved, ContactRemoved, Removal
    from tinycrm.store.renewals import RenewalRun
    from tinycrm.store.reports import (
        ActivityReport,
        ChurnReport,
        ClvReport,
        CycleReport,
        DashboardNumbers,
        ForecastReport,
        FunnelReport,
        PipelineReport,
        SourcesReport,
        WinRateReport,
    )
    from tinycrm.store.reports.cases import CaseLine, CaseReport
    from tinycrm.store.sales_models import (
        DealItemRead,
        DealItems,
        ProductRead,
        QuoteHeadRead,
        QuoteLineRead,
        QuoteRead,
        QuoteTaxRead,
    )
    from tinycrm.store.scoring import ScoreExplanation, ScoreRuleRead, ScoreRun
    from tinycrm.store.search import SearchHit
    from tinycrm.store.segments import SegmentRead
    from tinycrm.store.sequences import EnrollmentRead, SequenceRead
    from tinycrm.store.service_models import (
        CaseMessageRead,
        CaseRead,
        CaseView,
        ContractRead,
        CsatChange,
        CsatImport,
    )
    from tinycrm.store.tag_renames import TagChange
    from tinycrm.store.tags import FieldKeyCount, TagCount

    RecordHit = SearchHit
    """What ``crm.search`` returned before it searched everything (the same hits)."""

_MODULES: dict[str, str] = {
    "ActivityRead": "tinycrm.store.models",
    "ActivityReport": "tinycrm.store.reports",
    "Board": "tinycrm.store.board",
    "BoardCard": "tinycrm.store.board",
    "BoardColumn": "tinycrm.store.board",
    "CampaignRead": "tinycrm.store.campaign_lookup",
    "CampaignReport": "tinycrm.store.campaign_report",
    "CampaignView": "tinycrm.store.campaigns",
    "CardPage": "tinycrm.store.board",
    "CaseLine": "tinycrm.store.reports.cases",
    "CaseMessageRead": "tinycrm.store.service_models",
    "CaseRead": "tinycrm.store.service_models",
    "CaseReport": "tinycrm.store.reports.cases",
    "CaseView": "tinycrm.store.service_models",
    "ChangeMarker": "tinycrm.store.feed",
    "ChurnReport": "tinycrm.store.reports",
    "ClvReport": "tinycrm.store.reports",
    "CompanyRead": "tinycrm.store.models",
    "CompanyRemoved": "tinycrm.store.removals",
    "CompanyView": "tinycrm.store.models",
    "ContactRead": "tinycrm.store.models",
    "ContactRemoved": "tinycrm.store.removals",
    "ContactView": "tinycrm.store.models",
    "ContractRead": "tinycrm.store.service_models",
    "ConversionRead": "tinycrm.store.leads",
    "CsatChange": "tinycrm.store.service_models",
    "CsatImport": "tinycrm.store.service_models",
    "CycleReport": "tinycrm.store.reports",
    "DashboardNumbers": "tinycrm.store.reports",
    "DatabaseGone": "tinycrm.store.board_writes",
    "DealItemRead": "tinycrm.store.sales_models",
    "DealItems": "tinycrm.store.sales_models",
    "DealRead": "tinycrm.store.models",
    "DealView": "tinycrm.store.models",
    "DueItem": "tinycrm.store.reminder_items",
    "DuplicateRead": "tinycrm.store.dupes",
    "EnrollmentRead": "tinycrm.store.sequences",
    "EventRead": "tinycrm.store.models",
    "FeedEntry": "tinycrm.store.feed",
    "FieldKeyCount": "tinycrm.store.tags",
    "FileId": "tinycrm.store.board_writes",
    "ForecastReport": "tinycrm.store.reports",
    "FunnelReport": "tinycrm.store.reports",
    "ImportBatchRead": "tinycrm.store.imports",
    "InvalidFilter": "tinycrm.store.filter_sql",
    "LeadRead": "tinycrm.store.leads",
    "MembersAdded": "tinycrm.store.campaign_members",
    "MembersChanged": "tinycrm.store.campaign_members",
    "MergeRead": "tinycrm.store.dupes",
    "MoneyTotal": "tinycrm.store.board",
    "NextAction": "tinycrm.store.reminders",
    "PipelineChoice": "tinycrm.store.board",
    "PipelineRead": "tinycrm.store.models",
    "PipelineRemoval": "tinycrm.store.pipeline_removals",
    "PipelineRename": "tinycrm.store.pipelines",
    "PipelineReport": "tinycrm.store.reports",
    "ProductRead": "tinycrm.store.sales_models",
    "QualificationRead": "tinycrm.store.leads",
    "QuoteHeadRead": "tinycrm.store.sales_models",
    "QuoteLineRead": "tinycrm.store.sales_models",
    "QuoteRead": "tinycrm.store.sales_models",
    "QuoteTaxRead": "tinycrm.store.sales_models",
    "Removal": "tinycrm.store.removals",
    "RemovedActivity": "tinycrm.store.activity_edits",
    "ReopenedTask": "tinycrm.store.activity_edits",
    "RenewalRun": "tinycrm.store.renewals",
    "ScoreExplanation": "tinycrm.store.scoring",
    "ScoreRuleRead": "tinycrm.store.scoring",
    "ScoreRun": "tinycrm.store.scoring",
    "SearchHit": "tinycrm.store.search",
    "SegmentRead": "tinycrm.store.segments",
    "SequenceRead": "tinycrm.store.sequences",
    "SourcesReport": "tinycrm.store.reports",
    "StageChangeRead": "tinycrm.store.models",
    "StageRead": "tinycrm.store.models",
    "TagChange": "tinycrm.store.tag_renames",
    "TagCount": "tinycrm.store.tags",
    "UndoSummary": "tinycrm.store.imports",
    "WebhookDeliveryRead": "tinycrm.store.models",
    "WinRateReport": "tinycrm.store.reports",
    "describe_moved": "tinycrm.store.dupes",
    "RecordHit": "tinycrm.store.search",
}
"""Where each name lives (``RecordHit`` is ``SearchHit``'s older name)."""

_ALIASES = {"RecordHit": "SearchHit"}


__all__ = [
    "ActivityRead",
    "ActivityReport",
    "Board",
    "BoardCard",
    "BoardColumn",
    "CampaignRead",
    "CampaignReport",
    "CampaignView",
    "CardPage",
    "CaseLine",
    "CaseMessageRead",
    "CaseRead",
    "CaseReport",
    "CaseView",
    "ChangeMarker",
    "ChurnReport",
    "ClvReport",
    "CompanyRead",
    "CompanyRemoved",
    "CompanyView",
    "ContactRead",
    "ContactRemoved",
    "ContactView",
    "ContractRead",
    "ConversionRead",
    "CsatChange",
    "CsatImport",
    "CycleReport",
    "DashboardNumbers",
    "DatabaseGone",
    "DealItemRead",
    "DealItems",
    "DealRead",
    "DealView",
    "DueItem",
    "DuplicateRead",
    "EnrollmentRead",
    "EventRead",
    "FeedEntry",
    "FieldKeyCount",
    "FileId",
    "ForecastReport",
    "FunnelReport",
    "ImportBatchRead",
    "InvalidFilter",
    "LeadRead",
    "MembersAdded",
    "MembersChanged",
    "MergeRead",
    "MoneyTotal",
    "NextAction",
    "PipelineChoice",
    "PipelineRead",
    "PipelineRemoval",
    "PipelineRename",
    "PipelineReport",
    "ProductRead",
    "QualificationRead",
    "QuoteHeadRead",
    "QuoteLineRead",
    "QuoteRead",
    "QuoteTaxRead",
    "RecordHit",
    "Removal",
    "RemovedActivity",
    "RenewalRun",
    "ReopenedTask",
    "ScoreExplanation",
    "ScoreRuleRead",
    "ScoreRun",
    "SearchHit",
    "SegmentRead",
    "SequenceRead",
    "SourcesReport",
    "StageChangeRead",
    "StageRead",
    "TagChange",
    "TagCount",
    "UndoSummary",
    "WebhookDeliveryRead",
    "WinRateReport",
    "describe_moved",
]


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), _ALIASES.get(name, name))
    globals()[name] = value  # once: the next look-up is a plain global
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
