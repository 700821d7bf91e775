"""Importing calls, emails, meetings, notes and tasks: kinds by their vendors' names, dates
and times, links to contacts, companies and deals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from tinycrm import repeat
from tinycrm.formats import values as cell
from tinycrm.store import validate
from tinycrm.store.activity_rows import check_happened, new_activity_row
from tinycrm.store.engine import chunks
from tinycrm.store.errors import Invalid
from tinycrm.store.imports.base import _Import
from tinycrm.store.imports.common import (
    _IN,
    _Prepared,
    _State,
    _text,
)
from tinycrm.store.models import (
    Activity,
    Contact,
    Deal,
)

_KIND_SYNONYMS = {
    "call": "call",
    "phone call": "call",
    "phone": "call",
    "log a call": "call",
    "outbound call": "call",
    "inbound call": "call",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "sent email": "email",
    "meeting": "meeting",
    "event": "meeting",
    "appointment": "meeting",
    "lunch": "meeting",
    "demo": "meeting",
    "note": "note",
    "comment": "note",
    "task": "task",
    "to-do": "task",
    "todo": "task",
    "to do": "task",
    "deadline": "task",
    "follow-up": "task",
    "follow up": "task",
}

# --------------------------------------------------------------------------- activities


class _Activities(_Import):
    entity = "activity"
    clearable = ("body",)
    date_columns = ("date", "due_at", "done_at", "remind_at", "repeat_anchor", "created_at")

    @cached_property
    def _created_at(self) -> dict[int, Any]:
        """The activities this import made from rows that said when: when created."""
        return {}

    @cached_property
    def _made(self) -> dict[tuple[Any, str], int]:
        """(dedupe key, notes) -> the activity this import made of them ("": none)."""
        return {}

    @cached_property
    def _alike(self) -> dict[Any, list[tuple[int, str]]]:
        """Dedupe key -> the activities in the database (found for the chunk being read)
        with their notes, those of several of one key told apart by them."""
        return {}

    @cached_property
    def _claimed(self) -> set[tuple[Any, str]]:
        """(key, notes) of the chunk's rows: an activity whose notes a row gives exactly
        is that row's, not another row's of other notes."""
        return set()

    def prepare(self, line: int, raw: Any, values: Mapping[str, str]) -> _Prepared:
        prep = _Prepared(line, raw, {})
        kind_text = " ".join(_text(values, "kind").lower().split())
        kind = _KIND_SYNONYMS.get(kind_text, kind_text) if kind_text else "note"
        prep.columns["kind"] = validate.activity_kind(kind)
        subject = _text(values, "subject")
        body = values.get("body") or ""
        if not subject:
            first, _, rest = body.strip().partition("\n")
            subject, body = first, rest
        prep.columns["subject"] = validate.name(subject, "subject")
        clean_body = validate.body(body)
        if clean_body:
            prep.columns["body"] = clean_body
        when = self._when(values, "date")
        due = self._when(values, "due_at") or (when if kind == "task" else None)
        if kind == "task":
            if due is None:
                raise Invalid("a task needs a due date")
            prep.columns["due_at"] = due
            done = _text(values, "done")
            done_at = self._when(values, "done_at")
            if done_at is not None or (done and cell.parse_flag(done, "done")):
                prep.columns["done_at"] = done_at or self.now
            if when is not None and _text(values, "due_at"):
                prep.columns["occurred_at"] = when  # tinycrm's own: the task was done then
            remind = self._when(values, "remind_at")
            if remind is not None:
                prep.columns["remind_at"] = remind
            if _text(values, "repeat"):
                prep.columns["repeat"] = repeat.normalize_repeat(values["repeat"])
                prep.columns["repeat_anchor"] = self._when(values, "repeat_anchor") or due
        else:
            occurred = when or self._when(values, "done_at") or self.now
            check_happened(prep.columns["kind"], occurred, self.now)  # planned: a task
            prep.columns["occurred_at"] = occurred
        channel = validate.optional_text(values.get("channel"), "channel")
        if channel:
            prep.columns["channel"] = channel.lower()
        self._mail(prep, values)
        created = self._when(values, "created_at")
        if created is not None:
            prep.columns["created_at"] = created
        self.text(prep, values, "owner", "owner")
        prep.contact = validate.optional_text(
            values.get("contact_email") or values.get("contact"), "contact"
        )
        prep.company = validate.optional_text(values.get("company"), "company")
        prep.deal = validate.optional_text(values.get("deal"), "deal")
        prep.about = validate.optional_text(values.get("about"), "related to")
        return prep

    def _mail(self, prep: _Prepared, values: Mapping[str, str]) -> None:
        """A logged mail's key and direction (the activities export's ``mail_key`` and
        ``direction``): mail sync does not log a mail with its key again."""
        from tinycrm.mail.keys import KEY_MAX

        key = validate.optional_text(values.get("mail_key"), "mail_key")
        if key:
            if len(key) > KEY_MAX or " " in key:
                raise Invalid(f"mail_key is not a mail's key (at most {KEY_MAX} characters)")
            prep.columns["mail_key"] = key
        direction = _text(values, "direction").lower()
        if direction:
            if direction not in ("in", "out"):
                raise Invalid(f"direction must be in or out, not {direction!r}")
            prep.columns["direction"] = direction

    def _when(self, values: Mapping[str, str], key: str) -> datetime | None:
        text = _text(values, key)
        if not text:
            return None
        moment = cell.parse_datetime(text, day_first=self.dates.day_first(key, text))
        clock = _text(values, "time")
        if clock and key == "date":
            from tinycrm.dates import local_tz

            local = moment.astimezone(local_tz())
            if local.hour == 0 and local.minute == 0:
                combined = datetime.combine(local.date(), cell.parse_time(clock), local_tz())
                moment = combined.astimezone(UTC)
        return moment

    def link(self, rows: list[_Prepared]) -> list[_Prepared]:
        self.lookup_contacts(r.contact for r in rows if r.contact)
        titles = {validate.key(r.deal) for r in rows if r.deal} | {
            validate.key(r.about) for r in rows if r.about
        }
        deals: dict[str, list[tuple[int, int | None, int | None]]] = defaultdict(list)
        for chunk in chunks(sorted(titles), _IN):
            for did, key, contact, company in self.conn.execute(
                select(
                    col(Deal.id), col(Deal.title_key), col(Deal.contact_id), col(Deal.company_id)
                ).where(col(Deal.title_key).in_(chunk))
            ):
                assert did is not None  # a stored row
                deals[key].append((did, contact, company))
        out = []
        for prep in rows:
            try:
                self._link_one(prep, deals)
            except Invalid as exc:
                self.reject(prep.line, prep.raw, str(exc))
                continue
            c = prep.columns
            when = c.get("occurred_at") or c.get("due_at")
            prep.key = (
                c["kind"],
                validate.key(c["subject"]),
                None if when is self.now else when,  # a row of no time: the same at any time
                c.get("contact_id"),
                c.get("company_id"),
                c.get("deal_id"),
            )
            if c.get("mail_key") and c.get("contact_id") is not None:
                prep.key = ("mail", c["mail_key"], c["contact_id"])  # one a contact, as mail is
            out.append(prep)
        return out

    def _link_one(self, prep: _Prepared, deals: dict[str, list[tuple[Any, ...]]]) -> None:
        c = prep.columns
        deal = None
        if prep.deal:
            found = deals.get(validate.key(prep.deal), [])
            if not found:
                raise Invalid(f"no deal matches {prep.deal!r}")
            if len(found) > 1:
                raise Invalid(f"more than one deal is titled {prep.deal!r}")
            deal = found[0]
        if prep.about and deal is None:
            found = deals.get(validate.key(prep.about), [])
            if len(found) == 1:
                deal = found[0]
            elif not prep.company:
                prep.company = prep.about
        company = self.company_id(prep.company)
        if company is None and deal is not None:
            company = deal[2]
        contact = self.contact_id(prep.contact, company)
        if contact is None and deal is not None:
            contact = deal[1]
        if company is None and contact is not None:
            company = self._company_of(contact)
        if deal is None and contact is None and company is None:
            raise Invalid("an activity must be about a contact, a company or a deal")
        c["deal_id"] = deal[0] if deal else None
        c["contact_id"] = contact
        c["company_id"] = company

    def _company_of(self, contact_id: int) -> int | None:
        pending = next((r for r in self.writer._pending["contact"] if r["id"] == contact_id), None)
        if pending is not None:
            return pending["company_id"]
        return self.conn.execute(
            select(col(Contact.company_id)).where(col(Contact.id) == contact_id)
        ).scalar()

    mail_deleted = 0  # rows of a mailbox email deleted from the CRM, left out

    def dedupe(self, rows: list[_Prepared]) -> None:
        """As every kind, but a row of a mailbox email the contact's activities no longer
        hold because the user deleted it (its tombstone: ``mail_tombstones``) is skipped,
        as ``mail sync`` and ``mail import`` skip it: an export re-imported does not bring
        it back."""
        buried = self._buried(rows)
        if buried:
            kept = []
            for prep in rows:
                if prep.key is not None and prep.key[0] == "mail" and prep.key[1:] in buried:
                    self.skipped += 1
                    self.mail_deleted += 1
                else:
                    kept.append(prep)
            rows = kept
        super().dedupe(rows)

    def _buried(self, rows: list[_Prepared]) -> set[tuple[str, int]]:
        """(mail key, contact id) of the rows' mail deleted for the contact and not
        logged for it since (``mail import --undelete``)."""
        from tinycrm.store.mail_tombstones import buried_pairs

        mail = sorted({r.key[1] for r in rows if r.key is not None and r.key[0] == "mail"})
        buried: set[tuple[str, int]] = set()
        for chunk in chunks(mail, _IN):
            buried.update(buried_pairs(self.session, chunk))
            if buried:
                buried -= {
                    (key, contact_id)
                    for key, contact_id in self.conn.execute(
                        select(col(Activity.mail_key), col(Activity.contact_id)).where(
                            col(Activity.mail_key).in_(chunk), col(Activity.contact_id).is_not(None)
                        )
                    )
                }
        return buried

    def find_existing(self, rows: list[_Prepared]) -> dict[Any, int]:
        found: dict[Any, int] = {}
        self._alike.clear()
        self._claimed.clear()
        self._claimed.update((r.key, r.columns.get("body") or "") for r in rows)
        # the keys whose activities _same tells apart by their notes: rows of notes, or of
        # no time
        wanted = {r.key for r in rows if r.columns.get("body") or r.key[2] is None}
        undated = any(key[2] is None for key in wanted)
        subjects = sorted({r.columns["subject"] for r in rows})
        for chunk in chunks(subjects, _IN):
            for a in self.conn.execute(
                select(
                    col(Activity.id),
                    col(Activity.kind),
                    col(Activity.subject),
                    col(Activity.occurred_at),
                    col(Activity.due_at),
                    col(Activity.contact_id),
                    col(Activity.company_id),
                    col(Activity.deal_id),
                    col(Activity.created_at),
                    col(Activity.body),
                ).where(col(Activity.subject).in_(chunk))
            ):
                key = (
                    a.kind,
                    validate.key(a.subject),
                    a.occurred_at or a.due_at,
                    a.contact_id,
                    a.company_id,
                    a.deal_id,
                )
                found.setdefault(key, a.id)
                found.setdefault(("created", *key, a.created_at), a.id)
                if key in wanted:
                    self._alike.setdefault(key, []).append((a.id, a.body or ""))
                if undated and (alike := (*key[:2], None, *key[3:])) in wanted:  # any time
                    self._alike.setdefault(alike, []).append((a.id, a.body or ""))
        mail = sorted({r.columns["mail_key"] for r in rows if r.columns.get("mail_key")})
        for chunk in chunks(mail, _IN):
            for aid, mail_key, contact_id in self.conn.execute(
                select(col(Activity.id), col(Activity.mail_key), col(Activity.contact_id)).where(
                    col(Activity.mail_key).in_(chunk), col(Activity.contact_id).is_not(None)
                )
            ):
                assert aid is not None  # a stored row
                found[("mail", mail_key, contact_id)] = aid
        return found

    def match(self, prep: _Prepared, existing: dict[Any, int]) -> int | None:
        """By mail key, else kind, subject, time and links: the activity of those created
        when the row says (``created_at``, as tinycrm's export writes it) first. Two rows
        of the file created at different times are two activities, however alike."""
        created = prep.columns.get("created_at")
        if prep.key is None or prep.key[0] == "mail":
            return super().match(prep, existing)
        if created is None:
            return self._same(prep, existing)
        exact = ("created", *prep.key, created)
        found = self.keys.get(exact, existing.get(exact))
        if found is not None:
            return found
        found = self._same(prep, existing)
        if self._created_at.get(found or 0, created) != created:
            return None  # an activity an earlier row made, created at another time
        return found

    def _same(self, prep: _Prepared, existing: dict[Any, int]) -> int | None:
        """The activity of the row's kind, subject, time and links whose notes are the
        row's: two calls of one day with other notes are two calls, in the file and on a
        re-import, and an update never writes one's notes over another's. A row without
        notes is the one of its key, as before; a row of other notes updates an activity
        found in the database that no row of the chunk gives its own notes to. A row that
        gives no time (logged when imported) is the one of any time with the same notes."""
        key = prep.key
        notes = prep.columns.get("body") or ""
        undated = key[2] is None
        if not notes and not undated:
            return super().match(prep, existing)
        made = self._made.get((key, notes))
        if made is not None:
            return made
        candidates = self._alike.get(key, ())
        for rid, body in candidates:
            if body == notes:
                return rid
        if undated or key in self.keys:  # (one made by an earlier row, of other notes)
            return None
        for rid, body in candidates:
            if not body or (key, body) not in self._claimed:
                return rid
        return None

    def insert(self, prep: _Prepared) -> None:
        c = prep.columns
        created = c.get("created_at")
        if prep.key is not None and prep.key[0] != "mail":
            assert prep.target is not None
            self._made[(prep.key, c.get("body") or "")] = prep.target
        if created is not None and prep.key is not None and prep.key[0] != "mail":
            assert prep.target is not None
            self._created_at[prep.target] = created
            self.keys[("created", *prep.key, created)] = prep.target
        ts = self.writer.ts
        times = ("occurred_at", "due_at", "remind_at", "repeat_anchor", "done_at", "created_at")
        row = {**c, **{key: ts(c.get(key)) for key in times}}
        self.writer.add(
            "activity", new_activity_row(prep.target, row, owner=self.store.user, stamp=self.stamp)
        )

    def merge(self, state: _State, prep: _Prepared) -> bool:
        for key in (
            *("kind", "subject", "occurred_at", "due_at", "contact_id", "company_id"),
            "created_at",
        ):
            prep.columns.pop(key, None)
        prep.columns.pop("deal_id", None)
        return super().merge(state, prep)
