"""The fields each kind of record has, and the headers real exports give them.

Headers are compared case-insensitively and without spaces and punctuation
(``E-mail Address`` is ``emailaddress``), after removing the record-type prefix
Pipedrive puts in front (``Person - Email - Work``). The synonyms below are the
header rows that HubSpot, Pipedrive, Salesforce, Google Contacts and Outlook
write (tests/fixtures/import has one file from each), plus tinycrm's own export.
``formats.mapping`` uses them to decide which column of a file holds which field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

KINDS = ("contacts", "companies", "deals", "activities")


@dataclass(frozen=True)
class Target:
    """A field a column can map to, with the headers that mean it (best first)."""

    name: str
    help: str
    synonyms: tuple[str, ...] = ()
    many: bool = False  # several columns: first non-empty wins, the rest become custom fields
    secondary: dict[str, str] = field(default_factory=dict)  # header -> custom field key
    exact: tuple[str, ...] = ()  # headers matched only as written (tinycrm's own columns)


_OWN_PREFIX = {
    "contacts": ("person", "contact", "people", "lead"),
    "companies": ("organization", "organisation", "company", "account"),
    "deals": ("deal", "opportunity"),
    "activities": ("activity", "task", "event"),
}

_TAGS = ("Tags", "Tag", "Labels", "Label", "Categories", "Category", "Group Membership", "Groups")
_OWNER = ("Owner", "Owner Name", "Assigned To", "Assigned to user", "Assigned", "Record Owner")

TARGETS: dict[str, tuple[Target, ...]] = {
    "contacts": (
        Target("name", "full name", ("Name", "Full Name", "Contact Name", "Display Name",
                                     "Person Name", "Contact")),
        Target("first_name", "first name (joined with the last name)",
               ("First Name", "Given Name", "First", "FirstName", "Forename")),
        Target("middle_name", "middle name", ("Middle Name", "Additional Name", "MiddleName")),
        Target("last_name", "last name", ("Last Name", "Family Name", "Surname", "Last",
                                          "LastName")),
        Target(
            "email",
            "email address (dedupe key)",
            ("Email", "E-mail", "Email Address", "E-mail Address", "Primary Email",
             "Email 1 - Value", "E-mail 1 - Value", "Work Email", "Business Email",
             "Email - Work", "Email - Home", "Email - Other", "E-mail 2 Address",
             "E-mail 3 Address", "Email 2 - Value", "E-mail 2 - Value", "Email 3 - Value",
             "E-mail 3 - Value", "Personal Email", "Home Email", "Other Email",
             "Secondary Email", "Additional email addresses"),
            many=True,
            secondary={"Email - Home": "email.home", "Email - Other": "email.other",
                       "E-mail 2 Address": "email.2", "E-mail 3 Address": "email.3",
                       "Email 2 - Value": "email.2", "E-mail 2 - Value": "email.2",
                       "Email 3 - Value": "email.3", "E-mail 3 - Value": "email.3",
                       "Personal Email": "email.home", "Home Email": "email.home",
                       "Other Email": "email.other", "Secondary Email": "email.2",
                       "Additional email addresses": "email.other"},
        ),
        Target(
            "phone",
            "phone number",
            ("Phone", "Phone Number", "Telephone", "Work Phone", "Business Phone",
             "Phone 1 - Value", "Phone - Work", "Direct Phone", "Mobile Phone", "Mobile",
             "Mobile Phone Number", "Cell", "Cell Phone", "Phone - Mobile", "Home Phone",
             "Phone - Home", "Phone 2 - Value", "Phone 3 - Value", "Business Phone 2",
             "Other Phone", "Phone - Other", "Company Main Phone"),
            many=True,
            secondary={"Mobile Phone": "phone.mobile", "Mobile": "phone.mobile",
                       "Mobile Phone Number": "phone.mobile", "Cell": "phone.mobile",
                       "Cell Phone": "phone.mobile", "Phone - Mobile": "phone.mobile",
                       "Home Phone": "phone.home", "Phone - Home": "phone.home",
                       "Phone 2 - Value": "phone.2", "Phone 3 - Value": "phone.3",
                       "Business Phone 2": "phone.work2", "Other Phone": "phone.other",
                       "Phone - Other": "phone.other", "Company Main Phone": "phone.company"},
        ),
        Target("title", "job title", ("Job Title", "JobTitle", "Organization Title",
                                      "Organization 1 - Title", "Position", "Title")),
        Target("role", "buying role (decision-maker, buyer, influencer, user, other)",
               ("Role", "Buying Role", "Contact Role")),
        Target("company", "company name (linked, created when missing)",
               ("Company", "Company Name", "Organization", "Organisation", "Organization Name",
                "Organization 1 - Name", "Account Name", "Account", "Associated Company",
                "Primary Company", "Employer")),
        Target("company_domain", "the company's web domain",
               ("Company Domain Name", "Company Domain", "Company Website")),
        Target("lifecycle", "lifecycle (lead, prospect, customer, churned)",
               ("Lifecycle", "Lifecycle Stage", "Lifecycle Status")),
        Target("source", "where the contact came from", ("Source", "Lead Source",
                                                         "Original Source", "Contact Source")),
        Target("owner", "owner", (*_OWNER, "Contact Owner")),
        Target("notes", "notes", ("Notes", "Note", "Description", "Comments", "Comment",
                                  "About")),
        Target("tags", "tags (separated by , ; or :::)", _TAGS),
        Target("lead_status", "lead status (new, working, hot, cold, junk, dead)",
               exact=("lead_status",)),
        Target("unsubscribed", "unsubscribed: never added to campaigns (yes/no)",
               ("Unsubscribed", "Email Opt Out", "Opted Out"), exact=("unsubscribed",)),
        Target("do_not_contact", "never to be contacted (yes/no)", ("Do Not Contact",),
               exact=("do_not_contact",)),
        Target("cadence_days", "keep in touch every N days", exact=("cadence_days",)),
        Target("last_touch", "channel or campaign of the latest touch", exact=("last_touch",)),
        Target("created_at", "when the record was created", exact=("created_at",)),
        Target("uid", "its vCard UID (a known one updates that contact)",
               ("vCard UID",), exact=("uid",)),
    ),
    "companies": (
        Target("name", "company name (dedupe key when there is no domain)",
               ("Name", "Company", "Company Name", "Organization", "Organization Name",
                "Organisation", "Account Name", "Account")),
        Target("domain", "web domain (dedupe key)",
               ("Domain", "Company Domain Name", "Company Domain", "Website", "Website URL",
                "Web Site", "Web Page", "URL", "Homepage")),
        Target("industry", "industry", ("Industry", "Sector", "Vertical")),
        Target("size", "number of employees",
               ("Size", "Employees", "Number of Employees", "No. of Employees",
                "Employee Count", "Headcount", "Company Size")),
        Target("phone", "phone number", ("Phone", "Phone Number", "Telephone", "Main Phone",
                                         "Company Phone")),
        Target("address", "street address", ("Address", "Street", "Street Address",
                                             "Billing Street", "Billing Address",
                                             "Address Line 1", "Full address")),
        Target("city", "city", ("City", "Billing City", "Town")),
        Target("country", "country", ("Country", "Country/Region", "Billing Country",
                                      "Country Name")),
        Target("owner", "owner", (*_OWNER, "Company Owner", "Account Owner",
                                  "Organization Owner")),
        Target("tags", "tags (separated by , ; or :::)", _TAGS),
        Target("created_at", "when the record was created", exact=("created_at",)),
    ),
    "deals": (
        Target("title", "deal title (dedupe key with the company)",
               ("Title", "Name", "Deal Name", "Deal Title", "Opportunity Name", "Opportunity",
                "Deal")),
        Target("external_id", "id in the system it came from (dedupe key)",
               ("External ID", "External Id", "external_id", "Deal ID", "ID", "Record ID",
                "Opportunity ID", "HubSpot ID")),
        Target("amount", "amount, e.g. 12,500.50 or €12.500,50",
               ("Amount", "Value", "Deal Value", "Deal Amount", "Opportunity Amount", "Total")),
        Target("currency", "ISO 4217 currency code",
               ("Currency", "Deal Currency", "Currency Code", "Opportunity Currency",
                "Currency ISO Code", "Deal Currency Code")),
        Target("pipeline", "pipeline name", ("Pipeline", "Deal Pipeline", "Sales Pipeline")),
        Target("stage", "stage name (Closed Won / Closed Lost close the deal)",
               ("Stage", "Deal Stage", "Pipeline Stage", "Stage Name", "Sales Stage",
                "Opportunity Stage")),
        Target("status", "open, won or lost", ("Status", "Deal Status", "State", "Outcome")),
        Target("close_date", "expected close date",
               ("Close Date", "Expected Close Date", "Expected close date", "Closing Date",
                "Expected Close", "Close")),
        Target("probability", "win probability in percent",
               ("Probability", "Probability (%)", "Deal Probability", "Win Probability")),
        Target("contact", "contact email or name (linked, created when missing)",
               ("Contact", "Contact Person", "Contact Name", "Person", "Associated Contact",
                "Primary Contact", "Contact Email", "Person Name", "Person - Name")),
        Target("company", "company name (linked, created when missing)",
               ("Company", "Company Name", "Organization", "Organization Name",
                "Organisation", "Account", "Account Name", "Associated Company", "Customer",
                "Organization - Name")),
        Target("owner", "owner", (*_OWNER, "Deal Owner", "Opportunity Owner")),
        Target("lost_reason", "why a lost deal was lost",
               ("Lost Reason", "Closed Lost Reason", "Loss Reason", "Reason Lost")),
        Target("tags", "tags (separated by , ; or :::)", _TAGS),
        Target("probability_override", "whether the probability is the deal's own (true/false)",
               ("probability_override",)),
        Target("contact_email", "the contact's email (found before the contact's name)",
               exact=("contact_email",)),
        Target("closed_at", "when the deal was won or lost", exact=("closed_at",)),
        Target("created_at", "when the record was created", exact=("created_at",)),
    ),
    "activities": (
        Target("kind", "call, email, meeting, note or task",
               ("Type", "Kind", "Activity Type", "Task Type", "Event Type", "Task Subtype")),
        Target("subject", "what it was about (first line)",
               ("Subject", "Title", "Activity Subject", "Summary")),
        Target("body", "longer notes", ("Body", "Note", "Notes", "Description", "Comments",
                                        "Details", "Content", "Public Description")),
        Target("date", "when it happened, or when a task is due",
               ("Date", "Due Date", "Activity Date", "Due", "Start", "Start Date",
                "Start Date/Time", "When", "Date/Time", "Occurred At", "occurred_at",
                "Add time")),
        Target("time", "time of day, when the date column has none",
               ("Time", "Due Time", "Start Time")),
        Target("due_at", "when a task is due", ("due_at",)),
        Target("done", "whether a task is done (yes/no, Completed)",
               ("Done", "Completed", "Is Done", "Status", "Task Status")),
        Target("done_at", "when a task was done",
               ("Done At", "done_at", "Marked as done time", "Completed Date", "Completed At",
                "Done Time", "Completion Date")),
        Target("contact", "contact email or name (linked, created when missing)",
               ("Contact", "Person", "Contact Person", "Contact Name", "Name", "Who",
                "Contact Email", "Email", "Person - Name", "Participants")),
        Target("company", "company name (linked, created when missing)",
               ("Company", "Organization", "Organisation", "Account", "Account Name",
                "Organization Name", "Organization - Name")),
        Target("deal", "deal title (must exist)",
               ("Deal", "Deal Title", "Deal Name", "Opportunity", "Opportunity Name",
                "Deal - Title")),
        Target("about", "a deal title, else a company name (Salesforce's Related To)",
               ("Related To", "Regarding", "What")),
        Target("owner", "owner", (*_OWNER, "Activity Owner", "Assigned to user")),
        Target("contact_email", "the contact's email (found before the contact's name)",
               exact=("contact_email",)),
        Target("remind_at", "when to be reminded of a task", exact=("remind_at",)),
        Target("repeat", "a task's repeat rule (2w, month, weekday, …)", exact=("repeat",)),
        Target("repeat_anchor", "the first due time of a repeating task's series",
               exact=("repeat_anchor",)),
        Target("channel", "the channel it came through (web, event, ads, …)",
               exact=("channel",)),
        Target("mail_key", "a logged mail's key (its Message-ID): mail is logged once",
               exact=("mail_key",)),
        Target("direction", "a logged mail's direction: in or out", exact=("direction",)),
        Target("created_at", "when the record was created", exact=("created_at",)),
    ),
}  # fmt: skip

# tinycrm's own export columns that are bookkeeping, not data to import: ids of another
# database (an activity's campaign_id too: campaigns travel only in `export all`), the
# time of the latest change (the import is that), and the lead score (the rules recompute
# it from what was imported).
BOOKKEEPING = frozenset(
    (
        "company_id",
        "contact_id",
        "pipeline_id",
        "stage_id",
        "deal_id",
        "campaign_id",
        "updated_at",
        "score",
    )
)  # compared as written (vendors' "Deal ID" is an external id)

# The columns of tinycrm's own CSV export of each kind, in its order and spelling
# (``field.KEY`` columns aside, wherever they come; JSON records have the same keys, with
# ``fields``). A file is tinycrm's own export when its header is these, ``id`` first, or
# some of them in this order (an older export had fewer): then ``id`` is its
# bookkeeping, not a vendor's record id. ``export tasks`` writes activities' columns
# without mail_key and direction.
OWN_EXPORT = {
    "contacts": ("id", "name", "email", "phone", "title", "role", "company_id", "lifecycle",
                 "source", "last_touch", "owner", "notes", "cadence_days", "lead_status",
                 "score", "unsubscribed", "do_not_contact", "uid", "created_at", "updated_at",
                 "company", "tags"),
    "companies": ("id", "name", "domain", "industry", "size", "phone", "address", "city",
                  "country", "owner", "tags", "created_at", "updated_at"),
    "deals": ("id", "title", "pipeline", "pipeline_id", "stage", "stage_id", "status",
              "amount", "currency", "probability", "probability_override", "close_date",
              "contact", "contact_email", "contact_id", "company", "company_id",
              "lost_reason", "closed_at", "owner", "external_id", "tags", "created_at",
              "updated_at"),
    "activities": ("id", "kind", "subject", "body", "contact", "contact_email", "contact_id",
                   "company", "company_id", "deal", "deal_id", "occurred_at", "due_at",
                   "remind_at", "repeat", "repeat_anchor", "done_at", "owner", "campaign_id",
                   "channel", "mail_key", "direction", "created_at"),
}  # fmt: skip

# What an unmapped contact column is called when it is kept as a custom field, so that
# addresses from every vendor (and from vCards, ``formats.vcard_addresses``) land in the
# same custom fields: the contact's own address (Google's first, Outlook's business one)
# as ``street``, ``city``, …, the printed one as ``label``, Outlook's home and other ones
# as ``home.city``, ``other.city``, Google's second as ``other.city``. Those of
# ``ADDRESS_KEYS`` are kept always, the others with --keep-extra.
EXTRA_KEYS = {
    "contacts": {
        "street": ("Street", "Street Address", "Address", "Business Street", "Mailing Street",
                   "Address 1 - Street", "Work Street"),
        "street2": ("Address 1 - Extended Address", "Business Street 2"),
        "pobox": ("Address 1 - PO Box", "Business Address PO Box", "PO Box"),
        "city": ("City", "Business City", "Mailing City", "Address 1 - City", "Work City"),
        "region": ("State", "State/Region", "Region", "Province", "Business State",
                   "Mailing State/Province", "Address 1 - Region", "State/Province"),
        "postcode": ("Postal Code", "Postcode", "Zip", "Zip Code", "ZIP/Postal Code",
                     "Business Postal Code", "Mailing Zip/Postal Code",
                     "Address 1 - Postal Code"),
        "country": ("Country", "Country/Region", "Business Country/Region", "Mailing Country",
                    "Address 1 - Country", "Country Code"),
        "label": ("Address 1 - Formatted",),
        "address_type": ("Address 1 - Label", "Address 1 - Type"),
        "home.street": ("Home Street",),
        "home.street2": ("Home Street 2",),
        "home.pobox": ("Home Address PO Box",),
        "home.city": ("Home City",),
        "home.region": ("Home State",),
        "home.postcode": ("Home Postal Code",),
        "home.country": ("Home Country/Region",),
        "other.street": ("Other Street", "Address 2 - Street"),
        "other.street2": ("Address 2 - Extended Address", "Other Street 2"),
        "other.pobox": ("Other Address PO Box", "Address 2 - PO Box"),
        "other.city": ("Other City", "Address 2 - City"),
        "other.region": ("Other State", "Address 2 - Region"),
        "other.postcode": ("Other Postal Code", "Address 2 - Postal Code"),
        "other.country": ("Other Country/Region", "Address 2 - Country"),
        "label.2": ("Address 2 - Formatted",),
        "other.address_type": ("Address 2 - Label", "Address 2 - Type"),
        "website": ("Website", "Website URL", "Web Page", "Website 1 - Value"),
        "birthday": ("Birthday",),
        "department": ("Department", "Organization Department", "Organization 1 - Department"),
    },
}  # fmt: skip
ADDRESS_KEYS = frozenset(k for k in EXTRA_KEYS["contacts"] if k not in ("website", "department"))


def normalize(header: str, kind: str | None = None) -> str:
    """``"Person - E-mail Address"`` → ``"emailaddress"`` (for ``contacts``)."""
    text = header.strip()
    if kind is not None:
        for prefix in _OWN_PREFIX.get(kind, ()):
            m = re.match(rf"{prefix}\s+-\s+", text, flags=re.IGNORECASE)
            if m:
                text = text[m.end() :]
                break
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


def field_key(header: str) -> str:
    """A custom field name made from a header: ``Country/Region`` → ``country_region``."""
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    ascii_only = "".join(c for c in decomposed if c.isascii())
    key = re.sub(r"[^a-z0-9_.-]+", "_", ascii_only).strip("_.-")
    if not key or not (key[0].isalpha() or key[0] == "_"):
        key = f"field_{key}".rstrip("_")
    return key[:64]


def _index() -> dict[str, dict[str, tuple[int, int, Target]]]:
    """kind -> normalised synonym -> (target position, synonym rank, target)."""
    out: dict[str, dict[str, tuple[int, int, Target]]] = {}
    for kind, targets in TARGETS.items():
        table: dict[str, tuple[int, int, Target]] = {}
        for position, target in enumerate(targets):
            for rank, synonym in enumerate(target.synonyms):
                table.setdefault(normalize(synonym), (position, rank, target))
        out[kind] = table
    return out


SYNONYMS = _index()
EXACT = {
    kind: {header: target for target in targets for header in target.exact}
    for kind, targets in TARGETS.items()
}
# tinycrm's own columns spelled otherwise (``UID``, ``Lead Status``), where no synonym of
# another field is spelled so (a vendor's ``Contact Email`` is the deal's contact)
LOOSE = {
    kind: {
        normalize(h): target for h, target in table.items() if normalize(h) not in SYNONYMS[kind]
    }
    for kind, table in EXACT.items()
}
SECONDARY = {
    kind: {normalize(h): key for t in targets for h, key in t.secondary.items()}
    for kind, targets in TARGETS.items()
}
EXTRA = {
    kind: {normalize(h): key for key, headers in table.items() for h in headers}
    for kind, table in EXTRA_KEYS.items()
}


def target_names(kind: str) -> list[str]:
    return [t.name for t in TARGETS[kind]]
