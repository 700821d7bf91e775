"""Headers of real exports map to fields; --map overrides; extras are reported or kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tinycrm.formats import FormatError
from tinycrm.formats.csvfile import open_csv
from tinycrm.formats.mapping import ROW_ERROR, build_mapping, mapped_rows, normalize
from tinycrm.formats.mapping_notes import UNMAPPED_NAMED

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


def mapping_of(name: str, kind: str, **kwargs: object) -> dict[str, str | None]:
    with (FIXTURES / name).open("rb") as handle:
        table = open_csv(handle, name=name)
        mapping = build_mapping(kind, table.header, **kwargs)  # type: ignore[arg-type]
    return {c.header: c.target for c in mapping.columns}


# (file, kind, encoding, {header: field}) for one export of each vendor
VENDORS = [
    ("hubspot-contacts.csv", "contacts", "utf-8", {
        "First Name": "first_name", "Last Name": "last_name", "Email": "email",
        "Phone Number": "phone", "Mobile Phone Number": "phone", "Company Name": "company",
        "Job Title": "title", "Lifecycle Stage": "lifecycle", "Contact owner": "owner",
        "City": "field:city", "Create Date": None}),
    ("hubspot-companies.csv", "companies", "utf-8", {
        "Company name": "name", "Company Domain Name": "domain", "Industry": "industry",
        "Number of Employees": "size", "City": "city", "Country/Region": "country",
        "Company owner": "owner"}),
    ("hubspot-deals.csv", "deals", "utf-8", {
        "Record ID": "external_id", "Deal Name": "title", "Deal Stage": "stage",
        "Pipeline": "pipeline", "Amount": "amount", "Close Date": "close_date",
        "Deal owner": "owner", "Associated Company": "company", "Associated Contact": "contact",
        "Deal probability": "probability"}),
    ("pipedrive-people.csv", "contacts", "utf-8-sig", {
        "Person - Name": "name", "Person - Organization": "company",
        "Person - Email - Work": "email", "Person - Email - Home": "email",
        "Person - Phone - Mobile": "phone", "Person - Labels": "tags",
        "Person - Owner": "owner", "Person - Job title": "title"}),
    ("pipedrive-organizations.csv", "companies", "utf-8-sig", {
        "Organization - Name": "name", "Organization - Address": "address",
        "Organization - Labels": "tags", "Organization - Website": "domain"}),
    ("pipedrive-deals.csv", "deals", "utf-8-sig", {
        "Deal - ID": "external_id", "Deal - Title": "title", "Deal - Value": "amount",
        "Deal - Currency": "currency", "Deal - Pipeline": "pipeline", "Deal - Stage": "stage",
        "Deal - Status": "status", "Deal - Expected close date": "close_date",
        "Deal - Organization": "company", "Deal - Contact person": "contact",
        "Deal - Lost reason": "lost_reason", "Deal - Probability": "probability"}),
    ("pipedrive-activities.csv", "activities", "utf-8-sig", {
        "Activity - Subject": "subject", "Activity - Type": "kind", "Activity - Due date": "date",
        "Activity - Due time": "time", "Activity - Done": "done", "Activity - Deal": "deal",
        "Activity - Contact person": "contact", "Activity - Organization": "company",
        "Activity - Note": "body", "Activity - Marked as done time": "done_at"}),
    ("salesforce-contacts.csv", "contacts", "cp1252", {
        "First Name": "first_name", "Last Name": "last_name", "Title": "title",
        "Account Name": "company", "Email": "email", "Phone": "phone", "Mobile": "phone",
        "Lead Source": "source", "Contact Owner": "owner", "Salutation": None}),
    ("salesforce-accounts.csv", "companies", "cp1252", {
        "Account Name": "name", "Website": "domain", "Employees": "size",
        "Billing Street": "address", "Billing City": "city", "Billing Country": "country",
        "Account Owner": "owner"}),
    ("salesforce-opportunities.csv", "deals", "cp1252", {
        "Opportunity ID": "external_id", "Opportunity Name": "title", "Account Name": "company",
        "Amount": "amount", "Close Date": "close_date", "Stage": "stage",
        "Probability (%)": "probability", "Opportunity Owner": "owner",
        "Opportunity Currency": "currency"}),
    ("salesforce-tasks.csv", "activities", "cp1252", {
        "Subject": "subject", "Name": "contact", "Related To": "about",
        "Activity Date": "date", "Status": "done", "Task Subtype": "kind", "Comments": "body",
        "Assigned": "owner"}),
    ("google-contacts.csv", "contacts", "utf-8", {
        "First Name": "first_name", "Middle Name": "middle_name", "Last Name": "last_name",
        "Organization Name": "company", "Organization Title": "title", "Notes": "notes",
        "Labels": "tags", "E-mail 1 - Value": "email", "E-mail 2 - Value": "email",
        "Phone 1 - Value": "phone", "E-mail 1 - Label": None}),
    ("google-contacts-legacy.csv", "contacts", "utf-16", {
        "Name": "name", "Given Name": "first_name", "Family Name": "last_name",
        "Group Membership": "tags", "E-mail 1 - Value": "email", "Phone 1 - Value": "phone",
        "Organization 1 - Name": "company", "Organization 1 - Title": "title"}),
    ("outlook-contacts.csv", "contacts", "cp1252", {
        "First Name": "first_name", "Last Name": "last_name", "Company": "company",
        "Job Title": "title", "Title": None, "Business Phone": "phone", "Mobile Phone": "phone",
        "E-mail Address": "email", "E-mail 2 Address": "email", "Categories": "tags",
        "Notes": "notes"}),
    ("excel-unicode-text.txt", "contacts", "utf-16", {
        "Name": "name", "Email": "email", "Company": "company", "Tags": "tags"}),
    ("excel-german-deals.csv", "deals", "cp1252", {
        "Deal Name": "title", "Amount": "amount", "Close Date": "close_date",
        "Company": "company", "Stage": "stage"}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "kind", "encoding", "expected"), VENDORS)
def test_vendor_exports_map_as_they_are(
    name: str, kind: str, encoding: str, expected: dict
) -> None:
    with (FIXTURES / name).open("rb") as handle:
        assert open_csv(handle, name=name).encoding == encoding
    mapped = mapping_of(name, kind)
    for header, target in expected.items():
        assert mapped[header] == target, header


def test_headers_compare_without_case_space_or_punctuation() -> None:
    assert normalize("E-mail Address") == normalize("email address") == "emailaddress"
    assert normalize("Person - Email - Work", "contacts") == "emailwork"
    assert normalize("Organization - Name", "deals") == "organizationname"


def test_several_email_columns_coalesce_and_keep_the_others_as_custom_fields() -> None:
    mapping = build_mapping(
        "contacts", ["Name", "E-mail Address", "E-mail 2 Address", "Mobile Phone"]
    )
    assert mapping.apply(["Ada", "", "ada@home.org", "+44 7"]) == {
        "name": "Ada", "email": "ada@home.org", "phone": "+44 7",
    }  # fmt: skip
    assert mapping.apply(["Ada", "ada@work.com", "ada@home.org", ""]) == {
        "name": "Ada", "email": "ada@work.com", "field:email.2": "ada@home.org", "phone": "",
    }  # fmt: skip


def test_map_overrides_and_errors() -> None:
    mapping = build_mapping(
        "contacts", ["Full", "Mail", "Plan", "Email"],
        overrides=[("full", "name"), ("Mail", "email"), ("PLAN", "field.plan"), ("Email", "-")],
    )  # fmt: skip
    assert [c.target for c in mapping.columns] == ["name", "email", "field:plan", None]
    with pytest.raises(FormatError, match="no column 'Nope'"):
        build_mapping("contacts", ["Name"], overrides=[("Nope", "email")])
    with pytest.raises(FormatError, match="unknown field 'mail' for contacts"):
        build_mapping("contacts", ["Name"], overrides=[("Name", "mail")])
    with pytest.raises(FormatError, match="invalid custom field name"):
        build_mapping("contacts", ["Name"], overrides=[("Name", "field.1 bad")])


def test_a_custom_field_given_by_two_columns_keeps_both_values() -> None:
    """Two 'field.plan' columns (two exports pasted side by side), or --map giving a
    column the field a 'field.plan' column has: the last column's value was the field's
    and the other's was lost, unsaid. The first column keeps the field; the other is
    named in the summary (a second column of that name), or with --keep-extra a field of
    its own."""
    header = ["Name", "field.plan", "field.plan", "Plan"]
    mapping = build_mapping("contacts", header)
    assert [(c.target, c.how) for c in mapping.columns[1:]] == [
        ("field:plan", "field"),
        (None, "lost"),  # a second column named field.plan: the plan where the first is empty
        (None, "unmapped"),
    ]
    rows = list(mapped_rows([(2, ["Ada", "", "pro", ""]), (3, ["Bo", "a", "b", ""])], mapping))
    assert [values["field:plan"] for _, values, _ in rows] == ["pro", "a"]
    assert [(lost.header, lost.taken, lost.differed) for lost in mapping.lost()] == [
        ("field.plan", 1, 1)
    ]
    assert "gives the custom field plan" in mapping.lost()[0].note()
    kept = build_mapping("contacts", header, keep_extra=True)
    assert [c.target for c in kept.columns[1:]] == ["field:plan", None, "field:plan_4"]
    assert kept.columns[2].secondary == "plan_3"  # the plan where the first is empty, else this
    moved = build_mapping(
        "contacts", ["Name", "field.plan", "Tier"], overrides=[("Tier", "field.plan")]
    )
    assert [(c.target, c.how) for c in moved.columns[1:]] == [
        (None, "lost"),  # the plan where Tier is empty; named, not 'no matching field'
        ("field:plan", "--map"),
    ]


def test_keep_extra_names_custom_fields_the_same_for_every_vendor() -> None:
    outlook = mapping_of("outlook-contacts.csv", "contacts", keep_extra=True)
    salesforce = mapping_of("salesforce-contacts.csv", "contacts", keep_extra=True)
    google = mapping_of("google-contacts.csv", "contacts", keep_extra=True)
    assert outlook["Business City"] == salesforce["Mailing City"] == "field:city"
    assert google["Address 1 - City"] == "field:city"
    assert outlook["Home City"] == "field:home.city"
    assert salesforce["Created Date"] == "field:created_date"


def test_tinycrm_exports_map_back() -> None:
    header = ["id", "name", "email", "company_id", "created_at", "updated_at", "field.plan", "tags"]
    mapped = {c.header: (c.target, c.how) for c in build_mapping("contacts", header).columns}
    assert mapped["field.plan"] == ("field:plan", "field")
    assert mapped["company_id"] == (None, "ignored")
    deals = build_mapping("deals", ["id", "title", "external_id", "created_at", "updated_at"])
    assert [c.target for c in deals.columns] == [None, "title", "external_id", "created_at", None]


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("contacts", "id,name,email,phone,title,role,company_id,lifecycle,source,last_touch,owner,"
         "notes,cadence_days,lead_status,score,unsubscribed,do_not_contact,created_at,updated_at,"
         "company,tags,field.language"),
        ("companies", "id,name,domain,industry,size,phone,address,city,country,owner,tags,"
         "field.region,created_at,updated_at"),
        ("deals", "id,title,pipeline,pipeline_id,stage,stage_id,status,amount,currency,"
         "probability,probability_override,close_date,contact,contact_email,contact_id,company,"
         "company_id,lost_reason,closed_at,owner,external_id,tags,field.po,created_at,updated_at"),
        ("activities", "id,kind,subject,body,contact,contact_email,contact_id,company,company_id,"
         "deal,deal_id,occurred_at,due_at,remind_at,repeat,done_at,owner,campaign_id,channel,"
         "created_at"),
    ],
)  # fmt: skip
def test_every_column_of_our_own_export_is_read_or_deliberately_ignored(
    kind: str, header: str
) -> None:
    """The export's header as `tinycrm export KIND` writes it: ids (an activity's
    campaign_id too: campaigns travel only in `export all`), updated_at and the score
    (recomputed) are ignored; everything else is a field. Before, an activities export
    imported back said 'Columns not imported (…): 1 more column empty' (campaign_id)."""
    columns = build_mapping(kind, header.split(",")).columns
    ignored = {c.header for c in columns if c.how == "ignored"}
    assert ignored <= {"id", "company_id", "contact_id", "pipeline_id", "stage_id", "deal_id",
                       "campaign_id", "updated_at", "score"}  # fmt: skip
    unmapped = {c.header for c in columns if c.target is None and c.how != "ignored"}
    assert unmapped == set()


def test_ragged_rows_and_salesforce_footers() -> None:
    mapping = build_mapping("contacts", ["Name", "Email", "Phone"])
    records = [
        (2, ["Ada", "a@x.io", "1"]),
        (3, ["Grace", "g@x.io"]),  # short: the rest is blank
        (4, ["Linus", "l@x.io", "3", "", ""]),  # trailing empty cells are fine
        (5, ["Bad", "b@x.io", "4", "spill"]),
        (7, ["Generated By:  Sam  11/23/2026"]),
        (8, ["Copyright (c) 2000-2026 salesforce.com, inc."]),
    ]
    footer: list[int] = []
    rows = list(mapped_rows(records, mapping, footer))
    assert [r[0] for r in rows] == [2, 3, 4, 5]
    assert rows[1][1] == {"name": "Grace", "email": "g@x.io", "phone": ""}
    assert "4 cells but the header has 3 columns" in rows[3][1][ROW_ERROR]
    assert footer == [7, 8]


def test_the_unmapped_report_names_empty_columns_without_a_dangling_more() -> None:
    """Columns that map to nothing: those that held values are named, the empty ones
    counted. Before, a file whose only such column was empty was reported as
    'Columns not imported (…): 1 more column empty', 'more' than nothing named."""
    mapping = build_mapping("contacts", ["Name", "Fax", "Pager", "Nickname"])
    list(mapped_rows([(2, ["Ada", "", "", "Addie"])], mapping, []))
    assert mapping.unmapped_report() == "Nickname (1 row); 2 more columns empty"
    mapping = build_mapping("contacts", ["Name", "Fax"])
    list(mapped_rows([(2, ["Ada", ""])], mapping, []))
    assert mapping.unmapped_report() == "1 column, empty: Fax"
    mapping = build_mapping("contacts", ["Name", "Fax", "Pager"])
    list(mapped_rows([(2, ["Ada", "", ""])], mapping, []))
    assert mapping.unmapped_report() == "2 columns, all empty: Fax, Pager"


def test_a_file_with_no_field_is_told_the_fields_its_mistyped_columns_may_mean() -> None:
    """'Nmae,Emial' was refused with no hint that two letters were swapped."""
    from tinycrm.formats.mapping_notes import refuse_unmapped

    with pytest.raises(FormatError) as refused:
        refuse_unmapped(build_mapping("contacts", ["Nmae", "Emial", "Dear Ada"]), "x.csv")
    assert "(its first line: 'Nmae', 'Emial', 'Dear Ada'; did you mean 'name', 'email'?); " in (
        str(refused.value)
    )


@pytest.mark.parametrize(
    ("kind", "header", "target"),
    [
        ("contacts", "UID", "uid"),
        ("contacts", "Uid", "uid"),
        ("contacts", "Lead Status", "lead_status"),
        ("contacts", "LEAD_STATUS", "lead_status"),
        ("contacts", "Cadence Days", "cadence_days"),
        ("deals", "Closed At", "closed_at"),
        ("activities", "Remind_At", "remind_at"),
        ("deals", "Contact Email", "contact"),  # a vendor's synonym stays the contact's
    ],
)
def test_our_own_columns_are_read_whatever_their_case_and_spaces(
    kind: str, header: str, target: str
) -> None:
    """A header spelled `UID` was not the uid column (only `uid` as written was): the
    column was named as not imported, the cards' UIDs lost. Headers map ignoring case,
    spaces and punctuation, tinycrm's own columns too; a vendor's synonym still wins."""
    [column] = build_mapping(kind, [header]).columns
    assert (column.target, column.how) == (target, "synonym")


def test_our_own_column_as_written_wins_over_one_spelled_otherwise() -> None:
    columns = build_mapping("contacts", ["Name", "UID", "uid", "Uid"]).columns
    assert [(c.header, c.target) for c in columns] == [
        ("Name", "name"), ("UID", None), ("uid", "uid"), ("Uid", None)
    ]  # fmt: skip
    first = build_mapping("contacts", ["Name", "UID", "Uid"]).columns
    assert [c.target for c in first] == ["name", "uid", None]
    lost = build_mapping("contacts", ["Name", "UID", "Uid"]).lost()
    assert [(c.header, c.number, c.winner_number, c.same_name) for c in lost] == [
        ("Uid", 3, 2, True)
    ]


@pytest.mark.parametrize(
    ("kind", "header", "meant"),
    [
        ("deals", ["ID", "Deal Name", "Amount", "created_at", "updated_at"], "external_id"),
        ("contacts", ["id", "Full Name", "Email", "kind", "created_at"], None),
        ("contacts", ["Name", "id", "email", "created_at", "updated_at"], None),
        ("contacts", ["id", "email", "name", "created_at", "updated_at"], None),
    ],
)
def test_a_vendor_file_with_created_at_is_not_taken_for_our_own_export(
    kind: str, header: list[str], meant: str | None
) -> None:
    """A vendor's file headed ID, Deal Name, …, created_at, updated_at was taken for
    tinycrm's own export: its ID (the deal's id in the vendor's system) was dropped as
    tinycrm's bookkeeping, unsaid. Only tinycrm's own header, in its own spelling and
    order, id first, is; the vendor's ID is its external id, or named as not imported."""
    mapping = build_mapping(kind, header)
    assert not mapping.own_export
    id_column = next(c for c in mapping.columns if c.header.lower() == "id")
    assert id_column.target == meant
    assert id_column.how != "ignored"


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("contacts", "line,reason,id,name,email,phone,title,role,company_id,lifecycle,source,"
         "last_touch,owner,notes,cadence_days,lead_status,score,unsubscribed,do_not_contact,uid,"
         "created_at,updated_at,company,tags,field.plan"),
        ("activities", "id,kind,subject,body,contact,contact_email,contact_id,company,"
         "company_id,deal,deal_id,occurred_at,due_at,remind_at,repeat,repeat_anchor,done_at,"
         "owner,campaign_id,channel,created_at"),
        ("deals", "id,title,external_id,created_at,updated_at"),  # an older, shorter export
    ],
)  # fmt: skip
def test_our_own_export_is_known_as_ours(kind: str, header: str) -> None:
    mapping = build_mapping(kind, header.split(","))
    assert mapping.own_export
    assert next(c for c in mapping.columns if c.header == "id").how == "ignored"


