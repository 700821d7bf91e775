"""Search finds the same records on SQLite and PostgreSQL however odd the text: letters
in circles, words longer than PostgreSQL's index takes."""

from __future__ import annotations

from typing import Any

from tinycrm.store.activities import log_activity
from tinycrm.store.contacts import add_contact
from tinycrm.store.search import search


def found(store: Any, text: str, **kwargs: Any) -> list[tuple[str, str]]:
    return sorted((hit.kind, hit.name) for hit in search(store, text, **kwargs))


def test_letters_and_numbers_in_circles_are_found_as_the_plain_ones_on_both(store) -> None:
    """SQLite folds Ⓐ to a and ① to 1 (as a reader reads them); PostgreSQL kept them, so
    "ada" found "Ⓐda" on SQLite only, and "Ⓐda" itself (typed: "Ada") on neither there."""
    ada = add_contact(store, name="Ⓐda Ⓛovelace", notes="room ⑫ shelf ⒜ step ⒈ item ⑴ ⓩ x⓭y")
    log_activity(store, kind="note", ref=str(ada.id), text="Ⓝote ①②③", body="ⓜinutes")
    contact, note = ("contact", "Ⓐda Ⓛovelace"), ("activity", "Ⓝote ①②③")
    wrong = []
    for query, hits in [
        ("ada", [contact, note]), ("Ⓐda", [contact, note]), ("lovel", [contact, note]),
        ('"ada lovelace"', [contact, note]), ("12", [contact, note]), ("room 12", [contact]),
        ('"shelf a step 1 item 1 z"', [contact]), ("note", [note]), ("123", [note]),
        ("①②③", [note]), ("minutes", [note]), ("ⓜin", [note]), ("x13y", [contact]),
        ("x⓭", [contact]), ('"x⓭y"', [contact]),
    ]:  # fmt: skip
        if found(store, query) != sorted(hits):
            wrong.append((query, found(store, query)))
    assert wrong == [], "\n".join(map(repr, wrong))


def test_a_word_too_long_for_postgresqls_index_is_left_out_on_both(store) -> None:
    """PostgreSQL leaves a word of over 2,047 bytes out of its index; SQLite kept it, so
    the record was found by it there only. Both leave it out now, and find the record by
    its other words, the phrases around it too (as if it were not there, as PostgreSQL
    has it); a searched word that long is passed over."""
    long = "x" * 2048
    wide = "ж" * 1024  # two bytes a letter: 2,048
    fits = "ж" * 1023
    far = "𠀀" * 512  # four bytes a letter (a search is at most 1,000 characters)
    holder = add_contact(store, name="Key Holder", notes=f"key {long} rotated; {wide} done")
    log_activity(store, kind="note", ref=str(holder.id), text="Token",
                 body=f"renewal {far} signed {fits} kept")  # fmt: skip
    contact, note = ("contact", "Key Holder"), ("activity", "Token")
    wrong = []
    for query, hits in [
        ("rotated", [contact]), ('"key rotated"', [contact]), ("done", [contact]),
        ("renewal", [note]), ('"renewal signed"', [note]), ("kept", [note]),
        ("xxxx", []), (long[:1000], []), (wide[:1000], [note]), ("жж", [note]),
        (fits[:1000], [note]), (far, []), (f"renewal {far}", [note]),
        (f"{far} signed", [note]), (f'"renewal {far} signed"', [note]),
    ]:  # fmt: skip
        if found(store, query) != sorted(hits):
            wrong.append((query[:40], found(store, query)))
    assert wrong == [], "\n".join(map(repr, wrong))


def test_bytes_that_are_not_utf8_are_refused_as_a_lists_search_refuses_them(store) -> None:
    """Bytes that are not UTF-8 on the command line reach tinycrm as lone surrogates:
    ``search 'ada\\xff'`` searched for "ada" as if they were not there, and ``search
    '\\xff'`` said there was nothing to search for; ``contact list --search`` refuses
    them, saying why. Search says the same now."""
    import pytest

    from tinycrm.store import Invalid

    add_contact(store, name="Ada Lovelace")
    for query in ("ada\udcff", "\udcff", '"ada \udcc3"'):
        with pytest.raises(Invalid, match="text holds bytes that are not UTF-8"):
            search(store, query)
    assert found(store, "ada") == [("contact", "Ada Lovelace")]
