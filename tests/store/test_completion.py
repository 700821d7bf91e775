"""What Tab offers, read from the database (store/completion.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tinycrm.api.crm import Crm
from tinycrm.store import completion
from tinycrm.store.engine import default_path


@pytest.fixture
def url(store: Any) -> str:
    crm = Crm(store)
    crm.contacts.add("Ada Lovelace", email="ada@example.com", company="Analytical Engines")
    crm.contacts.add("Adam Smith", company="Wealth of Nations")  # no email: offered by name
    crm.contacts.add("Grace Hopper", email="g.hopper@navy.example", tags=["vip", "admiral"])
    crm.companies.edit("Analytical Engines", domain="engines.example")
    crm.deals.add("Engine order", contact="ada@example.com", amount=Decimal("18500"))
    crm.deals.add("100% discount_deal", contact="ada@example.com")
    crm.segments.save("VIPs", "tag:vip")
    url: str = store.url
    return url


def test_contacts_by_email_or_by_name(url: str) -> None:
    assert completion.candidates(url, "contact", "ad") == [
        ("Adam Smith", ""),
        ("ada@example.com", "Ada Lovelace"),
    ]
    assert completion.candidates(url, "contact", "Grace") == [
        ("Grace Hopper", "g.hopper@navy.example")
    ]
    assert completion.candidates(url, "contact", "G.HOP") == [
        ("g.hopper@navy.example", "Grace Hopper")
    ]


def test_a_url_whose_scheme_is_in_capitals_completes_too(url: str) -> None:
    """``--db SQLITE:///…`` (or ``PostgreSQL+psycopg://``) opens the database as its
    lower-case spelling does; Tab offered nothing there."""
    scheme, _, rest = url.partition("://")
    typed = f"{scheme.upper()}://{rest}"
    assert completion.candidates(typed, "contact", "Grace") == [
        ("Grace Hopper", "g.hopper@navy.example")
    ]


def test_companies_deals_stages_tags_segments(url: str) -> None:
    assert completion.candidates(url, "company", "") == [
        ("Analytical Engines", "engines.example"),
        ("Wealth of Nations", ""),
    ]
    assert completion.candidates(url, "company", "eng") == [
        ("engines.example", "Analytical Engines")
    ]
    assert completion.candidates(url, "deal", "eng") == [("Engine order", "open")]
    assert ("Proposal", "") in completion.candidates(url, "stage", "pro")
    assert completion.candidates(url, "tag", "") == [("admiral", ""), ("vip", "")]
    assert completion.candidates(url, "segment", "v") == [("VIPs", "tag:vip")]
    assert completion.candidates(url, "pipeline", "") == [("Sales", "")]


def test_wildcards_in_what_was_typed_are_literal(url: str) -> None:
    assert completion.candidates(url, "deal", "100%") == [("100% discount_deal", "open")]
    assert completion.candidates(url, "deal", "%") == []
    assert completion.candidates(url, "deal", "_") == []
    assert completion.candidates(url, "contact", "a\x00") == []
    assert completion.candidates(url, "nonsense", "") == []


def test_nothing_and_no_error_without_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    assert completion.candidates(str(missing), "contact", "") == []
    assert not missing.exists()  # never created
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    assert completion.candidates(f"sqlite:///{other}", "contact", "") == []
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("hello")
    assert completion.candidates(str(not_sqlite), "deal", "") == []
    assert completion.candidates("postgresql+psycopg://nobody@127.0.0.1:1/x", "deal", "") == []


def test_the_default_database_is_the_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TINYCRM_DB")
    assert completion._default_value() == str(default_path())