def test_a_second_column_of_the_same_name_is_the_field_where_the_first_is_empty() -> None:
    """Two Name columns (two exports pasted side by side): the second's values were
    dropped even where the first Name was empty. It is the name where the first is empty
    (a column losing its field to another), and --keep-extra keeps its other values as a
    custom field; two columns of a field that takes several (Email) keep both values, as
    before."""
    mapping = build_mapping("contacts", ["Name", "Email", "name ", "Email", "Fax", "Fax"])
    assert [(c.target, c.how) for c in mapping.columns] == [
        ("name", "synonym"),
        ("email", "synonym"),
        (None, "lost"),
        ("email", "synonym"),
        (None, "unmapped"),
        (None, "unmapped"),  # the first Fax is no field either: that is the reason
    ]
    assert mapping.unmapped == ["Fax", "Fax"]
    rows = list(
        mapped_rows(
            [
                (2, ["Ada", "a@x.io", "Ada L.", "b@x.io", "1", ""]),
                (3, ["", "c@x.io", "Cy", "", "", ""]),
            ],
            mapping,
        )
    )
    assert [values["name"] for _, values, _ in rows] == ["Ada", "Cy"]
    [lost] = mapping.lost()
    assert (lost.number, lost.winner_number, lost.taken, lost.differed) == (3, 1, 1, 1)
    assert "--map" not in lost.note()  # --map would name the first Name column, not this
    assert mapping.describe()[2] == ("name ", "name where Name is empty", "Name gives name first")
    kept = build_mapping("contacts", ["Name", "Email", "Name"], keep_extra=True)
    assert (kept.columns[2].how, kept.columns[2].secondary) == ("lost", "name")
    moved = build_mapping(
        "contacts", ["Name", "Email", "Name"], overrides=[("Name", "field.alias")]
    )
    # the first Name is a custom field now: the second is the name, not a second alias
    assert [(c.target, c.how) for c in moved.columns] == [
        ("field:alias", "--map"),
        ("email", "synonym"),
        ("name", "synonym"),
    ]


