"""The read models the API returns, by name, so callers need nothing of ``tinycrm.store``.

They are frozen pydantic models: attributes (``contact.email``, ``deal.amount`` as a
``Decimal``), and ``.model_dump(mode="json")`` gives the keys ``--json`` prints. The
command line and the board annotate with them and import them from here (with the two
errors the board tells apart: ``InvalidFilter``, with the position, and ``DatabaseGone``,
its database file moved under it)::

    from tinycrm.api.models import ContactRead, DealView

Importing this module loads the store's models (SQLModel): import it inside the
function that needs it, or under ``TYPE_CHECKING``, where start-up time matters.
"""

from __future__ import annotations

from tinycrm.store.board import (
    Board,
    BoardCard,
    BoardColumn,
    CardPage,
    MoneyTotal,
    PipelineChoice,
)
from tinycrm.store.board_writes import DatabaseGone, FileId
from tinycrm.store.campaigns import (
    CampaignRead,
    CampaignReport,
    CampaignView,
    MembersAdded,
    MembersChanged,
)
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
)
from tinycrm.store.reminders import DueItem, NextAction
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
from tinycrm.store.tags import FieldKeyCount, TagCount

RecordHit = SearchHit
"""What ``crm.search`` returned before it searched everything (the same hits)."""

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
    "CompanyView",
    "ContactRead",
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
    "PipelineReport",
    "ProductRead",
    "QualificationRead",
    "QuoteLineRead",
    "QuoteRead",
    "QuoteTaxRead",
    "RecordHit",
    "RenewalRun",
    "ScoreExplanation",
    "ScoreRuleRead",
    "ScoreRun",
    "SearchHit",
    "SegmentRead",
    "SequenceRead",
    "SourcesReport",
    "StageChangeRead",
    "StageRead",
    "TagCount",
    "UndoSummary",
    "WinRateReport",
    "describe_moved",
]
