"""A bulk contact import writes exactly what it wrote before its fast paths.

``import_snapshot.json`` was recorded with the row-by-row import (before issue 16's
bulk paths), as a digest of each table: the contacts, companies, tags, custom fields,
lifecycle history, undo log and search index that mixed files leave behind (one with
tinycrm's own columns, one with the usual columns only, each imported again with
``--overwrite``), and what undoing them all puts back. Ids are replaced by their rank
in their table (PostgreSQL hands them out in blocks), UIDs and clock times by
placeholders; everything else must be equal, on SQLite and PostgreSQL.

Regenerate (only when a change of behaviour is meant): ``TINYCRM_SNAPSHOT_WRITE=1
pytest tests/store/test_import_snapshot.py -k sqlite``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import re
from pathlib import Path
from typing import Any

from sqlalchemy import text

from tinycrm.formats.csvfile import open_csv
from tinycrm.formats.mapping import build_mapping, mapped_rows
from tinycrm.store.contacts import list_contacts
from tinycrm.store.imports import import_records, undo_import

SNAPSHOT = Path(__file__).with_name("import_snapshot.json")

FIRST = ("Jürgen", "Zoë", "Søren", "Ada", "Grace", "Ines", "Kai", "Olga", "Tomás", "Wen")
LAST = ("Müller", "Lefèvre", "Ødegaard", "Lovelace", "Hopper", "O'Brien", "Dvořák", "Kim")
HEADER = ["First Name", "Last Name", "Email", "Phone Number", "Company Name",
          "Company Domain", "Job Title", "Lifecycle Stage", "Lead Status", "Tags", "Notes",
          "Plan", "City"]  # fmt: skip


def _file(seed: int, rows: int, offset: int = 0) -> str:
    """A mixed contacts file: duplicates by email and by name, blank and bad cells, tags,
    custom fields, multi-line notes, phones in national and international form."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for n in range(offset, offset + rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{n % 180}@Example{n % 7}.com".encode("ascii", "ignore").decode()
        if n % 11 == 0:
            email = ""  # deduped by name and company
        elif n % 37 == 0:
            email = "not-an-email"  # rejected
        phone = rng.choice(("+49 30 1234567", "030 7654321", "", f"+44 20 7946 {n:04d}"))
        company = rng.choice(("Acme GmbH", "ACME gmbh", "Lumière SAS", "", f"Firma {n % 13}"))
        domain = "acme.de" if company.lower() == "acme gmbh" and n % 2 else ""
        lifecycle = rng.choice(("", "Subscriber", "MQL", "customer", "Evangelist", "lead"))
        status = rng.choice(("", "", "working", "junk"))
        tags = ";".join(sorted({rng.choice(("vip", "news", "VIP", "partner")) for _ in range(2)}))
        notes = rng.choice(("", "", "Met at the fair.\nFollow up.", "  spaced   out  "))
        title = rng.choice(("CEO", "", "Head  of\tSales", "Buyer"))
        if n % 53 == 0:
            title = "bad\x1b[31m"  # a control character: rejected
        plan = rng.choice(("", "pro", "free"))
        writer.writerow([first, last if n % 19 else "", email, phone, company, domain, title,
                         lifecycle, status, tags, notes, plan, "Berlin"])  # fmt: skip
    return out.getvalue()


PLAIN = ("First Name", "Last Name", "Email", "Phone Number", "Company Name", "Job Title",
         "Tags", "Notes", "City")  # fmt: skip


def _plain(data: str) -> str:
    """The file with the columns of most exports only (no lifecycle, status, custom field)."""
    rows = list(csv.reader(io.StringIO(data)))
    keep = [rows[0].index(name) for name in PLAIN]
    out = io.StringIO()
    csv.writer(out).writerows([[row[i] for i in keep] for row in rows])
    return out.getvalue()


def _import(store: Any, data: str, **options: Any) -> dict[str, Any]:
    rejects: list[tuple[int, str]] = []
    table = open_csv(io.BytesIO(data.encode()), name="people.csv")
    mapping = build_mapping("contacts", table.header, keep_extra=True)
    summary = import_records(
        store,
        kind="contacts",
        rows=mapped_rows(table.records(), mapping),
        source="people.csv",
        on_reject=lambda line, reason, raw: rejects.append((line, reason)),
        **options,
    )
    found = summary.model_dump(mode="json")
    found["batch_id"] = found["batch_id"] is not None
    return {"summary": found, "rejects": [list(r) for r in rejects]}