def test_two_columns_of_no_field_and_the_same_name_are_counted_apart() -> None:
    mapping = build_mapping("contacts", ["Name", "Fax", "Fax"])
    list(mapped_rows([(2, ["Ada", "1", ""]), (3, ["Bo", "2", "3"])], mapping))
    assert mapping.unmapped_report() == "Fax (2 rows), Fax (1 row)"


def test_a_column_naming_a_field_another_column_gives_is_not_called_unmapped() -> None:
    """A file with First Name and Given Name (both first_name): Given Name was reported
    as of 'no matching field', and its values were dropped unsaid, even in a row whose
    First Name was empty. It is lost to First Name: its value is the field's where First
    Name is empty, and the rows where it was not imported are counted, with those that
    held another value; --keep-extra keeps those as a custom field."""
    header = ["First Name", "Given Name", "Last Name", "Forename"]
    mapping = build_mapping("contacts", header)
    assert [(c.target, c.how, c.winner) for c in mapping.columns] == [
        ("first_name", "synonym", None),
        (None, "lost", 0),
        ("last_name", "synonym", None),
        (None, "lost", 0),
    ]
    assert mapping.unmapped == []
    rows = [
        (2, ["Ada", "Ada", "Lovelace", ""]),
        (3, ["Bob", "Robert", "Smith", "Bobby"]),
        (4, ["", "Carl", "Jung", "Karl"]),
        (5, ["", "", "Curie", "Marie"]),
    ]
    values = [v for _, v, _ in mapped_rows(rows, mapping)]
    assert [v["first_name"] for v in values] == ["Ada", "Bob", "Carl", "Marie"]
    assert not any(k.startswith("field:") for v in values for k in v)
    given, forename = mapping.lost()
    assert (given.filled, given.taken, given.differed, given.not_imported) == (3, 1, 1, 2)
    assert (forename.filled, forename.taken, forename.differed) == (3, 1, 2)
    assert given.note() == (
        "Given Name (column 2) not imported where First Name (column 1) gives the "
        "first_name: 2 rows, 1 of them another value (--keep-extra keeps those as a custom "
        "field, --map 'Given Name=first_name' takes this column first); taken in 1 row "
        "where First Name was empty"
    )
    assert forename.reason() == (
        "First Name (column 1) gives the first_name: each another value; taken in 1 more "
        "row where First Name was empty"
    )
    assert mapping.describe()[1] == (
        "Given Name",
        "first_name where First Name is empty",
        "First Name gives first_name first",
    )


