"""Importing contacts: dedupe by UID, email (else name and company), then by the rules of
``contact dupes`` (``lookalikes``); lifecycle and role synonyms, tinycrm's own columns
(lead status, consent flags, cadence, last touch)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from tinycrm import safetext
from tinycrm.formats import values as cell
from tinycrm.phones import try_normalise
from tinycrm.store import validate
from tinycrm.store.contacts import new_contact_row, typed_by
from tinycrm.store.engine import chunks
from tinycrm.store.errors import Invalid
from tinycrm.store.imports.base import _contact_insert, _Import
from tinycrm.store.imports.common import (
    _IN,
    CHUNK,
    EmailNotTaken,
    _Prepared,
    _State,
)
from tinycrm.store.imports.lookalikes import ContactLookalikes
from tinycrm.store.models import (
    Contact,
)
from tinycrm.store.records import stored_key
from tinycrm.store.types import new_uids
from tinycrm.vocab import LEAD_STATUSES

_PLAIN_KEYS = frozenset(
    {"name", "first_name", "middle_name", "last_name", "email", "phone", "title", "notes"}
    | {"company", "tags"}
)
_BLANKS: dict[tuple[str, ...], frozenset[str]] = {}  # blank cells -> _Prepared.blanks
_UNSAFE = safetext.UNSAFE_MULTILINE  # \r too: the full path turns it into \n first
_LONG = validate.MAX_TEXT

_LIFECYCLE_SYNONYMS = {
    "subscriber": "lead",
    "marketing qualified lead": "lead",
    "marketingqualifiedlead": "lead",
    "mql": "lead",
    "new": "lead",
    "sales qualified lead": "prospect",
    "salesqualifiedlead": "prospect",
    "sql": "prospect",
    "opportunity": "prospect",
    "qualified": "prospect",
    "evangelist": "customer",
    "client": "customer",
    "former customer": "churned",
    "lost": "churned",
    "other": "lead",
}
_ROLE_SYNONYMS = {
    "decision maker": "decision-maker",
    "economic buyer": "buyer",
    "champion": "influencer",
    "technical buyer": "influencer",
    "end user": "user",
    "evaluator": "influencer",
    "executive sponsor": "decision-maker",
}

# --------------------------------------------------------------------------- contacts


class _Contacts(_Import):
    entity = "contact"
    clearable = ("phone", "title", "role", "source", "notes", "cadence_days", "last_touch")
    # the number in E.164 and the email's key, for search, duplicates and lookups
    derived = {"phone_e164": "phone", "email_key": "email"}

    @cached_property
    def _region(self) -> str | None:  # [phone] region, read once per import
        return self.store.phone_region()

    @cached_property
    def lookalikes(self) -> ContactLookalikes:
        return ContactLookalikes(self.conn, empty=self.empty["contact"])

    _uids: list[str] = []  # made CHUNK at a time (``new_uids``), for new rows

    @cached_property
    def emails_not_taken(self) -> dict[tuple[int, str | None], EmailNotTaken]:
        """The contacts updated whose row gave another email, which they did not take."""
        return {}

    def _e164(self, phone: str) -> str | None:
        return try_normalise(phone, self._region)[0]

    def prepare(self, line: int, raw: Any, values: Mapping[str, str]) -> _Prepared:
        # The hot loop of a 100,000-row import: values are already trimmed, and the
        # validators are only called for what a row actually holds.
        if values.keys() <= _PLAIN_KEYS:
            quick = self._prepare_plain(line, raw, values)
            if quick is not None:
                return quick
        get = values.get
        prep = _Prepared(line, raw, {})
        columns = prep.columns
        email = get("email")
        typed = validate.typed_email(email) if email else None
        name = get("name") or " ".join(
            part for part in (get("first_name"), get("middle_name"), get("last_name")) if part
        )
        columns["name"] = validate.name(name or (typed[0] if typed else None))
        if typed:
            columns["email"], columns["email_key"] = typed
        for key in ("phone", "title", "notes"):
            value = get(key)
            if value:
                clean = validate.optional_text(value, key, multiline=key == "notes")
                if clean:
                    columns[key] = clean
                    if key == "phone":
                        columns["phone_e164"] = self._e164(cell.whole_phone(clean))
                    continue
            if value is not None:
                prep.blank(key)
        if "role" in values:
            role = values["role"].lower()
            clean = validate.role(_ROLE_SYNONYMS.get(role, role))
            if clean is None:
                prep.blank("role")
            else:
                columns["role"] = clean
        lifecycle = get("lifecycle")
        if lifecycle:
            stage = " ".join(lifecycle.lower().split())
            columns["lifecycle"] = validate.lifecycle(_LIFECYCLE_SYNONYMS.get(stage, stage))
        if "source" in values:
            source = validate.optional_text(values["source"], "source")
            if source:
                columns["source"] = source
            else:
                prep.blank("source")
        self._own_columns(prep, values)
        self.common(prep, values)
        company = get("company")
        if company:
            prep.company = validate.optional_text(company, "company")
        domain = get("company_domain")
        if domain:
            prep.company_domain = validate.domain(domain)
        prep.key = ("email", typed[1]) if typed else ("name", validate.key(columns["name"]))
        # The row it would insert, made here as the row is read: ``insert`` only fills
        # in the id and the company.
        prep.row = _contact_insert(0, {"owner": self.store.user, **columns}, self.stamp)
        return prep

    def _prepare_plain(self, line: int, raw: Any, values: Mapping[str, str]) -> _Prepared | None:
        """``prepare`` for the commonest row (names, email, phone, title, notes, company,
        tags; no character the store refuses, no line end but ``\\n``): the same columns
        and row, in a few string operations instead of a validator call a cell. None
        when the row needs the full path (an unusual email, a name too long or empty)."""
        joined = " ".join(values.values())
        # (printable: no control or format character, so none _UNSAFE names either)
        if not joined.isprintable() and _UNSAFE.search(joined) is not None:
            return None  # the full path says which cell and why
        get = values.get
        email = get("email")
        key = None
        if email:
            email = email.strip()  # as typed (``validate.typed_email``)
            key = email.lower()
            if key[:7] == "mailto:" or not validate.is_plain_email(key):
                return None
        else:
            email = None
        name = get("name") or " ".join(
            filter(None, (get("first_name"), get("middle_name"), get("last_name")))
        )
        name = " ".join((name or email or "").split())
        if not name or len(name) > 300 or not (name.isascii() or validate.visible(name)):
            return None
        prep = _Prepared(line, raw, {"name": name})
        columns = prep.columns
        if email:
            columns["email"], columns["email_key"] = email, key
        blank: tuple[str, ...] = ()  # (most rows: a blank note, one shared frozenset)
        phone = get("phone")
        if phone is not None:
            phone = " ".join(phone.split()) or None
            if phone:
                if "+" in phone and "E" in phone.upper():
                    return None  # Excel's 1.23457E+12? (the full path says)
                columns["phone"] = phone
                columns["phone_e164"] = self._e164(phone)
            else:
                blank += ("phone",)
        title = get("title")
        if title is not None:
            title = " ".join(title.split()) or None
            if title:
                columns["title"] = title
            else:
                blank += ("title",)
        notes = get("notes")
        if notes is not None:
            notes = notes.strip() or None
            if notes:
                columns["notes"] = notes
            else:
                blank += ("notes",)
        if blank:
            prep.blanks = _BLANKS.get(blank) or _BLANKS.setdefault(blank, frozenset(blank))
        if max(len(name), len(phone or ""), len(title or ""), len(notes or "")) > _LONG:
            return None
        tags = get("tags")
        if tags:
            found = self._tag_lists.get(tags)
            if found is None:
                found = self._tag_lists[tags] = validate.tags(cell.split_tags(tags))
            prep.tags = list(found)
        company = get("company")
        if company:
            prep.company = " ".join(company.split()) or None
            if prep.company and len(prep.company) > _LONG:
                return None
        prep.key = ("email", key) if key else ("name", name.casefold())
        if not self._uids:
            self._uids = new_uids(CHUNK)
        prep.row = new_contact_row(
            0, {**columns, "uid": self._uids.pop()}, owner=self.store.user, stamp=self.stamp
        )
        return prep

    def _own_columns(self, prep: _Prepared, values: Mapping[str, str]) -> None:
        """Lead status, consent flags, cadence, last touch and creation time."""
        get, columns = values.get, prep.columns
        status = get("lead_status")
        if status:
            columns["lead_status"] = validate.choice(status, LEAD_STATUSES, "lead status")
        for flag in ("unsubscribed", "do_not_contact"):
            value = get(flag)
            if value:
                columns[flag] = cell.parse_flag(value, flag.replace("_", " "))
        cadence = get("cadence_days")
        if cadence:
            days = cell.parse_whole_number(
                cadence, "keep-in-touch cadence", rule="between 1 and 3650 days"
            )
            columns["cadence_days"] = validate.cadence(days)
        elif cadence is not None:
            prep.blank("cadence_days")
        self.text(prep, values, "last_touch", "last_touch", "last touch")
        uid = get("uid")
        if uid:
            columns["uid"] = validate.uid(uid)
        created = get("created_at")
        if created:
            columns["created_at"] = self.writer.ts(cell.parse_datetime(created))

    def link(self, rows: list[_Prepared]) -> list[_Prepared]:
        out = []
        for prep in rows:
            try:
                cid = self.company_id(prep.company, prep.company_domain)
            except Invalid as exc:
                self.reject(prep.line, prep.raw, str(exc))
                continue
            if cid is not None:
                prep.columns["company_id"] = cid
            if prep.key[0] == "name":
                prep.key = ("name", prep.key[1], cid)
            out.append(prep)
        return out

    @cached_property
    def _file_uids(self) -> dict[str, tuple[int, bytes]]:
        """Each UID the file gave so far: the line of its first row, and that row's values."""
        return {}

    def dedupe(self, rows: list[_Prepared]) -> None:
        """A row whose UID an earlier row of the file gave is rejected, unless it holds
        the same values (the same card twice: a duplicate, nothing lost). Two cards of
        one UID in one file (an app's bug, two files joined) are not taken for an update
        of one by the other: a stranger's phone and title would fill in the first
        contact's. A UID a contact already has still updates it, once."""
        kept = []
        for prep in rows:
            uid = prep.columns.get("uid")
            if uid:
                values = _values_of(prep)
                first, same = self._file_uids.setdefault(uid, (prep.line, values))
                if same != values:
                    reason = (
                        f"UID {uid} is also on line {first} of this file, with other values "
                        "(give this one another UID, or none)"
                    )
                    self.reject(prep.line, prep.raw, reason)
                    continue
            kept.append(prep)
        super().dedupe(kept)

    @cached_property
    def _created_uids(self) -> dict[int, str]:
        """The UID of each contact this import created from a row that had one."""
        return {}

    def match(self, prep: _Prepared, existing: dict[Any, int]) -> int | None:
        """A card's UID first (the contact it was exported from, or imported as before),
        then the email, else the name and company; then a contact it looks like
        (``lookalikes``: the rules of ``contact dupes``). Two rows of the file with
        different UIDs are two people (an address book's two cards, an export's two
        contacts), however alike."""
        uid = prep.columns.get("uid")
        if uid:
            found = self.keys.get(("uid", uid), existing.get(("uid", uid)))
            if found is not None:
                return found
        found = super().match(prep, existing)
        if found is None:
            lookalike = self.lookalikes.find(prep)
            if lookalike is not None:
                found, prep.why = lookalike
        if found is not None and uid and self._created_uids.get(found, uid) != uid:
            found, prep.why = None, None
        if found is not None and self.on_duplicate == "update":
            self.lookalikes.update(found, prep.columns)  # merged after the chunk is matched
        return found

    def find_existing(self, rows: list[_Prepared]) -> dict[Any, int]:
        found: dict[Any, int] = {}
        self.lookalikes.prime(rows)
        if self.empty["contact"]:
            return found  # everything there is, this import created (and knows)
        uids = sorted({r.columns["uid"] for r in rows if r.columns.get("uid")})
        for chunk in chunks(uids, _IN):
            for cid, uid in self.conn.execute(
                select(col(Contact.id), col(Contact.uid)).where(col(Contact.uid).in_(chunk))
            ):
                assert cid is not None  # a stored row
                found[("uid", uid)] = cid
        emails = sorted({r.key[1] for r in rows if r.key[0] == "email"})
        for chunk in chunks(emails, _IN):
            for cid, email in self.conn.execute(
                select(col(Contact.id), col(Contact.email_key)).where(
                    col(Contact.email_key).in_(chunk)
                )
            ):
                assert cid is not None  # a stored row
                found[("email", email)] = cid
        names = sorted({r.key[1] for r in rows if r.key[0] == "name"})
        for chunk in chunks(names, _IN):
            for cid, key, company in self.conn.execute(
                select(col(Contact.id), col(Contact.name_key), col(Contact.company_id))
                .where(col(Contact.name_key).in_(chunk), col(Contact.email).is_(None))
                .order_by(col(Contact.id))
            ):
                assert cid is not None  # a stored row
                found.setdefault(("name", key, company), cid)
        return found

    def insert(self, prep: _Prepared) -> None:
        assert prep.target is not None
        assert prep.row is not None
        row = prep.row
        row["id"], row["company_id"] = prep.target, prep.columns.get("company_id")
        if prep.columns.get("uid"):
            self.keys[("uid", prep.columns["uid"])] = prep.target
            self._created_uids[prep.target] = prep.columns["uid"]
        self.new_contact(row)
        self.lookalikes.add(prep.target, row, prep.mailbox)
        self.add_tags_and_fields(prep)

    def merge(self, state: _State, prep: _Prepared) -> bool:
        prep.columns.pop("created_at", None)  # an update does not change when it was created
        self._follow_types(state, prep)
        if state.columns.get("email"):
            email = prep.columns.pop("email", None)  # filled when missing, never replaced
            key = prep.columns.pop("email_key", None)
            if email and key != state.columns.get("email_key"):  # the summary says so
                self.emails_not_taken.setdefault(
                    (state.columns["id"], key),
                    EmailNotTaken(
                        contact_id=state.columns["id"], name=state.columns["name"], email=email
                    ),
                )
        if state.columns.get("uid"):
            prep.columns.pop("uid", None)  # a contact keeps the UID it is known by
        before = state.columns.get("lifecycle")
        changed = super().merge(state, prep)
        after = state.columns.get("lifecycle")
        if changed and after != before and not state.pending:
            self.writer.add(
                "lifecycle_change",
                {"contact_id": state.columns["id"], "from_lifecycle": before,
                 "to_lifecycle": after, "at": self.stamp, "actor": self.store.user},
            )  # fmt: skip
        return changed

    def _follow_types(self, state: _State, prep: _Prepared) -> None:
        """The type and label of the main phone and email (``phone_type``, ``email_label``,
        kept from a vCard) describe the value beside it, as ``contact edit`` keeps it: when the
        update replaces the value, the row's type replaces the stored one, or the stored
        one goes (it was the old value's); a value the update does not take (a different
        number, no ``--overwrite``) lends its type to nobody."""
        replaces: set[str] = set()
        stale: list[str] = []
        fields = dict(prep.fields)
        changing: list[tuple[list[str], bool]] = []  # (the fields typing it, taken)
        for attr, key_column in (("phone", "phone_e164"), ("email", "email_key")):
            if attr in prep.columns:
                new = prep.columns[attr]
            elif self.overwrite and attr in prep.blanks and attr in self.clearable:
                new = None
            else:
                continue  # the row says nothing of it: its type is any other field
            old = state.columns.get(attr)
            key = prep.columns.get(key_column)
            if new == old or (key is not None and key == state.columns.get(key_column)):
                continue  # the same value: its type fills in, or overwrites, as a field does
            takes = not old or (self.overwrite and attr != "email")  # an email stays
            changing.append(([attr + "_type", attr + "_label"], takes))
        for key, new in prep.fields.items():  # a web page, another email or phone
            old = state.fields.get(stored_key(state.fields, key) or "")
            if typed_by(key) and old is not None and new != old:
                changing.append((typed_by(key), self.overwrite))
        for kinds, takes in changing:
            for kind in kinds:  # phone_type, phone_label (Рабочий), website_type.blog
                typed = stored_key(fields, kind)
                if takes and typed is not None:
                    replaces.add(typed)
                elif takes:
                    stale += [k for k in (stored_key(state.fields, kind),) if k]
                elif typed is not None:
                    del fields[typed]
        if replaces or stale or len(fields) != len(prep.fields):
            prep.fields, prep.replaces, prep.stale = fields, frozenset(replaces), tuple(stale)


def _values_of(prep: _Prepared) -> bytes:
    """A digest of what a row imports (its columns, blank cells, tags, fields and company),
    to tell the same card twice from another card with its UID."""
    held = (
        sorted(prep.columns.items()),
        sorted(prep.blanks),
        list(prep.tags),
        sorted(prep.fields.items()),
        prep.blank_fields,
        prep.company,
        prep.company_domain,
    )
    return hashlib.blake2b(repr(held).encode(), digest_size=16).digest()
