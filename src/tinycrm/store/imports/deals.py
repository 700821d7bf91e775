"""Importing deals: pipelines and stages found loosely (or created), amounts with their
currency, won and lost deals closed, dedupe by external id, else title and company."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from tinycrm import money
from tinycrm.formats import values as cell
from tinycrm.formats.synonyms import normalize
from tinycrm.safetext import quoted
from tinycrm.store import validate
from tinycrm.store.deals import new_deal_row
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
    Contact,
    Deal,
    Pipeline,
    Stage,
)
from tinycrm.vocab import DEFAULT_CURRENCY

SETTLED_BY = "--decimal-point or --decimal-comma reads every amount in the file one way"
"""What a row refused for an ambiguous amount adds: the import's options (``decimal``)
settle it for the whole file at once."""
_WON = ("closed won", "closedwon", "won", "closed - won", "closed/won")
_LOST = ("closed lost", "closedlost", "lost", "closed - lost", "closed/lost")


# --------------------------------------------------------------------------- deals


@dataclass
class _Pipe:
    id: int
    name: str
    stages: list[tuple[int, str, str, int]]  # id, name, loose key, probability


def loose(name: str) -> str:
    """Stage and pipeline names compared loosely: ``Lead In`` is ``Lead-in``."""
    return normalize(name) or name.casefold()


class _Deals(_Import):
    entity = "deal"
    clearable = ("amount_minor", "close_date", "probability", "lost_reason")
    date_columns = ("close_date", "closed_at", "created_at")

    def __init__(self, *args: Any, create_stages: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.create_stages = create_stages
        self._created_at: dict[int, Any] = {}  # deals this import made: when created
        self._pipes: dict[str, _Pipe] = {}
        self._default: _Pipe | None = None
        for pipe in self.session.scalars(
            select(Pipeline).order_by(col(Pipeline.position), col(Pipeline.id))
        ):
            assert pipe.id is not None
            found = _Pipe(pipe.id, pipe.name, [])
            for stage in self.session.scalars(
                select(Stage).where(col(Stage.pipeline_id) == pipe.id).order_by(col(Stage.position))
            ):
                found.stages.append((stage.id, stage.name, loose(stage.name), stage.probability))  # type: ignore[arg-type]
            self._pipes[loose(pipe.name)] = found
            self._default = self._default or found

    def prepare(self, line: int, raw: Any, values: Mapping[str, str]) -> _Prepared:
        prep = _Prepared(line, raw, {})
        c = prep.columns
        title = validate.name(_text(values, "title"), "deal title")
        c["title"] = title
        amount_text = _text(values, "amount")
        currency = _text(values, "currency")
        try:
            minor, code = validate.money_minor(
                amount_text, currency, default=DEFAULT_CURRENCY, decimal=self.decimal
            )
        except Invalid as exc:
            if isinstance(exc.__cause__, money.AmbiguousAmount):  # one mark, three digits
                raise Invalid(f"{exc}; {SETTLED_BY}", field="amount") from exc
            raise
        if amount_text:
            c["amount_minor"] = minor
        elif "amount" in values:
            prep.blank("amount_minor")
        if currency or amount_text:
            c["currency"] = code
        status = " ".join(_text(values, "status").lower().split()) or None
        stage_text = " ".join(_text(values, "stage").split())
        if status == "deleted":
            raise Invalid("the deal was deleted where it came from")
        if status is not None:
            status = {"closed won": "won", "closed lost": "lost", "active": "open"}.get(
                status, status
            )
            status = validate.choice(status, ("open", "won", "lost"), "status")
        if stage_text.lower() in _WON or stage_text.lower() in _LOST:
            status = status or ("won" if stage_text.lower() in _WON else "lost")
            stage_text = ""
        if status:
            c["status"] = status
        c["_pipeline_text"] = _text(values, "pipeline")
        c["_stage_text"] = stage_text
        c["_moves"] = bool(stage_text) or "pipeline" in values
        if _text(values, "close_date"):
            text = values["close_date"]
            c["close_date"] = cell.parse_date(
                text, day_first=self.dates.day_first("close_date", text)
            )
        elif "close_date" in values:
            prep.blank("close_date")
        override = _text(values, "probability_override")
        explicit = cell.parse_flag(override, "probability_override") if override else None
        if _text(values, "probability") and explicit is not False:
            c["_percent"] = cell.parse_percent(values["probability"])
            c["_override"] = bool(explicit)  # the deal's own, even where the stage's is the same
        self.text(prep, values, "lost_reason", "lost_reason", "lost reason")
        external = _text(values, "external_id")
        if external:
            c["external_id"] = validate.optional_text(external, "external id")
        for moment in ("closed_at", "created_at"):
            if _text(values, moment):
                text = values[moment]
                c[moment] = cell.parse_datetime(text, day_first=self.dates.day_first(moment, text))
        self.common(prep, values)
        prep.company = validate.optional_text(values.get("company"), "company")
        prep.contact = validate.optional_text(
            values.get("contact_email") or values.get("contact"), "contact"
        )
        prep.key = ("external", external) if external else ("title", validate.key(title))
        return prep

    def _stage(self, prep: _Prepared) -> None:
        """Resolve the row's pipeline and stage (creating them with ``create_stages``)."""
        c = prep.columns
        pipeline_text, stage_text = c.pop("_pipeline_text"), c.pop("_stage_text")
        percent = c.pop("_percent", None)
        explicit = c.pop("_override", False)
        hint = "; give --create-stages to add it, or --map the column to another one"
        if pipeline_text:
            pipe = self._pipes.get(loose(pipeline_text))
            if pipe is None:
                if not self.create_stages:
                    known = ", ".join(p.name for p in self._pipes.values()) or "none"
                    raise Invalid(f"unknown pipeline {pipeline_text!r} (pipelines: {known}){hint}")
                pipe = self._new_pipeline(pipeline_text)
        elif self._default is not None:
            pipe = self._default
        elif self.create_stages:
            pipe = self._new_pipeline("Sales")
        else:
            raise Invalid("there is no pipeline yet (tinycrm pipeline add NAME)")
        stage = None
        if stage_text:
            stage = next((s for s in pipe.stages if s[2] == loose(stage_text)), None)
            if stage is None:
                if not self.create_stages:
                    names = ", ".join(s[1] for s in pipe.stages) or "none"
                    where = f"in pipeline {pipe.name} (stages: {names})"
                    raise Invalid(f"unknown stage {quoted(stage_text)} {where}{hint}")
                stage = self._new_stage(pipe, stage_text, percent)
        if stage is None:
            if not pipe.stages:
                if not self.create_stages:
                    raise Invalid(f"pipeline {pipe.name} has no stages")
                self._new_stage(pipe, "Lead-in", 10)
            stage = pipe.stages[-1] if c.get("status") in ("won", "lost") else pipe.stages[0]
        c["_stage"] = stage
        c["_pipeline"] = pipe.id
        if c.pop("_moves"):
            c["stage_id"], c["pipeline_id"] = stage[0], pipe.id
        if percent is not None and (
            explicit or (percent != stage[3] and c.get("status") not in ("won", "lost"))
        ):
            c["probability"] = percent

    def _new_pipeline(self, name: str) -> _Pipe:
        clean = validate.name(name, "pipeline name")
        position = self.conn.execute(
            select(func.coalesce(func.max(Pipeline.position), -1))
        ).scalar()
        pid = self.writer.new_id("pipeline")
        self.writer.add(
            "pipeline",
            {"id": pid, "name": clean, "name_key": validate.key(clean),
             "position": (position or 0) + 1, "created_at": self.stamp},
        )  # fmt: skip
        self.record_created("pipeline", pid)
        self.linked["pipeline"] += 1
        pipe = _Pipe(pid, clean, [])
        self._pipes[loose(clean)] = pipe
        self._default = self._default or pipe
        return pipe

    def _new_stage(self, pipe: _Pipe, name: str, percent: int | None) -> tuple[int, str, str, int]:
        clean = validate.name(name, "stage name")
        sid = self.writer.new_id("stage")
        probability = percent if percent is not None else 0
        self.writer.add(
            "stage",
            {"id": sid, "pipeline_id": pipe.id, "name": clean, "name_key": validate.key(clean),
             "position": len(pipe.stages), "probability": probability, "rotting_days": None},
        )  # fmt: skip
        self.record_created("stage", sid)
        self.linked["stage"] += 1
        stage = (sid, clean, loose(clean), probability)
        pipe.stages.append(stage)
        return stage

    def link(self, rows: list[_Prepared]) -> list[_Prepared]:
        self.lookup_contacts(r.contact for r in rows if r.contact)
        contact_companies = self._contact_companies(rows)
        out = []
        for prep in rows:
            try:
                self._stage(prep)
                company = self.company_id(prep.company)
                contact = self.contact_id(prep.contact, company)
            except Invalid as exc:
                self.reject(prep.line, prep.raw, str(exc))
                continue
            if company is None and contact is not None:
                company = contact_companies.get(contact)
            if company is not None:
                prep.columns["company_id"] = company
            if contact is not None:
                prep.columns["contact_id"] = contact
            if prep.key[0] == "title":
                prep.key = ("title", prep.key[1], company)
            out.append(prep)
        return out

    def _contact_companies(self, rows: list[_Prepared]) -> dict[int, int]:
        ids = set()
        for prep in rows:
            if prep.contact and not prep.company:
                ref = prep.contact
                if "@" in ref:
                    try:
                        email = validate.email(ref)
                    except Invalid:
                        continue
                    cid = self._contact_emails.get(email or "")
                else:
                    cid = self._contact_names.get(validate.key(ref))
                if cid:
                    ids.add(cid)
        out: dict[int, int] = {}
        for chunk in chunks(sorted(ids), _IN):
            for cid, company in self.conn.execute(
                select(col(Contact.id), col(Contact.company_id)).where(
                    col(Contact.id).in_(chunk), col(Contact.company_id).is_not(None)
                )
            ):
                assert cid is not None and company is not None  # stored; is_not(None)
                out[cid] = company
        return out

    def find_existing(self, rows: list[_Prepared]) -> dict[Any, int]:
        found: dict[Any, int] = {}
        externals = sorted({r.key[1] for r in rows if r.key[0] == "external"})
        for chunk in chunks(externals, _IN):
            for did, ext in self.conn.execute(
                select(col(Deal.id), col(Deal.external_id))
                .where(col(Deal.external_id).in_(chunk))
                .order_by(col(Deal.id))
            ):
                assert did is not None  # a stored row
                found.setdefault(("external", ext), did)
        titles = sorted({r.key[1] for r in rows if r.key[0] == "title"})
        for chunk in chunks(titles, _IN):
            for did, key, company, created in self.conn.execute(
                select(
                    col(Deal.id), col(Deal.title_key), col(Deal.company_id), col(Deal.created_at)
                )
                .where(col(Deal.title_key).in_(chunk))
                .order_by(col(Deal.id))
            ):
                assert did is not None  # a stored row
                found.setdefault(("title", key, company), did)
                found.setdefault(("created", key, company, created), did)
        return found

    def match(self, prep: _Prepared, existing: dict[Any, int]) -> int | None:
        """By external id, else title and company: the deal of that title created when
        the row says (``created_at``, as tinycrm's export writes it) first. Two rows of
        the file created at different times are two deals, however alike."""
        created = prep.columns.get("created_at")
        if created is not None and prep.key is not None and prep.key[0] == "title":
            exact = ("created", *prep.key[1:], created)
            found = self.keys.get(exact, existing.get(exact))
            if found is not None:
                return found
        found = super().match(prep, existing)
        if created is not None and self._created_at.get(found or 0, created) != created:
            return None  # a deal an earlier row made, created at another time
        return found

    def insert(self, prep: _Prepared) -> None:
        assert prep.target is not None
        c = prep.columns
        if c.get("created_at") is not None and prep.key is not None and prep.key[0] == "title":
            self._created_at[prep.target] = c["created_at"]
            self.keys[("created", *prep.key[1:], c["created_at"])] = prep.target
        stage_id = c["_stage"][0]
        status = c.get("status", "open")
        closed = None
        if status != "open":
            closed = c.get("closed_at") or (
                datetime.combine(c["close_date"], datetime.min.time(), tzinfo=UTC)
                if c.get("close_date")
                else self.now
            )
        row = {**c, "pipeline_id": c["_pipeline"], "stage_id": stage_id, "status": status,
               "close_date": self.writer.day(c.get("close_date")),
               "closed_at": self.writer.ts(closed),
               "created_at": self.writer.ts(c.get("created_at"))}  # fmt: skip
        self.writer.add(
            "deal", new_deal_row(prep.target, row, owner=self.store.user, stamp=self.stamp)
        )
        self._born["deal"].append(prep.target)
        self.writer.add(
            "stage_change",
            {
                "deal_id": prep.target,
                "from_stage_id": None,
                "to_stage_id": stage_id,
                "from_status": None,
                "to_status": status,
                "at": self.stamp,
                "actor": self.store.user,
            },
        )
        self.add_tags_and_fields(prep)

    def merge(self, state: _State, prep: _Prepared) -> bool:
        for private in ("_stage", "_pipeline", "created_at", "closed_at"):
            prep.columns.pop(private, None)
        if not self.overwrite:
            for key in ("stage_id", "pipeline_id", "status", "currency"):
                prep.columns.pop(key, None)
        if "currency" in prep.columns and "amount_minor" not in prep.columns:
            prep.columns.pop("currency")
        if prep.columns.get("status") and prep.columns["status"] != state.columns["status"]:
            prep.columns.pop("status")  # closing and reopening happen through their commands
        before = state.columns.get("stage_id")
        changed = super().merge(state, prep)
        if "stage_id" in state.changed and before != state.columns["stage_id"]:
            # a move, as move_deal makes it: in the stage history, and rules run
            self.writer.add(
                "stage_change",
                {"deal_id": state.columns["id"], "from_stage_id": before,
                 "to_stage_id": state.columns["stage_id"], "from_status": state.columns["status"],
                 "to_status": state.columns["status"], "at": self.stamp,
                 "actor": self.store.user},
            )  # fmt: skip
            self._born["moved"].append(state.columns["id"])
        return changed