def test_a_lost_column_of_the_same_values_says_so_and_keep_extra_keeps_the_others() -> None:
    mapping = build_mapping("contacts", ["Given Name", "First Name"])
    assert [(c.how, c.winner) for c in mapping.columns] == [("lost", 1), ("synonym", None)]
    list(mapped_rows([(2, ["Ada", "Ada"]), (3, ["", "Bo"])], mapping))
    assert mapping.lost()[0].note() == (
        "Given Name (column 1) not imported where First Name (column 2) gives the "
        "first_name: 1 row, each the same value as First Name's"
    )
    empty = build_mapping("contacts", ["First Name", "Given Name"])
    list(mapped_rows([(2, ["Ada", " "])], empty))
    assert empty.lost()[0].note() == (
        "Given Name (column 2): empty; First Name (column 1) gives the first_name"
    )
    kept = build_mapping("contacts", ["First Name", "Given Name", "Email"], keep_extra=True)
    rows = [(2, ["Bob", "Robert", "b@x.io"]), (3, ["Ada", "Ada", "a@x.io"]), (4, ["", "C", ""])]
    values = [v for _, v, _ in mapped_rows(rows, kept)]
    assert values[0]["field:given_name"] == "Robert" and values[0]["first_name"] == "Bob"
    assert "field:given_name" not in values[1] and values[2]["first_name"] == "C"
    assert kept.lost()[0].note().endswith("1 of them another value (kept as custom field "
                                          "given_name); taken in 1 row where First Name was "
                                          "empty")  # fmt: skip


