"""Unique keys and the one message for each duplicate, whoever finds it.

A write checks its unique keys first (``email ... already belongs to ...``). Two writers
can pass that check at the same moment on PostgreSQL (two sessions, neither sees the
other's row until it commits); the database's unique index then refuses the second with
an ``IntegrityError``. :func:`conflict_from` turns that into the same ``Conflict`` the
check would have raised, naming the value and the record that holds it, so a user sees
one line either way. (SQLite queues writers, so there the check sees the first row; the
mapping holds there too, for any path that reaches the index.)
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tinycrm.store.errors import Conflict
from tinycrm.store.models import Company, Contact

# The records whose names are unique (``name_key``), as a user calls them.
NAMED = {
    "company": "company",
    "pipeline": "pipeline",
    "stage": "stage",
    "sequence": "sequence",
    "segment": "segment",
    "campaign": "campaign",
    "score_rule": "scoring rule",
}


def email_taken(email: str, other: Contact) -> Conflict:
    """An email another contact has."""
    holder = f"#{other.id} {other.name}" + (f" <{other.email}>" if other.email else "")
    return Conflict(f"email {email} already belongs to {holder}")


def domain_taken(domain: str, name: str | None, company_id: int | None) -> Conflict:
    """A domain another company has (imports reject rows with it)."""
    holder = f"{name} (#{company_id})" if name else f"company #{company_id}"
    return Conflict(f"a company with domain {domain} already exists: {holder}")


def company_name_taken(other: Company) -> Conflict:
    """A name another company has (names are unique case-insensitively)."""
    return Conflict(f"a company named {other.name!r} already exists (#{other.id})")


def conflict_from(session: Session, exc: IntegrityError) -> Conflict | None:
    """The ``Conflict`` a unique violation means, read in ``session`` (a new transaction,
    after the failed one rolled back: the record that won is there); None when ``exc``
    is another kind of integrity error."""
    found = violation(exc)
    if found is None:
        return None
    table, values = found
    if table == "contact" and ("email" in values or "email_key" in values):
        email = values.get("email_key") or values.get("email")
        other = _holder(session, Contact, Contact.email_key, email and email.lower())
        if other is not None and email is not None:
            return email_taken(email, other)
        return Conflict(f"email {email or '(this email)'} already belongs to another contact")
    if table == "company" and "domain" in values:
        domain = values["domain"]
        company = _holder(session, Company, Company.domain, domain)
        shown = domain or "(this domain)"
        if company is not None:
            return domain_taken(shown, company.name, company.id)
        return Conflict(f"a company with domain {shown} already exists")
    if table == "company" and "name_key" in values:
        company = _holder(session, Company, Company.name_key, values["name_key"])
        if company is not None:
            return company_name_taken(company)
    if table in NAMED and "name_key" in values:
        name = values["name_key"]
        named = f" named {name!r}" if name is not None else " of that name"
        return Conflict(f"a {NAMED[table]}{named} already exists")
    shown = ", ".join(f"{k} {v}" if v is not None else k for k, v in values.items())
    noun = table.replace("_", " ")
    article = "an" if noun[:1] in "aeiou" else "a"
    return Conflict(f"{article} {noun} with that {shown} already exists")


def _holder(session: Session, model: Any, column: Any, value: str | None) -> Any:
    if value is None:
        return None
    return session.scalars(select(model).where(column == value).limit(1)).first()


# --------------------------------------------------------------------------- reading the error

_PG_DETAIL = re.compile(r"Key \((?P<columns>.*)\)=\((?P<values>.*)\) already exists", re.DOTALL)
_SQLITE_UNIQUE = "UNIQUE constraint failed: "
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+\"?(\w+)\"?\s*\(([^)]*)\)\s*VALUES", re.IGNORECASE)
_UPDATE = re.compile(r"^\s*UPDATE\s+\"?(\w+)\"?\s+SET\s+(.*?)\s+WHERE\s", re.IGNORECASE | re.DOTALL)


def violation(exc: IntegrityError) -> tuple[str, dict[str, str | None]] | None:
    """(table, {column: value}) of the unique key ``exc`` reports, None for another error.

    PostgreSQL names both in its detail ("Key (email)=(a@x.com) already exists"); SQLite
    names the columns ("UNIQUE constraint failed: contact.email") and the values are read
    from the statement's parameters (an INSERT's or UPDATE's; None where they cannot be).
    """
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == "23505":  # PostgreSQL's unique_violation
        diag = getattr(orig, "diag", None)
        table = getattr(diag, "table_name", None) or ""
        match = _PG_DETAIL.match(getattr(diag, "message_detail", None) or "")
        if match is None:
            return table, {}
        columns = [c.strip() for c in match["columns"].split(",")]
        values = match["values"].split(", ") if len(columns) > 1 else [match["values"]]
        if len(values) != len(columns):
            return table, dict.fromkeys(columns)
        return table, dict(zip(columns, values, strict=True))
    message = str(orig)
    if not message.startswith(_SQLITE_UNIQUE):
        return None
    pairs = [part.strip().split(".", 1) for part in message[len(_SQLITE_UNIQUE) :].split(",")]
    if not pairs or any(len(pair) != 2 for pair in pairs):
        return None
    table = pairs[0][0]
    bound = _bound(exc.statement or "", exc.params)
    return table, {column: _text(bound.get(column)) for _, column in pairs}


def _bound(statement: str, params: Any) -> dict[str, Any]:
    """Column -> value of a one-row INSERT or UPDATE with positional parameters."""
    if not isinstance(params, (tuple, list)) or any(isinstance(p, (tuple, list)) for p in params):
        return {}  # executemany, or named parameters: which row broke the key is unknown
    insert = _INSERT.match(statement)
    if insert is not None:
        columns = [c.strip().strip('"') for c in insert[2].split(",")]
    else:
        update = _UPDATE.match(statement)
        if update is None:
            return {}
        columns = [a.split("=")[0].strip().strip('"') for a in update[2].split(",")]
    if len(columns) > len(params):
        return {}
    return dict(zip(columns, params, strict=False))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
