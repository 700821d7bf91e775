"""Importing companies: dedupe by domain, else name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from tinycrm.formats import values as cell
from tinycrm.store import validate
from tinycrm.store.companies import new_company_row
from tinycrm.store.imports.base import _Import
from tinycrm.store.imports.common import (
    _Prepared,
    _State,
    _text,
)
from tinycrm.store.models import Company
from tinycrm.store.unique import domain_taken

# --------------------------------------------------------------------------- companies


class _Companies(_Import):
    entity = "company"
    clearable = ("industry", "size", "phone", "address", "city", "country")

    def prepare(self, line: int, raw: Any, values: Mapping[str, str]) -> _Prepared:
        prep = _Prepared(line, raw, {})
        domain = validate.domain(_text(values, "domain"))
        name = _text(values, "name") or (domain or "")
        prep.columns["name"] = validate.name(name, "company name")
        if domain:
            prep.columns["domain"] = domain
        elif "domain" in values:
            prep.blank("domain")
        for key in ("industry", "phone", "address", "city", "country"):
            self.text(prep, values, key, key)
        if prep.columns.get("phone"):
            cell.whole_phone(prep.columns["phone"])
        if _text(values, "size"):
            prep.columns["size"] = validate.size(
                cell.parse_whole_number(values["size"], "company size")
            )
        elif "size" in values:
            prep.blank("size")
        self.common(prep, values)
        if _text(values, "created_at"):
            prep.columns["created_at"] = cell.parse_datetime(values["created_at"])
        prep.key = (domain, validate.key(prep.columns["name"]))
        return prep

    def find_existing(self, rows: list[_Prepared]) -> dict[Any, int]:
        return {}

    def match(self, prep: _Prepared, existing: dict[Any, int]) -> int | None:
        # Looked up row by row in the live index, which includes the companies this
        # import has created so far (even earlier in this chunk).
        names = self._load_companies()
        domain, name_key = prep.key
        hit = self._domains.get(domain) if domain else None
        return hit if hit is not None else names.get(name_key)

    def insert(self, prep: _Prepared) -> None:
        assert prep.target is not None
        columns = prep.columns
        created = self.writer.ts(columns.get("created_at"))
        row = new_company_row(
            prep.target, {**columns, "created_at": created}, owner=self.store.user,
            stamp=self.stamp,
        )  # fmt: skip
        self.writer.add("company", row)
        self._load_companies()
        assert self._companies is not None
        self._companies[validate.key(columns["name"])] = prep.target
        if columns.get("domain"):
            self._domains[columns["domain"]] = prep.target
        self.add_tags_and_fields(prep)

    def merge(self, state: _State, prep: _Prepared) -> bool:
        prep.columns.pop("created_at", None)
        assert self._companies is not None
        new_name = prep.columns.get("name")
        if new_name and validate.key(new_name) != validate.key(state.columns["name"]):
            owner = self._companies.get(validate.key(new_name))
            if owner is not None and owner != state.columns["id"]:
                prep.columns.pop("name")  # the name belongs to another company: keep this one's
        domain = prep.columns.get("domain")
        holder = self._domains.get(domain, state.columns["id"]) if domain else None
        if domain and holder != state.columns["id"]:  # a domain names one company
            pending = [r["name"] for r in self.writer._pending["company"] if r["id"] == holder]
            name = (
                pending[0]
                if pending
                else self.conn.scalar(select(col(Company.name)).where(col(Company.id) == holder))
            )
            self.reject(prep.line, prep.raw, str(domain_taken(domain, name, holder)))
            prep.rejected = True
            return False
        old_domain = state.columns.get("domain")
        changed = super().merge(state, prep)
        if changed and "name" in state.changed:
            self._companies[validate.key(state.columns["name"])] = state.columns["id"]
        if state.columns.get("domain") != old_domain:
            if old_domain and self._domains.get(old_domain) == state.columns["id"]:
                del self._domains[old_domain]
            if state.columns.get("domain"):
                self._domains[state.columns["domain"]] = state.columns["id"]
        return changed