def test_a_field_whose_column_is_mapped_elsewhere_goes_to_the_next_that_names_it() -> None:
    """--map 'First Name=field.legacy' left Given Name as of 'no matching field' and the
    contacts without a first name; now Given Name gives it, and a column --map gives a
    field takes it first, the column it beat filling in where it is empty."""
    moved = build_mapping(
        "contacts", ["First Name", "Given Name"], overrides=[("First Name", "field.legacy")]
    )
    assert [(c.target, c.how) for c in moved.columns] == [
        ("field:legacy", "--map"),
        ("first_name", "synonym"),
    ]
    chosen = build_mapping(
        "contacts", ["First Name", "Given Name"], overrides=[("Given Name", "first_name")]
    )
    assert [(c.target, c.how, c.winner) for c in chosen.columns] == [
        (None, "lost", 1),
        ("first_name", "--map", None),
    ]
    values = [v for _, v, _ in mapped_rows([(2, ["Ada", ""]), (3, ["x", "Bo"])], chosen)]
    assert [v["first_name"] for v in values] == ["Ada", "Bo"]
    own = build_mapping("contacts", ["Lead Status", "lead_status"])  # ours wins, the other fills
    assert [(c.target, c.how, c.winner) for c in own.columns] == [
        (None, "lost", 1),
        ("lead_status", "field", None),
    ]


def test_the_unmapped_report_names_a_few_columns_and_counts_the_rest() -> None:
    """A JSON lines file whose every record had a key of its own (20,000 of them) made a
    summary line of 300 KB naming each. The text summary names the first few with values
    and counts the others (--json's not_imported still lists each)."""
    header = ["Name", "Email", *(f"k{i}" for i in range(30)), "Fax"]
    mapping = build_mapping("contacts", header)
    list(mapped_rows([(2, ["Ada", "a@x.io", *["v"] * 30, ""])], mapping))
    named = ", ".join(f"k{i} (1 row)" for i in range(UNMAPPED_NAMED))
    more = 30 - UNMAPPED_NAMED
    assert mapping.unmapped_report() == (
        f"{named} and {more} more columns with values (--json lists each); 1 more column empty"
    )