TABLES = {
    "company": "id, name, name_key, domain, owner, sort_key",
    "contact": "id, name, name_key, email, phone, phone_e164, title, role, company_id, "
    "lifecycle, lead_status, source, owner, notes, search_key, cadence_days, last_touch, "
    "score, unsubscribed, do_not_contact, email_key, sort_key, uid",
    "tag": "entity, entity_id, name",
    "field_value": "entity, entity_id, key, value",
    "lifecycle_change": "contact_id, from_lifecycle, to_lifecycle, actor",
    "import_change": "batch_id, entity, entity_id, action, field, old_value, new_value",
    "import_batch": "id, kind, source, created, updated, skipped, rejected, undone_at",
}


def _state(store: Any, rank: dict[str, dict[int, int]]) -> dict[str, Any]:
    """Every row an import touches, with ids as ranks and UIDs and times as placeholders.

    ``rank`` numbers each table's ids in the order they first appear (both backends hand
    out rising ids), kept across states so the undo log still names deleted rows."""
    with store.engine.connect() as conn:
        raw = {
            name: [list(r) for r in conn.execute(text(f"SELECT {cols} FROM {name}"))]
            for name, cols in TABLES.items()
        }
    for name in ("company", "contact", "import_batch"):
        seen = rank.setdefault(name, {})
        for rid in sorted(row[0] for row in raw[name] if row[0] not in seen):
            seen[rid] = len(seen) + 1

    def ref(entity: str, value: Any) -> Any:
        return rank.get(entity, {}).get(value, value)

    out: dict[str, Any] = {}
    for name, rows in raw.items():
        clean = []
        for row in rows:
            row = [bool(v) if isinstance(v, bool) else v for v in row]
            if name in rank:
                row[0] = ref(name, row[0])
            if name == "contact":
                row[8] = ref("company", row[8])
                row[-1] = "uid" if row[-1] else None
                row[17] = int(row[17])
                row[18], row[19] = bool(row[18]), bool(row[19])
            if name in ("tag", "field_value", "import_change"):
                at = 2 if name == "import_change" else 1
                row[at] = ref(row[at - 1], row[at])
            if name == "import_change":
                row[0] = ref("import_batch", row[0])
            if name == "lifecycle_change":
                row[0] = ref("contact", row[0])
            if name == "import_batch":
                row[-1] = row[-1] is not None
            clean.append(row)
        out[name] = sorted(clean, key=lambda r: json.dumps(r, default=str))
    hits = {}
    for query in ("müller", "MÜLLER", "acme", "+49 30", "head of sales", "ødegaard"):
        hits[query] = sorted(ref("contact", c.id) for c in list_contacts(store, search=query))
    out["search"] = hits
    return out


def _scenario(store: Any) -> dict[str, Any]:
    steps: dict[str, Any] = {}
    rank: dict[str, dict[int, int]] = {}
    steps["first"] = _import(store, _file(1, 100))
    steps["after_first"] = _state(store, rank)
    steps["second"] = _import(store, _file(2, 80, offset=60))
    steps["after_second"] = _state(store, rank)
    steps["overwrite"] = _import(store, _file(3, 40, offset=30), overwrite=True)
    steps["after_overwrite"] = _state(store, rank)
    steps["plain"] = _import(store, _plain(_file(4, 100, offset=90)))
    steps["after_plain"] = _state(store, rank)
    steps["plain_overwrite"] = _import(store, _plain(_file(5, 40, offset=150)), overwrite=True)
    steps["after_plain_overwrite"] = _state(store, rank)
    undone = [undo_import(store).model_dump(mode="json", exclude={"batch_id"}) for _ in range(5)]
    for summary in undone:  # "kept contact #538 …": ids as ranks; which of the contacts
        # that point at a kept company is named is up to the database's order
        summary["conflicts"] = [
            re.sub(
                r"(contact|company) #(\d+)",
                lambda m: f"{m[1]} #{rank[m[1]][int(m[2])]}",
                re.sub(r": contact #\d+, not from", ": a contact not from", c),
            )
            for c in summary["conflicts"]
        ]
    steps["undo"] = undone
    steps["after_undo"] = _state(store, rank)
    return steps


def _digest(steps: dict[str, Any]) -> dict[str, Any]:
    """The states as a row count and a SHA-256 per table (the whole dump is half a
    megabyte); summaries, rejects, undo results and search hits as they are."""
    out: dict[str, Any] = {}
    for step, value in steps.items():
        if step.startswith("after_"):
            value = {
                name: rows
                if name == "search"
                else [len(rows), hashlib.sha256(json.dumps(rows).encode()).hexdigest()]
                for name, rows in value.items()
            }
        out[step] = value
    return out


def test_a_bulk_import_writes_what_it_wrote_before(store) -> None:
    found = _digest(json.loads(json.dumps(_scenario(store), default=str)))
    if os.environ.get("TINYCRM_SNAPSHOT_WRITE"):
        SNAPSHOT.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    for step in expected:
        if step.startswith("after_"):
            for name in expected[step]:
                assert found[step][name] == expected[step][name], f"{step}: {name}"
        assert found[step] == expected[step], step
