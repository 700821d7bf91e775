"""An import decides that a row is a duplicate by the rules of ``contact dupes``
(``store.imports.lookalikes``): each ``--on-duplicate`` choice, the summary and undo."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from tinycrm.formats.csvfile import open_csv
from tinycrm.formats.mapping import build_mapping, mapped_rows
from tinycrm.store.contacts import add_contact, get_contact, list_contacts
from tinycrm.store.imports import import_records, undo_import

from .settings_helpers import use_config


class Rejects(list):
    def __call__(self, line: int, reason: str, raw: Any) -> None:
        self.append((line, reason))


def run(store: Any, text: str, **kwargs: Any) -> tuple[Any, Rejects]:
    rejects = Rejects()
    table = open_csv(io.BytesIO(text.encode()), name="people.csv")
    rows = mapped_rows(table.records(), build_mapping("contacts", table.header))
    summary = import_records(
        store, kind="contacts", rows=rows, source="people.csv", on_reject=rejects, **kwargs
    )
    return summary, rejects


def counts(summary: Any) -> tuple[int, int, int, int]:
    return summary.created, summary.updated, summary.skipped, summary.rejected


@pytest.fixture
def de_store(store):
    from tinycrm.config import Config

    use_config(store, Config(path=Path("config.toml"), exists=True, phone_region="DE"))
    return store


def existing(store: Any) -> None:
    add_contact(store, name="Robert Smith", company="Acme")  # 1
    add_contact(store, name="Jürgen Müller", company="Acme")  # 2
    add_contact(store, name="John Doe", company="Acme")  # 3
    add_contact(store, name="Jane Roe", email="jane.roe@gmail.com")  # 4
    add_contact(store, name="Hans Meier", phone="+49 30 1234567")  # 5
    add_contact(store, name="Kate Lee", email="kate@acme.example", company="Acme")  # 6


ROWS = """Name,Email,Phone,Company,Title
Bob Smith,bob@acme.example,,Acme,CTO
Juergen Mueller,,,ACME,Engineer
"Doe, John",,,Acme,Sales
J. Doe,,,Acme,Support
Jane R.,Jane.Roe+news@googlemail.com,,,Buyer
H. M.,,030 123 45 67,,Driver
Katherine Lee,kathy@other.example,,Acme,Boss
Bob Smith,,,Globex,Other company
"""
WHY = {
    2: "duplicate of contact #1 (same name but for a nickname at Acme)",
    3: "duplicate of contact #2 (same name, transliterated at ACME)",
    4: "duplicate of contact #3 (same name, words reordered at Acme)",
    5: "duplicate of contact #3 (same name but for an initial or middle name at Acme)",
    6: "duplicate of contact #4 (same email (Jane.Roe+news@googlemail.com))",
    7: "duplicate of contact #5 (same phone (030 123 45 67))",
}


def test_error_rejects_each_lookalike_with_why(de_store) -> None:
    existing(de_store)
    summary, rejects = run(de_store, ROWS, on_duplicate="error")
    # Katherine Lee has another email than Kate Lee: another person; Bob at Globex too.
    assert counts(summary) == (2, 0, 0, 6)
    assert dict(rejects) == WHY
    names = sorted(c.name for c in list_contacts(de_store))
    assert "Katherine Lee" in names and names.count("Bob Smith") == 1


def test_skip_leaves_lookalikes_alone(de_store) -> None:
    existing(de_store)
    summary, rejects = run(de_store, ROWS, on_duplicate="skip")
    assert counts(summary) == (2, 0, 6, 0) and rejects == []
    assert get_contact(de_store, 1).title is None
    assert len(list_contacts(de_store)) == 8


def test_update_fills_the_lookalike_and_undo_puts_it_back(de_store) -> None:
    existing(de_store)
    summary, _ = run(de_store, ROWS)
    # J. Doe finds John Doe's title filled by the row before it: nothing changes (skipped)
    assert counts(summary) == (2, 5, 1, 0)
    bob = get_contact(de_store, 1)
    assert (bob.name, bob.email, bob.title) == ("Robert Smith", "bob@acme.example", "CTO")
    assert get_contact(de_store, 2).title == "Engineer"
    assert get_contact(de_store, 3).title == "Sales"  # the first row to match fills it
    jane = get_contact(de_store, 4)
    assert (jane.email, jane.title) == ("jane.roe@gmail.com", "Buyer")
    assert get_contact(de_store, 5).title == "Driver"
    assert len(list_contacts(de_store)) == 8
    result = undo_import(de_store, summary.batch_id)
    assert result.restored == 6 and result.conflicts == []  # six fields put back
    bob = get_contact(de_store, 1)
    assert (bob.email, bob.title) == (None, None)
    assert len(list_contacts(de_store)) == 6


def test_overwrite_takes_the_file_name_and_undo_the_old_one(de_store) -> None:
    existing(de_store)
    summary, _ = run(de_store, "Name,Company\nBob Smith,Acme\n", overwrite=True)
    assert counts(summary) == (0, 1, 0, 0)
    assert get_contact(de_store, 1).name == "Bob Smith"
    undo_import(de_store, summary.batch_id)
    assert get_contact(de_store, 1).name == "Robert Smith"


def test_rows_of_one_file_meet_by_the_same_rules(store) -> None:
    text = (
        "Name,Email,Company,Title\n"
        "Robert Smith,,Acme,CTO\n"
        "Bob Smith,bob@acme.example,Acme,\n"
        '"Smith, Robert",,Acme,Ignored\n'
        "Rob Smith,rob@acme.example,Acme,\n"
        "Elizabeth Taylor,liz@acme.example,Acme,\n"
        "Liz Taylor,ltaylor@acme.example,Acme,\n"
    )
    summary, _ = run(store, text)
    # Bob, then "Smith, Robert" (reordered), are Robert; Rob came with another email than
    # the one Robert took from Bob's row, and the two Taylors have two emails: four people.
    assert counts(summary) == (4, 1, 1, 0)
    robert = get_contact(store, "bob@acme.example")
    assert (robert.name, robert.title) == ("Robert Smith", "CTO")
    assert len(list_contacts(store, search="taylor")) == 2


def test_a_second_import_of_the_same_file_changes_nothing(de_store) -> None:
    existing(de_store)
    run(de_store, ROWS)
    summary, _ = run(de_store, ROWS)
    assert counts(summary) == (0, 0, 8, 0)


def test_an_extension_is_another_line(de_store) -> None:
    add_contact(de_store, name="Switchboard", phone="+49 30 1234567")
    summary, _ = run(de_store, "Name,Phone\nSomeone,030 1234567 ext. 12\n")
    assert counts(summary) == (1, 0, 0, 0)
