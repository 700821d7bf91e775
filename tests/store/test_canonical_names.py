"""One name in two Unicode spellings is one name (``validate.key``, migration 0028).

"Café" with é (U+00E9) and "Café" with e and U+0301 (macOS file names, some keyboards and
exports) look alike and are one text by Unicode; they were two companies with one name,
a contact typed one way was not found the other, and a tag was two tags.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from tinycrm.store import Conflict, search_index
from tinycrm.store.companies import add_company, get_company
from tinycrm.store.contacts import add_contact, edit_contact, get_contact, list_contacts
from tinycrm.store.engine import open_store
from tinycrm.store.migrations.runner import make_config

from ..conftest import PG_URL
from .migration_helpers import empty_pg_schema

COMPOSED = "Café Müller"
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)


def test_the_two_spellings_differ_as_strings() -> None:
    assert COMPOSED != DECOMPOSED and len(DECOMPOSED) == len(COMPOSED) + 2


def test_a_company_name_in_the_other_spelling_is_the_same_name(store: Any) -> None:
    add_company(store, name=COMPOSED)
    with pytest.raises(Conflict, match="already exists"):
        add_company(store, name=DECOMPOSED.upper())
    assert get_company(store, DECOMPOSED).name == COMPOSED  # kept as typed


def test_a_contact_is_found_by_its_name_in_either_spelling(store: Any) -> None:
    made = add_contact(store, name=DECOMPOSED)
    assert get_contact(store, COMPOSED).id == made.id
    assert get_contact(store, DECOMPOSED.lower()).name == DECOMPOSED  # the name as typed


def test_a_tag_in_either_spelling_is_one_tag(store: Any) -> None:
    made = add_contact(store, name="Ada", tags=["café"])
    edit_contact(store, made.id, add_tags=[unicodedata.normalize("NFD", "CAFÉ")])
    assert get_contact(store, made.id).tags == ["café"]
    found = list_contacts(store, tag=unicodedata.normalize("NFD", "café"))
    assert [c.id for c in found] == [made.id]


# --------------------------------------------------------------------------- 0028


def _old_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _rows_made_before(url: str) -> None:
    """Rows as a tinycrm before 0028 left them: each key its own spelling's, two
    companies named alike, and one record with a tag in both spellings."""
    store = open_store(url, user="tester")
    try:
        first = add_company(store, name="One")
        second = add_company(store, name="Two")
        contact = add_contact(store, name="Three", tags=["x"])
    finally:
        store.close()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.downgrade(make_config(conn), "0027")  # the schema as it was then
            if conn.dialect.name == "sqlite":  # the search index's triggers call it
                search_index._sqlite_fold_ready(conn)
            for cid, name in ((first.id, COMPOSED), (second.id, DECOMPOSED)):
                conn.execute(
                    text("UPDATE company SET name = :n, name_key = :k WHERE id = :i"),
                    {"n": name, "k": _old_key(name), "i": cid},
                )
            conn.execute(
                text("UPDATE contact SET name = :n, name_key = :k WHERE id = :i"),
                {"n": DECOMPOSED, "k": _old_key(DECOMPOSED), "i": contact.id},
            )
            conn.execute(
                text("UPDATE tag SET name = :n WHERE entity = 'contact' AND entity_id = :i"),
                {"n": unicodedata.normalize("NFD", "café"), "i": contact.id},
            )
            conn.execute(
                text("INSERT INTO tag (entity, entity_id, name) VALUES ('contact', :i, 'café')"),
                {"i": contact.id},
            )
    finally:
        engine.dispose()


def _check_0028(url: str) -> None:
    store = open_store(url, user="tester")  # upgrades
    try:
        assert get_contact(store, COMPOSED).name == DECOMPOSED
        assert get_contact(store, COMPOSED).tags == ["café"]
        # the first company has the name; the second keeps its old key, and its row
        assert get_company(store, DECOMPOSED).name == COMPOSED
        with pytest.raises(Conflict, match="already exists"):
            add_company(store, name=DECOMPOSED)
    finally:
        store.close()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM company ORDER BY id")).scalars().all()
            assert names == [COMPOSED, DECOMPOSED]
            tags = conn.execute(text("SELECT name FROM tag")).scalars().all()
            assert tags == ["café"]
    finally:
        engine.dispose()


def test_0028_makes_the_keys_of_a_database_made_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _rows_made_before(url)
    _check_0028(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        command.downgrade(make_config(conn), "0027")
    engine.dispose()
    _check_0028(url)  # and up again
    command.check(make_config(url=url))


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_0028_on_postgresql(pg_schema_url: str) -> None:
    with empty_pg_schema("tinycrm_m28") as url:
        _rows_made_before(url)
        _check_0028(url)
